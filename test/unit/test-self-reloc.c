/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Our x86_64 zboot stub relocates itself (src/boot/zboot/self-reloc.c, docs/design.md
 * "Relocation"). Here it is loaded the way systemd-stub >= 258 loads a .linux: the PE's sections
 * copied (pe_load_copy) to a fresh mapping at an address of the kernel's choosing, no
 * relocations applied, page protections per section (code R-X, .rodata R, .data RW), and then
 * the stub's own efi_self_relocate() is called, natively on this x86_64 host. Afterwards every
 * word the relocation table names must hold mapping base + addend and point into the image;
 * a second call (re-entry) and a call after moving the relocated image elsewhere must give the
 * right values; a corrupted table must be refused with nothing written.
 * argv[1]: zbootx64.efi.stub, argv[2]: zbootx64.elf (for the RVAs of the symbols).
 */
#include <elf.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "pe.h"
#include "tests.h"

static uint8_t *pe_file, *elf_file;
static size_t pe_size, elf_size;
static uint64_t rva_fn, rva_start, rva_end;

typedef struct {
        uint64_t offset, info, addend;
} Rela;

static void find_symbols(void) {
        const Elf64_Ehdr *eh = (const Elf64_Ehdr *) elf_file;
        ASSERT_TRUE(elf_size > sizeof(*eh) && eh->e_machine == EM_X86_64);
        const Elf64_Shdr *sh = (const Elf64_Shdr *) (elf_file + eh->e_shoff);
        for (unsigned i = 0; i < eh->e_shnum; i++) {
                if (sh[i].sh_type != SHT_SYMTAB)
                        continue;
                const Elf64_Sym *sym = (const Elf64_Sym *) (elf_file + sh[i].sh_offset);
                const char *str = (const char *) elf_file + sh[sh[i].sh_link].sh_offset;
                for (size_t k = 0; k < sh[i].sh_size / sizeof(*sym); k++) {
                        const char *n = str + sym[k].st_name;
                        if (strcmp(n, "efi_self_relocate") == 0)
                                rva_fn = sym[k].st_value;
                        else if (strcmp(n, "__self_reloc_start") == 0)
                                rva_start = sym[k].st_value;
                        else if (strcmp(n, "__self_reloc_end") == 0)
                                rva_end = sym[k].st_value;
                }
        }
        ASSERT_TRUE(rva_fn && rva_start && rva_end > rva_start);
}

/* A fresh mapping holding the image as a section-copying loader leaves it. `patch` may change
 * the image before the protections are set. */
static uint8_t *map_image(const PeView *v, size_t image_size, void (*patch)(uint8_t *)) {
        uint8_t *m = mmap(NULL, image_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                return NULL;
        if (pe_load_copy(v, m, image_size) != PE_OK)
                return NULL;
        if (patch)
                patch(m);
        mprotect(m, image_size, PROT_READ);
        for (size_t i = 0; i < v->n_sections; i++) {
                PeSectionHeader s = pe_section(v, i);
                int prot = PROT_READ;
                if (s.Characteristics & PE_SCN_MEM_EXECUTE)
                        prot |= PROT_EXEC;
                if (s.Characteristics & PE_SCN_MEM_WRITE)
                        prot |= PROT_WRITE;
                size_t len = (s.VirtualSize + 0xfffu) & ~(size_t) 0xfff;
                if (mprotect(m + s.VirtualAddress, len, prot) != 0)
                        return NULL;
        }
        return m;
}

static bool run_relocator(uint8_t *m) {
        bool (*fn)(void) = (bool (*)(void)) (void *) (m + rva_fn);
        return fn();
}

/* every word named by the table holds base + addend, inside the image */
static void check_relocated(const uint8_t *m, size_t image_size) {
        const Rela *r = (const Rela *) (m + rva_start);
        size_t n = (rva_end - rva_start) / sizeof(Rela);
        ASSERT_TRUE(n >= 10); /* liblzma's table alone has more */
        for (size_t i = 0; i < n; i++) {
                uint64_t v;
                memcpy(&v, m + r[i].offset, 8);
                ASSERT_EQ(v, (uint64_t) (uintptr_t) m + r[i].addend);
                ASSERT_TRUE(v >= (uintptr_t) m && v < (uintptr_t) m + image_size);
        }
}

static void test_sdstub_like_load(void) {
        PeView v;
        ASSERT_EQ(pe_parse(pe_file, pe_size, &v), PE_OK);
        ASSERT_EQ(v.opt.DataDirectory[PE_DIR_BASERELOC].Size, 0); /* nothing for a loader to do */
        size_t image_size = v.opt.SizeOfImage;

        uint8_t *a = map_image(&v, image_size, NULL);
        ASSERT_TRUE(a != NULL);
        /* before: link-time values (linked at 0), i.e. wrong anywhere but address 0 */
        const Rela *r = (const Rela *) (a + rva_start);
        uint64_t w;
        memcpy(&w, a + r[0].offset, 8);
        ASSERT_EQ(w, r[0].addend);
        ASSERT_TRUE(run_relocator(a));
        check_relocated(a, image_size);
        /* re-entry at the same address */
        ASSERT_TRUE(run_relocator(a));
        check_relocated(a, image_size);

        /* the relocated image moved elsewhere (stale pointers in .data): started again there */
        uint8_t *b = map_image(&v, image_size, NULL);
        ASSERT_TRUE(b != NULL && b != a);
        ASSERT_EQ(mprotect(b, image_size, PROT_READ | PROT_WRITE), 0);
        memcpy(b, a, image_size);
        munmap(a, image_size);
        ASSERT_EQ(mprotect(b + rva_fn - (rva_fn & 0xfff), 0x1000, PROT_READ | PROT_EXEC), 0);
        ASSERT_EQ(mprotect(b + pe_section(&v, 0).VirtualAddress, (pe_section(&v, 0).VirtualSize + 0xfffu) & ~0xfffu,
                           PROT_READ | PROT_EXEC), 0);
        ASSERT_TRUE(run_relocator(b));
        check_relocated(b, image_size);
        munmap(b, image_size);
}

static void corrupt_into_text(uint8_t *m) {
        Rela *r = (Rela *) (m + rva_start);
        r[1].offset = rva_fn; /* would overwrite our own code */
}

static void test_bad_table_refused(void) {
        PeView v;
        ASSERT_EQ(pe_parse(pe_file, pe_size, &v), PE_OK);
        size_t image_size = v.opt.SizeOfImage;
        uint8_t *m = map_image(&v, image_size, corrupt_into_text);
        ASSERT_TRUE(m != NULL);
        uint8_t *before = malloc(image_size);
        ASSERT_TRUE(before != NULL);
        memcpy(before, m, image_size);
        ASSERT_TRUE(!run_relocator(m));
        ASSERT_TRUE(memcmp(before, m, image_size) == 0); /* not even the valid first entry was applied */
        free(before);
        munmap(m, image_size);
}

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: %s zbootx64.efi.stub zbootx64.elf\n", argv[0]);
                return 1;
        }
        pe_file = test_read_file(argv[1], &pe_size);
        elf_file = test_read_file(argv[2], &elf_size);
        find_symbols();
        if (!rva_fn)
                return 1;
        TEST(test_sdstub_like_load);
        TEST(test_bad_table_refused);
        free(pe_file);
        free(elf_file);
        return TESTS_END();
}
