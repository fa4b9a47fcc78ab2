/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the CLI's reading of Authenticode signatures (src/ukify-zboot/sign.c): the PE's
 * certificate table (DataDirectory[SECURITY]) as a list of WIN_CERTIFICATE entries, each PKCS#7
 * SignedData decoded by libcrypto for the signer's name. sign.c is compiled into this file so
 * its static table walk is reachable; the CLI helpers it calls are shimmed. The first input byte
 * selects: even = the rest is a whole PE file (signature_info), odd = the rest is a certificate
 * table alone (the walk, reached without a PE around it). Invariants: no certificate table means
 * nothing found; a PKCS#7 count never exceeds the entries the table can hold (8 bytes each); the
 * signer is NUL-terminated inside its buffer and empty without a PKCS#7 entry.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ukify-zboot/sign.c"
#define FUZZ_CLI_NO_READ_FILE
#include "fuzz-cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* write_output() is not fuzzed (it runs sbsign); these keep sign.c linking. */
bool write_file_atomic(const char *path, const void *data, size_t size) {
        (void) path, (void) data, (void) size;
        abort();
}
bool output_target(const char *path, OutputTarget *ret) {
        (void) path, (void) ret;
        abort();
}
void output_target_free(OutputTarget *t) {
        (void) t;
}
char *output_temp_name(const OutputTarget *t) {
        (void) t;
        abort();
}
bool output_commit(const OutputTarget *t, const char *tmp) {
        (void) t, (void) tmp;
        abort();
}
bool output_write_direct(const OutputTarget *t, const void *data, size_t size) {
        (void) t, (void) data, (void) size;
        abort();
}
void temp_forget(const char *path) {
        (void) path;
}
void temp_writer_set(pid_t pid) {
        (void) pid;
}

static void check(const SignatureInfo *si, size_t table_size) {
        if (si->n_pkcs7 > table_size / 8)
                abort();
        if (!memchr(si->signer, 0, sizeof(si->signer)))
                abort();
        if (si->n_pkcs7 == 0 && si->signer[0])
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        bool table_only = data[0] & 1;
        /* a copy of exactly the input, so ASan sees any read past it */
        Blob b = { .data = malloc(size - 1 ? size - 1 : 1), .size = size - 1 };
        if (!b.data)
                return 0;
        memcpy(b.data, data + 1, size - 1);

        SignatureInfo si;
        if (table_only) {
                si = (SignatureInfo) { .table = true };
                signature_walk(b.data, 0, b.size, &si);
                check(&si, b.size);
        } else {
                signature_info(&b, &si);
                if (!si.table && (si.malformed || si.n_pkcs7 || si.signer[0]))
                        abort();
                check(&si, b.size);
        }
        blob_free(&b);
        return 0;
}
