/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A writer of "newc" cpio archives (magic 070701, the format the kernel unpacks from an
 * initrd: Documentation/driver-api/early-userspace/buffer-format.rst) for the initrds the UKI
 * stub makes in memory (credentials, system/configuration extensions, .pcrsig, ...), laid out
 * the way systemd-stub 257 lays them out so the same files give the same bytes (and so the same
 * PCR measurements): inodes counted from 1, uid/gid/mtime/devices 0, nlink 1, every header and
 * every file's data padded to 4 bytes, a TRAILER!!! entry at the end.
 *
 * Pure: the caller gives the buffer. With a NULL buffer the writer only counts, so the same
 * calls run twice: once to learn the size, once to write. Every size is checked; a name or
 * file the format cannot hold (a size of 4 GiB or more) makes the writer fail, and a failed
 * writer writes nothing more.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPIO_S_IFDIR 0040000u
#define CPIO_S_IFREG 0100000u

typedef struct {
        uint8_t *buf;     /* NULL: count only */
        size_t cap;       /* bytes at buf */
        size_t len;       /* bytes written (or counted) so far */
        uint32_t inode;   /* the next inode number, from 1 */
        bool failed;      /* a size overflowed, the buffer was too small or a name was bad */
} CpioWriter;

void cpio_writer_init(CpioWriter *w, void *buf, size_t cap);

/* The directory `path` ("a/b/c", relative, no leading or trailing '/', no empty component)
 * and every leading directory of it, like mkdir -p: the leading ones with mode 0555, the last
 * with `mode` (permission bits only). */
void cpio_add_dirs(CpioWriter *w, const char *path, uint32_t mode);

/* The regular file "dir/name" (dir as for cpio_add_dirs, name of name_len bytes, no '/' and
 * no NUL) with `mode` (permission bits) and size bytes of data. */
void cpio_add_file(CpioWriter *w, const char *dir, const char *name, size_t name_len, const void *data, size_t size,
                   uint32_t mode);

/* The TRAILER!!! entry that ends an archive. */
void cpio_add_trailer(CpioWriter *w);

/* True if nothing failed; *ret_size = the archive's size so far. */
bool cpio_writer_done(const CpioWriter *w, size_t *ret_size);
