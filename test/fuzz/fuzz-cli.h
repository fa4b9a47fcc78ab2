/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * For the fuzzers that compile one file of the CLI (src/ukify-zboot/) in: the helpers of
 * util.c it calls. error() counts its calls in n_errors and drops the message, info() and
 * json_print_string() are silent, blob_free() frees; with FUZZ_CLI_NO_READ_FILE defined, read_file() aborts (reading
 * files is not what these fuzz). Include it after the CLI's .c, whose headers declare Blob.
 */
#pragma once

#include <stdbool.h>
#include <stdlib.h>

static unsigned n_errors;   /* error() calls so far */

int error(const char *fmt, ...) {
        (void) fmt;
        n_errors++;
        return 1;
}

void info(const char *fmt, ...) {
        (void) fmt;
}

void json_print_string(const void *s, size_t n) {
        (void) s;
        (void) n;
}

void blob_free(Blob *b) {
        free(b->data);
        b->data = NULL;
        b->size = 0;
}

#ifdef FUZZ_CLI_NO_READ_FILE
bool read_file(const char *path, Blob *ret) {
        (void) path;
        (void) ret;
        abort();
}
#endif
