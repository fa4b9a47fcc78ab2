/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Flattened device trees (devicetree specification, "DTB format"), read-only, as much as the
 * UKI stub needs to pick and install a .dtb/.dtbauto: the header checked against the buffer,
 * and the root node's "compatible" list. Big-endian fields; every offset checked against
 * (pointer, length). docs/stub.md "Device trees".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_TOTALSIZE_OFFSET 4u  /* header field: be32 size of the whole blob */
#define FDT_HEADER_MIN 40u   /* version 17 header; sd-stub refuses blobs under 7 words */

/* The blob's total size when (p, len) holds a device tree whose header is sane: magic,
 * totalsize <= len, the structure and strings blocks and the memory reservation map inside
 * totalsize, the structure block 4-byte aligned, a version we can read (>= 16, last
 * compatible <= 17). 0 otherwise. */
size_t fdt_check(const void *p, size_t len);

/* The first string of the root node's "compatible" property (the device model, which
 * systemd-stub matches .dtbauto sections by): its start and length without the NUL, or NULL
 * when the blob is not valid (fdt_check), the root has no such property, or its value is not
 * a NUL-terminated string list. */
const char *fdt_first_compatible(const void *p, size_t len, size_t *ret_len);

/* Does the first compatible of one blob equal the first compatible of the other? */
bool fdt_same_model(const void *a, size_t a_len, const void *b, size_t b_len);
