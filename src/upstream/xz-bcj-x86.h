/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liblzma's x86 BCJ filter over one buffer (xz-bcj-x86.c): positions are start_offset + the
 * index in buf; returns the bytes processed (all but at most the last 4, which no filter
 * changes). Encode and decode are exact inverses over the same buffer and start_offset. */
#pragma once

#include <stddef.h>
#include <stdint.h>

size_t zb_bcj_x86_decode(uint32_t start_offset, uint8_t *buf, size_t size);
size_t zb_bcj_x86_encode(uint32_t start_offset, uint8_t *buf, size_t size);
