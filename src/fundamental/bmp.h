/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Windows BMP images as systemd-stub 257 accepts them in a UKI's .splash, converted to the
 * pixel layout of EFI_GRAPHICS_OUTPUT_BLT_PIXEL (blue, green, red, reserved). The rules
 * (docs/stub.md "`.splash`"): "BM", the file header's size equal to the data's length, the
 * pixel data offset inside it; a BITMAPINFOHEADER (40 bytes) or a later header; bit depth 1, 4,
 * 8 or 24 uncompressed, 16 or 32 uncompressed or BI_BITFIELDS (channel masks from a header of
 * 52 bytes or more, an alpha mask from one of 56 or more, else 5-5-5 resp. 8-8-8); a colour
 * table between the headers and the pixels of exactly `colors_used` (else 2^depth for depths up
 * to 8) entries, and for depths up to 8 at least 2^depth entries; rows bottom-up (a negative,
 * top-down height is refused), 4-byte aligned, at most 64 MiB of them. Ours also refuses an
 * empty image and one of more than BMP_MAX_PIXELS pixels (the BLT buffer's bound).
 * Pure code: every function takes (pointer, length) and checks every offset.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BMP_MAX_PIXELS (16u * 1024u * 1024u)

/* The layout of EFI_GRAPHICS_OUTPUT_BLT_PIXEL. */
typedef struct {
        uint8_t blue, green, red, reserved;
} BmpPixel;

typedef struct {
        uint32_t width, height;
        uint16_t depth;
        uint32_t pixels;          /* offset of the first (bottom) row */
        uint32_t row_size;        /* bytes per row, 4-aligned */
        uint32_t palette;         /* offset of the colour table (right after the headers) */
        uint32_t masks[4];        /* red, green, blue, alpha (0: none) for depth 16 and 32 */
} BmpInfo;

/* true and *ret when data[0..len) is a BMP systemd-stub 257 would draw. */
bool bmp_parse(const void *data, size_t len, BmpInfo *ret);

/* Draw the image into out (width × height pixels, top row first), which holds what is
 * underneath: depth 16/32 pixels are blended onto it with their alpha (no alpha mask: opaque,
 * c·255/256 as 257 computes it), the other depths replace it. info from bmp_parse of the same
 * data. false (out untouched) when out_count is not width × height. */
bool bmp_to_blt(const void *data, size_t len, const BmpInfo *info, BmpPixel *out, size_t out_count);
