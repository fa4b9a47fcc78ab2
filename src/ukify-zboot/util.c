/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Is a (a word of the command line) one of opts' long options, "--NAME" or "--NAME=..."? The
 * length of NAME goes to *ret_n when ret_n is not NULL. */
static const struct option *long_option_named(const char *a, const struct option *opts, size_t *ret_n) {
        if (strncmp(a, "--", 2) != 0)
                return NULL;
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t) (eq - a - 2) : strlen(a + 2);
        if (ret_n)
                *ret_n = n;
        for (const struct option *o = opts; o->name; o++)
                if (strlen(o->name) == n && strncmp(o->name, a + 2, n) == 0)
                        return o;
        return NULL;
}

/* The separate value of option name (argv[i]) when it is another of the verb's options (a long
 * one, or a short one: "-c", "-oFILE"): getopt would take it as the value ("--cmdline --measure":
 * a command line "--measure" and nothing measured), where the user forgot the value, and ukify's
 * argparse refuses it. Other words starting with "-" ("-- foo") stay values. */
static bool value_not_an_option(int argc, char **argv, int i, const char *name, const char *shortopts,
                                const struct option *opts) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v && (long_option_named(v, opts, NULL) || (v[0] == '-' && v[1] && v[1] != '-' && strchr(shortopts, v[1]))))
                return error("option '%s' needs a value, and '%s' is an option (write %s%s%s for that value)", name,
                             v, name, name[1] == '-' ? "=" : "", v), false;
        return true;
}

bool options_given_in_full(int argc, char **argv, const char *shortopts, const struct option *opts) {
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--") == 0)
                        break;
                if (strncmp(a, "--", 2) == 0) {
                        size_t n;
                        const struct option *o = long_option_named(a, opts, &n);
                        if (!o) {
                                const struct option *p = opts;
                                while (p->name && (n == 0 || strncmp(p->name, a + 2, n) != 0))
                                        p++;
                                if (p->name)
                                        return error("option '%.*s' is short for '--%s'? long options must be given "
                                                     "in full", (int) (n + 2), a, p->name), false;
                                return error("unknown option '%.*s'", (int) (n + 2), a), false;
                        }
                        if (o->has_arg == required_argument && !strchr(a, '=')) {
                                if (!value_not_an_option(argc, argv, i, a, shortopts, opts))
                                        return false;
                                i++;   /* its value */
                        }
                } else if (a[0] == '-' && a[1]) {
                        for (size_t j = 1; a[j]; j++) {   /* a cluster of short options */
                                const char *s = strchr(shortopts, a[j]);
                                if (s && s[1] == ':') {
                                        if (!a[j + 1]) {   /* its value is the next word */
                                                char name[3] = { '-', a[j], 0 };
                                                if (!value_not_an_option(argc, argv, i, name, shortopts, opts))
                                                        return false;
                                                i++;
                                        }
                                        break;
                                }
                        }
                }
        }
        return true;
}

bool read_file(const char *path, Blob *ret) {
        if (!*path)
                return error("empty file name"), false;
        /* O_NONBLOCK: a FIFO must not block the open before fstat() refuses it */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        struct stat st;
        if (fd < 0)
                return error("%s: %s", path, strerror(errno)), false;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return error("%s: not a regular file", path), false;
        /* Read to the end: st_size is only a first guess (procfs and sysfs files say 0 or a
         * page, and a file may change while we read it). */
        size_t cap = st.st_size > 0 ? (size_t) st.st_size + 1 : 4096;
        _cleanup_blob_ Blob b = { malloc(cap), 0 };
        if (!b.data)
                return error("%s: out of memory", path), false;
        for (;;) {
                if (b.size == cap) {
                        if (cap > SIZE_MAX / 2)
                                return error("%s: too large", path), false;
                        uint8_t *n = realloc(b.data, cap * 2);
                        if (!n)
                                return error("%s: out of memory", path), false;
                        b.data = n;
                        cap *= 2;
                }
                ssize_t n = read(fd, b.data + b.size, cap - b.size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error("%s: read failed: %s", path, strerror(errno)), false;
                if (n == 0)
                        break;
                b.size += (size_t) n;
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
                return error("out of memory"), false;
        memcpy(ret->data, arg, n + 1);
        ret->size = n;
        return true;
}

bool write_all(int fd, const char *path, const void *data, size_t size) {
        const uint8_t *p = data;
        size_t done = 0;
        while (done < size) {
                ssize_t w = write(fd, p + done, size - done);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return error("%s: write failed: %s", path, w < 0 ? strerror(errno) : "no progress"), false;
                done += (size_t) w;
        }
        return true;
}

/* /dev/stdout, /dev/fd/N, /proc/self/fd/N (/proc/PID/fd/N): a file this or another process has
 * open (stdout redirected to a file), written in place like a device; replacing it would leave
 * that process writing to a file no longer in the directory. */
static bool names_open_file(const char *path) {
        if (strncmp(path, "/dev/std", 8) == 0 || strncmp(path, "/dev/fd/", 8) == 0)
                return true;
        if (strncmp(path, "/proc/", 6) != 0)
                return false;
        const char *slash = strchr(path + 6, '/');   /* after "self" or the pid */
        return slash && strncmp(slash, "/fd/", 4) == 0;
}

bool output_target(const char *path, OutputTarget *ret) {
        struct stat st;
        *ret = (OutputTarget) {};
        if (!*path)
                return error("empty output file name"), false;
        if (stat(path, &st) < 0) {
                if (errno != ENOENT)
                        return error("%s: %s", path, strerror(errno)), false;
                if (lstat(path, &st) == 0)
                        return error("%s: a symbolic link to nothing: give the path it should name", path), false;
                mode_t mask = umask(0);
                umask(mask);
                ret->path = strdup(path);
                ret->mode = 0666 & ~mask;
        } else if (S_ISDIR(st.st_mode))
                return error("%s: is a directory", path), false;
        else if (S_ISREG(st.st_mode) && !names_open_file(path)) {
                ret->path = realpath(path, NULL);   /* through symbolic links: their target is replaced */
                ret->mode = st.st_mode & 07777;
        } else {
                ret->path = strdup(path);
                ret->direct = true;
        }
        if (!ret->path)
                return error("%s: %s", path, strerror(errno)), false;
        return true;
}

/* The temporary files that exist now; the handler reads the list, so a name goes in before its
 * file is created and out only after it is renamed or removed. A child that writes one of
 * them (sbsign) is killed first, or it would create it again. */
static char *temps[8];
static volatile pid_t temp_writer;

void temp_writer_set(pid_t pid) {
        temp_writer = pid;
}

static void temps_remove_and_die(int sig) {
        pid_t w = temp_writer;
        if (w > 0) {   /* kill(), waitpid() and unlink() are async-signal-safe */
                kill(w, SIGKILL);
                waitpid(w, NULL, 0);
        }
        for (size_t i = 0; i < sizeof(temps) / sizeof(*temps); i++)
                if (temps[i])
                        unlink(temps[i]);
        signal(sig, SIG_DFL);
        raise(sig);
}

static bool temp_remember(char *path) {
        static bool handlers;
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        if (!handlers) {
                struct sigaction sa = { .sa_handler = temps_remove_and_die }, old;
                sigemptyset(&sa.sa_mask);
                for (size_t s = 0; s < 3; s++)
                        sigaddset(&sa.sa_mask, sigs[s]);
                /* a signal the caller ignores (nohup, a background job) stays ignored */
                for (size_t s = 0; s < 3; s++)
                        if (sigaction(sigs[s], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
                                sigaction(sigs[s], &sa, NULL);
                handlers = true;
        }
        for (size_t i = 0; i < sizeof(temps) / sizeof(*temps); i++)
                if (!temps[i]) {
                        temps[i] = path;
                        return true;
                }
        return false;
}

void temp_forget(const char *path) {
        for (size_t i = 0; i < sizeof(temps) / sizeof(*temps); i++)
                if (temps[i] == path)
                        temps[i] = NULL;
}

char *output_temp_name(const OutputTarget *t) {
        size_t n = strlen(t->path) + 16;
        char *tmp = malloc(n);
        if (!tmp)
                return error("out of memory"), NULL;
        snprintf(tmp, n, "%s.XXXXXX", t->path);
        if (!temp_remember(tmp)) {
                free(tmp);
                return error("%s: too many temporary files", t->path), NULL;
        }
        int fd = mkstemp(tmp);
        if (fd < 0) {
                error("%s: cannot create a temporary file next to it: %s", t->path, strerror(errno));
                temp_forget(tmp);
                free(tmp);
                return NULL;
        }
        close(fd);
        return tmp;
}

/* The directory path's output goes into, opened before the rename so that a directory we may
 * write to but not open fails before anything is replaced. */
static int open_parent(const char *path) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = slash ? strndup(path, slash == path ? 1 : (size_t) (slash - path)) : strdup(".");
        if (!dir)
                return error("out of memory"), -1;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                error("%s: %s", dir, strerror(errno));
        return fd;
}

bool output_commit(const OutputTarget *t, const char *tmp) {
        _cleanup_close_ int fd = open(tmp, O_RDWR | O_CLOEXEC);
        if (fd < 0 || fchmod(fd, t->mode) < 0 || fsync(fd) < 0)
                return error("%s: %s", tmp, strerror(errno)), false;
        if (close(TAKE_FD(fd)) < 0)
                return error("%s: %s", tmp, strerror(errno)), false;
        _cleanup_close_ int dfd = open_parent(t->path);
        if (dfd < 0 || rename(tmp, t->path) < 0) {
                if (dfd >= 0)
                        error("%s: %s", t->path, strerror(errno));
                unlink(tmp);
                temp_forget(tmp);
                return false;
        }
        temp_forget(tmp);   /* it is the output now: a late signal unlinks a name that is gone */
        /* The rename is done: the output is complete and in place, so a directory that cannot
         * be synced (some file systems refuse, EINVAL) is a warning, not a failure. */
        if (fsync(dfd) < 0 && errno != EINVAL && errno != ENOTSUP)
                info("warning: %s is written, but its directory could not be synced: %s", t->path, strerror(errno));
        return true;
}

bool output_write_direct(const OutputTarget *t, const void *data, size_t size) {
        _cleanup_close_ int fd = open(t->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
                return error("%s: %s", t->path, strerror(errno)), false;
        if (!write_all(fd, t->path, data, size))
                return false;
        if (close(TAKE_FD(fd)) < 0)
                return error("%s: %s", t->path, strerror(errno)), false;
        return true;
}

void output_target_free(OutputTarget *t) {
        free(t->path);
        *t = (OutputTarget) {};
}

bool write_file_atomic(const char *path, const void *data, size_t size) {
        _cleanup_(output_target_free) OutputTarget t = {};
        if (!output_target(path, &t))
                return false;
        if (t.direct)
                return output_write_direct(&t, data, size);
        _cleanup_unlink_free_ char *tmp = output_temp_name(&t);
        if (!tmp)
                return false;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return error("%s: %s", tmp, strerror(errno)), false;
        if (!write_all(fd, path, data, size))
                return false;
        if (close(TAKE_FD(fd)) < 0)
                return error("%s: %s", tmp, strerror(errno)), false;
        if (!output_commit(&t, tmp))
                return false;
        free(TAKE_PTR(tmp));   /* it is the output now */
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
size_t utf8_sequence(const uint8_t *s, size_t n) {
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

void text_fprint(FILE *f, const void *p, size_t n) {
        const uint8_t *s = p;
        for (size_t i = 0; i < n; i++) {
                size_t l;
                if (s[i] == '\n' || s[i] == '\t' || (s[i] >= 0x20 && s[i] < 0x7f))
                        fputc(s[i], f);
                else if (s[i] >= 0x80 && (l = utf8_sequence(s + i, n - i)) > 0 && !(s[i] == 0xc2 && s[i + 1] < 0xa0)) {
                        fwrite(s + i, 1, l, f);   /* UTF-8, but not the C1 controls U+0080..U+009F */
                        i += l - 1;
                } else
                        fprintf(f, "\\x%02x", s[i]);
        }
}

void text_print(const void *p, size_t n) {
        text_fprint(stdout, p, n);
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
