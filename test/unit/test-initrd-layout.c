/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The combined initrd's layout (initrd-layout.c): offsets, 4-byte padding, overflow. */
#include <stdint.h>

#include "initrd-layout.h"
#include "tests.h"

static void test_offsets(void) {
        /* sizes 1, 4, 0, 7, 8 -> offsets 0, 4, 8, 8, 16; total 24 */
        static const size_t sizes[] = { 1, 4, 0, 7, 8 }, want[] = { 0, 4, 8, 8, 16 };
        size_t total = 0, off;
        for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
                ASSERT_TRUE(initrd_layout_add(&total, sizes[i], &off));
                ASSERT_EQ(off, want[i]);
                ASSERT_EQ(total % INITRD_ALIGN, 0u);
        }
        ASSERT_EQ(total, 24u);
        ASSERT_TRUE(initrd_layout_add(&total, 3, NULL));
        ASSERT_EQ(total, 28u);
}

static void test_overflow(void) {
        /* a size whose padding overflows, and a total that cannot grow: refused, unchanged */
        size_t total = 0, off = 77;
        ASSERT_TRUE(!initrd_layout_add(&total, SIZE_MAX, &off));
        ASSERT_EQ(total, 0u);
        ASSERT_EQ(off, 77u);
        ASSERT_TRUE(initrd_layout_add(&total, SIZE_MAX - 3, &off));   /* 4-aligned: no padding */
        ASSERT_EQ(total, SIZE_MAX - 3);
        ASSERT_TRUE(!initrd_layout_add(&total, 4, &off));
        ASSERT_EQ(total, SIZE_MAX - 3);
        ASSERT_TRUE(initrd_layout_add(&total, 0, &off));
        ASSERT_EQ(off, SIZE_MAX - 3);
}

int main(void) {
        TEST(test_offsets);
        TEST(test_overflow);
        return TESTS_END();
}
