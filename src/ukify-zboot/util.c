/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int error(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("ukify-zboot: error: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return 1;
}

void info(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("ukify-zboot: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

void blob_free(Blob *b) {
        free(b->data);
        b->data = NULL;
        b->size = 0;
}

bool read_file(const char *path, Blob *ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0)
                return error("%s: %s", path, strerror(errno)), false;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return error("%s: not a regular file", path), false;
        _cleanup_blob_ Blob b = { malloc(st.st_size ? (size_t) st.st_size : 1), (size_t) st.st_size };
        if (!b.data)
                return error("%s: out of memory", path), false;
        size_t done = 0;
        while (done < b.size) {
                ssize_t n = read(fd, b.data + done, b.size - done);
                if (n <= 0)
                        return error("%s: read failed: %s", path, n < 0 ? strerror(errno) : "file shrank"), false;
                done += (size_t) n;
        }
        *ret = blob_take(&b);
        return true;
}

bool read_text_or_file(const char *arg, Blob *ret) {
        if (arg[0] == '@')
                return read_file(arg + 1, ret);
        size_t n = strlen(arg);
        ret->data = malloc(n + 1);
        if (!ret->data)
                return false;
        memcpy(ret->data, arg, n + 1);
        ret->size = n;
        return true;
}

/* Write all of data to fd, make it 0644, sync and close it; fd is closed on every path. */
static bool write_close(int fd, const char *path, const void *data, size_t size) {
        _cleanup_close_ int f = fd;
        const uint8_t *p = data;
        size_t done = 0;
        while (done < size) {
                ssize_t w = write(f, p + done, size - done);
                if (w <= 0)
                        return error("%s: write failed: %s", path, w < 0 ? strerror(errno) : "no progress"), false;
                done += (size_t) w;
        }
        if (fchmod(f, 0644) < 0 || fsync(f) < 0)
                return error("%s: %s", path, strerror(errno)), false;
        int r = close(f);
        f = -1;
        if (r < 0)
                return error("%s: %s", path, strerror(errno)), false;
        return true;
}

bool write_file_atomic(const char *path, const void *data, size_t size) {
        size_t n = strlen(path);
        _cleanup_free_ char *tmp = malloc(n + 16);
        if (!tmp)
                return false;
        snprintf(tmp, n + 16, "%s.XXXXXX", path);
        int fd = mkstemp(tmp);
        if (fd < 0)
                return error("%s: cannot create a temporary file next to it: %s", path, strerror(errno)), false;
        if (!write_close(fd, path, data, size)) {
                unlink(tmp);
                return false;
        }
        if (rename(tmp, path) < 0) {
                error("%s: %s", path, strerror(errno));
                unlink(tmp);
                return false;
        }
        return true;
}

/* True only when this process runs the build tree's own binary: the kernel's name for our
 * executable (/proc/self/exe, symlinks resolved) is exactly the path meson built it at (also
 * symlink-free, resolved at configure time). An installed binary never is, so it can never be
 * made to take stubs from a build directory someone else recreated; whoever can change the
 * build tree's stubs can change that binary too. */
static bool running_from_build_tree(void) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return false;
        self[n] = '\0';
        return strcmp(self, BUILD_TREE_EXE) == 0;
}

const char *stub_dir(void) {
        const char *e = getenv("UKIFY_ZBOOT_STUB_DIR");
        if (e && *e)
                return e;
        return running_from_build_tree() ? STUB_DIR_BUILD : STUB_DIR_INSTALL;
}

bool read_stub(const char *path, bool defaulted, Blob *ret) {
        if (read_file(path, ret))
                return true;
        if (defaulted)
                info("the stub comes from %s (%s); set UKIFY_ZBOOT_STUB_DIR or pass --stub PATH",
                     stub_dir(), getenv("UKIFY_ZBOOT_STUB_DIR") && *getenv("UKIFY_ZBOOT_STUB_DIR") ?
                     "$UKIFY_ZBOOT_STUB_DIR" : running_from_build_tree() ? "the build tree" : "the installed stubs");
        return false;
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), 0 if there is none; s[0] >= 0x80. */
static size_t utf8_sequence(const uint8_t *s, size_t n) {
        uint8_t lo = 0x80, hi = 0xbf;
        size_t len;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                len = 2;
        else if (s[0] >= 0xe0 && s[0] <= 0xef) {
                len = 3;
                if (s[0] == 0xe0)
                        lo = 0xa0;              /* overlong */
                else if (s[0] == 0xed)
                        hi = 0x9f;              /* surrogates */
        } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
                len = 4;
                if (s[0] == 0xf0)
                        lo = 0x90;              /* overlong */
                else if (s[0] == 0xf4)
                        hi = 0x8f;              /* past U+10FFFF */
        } else
                return 0;
        if (n < len || s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < len; i++)
                if (s[i] < 0x80 || s[i] > 0xbf)
                        return 0;
        return len;
}

void json_print_string(const void *p, size_t n) {
        const uint8_t *s = p;
        putchar('"');
        for (size_t i = 0; i < n; i++) {
                size_t l;
                if (s[i] == '"' || s[i] == '\\')
                        printf("\\%c", s[i]);
                else if (s[i] == '\n')
                        printf("\\n");
                else if (s[i] < 0x20 || s[i] == 0x7f)
                        printf("\\u%04x", s[i]);
                else if (s[i] < 0x80)
                        putchar(s[i]);
                else if ((l = utf8_sequence(s + i, n - i)) > 0) {
                        fwrite(s + i, 1, l, stdout);
                        i += l - 1;
                } else
                        printf("\\u%04x", s[i]);
        }
        putchar('"');
}
