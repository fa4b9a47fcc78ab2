/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PE32+ parser, verdict and section appender on synthetic images (one error per test,
 * each made from a valid image by changing one field), plus — when given as arguments —
 * real EFI binaries of our build, which must parse and pass the W^X/NX/4K/no-base-relocations verdict.
 */
#include <stddef.h>

#include "pe.h"
#include "tests.h"

#define IMG_SIZE 0x1000u        /* file size of the synthetic image */
#define LFANEW 0x80u

static uint8_t img[IMG_SIZE];

static size_t opt_off(void) {
        return LFANEW + 4 + sizeof(PeFileHeader);
}

static size_t table_off(void) {
        return opt_off() + sizeof(PeOptionalHeader64);
}

static PeFileHeader *fh(void) {
        return (PeFileHeader *) (img + LFANEW + 4);
}

static PeOptionalHeader64 *oh(void) {
        return (PeOptionalHeader64 *) (img + opt_off());
}

static PeSectionHeader *sh(size_t i) {
        return (PeSectionHeader *) (img + table_off() + i * sizeof(PeSectionHeader));
}

/* A valid image: headers in the first 0x400 bytes, .text at RVA 0x1000 (file 0x400, 0x400
 * bytes, RX), .data at RVA 0x2000 (file 0x800, 0x400 bytes, RW); SizeOfImage 0x3000. */
static void make_image(void) {
        memset(img, 0, sizeof(img));
        img[0] = 'M';
        img[1] = 'Z';
        uint32_t lfanew = LFANEW;
        memcpy(img + 0x3c, &lfanew, 4);
        memcpy(img + LFANEW, "PE\0\0", 4);
        *fh() = (PeFileHeader) {
                .Machine = PE_MACHINE_X86_64,
                .NumberOfSections = 2,
                .SizeOfOptionalHeader = sizeof(PeOptionalHeader64),
                .Characteristics = PE_FILE_EXECUTABLE_IMAGE,
        };
        *oh() = (PeOptionalHeader64) {
                .Magic = PE_OPT_MAGIC_PE32PLUS,
                .AddressOfEntryPoint = 0x1000,
                .SectionAlignment = 0x1000,
                .FileAlignment = 0x200,
                .SizeOfImage = 0x3000,
                .SizeOfHeaders = 0x400,
                .Subsystem = PE_SUBSYSTEM_EFI_APPLICATION,
                .DllCharacteristics = PE_DLL_NX_COMPAT | PE_DLL_DYNAMIC_BASE,
                .NumberOfRvaAndSizes = PE_DIR_COUNT,
        };
        *sh(0) = (PeSectionHeader) {
                .Name = ".text", .VirtualSize = 0x400, .VirtualAddress = 0x1000, .SizeOfRawData = 0x400,
                .PointerToRawData = 0x400,
                .Characteristics = PE_SCN_CNT_CODE | PE_SCN_MEM_READ | PE_SCN_MEM_EXECUTE,
        };
        *sh(1) = (PeSectionHeader) {
                .Name = ".data", .VirtualSize = 0x300, .VirtualAddress = 0x2000, .SizeOfRawData = 0x400,
                .PointerToRawData = 0x800,
                .Characteristics = PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ | PE_SCN_MEM_WRITE,
        };
        memset(img + 0x400, 0xcc, 0x400);
        memset(img + 0x800, 0x5a, 0x300);
}

static PeResult parse(size_t len) {
        PeView f;
        return pe_parse(img, len, &f);
}

static void test_valid(void) {
        make_image();
        PeView f;
        ASSERT_EQ(pe_parse(img, 0xc00, &f), PE_OK);
        ASSERT_EQ(f.n_sections, 2);
        ASSERT_EQ(f.file.Machine, PE_MACHINE_X86_64);
        ASSERT_EQ(pe_find_section(&f, ".data"), 1);
        ASSERT_EQ(pe_find_section(&f, ".text"), 0);
        ASSERT_EQ(pe_find_section(&f, ".dat"), -1);
        ASSERT_EQ(pe_find_section(&f, ".toolongname"), -1);
        size_t n;
        const uint8_t *d = pe_section_data(&f, 1, &n);
        ASSERT_EQ(n, 0x300); /* min(VirtualSize, SizeOfRawData) */
        ASSERT_EQ(d[0], 0x5a);
        char name[PE_SECTION_NAME_LEN + 1];
        PeSectionHeader s = pe_section(&f, 0);
        pe_section_name(&s, name);
        ASSERT_STREQ(name, ".text");
        PeVerdict v = pe_verdict(&f);
        ASSERT_TRUE(v.ok && v.nx_compat && v.section_alignment_4k && v.n_wx == 0 && v.first_wx == -1);
}

/* Names compare as systemd-stub compares them: the header's bytes up to its first NUL. */
static void test_section_names(void) {
        static const struct {
                char header[PE_SECTION_NAME_LEN];
                const char *name;
                bool is;
        } cases[] = {
                { ".dtb", ".dtb", true },
                { ".dtb\0XYZ", ".dtb", true },    /* bytes after the NUL do not count */
                { ".dtb\0XYZ", ".dtb\0XY", true }, /* (the same name as a C string) */
                { ".dtbauto", ".dtbauto", true },  /* all 8 bytes, no NUL */
                { ".dtbauto", ".dtb", false },
                { ".dtb", ".dtbauto", false },
                { ".hwids\0\0", ".hwid", false },
                { ".linux", ".Linux", false },
                { ".toolong", ".toolongname", false }, /* a name past 8 bytes never matches */
                { "", "", true },
        };
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
                PeSectionHeader h = {};
                memcpy(h.Name, cases[k].header, PE_SECTION_NAME_LEN);
                ASSERT_EQ(pe_section_name_is(&h, cases[k].name), cases[k].is);
        }

        /* the lookup of a view uses the same rule */
        make_image();
        memcpy(sh(1)->Name, ".data\0ZZ", PE_SECTION_NAME_LEN);
        PeView f;
        ASSERT_EQ(pe_parse(img, 0xc00, &f), PE_OK);
        ASSERT_EQ(pe_find_section(&f, ".data"), 1);
        ASSERT_TRUE(pe_section_is(&f, 1, ".data") && !pe_section_is(&f, 0, ".data"));
}

static void test_errors(void) {
        make_image();
        ASSERT_EQ(pe_parse(NULL, 0, NULL), PE_TOO_SHORT);
        ASSERT_EQ(parse(0x3f), PE_TOO_SHORT);
        /* PE signature + file header need 24 bytes at e_lfanew */
        ASSERT_EQ(parse(LFANEW + 23), PE_BAD_LFANEW);
        ASSERT_EQ(parse(LFANEW + 25), PE_BAD_OPTIONAL_HEADER_SIZE);
        ASSERT_EQ(parse(table_off() + 39), PE_SECTION_TABLE_OUTSIDE);
        ASSERT_EQ(parse(0xbff), PE_SECTION_DATA_OUTSIDE);

        make_image(); img[1] = 'X';
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_DOS_MAGIC);
        make_image(); uint32_t bad = 0x10; memcpy(img + 0x3c, &bad, 4);
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_LFANEW);
        make_image(); bad = 0xfffffff0; memcpy(img + 0x3c, &bad, 4);
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_LFANEW);
        make_image(); img[LFANEW + 2] = 'X';
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_SIGNATURE);
        make_image(); oh()->Magic = 0x10b;
        ASSERT_EQ(parse(IMG_SIZE), PE_NOT_PE32PLUS);
        make_image(); fh()->SizeOfOptionalHeader = 16;
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_OPTIONAL_HEADER_SIZE);
        make_image(); fh()->SizeOfOptionalHeader = 0xffff;
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_OPTIONAL_HEADER_SIZE);
        make_image(); oh()->NumberOfRvaAndSizes = 17;
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_DATA_DIRECTORY);
        make_image(); oh()->DataDirectory[PE_DIR_BASERELOC] = (PeDataDirectory) { 0x2f00, 0x200 };
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_DATA_DIRECTORY);
        make_image(); oh()->DataDirectory[PE_DIR_BASERELOC] = (PeDataDirectory) { 0xffffff00, 0x200 };
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_DATA_DIRECTORY);
        /* the certificate table is a file offset: allowed up to the end of the file */
        make_image(); oh()->DataDirectory[PE_DIR_SECURITY] = (PeDataDirectory) { 0xe00, 0x200 };
        ASSERT_EQ(parse(IMG_SIZE), PE_OK);
        ASSERT_EQ(parse(0xc00), PE_BAD_DATA_DIRECTORY);
        make_image(); oh()->SectionAlignment = 0x1001;
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_ALIGNMENT);
        make_image(); oh()->FileAlignment = 0;
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_ALIGNMENT);
        make_image(); oh()->FileAlignment = 0x2000;
        ASSERT_EQ(parse(IMG_SIZE), PE_BAD_ALIGNMENT);
        make_image(); fh()->NumberOfSections = PE_MAX_SECTIONS + 1;
        ASSERT_EQ(parse(IMG_SIZE), PE_TOO_MANY_SECTIONS);
        make_image(); fh()->NumberOfSections = 95; /* 95 * 40 bytes run past the 4 KiB file */
        ASSERT_EQ(parse(IMG_SIZE), PE_SECTION_TABLE_OUTSIDE);
        make_image(); sh(1)->PointerToRawData = 0xfffffe00;
        ASSERT_EQ(parse(IMG_SIZE), PE_SECTION_DATA_OUTSIDE);
        make_image(); sh(1)->VirtualAddress = 0x2e00;
        ASSERT_EQ(parse(IMG_SIZE), PE_SECTION_OUTSIDE_IMAGE);
        make_image(); sh(1)->VirtualSize = 0xffffffff;
        ASSERT_EQ(parse(IMG_SIZE), PE_SECTION_OUTSIDE_IMAGE);
        make_image(); oh()->SizeOfHeaders = 0x4000;
        ASSERT_EQ(parse(IMG_SIZE), PE_SECTION_OUTSIDE_IMAGE);
        make_image(); sh(1)->VirtualAddress = 0x1200;
        ASSERT_EQ(parse(IMG_SIZE), PE_SECTIONS_OVERLAP);
        make_image(); sh(0)->VirtualAddress = 0x200;
        ASSERT_EQ(parse(IMG_SIZE), PE_SECTIONS_OVERLAP);
        /* every error has its own message */
        for (int r = PE_BAD_SECTION_NAME; r < 0; r++)
                ASSERT_TRUE(strcmp(pe_strerror((PeResult) r), "unknown PE error") != 0);
}

static void test_verdict(void) {
        PeView f;
        make_image();
        sh(1)->Characteristics |= PE_SCN_MEM_EXECUTE;
        ASSERT_EQ(pe_parse(img, IMG_SIZE, &f), PE_OK);
        PeVerdict v = pe_verdict(&f);
        ASSERT_TRUE(!v.ok && v.n_wx == 1 && v.first_wx == 1);

        make_image();
        oh()->DllCharacteristics &= ~PE_DLL_NX_COMPAT;
        ASSERT_EQ(pe_parse(img, IMG_SIZE, &f), PE_OK);
        v = pe_verdict(&f);
        ASSERT_TRUE(!v.ok && !v.nx_compat && v.n_wx == 0);

        make_image();
        oh()->SectionAlignment = 0x200;
        sh(1)->VirtualAddress = 0x1600;
        ASSERT_EQ(pe_parse(img, IMG_SIZE, &f), PE_OK);
        v = pe_verdict(&f);
        ASSERT_TRUE(!v.ok && !v.section_alignment_4k);

        /* no base relocation directory: ok (make_image has none) */
        make_image();
        ASSERT_EQ(pe_parse(img, IMG_SIZE, &f), PE_OK);
        v = pe_verdict(&f);
        ASSERT_TRUE(v.ok && v.base_reloc_dir_size == 0 && v.n_base_relocs == 0 && !v.base_relocs_malformed);

        /* two DIR64 entries + ABSOLUTE padding in .data: counted, not ok (sd-stub >= 258 refuses it) */
        make_image();
        static const uint8_t relocs[] = { 0x00, 0x20, 0, 0, 16, 0, 0, 0,       /* page 0x2000, 16 bytes */
                                          0x08, 0xa0, 0x10, 0xa0, 0, 0, 0, 0 }; /* DIR64 +8, +0x10, pad, pad */
        memcpy(img + 0x800 + 0x100, relocs, sizeof(relocs));
        oh()->DataDirectory[PE_DIR_BASERELOC] = (PeDataDirectory) { 0x2100, sizeof(relocs) };
        ASSERT_EQ(pe_parse(img, IMG_SIZE, &f), PE_OK);
        v = pe_verdict(&f);
        ASSERT_TRUE(!v.ok && v.nx_compat && v.n_wx == 0 && v.section_alignment_4k);
        ASSERT_EQ(v.base_reloc_dir_size, sizeof(relocs));
        ASSERT_EQ(v.n_base_relocs, 2);
        ASSERT_TRUE(!v.base_relocs_malformed);

        /* an empty-but-present directory (one block of padding only, as many stubs carry) is
         * still refused: sd-stub looks at the directory size, not at the entries */
        oh()->DataDirectory[PE_DIR_BASERELOC].Size = 12;
        img[0x904] = 12;
        memset(img + 0x908, 0, 4);
        ASSERT_EQ(pe_parse(img, IMG_SIZE, &f), PE_OK);
        v = pe_verdict(&f);
        ASSERT_TRUE(!v.ok && v.n_base_relocs == 0 && v.base_reloc_dir_size == 12 && !v.base_relocs_malformed);

        /* malformed: a block shorter than its header, a block past the directory, no file data */
        img[0x904] = 6;
        ASSERT_EQ(pe_parse(img, IMG_SIZE, &f), PE_OK);
        v = pe_verdict(&f);
        ASSERT_TRUE(!v.ok && v.base_relocs_malformed);
        img[0x904] = 40;
        ASSERT_EQ(pe_parse(img, IMG_SIZE, &f), PE_OK);
        ASSERT_TRUE(pe_verdict(&f).base_relocs_malformed);
        oh()->DataDirectory[PE_DIR_BASERELOC] = (PeDataDirectory) { 0x2380, 8 }; /* past .data's 0x300 bytes */
        ASSERT_EQ(pe_parse(img, IMG_SIZE, &f), PE_OK);
        v = pe_verdict(&f);
        ASSERT_TRUE(!v.ok && v.base_relocs_malformed && v.base_reloc_dir_size == 8);
}

static void test_append(void) {
        PeView f;
        make_image();
        ASSERT_EQ(pe_parse(img, 0xc00, &f), PE_OK);
        static const char cmdline[] = "console=ttyS0 quiet";
        uint8_t big[5000];
        memset(big, 0x77, sizeof(big));
        PeNewSection s[] = {
                { .name = ".cmdline", .data = cmdline, .size = sizeof(cmdline) - 1 },
                { .name = ".linux", .data = big, .size = sizeof(big) },
        };
        size_t need, got;
        ASSERT_EQ(pe_append_size(&f, s, 2, &need), PE_OK);
        ASSERT_EQ(need, 0xc00 + 0x200 + 0x1400);
        static uint8_t out[0x4000];
        ASSERT_EQ(pe_append_sections(&f, s, 2, out, need - 1, &got), PE_BUFFER_TOO_SMALL);
        ASSERT_EQ(pe_append_sections(&f, s, 2, out, sizeof(out), &got), PE_OK);
        ASSERT_EQ(got, need);

        PeView g;
        ASSERT_EQ(pe_parse(out, got, &g), PE_OK);
        ASSERT_EQ(g.n_sections, 4);
        int i = pe_find_section(&g, ".cmdline");
        ASSERT_EQ(i, 2);
        PeSectionHeader h = pe_section(&g, (size_t) i);
        ASSERT_EQ(h.VirtualAddress, 0x3000);
        ASSERT_EQ(h.Characteristics, PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ);
        size_t n;
        const uint8_t *d = pe_section_data(&g, (size_t) i, &n);
        ASSERT_EQ(n, sizeof(cmdline) - 1);
        ASSERT_TRUE(memcmp(d, cmdline, n) == 0);
        h = pe_section(&g, 3);
        ASSERT_EQ(h.VirtualAddress, 0x4000);
        d = pe_section_data(&g, 3, &n);
        ASSERT_TRUE(n == sizeof(big) && memcmp(d, big, n) == 0);
        ASSERT_EQ(g.opt.SizeOfImage, 0x4000 + 0x2000);
        ASSERT_EQ(g.opt.SizeOfInitializedData, 0x200 + 0x1400);
        /* the stored checksum is the one computed over the file */
        uint32_t csum_off = (uint32_t) (opt_off() + offsetof(PeOptionalHeader64, CheckSum));
        ASSERT_EQ(g.opt.CheckSum, pe_checksum(out, got, csum_off));
        ASSERT_TRUE(g.opt.CheckSum != 0);
        /* the original bytes are unchanged apart from the header fields */
        ASSERT_TRUE(memcmp(out + 0x400, img + 0x400, 0x800) == 0);
        ASSERT_TRUE(pe_verdict(&g).ok);

        /* pad_virtual (zboot's sections): VirtualSize covers the raw padding */
        PeNewSection padded = { .name = ".zdata", .data = cmdline, .size = sizeof(cmdline) - 1, .pad_virtual = true };
        static uint8_t out3[0x4000];
        ASSERT_EQ(pe_append_sections(&f, &padded, 1, out3, sizeof(out3), &got), PE_OK);
        ASSERT_EQ(pe_parse(out3, got, &g), PE_OK);
        h = pe_section(&g, 2);
        ASSERT_TRUE(h.VirtualSize == 0x200 && h.SizeOfRawData == 0x200);
        d = pe_section_data(&g, 2, &n);
        ASSERT_TRUE(n == 0x200 && memcmp(d, cmdline, sizeof(cmdline) - 1) == 0 && d[n - 1] == 0);

        /* deterministic */
        static uint8_t out2[0x4000];
        ASSERT_EQ(pe_append_sections(&f, s, 2, out2, sizeof(out2), &got), PE_OK);
        ASSERT_TRUE(memcmp(out, out2, got) == 0);
}

static void test_append_refusals(void) {
        PeView f;
        size_t n;
        static const uint8_t x[16];
        make_image();
        ASSERT_EQ(pe_parse(img, 0xc00, &f), PE_OK);
        PeNewSection wx = { .name = ".evil", .data = x, .size = sizeof(x),
                            .characteristics = PE_SCN_MEM_WRITE | PE_SCN_MEM_EXECUTE | PE_SCN_MEM_READ };
        ASSERT_EQ(pe_append_size(&f, &wx, 1, &n), PE_WX_SECTION);
        PeNewSection noname = { .name = "", .data = x, .size = sizeof(x) };
        ASSERT_EQ(pe_append_size(&f, &noname, 1, &n), PE_BAD_SECTION_NAME);
        PeNewSection longname = { .name = ".ninechar", .data = x, .size = sizeof(x) };
        ASSERT_EQ(pe_append_size(&f, &longname, 1, &n), PE_BAD_SECTION_NAME);

        /* header room: the table may only grow up to the first section's raw data (0x400) */
        PeNewSection many[32];
        for (size_t i = 0; i < 32; i++)
                many[i] = (PeNewSection) { .name = ".s", .data = x, .size = sizeof(x) };
        size_t fit = (0x400 - table_off()) / sizeof(PeSectionHeader) - 2;
        ASSERT_EQ(pe_append_size(&f, many, fit, &n), PE_OK);
        ASSERT_EQ(pe_append_size(&f, many, fit + 1, &n), PE_NO_HEADER_ROOM);

        /* a signed image */
        oh()->DataDirectory[PE_DIR_SECURITY] = (PeDataDirectory) { 0xa00, 0x100 };
        ASSERT_EQ(pe_parse(img, 0xc00, &f), PE_OK);
        ASSERT_EQ(pe_append_size(&f, many, 1, &n), PE_SIGNED);
}

/* pe_replace_section: the last section (.data) may grow or shrink; .text only in place. */
static void test_replace(void) {
        PeView f, g;
        size_t need, got;
        static uint8_t out[0x4000];
        uint8_t big[0x900];
        memset(big, 0x42, sizeof(big));
        make_image();
        ASSERT_EQ(pe_parse(img, 0xc00, &f), PE_OK);
        /* grow .data to 0x900 bytes: raw 0xa00, SizeOfImage 0x3000 -> RVA 0x2000 + 0x1000 */
        ASSERT_EQ(pe_replace_size(&f, 1, sizeof(big), &need), PE_OK);
        ASSERT_EQ(need, 0x800 + 0xa00);
        ASSERT_EQ(pe_replace_section(&f, 1, big, sizeof(big), out, need - 1, &got), PE_BUFFER_TOO_SMALL);
        ASSERT_EQ(pe_replace_section(&f, 1, big, sizeof(big), out, sizeof(out), &got), PE_OK);
        ASSERT_EQ(got, need);
        ASSERT_EQ(pe_parse(out, got, &g), PE_OK);
        ASSERT_EQ(g.n_sections, 2);
        PeSectionHeader h = pe_section(&g, 1);
        ASSERT_EQ(h.VirtualSize, sizeof(big));
        ASSERT_EQ(h.SizeOfRawData, 0xa00);
        ASSERT_EQ(g.opt.SizeOfImage, 0x3000);
        ASSERT_EQ(memcmp(out + 0x800, big, sizeof(big)), 0);
        ASSERT_EQ(out[0x800 + sizeof(big)], 0);
        ASSERT_EQ(memcmp(out + 0x400, img + 0x400, 0x400), 0);   /* .text untouched */
        ASSERT_EQ(g.opt.CheckSum, pe_checksum(out, got, (uint32_t) (opt_off() + offsetof(PeOptionalHeader64, CheckSum))));
        /* shrink it: raw 0x200 */
        ASSERT_EQ(pe_replace_section(&f, 1, "abc", 3, out, sizeof(out), &got), PE_OK);
        ASSERT_EQ(got, 0xa00);
        ASSERT_EQ(pe_parse(out, got, &g), PE_OK);
        ASSERT_EQ(pe_section(&g, 1).VirtualSize, 3);
        /* .text (not last): in place, up to its raw size, the rest zeroed */
        ASSERT_EQ(pe_replace_section(&f, 0, "xyz", 3, out, sizeof(out), &got), PE_OK);
        ASSERT_EQ(got, 0xc00);
        ASSERT_EQ(memcmp(out + 0x400, "xyz\0", 4), 0);
        ASSERT_EQ(out[0x7ff], 0);
        ASSERT_EQ(memcmp(out + 0x800, img + 0x800, 0x400), 0);
        ASSERT_EQ(pe_replace_size(&f, 0, 0x401, &need), PE_NO_SECTION_ROOM);
        ASSERT_EQ(pe_replace_size(&f, 0, 0, &need), PE_NO_SECTION_ROOM);
        ASSERT_EQ(pe_replace_size(&f, 2, 1, &need), PE_NO_SUCH_SECTION);
        /* data after the last section's raw data (an overlay): not last in the file any more */
        img[0xc10] = 1;
        ASSERT_EQ(pe_parse(img, 0xe00, &f), PE_OK);
        ASSERT_EQ(pe_replace_size(&f, 1, sizeof(big), &need), PE_NO_SECTION_ROOM);
        ASSERT_EQ(pe_replace_size(&f, 1, 0x400, &need), PE_OK);
        /* signed */
        oh()->DataDirectory[PE_DIR_SECURITY] = (PeDataDirectory) { 0xc00, 0x100 };
        ASSERT_EQ(pe_parse(img, 0xe00, &f), PE_OK);
        ASSERT_EQ(pe_replace_size(&f, 1, 4, &need), PE_SIGNED);
}

static void test_checksum(void) {
        /* odd length: the last byte is a word on its own; the checksum field is skipped */
        uint8_t b[7] = { 1, 0, 2, 0, 0xff, 0xff, 3 };
        ASSERT_EQ(pe_checksum(b, sizeof(b), 2), 1 + 3 + 7); /* bytes 2..5 are the field */
        make_image();
        ASSERT_EQ(pe_update_checksum(img, 0xc00), PE_OK);
        PeView f;
        ASSERT_EQ(pe_parse(img, 0xc00, &f), PE_OK);
        ASSERT_EQ(f.opt.CheckSum, pe_checksum(img, 0xc00, (uint32_t) (opt_off() + offsetof(PeOptionalHeader64, CheckSum))));
        img[0x900] ^= 1;
        ASSERT_TRUE(f.opt.CheckSum != pe_checksum(img, 0xc00, (uint32_t) (opt_off() + offsetof(PeOptionalHeader64, CheckSum))));
}

static char *real_path;

static void test_real_binary(void) {
        FILE *fp = fopen(real_path, "rb");
        ASSERT_TRUE(fp);
        static uint8_t buf[16u << 20];
        size_t n = fread(buf, 1, sizeof(buf), fp);
        fclose(fp);
        PeView f;
        ASSERT_EQ(pe_parse(buf, n, &f), PE_OK);
        PeVerdict v = pe_verdict(&f);
        ASSERT_TRUE(v.nx_compat);
        ASSERT_TRUE(v.section_alignment_4k);
        ASSERT_EQ(v.n_wx, 0);
        /* no base relocations at all (we relocate ourselves): sd-stub >= 258 can load us as .linux */
        ASSERT_EQ(v.base_reloc_dir_size, 0);
        ASSERT_EQ(v.n_base_relocs, 0);
        ASSERT_EQ(f.opt.DataDirectory[PE_DIR_BASERELOC].VirtualAddress, 0);
        ASSERT_TRUE(pe_find_section(&f, ".reloc") < 0);
        for (size_t i = 0; i < f.n_sections; i++) /* sd-stub >= 258 refuses raw > virtual in a .linux */
                ASSERT_TRUE(pe_section(&f, i).SizeOfRawData <= pe_section(&f, i).VirtualSize);
        ASSERT_TRUE(!(f.file.Characteristics & PE_FILE_RELOCS_STRIPPED)); /* edk2 would refuse to move us */
        ASSERT_TRUE(v.ok);
        ASSERT_TRUE(pe_find_section(&f, ".sbat") >= 0);
        ASSERT_TRUE(pe_find_section(&f, ".text") >= 0);
        /* every truncation of a valid image either parses or fails cleanly (ASan watches) */
        for (size_t cut = 0; cut < n; cut += 97)
                (void) pe_parse(buf, cut, &f);
}

/* Byte order: the headers decode as little-endian and encode back to the same bytes, checked
 * against bytes written out by hand (on a little-endian host a plain memcpy would pass too; these
 * bytes are what a big-endian host must get, since the decoders use only get_le*()/put_le*()). */

/* write(buffer, &decoded) gives back exactly the bytes want (the buffer starts as 0xaa) */
#define ASSERT_ENCODES(write, decoded, want)                                    \
        do {                                                                    \
                uint8_t back_[sizeof(PeOptionalHeader64)];                      \
                memset(back_, 0xaa, sizeof(back_));                             \
                write(back_, &(decoded));                                       \
                ASSERT_TRUE(memcmp(back_, want, sizeof(want)) == 0);            \
        } while (0)

static void test_byte_order(void) {
        static const uint8_t file[20] = { 0x64, 0x86, 0x03, 0x00, 0x78, 0x56, 0x34, 0x12, 0x01, 0x02,
                                          0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xf0, 0x00, 0x22, 0x20 };
        PeFileHeader fh = pe_file_header_read(file);
        ASSERT_EQ(fh.Machine, 0x8664);
        ASSERT_EQ(fh.NumberOfSections, 3);
        ASSERT_EQ(fh.TimeDateStamp, 0x12345678);
        ASSERT_EQ(fh.PointerToSymbolTable, 0x04030201);
        ASSERT_EQ(fh.NumberOfSymbols, 0x08070605);
        ASSERT_EQ(fh.SizeOfOptionalHeader, 0xf0);
        ASSERT_EQ(fh.Characteristics, 0x2022);
        ASSERT_ENCODES(pe_file_header_write, fh, file);

        static const uint8_t sec[40] = { '.', 't', 'e', 'x', 't', 0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x00, 0x10, 0x00, 0x00,
                                         0x00, 0x02, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44,
                                         0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0x20, 0x00, 0x00, 0x60 };
        PeSectionHeader sh = pe_section_header_read(sec);
        ASSERT_TRUE(memcmp(sh.Name, ".text\0\0\0", 8) == 0);
        ASSERT_EQ(sh.VirtualSize, 0x04030201);
        ASSERT_EQ(sh.VirtualAddress, 0x1000);
        ASSERT_EQ(sh.SizeOfRawData, 0x200);
        ASSERT_EQ(sh.PointerToRawData, 0x400);
        ASSERT_EQ(sh.PointerToRelocations, 0x44332211);
        ASSERT_EQ(sh.PointerToLinenumbers, 0x88776655);
        ASSERT_EQ(sh.NumberOfRelocations, 0xaa99);
        ASSERT_EQ(sh.NumberOfLinenumbers, 0xccbb);
        ASSERT_EQ(sh.Characteristics, 0x60000020);
        ASSERT_ENCODES(pe_section_header_write, sh, sec);

        /* optional header: byte i is i, so each field is its offsets read low byte first */
        uint8_t opt[sizeof(PeOptionalHeader64)];
        for (size_t i = 0; i < sizeof(opt); i++)
                opt[i] = (uint8_t) i;
        PeOptionalHeader64 oh = pe_optional_header_read(opt, sizeof(opt));
        ASSERT_EQ(oh.Magic, 0x0100);
        ASSERT_EQ(oh.MajorLinkerVersion, 0x02);
        ASSERT_EQ(oh.SizeOfCode, 0x07060504);
        ASSERT_TRUE(oh.ImageBase == UINT64_C(0x1f1e1d1c1b1a1918));
        ASSERT_EQ(oh.SectionAlignment, 0x23222120);
        ASSERT_EQ(oh.SizeOfImage, 0x3b3a3938);
        ASSERT_EQ(oh.CheckSum, 0x43424140);
        ASSERT_EQ(oh.Subsystem, 0x4544);
        ASSERT_EQ(oh.DllCharacteristics, 0x4746);
        ASSERT_TRUE(oh.SizeOfHeapCommit == UINT64_C(0x6766656463626160));
        ASSERT_EQ(oh.NumberOfRvaAndSizes, 0x6f6e6d6c);
        ASSERT_EQ(oh.DataDirectory[PE_DIR_BASERELOC].VirtualAddress, 0x9b9a9998);
        ASSERT_EQ(oh.DataDirectory[PE_DIR_BASERELOC].Size, 0x9f9e9d9c);
        ASSERT_EQ(oh.DataDirectory[PE_DIR_COUNT - 1].Size, 0xefeeedec);
        ASSERT_ENCODES(pe_optional_header_write, oh, opt);
        /* a short optional header: what is not there reads as zero */
        oh = pe_optional_header_read(opt, offsetof(PeOptionalHeader64, DataDirectory));
        ASSERT_EQ(oh.NumberOfRvaAndSizes, 0x6f6e6d6c);
        ASSERT_EQ(oh.DataDirectory[PE_DIR_EXPORT].VirtualAddress, 0);
        ASSERT_EQ(oh.DataDirectory[PE_DIR_COUNT - 1].Size, 0);

        /* the header page the CLI starts add-ons from, and a section appended to it, byte by byte:
         * DOS header at 0, PE signature at 0x40, COFF header at 0x44, optional header at 0x58,
         * section table at 0x148 */
        static uint8_t page[PE_EMPTY_SIZE], out[0x2000];
        pe_empty_make(page, PE_MACHINE_ARM64, PE_FILE_EXECUTABLE_IMAGE | PE_FILE_LARGE_ADDRESS_AWARE, 0);
        static const uint8_t dos_pe[] = { 'M', 'Z' }, lfanew[] = { 0x40, 0, 0, 0 }, sig[] = { 'P', 'E', 0, 0 },
                             coff[] = { 0x64, 0xaa, 0, 0 }, opt_size[] = { 0xf0, 0, 0x22, 0 },
                             magic[] = { 0x0b, 0x02 }, salign[] = { 0, 0x10, 0, 0, 0, 0x02, 0, 0 },
                             subsys[] = { 0x0a, 0, 0x40, 0x01 };
        ASSERT_TRUE(memcmp(page, dos_pe, 2) == 0 && memcmp(page + 0x3c, lfanew, 4) == 0);
        ASSERT_TRUE(memcmp(page + 0x40, sig, 4) == 0 && memcmp(page + 0x44, coff, 4) == 0);
        ASSERT_TRUE(memcmp(page + 0x54, opt_size, 4) == 0 && memcmp(page + 0x58, magic, 2) == 0);
        ASSERT_TRUE(memcmp(page + 0x58 + 32, salign, 8) == 0 && memcmp(page + 0x58 + 68, subsys, 4) == 0);
        PeView f, g;
        ASSERT_EQ(pe_parse(page, sizeof(page), &f), PE_OK);
        ASSERT_EQ(f.file.Machine, PE_MACHINE_ARM64);
        ASSERT_EQ(f.opt.SizeOfHeaders, PE_EMPTY_SIZE);
        ASSERT_EQ(f.opt.DllCharacteristics, PE_DLL_NX_COMPAT | PE_DLL_DYNAMIC_BASE);
        PeNewSection n = { ".x", "hello", 5, 0, false };
        size_t got;
        ASSERT_EQ(pe_append_sections(&f, &n, 1, out, sizeof(out), &got), PE_OK);
        ASSERT_EQ(got, 0x1200);
        static const uint8_t nsec[] = { 1, 0 }, image_size[] = { 0, 0x20, 0, 0 },
                             hdr[40] = { '.', 'x', 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x02, 0, 0,
                                         0, 0x10, 0, 0, [36] = 0x40, 0, 0, 0x40 };
        ASSERT_TRUE(memcmp(out + 0x46, nsec, 2) == 0);
        ASSERT_TRUE(memcmp(out + 0x58 + 56, image_size, 4) == 0);
        ASSERT_TRUE(memcmp(out + 0x148, hdr, sizeof(hdr)) == 0);
        ASSERT_TRUE(memcmp(out + 0x1000, "hello", 5) == 0);
        ASSERT_EQ(pe_parse(out, got, &g), PE_OK);
        ASSERT_EQ(pe_section(&g, 0).PointerToRawData, 0x1000);
}

int main(int argc, char **argv) {
        TEST(test_byte_order);
        TEST(test_valid);
        TEST(test_section_names);
        TEST(test_errors);
        TEST(test_verdict);
        TEST(test_append);
        TEST(test_append_refusals);
        TEST(test_replace);
        TEST(test_checksum);
        for (int i = 1; i < argc; i++) {
                real_path = argv[i];
                fprintf(stderr, "%s:\n", real_path);
                TEST(test_real_binary);
        }
        return TESTS_END();
}
