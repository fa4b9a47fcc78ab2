/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pe-load on a real PE (one of our own EFI binaries, path in argv[1]) and on broken ones. */
#include "pe-load.h"
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

static void test_copy_and_relocate(void) {
        PeLoadView v;
        ASSERT_EQ(pe_load_view(file, file_size, &v), PE_LOAD_OK);
        ASSERT_TRUE(v.n_sections >= 4);
        uint32_t image_size = v.pe->OptionalHeader.SizeOfImage;
        uint8_t *img = malloc(image_size);
        ASSERT_TRUE(img != NULL);

        ASSERT_EQ(pe_load_copy(file, file_size, &v, img, image_size - 1), PE_LOAD_DST_TOO_SMALL);
        ASSERT_EQ(pe_load_copy(file, file_size, &v, img, image_size), PE_LOAD_OK);
        for (size_t i = 0; i < v.n_sections; i++) {
                const PeSectionHeader *s = &v.sections[i];
                uint32_t raw = s->SizeOfRawData < s->VirtualSize ? s->SizeOfRawData : s->VirtualSize;
                ASSERT_TRUE(memcmp(img + s->VirtualAddress, file + s->PointerToRawData, raw) == 0);
                for (uint32_t k = raw; k < s->VirtualSize; k++)
                        ASSERT_EQ(img[s->VirtualAddress + k], 0);
        }

        /* relocate up and back down: identical; up alone: changed */
        uint8_t *copy = malloc(image_size);
        ASSERT_TRUE(copy != NULL);
        memcpy(copy, img, image_size);
        ASSERT_EQ(pe_load_relocate(img, image_size, &v, 0x123456000), PE_LOAD_OK);
        ASSERT_TRUE(memcmp(copy, img, image_size) != 0);
        ASSERT_EQ(pe_load_relocate(img, image_size, &v, (uint64_t) -0x123456000), PE_LOAD_OK);
        ASSERT_TRUE(memcmp(copy, img, image_size) == 0);

        /* our images are laid out with FileAlignment 512 < SectionAlignment: not identity */
        ASSERT_TRUE(!pe_load_is_identity(&v, file_size));
        free(copy);
        free(img);
}

static void test_broken(void) {
        PeLoadView v;
        uint8_t *f = malloc(file_size);
        ASSERT_TRUE(f != NULL);

        ASSERT_EQ(pe_load_view(file, 10, &v), PE_LOAD_BAD_HEADERS);
        memcpy(f, file, file_size);
        f[0] = 'X';
        ASSERT_EQ(pe_load_view(f, file_size, &v), PE_LOAD_BAD_HEADERS);
        memcpy(f, file, file_size);
        uint32_t lfanew = 0xfffffff0;
        memcpy(f + 0x3c, &lfanew, 4);
        ASSERT_EQ(pe_load_view(f, file_size, &v), PE_LOAD_BAD_HEADERS);

        /* a section whose raw data runs past the end of the file */
        memcpy(f, file, file_size);
        ASSERT_EQ(pe_load_view(f, file_size, &v), PE_LOAD_OK);
        PeSectionHeader *s = (PeSectionHeader *) &v.sections[0];
        s->PointerToRawData = (uint32_t) file_size - 16;
        uint32_t image_size = v.pe->OptionalHeader.SizeOfImage;
        uint8_t *img = malloc(image_size);
        ASSERT_TRUE(img != NULL);
        memset(img, 0xaa, image_size);
        ASSERT_EQ(pe_load_copy(f, file_size, &v, img, image_size), PE_LOAD_BAD_SECTION);
        ASSERT_EQ(img[0], 0xaa); /* nothing written */

        /* a relocation pointing past the image: refused, nothing patched */
        memcpy(f, file, file_size);
        ASSERT_EQ(pe_load_view(f, file_size, &v), PE_LOAD_OK);
        ASSERT_EQ(pe_load_copy(f, file_size, &v, img, image_size), PE_LOAD_OK);
        const PeDataDirectory *d = &v.pe->OptionalHeader.DataDirectory[PE_DIR_BASERELOC];
        ASSERT_TRUE(d->Size >= sizeof(PeBaseRelocBlock) + 2);
        PeBaseRelocBlock b;
        memcpy(&b, img + d->VirtualAddress, sizeof(b));
        uint8_t *before = malloc(image_size);
        ASSERT_TRUE(before != NULL);
        b.PageRVA = image_size; /* every entry lands outside */
        memcpy(img + d->VirtualAddress, &b, sizeof(b));
        memcpy(before, img, image_size);
        ASSERT_EQ(pe_load_relocate(img, image_size, &v, 0x1000), PE_LOAD_BAD_RELOC);
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
        PeLoadView v;
        ASSERT_EQ(pe_load_view(file, file_size, &v), PE_LOAD_OK);
        PeOptionalHeader64 *o = (PeOptionalHeader64 *) &v.pe->OptionalHeader;
        ASSERT_EQ(o->DataDirectory[PE_DIR_BASERELOC].Size, 0); /* the binary as built has none */
        const PeSectionHeader *data = NULL;
        for (size_t i = 0; i < v.n_sections; i++)
                if (memcmp(v.sections[i].Name, ".data\0", 6) == 0)
                        data = &v.sections[i];
        ASSERT_TRUE(data && data->VirtualSize >= 0x30 && data->SizeOfRawData >= 0x30);
        PeBaseRelocBlock b = { .PageRVA = data->VirtualAddress, .BlockSize = sizeof(b) + 8 };
        uint16_t e[4] = { PE_REL_BASED_DIR64 << 12 | 0x20, PE_REL_BASED_DIR64 << 12 | 0x28, 0, 0 };
        memcpy(file + data->PointerToRawData, &b, sizeof(b));
        memcpy(file + data->PointerToRawData + sizeof(b), e, sizeof(e));
        o->DataDirectory[PE_DIR_BASERELOC] = (PeDataDirectory) { data->VirtualAddress, b.BlockSize };
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
