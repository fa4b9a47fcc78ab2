/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * elf2efi: turn the static-PIE ELF that ld.lld links for our EFI binaries into a PE32+ EFI
 * application.
 *
 * Why not link PE directly: the same freestanding objects also go into host tests (ELF), and
 * an ELF link keeps one toolchain for both. The link (src/boot/efi.lds) places every output
 * section we keep at a 4 KiB boundary, with the first at 0x1000, so ELF virtual addresses are
 * PE RVAs and nothing needs moving. This tool:
 *   - copies each kept allocated section into a PE section with W^X flags derived from the
 *     ELF flags (never writable and executable at once: refused);
 *   - turns every R_*_RELATIVE dynamic relocation into a DIR64 base relocation and stores the
 *     addend at the target (the image is linked at 0, so the addend is the link-time value);
 *   - refuses any other dynamic relocation, so a missing -fvisibility=hidden shows at build time;
 *   - writes headers with NX_COMPAT, SectionAlignment 4096, FileAlignment 512 and room for
 *     the section headers `ukify-zboot build` appends later.
 */
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pe-format.h"

#define SECTION_ALIGN   0x1000u
#define FILE_ALIGN      0x200u
#define HEADER_SIZE     0x1000u /* file size of the headers: room for ~90 section headers */
#define MAX_SECTIONS    32

static const char *arg_input, *arg_output;
static unsigned arg_image_version_major = 0, arg_image_version_minor = 0;
static uint16_t arg_subsystem = PE_SUBSYSTEM_EFI_APPLICATION;

static void die(const char *fmt, const char *a) {
        fprintf(stderr, "elf2efi: ");
        fprintf(stderr, fmt, a);
        fputc('\n', stderr);
        if (arg_output)
                remove(arg_output);
        exit(EXIT_FAILURE);
}

static uint32_t align_up(uint32_t v, uint32_t a) {
        return (v + a - 1) & ~(a - 1);
}

typedef struct {
        char name[9];
        uint32_t rva, vsize, flags;
        const uint8_t *data; /* NULL for NOBITS */
        uint32_t data_size;
        uint8_t *copy;       /* writable copy (relocations get applied) */
} OutSection;

static OutSection sections[MAX_SECTIONS];
static unsigned n_sections;

/* Which ELF sections become PE sections, and with which PE name. Everything else allocated
 * (dynamic symbol tables and such) is link-time only. */
static const char *pe_name_for(const char *elf_name) {
        static const char *const keep[] = { ".text", ".rodata", ".data", ".sbat", ".sdmagic", NULL };
        for (size_t i = 0; keep[i]; i++)
                if (strcmp(elf_name, keep[i]) == 0)
                        return keep[i];
        if (strcmp(elf_name, ".bss") == 0)
                return ".data"; /* merged into the writable section as zero tail */
        return NULL;
}

static uint8_t *read_file(const char *path, size_t *ret_size) {
        FILE *f = fopen(path, "rb");
        if (!f)
                die("cannot open %s", path);
        if (fseek(f, 0, SEEK_END) < 0)
                die("cannot seek %s", path);
        long sz = ftell(f);
        if (sz < 0)
                die("cannot size %s", path);
        rewind(f);
        uint8_t *buf = malloc((size_t) sz + 1);
        if (!buf || fread(buf, 1, (size_t) sz, f) != (size_t) sz)
                die("cannot read %s", path);
        fclose(f);
        *ret_size = (size_t) sz;
        return buf;
}

static bool range_ok(size_t off, size_t len, size_t total) {
        return off <= total && len <= total - off;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "image-version", required_argument, NULL, 'v' },
                { "driver",        no_argument,       NULL, 'd' },
                { "help",          no_argument,       NULL, 'h' },
                {}
        };
        int c;
        while ((c = getopt_long(argc, argv, "hdv:", options, NULL)) >= 0)
                switch (c) {
                case 'v':
                        if (sscanf(optarg, "%u.%u", &arg_image_version_major, &arg_image_version_minor) < 1)
                                die("bad --image-version %s", optarg);
                        break;
                case 'd':
                        arg_subsystem = PE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER;
                        break;
                case 'h':
                        printf("Usage: elf2efi [--image-version MAJOR[.MINOR]] [--driver] INPUT.elf OUTPUT.efi\n"
                               "  --driver  a boot service driver (stays resident) instead of an application\n");
                        return 0;
                default:
                        return EXIT_FAILURE;
                }
        if (argc - optind != 2) {
                fprintf(stderr, "elf2efi: expected INPUT.elf OUTPUT.efi\n");
                return EXIT_FAILURE;
        }
        arg_input = argv[optind];

        size_t size;
        uint8_t *elf = read_file(arg_input, &size);
        arg_output = argv[optind + 1];

        if (size < sizeof(Elf64_Ehdr) || memcmp(elf, ELFMAG, SELFMAG) != 0 || elf[EI_CLASS] != ELFCLASS64 ||
            elf[EI_DATA] != ELFDATA2LSB)
                die("%s: not a little-endian ELF64 file", arg_input);
        const Elf64_Ehdr *eh = (const Elf64_Ehdr *) elf;
        if (eh->e_type != ET_DYN)
                die("%s: not a PIE (link with -pie)", arg_input);

        uint16_t machine;
        uint32_t reloc_relative;
        switch (eh->e_machine) {
        case EM_X86_64:  machine = PE_MACHINE_X86_64; reloc_relative = R_X86_64_RELATIVE; break;
        case EM_AARCH64: machine = PE_MACHINE_ARM64;  reloc_relative = R_AARCH64_RELATIVE; break;
        default: die("%s: unsupported ELF machine", arg_input);
        }

        if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
            !range_ok(eh->e_shoff, (size_t) eh->e_shnum * sizeof(Elf64_Shdr), size) || eh->e_shstrndx >= eh->e_shnum)
                die("%s: bad section header table", arg_input);
        const Elf64_Shdr *sh = (const Elf64_Shdr *) (elf + eh->e_shoff);
        const Elf64_Shdr *strtab = &sh[eh->e_shstrndx];
        if (!range_ok(strtab->sh_offset, strtab->sh_size, size))
                die("%s: bad section name table", arg_input);
        const char *names = (const char *) elf + strtab->sh_offset;

        const Elf64_Shdr *rela = NULL;
        for (unsigned i = 1; i < eh->e_shnum; i++) {
                if (sh[i].sh_name >= strtab->sh_size)
                        die("%s: bad section name", arg_input);
                const char *name = names + sh[i].sh_name;

                if (sh[i].sh_type == SHT_RELA && (sh[i].sh_flags & SHF_ALLOC)) {
                        if (rela)
                                die("%s: more than one allocated RELA section", arg_input);
                        rela = &sh[i];
                        continue;
                }
                if (sh[i].sh_type == SHT_REL || sh[i].sh_type == SHT_RELR)
                        die("%s: REL/RELR relocations are not supported, use RELA", arg_input);
                if (!(sh[i].sh_flags & SHF_ALLOC) || sh[i].sh_size == 0)
                        continue;

                const char *pe_name = pe_name_for(name);
                if (!pe_name) {
                        if (strncmp(name, ".dyn", 4) == 0 || strcmp(name, ".hash") == 0 ||
                            strcmp(name, ".gnu.hash") == 0 || strcmp(name, ".got") == 0)
                                continue; /* link-time metadata (an empty .got is fine; a used one sits in .data) */
                        die("section %s is not mapped by src/boot/efi.lds", name);
                }

                if ((sh[i].sh_flags & SHF_WRITE) && (sh[i].sh_flags & SHF_EXECINSTR))
                        die("section %s is both writable and executable", name);
                if (sh[i].sh_addr > UINT32_MAX || sh[i].sh_size > UINT32_MAX - sh[i].sh_addr)
                        die("section %s is beyond 4 GiB", name);

                uint32_t flags;
                if (sh[i].sh_flags & SHF_EXECINSTR)
                        flags = PE_SCN_CNT_CODE | PE_SCN_MEM_READ | PE_SCN_MEM_EXECUTE;
                else if (sh[i].sh_flags & SHF_WRITE)
                        flags = PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ | PE_SCN_MEM_WRITE;
                else
                        flags = PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ;

                OutSection *prev = n_sections > 0 ? &sections[n_sections - 1] : NULL;
                if (prev && strcmp(prev->name, pe_name) == 0) {
                        /* .bss after .data: extend the virtual size, it is zero-filled by the loader */
                        if (sh[i].sh_type != SHT_NOBITS || prev->flags != flags ||
                            sh[i].sh_addr < prev->rva + prev->vsize)
                                die("cannot merge section %s", name);
                        prev->vsize = (uint32_t) (sh[i].sh_addr + sh[i].sh_size - prev->rva);
                        continue;
                }

                if (n_sections >= MAX_SECTIONS)
                        die("too many sections (%s)", name);
                if (sh[i].sh_addr % SECTION_ALIGN != 0)
                        die("section %s is not 4 KiB aligned: fix src/boot/efi.lds", name);
                if (prev && sh[i].sh_addr < align_up(prev->rva + prev->vsize, SECTION_ALIGN))
                        die("section %s overlaps the previous one", name);
                if (!prev && sh[i].sh_addr < HEADER_SIZE)
                        die("section %s overlaps the headers", name);

                OutSection *s = &sections[n_sections++];
                snprintf(s->name, sizeof(s->name), "%s", pe_name);
                s->rva = (uint32_t) sh[i].sh_addr;
                s->vsize = (uint32_t) sh[i].sh_size;
                s->flags = flags;
                if (sh[i].sh_type != SHT_NOBITS) {
                        if (!range_ok(sh[i].sh_offset, sh[i].sh_size, size))
                                die("section %s is outside the file", name);
                        s->data = elf + sh[i].sh_offset;
                        s->data_size = (uint32_t) sh[i].sh_size;
                        s->copy = malloc(s->data_size);
                        if (!s->copy)
                                die("out of memory%s", "");
                        memcpy(s->copy, s->data, s->data_size);
                }
        }
        if (n_sections == 0)
                die("%s: no sections to convert", arg_input);

        /* Relocations: collect RELATIVE targets, sorted by address (lld emits them sorted, but
         * do not rely on it), apply addends to our copies. */
        size_t n_relocs = 0;
        uint32_t *targets = NULL;
        if (rela) {
                if (rela->sh_entsize != sizeof(Elf64_Rela) || !range_ok(rela->sh_offset, rela->sh_size, size))
                        die("%s: bad RELA section", arg_input);
                size_t n = rela->sh_size / sizeof(Elf64_Rela);
                const Elf64_Rela *r = (const Elf64_Rela *) (elf + rela->sh_offset);
                targets = calloc(n + 1, sizeof(uint32_t));
                if (!targets)
                        die("out of memory%s", "");
                for (size_t i = 0; i < n; i++) {
                        if (ELF64_R_TYPE(r[i].r_info) != reloc_relative)
                                die("%s: dynamic relocation other than RELATIVE (symbol not hidden?)", arg_input);
                        OutSection *s = NULL;
                        for (unsigned j = 0; j < n_sections; j++)
                                if (r[i].r_offset >= sections[j].rva &&
                                    r[i].r_offset + 8 <= (uint64_t) sections[j].rva + sections[j].data_size)
                                        s = &sections[j];
                        if (!s)
                                die("%s: relocation outside the converted sections", arg_input);
                        if (s->flags & PE_SCN_MEM_EXECUTE)
                                die("%s: relocation in code (text relocation)", arg_input);
                        uint64_t v = (uint64_t) r[i].r_addend;
                        memcpy(s->copy + (r[i].r_offset - s->rva), &v, 8);
                        targets[n_relocs++] = (uint32_t) r[i].r_offset;
                }
                for (size_t i = 1; i < n_relocs; i++) /* insertion sort: a few hundred entries */
                        for (size_t j = i; j > 0 && targets[j - 1] > targets[j]; j--) {
                                uint32_t t = targets[j];
                                targets[j] = targets[j - 1];
                                targets[j - 1] = t;
                        }
        }

        /* Build .reloc: one block per 4 KiB page, each padded to 4 bytes. */
        size_t reloc_cap = n_relocs * 2 + (n_relocs + 1) * (sizeof(PeBaseRelocBlock) + 2) + 16;
        uint8_t *reloc = calloc(1, reloc_cap);
        if (!reloc)
                die("out of memory%s", "");
        size_t reloc_size = 0;
        for (size_t i = 0; i < n_relocs;) {
                uint32_t page = targets[i] & ~(SECTION_ALIGN - 1);
                PeBaseRelocBlock *b = (PeBaseRelocBlock *) (reloc + reloc_size);
                size_t off = reloc_size + sizeof(*b);
                for (; i < n_relocs && (targets[i] & ~(SECTION_ALIGN - 1)) == page; i++) {
                        uint16_t e = (uint16_t) (PE_REL_BASED_DIR64 << 12 | (targets[i] & (SECTION_ALIGN - 1)));
                        memcpy(reloc + off, &e, 2);
                        off += 2;
                }
                if (off % 4)
                        off += 2; /* ABSOLUTE padding entry (zero) */
                b->PageRVA = page;
                b->BlockSize = (uint32_t) (off - reloc_size);
                reloc_size = off;
        }
        if (reloc_size == 0) {
                /* Keep an empty-but-valid block so the image is marked relocatable everywhere. */
                PeBaseRelocBlock *b = (PeBaseRelocBlock *) reloc;
                b->PageRVA = 0;
                b->BlockSize = sizeof(*b) + 4;
                reloc_size = b->BlockSize;
        }
        OutSection *last = &sections[n_sections - 1];
        if (n_sections >= MAX_SECTIONS)
                die("too many sections%s", "");
        OutSection *rs = &sections[n_sections++];
        snprintf(rs->name, sizeof(rs->name), ".reloc");
        rs->rva = align_up(last->rva + last->vsize, SECTION_ALIGN);
        rs->vsize = (uint32_t) reloc_size;
        rs->flags = PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ | PE_SCN_MEM_DISCARDABLE;
        rs->copy = reloc;
        rs->data_size = (uint32_t) reloc_size;

        /* Lay out the file. */
        uint32_t file_off = HEADER_SIZE;
        PeSectionHeader shdrs[MAX_SECTIONS] = {};
        uint32_t size_code = 0, size_data = 0, base_code = 0;
        for (unsigned i = 0; i < n_sections; i++) {
                OutSection *s = &sections[i];
                PeSectionHeader *p = &shdrs[i];
                memcpy(p->Name, s->name, strlen(s->name));
                p->VirtualSize = s->vsize;
                p->VirtualAddress = s->rva;
                p->SizeOfRawData = align_up(s->data_size, FILE_ALIGN);
                p->PointerToRawData = s->data_size ? file_off : 0;
                p->Characteristics = s->flags;
                file_off += p->SizeOfRawData;
                if (s->flags & PE_SCN_CNT_CODE) {
                        size_code += p->SizeOfRawData;
                        if (!base_code)
                                base_code = s->rva;
                } else
                        size_data += p->SizeOfRawData;
        }
        if (sizeof(DosHeader) + sizeof(PeHeader64) + n_sections * sizeof(PeSectionHeader) > HEADER_SIZE)
                die("headers too large%s", "");

        uint8_t *out = calloc(1, file_off);
        if (!out)
                die("out of memory%s", "");
        DosHeader *dos = (DosHeader *) out;
        dos->e_magic = DOS_MAGIC;
        dos->e_lfanew = sizeof(DosHeader);
        PeHeader64 *pe = (PeHeader64 *) (out + sizeof(DosHeader));
        pe->Signature = PE_MAGIC;
        pe->FileHeader.Machine = machine;
        pe->FileHeader.NumberOfSections = (uint16_t) n_sections;
        pe->FileHeader.SizeOfOptionalHeader = sizeof(PeOptionalHeader64);
        pe->FileHeader.Characteristics = PE_FILE_EXECUTABLE_IMAGE | PE_FILE_LARGE_ADDRESS_AWARE | PE_FILE_DEBUG_STRIPPED;
        PeOptionalHeader64 *o = &pe->OptionalHeader;
        o->Magic = PE_OPT_MAGIC_PE32PLUS;
        o->MajorLinkerVersion = 0;
        o->SizeOfCode = size_code;
        o->SizeOfInitializedData = size_data;
        if (eh->e_entry > UINT32_MAX)
                die("entry point beyond 4 GiB%s", "");
        o->AddressOfEntryPoint = (uint32_t) eh->e_entry;
        o->BaseOfCode = base_code;
        o->ImageBase = 0; /* linked at 0; firmware relocates */
        o->SectionAlignment = SECTION_ALIGN;
        o->FileAlignment = FILE_ALIGN;
        o->MajorImageVersion = (uint16_t) arg_image_version_major;
        o->MinorImageVersion = (uint16_t) arg_image_version_minor;
        o->SizeOfImage = align_up(rs->rva + rs->vsize, SECTION_ALIGN);
        o->SizeOfHeaders = HEADER_SIZE;
        o->Subsystem = arg_subsystem;
        o->DllCharacteristics = PE_DLL_DYNAMIC_BASE | PE_DLL_NX_COMPAT;
        o->SizeOfStackReserve = 0x10000;
        o->SizeOfStackCommit = 0x10000;
        o->SizeOfHeapReserve = 0x10000;
        o->SizeOfHeapCommit = 0x10000;
        o->NumberOfRvaAndSizes = PE_DIR_COUNT;
        o->DataDirectory[PE_DIR_BASERELOC].VirtualAddress = rs->rva;
        o->DataDirectory[PE_DIR_BASERELOC].Size = rs->vsize;
        memcpy(out + sizeof(DosHeader) + sizeof(PeHeader64), shdrs, n_sections * sizeof(PeSectionHeader));
        for (unsigned i = 0; i < n_sections; i++)
                if (sections[i].data_size)
                        memcpy(out + shdrs[i].PointerToRawData, sections[i].copy, sections[i].data_size);

        FILE *f = fopen(arg_output, "wb");
        if (!f)
                die("cannot create %s", arg_output);
        if (fwrite(out, 1, file_off, f) != file_off || fclose(f) != 0)
                die("cannot write %s", arg_output);
        return 0;
}
