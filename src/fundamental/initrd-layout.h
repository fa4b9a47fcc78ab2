/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where each part of a combined initrd goes (src/boot/zboot/initrd-list.c): the parts are
 * concatenated, each padded with zeros to INITRD_ALIGN bytes, as systemd-stub 257 joins its
 * initrds (cpio archives must start 4-byte aligned for the kernel's unpacker). Pure arithmetic
 * with every overflow checked.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define INITRD_ALIGN 4u

/* Append a part of size bytes to a layout whose padded length is *total: *ret_offset (may be
 * NULL) gets where the part starts (the old *total), *total grows by size rounded up to
 * INITRD_ALIGN. False, with nothing changed, if that does not fit in a size_t. */
bool initrd_layout_add(size_t *total, size_t size, size_t *ret_offset);
