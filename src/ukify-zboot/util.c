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
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0) {
                error("%s: %s", path, strerror(errno));
                return false;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                error("%s: not a regular file", path);
                close(fd);
                return false;
        }
        Blob b = { malloc(st.st_size ? (size_t) st.st_size : 1), (size_t) st.st_size };
        if (!b.data) {
                error("%s: out of memory", path);
                close(fd);
                return false;
        }
        size_t done = 0;
        while (done < b.size) {
                ssize_t n = read(fd, b.data + done, b.size - done);
                if (n <= 0) {
                        error("%s: read failed: %s", path, n < 0 ? strerror(errno) : "file shrank");
                        close(fd);
                        blob_free(&b);
                        return false;
                }
                done += (size_t) n;
        }
        close(fd);
        *ret = b;
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

bool write_file_atomic(const char *path, const void *data, size_t size) {
        size_t n = strlen(path);
        char *tmp = malloc(n + 16);
        if (!tmp)
                return false;
        snprintf(tmp, n + 16, "%s.XXXXXX", path);
        int fd = mkstemp(tmp);
        if (fd < 0) {
                error("%s: cannot create a temporary file next to it: %s", path, strerror(errno));
                free(tmp);
                return false;
        }
        const uint8_t *p = data;
        size_t done = 0;
        while (done < size) {
                ssize_t w = write(fd, p + done, size - done);
                if (w <= 0) {
                        error("%s: write failed: %s", path, w < 0 ? strerror(errno) : "no progress");
                        goto fail;
                }
                done += (size_t) w;
        }
        if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
                error("%s: %s", path, strerror(errno));
                goto fail;
        }
        if (close(fd) < 0) {
                fd = -1;
                error("%s: %s", path, strerror(errno));
                goto fail;
        }
        fd = -1;
        if (rename(tmp, path) < 0) {
                error("%s: %s", path, strerror(errno));
                goto fail;
        }
        free(tmp);
        return true;
fail:
        if (fd >= 0)
                close(fd);
        unlink(tmp);
        free(tmp);
        return false;
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
