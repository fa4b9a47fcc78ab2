/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The CLI's cleanup vocabulary, named as the EFI side's (src/boot/zboot/util.h: _cleanup_(f),
 * ELEMENTSOF, take_pages()): a variable declared with _cleanup_xxx_ is released when it goes
 * out of scope, on every return path; a result handed to the caller is taken out of it first
 * (TAKE_PTR(), blob_take()). No goto, no cleanup tail, no macro that jumps. */
#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)
/* The descriptor, leaving -1 behind. */
#define TAKE_FD(fd) ({ int _fd_ = (fd); (fd) = -1; _fd_; })

/* func##p(): the cleanup function for a library's own pointer type, freeing it with func
 * unless NULL, e.g. DEFINE_CLEANUP_FUNC(X509 *, X509_free) gives _cleanup_(X509_freep)
 * (crypto-cleanup.h has libcrypto's). */
#define DEFINE_CLEANUP_FUNC(type, func)                 \
        static inline void func##p(type *p) {           \
                if (*p)                                 \
                        func(*p);                       \
        }

/* A temporary file's name (malloc'd): the file is removed and the name freed at scope exit. A
 * file that was renamed into place has its name taken out first (free(TAKE_PTR(name))). */
static inline void unlink_freep(char **p) {
        if (*p) {
                unlink(*p);
                free(*p);
        }
}
#define _cleanup_unlink_free_ _cleanup_(unlink_freep)

/* The pointer's value, leaving NULL behind (so its cleanup does nothing). */
#define TAKE_PTR(p) ({ __typeof__(p) _taken_ = (p); (p) = NULL; _taken_; })

typedef struct {
        uint8_t *data;
        size_t size;
} Blob;

/* Print "ukify-zboot: error: ..." to stderr; returns 1 (the exit status). */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void blob_free(Blob *b);
/* s (n bytes) as a JSON string on stdout (inspect --json): '"' and '\\' escaped, control
 * characters and DEL as \u00XX, well-formed UTF-8 as it is, any other byte as \u00XX (read as
 * Latin-1), so the output is valid JSON in UTF-8 whatever the bytes. */
void json_print_string(const void *s, size_t n);
#define _cleanup_blob_ _cleanup_(blob_free)
/* The blob, leaving an empty one behind (as take_pages() on the EFI side). */
static inline Blob blob_take(Blob *b) {
        Blob r = *b;
        *b = (Blob) {};
        return r;
}

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
