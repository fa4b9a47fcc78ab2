/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lzop file format, as Linux's Makefile.zboot writes lzo payloads (`lzop -9`, then the
 * 4-byte size) and lib/decompress_unlzo.c reads them. Read by decompress-lzo.c; the layout
 * is in docs/format.md "lzo payloads". Only built into binaries configured with
 * -Dlzo=enabled (the checksums and LZO1X blocks come from liblzo2, GPL-2.0-or-later).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define LZOP_MAGIC "\x89LZO\0\r\n\x1a\n"
#define LZOP_MAGIC_LEN 9

/* header flags (the ones we look at) */
#define LZOP_F_ADLER32_D   0x00000001u   /* adler32 of each block's uncompressed data */
#define LZOP_F_ADLER32_C   0x00000002u   /* adler32 of each block's compressed data (compressed blocks only) */
#define LZOP_F_H_EXTRA     0x00000040u   /* an extra header field (never written by lzop) */
#define LZOP_F_CRC32_D     0x00000100u
#define LZOP_F_CRC32_C     0x00000200u
#define LZOP_F_H_FILTER    0x00000800u   /* a preprocessing filter (not read by the kernel) */
#define LZOP_F_H_CRC32     0x00001000u   /* header checksum is crc32, not adler32 */
/* bits defined by lzop: flags 0x3fff, character set 0x00f00000, operating system 0xff000000 */
#define LZOP_F_DEFINED     0xfff03fffu

#define LZOP_VERSION_LEVEL 0x0940u       /* from this version on: version-needed, level, mtime_high */
#define LZOP_BLOCK_MAX     (256u * 1024)  /* the largest block lzop writes and the kernel and lzop read */

/* methods: all LZO1X, decoded by lzo1x_decompress_safe */
#define LZOP_M_LZO1X_1     1
#define LZOP_M_LZO1X_1_15  2
#define LZOP_M_LZO1X_999   3

typedef struct {
        uint16_t version, lib_version, version_needed;
        uint8_t method, level;
        uint32_t flags, mode, mtime_low, mtime_high;
        uint8_t name_len;
        uint32_t header_checksum;
        size_t header_len;              /* magic .. header checksum: where the first block starts */
} LzopHeader;

typedef enum {
        LZOP_OK = 0,
        LZOP_TRUNCATED,
        LZOP_BAD_MAGIC,
        LZOP_BAD_VERSION,
        LZOP_BAD_METHOD,
        LZOP_BAD_FLAGS,                 /* reserved bits, a filter or an extra field */
        LZOP_HEADER_CHECKSUM,
        LZOP_UNSUPPORTED,               /* this build has no liblzo2 (-Dlzo=enabled) */
} LzopResult;

/* Parse and check (incl. its checksum) the header at the start of (p, n). */
LzopResult lzop_parse_header(const void *p, size_t n, LzopHeader *ret);
const char *lzop_strerror(LzopResult r);
