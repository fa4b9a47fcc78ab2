/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cpio.h"

#include <string.h>

#define NEWC_HEADER 110u   /* "070701" and 13 fields of 8 hex digits */

void cpio_writer_init(CpioWriter *w, void *buf, size_t cap) {
        *w = (CpioWriter) { .buf = buf, .cap = buf ? cap : 0, .inode = 1 };
}

static size_t align4(size_t n) {
        return n > SIZE_MAX - 3 ? SIZE_MAX : (n + 3) & ~(size_t) 3;
}

/* Reserve n more bytes; the place to write them, or NULL when counting or failed. */
static uint8_t *reserve(CpioWriter *w, size_t n) {
        if (w->failed)
                return NULL;
        if (n > SIZE_MAX - w->len || (w->buf && w->len + n > w->cap)) {
                w->failed = true;
                return NULL;
        }
        uint8_t *p = w->buf ? w->buf + w->len : NULL;
        w->len += n;
        return p;
}

static void put_hex(uint8_t *p, uint32_t v) {
        static const char hex[] = "0123456789abcdef";
        for (int i = 7; i >= 0; i--, v >>= 4)
                p[i] = (uint8_t) hex[v & 15];
}

/* One entry: header, the name of the parts (joined by '/') with its NUL, padding, data,
 * padding. The name is given as up to two parts so a file needs no joined copy. */
static void add_entry(CpioWriter *w, uint32_t mode, const char *a, size_t a_len, const char *b, size_t b_len,
                      const void *data, size_t size) {
        if (w->failed)
                return;
        size_t name = a_len + (b ? 1 + b_len : 0) + 1;
        if (a_len > UINT32_MAX || b_len > UINT32_MAX || name > UINT32_MAX || size > UINT32_MAX ||
            w->inode == UINT32_MAX) {
                w->failed = true;
                return;
        }
        size_t head = align4(NEWC_HEADER + name), body = align4(size);
        if (head == SIZE_MAX || body == SIZE_MAX || head > SIZE_MAX - body) {
                w->failed = true;
                return;
        }
        /* The padding is relative to the archive's start: our archives start 4-aligned, and
         * every entry keeps len a multiple of 4. */
        uint8_t *p = reserve(w, head + body);
        uint32_t inode = w->inode++;
        if (!p)
                return;
        memset(p, 0, head + body);
        memcpy(p, "070701", 6);
        const uint32_t fields[13] = {
                inode, mode, 0 /* uid */, 0 /* gid */, 1 /* nlink */, 0 /* mtime */, (uint32_t) size,
                0, 0, 0, 0 /* dev and rdev major/minor */, (uint32_t) name, 0 /* check */,
        };
        for (size_t i = 0; i < 13; i++)
                put_hex(p + 6 + 8 * i, fields[i]);
        uint8_t *n = p + NEWC_HEADER;
        memcpy(n, a, a_len);
        if (b) {
                n[a_len] = '/';
                memcpy(n + a_len + 1, b, b_len);
        }
        if (size)
                memcpy(p + head, data, size);
}

static bool path_ok(const char *s, size_t len) {
        if (len == 0 || s[0] == '/' || s[len - 1] == '/')
                return false;
        for (size_t i = 0; i < len; i++)
                if (s[i] == '\0' || (s[i] == '/' && s[i + 1] == '/'))
                        return false;
        return true;
}

void cpio_add_dirs(CpioWriter *w, const char *path, uint32_t mode) {
        size_t len = strlen(path);
        if (!path_ok(path, len)) {
                w->failed = true;
                return;
        }
        for (size_t i = 0; i < len; i++)
                if (path[i] == '/')
                        add_entry(w, CPIO_S_IFDIR | 0555u, path, i, NULL, 0, NULL, 0);
        add_entry(w, CPIO_S_IFDIR | (mode & 07777u), path, len, NULL, 0, NULL, 0);
}

void cpio_add_file(CpioWriter *w, const char *dir, const char *name, size_t name_len, const void *data, size_t size,
                   uint32_t mode) {
        size_t dlen = strlen(dir);
        bool bad = !path_ok(dir, dlen) || name_len == 0 || (size > 0 && !data);
        for (size_t i = 0; !bad && i < name_len; i++)
                bad = name[i] == '/' || name[i] == '\0';
        if (bad) {
                w->failed = true;
                return;
        }
        add_entry(w, CPIO_S_IFREG | (mode & 07777u), dir, dlen, name, name_len, data, size);
}

void cpio_add_trailer(CpioWriter *w) {
        /* The trailer has inode 0, mode 0 and nlink 1, as GNU cpio and systemd-stub write it;
         * it takes no inode number. */
        static const char name[] = "TRAILER!!!";
        uint32_t inode = w->inode;
        size_t at = w->len;
        w->inode = 0;
        add_entry(w, 0, name, sizeof(name) - 1, NULL, 0, NULL, 0);
        w->inode = inode;
        /* systemd-stub 257 spells this one field "0000000B": the same bytes give the same
         * measurement, so we do too (the kernel reads hex digits in either case). */
        if (w->buf && !w->failed)
                w->buf[at + 6 + 8 * 11 + 7] = 'B';
}

bool cpio_writer_done(const CpioWriter *w, size_t *ret_size) {
        if (ret_size)
                *ret_size = w->len;
        return !w->failed;
}
