/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
        uint8_t *data;
        size_t size;
} Blob;

/* Print "ukify-zboot: error: ..." to stderr; returns 1 (the exit status). */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void blob_free(Blob *b);
#define _cleanup_blob_ __attribute__((cleanup(blob_free)))

/* Read a whole file; on failure prints the reason and returns false. */
bool read_file(const char *path, Blob *ret);
/* "TEXT" or "@FILE" (ukify's convention). */
bool read_text_or_file(const char *arg, Blob *ret);
/* Write through a temporary file in the same directory, then rename: on any failure nothing
 * is left behind and an existing file of that name is untouched. */
bool write_file_atomic(const char *path, const void *data, size_t size);

/* Directory of our EFI stubs: $UKIFY_ZBOOT_STUB_DIR if set; else the build tree, but only when
 * this is the build tree's own binary (/proc/self/exe); else the install dir. */
const char *stub_dir(void);
/* read_file() for a stub; when its path was the default, say where stubs come from. */
bool read_stub(const char *path, bool defaulted, Blob *ret);
