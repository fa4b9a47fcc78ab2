/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bmp.h"
#include "unaligned.h"

#define FILE_HEADER 14u        /* "BM", size, 2 reserved words, pixel data offset */
#define INFO_HEADER 40u        /* BITMAPINFOHEADER */
#define MASKS_RGB_END 52u      /* red, green, blue masks follow the 40-byte header */
#define MASKS_RGBA_END 56u     /* then the alpha mask */
#define MAX_PIXEL_BYTES (64u * 1024u * 1024u)

bool bmp_parse(const void *data, size_t len, BmpInfo *ret) {
        const uint8_t *d = data;
        if (!d || !ret || len < FILE_HEADER + INFO_HEADER || d[0] != 'B' || d[1] != 'M')
                return false;
        uint32_t size = get_le32(d + 2), offset = get_le32(d + 10);
        if (size != len || offset > size)
                return false;
        uint32_t dib = get_le32(d + FILE_HEADER);
        if (dib < INFO_HEADER || dib > len - FILE_HEADER)
                return false;
        const uint8_t *h = d + FILE_HEADER;
        uint32_t width = get_le32(h + 4), height = get_le32(h + 8);
        uint16_t depth = get_le16(h + 14);
        uint32_t compression = get_le32(h + 16), colors_used = get_le32(h + 32);
        switch (depth) {
        case 1: case 4: case 8: case 24:
                if (compression != 0)
                        return false;
                break;
        case 16: case 32:
                if (compression != 0 && compression != 3)   /* BI_RGB, BI_BITFIELDS */
                        return false;
                break;
        default:
                return false;
        }
        /* a top-down image has a negative height: as an unsigned number it fails the size rule */
        if (width == 0 || height == 0 || (uint64_t) width * height > BMP_MAX_PIXELS)
                return false;
        uint64_t row = ((uint64_t) depth * width + 31) / 32 * 4;
        uint64_t rows = row * height;
        if (rows > MAX_PIXEL_BYTES || rows > (uint64_t) (size - offset))
                return false;
        uint32_t table = FILE_HEADER + dib;
        if (offset < table)
                return false;
        uint32_t table_size = offset - table;
        if (table_size > 0) {
                uint64_t count = colors_used ? colors_used : depth <= 8 ? 1u << depth : 0;
                if (table_size != count * 4)
                        return false;
        }
        if (depth <= 8 && table_size < (4u << depth))
                return false;

        BmpInfo info = {
                .width = width, .height = height, .depth = depth, .pixels = offset,
                .row_size = (uint32_t) row, .palette = table,
        };
        if (depth == 16 || depth == 32) {
                if (dib >= MASKS_RGB_END) {
                        for (unsigned i = 0; i < 3; i++)
                                info.masks[i] = get_le32(h + INFO_HEADER + 4 * i);
                        if (dib >= MASKS_RGBA_END)
                                info.masks[3] = get_le32(h + MASKS_RGB_END);
                } else if (depth == 16) {
                        info.masks[0] = 0x7c00, info.masks[1] = 0x03e0, info.masks[2] = 0x001f;
                } else {
                        info.masks[0] = 0xff0000, info.masks[1] = 0x00ff00, info.masks[2] = 0x0000ff;
                }
        }
        *ret = info;
        return true;
}

/* A channel of a 16/32-bit pixel: the masked bits shifted down, times 255 / (2^bits − 1) in
 * integers (a 5-bit channel: ×8), kept to 8 bits. A zero mask gives 0. */
static uint8_t channel(uint32_t v, uint32_t mask) {
        if (mask == 0)
                return 0;
        unsigned shift = 0, bits = 0;
        while (!(mask >> shift & 1))
                shift++;
        for (uint32_t m = mask; m; m &= m - 1)   /* no popcount call in freestanding code */
                bits++;
        uint32_t scale = bits >= 8 ? 1 : 0xffu / ((1u << bits) - 1);
        return (uint8_t) (((v & mask) >> shift) * scale);
}

static uint8_t blend(uint8_t under, uint8_t c, uint32_t a) {
        return (uint8_t) ((under * (0xffu - a) + c * a) >> 8);
}

bool bmp_to_blt(const void *data, size_t len, const BmpInfo *info, BmpPixel *out, size_t out_count) {
        const uint8_t *d = data;
        if (!d || !info || !out || (uint64_t) info->width * info->height != out_count)
                return false;
        switch (info->depth) {
        case 1: case 4: case 8: case 16: case 24: case 32: break;
        default: return false;
        }
        /* re-check what this function reads against len: info may come from other data */
        uint64_t rows_end = (uint64_t) info->pixels + (uint64_t) info->row_size * info->height;
        uint64_t need_row = ((uint64_t) info->depth * info->width + 7) / 8;
        if (rows_end > len || need_row > info->row_size)
                return false;
        if (info->depth <= 8 && (uint64_t) info->palette + (4u << info->depth) > len)
                return false;
        const uint8_t *pal = d + info->palette;

        for (uint32_t y = 0; y < info->height; y++) {
                const uint8_t *in = d + info->pixels + (size_t) y * info->row_size;
                BmpPixel *o = out + (size_t) (info->height - 1 - y) * info->width;
                for (uint32_t x = 0; x < info->width; x++, o++) {
                        unsigned idx;
                        switch (info->depth) {
                        case 1:
                                idx = (in[x / 8] >> (7 - x % 8)) & 1;
                                break;
                        case 4:
                                idx = x % 2 ? in[x / 2] & 0xf : in[x / 2] >> 4;
                                break;
                        case 8:
                                idx = in[x];
                                break;
                        case 24:
                                o->blue = in[3 * x], o->green = in[3 * x + 1], o->red = in[3 * x + 2];
                                continue;
                        case 16:
                        case 32: {
                                uint32_t v = info->depth == 16 ? get_le16(in + 2 * x) : get_le32(in + 4 * x);
                                uint32_t a = info->masks[3] ? channel(v, info->masks[3]) : 0xffu;
                                o->red = blend(o->red, channel(v, info->masks[0]), a);
                                o->green = blend(o->green, channel(v, info->masks[1]), a);
                                o->blue = blend(o->blue, channel(v, info->masks[2]), a);
                                continue;
                        }
                        default:
                                return false;
                        }
                        o->blue = pal[4 * idx], o->green = pal[4 * idx + 1], o->red = pal[4 * idx + 2];
                }
        }
        return true;
}
