/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "bmp.h"
#include "tests.h"

static void put32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v, p[1] = (uint8_t) (v >> 8), p[2] = (uint8_t) (v >> 16), p[3] = (uint8_t) (v >> 24);
}

/* A BMP written here: file header, a DIB header of dib bytes (masks at 40.. if given), n_pal
 * palette entries, rows (each row_bytes, 4-aligned) from pix. Returns its length. */
static size_t make(uint8_t *b, uint32_t dib, uint32_t w, uint32_t h, uint16_t depth, uint32_t comp,
                   const uint32_t masks[4], uint32_t n_pal, const uint8_t *pal, const uint8_t *pix, uint32_t row) {
        memset(b, 0, 14 + dib);
        b[0] = 'B', b[1] = 'M';
        uint32_t off = 14 + dib + 4 * n_pal, len = off + row * h;
        put32(b + 2, len);
        put32(b + 10, off);
        put32(b + 14, dib);
        put32(b + 18, w);
        put32(b + 22, h);
        b[26] = 1;
        b[28] = (uint8_t) depth;
        put32(b + 30, comp);
        if (masks)
                for (unsigned i = 0; i < 4 && 40 + 4 * i + 4 <= dib; i++)
                        put32(b + 14 + 40 + 4 * i, masks[i]);
        if (n_pal)
                memcpy(b + 14 + dib, pal, 4 * n_pal);
        memcpy(b + off, pix, (size_t) row * h);
        return len;
}

static uint8_t buf[65536];

static void px(const BmpPixel *p, uint8_t r, uint8_t g, uint8_t b, int line) {
        if (p->red != r || p->green != g || p->blue != b) {
                fprintf(stderr, "line %d: pixel %02x%02x%02x, want %02x%02x%02x\n", line, p->red, p->green, p->blue, r, g, b);
                tests_failed_++;
        }
}
#define PX(p, r, g, b) px(p, r, g, b, __LINE__)

static void test_24bit_bottom_up(void) {
        /* 2×2: bottom row red, green; top row blue, white; rows padded to 8 bytes */
        const uint8_t pix[] = { 0, 0, 0xff, 0, 0xff, 0, 0, 0, 0xff, 0, 0, 0xff, 0xff, 0xff, 0, 0 };
        size_t n = make(buf, 40, 2, 2, 24, 0, NULL, 0, NULL, pix, 8);
        BmpInfo i;
        ASSERT_TRUE(bmp_parse(buf, n, &i));
        ASSERT_EQ(i.width, 2);
        ASSERT_EQ(i.height, 2);
        ASSERT_EQ(i.row_size, 8);
        BmpPixel out[4] = {};
        ASSERT_TRUE(bmp_to_blt(buf, n, &i, out, 4));
        PX(&out[0], 0, 0, 0xff);     /* top-left: blue (the file's second row) */
        PX(&out[1], 0xff, 0xff, 0xff);
        PX(&out[2], 0xff, 0, 0);     /* bottom-left: red (the file's first row) */
        PX(&out[3], 0, 0xff, 0);
        ASSERT_TRUE(!bmp_to_blt(buf, n, &i, out, 3));
}

static void test_palette_depths(void) {
        uint8_t pal[256 * 4];
        for (unsigned k = 0; k < 256; k++)
                pal[4 * k] = (uint8_t) k, pal[4 * k + 1] = (uint8_t) (k + 1), pal[4 * k + 2] = (uint8_t) (k + 2), pal[4 * k + 3] = 0;
        BmpInfo i;
        BmpPixel out[9];
        /* 1 bit, 9 pixels wide: bits 1 0 1 0 0 0 0 1 | 1 */
        const uint8_t p1[] = { 0xa1, 0x80, 0, 0 };
        size_t n = make(buf, 40, 9, 1, 1, 0, NULL, 2, pal, p1, 4);
        ASSERT_TRUE(bmp_parse(buf, n, &i));
        ASSERT_TRUE(bmp_to_blt(buf, n, &i, out, 9));
        PX(&out[0], 3, 2, 1);
        PX(&out[1], 2, 1, 0);
        PX(&out[7], 3, 2, 1);
        PX(&out[8], 3, 2, 1);
        /* 4 bit, 3 pixels: 0x5, 0xa, 0xf */
        const uint8_t p4[] = { 0x5a, 0xf0, 0, 0 };
        n = make(buf, 40, 3, 1, 4, 0, NULL, 16, pal, p4, 4);
        ASSERT_TRUE(bmp_parse(buf, n, &i));
        ASSERT_TRUE(bmp_to_blt(buf, n, &i, out, 3));
        PX(&out[0], 7, 6, 5);
        PX(&out[1], 12, 11, 10);
        PX(&out[2], 17, 16, 15);
        /* 8 bit */
        const uint8_t p8[] = { 200, 0, 0, 0 };
        n = make(buf, 40, 2, 1, 8, 0, NULL, 256, pal, p8, 4);
        ASSERT_TRUE(bmp_parse(buf, n, &i));
        ASSERT_TRUE(bmp_to_blt(buf, n, &i, out, 2));
        PX(&out[0], 202, 201, 200);
        PX(&out[1], 2, 1, 0);
        /* a colour table smaller than 2^depth: refused (colors_used 2 of 256) */
        n = make(buf, 40, 2, 1, 8, 0, NULL, 2, pal, p8, 4);
        put32(buf + 14 + 32, 2);
        ASSERT_TRUE(!bmp_parse(buf, n, &i));
        /* a table that is not colors_used entries long: refused */
        n = make(buf, 40, 2, 1, 8, 0, NULL, 256, pal, p8, 4);
        put32(buf + 14 + 32, 255);
        ASSERT_TRUE(!bmp_parse(buf, n, &i));
        /* no table at all for a paletted depth: refused */
        n = make(buf, 40, 2, 1, 8, 0, NULL, 0, pal, p8, 4);
        ASSERT_TRUE(!bmp_parse(buf, n, &i));
}

static void test_16_32bit(void) {
        BmpInfo i;
        BmpPixel out[2];
        /* 16 bit BI_RGB, 5-5-5: pure red 0x7c00, white 0x7fff: channels ×8 then ×255/256 */
        const uint8_t p16[] = { 0x00, 0x7c, 0xff, 0x7f };
        size_t n = make(buf, 40, 2, 1, 16, 0, NULL, 0, NULL, p16, 4);
        ASSERT_TRUE(bmp_parse(buf, n, &i));
        memset(out, 0, sizeof(out));
        ASSERT_TRUE(bmp_to_blt(buf, n, &i, out, 2));
        PX(&out[0], 247, 0, 0);     /* 31·8 = 248, ·255 >> 8 = 247 */
        PX(&out[1], 247, 247, 247);
        /* 32 bit BI_BITFIELDS with an alpha mask in a 56-byte header: half-transparent green over grey */
        const uint32_t m[4] = { 0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000 };
        const uint8_t p32[] = { 0x00, 0xff, 0x00, 0x80, 0x10, 0x20, 0x30, 0xff };
        n = make(buf, 56, 2, 1, 32, 3, m, 0, NULL, p32, 8);
        ASSERT_TRUE(bmp_parse(buf, n, &i));
        ASSERT_EQ(i.masks[3], 0xff000000u);
        for (unsigned k = 0; k < 2; k++)
                out[k] = (BmpPixel) { .red = 0x40, .green = 0x40, .blue = 0x40 };
        ASSERT_TRUE(bmp_to_blt(buf, n, &i, out, 2));
        PX(&out[0], (0x40 * 0x7f) >> 8, (0x40 * 0x7f + 0xff * 0x80) >> 8, (0x40 * 0x7f) >> 8);
        PX(&out[1], (0x40 * 0 + 0x30 * 0xff) >> 8, (0x20 * 0xff) >> 8, (0x10 * 0xff) >> 8);
        /* a 40-byte header with BI_BITFIELDS: the default 8-8-8 masks, opaque */
        n = make(buf, 40, 2, 1, 32, 3, NULL, 0, NULL, p32, 8);
        ASSERT_TRUE(bmp_parse(buf, n, &i));
        ASSERT_EQ(i.masks[0], 0xff0000u);
        ASSERT_EQ(i.masks[3], 0);
        /* compression 1 (RLE8) on 8 bit, 2 on 4 bit, 3 on 24 bit: refused */
        n = make(buf, 40, 2, 1, 24, 3, NULL, 0, NULL, p32, 8);
        ASSERT_TRUE(!bmp_parse(buf, n, &i));
        n = make(buf, 40, 2, 1, 32, 4, NULL, 0, NULL, p32, 8);
        ASSERT_TRUE(!bmp_parse(buf, n, &i));
}

static void test_refusals(void) {
        const uint8_t pix[16] = {};
        BmpInfo i;
        size_t n = make(buf, 40, 2, 2, 24, 0, NULL, 0, NULL, pix, 8);
        ASSERT_TRUE(bmp_parse(buf, n, &i));
        /* every shorter prefix (the size field no longer matches) and one byte more */
        for (size_t k = 0; k < n; k++)
                ASSERT_TRUE(!bmp_parse(buf, k, &i));
        buf[n] = 0;
        ASSERT_TRUE(!bmp_parse(buf, n + 1, &i));
        uint8_t save[64];
        memcpy(save, buf, 64);
#define BAD(off, v) do { memcpy(buf, save, 64); put32(buf + (off), (v)); ASSERT_TRUE(!bmp_parse(buf, n, &i)); } while (0)
        BAD(0, 0x4d42 ^ 0x2000);         /* not "BM" */
        BAD(10, (uint32_t) n + 1);       /* pixels past the end */
        BAD(10, 14 + 39);                /* pixels inside the header */
        BAD(14, 39);                     /* DIB header too small */
        BAD(14, (uint32_t) n);           /* DIB header past the end */
        BAD(18, 0);                      /* width 0 */
        BAD(22, 0);                      /* height 0 */
        BAD(22, (uint32_t) -2);          /* top-down */
        BAD(22, 3);                      /* more rows than the data holds */
        BAD(18, 0x10000000);             /* over BMP_MAX_PIXELS */
        memcpy(buf, save, 64);
        buf[28] = 2;                     /* depth 2 */
        ASSERT_TRUE(!bmp_parse(buf, n, &i));
        memcpy(buf, save, 64);
        ASSERT_TRUE(bmp_parse(buf, n, &i));
        ASSERT_TRUE(!bmp_parse(NULL, n, &i));
        /* bmp_to_blt re-checks info against the data it is given */
        BmpPixel out[4];
        ASSERT_TRUE(!bmp_to_blt(buf, n - 1, &i, out, 4));
        BmpInfo bad = i;
        bad.row_size = 4;                /* shorter than 2 pixels of 3 bytes */
        ASSERT_TRUE(!bmp_to_blt(buf, n, &bad, out, 4));
        bad = i;
        bad.depth = 7;
        ASSERT_TRUE(!bmp_to_blt(buf, n, &bad, out, 4));
}

int main(void) {
        TEST(test_24bit_bottom_up);
        TEST(test_palette_depths);
        TEST(test_16_32bit);
        TEST(test_refusals);
        return TESTS_END();
}
