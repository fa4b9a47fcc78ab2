/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Linux EFI zboot header (drivers/firmware/efi/libstub/zboot-header.S): it lives inside
 * the DOS header of the PE image, so that a non-EFI loader can find and unpack the payload
 * without understanding PE. All fields little-endian.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ZBOOT_MAGIC_IMAGE_TYPE  "zimg"
#define ZBOOT_LINUX_PE_MAGIC    0x818223cdu
#define ZBOOT_COMP_TYPE_MAX     32u  /* bytes from 0x18 up to 0x38, NUL-terminated */

/* Integers are little-endian byte arrays: read them with get_le32() (unaligned.h), never as host
 * integers. Every field's offset is checked below. */
typedef struct {
        uint8_t mz_magic[4];            /* 0x00: "MZ" + 2 bytes */
        char    image_type[4];          /* 0x04: "zimg" */
        uint8_t payload_offset[4];      /* 0x08: file offset of the compressed payload */
        uint8_t payload_size[4];        /* 0x0c: gzip: the whole member; others: the stream without the appended size */
        uint8_t reserved[8];            /* 0x10: zero */
        char    comp_type[ZBOOT_COMP_TYPE_MAX]; /* 0x18: "gzip", "zstd", ... NUL-terminated */
        uint8_t linux_pe_magic[4];      /* 0x38: ZBOOT_LINUX_PE_MAGIC (zero in Linux 6.1's images) */
        uint8_t pe_header_offset[4];    /* 0x3c: e_lfanew */
} ZbootHeader;

_Static_assert(sizeof(ZbootHeader) == 0x40, "zboot header size");
_Static_assert(offsetof(ZbootHeader, image_type) == 0x04, "zboot image_type");
_Static_assert(offsetof(ZbootHeader, payload_offset) == 0x08, "zboot payload_offset");
_Static_assert(offsetof(ZbootHeader, payload_size) == 0x0c, "zboot payload_size");
_Static_assert(offsetof(ZbootHeader, reserved) == 0x10, "zboot reserved");
_Static_assert(offsetof(ZbootHeader, comp_type) == 0x18, "zboot comp_type");
_Static_assert(offsetof(ZbootHeader, linux_pe_magic) == 0x38, "zboot linux_pe_magic");
_Static_assert(offsetof(ZbootHeader, pe_header_offset) == 0x3c, "zboot pe_header_offset (e_lfanew)");
