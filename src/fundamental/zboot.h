/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading and writing the Linux EFI zboot header (layout in zboot-format.h, conventions in
 * docs/format.md). Pure: (pointer, length) in, every offset checked, distinct errors.
 *
 * Size rule, per compression type, as the kernel build writes it (Makefile.zboot, and
 * docs/format.md §1): the header's payload_size is `.gzdata` size − zboot-size-len, where
 *   gzip:       zboot-size-len-$(CONFIG_KERNEL_GZIP) := 0 — payload_size is the whole gzip
 *               member, its 8-byte trailer (CRC32, ISIZE) included; the decompressed size is
 *               the member's ISIZE, the last 4 bytes *inside* the payload;
 *   all others: zboot-size-len-y := 4 — payload_size is the compressed stream alone; the build
 *               appends the 4-byte LE decompressed size right *after* it.
 * In both cases the stream to decode is exactly payload_size bytes and the decompressed size is
 * the le32 ending at payload_offset + payload_size + size_len. zboot_size_len() is the one
 * place that knows the rule; every reader and the writer go through the helpers below.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zboot-format.h"

/* Makefile.zboot's zboot-size-len: bytes of size trailer after the payload_size bytes. */
#define ZBOOT_SIZE_LEN_GZIP      0u  /* gzip: ISIZE is the member's own last field */
#define ZBOOT_SIZE_LEN_APPENDED  4u  /* every other type: le32 appended after the stream */
#define ZBOOT_SIZE_FIELD         4u  /* the decompressed size is a le32 */
/* Smallest gzip member: 10-byte header, 8-byte trailer (RFC 1952). */
#define ZBOOT_GZIP_MIN_MEMBER    18u

/* Compression labels the kernel writes at 0x18 (Makefile.zboot comp-type-y). Kernels up to 6.12
 * wrote "zstd22", later ones "zstd"; we write "zstd" and read both. */
#define ZBOOT_COMP_GZIP   "gzip"
#define ZBOOT_COMP_ZSTD   "zstd"
#define ZBOOT_COMP_ZSTD22 "zstd22"
#define ZBOOT_COMP_LZ4    "lz4"
#define ZBOOT_COMP_XZ     "xzkern"
#define ZBOOT_COMP_LZMA   "lzma"
#define ZBOOT_COMP_LZO    "lzo"

typedef enum {
        ZBOOT_OK = 0,
        ZBOOT_TOO_SHORT = -1,           /* fewer than 64 bytes */
        ZBOOT_BAD_MZ = -2,              /* no "MZ" at 0 */
        ZBOOT_NOT_ZIMG = -3,            /* no "zimg" at 4: a PE, but not a zboot image */
        ZBOOT_BAD_PAYLOAD_RANGE = -4,   /* payload (+ appended size, if any) not inside the buffer */
        ZBOOT_EMPTY_PAYLOAD = -5,       /* payload_size 0 */
        ZBOOT_BAD_COMP_TYPE = -6,       /* empty, not NUL-terminated in 32 bytes, or not printable */
        ZBOOT_BAD_PE_MAGIC = -7,        /* LINUX_PE_MAGIC missing at 0x38 */
        ZBOOT_BAD_PE_OFFSET = -8,       /* e_lfanew inside the zboot header or past the buffer */
        ZBOOT_RESERVED_NOT_ZERO = -9,   /* bytes 0x10..0x17 not zero */
        ZBOOT_PAYLOAD_OVERLAPS_HEADER = -10, /* payload starts inside the first 64 bytes */
        ZBOOT_BUFFER_TOO_SMALL = -11,   /* writer: output buffer too small */
        ZBOOT_BAD_ARGUMENT = -12,       /* writer: comp type too long, sizes out of range */
        ZBOOT_GZIP_TOO_SHORT = -13,     /* gzip payload_size below the smallest gzip member */
        ZBOOT_GZIP_OLD_RULE = -14,      /* gzip member continues 4 bytes past payload_size */
        ZBOOT_SELF_BLANK = -15,         /* self map: not filled in by `ukify-zboot zboot` */
        ZBOOT_SELF_BAD = -16,           /* self map: sections outside the image or not holding the payload */
        ZBOOT_SELF_NOT_FOUND = -17,     /* writer: no (or more than one) blank self map in the stub */
        ZBOOT_SELF_MISMATCH = -18,      /* the zboot header in memory differs from the self map's copy */
} ZbootResult;

typedef struct {
        uint32_t payload_offset;
        uint32_t payload_size;          /* the stream to decode (gzip: with its trailer; others: without the appended size) */
        char comp_type[ZBOOT_COMP_TYPE_MAX];
        uint32_t pe_header_offset;
} ZbootInfo;

/* Is this buffer plausibly a zboot image ("MZ" and "zimg")? No further checks. */
bool zboot_has_magic(const void *buf, size_t len);

/* Parse and check the header of a zboot image held in (buf, len) in file layout. */
ZbootResult zboot_parse_header(const void *buf, size_t len, ZbootInfo *ret);

/* Makefile.zboot's zboot-size-len for a label: ZBOOT_SIZE_LEN_GZIP for "gzip",
 * ZBOOT_SIZE_LEN_APPENDED for every other (also unknown) label. */
uint32_t zboot_size_len(const char *comp_type);

/* Bytes of compressed stream to hand the decoder, starting at payload_offset: payload_size. */
size_t zboot_stream_length(const ZbootInfo *z);

/* Bytes the image must hold from payload_offset: payload_size + size_len. */
uint64_t zboot_payload_extent(const ZbootInfo *z);

/* The decompressed size (gzip: ISIZE inside the payload; others: the appended le32).
 * payload = buf + payload_offset; avail = bytes available from there (≥ zboot_payload_extent). */
ZbootResult zboot_decompressed_size(const ZbootInfo *z, const void *payload, size_t avail, uint64_t *ret);

/* An image made by the old rule (gzip payload_size without ISIZE) has its member continue 4
 * bytes past payload_size. For a gzip payload with 4 bytes available after it, give the stream
 * length (payload_size + 4) and decompressed size (the le32 there) that rule would mean;
 * ZBOOT_BAD_ARGUMENT when it does not apply (not gzip, no bytes after it, size 0). Only a
 * decode can confirm it: zboot_gzip_old_rule() in zboot-decode.h. */
ZbootResult zboot_old_gzip_layout(const ZbootInfo *z, const void *payload, size_t avail, size_t *ret_stream_len,
                                  uint64_t *ret_size);

/* Write the zboot fields into the first 64 bytes of buf (an existing PE image whose DOS header
 * they replace; e_lfanew is kept as given). */
ZbootResult zboot_write_header(void *buf, size_t len, const ZbootInfo *z);

/* The self map. A loader that copies an image's sections but not its headers (sd-stub >= 258
 * loads a UKI's .linux that way) leaves the zboot header and the section table behind, so the
 * self-decompressor cannot find its payload through them. zboot<arch>.efi.stub therefore carries
 * this record, blank, in its read-only data, and `ukify-zboot zboot` fills it in; at run time
 * it is at a link-time-known address. All numbers little-endian. docs/format.md §2. */
#define ZBOOT_SELF_MAGIC      "ZBSELF01"
#define ZBOOT_SELF_BLANK_SIZE 0xffffffffu /* file_size of a blank map (marks it for the writer) */
typedef struct __attribute__((packed)) {
        char    magic[8];                       /* ZBOOT_SELF_MAGIC */
        uint8_t header[sizeof(ZbootHeader)];    /* copy of the image's first 64 bytes */
        uint8_t file_size[4];                   /* the image file's size; ZBOOT_SELF_BLANK_SIZE when blank */
        uint8_t zdata_offset[4];                /* the payload's section: file offset of its raw data, */
        uint8_t zdata_rva[4];                   /*   its RVA, */
        uint8_t zdata_size[4];                  /*   bytes of raw data mapped there */
        uint8_t zbx86_rva[4];                   /* the .zbx86 section (native x86), or zero */
        uint8_t zbx86_size[4];
} ZbootSelfMap;

typedef struct {
        ZbootInfo z;
        uint64_t payload_rva;   /* where payload_offset lands in memory */
        uint64_t payload_avail; /* bytes of its section from there (>= zboot_payload_extent) */
        uint64_t zbx86_rva, zbx86_size;
} ZbootSelf;

/* Check a self map against the size of the image in memory (SizeOfImage) and give where the
 * payload (and .zbx86) are. */
ZbootResult zboot_self_parse(const ZbootSelfMap *m, uint64_t image_size, ZbootSelf *ret);

/* When a loader left our headers in memory (firmware LoadImage, sd-stub < 258: "MZ" at the
 * image base), the zboot header there must be the self map's copy, byte for byte: otherwise a
 * tampered image would show tools and loaders that read the header one payload and boot another
 * through the map. No headers in memory (sd-stub >= 258 zeroes them) is fine. base/size: the
 * image in memory (ImageBase, ImageSize). ZBOOT_OK or ZBOOT_SELF_MISMATCH. */
ZbootResult zboot_self_check_base(const ZbootSelfMap *m, const void *base, size_t size);

/* Fill in the one blank self map inside (image, len), a finished zboot image in file layout
 * whose header is written: zdata_* describe the section holding the payload, zbx86_* the
 * .zbx86 section (or 0). The result is checked with zboot_self_parse(image_size). */
ZbootResult zboot_self_fill(uint8_t *image, size_t len, uint64_t image_size, uint32_t zdata_offset,
                            uint32_t zdata_rva, uint32_t zdata_size, uint32_t zbx86_rva, uint32_t zbx86_size);

const char *zboot_strerror(ZbootResult r);
