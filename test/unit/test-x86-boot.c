/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure half of the native x86 boot path (src/fundamental/x86-boot.c) on synthetic input:
 * e820 conversion, virtual KASLR slots, relocation (every list, bounds, all-or-nothing), the
 * zero page, and the page tables, walked entry by entry.
 */
#include "tests.h"
#include "x86-boot.h"

#define MIB (UINT64_C(1) << 20)

typedef struct {
        uint32_t type;
        uint64_t start, n_pages, attribute;
} Region;

#define STRIDE 48u /* OVMF's DescriptorSize: bigger than the struct, so the stride matters */
static uint8_t *to_map(const Region *r, size_t n) {
        static uint8_t map[32 * STRIDE];
        memset(map, 0xcc, sizeof(map));
        for (size_t i = 0; i < n; i++) {
                uint8_t *d = map + i * STRIDE;
                put_le32(d, r[i].type);
                put_le64(d + 8, r[i].start);
                put_le64(d + 16, 0);
                put_le64(d + 24, r[i].n_pages);
                put_le64(d + 32, r[i].attribute);
        }
        return map;
}

static void test_e820(void) {
        Region r[] = {
                { 7, 0x0, 0xa0, 0 },                /* conventional */
                { 0, 0xa0000, 0x60, 0 },            /* reserved */
                { 3, 0x100000, 0x100, 0 },          /* boot services code: RAM, merges with... */
                { 7, 0x200000, 0x100, 0 },          /* ...conventional */
                { 2, 0x300000, 0x10, 0 },           /* loader data: RAM, merges too */
                { 9, 0x310000, 0x10, 0 },           /* ACPI reclaim */
                { 10, 0x320000, 0x10, 0 },          /* ACPI NVS */
                { 5, 0x330000, 0x10, 0 },           /* runtime code */
                { 6, 0x340000, 0x10, 0 },           /* runtime data: merges with runtime code */
                { 15, 0x350000, 0x10, 0 },          /* unaccepted: left out */
                { 7, 0x360000, 0x10, 0x40000 },     /* specific purpose */
                { 14, 0x370000, 0x10, 0 },          /* persistent */
                { 8, 0x380000, 0x10, 0 },           /* unusable */
                { 11, 0xfeb00000, 0x1, 0 },         /* MMIO */
                { 7, 0x400000, 0, 0 },              /* empty: dropped */
                { 7, UINT64_C(0xfffffffffffff000), 2, 0 }, /* wraps: dropped */
        };
        uint8_t out[16 * E820_ENTRY_SIZE];
        const uint8_t *map = to_map(r, sizeof(r) / sizeof(r[0]));
        ASSERT_EQ(x86_e820_from_efi(map, sizeof(r) / sizeof(r[0]) * STRIDE, 32, out, 16), 0);
        size_t n = x86_e820_from_efi(map, sizeof(r) / sizeof(r[0]) * STRIDE, STRIDE, out, 16);
        ASSERT_EQ(n, 10);
        static const struct { uint64_t addr, size; uint32_t type; } want[] = {
                { 0, 0xa0000, E820_RAM },
                { 0xa0000, 0x60000, E820_RESERVED },
                { 0x100000, 0x210000, E820_RAM },
                { 0x310000, 0x10000, E820_ACPI },
                { 0x320000, 0x10000, E820_NVS },
                { 0x330000, 0x20000, E820_RESERVED },
                { 0x360000, 0x10000, E820_SOFT_RESERVED },
                { 0x370000, 0x10000, E820_PMEM },
                { 0x380000, 0x10000, E820_UNUSABLE },
                { 0xfeb00000, 0x1000, E820_RESERVED },
        };
        for (size_t i = 0; i < n; i++) {
                const uint8_t *e = out + i * E820_ENTRY_SIZE;
                ASSERT_EQ(get_le64(e), want[i].addr);
                ASSERT_EQ(get_le64(e + 8), want[i].size);
                ASSERT_EQ(get_le32(e + 16), want[i].type);
        }
        /* a small table: the count still says how many are needed, nothing written past cap */
        uint8_t small[3 * E820_ENTRY_SIZE + 1];
        small[3 * E820_ENTRY_SIZE] = 0x5a;
        ASSERT_EQ(x86_e820_from_efi(map, sizeof(r) / sizeof(r[0]) * STRIDE, STRIDE, small, 3), 10);
        ASSERT_EQ(small[3 * E820_ENTRY_SIZE], 0x5a);
        ASSERT_TRUE(memcmp(small, out, 3 * E820_ENTRY_SIZE) == 0);
        /* a merge into the entry that sits exactly at cap is not written either */
        Region two[] = { { 7, 0, 1, 0 }, { 0, 0x1000, 1, 0 }, { 0, 0x2000, 1, 0 } };
        uint8_t one[E820_ENTRY_SIZE + 1];
        one[E820_ENTRY_SIZE] = 0x5a;
        ASSERT_EQ(x86_e820_from_efi(to_map(two, 3), 3 * STRIDE, STRIDE, one, 1), 2);
        ASSERT_EQ(get_le64(one + 8), 0x1000);
        ASSERT_EQ(one[E820_ENTRY_SIZE], 0x5a);
}

static X86PayloadInfo kernel_info(void) {
        return (X86PayloadInfo) { .image_size = 60 * MIB, .mem_size = 63 * MIB, .init_size = 64 * MIB,
                                  .kernel_alignment = 2 * MIB, .phys_base = 16 * MIB,
                                  .virt_base = UINT64_C(0xffffffff81000000) };
}

static void test_virt_offset(void) {
        X86PayloadInfo k = kernel_info();
        ASSERT_EQ(x86_virt_offset(&k, 12345, false), 0);
        ASSERT_EQ(x86_virt_offset(&k, 0, true), 0);   /* slot 0 is the link address */
        /* slots: (512 MiB - 16 MiB - 64 MiB) / 2 MiB + 1 = 217 */
        uint64_t last = x86_virt_offset(&k, UINT64_MAX, true);
        ASSERT_EQ(last, 216 * 2 * MIB);
        ASSERT_TRUE(k.phys_base + last + k.init_size <= X86_KERNEL_IMAGE_WINDOW);
        bool seen[217] = {};
        unsigned distinct = 0;
        for (uint64_t i = 0; i < 2000; i++) {
                uint64_t s = i * UINT64_C(0x9e3779b97f4a7c15);
                uint64_t o = x86_virt_offset(&k, s, true);
                ASSERT_EQ(o % (2 * MIB), 0);
                ASSERT_TRUE(o <= last);
                if (!seen[o / (2 * MIB)]) {
                        seen[o / (2 * MIB)] = true;
                        distinct++;
                }
        }
        ASSERT_TRUE(distinct > 200);
        /* no room in the window, or a nonsense alignment: no randomization */
        k.init_size = 600 * MIB;
        ASSERT_EQ(x86_virt_offset(&k, UINT64_MAX, true), 0);
        k = kernel_info();
        k.kernel_alignment = 0;
        ASSERT_EQ(x86_virt_offset(&k, UINT64_MAX, true), 0);
}

/* A tiny "kernel": 64 KiB image at virt_base, table after it. */
#define IMG 0x10000u
static uint8_t img[IMG + 12 + 4 * 8];
static X86PayloadInfo small_info(uint32_t n64, uint32_t ninv, uint32_t n32) {
        return (X86PayloadInfo) { .image_size = IMG, .relocs_offset = IMG,
                                  .relocs_size = 12 + 4 * (n64 + ninv + n32),
                                  .virt_base = UINT64_C(0xffffffff81000000) };
}

static void put_table(uint32_t n64, uint32_t ninv, uint32_t n32, const uint32_t *entries) {
        put_le32(img + IMG, n64);
        put_le32(img + IMG + 4, ninv);
        put_le32(img + IMG + 8, n32);
        /* stored as deltas within each list (docs/format.md §4) */
        uint32_t ends[3] = { n64, n64 + ninv, n64 + ninv + n32 }, prev = 0;
        for (uint32_t i = 0; i < n64 + ninv + n32; i++) {
                if (i == 0 || i == ends[0] || i == ends[1])
                        prev = 0;
                put_le32(img + IMG + 12 + 4 * i, entries[i] - prev);
                prev = entries[i];
        }
}

static void test_relocate(void) {
        memset(img, 0, sizeof(img));
        put_le64(img + 0x100, UINT64_C(0xffffffff81001000));   /* 64-bit pointer into the kernel */
        put_le32(img + 0x200, 0x81002000);                     /* 32-bit (sign-extended) pointer */
        put_le32(img + 0x300, 0x00000040);                     /* inverse: a percpu-relative PC32 */
        put_le64(img + IMG - 8, 7);                            /* last 8 bytes, 64-bit */
        uint32_t e[] = { 0x81000100, 0x81000000 + IMG - 8, 0x81000300, 0x81000200 };
        put_table(2, 1, 1, e);
        X86PayloadInfo i = small_info(2, 1, 1);
        size_t bad = 99;
        uint64_t d = 0x2e00000;
        ASSERT_EQ(x86_relocate(img, sizeof(img), &i, d, &bad), X86R_OK);
        ASSERT_EQ(get_le64(img + 0x100), UINT64_C(0xffffffff81001000) + d);
        ASSERT_EQ(get_le64(img + IMG - 8), 7 + d);
        ASSERT_EQ(get_le32(img + 0x200), 0x81002000 + (uint32_t) d);
        ASSERT_EQ(get_le32(img + 0x300), (uint32_t) (0x40 - d));
        /* relocating back restores every byte */
        ASSERT_EQ(x86_relocate(img, sizeof(img), &i, (uint64_t) -d, &bad), X86R_OK);
        ASSERT_EQ(get_le64(img + 0x100), UINT64_C(0xffffffff81001000));
        ASSERT_EQ(get_le32(img + 0x300), 0x40);

        /* an entry outside the image (before it, past it, or straddling its end): nothing patched */
        uint32_t outside[][4] = {
                { 0x80fffff8, 0x81000100, 0x81000300, 0x81000200 },
                { 0x81000100, 0x81000000 + IMG - 4, 0x81000300, 0x81000200 },
                { 0x81000008, 0x81000100, 0x81000300, 0x81000000 + IMG - 2 },
                { 0x81000008, 0x81000100, 0x01000300, 0x81000200 },      /* sign-extends to low memory */
        };
        size_t outside_bad[] = { 0, 1, 3, 2 };
        for (unsigned t = 0; t < 4; t++) {
                put_table(2, 1, 1, outside[t]);
                uint8_t before[IMG];
                memcpy(before, img, IMG);
                ASSERT_EQ(x86_relocate(img, sizeof(img), &i, d, &bad), X86R_OUT_OF_IMAGE);
                ASSERT_TRUE(memcmp(before, img, IMG) == 0);
                ASSERT_EQ(bad, outside_bad[t]);
        }
        /* a list that does not rise (every entry inside the image): refused, nothing patched,
         * the index of the first entry below its predecessor -- in the 64-bit list, and in the
         * middle of a list whose first and last entries are in order and inside */
        uint32_t unsorted[][4] = {
                { 0x81000200, 0x81000100, 0x81000300, 0x81000200 },
                { 0x81000100, 0x81000100, 0x81000300, 0x81000200 },
        };
        uint32_t unsorted_lists[][3] = { { 2, 1, 1 }, { 1, 0, 3 } };
        size_t unsorted_bad[] = { 1, 3 };
        for (unsigned t = 0; t < 2; t++) {
                const uint32_t *n = unsorted_lists[t];
                put_table(n[0], n[1], n[2], unsorted[t]);
                X86PayloadInfo u = small_info(n[0], n[1], n[2]);
                uint8_t before[IMG];
                memcpy(before, img, IMG);
                bad = 99;
                ASSERT_EQ(x86_relocate(img, sizeof(img), &u, d, &bad), X86R_UNSORTED);
                ASSERT_TRUE(memcmp(before, img, IMG) == 0);
                ASSERT_EQ(bad, unsorted_bad[t]);
        }
        /* equal neighbours (a difference of 0) are in order: the target is patched twice, as the
         * kernel's own decompressor would */
        uint32_t twice[] = { 0x81000100, 0x81000100, 0x81000300, 0x81000200 };
        put_table(2, 1, 1, twice);
        ASSERT_EQ(x86_relocate(img, sizeof(img), &i, d, &bad), X86R_OK);
        ASSERT_EQ(get_le64(img + 0x100), UINT64_C(0xffffffff81001000) + 2 * d);
        ASSERT_EQ(x86_relocate(img, sizeof(img), &i, (uint64_t) -d, &bad), X86R_OK);
        ASSERT_EQ(get_le64(img + 0x100), UINT64_C(0xffffffff81001000));
        /* counts that do not add up to relocs_size, a table past the buffer */
        uint32_t five[] = { 0x81000100, 0x81000008, 0x81000300, 0x81000200, 0x81000200 };
        put_table(2, 1, 2, five);
        ASSERT_EQ(x86_relocate(img, sizeof(img), &i, d, &bad), X86R_BAD_TABLE);
        i = small_info(2, 1, 1);
        ASSERT_EQ(x86_relocate(img, IMG + 8, &i, d, &bad), X86R_BAD_TABLE);
        i.relocs_offset = IMG - 4;
        ASSERT_EQ(x86_relocate(img, sizeof(img), &i, d, &bad), X86R_BAD_TABLE);
}

static void test_bp_init(void) {
        static uint8_t payload[0x400], bp[BP_SIZE];
        for (unsigned i = 0; i < sizeof(payload); i++)
                payload[i] = (uint8_t) (i + 1);
        memset(bp, 0xee, sizeof(bp));
        X86PayloadInfo i = { .setup_offset = 0x10, .setup_size = 0x7b };
        ASSERT_TRUE(x86_bp_init(bp, payload, &i));
        for (unsigned o = 0; o < BP_SIZE; o++) {
                uint8_t want = (o >= BP_HDR && o < BP_HDR + 0x7b) ? payload[0x10 + o - BP_HDR] : 0;
                ASSERT_EQ(bp[o], want);
        }
        i.setup_size = 0x290 - 0x1f1 + 1;
        ASSERT_TRUE(!x86_bp_init(bp, payload, &i));
}

/* Translate through the tables like the CPU does (2 MiB pages in page directories, 1 GiB pages in
 * PDPTs); returns false for a non-present entry. *ret_flags gets the leaf entry's flags, and
 * bit 30 set for a 1 GiB page. */
static bool walk(const uint8_t *buf, uint64_t buf_phys, size_t size, uint64_t cr3, bool la57, uint64_t va,
                 uint64_t *ret_pa, uint64_t *ret_flags) {
        uint64_t table = cr3 & ~UINT64_C(0xfff);
        int levels = la57 ? 5 : 4;
        for (int l = levels; l >= 2; l--) {
                unsigned shift = 12 + 9 * (unsigned) (l - 1);
                uint64_t idx = (va >> shift) & 511;
                if (table < buf_phys || table - buf_phys >= size)
                        return false;
                uint64_t e = get_le64(buf + (table - buf_phys) + idx * 8);
                if (!(e & 1) || !(e & 2))
                        return false;
                if (l == 2) {
                        if (!(e & 0x80))
                                return false;
                        *ret_pa = (e & ~UINT64_C(0x1fffff) & ((UINT64_C(1) << 52) - 1)) | (va & 0x1fffff);
                        *ret_flags = e & 0xfff;
                        return !(e >> 63);
                }
                if (l == 3 && (e & 0x80)) {
                        *ret_pa = (e & ~UINT64_C(0x3fffffff) & ((UINT64_C(1) << 52) - 1)) | (va & 0x3fffffff);
                        *ret_flags = (e & 0xfff) | (UINT64_C(1) << 30);
                        return !(e >> 63);
                }
                if (e & 0x80)
                        return false;
                table = e & ~UINT64_C(0xfff) & ((UINT64_C(1) << 52) - 1);
        }
        return false;
}

/* An EFI memory descriptor (40 bytes) in map slot i. */
static void put_desc(uint8_t *map, size_t i, uint32_t type, uint64_t start, uint64_t bytes, uint64_t attr) {
        uint8_t *d = map + i * 40;
        memset(d, 0, 40);
        put_le32(d, type);
        put_le64(d + 8, start);
        put_le64(d + 24, bytes / 4096);
        put_le64(d + 32, attr);
}

static bool gib_bit(const uint8_t *m, uint64_t g) {
        return (m[g / 8] >> (g % 8)) & 1;
}

static void test_gib_cover(void) {
        uint8_t map[8 * 40], bits[2];
        const uint64_t WB = 0x8, UC = 0x1;
        /* RAM below 4 GiB never counts; one descriptor covering GiB 4 and 5 exactly, GiB 6
         * half covered */
        put_desc(map, 0, 7, 0, 4 * GIB, WB);
        put_desc(map, 1, 7, 4 * GIB, 2 * GIB, WB);
        put_desc(map, 2, 4, 6 * GIB, GIB / 2, WB);
        ASSERT_TRUE(x86_gib_cover(map, 3 * 40, 40, bits, 16));
        ASSERT_EQ(bits[0], 0x30);
        ASSERT_EQ(bits[1], 0);
        /* GiB 6 covered by two adjacent descriptors (different RAM types) */
        put_desc(map, 3, 10, 6 * GIB + GIB / 2, GIB / 2, WB | UC);
        ASSERT_TRUE(x86_gib_cover(map, 4 * 40, 40, bits, 16));
        ASSERT_EQ(bits[0], 0x70);
        /* the second piece 2 MiB short: a hole -> GiB 6 keeps 2 MiB pages */
        put_desc(map, 3, 10, 6 * GIB + GIB / 2, GIB / 2 - 2 * MIB, WB);
        ASSERT_TRUE(x86_gib_cover(map, 4 * 40, 40, bits, 16));
        ASSERT_EQ(bits[0], 0x30);
        /* the gap filled by a reserved range, or MMIO, or RAM without WB: still 2 MiB */
        uint32_t not_ram[] = { 0, 8, 11, 12, 13, 15 };
        for (size_t t = 0; t < sizeof(not_ram) / sizeof(not_ram[0]); t++) {
                put_desc(map, 4, not_ram[t], 7 * GIB - 2 * MIB, 2 * MIB, WB);
                ASSERT_TRUE(x86_gib_cover(map, 5 * 40, 40, bits, 16));
                ASSERT_EQ(bits[0], 0x30);
        }
        put_desc(map, 4, 7, 7 * GIB - 2 * MIB, 2 * MIB, UC);
        ASSERT_TRUE(x86_gib_cover(map, 5 * 40, 40, bits, 16));
        ASSERT_EQ(bits[0], 0x30);
        put_desc(map, 4, 7, 7 * GIB - 2 * MIB, 2 * MIB, WB);   /* RAM: covered */
        ASSERT_TRUE(x86_gib_cover(map, 5 * 40, 40, bits, 16));
        ASSERT_EQ(bits[0], 0x70);
        /* an MMIO range inside a GiB otherwise RAM (GiB 9: RAM, MMIO 1 MiB, RAM), and RAM ending
         * 2 MiB short of GiB 11's end */
        put_desc(map, 5, 7, 9 * GIB, GIB / 2, WB);
        put_desc(map, 6, 11, 9 * GIB + GIB / 2, MIB, UC);
        put_desc(map, 7, 7, 9 * GIB + GIB / 2 + MIB, GIB / 2 - MIB + 2 * GIB - 2 * MIB, WB);
        ASSERT_TRUE(x86_gib_cover(map, 8 * 40, 40, bits, 16));
        ASSERT_EQ(bits[0], 0x70);
        ASSERT_EQ(bits[1], 0x04);   /* GiB 10 only */
        /* n_gib cuts: GiB 10 is beyond 10 GiBs */
        bits[1] = 0xff;
        ASSERT_TRUE(x86_gib_cover(map, 8 * 40, 40, bits, 10));
        ASSERT_EQ(bits[0], 0x70);
        ASSERT_EQ(bits[1] & 3, 0);
        /* a map that fails efi_map_check (overlap): nothing */
        put_desc(map, 7, 7, 9 * GIB, GIB, WB);
        ASSERT_TRUE(!x86_gib_cover(map, 8 * 40, 40, bits, 16));
        ASSERT_EQ(bits[0] | bits[1], 0);
        ASSERT_TRUE(!x86_gib_cover(map, 8 * 40, 40, bits, (UINT64_C(1) << 48) / GIB + 1));
}

static void test_pgtable(void) {
        /* GiB 4, 5 and 7 may be 1 GiB pages; bits below 4 GiB are ignored */
        static uint8_t some[(1024 + 7) / 8] = { 0xbf }, all[sizeof(some)];
        memset(all, 0xff, sizeof(all));
        const uint8_t *maps[] = { NULL, some, all };
        for (int m = 0; m < 3; m++) {
                ASSERT_EQ(x86_pgtable_size(0, false, maps[m]), 0);
                /* up to 4 GiB: 2 MiB pages whatever the map says */
                ASSERT_EQ(x86_pgtable_size(4 * GIB, false, maps[m]), (1 + 1 + 4) * 4096);
                ASSERT_EQ(x86_pgtable_size(GIB, true, maps[m]), (1 + 1 + 1 + 1) * 4096);
        }
        ASSERT_EQ(x86_pgtable_size(UINT64_C(1) << 48, false, NULL), 0);
        ASSERT_EQ(x86_pgtable_size(4 * GIB + 1, true, NULL), (1 + 1 + 1 + 5) * 4096);
        ASSERT_EQ(x86_pgtable_size(513 * GIB, false, NULL), (1 + 2 + 513) * 4096);
        ASSERT_EQ(x86_pgtable_size(8 * GIB, false, some), (1 + 1 + 4 + 1) * 4096);   /* GiB 6 */
        ASSERT_EQ(x86_pgtable_size(513 * GIB, false, some), (1 + 2 + 513 - 3) * 4096);
        /* every GiB above 4 GiB RAM: a map reaching 1 TiB needs 7 pages (1,027 with 2 MiB) */
        ASSERT_EQ(x86_pgtable_size(4 * GIB + 1, true, all), (1 + 1 + 1 + 4) * 4096);
        ASSERT_EQ(x86_pgtable_size(1024 * GIB, false, all), (1 + 2 + 4) * 4096);

        const uint64_t phys = 0x7f000000;
        for (int m = 0; m < 3; m++)
                for (int la57 = 0; la57 < 2; la57++)
                        for (uint64_t end = 5 * GIB + 1; end <= 600 * GIB; end += 595 * GIB) {
                                size_t size = x86_pgtable_size(end, la57, maps[m]);
                                uint8_t *buf = malloc(size);
                                ASSERT_TRUE(buf);
                                ASSERT_EQ(x86_pgtable_build(buf, size - 1, phys, end, la57, maps[m]), 0);
                                ASSERT_EQ(x86_pgtable_build(buf, size, phys + 8, end, la57, maps[m]), 0);
                                uint64_t cr3 = x86_pgtable_build(buf, size, phys, end, la57, maps[m]);
                                ASSERT_EQ(cr3, phys);
                                uint64_t mapped = (end + GIB - 1) / GIB * GIB;
                                /* every 2 MiB up to the rounded end is the identity, RW, executable:
                                 * 2 MiB pages below 4 GiB, above it 1 GiB pages where the map says */
                                for (uint64_t va = 0; va < mapped; va += 2 * MIB) {
                                        uint64_t pa = 0, flags = 0;
                                        bool want_gib = maps[m] && va >= X86_PGTABLE_2M_END &&
                                                        gib_bit(maps[m], va / GIB);
                                        if (!walk(buf, phys, size, cr3, la57, va + 0x1234, &pa, &flags)) {
                                                fprintf(stderr, "va 0x%" PRIx64 " not mapped\n", va);
                                                free(buf);
                                                ASSERT_TRUE(false);
                                        }
                                        if (pa != va + 0x1234 || (flags & 0x83) != 0x83 ||
                                            !!(flags & (UINT64_C(1) << 30)) != want_gib) {
                                                free(buf);
                                                ASSERT_TRUE(false);
                                        }
                                }
                                uint64_t pa, flags;
                                ASSERT_TRUE(!walk(buf, phys, size, cr3, la57, mapped, &pa, &flags));
                                if (la57) /* nothing above the low 256 TiB */
                                        ASSERT_TRUE(!walk(buf, phys, size, cr3, la57, UINT64_C(1) << 48, &pa,
                                                          &flags));
                                free(buf);
                        }
}

static void test_screen_info(void) {
        uint8_t si[0x40];
        X86Gop g = { .format = 1, .width = 1280, .height = 800, .pixels_per_line = 1280,
                     .fb_base = 0x80000000, .fb_size = 1280 * 800 * 4 };
        ASSERT_TRUE(x86_screen_info(si, &g));
        ASSERT_EQ(si[0x0f], 0x70);
        ASSERT_EQ(si[0x12] | si[0x13] << 8, 1280);
        ASSERT_EQ(si[0x14] | si[0x15] << 8, 800);
        ASSERT_EQ(si[0x16], 32);
        ASSERT_EQ(get_le32(si + 0x18), 0x80000000);
        ASSERT_EQ(get_le32(si + 0x1c), 1280 * 800 * 4);
        ASSERT_EQ(si[0x24] | si[0x25] << 8, 5120);
        static const uint8_t bgr_fields[8] = { 8, 16, 8, 8, 8, 0, 8, 24 };
        ASSERT_TRUE(memcmp(si + 0x26, bgr_fields, 8) == 0);
        ASSERT_EQ(get_le32(si + 0x36), 0);
        /* 16-bit RGB565 bit mask, framebuffer above 4 GiB */
        g = (X86Gop) { .format = 2, .masks = { 0xf800, 0x07e0, 0x001f, 0 }, .width = 640, .height = 480,
                       .pixels_per_line = 640, .fb_base = UINT64_C(0x800000000), .fb_size = 640 * 480 * 2 };
        ASSERT_TRUE(x86_screen_info(si, &g));
        ASSERT_EQ(si[0x16], 16);
        ASSERT_EQ(si[0x24] | si[0x25] << 8, 1280);
        static const uint8_t rgb565[8] = { 5, 11, 6, 5, 5, 0, 0, 0 };
        ASSERT_TRUE(memcmp(si + 0x26, rgb565, 8) == 0);
        ASSERT_EQ(get_le32(si + 0x18), 0);
        ASSERT_EQ(get_le32(si + 0x3a), 8);
        ASSERT_EQ(get_le32(si + 0x36), 2);
        /* no framebuffer, holes in a mask, a line shorter than the width */
        g.format = 3;
        ASSERT_TRUE(!x86_screen_info(si, &g));
        ASSERT_EQ(si[0x0f], 0);
        g.format = 2;
        g.masks[0] = 0xf00f;
        ASSERT_TRUE(!x86_screen_info(si, &g));
        g.masks[0] = 0xf800;
        g.pixels_per_line = 639;
        ASSERT_TRUE(!x86_screen_info(si, &g));
}

static void test_la57(void) {
        ASSERT_TRUE(x86_use_la57(true, XLF_5LEVEL | XLF_KERNEL_64, false));
        ASSERT_TRUE(!x86_use_la57(false, XLF_5LEVEL, false));
        ASSERT_TRUE(!x86_use_la57(true, XLF_KERNEL_64, false));
        ASSERT_TRUE(!x86_use_la57(true, XLF_5LEVEL, true));
}

int main(void) {
        TEST(test_e820);
        TEST(test_virt_offset);
        TEST(test_relocate);
        TEST(test_bp_init);
        TEST(test_gib_cover);
        TEST(test_pgtable);
        TEST(test_screen_info);
        TEST(test_la57);
        return TESTS_END();
}
