/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading and writing the Linux EFI zboot header (layout in zboot-format.h, conventions in
 * docs/format.md). Pure: (pointer, length) in, every offset checked, distinct errors.
 *
 * Size conventions, the same for every compression type: payload_size counts the compressed
 * data *without* the last 4 bytes, and those 4 bytes (at payload_offset + payload_size) are
 * the little-endian decompressed size. For gzip they are the gzip member's own ISIZE field,
 * so the gzip stream is payload_size + 4 bytes long; for the others the kernel build appends
 * them after the stream (size_append), which is not part of it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zboot-format.h"

typedef enum {
        ZBOOT_OK = 0,
        ZBOOT_TOO_SHORT = -1,           /* fewer than 64 bytes */
        ZBOOT_BAD_MZ = -2,              /* no "MZ" at 0 */
        ZBOOT_NOT_ZIMG = -3,            /* no "zimg" at 4: a PE, but not a zboot image */
        ZBOOT_BAD_PAYLOAD_RANGE = -4,   /* payload (+ 4-byte trailer) not inside the buffer */
        ZBOOT_EMPTY_PAYLOAD = -5,       /* payload_size 0 */
        ZBOOT_BAD_COMP_TYPE = -6,       /* empty, not NUL-terminated in 32 bytes, or not printable */
        ZBOOT_BAD_PE_MAGIC = -7,        /* LINUX_PE_MAGIC missing at 0x38 */
        ZBOOT_BAD_PE_OFFSET = -8,       /* e_lfanew inside the zboot header or past the buffer */
        ZBOOT_RESERVED_NOT_ZERO = -9,   /* bytes 0x10..0x17 not zero */
        ZBOOT_PAYLOAD_OVERLAPS_HEADER = -10, /* payload starts inside the first 64 bytes */
        ZBOOT_BUFFER_TOO_SMALL = -11,   /* writer: output buffer too small */
        ZBOOT_BAD_ARGUMENT = -12,       /* writer: comp type too long, sizes out of range */
} ZbootResult;

typedef struct {
        uint32_t payload_offset;
        uint32_t payload_size;          /* without the 4-byte size trailer */
        char comp_type[ZBOOT_COMP_TYPE_MAX];
        uint32_t pe_header_offset;
} ZbootInfo;

/* Is this buffer plausibly a zboot image ("MZ" and "zimg")? No further checks. */
bool zboot_has_magic(const void *buf, size_t len);

/* Parse and check the header of a zboot image held in (buf, len) in file layout. */
ZbootResult zboot_parse_header(const void *buf, size_t len, ZbootInfo *ret);

/* Bytes of compressed stream to hand the decoder, starting at payload_offset. */
size_t zboot_stream_length(const ZbootInfo *z);

/* The decompressed size from the 4-byte trailer. payload = buf + payload_offset; avail = bytes
 * available from there (at least payload_size + 4). */
ZbootResult zboot_decompressed_size(const ZbootInfo *z, const void *payload, size_t avail, uint64_t *ret);

/* Write the zboot fields into the first 64 bytes of buf (an existing PE image whose DOS header
 * they replace; e_lfanew is kept as given). */
ZbootResult zboot_write_header(void *buf, size_t len, const ZbootInfo *z);

const char *zboot_strerror(ZbootResult r);
