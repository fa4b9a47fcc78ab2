/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
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

/* Temporary files next to an output (output_temp_name()) are also removed when SIGINT, SIGTERM
 * or SIGHUP ends the process (then the signal takes its default course): temp_forget() takes
 * a name off that list, before it is renamed into place or removed. */
void temp_forget(const char *path);
/* The child writing a temporary file (sbsign), killed before the files are removed; 0: none. */
void temp_writer_set(pid_t pid);

/* A temporary file's name (malloc'd): the file is removed and the name freed at scope exit. A
 * file that was renamed into place has its name taken out first (free(TAKE_PTR(name))). */
static inline void unlink_freep(char **p) {
        if (*p) {
                unlink(*p);
                temp_forget(*p);
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
/* Text from an image for the terminal: printable ASCII, newlines, tabs and UTF-8 as they are;
 * control characters (an escape sequence would act on the terminal), C1 controls and bytes
 * that are no UTF-8 as \xHH. */
void text_print(const void *s, size_t n);
void text_fprint(FILE *f, const void *s, size_t n);
/* The length of the well-formed UTF-8 sequence at s (2..4 bytes, n available), 0 if there is none. */
size_t utf8_sequence(const uint8_t *s, size_t n);
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
struct option;
/* getopt_long() takes any unambiguous prefix of a long option (--conf for --config), but the
 * --config pre-scan (config.c) knows only full names: such a run would parse the option and
 * never read its file. So every verb refuses an abbreviated or unknown long option first
 * (message, then exit status 2 from the verb). A separate value that is one of the verb's long
 * options is refused too (the user forgot the value; "--cmdline=--measure" passes it).
 * shortopts/opts: what the verb gives getopt_long (other values of options that take one are
 * skipped, whatever they look like). */
bool options_given_in_full(int argc, char **argv, const char *shortopts, const struct option *opts);

/* Where an output goes (output_target()). A regular file, or a path that does not exist yet: a
 * temporary file next to it (output_temp_name()) is renamed over it once complete
 * (output_commit(): the mode of the file it replaces, else 0666 & ~umask as for any new file;
 * synced, the directory entry too), so on any failure nothing is left behind and an existing
 * file is untouched. A symbolic link is followed: its target is what gets replaced. Anything
 * else that exists (a character device such as /dev/null, a FIFO, /dev/stdout) is written
 * directly, as ukify does (output_write_direct()); never replaced. A directory, an empty name
 * or a symbolic link to nothing is an error. */
typedef struct {
        char *path;     /* where the result goes: symbolic links resolved for a regular file */
        mode_t mode;
        bool direct;    /* not a regular file: written in place */
} OutputTarget;
bool output_target(const char *path, OutputTarget *ret);
void output_target_free(OutputTarget *t);
/* An empty temporary file next to t->path, 0600 (malloc'd name; the caller unlinks it). */
char *output_temp_name(const OutputTarget *t);
bool output_commit(const OutputTarget *t, const char *tmp);
bool output_write_direct(const OutputTarget *t, const void *data, size_t size);
/* All of data to fd (retrying short writes and EINTR); false with an error naming path. */
bool write_all(int fd, const char *path, const void *data, size_t size);
/* All of the above for data in memory (OutputTarget's rules). */
bool write_file_atomic(const char *path, const void *data, size_t size);

/* Directory of our EFI stubs: $UKIFY_ZBOOT_STUB_DIR if set; else the build tree, but only when
 * this is the build tree's own binary (/proc/self/exe); else the install dir. */
const char *stub_dir(void);
/* read_file() for a stub; when its path was the default, say where stubs come from. */
bool read_stub(const char *path, bool defaulted, Blob *ret);
