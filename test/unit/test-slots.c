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

/* ---- EFI memory maps ---- */

typedef struct {
        uint32_t type, pad;
        uint64_t start, virt, pages, attr;
        uint64_t extra;         /* firmware descriptors are 48 bytes in practice (OVMF) */
} Desc;

static void test_map_check(void) {
        Desc m[] = {
                { .type = 7, .start = 0, .pages = 0xa0 },
                { .type = 4, .start = 0x100000, .pages = 0x100 },
                { .type = 7, .start = 0x200000, .pages = 0 },      /* empty: ignored, even if inside another */
                { .type = 7, .start = 0x300000, .pages = 0x100 },
        };
        size_t bad = 99;
        ASSERT_EQ(efi_map_check(m, sizeof(m), sizeof(Desc), &bad), EFI_MAP_OK);
        ASSERT_EQ(efi_map_check(m, 0, sizeof(Desc), NULL), EFI_MAP_OK);   /* empty map */
        /* descriptor size below the structure, or not a multiple of 8 */
        ASSERT_EQ(efi_map_check(m, sizeof(m), 32, NULL), EFI_MAP_DESC_SIZE);
        ASSERT_EQ(efi_map_check(m, sizeof(m), 44, NULL), EFI_MAP_DESC_SIZE);
        ASSERT_EQ(efi_map_check(m, sizeof(m), 0, NULL), EFI_MAP_DESC_SIZE);
        /* a partial descriptor */
        ASSERT_EQ(efi_map_check(m, sizeof(m) - 8, sizeof(Desc), NULL), EFI_MAP_SIZE);
        /* unaligned start */
        m[1].start = 0x100800;
        ASSERT_EQ(efi_map_check(m, sizeof(m), sizeof(Desc), &bad), EFI_MAP_UNALIGNED);
        ASSERT_EQ(bad, 1);
        m[1].start = 0x100000;
        /* start + pages wraps past 2^64; the very last page of the space is fine */
        m[3].start = UINT64_C(0xfffffffffffff000);
        m[3].pages = 1;
        ASSERT_EQ(efi_map_check(m, sizeof(m), sizeof(Desc), NULL), EFI_MAP_OK);
        m[3].pages = 2;
        ASSERT_EQ(efi_map_check(m, sizeof(m), sizeof(Desc), &bad), EFI_MAP_OVERFLOW);
        ASSERT_EQ(bad, 3);
        m[3].pages = UINT64_C(1) << 60;   /* pages * 4096 itself overflows */
        ASSERT_EQ(efi_map_check(m, sizeof(m), sizeof(Desc), NULL), EFI_MAP_OVERFLOW);
        /* overlapping: the 4th entry's first page is the 2nd entry's last */
        m[3].start = 0x1ff000;
        m[3].pages = 0x10;
        ASSERT_EQ(efi_map_check(m, sizeof(m), sizeof(Desc), &bad), EFI_MAP_OVERLAP);
        ASSERT_EQ(bad, 3);
        m[3].start = 0x200000;   /* touching is fine */
        ASSERT_EQ(efi_map_check(m, sizeof(m), sizeof(Desc), NULL), EFI_MAP_OK);
        /* one inside another (unsorted) */
        m[0].start = 0x100000;
        m[0].pages = 1;
        ASSERT_EQ(efi_map_check(m, sizeof(m), sizeof(Desc), &bad), EFI_MAP_OVERLAP);
        ASSERT_EQ(bad, 1);
        /* the slot choice refuses what the check refuses */
        uint64_t a;
        ASSERT_TRUE(!slots_choose_efi(m, sizeof(m), sizeof(Desc), 7, 4096, 4096, 0, UINT64_MAX, 0, false, &a));
        ASSERT_EQ(slots_count_efi(m, sizeof(m), sizeof(Desc), 7, 4096, 4096, 0, UINT64_MAX), 0);
}

static void test_map_all_regions(void) {
        /* 300 free 2 MiB regions between other memory, more than the 64 the loader used to
         * look at: the slots of the last ones must be counted and reachable. */
        enum { N = 300 };
        static Desc m[2 * N];
        for (size_t i = 0; i < N; i++) {
                m[2 * i] = (Desc) { .type = 7, .start = (4 * i + 4) * MiB, .pages = 512 };
                m[2 * i + 1] = (Desc) { .type = 3, .start = (4 * i + 6) * MiB, .pages = 512 };
        }
        ASSERT_EQ(efi_map_check(m, sizeof(m), sizeof(Desc), NULL), EFI_MAP_OK);
        ASSERT_EQ(slots_count_efi(m, sizeof(m), sizeof(Desc), 7, 2 * MiB, 2 * MiB, 0, UINT64_MAX), N);
        uint64_t a;
        ASSERT_TRUE(slots_choose_efi(m, sizeof(m), sizeof(Desc), 7, 2 * MiB, 2 * MiB, 0, UINT64_MAX, UINT64_MAX,
                                     true, &a));
        ASSERT_EQ(a, (4 * (N - 1) + 4) * MiB);   /* the last free region */
        ASSERT_TRUE(slots_choose_efi(m, sizeof(m), sizeof(Desc), 7, 2 * MiB, 2 * MiB, 0, UINT64_MAX, 0, false, &a));
        ASSERT_EQ(a, 4 * MiB);
        /* other types are never chosen, and a region too small for the image has no slot */
        ASSERT_EQ(slots_count_efi(m, sizeof(m), sizeof(Desc), 7, 2 * MiB + 4096, 4096, 0, UINT64_MAX), 0);
        ASSERT_EQ(slots_count_efi(m, sizeof(m), sizeof(Desc), 3, 2 * MiB, 2 * MiB, 0, UINT64_MAX), N);
}

int main(void) {
        TEST(test_count_simple);
        TEST(test_count_unaligned_region);
        TEST(test_limits);
        TEST(test_choose_covers_all_regions);
        TEST(test_degenerate);
        TEST(test_map_check);
        TEST(test_map_all_regions);
        return TESTS_END();
}
