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
 *   - writes NO base relocations (docs/design.md, "Relocation"): systemd-stub >= 258 refuses
 *     an inner .linux whose base relocation directory is not empty. The ELF's R_*_RELATIVE
 *     relocations stay in .rela.dyn, which becomes the tail of the read-only PE .rodata, and
 *     src/boot/zboot/self-reloc.c applies them at entry. So this tool refuses, and the build
 *     fails, if: a relocation is not RELATIVE (symbol not hidden?), targets anything but an
 *     aligned word in the writable .data (the section a strict-NX loader leaves writable), or
 *     points outside the image; the table is not where __self_reloc_start/_end say, or the
 *     image has relocations but no efi_self_relocate; there is a GOT (the relocator would need
 *     it relocated first); the finished headers have a base relocation directory or claim
 *     RELOCS_STRIPPED (edk2 then refuses to load anywhere but ImageBase). The addend is also
 *     stored at the target, so the file shows link-time values (image linked at 0);
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
        static const char *const keep[] = { ".text", ".rodata", ".data", ".zdec", ".sbat", ".sdmagic", NULL };
        for (size_t i = 0; keep[i]; i++)
                if (strcmp(elf_name, keep[i]) == 0)
                        return keep[i];
        if (strcmp(elf_name, ".bss") == 0)
                return ".data"; /* merged into the writable section as zero tail */
        if (strcmp(elf_name, ".rela.dyn") == 0)
                return ".rodata"; /* the self-relocation table: read-only tail of .rodata */
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

/* The input ELF and what the steps below find in it. */
typedef struct {
        const uint8_t *data;
        size_t size;
        const Elf64_Ehdr *eh;
        const Elf64_Shdr *sh;           /* section headers */
        const Elf64_Shdr *strtab;       /* section names */
        const char *names;
        uint16_t machine;               /* PE machine */
        uint32_t reloc_relative;        /* r_info of a RELATIVE relocation */
        const Elf64_Shdr *rela, *symtab;
} Elf;

static void parse_args(int argc, char **argv) {
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
                        exit(0);
                default:
                        exit(EXIT_FAILURE);
                }
        if (argc - optind != 2) {
                fprintf(stderr, "elf2efi: expected INPUT.elf OUTPUT.efi\n");
                exit(EXIT_FAILURE);
        }
        arg_input = argv[optind];
}

/* The ELF header and section table: a little-endian ELF64 PIE for x86_64 or aarch64. */
static void elf_open(const uint8_t *elf, size_t size, Elf *ret) {
        if (size < sizeof(Elf64_Ehdr) || memcmp(elf, ELFMAG, SELFMAG) != 0 || elf[EI_CLASS] != ELFCLASS64 ||
            elf[EI_DATA] != ELFDATA2LSB)
                die("%s: not a little-endian ELF64 file", arg_input);
        const Elf64_Ehdr *eh = (const Elf64_Ehdr *) elf;
        if (eh->e_type != ET_DYN)
                die("%s: not a PIE (link with -pie)", arg_input);

        *ret = (Elf) { .data = elf, .size = size, .eh = eh };
        switch (eh->e_machine) {
        case EM_X86_64:  ret->machine = PE_MACHINE_X86_64; ret->reloc_relative = R_X86_64_RELATIVE; break;
        case EM_AARCH64: ret->machine = PE_MACHINE_ARM64;  ret->reloc_relative = R_AARCH64_RELATIVE; break;
        default: die("%s: unsupported ELF machine", arg_input);
        }

        if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
            !range_ok(eh->e_shoff, (size_t) eh->e_shnum * sizeof(Elf64_Shdr), size) || eh->e_shstrndx >= eh->e_shnum)
                die("%s: bad section header table", arg_input);
        ret->sh = (const Elf64_Shdr *) (elf + eh->e_shoff);
        ret->strtab = &ret->sh[eh->e_shstrndx];
        if (!range_ok(ret->strtab->sh_offset, ret->strtab->sh_size, size))
                die("%s: bad section name table", arg_input);
        ret->names = (const char *) elf + ret->strtab->sh_offset;
}

/* The PE section flags for an ELF section's: code, writable data or read-only data. */
static uint32_t pe_flags_for(const Elf64_Shdr *s) {
        if (s->sh_flags & SHF_EXECINSTR)
                return PE_SCN_CNT_CODE | PE_SCN_MEM_READ | PE_SCN_MEM_EXECUTE;
        if (s->sh_flags & SHF_WRITE)
                return PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ | PE_SCN_MEM_WRITE;
        return PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ;
}

/* ELF section s into prev, the PE section of the same name just before it: .rela.dyn after
 * .rodata (its bytes and the alignment gap appended) or .bss after .data (only the virtual size
 * grows, the loader zero-fills it). */
static void section_merge(const Elf *e, OutSection *prev, const Elf64_Shdr *s, const char *name, uint32_t flags) {
        if (prev->flags != flags || s->sh_addr < prev->rva + prev->vsize || prev->data_size != prev->vsize)
                die("cannot merge section %s", name);
        uint32_t end = (uint32_t) (s->sh_addr + s->sh_size - prev->rva);
        if (s->sh_type != SHT_NOBITS) {
                if (!range_ok(s->sh_offset, s->sh_size, e->size))
                        die("section %s is outside the file", name);
                uint8_t *c = realloc(prev->copy, end);
                if (!c)
                        die("out of memory%s", "");
                uint32_t at = (uint32_t) (s->sh_addr - prev->rva);
                memset(c + prev->data_size, 0, at - prev->data_size);
                memcpy(c + at, e->data + s->sh_offset, s->sh_size);
                prev->copy = c;
                prev->data_size = end;
        }
        prev->vsize = end;
}

/* A new PE section from ELF section s, at its 4 KiB aligned address after the previous one. */
static void section_add(const Elf *e, const Elf64_Shdr *s, const char *name, const char *pe_name, uint32_t flags) {
        OutSection *prev = n_sections > 0 ? &sections[n_sections - 1] : NULL;
        if (n_sections >= MAX_SECTIONS)
                die("too many sections (%s)", name);
        if (s->sh_addr % SECTION_ALIGN != 0)
                die("section %s is not 4 KiB aligned: fix src/boot/efi.lds", name);
        if (prev && s->sh_addr < align_up(prev->rva + prev->vsize, SECTION_ALIGN))
                die("section %s overlaps the previous one", name);
        if (!prev && s->sh_addr < HEADER_SIZE)
                die("section %s overlaps the headers", name);

        OutSection *o = &sections[n_sections++];
        snprintf(o->name, sizeof(o->name), "%s", pe_name);
        o->rva = (uint32_t) s->sh_addr;
        o->vsize = (uint32_t) s->sh_size;
        o->flags = flags;
        if (s->sh_type != SHT_NOBITS) {
                if (!range_ok(s->sh_offset, s->sh_size, e->size))
                        die("section %s is outside the file", name);
                o->data = e->data + s->sh_offset;
                o->data_size = (uint32_t) s->sh_size;
                o->copy = malloc(o->data_size);
                if (!o->copy)
                        die("out of memory%s", "");
                memcpy(o->copy, o->data, o->data_size);
        }
}

/* Walk the ELF sections: find .rela.dyn and the symbol table, refuse what we cannot convert
 * (REL/RELR, a GOT, W+X, unmapped sections), and copy the kept ones into sections[]. */
static void collect_sections(Elf *e) {
        for (unsigned i = 1; i < e->eh->e_shnum; i++) {
                const Elf64_Shdr *s = &e->sh[i];
                if (s->sh_name >= e->strtab->sh_size)
                        die("%s: bad section name", arg_input);
                const char *name = e->names + s->sh_name;

                if (s->sh_type == SHT_SYMTAB) {
                        e->symtab = s;
                        continue;
                }
                if (s->sh_type == SHT_RELA && (s->sh_flags & SHF_ALLOC)) {
                        if (e->rela)
                                die("%s: more than one allocated RELA section", arg_input);
                        if (strcmp(name, ".rela.dyn") != 0)
                                die("%s: RELA section is not .rela.dyn", arg_input);
                        e->rela = s;
                        if (s->sh_size == 0)
                                continue;
                }
                if (s->sh_type == SHT_REL || s->sh_type == SHT_RELR)
                        die("%s: REL/RELR relocations are not supported, use RELA", arg_input);
                if (!(s->sh_flags & SHF_ALLOC) || s->sh_size == 0)
                        continue;
                if (strcmp(name, ".got") == 0 || strcmp(name, ".got.plt") == 0)
                        die("%s: the link has a GOT (a declaration without hidden visibility?); the "
                            "self-relocation must not depend on relocated GOT slots", arg_input);

                const char *pe_name = pe_name_for(name);
                if (!pe_name) {
                        if (strncmp(name, ".dyn", 4) == 0 || strcmp(name, ".hash") == 0 ||
                            strcmp(name, ".gnu.hash") == 0 || strcmp(name, ".got") == 0)
                                continue; /* link-time metadata (an empty .got is fine; a used one sits in .data) */
                        die("section %s is not mapped by src/boot/efi.lds", name);
                }
                if (s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS && s->sh_type != SHT_RELA)
                        die("section %s has an unexpected type", name);

                if ((s->sh_flags & SHF_WRITE) && (s->sh_flags & SHF_EXECINSTR))
                        die("section %s is both writable and executable", name);
                if (s->sh_addr > UINT32_MAX || s->sh_size > UINT32_MAX - s->sh_addr)
                        die("section %s is beyond 4 GiB", name);

                uint32_t flags = pe_flags_for(s);
                OutSection *prev = n_sections > 0 ? &sections[n_sections - 1] : NULL;
                if (prev && strcmp(prev->name, pe_name) == 0)
                        section_merge(e, prev, s, name, flags);
                else
                        section_add(e, s, name, pe_name, flags);
        }
        if (n_sections == 0)
                die("%s: no sections to convert", arg_input);
}

/* Relocations: all RELATIVE, each an aligned word inside the initialized part of the one
 * writable section (.data), each pointing into the image. The table itself stays where the
 * link put it (inside the PE .rodata, see above); we store each addend at its target so the
 * file holds link-time values. */
static void apply_relocations(const Elf *e) {
        const Elf64_Shdr *rela = e->rela;
        if (rela->sh_entsize != sizeof(Elf64_Rela) || rela->sh_size % sizeof(Elf64_Rela) != 0 ||
            !range_ok(rela->sh_offset, rela->sh_size, e->size))
                die("%s: bad RELA section", arg_input);
        size_t n_relocs = rela->sh_size / sizeof(Elf64_Rela);
        const Elf64_Rela *r = (const Elf64_Rela *) (e->data + rela->sh_offset);
        const OutSection *last_s = &sections[n_sections - 1];
        uint64_t image_end = (uint64_t) last_s->rva + last_s->vsize;
        for (size_t i = 0; i < n_relocs; i++) {
                if (r[i].r_info != e->reloc_relative) /* type RELATIVE, symbol 0 */
                        die("%s: dynamic relocation other than RELATIVE (symbol not hidden?)", arg_input);
                OutSection *s = NULL;
                for (unsigned j = 0; j < n_sections; j++)
                        if (r[i].r_offset >= sections[j].rva &&
                            r[i].r_offset + 8 <= (uint64_t) sections[j].rva + sections[j].data_size)
                                s = &sections[j];
                if (!s)
                        die("%s: relocation outside the initialized data of the converted sections", arg_input);
                if (s->flags & PE_SCN_MEM_EXECUTE)
                        die("%s: relocation in code (text relocation)", arg_input);
                if (!(s->flags & PE_SCN_MEM_WRITE))
                        die("relocation in the read-only section %s: pointer-holding data must go to "
                            ".data (src/boot/efi.lds), a strict-NX loader maps it read-only", s->name);
                if (r[i].r_offset % 8 != 0)
                        die("%s: relocation target not 8-byte aligned", arg_input);
                if (r[i].r_addend < 0 || (uint64_t) r[i].r_addend >= image_end)
                        die("%s: relocation points outside the image", arg_input);
                uint64_t v = (uint64_t) r[i].r_addend;
                memcpy(s->copy + (r[i].r_offset - s->rva), &v, 8);
        }
}

/* The table must be what efi_self_relocate() walks, and efi_self_relocate() must be there
 * (efi_main calls it first; the boot tests prove that part); the table read-only. */
static void check_self_relocation(const Elf *e) {
        const Elf64_Shdr *rela = e->rela, *symtab = e->symtab, *sh = e->sh;
        if (!symtab || symtab->sh_entsize != sizeof(Elf64_Sym) || !range_ok(symtab->sh_offset, symtab->sh_size, e->size) ||
            symtab->sh_link >= e->eh->e_shnum || !range_ok(sh[symtab->sh_link].sh_offset, sh[symtab->sh_link].sh_size, e->size))
                die("%s: no usable symbol table (do not strip the ELF)", arg_input);
        const Elf64_Sym *sym = (const Elf64_Sym *) (e->data + symtab->sh_offset);
        const char *str = (const char *) e->data + sh[symtab->sh_link].sh_offset;
        size_t n_sym = symtab->sh_size / sizeof(Elf64_Sym), str_size = sh[symtab->sh_link].sh_size;
        bool have_start = false, have_end = false, have_fn = false;
        for (size_t i = 0; i < n_sym; i++) {
                if (sym[i].st_name >= str_size || sym[i].st_shndx == SHN_UNDEF)
                        continue;
                const char *sn = str + sym[i].st_name;
                if (strnlen(sn, str_size - sym[i].st_name) == str_size - sym[i].st_name)
                        continue;
                if (strcmp(sn, "__self_reloc_start") == 0)
                        have_start = sym[i].st_value == rela->sh_addr;
                else if (strcmp(sn, "__self_reloc_end") == 0)
                        have_end = sym[i].st_value == rela->sh_addr + rela->sh_size;
                else if (strcmp(sn, "efi_self_relocate") == 0)
                        have_fn = ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC;
        }
        if (!have_start || !have_end)
                die("%s: __self_reloc_start/_end do not bracket .rela.dyn (src/boot/efi.lds)", arg_input);
        if (!have_fn)
                die("%s: relocations but no efi_self_relocate() (link src/boot/zboot/self-reloc.c)", arg_input);
        bool in_ro = false;
        for (unsigned j = 0; j < n_sections; j++)
                if (rela->sh_addr >= sections[j].rva &&
                    rela->sh_addr + rela->sh_size <= (uint64_t) sections[j].rva + sections[j].data_size)
                        in_ro = !(sections[j].flags & (PE_SCN_MEM_WRITE | PE_SCN_MEM_EXECUTE));
        if (!in_ro)
                die("%s: the relocation table is not inside a read-only section", arg_input);
}

/* The PE file: headers (NX_COMPAT, 4 KiB SectionAlignment, 512-byte FileAlignment, no base
 * relocation directory) and the sections' data at FileAlignment. *ret_size: the file size. */
static uint8_t *build_image(const Elf *e, size_t *ret_size) {
        OutSection *last = &sections[n_sections - 1];

        /* Lay out the file. */
        uint32_t file_off = HEADER_SIZE;
        PeSectionHeader shdrs[MAX_SECTIONS] = {};
        uint32_t size_code = 0, size_data = 0, base_code = 0;
        for (unsigned i = 0; i < n_sections; i++) {
                OutSection *s = &sections[i];
                PeSectionHeader *p = &shdrs[i];
                memcpy(p->Name, s->name, strlen(s->name));
                p->VirtualAddress = s->rva;
                p->SizeOfRawData = align_up(s->data_size, FILE_ALIGN);
                /* raw never beyond virtual (the padding is zeros either way): systemd-stub >= 258
                 * refuses such a section in a .linux; stays inside the 4 KiB slot */
                p->VirtualSize = s->vsize > p->SizeOfRawData ? s->vsize : p->SizeOfRawData;
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
        pe->FileHeader.Machine = e->machine;
        pe->FileHeader.NumberOfSections = (uint16_t) n_sections;
        pe->FileHeader.SizeOfOptionalHeader = sizeof(PeOptionalHeader64);
        pe->FileHeader.Characteristics = PE_FILE_EXECUTABLE_IMAGE | PE_FILE_LARGE_ADDRESS_AWARE | PE_FILE_DEBUG_STRIPPED;
        PeOptionalHeader64 *o = &pe->OptionalHeader;
        o->Magic = PE_OPT_MAGIC_PE32PLUS;
        o->MajorLinkerVersion = 0;
        o->SizeOfCode = size_code;
        o->SizeOfInitializedData = size_data;
        if (e->eh->e_entry > UINT32_MAX)
                die("entry point beyond 4 GiB%s", "");
        o->AddressOfEntryPoint = (uint32_t) e->eh->e_entry;
        o->BaseOfCode = base_code;
        o->ImageBase = 0; /* linked at 0; loaded anywhere, efi_self_relocate() fixes our pointers */
        o->SectionAlignment = SECTION_ALIGN;
        o->FileAlignment = FILE_ALIGN;
        o->MajorImageVersion = (uint16_t) arg_image_version_major;
        o->MinorImageVersion = (uint16_t) arg_image_version_minor;
        o->SizeOfImage = align_up(last->rva + shdrs[n_sections - 1].VirtualSize, SECTION_ALIGN);
        o->SizeOfHeaders = HEADER_SIZE;
        o->Subsystem = arg_subsystem;
        o->DllCharacteristics = PE_DLL_DYNAMIC_BASE | PE_DLL_NX_COMPAT;
        o->SizeOfStackReserve = 0x10000;
        o->SizeOfStackCommit = 0x10000;
        o->SizeOfHeapReserve = 0x10000;
        o->SizeOfHeapCommit = 0x10000;
        o->NumberOfRvaAndSizes = PE_DIR_COUNT;
        /* DataDirectory[PE_DIR_BASERELOC] stays empty: we relocate ourselves. */
        if (o->DataDirectory[PE_DIR_BASERELOC].Size != 0 || o->DataDirectory[PE_DIR_BASERELOC].VirtualAddress != 0 ||
            (pe->FileHeader.Characteristics & PE_FILE_RELOCS_STRIPPED))
                die("internal error: base relocation directory or RELOCS_STRIPPED%s", "");
        for (unsigned i = 0; i < n_sections; i++)
                if (strcmp(sections[i].name, ".reloc") == 0)
                        die("internal error: a .reloc section%s", "");
        memcpy(out + sizeof(DosHeader) + sizeof(PeHeader64), shdrs, n_sections * sizeof(PeSectionHeader));
        for (unsigned i = 0; i < n_sections; i++)
                if (sections[i].data_size)
                        memcpy(out + shdrs[i].PointerToRawData, sections[i].copy, sections[i].data_size);
        *ret_size = file_off;
        return out;
}

static void write_file(const char *path, const uint8_t *data, size_t size) {
        FILE *f = fopen(path, "wb");
        if (!f)
                die("cannot create %s", path);
        if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
                die("cannot write %s", path);
}

int main(int argc, char **argv) {
        parse_args(argc, argv);

        size_t size;
        uint8_t *data = read_file(arg_input, &size);
        arg_output = argv[optind + 1];   /* from here on, die() removes it */

        Elf elf;
        elf_open(data, size, &elf);
        collect_sections(&elf);
        if (elf.rela && elf.rela->sh_size > 0) {
                apply_relocations(&elf);
                check_self_relocation(&elf);
        }
        size_t out_size;
        uint8_t *out = build_image(&elf, &out_size);
        write_file(arg_output, out, out_size);
        return 0;
}
