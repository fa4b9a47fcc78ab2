/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slots.h"
#include "tests.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static void test_count_simple(void) {
        /* [16 MiB, 32 MiB): 8 MiB image, 2 MiB align -> starts 16,18,...,24 = 5 slots */
        SlotRegion r[] = { { 16 * MiB, 16 * MiB } };
        ASSERT_EQ(slots_count(r, 1, 8 * MiB, 2 * MiB, 0, UINT64_MAX), 5);
        /* exactly fitting */
        ASSERT_EQ(slots_count(r, 1, 16 * MiB, 2 * MiB, 0, UINT64_MAX), 1);
        /* too big */
        ASSERT_EQ(slots_count(r, 1, 16 * MiB + 4096, 2 * MiB, 0, UINT64_MAX), 0);
}

static void test_count_unaligned_region(void) {
        /* region starts 4 KiB past an alignment boundary: first slot rounds up */
        SlotRegion r[] = { { 2 * MiB + 4096, 6 * MiB } };
        /* aligned starts 4 MiB, 6 MiB; end = 8 MiB + 4 KiB; 2 MiB image: 4,6 -> 2 slots */
        ASSERT_EQ(slots_count(r, 1, 2 * MiB, 2 * MiB, 0, UINT64_MAX), 2);
}

static void test_limits(void) {
        SlotRegion r[] = { { 0, 8 * GiB } };
        /* min 16 MiB, max 4 GiB, 64 MiB image, 2 MiB align: starts 16 MiB .. 4 GiB - 64 MiB */
        uint64_t n = slots_count(r, 1, 64 * MiB, 2 * MiB, 16 * MiB, 4 * GiB);
        ASSERT_EQ(n, (4 * GiB - 64 * MiB - 16 * MiB) / (2 * MiB) + 1);
        uint64_t a;
        ASSERT_TRUE(slots_choose(r, 1, 64 * MiB, 2 * MiB, 16 * MiB, 4 * GiB, UINT64_MAX, true, &a));
        ASSERT_EQ(a, 4 * GiB - 64 * MiB);
        ASSERT_TRUE(slots_choose(r, 1, 64 * MiB, 2 * MiB, 16 * MiB, 4 * GiB, 0, true, &a));
        ASSERT_EQ(a, 16 * MiB);
}

static void test_choose_covers_all_regions(void) {
        SlotRegion r[] = { { 64 * MiB, 4 * MiB }, { 16 * MiB, 4 * MiB } }; /* unsorted */
        uint64_t seen_low = 0, seen_high = 0;
        for (unsigned i = 0; i < 256; i++) {
                uint64_t a, seed = (uint64_t) i << 56;
                ASSERT_TRUE(slots_choose(r, 2, 2 * MiB, 2 * MiB, 0, UINT64_MAX, seed, true, &a));
                ASSERT_TRUE(a == 16 * MiB || a == 18 * MiB || a == 64 * MiB || a == 66 * MiB);
                ASSERT_EQ(a % (2 * MiB), 0);
                if (a < 64 * MiB)
                        seen_low++;
                else
                        seen_high++;
        }
        /* 4 slots, 256 evenly spread seeds: each region gets half */
        ASSERT_EQ(seen_low, 128);
        ASSERT_EQ(seen_high, 128);
        uint64_t a;
        ASSERT_TRUE(slots_choose(r, 2, 2 * MiB, 2 * MiB, 0, UINT64_MAX, 12345, false, &a));
        ASSERT_EQ(a, 16 * MiB); /* lowest without randomisation */
}

static void test_degenerate(void) {
        SlotRegion r[] = { { UINT64_MAX - 4095, 4096 }, { 0, 0 } };
        uint64_t a;
        ASSERT_EQ(slots_count(r, 2, 4096, 4096, 0, UINT64_MAX), 0); /* end saturates below the slot */
        ASSERT_TRUE(!slots_choose(r, 2, 4096, 4096, 0, UINT64_MAX, 0, true, &a));
        ASSERT_EQ(slots_count(r, 2, 0, 4096, 0, UINT64_MAX), 0);      /* size 0 */
        ASSERT_EQ(slots_count(r, 2, 4096, 3000, 0, UINT64_MAX), 0);   /* align not a power of two */
        ASSERT_EQ(slots_count(NULL, 0, 4096, 4096, 0, UINT64_MAX), 0);
}

int main(void) {
        TEST(test_count_simple);
        TEST(test_count_unaligned_region);
        TEST(test_limits);
        TEST(test_choose_covers_all_regions);
        TEST(test_degenerate);
        return TESTS_END();
}
