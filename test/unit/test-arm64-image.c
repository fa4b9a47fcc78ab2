/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The arm64 "run in place" rule (arm64-image.h) on synthetic headers and, given as argv[1],
 * Debian's arm64 Image. */
#include "arm64-image.h"
#include "tests.h"

#define MiB (UINT64_C(1) << 20)

static const char *image_path;

static void put64(uint8_t *p, uint64_t v) {
        for (unsigned i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void make(uint8_t h[64], uint64_t text_offset, uint64_t image_size) {
        memset(h, 0, 64);
        h[0] = 'M';
        h[1] = 'Z';
        put64(h + 0x08, text_offset);
        put64(h + 0x10, image_size);
        put64(h + 0x18, 0xa);
        memcpy(h + 0x38, "ARM\x64", 4);
}

static void test_parse(void) {
        uint8_t h[64];
        Arm64ImageHeader a;
        make(h, 0, 0x2010000);
        ASSERT_TRUE(arm64_image_parse(h, sizeof(h), &a));
        ASSERT_EQ(a.text_offset, 0);
        ASSERT_EQ(a.image_size, 0x2010000);
        ASSERT_EQ(a.flags, 0xa);
        ASSERT_TRUE(!arm64_image_parse(h, 63, &a));
        ASSERT_TRUE(!arm64_image_parse(NULL, 64, &a));
        h[0x3b] = 0x65;
        ASSERT_TRUE(!arm64_image_parse(h, sizeof(h), &a));
}

static void test_rule(void) {
        uint8_t h[64];
        uint64_t size = 0x2010000, alloc = 34 * MiB;
        make(h, 0, size);
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), 0x7e400000, alloc), ARM64_FIXED_OK);
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), 0x40000000, size), ARM64_FIXED_OK);
        /* 64 KiB would satisfy a KASLR kernel but not "nokaslr" (MIN_KIMG_ALIGN): refused */
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), 0x7e410000, alloc), ARM64_MISALIGNED);
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), 0x7e400000 + MiB, alloc), ARM64_MISALIGNED);
        /* BSS must lie in our one allocation (check_image_region) */
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), 0x7e400000, size - 4096), ARM64_BSS_OUTSIDE);
        /* _end < 2^48 - 1 */
        uint64_t top = (UINT64_C(1) << 48) - 2 * MiB;
        make(h, 0, 2 * MiB - 2);        /* _end = 2^48 - 2 */
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), top, 2 * MiB), ARM64_FIXED_OK);
        make(h, 0, 2 * MiB - 1);        /* _end = 2^48 - 1 */
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), top, 2 * MiB), ARM64_ABOVE_LIMIT);
        make(h, 0, 2 * MiB);
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), top, 2 * MiB), ARM64_ABOVE_LIMIT);
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), UINT64_C(1) << 48, 2 * MiB), ARM64_ABOVE_LIMIT);
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), UINT64_MAX & ~(2 * MiB - 1), 2 * MiB), ARM64_ABOVE_LIMIT);
        /* old headers */
        make(h, 0x80000, size);
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), 0x7e400000, alloc), ARM64_TEXT_OFFSET);
        make(h, 0, 0);
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), 0x7e400000, alloc), ARM64_NO_IMAGE_SIZE);
        h[0x38] = 0;
        ASSERT_EQ(arm64_fixed_placement(h, sizeof(h), 0x7e400000, alloc), ARM64_NOT_AN_IMAGE);
        ASSERT_TRUE(strcmp(arm64_fixed_strerror(ARM64_MISALIGNED), "unknown") != 0);
}

/* Debian's Image: the header agrees with its PE SizeOfImage (_end - _text both) and the rule
 * accepts it at a 2 MiB aligned base with an allocation of exactly image_size. */
static void test_debian_image(void) {
        uint8_t buf[4096];
        FILE *f = fopen(image_path, "rb");
        ASSERT_TRUE(f != NULL);
        size_t n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        ASSERT_EQ(n, sizeof(buf));
        Arm64ImageHeader a;
        ASSERT_TRUE(arm64_image_parse(buf, n, &a));
        ASSERT_EQ(a.text_offset, 0);
        uint32_t pe = (uint32_t) buf[0x3c] | (uint32_t) buf[0x3d] << 8 | (uint32_t) buf[0x3e] << 16 |
                      (uint32_t) buf[0x3f] << 24;
        ASSERT_TRUE(pe + 24 + 60 <= n);
        const uint8_t *opt = buf + pe + 24;
        uint32_t size_of_image = (uint32_t) opt[56] | (uint32_t) opt[57] << 8 | (uint32_t) opt[58] << 16 |
                                 (uint32_t) opt[59] << 24;
        ASSERT_EQ(a.image_size, size_of_image);
        ASSERT_EQ(arm64_fixed_placement(buf, n, 0x40000000, a.image_size), ARM64_FIXED_OK);
}

/* image_size against the Image as given (what our loaders refuse, as ukify-zboot does). */
static void test_image_size(void) {
        uint8_t h[64], text[64] = "no Image header here";
        uint64_t got = 0;
        make(h, 0, 0x2000);
        ASSERT_TRUE(arm64_image_size_ok(h, sizeof(h), &got));
        ASSERT_TRUE(arm64_image_size_ok(h, 0x2000, NULL));               /* the padded zboot payload */
        ASSERT_TRUE(!arm64_image_size_ok(h, 0x2001, &got));              /* smaller than the Image */
        ASSERT_EQ(got, 0x2000);
        make(h, 0, 0);
        ASSERT_TRUE(!arm64_image_size_ok(h, sizeof(h), NULL));           /* pre-3.17: unknown */
        make(h, 0, ARM64_IMAGE_SIZE_MAX + 1);
        ASSERT_TRUE(!arm64_image_size_ok(h, sizeof(h), &got));           /* absurd */
        ASSERT_EQ(got, ARM64_IMAGE_SIZE_MAX + 1);
        ASSERT_TRUE(arm64_image_size_ok(text, sizeof(text), NULL));      /* not an Image: not ours to judge */
}

int main(int argc, char **argv) {
        if (argc < 2) {
                fprintf(stderr, "usage: %s ARM64-IMAGE\n", argv[0]);
                return 1;
        }
        image_path = argv[1];
        TEST(test_parse);
        TEST(test_rule);
        TEST(test_debian_image);
        TEST(test_image_size);
        return TESTS_END();
}
