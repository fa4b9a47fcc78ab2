/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loader half of the PE reader (pe.h: copy into memory layout, base relocations, identity)
 * and section lookup in both layouts, on a real PE (one of our own EFI binaries, path in
 * argv[1]) and on broken ones. */
#include "pe.h"
#include "tests.h"

static uint8_t *file;
static size_t file_size;

static void load_file(const char *path) {
        FILE *f = fopen(path, "rb");
        if (!f) {
                perror(path);
                exit(1);
        }
        fseek(f, 0, SEEK_END);
        file_size = (size_t) ftell(f);
        rewind(f);
        file = malloc(file_size);
        if (!file || fread(file, 1, file_size, f) != file_size)
                exit(1);
        fclose(f);
}

static PeOptionalHeader64 *opt_header(uint8_t *buf, const PeView *v) {
        return (PeOptionalHeader64 *) (buf + v->pe_offset + 4 + sizeof(PeFileHeader));
}

static void test_copy_and_relocate(void) {
        PeView v;
        ASSERT_EQ(pe_parse(file, file_size, &v), PE_OK);
        ASSERT_TRUE(v.n_sections >= 4);
        uint32_t image_size = v.opt.SizeOfImage;
        uint8_t *img = malloc(image_size);
        ASSERT_TRUE(img != NULL);

        ASSERT_EQ(pe_load_copy(&v, img, image_size - 1), PE_BUFFER_TOO_SMALL);
        ASSERT_EQ(pe_load_copy(&v, img, image_size), PE_OK);
        for (size_t i = 0; i < v.n_sections; i++) {
                PeSectionHeader s = pe_section(&v, i);
                uint32_t raw = s.SizeOfRawData < s.VirtualSize ? s.SizeOfRawData : s.VirtualSize;
                ASSERT_TRUE(memcmp(img + s.VirtualAddress, file + s.PointerToRawData, raw) == 0);
                for (uint32_t k = raw; k < s.VirtualSize; k++)
                        ASSERT_EQ(img[s.VirtualAddress + k], 0);
        }

        /* The same section looked up in the file and in the loaded image (memory layout): the
         * same bytes, at PointerToRawData in one and at VirtualAddress in the other. */
        PeView m;
        ASSERT_EQ(pe_parse_layout(img, image_size, PE_LAYOUT_MEMORY, &m), PE_OK);
        ASSERT_EQ(m.n_sections, v.n_sections);
        static const char *const names[] = { ".text", ".data", ".sbat" };
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
                const uint8_t *fd, *md;
                size_t fn, mn;
                ASSERT_TRUE(pe_section_find(&v, names[k], &fd, &fn));
                ASSERT_TRUE(pe_section_find(&m, names[k], &md, &mn));
                PeSectionHeader s = pe_section(&v, (size_t) pe_find_section(&v, names[k]));
                ASSERT_TRUE(fd == file + s.PointerToRawData);
                ASSERT_TRUE(md == img + s.VirtualAddress);
                ASSERT_EQ(mn, s.VirtualSize);
                ASSERT_EQ(fn, s.VirtualSize < s.SizeOfRawData ? s.VirtualSize : s.SizeOfRawData);
                ASSERT_TRUE(memcmp(fd, md, fn) == 0);
        }
        const uint8_t *d;
        size_t n;
        ASSERT_TRUE(!pe_section_find(&m, ".nosuch", &d, &n));
        ASSERT_TRUE(!pe_section_find(&v, ".nosuch", &d, &n));
        /* memory layout: a section past ImageSize is not found (the view still parses: the
         * loaded image may be shorter than SizeOfImage, each lookup is checked) */
        PeView shortv;
        PeSectionHeader last = pe_section(&v, v.n_sections - 1);
        char last_name[PE_SECTION_NAME_LEN + 1];
        pe_section_name(&last, last_name);
        ASSERT_EQ(pe_parse_layout(img, last.VirtualAddress + 1, PE_LAYOUT_MEMORY, &shortv), PE_OK);
        ASSERT_TRUE(last.VirtualSize > 1);
        ASSERT_TRUE(!pe_section_find(&shortv, last_name, &d, &n));
        ASSERT_TRUE(pe_section_data(&shortv, v.n_sections - 1, &n) == NULL);
        ASSERT_TRUE(pe_section_find(&shortv, ".text", &d, &n));

        /* relocate up and back down: identical; up alone: changed */
        uint8_t *copy = malloc(image_size);
        ASSERT_TRUE(copy != NULL);
        memcpy(copy, img, image_size);
        ASSERT_EQ(pe_load_relocate(img, image_size, &v, 0x123456000), PE_OK);
        ASSERT_TRUE(memcmp(copy, img, image_size) != 0);
        ASSERT_EQ(pe_load_relocate(img, image_size, &v, (uint64_t) -0x123456000), PE_OK);
        ASSERT_TRUE(memcmp(copy, img, image_size) == 0);

        /* our images are laid out with FileAlignment 512 < SectionAlignment: not identity */
        ASSERT_TRUE(!pe_load_is_identity(&v));
        free(copy);
        free(img);
}

static void test_broken(void) {
        PeView v;
        uint8_t *f = malloc(file_size);
        ASSERT_TRUE(f != NULL);

        ASSERT_EQ(pe_parse(file, 10, &v), PE_TOO_SHORT);
        ASSERT_EQ(pe_parse_layout(file, 10, PE_LAYOUT_MEMORY, &v), PE_TOO_SHORT);
        memcpy(f, file, file_size);
        f[0] = 'X';
        ASSERT_EQ(pe_parse(f, file_size, &v), PE_BAD_DOS_MAGIC);
        ASSERT_EQ(pe_parse_layout(f, file_size, PE_LAYOUT_MEMORY, &v), PE_BAD_DOS_MAGIC);
        memcpy(f, file, file_size);
        uint32_t lfanew = 0xfffffff0;
        memcpy(f + 0x3c, &lfanew, 4);
        ASSERT_EQ(pe_parse(f, file_size, &v), PE_BAD_LFANEW);
        ASSERT_EQ(pe_parse_layout(f, file_size, PE_LAYOUT_MEMORY, &v), PE_BAD_LFANEW);

        /* a section whose raw data runs past the end of the file: refused in file layout,
         * irrelevant in memory layout; the loader re-checks a view whose table changed */
        memcpy(f, file, file_size);
        ASSERT_EQ(pe_parse(f, file_size, &v), PE_OK);
        PeSectionHeader *s = (PeSectionHeader *) (f + v.sections_offset);
        s->PointerToRawData = (uint32_t) file_size - 16;
        PeView w;
        ASSERT_EQ(pe_parse(f, file_size, &w), PE_SECTION_DATA_OUTSIDE);
        ASSERT_EQ(pe_parse_layout(f, file_size, PE_LAYOUT_MEMORY, &w), PE_OK);
        uint32_t image_size = v.opt.SizeOfImage;
        uint8_t *img = malloc(image_size);
        ASSERT_TRUE(img != NULL);
        memset(img, 0xaa, image_size);
        ASSERT_EQ(pe_load_copy(&v, img, image_size), PE_SECTION_DATA_OUTSIDE);
        ASSERT_EQ(img[0], 0xaa); /* nothing written */
        ASSERT_EQ(pe_load_copy(&w, img, image_size), PE_SECTION_DATA_OUTSIDE); /* a memory view has no raw data */
        ASSERT_EQ(img[0], 0xaa);

        /* a section table beyond SizeOfHeaders (a loader would not map it): refused in both */
        memcpy(f, file, file_size);
        ASSERT_EQ(pe_parse(f, file_size, &v), PE_OK);
        opt_header(f, &v)->SizeOfHeaders = v.sections_offset + 8;
        ASSERT_EQ(pe_parse(f, file_size, &w), PE_SECTION_TABLE_OUTSIDE);
        ASSERT_EQ(pe_parse_layout(f, file_size, PE_LAYOUT_MEMORY, &w), PE_SECTION_TABLE_OUTSIDE);

        /* a certificate table past the end: refused in file layout, not loaded in memory */
        memcpy(f, file, file_size);
        opt_header(f, &v)->DataDirectory[PE_DIR_SECURITY] = (PeDataDirectory) { (uint32_t) file_size - 8, 16 };
        ASSERT_EQ(pe_parse(f, file_size, &w), PE_BAD_DATA_DIRECTORY);
        ASSERT_EQ(pe_parse_layout(f, file_size, PE_LAYOUT_MEMORY, &w), PE_OK);

        /* a relocation pointing past the image: refused, nothing patched */
        memcpy(f, file, file_size);
        ASSERT_EQ(pe_parse(f, file_size, &v), PE_OK);
        ASSERT_EQ(pe_load_copy(&v, img, image_size), PE_OK);
        PeDataDirectory d = v.opt.DataDirectory[PE_DIR_BASERELOC];
        ASSERT_TRUE(d.Size >= sizeof(PeBaseRelocBlock) + 2);
        PeBaseRelocBlock b;
        memcpy(&b, img + d.VirtualAddress, sizeof(b));
        uint8_t *before = malloc(image_size);
        ASSERT_TRUE(before != NULL);
        b.PageRVA = image_size; /* every entry lands outside */
        memcpy(img + d.VirtualAddress, &b, sizeof(b));
        memcpy(before, img, image_size);
        ASSERT_EQ(pe_load_relocate(img, image_size, &v, 0x1000), PE_BAD_RELOC);
        ASSERT_TRUE(memcmp(before, img, image_size) == 0);
        free(before);
        free(img);
        free(f);
}

/* Our EFI binaries carry no base relocations (they relocate themselves, docs/design.md
 * "Relocation"), but pe_load_relocate() must still handle the inner kernels that do. Give the
 * test's copy a small table: one block at the start of .data (overwriting 16 bytes of it) with
 * two DIR64 entries for the words at .data+0x20 and +0x28, and the directory pointing at it. */
static void add_base_relocs(void) {
        PeView v;
        ASSERT_EQ(pe_parse(file, file_size, &v), PE_OK);
        PeOptionalHeader64 *o = opt_header(file, &v);
        ASSERT_EQ(o->DataDirectory[PE_DIR_BASERELOC].Size, 0); /* the binary as built has none */
        int i = pe_find_section(&v, ".data");
        ASSERT_TRUE(i >= 0);
        PeSectionHeader data = pe_section(&v, (size_t) i);
        ASSERT_TRUE(data.VirtualSize >= 0x30 && data.SizeOfRawData >= 0x30);
        PeBaseRelocBlock b = { .PageRVA = data.VirtualAddress, .BlockSize = sizeof(b) + 8 };
        uint16_t e[4] = { PE_REL_BASED_DIR64 << 12 | 0x20, PE_REL_BASED_DIR64 << 12 | 0x28, 0, 0 };
        memcpy(file + data.PointerToRawData, &b, sizeof(b));
        memcpy(file + data.PointerToRawData + sizeof(b), e, sizeof(e));
        o->DataDirectory[PE_DIR_BASERELOC] = (PeDataDirectory) { data.VirtualAddress, b.BlockSize };
}

int main(int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: %s PE-FILE\n", argv[0]);
                return 1;
        }
        load_file(argv[1]);
        add_base_relocs();
        TEST(test_copy_and_relocate);
        TEST(test_broken);
        free(file);
        return TESTS_END();
}
