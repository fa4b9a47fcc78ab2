/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure half of `ukify-zboot kexec` (src/fundamental/x86-kexec.c): memory map text, hole finder, systab. */
#include "tests.h"
#include "x86-kexec.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

#define S(lit) lit, sizeof(lit) - 1

static void put(uint8_t *e, size_t i, uint64_t a, uint64_t l, uint32_t t) {
        put_le64(e + i * E820_ENTRY_SIZE, a);
        put_le64(e + i * E820_ENTRY_SIZE + 8, l);
        put_le32(e + i * E820_ENTRY_SIZE + 16, t);
}

static void test_types(void) {
        ASSERT_EQ(x86_e820_type_from_name(S("System RAM\n")), E820_RAM);
        ASSERT_EQ(x86_e820_type_from_name(S("Reserved\n")), E820_RESERVED);
        ASSERT_EQ(x86_e820_type_from_name(S("ACPI Tables")), E820_ACPI);
        ASSERT_EQ(x86_e820_type_from_name(S("ACPI Non-volatile Storage\n")), E820_NVS);
        ASSERT_EQ(x86_e820_type_from_name(S("Persistent Memory (legacy)\n")), E820_PMEM);
        ASSERT_EQ(x86_e820_type_from_name(S("Soft Reserved\n")), E820_SOFT_RESERVED);
        ASSERT_EQ(x86_e820_type_from_name(S("System RAMX")), 0);
        ASSERT_EQ(x86_e820_type_from_name(S("System RA")), 0);
        ASSERT_EQ(x86_e820_type_from_name(S("PCI Bus 0000:00")), 0);
        ASSERT_EQ(x86_e820_type_from_name(NULL, 0), 0);
}

static void test_hex(void) {
        uint64_t v;
        ASSERT_TRUE(x86_parse_hex(S("0x9fbff\n"), &v));
        ASSERT_EQ(v, 0x9fbff);
        ASSERT_TRUE(x86_parse_hex(S("ffffffffffffffff"), &v));
        ASSERT_EQ(v, UINT64_MAX);
        ASSERT_TRUE(!x86_parse_hex(S("0x1ffffffffffffffff"), &v));   /* 65 bits */
        ASSERT_TRUE(!x86_parse_hex(S("0x"), &v));
        ASSERT_TRUE(!x86_parse_hex(S(""), &v));
        ASSERT_TRUE(!x86_parse_hex(S("0x12g"), &v));
        ASSERT_TRUE(!x86_parse_hex(S("12 34"), &v));
}

static void test_memmap_entry(void) {
        uint8_t e[E820_ENTRY_SIZE];
        ASSERT_TRUE(x86_memmap_entry(S("0x100000\n"), S("0x7ffdffff\n"), S("System RAM\n"), e));
        ASSERT_EQ(get_le64(e), 0x100000);
        ASSERT_EQ(get_le64(e + 8), 0x7ffdffff - 0x100000 + 1);
        ASSERT_EQ(get_le32(e + 16), E820_RAM);
        /* unknown type: reserved */
        ASSERT_TRUE(x86_memmap_entry(S("0x0"), S("0xfff"), S("Something new\n"), e));
        ASSERT_EQ(get_le32(e + 16), E820_RESERVED);
        ASSERT_TRUE(!x86_memmap_entry(S("0x2000"), S("0x1fff"), S("System RAM"), e));   /* end < start */
        ASSERT_TRUE(!x86_memmap_entry(S("0x0"), S("0xffffffffffffffff"), S("System RAM"), e)); /* size 2^64 */
        ASSERT_TRUE(!x86_memmap_entry(S("zz"), S("0x1fff"), S("System RAM"), e));
}

static void test_iomem(void) {
        static const char t[] = "00000000-00000fff : Reserved\n"
                                "00001000-0009ffff : System RAM\n"
                                "000a0000-000fffff : Reserved\n"
                                "  000f0000-000fffff : System ROM\n"
                                "00100000-3fffffff : System RAM\n"
                                "  01000000-01ffffff : Kernel code\n"
                                "80000000-afffffff : PCI Bus 0000:00\n"
                                "garbage line\n"
                                "fed00000-fed003ff : ACPI Non-volatile Storage";
        uint8_t e[8 * E820_ENTRY_SIZE];
        ASSERT_EQ(x86_e820_from_iomem(t, sizeof(t) - 1, NULL, 0), 5);
        ASSERT_EQ(x86_e820_from_iomem(t, sizeof(t) - 1, e, 2), 5);   /* capped writes, full count */
        ASSERT_EQ(x86_e820_from_iomem(t, sizeof(t) - 1, e, 8), 5);
        ASSERT_EQ(get_le64(e + 1 * E820_ENTRY_SIZE), 0x1000);
        ASSERT_EQ(get_le64(e + 1 * E820_ENTRY_SIZE + 8), 0x9f000);
        ASSERT_EQ(get_le32(e + 3 * E820_ENTRY_SIZE + 16), E820_RAM);
        ASSERT_EQ(get_le64(e + 3 * E820_ENTRY_SIZE + 8), 0x3ff00000);
        ASSERT_EQ(get_le32(e + 4 * E820_ENTRY_SIZE + 16), E820_NVS);
        ASSERT_EQ(get_le64(e + 4 * E820_ENTRY_SIZE + 8), 0x400);
}

static void test_sort(void) {
        uint8_t e[3 * E820_ENTRY_SIZE];
        put(e, 0, 3 * GiB, MiB, E820_RESERVED);
        put(e, 1, 0, MiB, E820_RAM);
        put(e, 2, MiB, GiB, E820_RAM);
        x86_e820_sort(e, 3);
        ASSERT_EQ(get_le64(e), 0);
        ASSERT_EQ(get_le64(e + E820_ENTRY_SIZE), MiB);
        ASSERT_EQ(get_le64(e + 2 * E820_ENTRY_SIZE), 3 * GiB);
        ASSERT_EQ(get_le32(e + 2 * E820_ENTRY_SIZE + 16), E820_RESERVED);
}

static void test_holes(void) {
        uint8_t e[4 * E820_ENTRY_SIZE];
        put(e, 0, 0, 640 * 1024, E820_RAM);
        put(e, 1, MiB, 1 * GiB - MiB, E820_RAM);
        put(e, 2, 512 * MiB, 4096, E820_RESERVED);     /* a reserved page inside the RAM entry */
        put(e, 3, 4 * GiB, 2 * GiB, E820_RAM);
        uint64_t a;
        /* bottom-up above 16 MiB, 2 MiB aligned */
        ASSERT_TRUE(x86_kexec_find_hole(e, 4, NULL, 0, 64 * MiB, 2 * MiB, 16 * MiB, 4 * GiB, false, &a));
        ASSERT_EQ(a, 16 * MiB);
        /* past a used range */
        X86Range used[2] = { { 16 * MiB, 65 * MiB }, { 0, 0 } };
        ASSERT_TRUE(x86_kexec_find_hole(e, 4, used, 1, 64 * MiB, 2 * MiB, 16 * MiB, 4 * GiB, false, &a));
        ASSERT_EQ(a, 82 * MiB);
        /* top-down below 4 GiB: under the end of the first GiB */
        ASSERT_TRUE(x86_kexec_find_hole(e, 4, used, 1, 8192, 4096, MiB, 4 * GiB, true, &a));
        ASSERT_EQ(a, GiB - 8192);
        /* top-down that must step over a used range and the reserved page */
        used[1] = (X86Range) { 600 * MiB, GiB - 600 * MiB };
        ASSERT_TRUE(x86_kexec_find_hole(e, 4, used, 2, 100 * MiB, 4096, MiB, 4 * GiB, true, &a));
        ASSERT_EQ(a, 412 * MiB);   /* [500, 600) would cover 512 MiB's reserved page */
        /* no room */
        ASSERT_TRUE(!x86_kexec_find_hole(e, 4, NULL, 0, 3 * GiB, 4096, MiB, 4 * GiB, false, &a));
        /* above 4 GiB when allowed */
        ASSERT_TRUE(x86_kexec_find_hole(e, 4, NULL, 0, 1536 * MiB, 2 * MiB, 16 * MiB, UINT64_C(1) << 46, false, &a));
        ASSERT_EQ(a, 4 * GiB);
        /* bad alignment, zero size */
        ASSERT_TRUE(!x86_kexec_find_hole(e, 4, NULL, 0, 4096, 3000, MiB, 4 * GiB, false, &a));
        ASSERT_TRUE(!x86_kexec_find_hole(e, 4, NULL, 0, 0, 4096, MiB, 4 * GiB, false, &a));
        /* the low 640 KiB is RAM but below min */
        ASSERT_TRUE(!x86_kexec_find_hole(e, 1, NULL, 0, 4096, 4096, MiB, 4 * GiB, false, &a));
}

static void test_systab(void) {
        static const char t[] = "SMBIOS3=0x7f6bc000\nACPI20=0x7fb7e014\nACPI=0x7fb7e000\n";
        uint64_t v;
        ASSERT_TRUE(x86_systab_value(t, sizeof(t) - 1, "ACPI20", &v));
        ASSERT_EQ(v, 0x7fb7e014);
        ASSERT_TRUE(x86_systab_value(t, sizeof(t) - 1, "ACPI", &v));
        ASSERT_EQ(v, 0x7fb7e000);
        ASSERT_TRUE(!x86_systab_value(t, sizeof(t) - 1, "SMBIOS", &v));
        ASSERT_TRUE(!x86_systab_value(t, 10, "ACPI20", &v));
}

int main(void) {
        TEST(test_types);
        TEST(test_hex);
        TEST(test_memmap_entry);
        TEST(test_iomem);
        TEST(test_sort);
        TEST(test_holes);
        TEST(test_systab);
        return TESTS_END();
}
