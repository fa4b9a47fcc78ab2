/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The native x86 zboot payload (docs/format.md §4): the kernel flattened by physical address,
 * its relocation table and setup header, and an 80-byte trailer at the end. Built on the host
 * from a bzImage's own payload (stripped vmlinux ELF + the relocs tool's table), read by the
 * EFI loader after decompressing it into place. Pure, (pointer, length), every offset checked.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_PAYLOAD_MAGIC "ZBX86\0\1\0"
#define X86_PAYLOAD_TRAILER_SIZE 80u
#define X86_MAX_LOADS 16u

/* The trailer at the payload's end (docs/format.md §4), one definition for x86_payload_build
 * (writer) and x86_payload_parse_trailer (reader): little-endian byte arrays, accessed with
 * unaligned.h. */
typedef struct {
        char    magic[8];               /* 0x00: X86_PAYLOAD_MAGIC */
        uint8_t image_size[4];          /* 0x08 */
        uint8_t mem_size[4];            /* 0x0c */
        uint8_t entry_offset[4];        /* 0x10 */
        uint8_t relocs_offset[4];       /* 0x14 */
        uint8_t relocs_size[4];         /* 0x18 */
        uint8_t setup_offset[4];        /* 0x1c */
        uint8_t setup_size[4];          /* 0x20 */
        uint8_t init_size[4];           /* 0x24 */
        uint8_t kernel_alignment[4];    /* 0x28 */
        uint8_t xloadflags[2];          /* 0x2c */
        uint8_t version[2];             /* 0x2e */
        uint8_t virt_base[8];           /* 0x30 */
        uint8_t phys_base[8];           /* 0x38 */
        uint8_t text_size[4];           /* 0x40 */
        uint8_t filter[4];              /* 0x44: X86PayloadFilter over the range below (0: none) */
        uint8_t filter_offset[4];       /* 0x48: range start, from the payload start */
        uint8_t filter_size[4];         /* 0x4c: range bytes, inside the image */
} X86PayloadTrailer;

_Static_assert(sizeof(X86PayloadTrailer) == X86_PAYLOAD_TRAILER_SIZE, "x86 trailer size");
_Static_assert(offsetof(X86PayloadTrailer, image_size) == 0x08, "x86 trailer image_size");
_Static_assert(offsetof(X86PayloadTrailer, mem_size) == 0x0c, "x86 trailer mem_size");
_Static_assert(offsetof(X86PayloadTrailer, entry_offset) == 0x10, "x86 trailer entry_offset");
_Static_assert(offsetof(X86PayloadTrailer, relocs_offset) == 0x14, "x86 trailer relocs_offset");
_Static_assert(offsetof(X86PayloadTrailer, relocs_size) == 0x18, "x86 trailer relocs_size");
_Static_assert(offsetof(X86PayloadTrailer, setup_offset) == 0x1c, "x86 trailer setup_offset");
_Static_assert(offsetof(X86PayloadTrailer, setup_size) == 0x20, "x86 trailer setup_size");
_Static_assert(offsetof(X86PayloadTrailer, init_size) == 0x24, "x86 trailer init_size");
_Static_assert(offsetof(X86PayloadTrailer, kernel_alignment) == 0x28, "x86 trailer kernel_alignment");
_Static_assert(offsetof(X86PayloadTrailer, xloadflags) == 0x2c, "x86 trailer xloadflags");
_Static_assert(offsetof(X86PayloadTrailer, version) == 0x2e, "x86 trailer version");
_Static_assert(offsetof(X86PayloadTrailer, virt_base) == 0x30, "x86 trailer virt_base");
_Static_assert(offsetof(X86PayloadTrailer, phys_base) == 0x38, "x86 trailer phys_base");
_Static_assert(offsetof(X86PayloadTrailer, text_size) == 0x40, "x86 trailer text_size");
_Static_assert(offsetof(X86PayloadTrailer, filter) == 0x44, "x86 trailer filter");
_Static_assert(offsetof(X86PayloadTrailer, filter_offset) == 0x48, "x86 trailer filter_offset");
_Static_assert(offsetof(X86PayloadTrailer, filter_size) == 0x4c, "x86 trailer filter_size");

/* An optional filter over one range of the image, applied after building and undone right after
 * decompressing, before anything reads the image (docs/format.md §4). Readers from before the
 * filter refuse a filtered payload: these bytes were reserved and had to be zero. */
typedef enum {
        X86_FILTER_NONE = 0,
        X86_FILTER_BCJ_X86 = 1,         /* liblzma's x86 BCJ, positions = offsets from the payload start */
} X86PayloadFilter;

/* The relocation table's header at relocs_offset: the three list lengths, then the lists. */
typedef struct {
        uint8_t n_reloc64[4];
        uint8_t n_reloc_inv32[4];
        uint8_t n_reloc32[4];
} X86PayloadRelocsHeader;

_Static_assert(sizeof(X86PayloadRelocsHeader) == 12, "x86 relocs header size");

typedef enum {
        X86P_OK = 0,
        X86P_NOT_ELF = -1,              /* no ELF64 little-endian x86-64 executable header */
        X86P_BAD_PHDRS = -2,            /* program headers outside the file or absurd */
        X86P_NO_LOAD = -3,              /* no PT_LOAD segment */
        X86P_BAD_SEGMENT = -4,          /* a segment's data outside the file, or overlapping */
        X86P_BAD_RELOCS = -5,           /* the relocation table does not parse to the end */
        X86P_BAD_SETUP = -6,            /* setup header missing or absurd */
        X86P_BUFFER_TOO_SMALL = -7,
        X86P_BAD_TRAILER = -8,          /* reader: magic, sizes or offsets inconsistent */
        X86P_TOO_BIG = -9,
        X86P_RELOCS_LAYOUT = -10,       /* the table's layout is not the one the kernel version implies */
        X86P_BAD_FILTER = -11,          /* unknown filter, or its range not inside the image */
} X86PayloadResult;

/* How the kernel build appends its relocation table (arch/x86/tools/relocs.c) to the ELF, the
 * terminators counted from the end of the ELF file (docs/format.md §4). Entries are never 0:
 * each is the low 32 bits of a kernel virtual address in the top 2 GiB. */
typedef enum {
        X86_RELOCS_ANY = 0,             /* whichever of the two the table has (only for x86_payload_plan/build) */
        X86_RELOCS_TWO_LISTS = 2,       /* Linux 6.15+: 0, 64-bit, 0, 32-bit */
        X86_RELOCS_THREE_LISTS = 3,     /* up to Linux 6.14: 0, 64-bit, 0, inverse 32-bit, 0, 32-bit */
} X86RelocsLayout;

/* What the relocation table after the ELF looks like, for error messages: filled as far as the
 * scan got, also when it fails. */
typedef struct {
        uint64_t elf_end;               /* where the table starts in the input */
        uint64_t tail_bytes;            /* input bytes after the ELF */
        uint32_t first_word;            /* the first 32-bit word there (a terminator: 0) */
        uint32_t n_zero;                /* zero words (terminators) found */
        uint32_t n_outside;             /* entries whose address is outside the kernel image */
        uint32_t n_unsorted;            /* entries below the one before them in their list (the
                                         * relocs tool sorts each list; the loader relies on it) */
        uint32_t counts[3];             /* entries per list, in table order */
        X86RelocsLayout layout;         /* the layout found, or X86_RELOCS_ANY when none */
} X86RelocsScan;

/* The layout a kernel release implies, from the start of its version string ("6.12.117+deb13-amd64
 * ...", the setup header's kernel_version or uname -r): 6.15 and later TWO_LISTS, older
 * THREE_LISTS; X86_RELOCS_ANY when the string does not start with MAJOR.MINOR. */
X86RelocsLayout x86_relocs_layout_for_version(const char *s, size_t len);
const char *x86_relocs_layout_name(X86RelocsLayout l);

typedef struct {
        uint32_t image_size;            /* flattened image bytes (file part) */
        uint32_t mem_size;              /* image + BSS */
        uint32_t entry_offset;          /* startup_64 - image start */
        uint32_t relocs_offset, relocs_size;
        uint32_t setup_offset, setup_size;
        uint32_t init_size, kernel_alignment;
        uint16_t xloadflags, version;
        uint64_t phys_base;             /* first PT_LOAD p_paddr (LOAD_PHYSICAL_ADDR) */
        uint64_t virt_base;             /* its p_vaddr */
        uint32_t text_size;             /* bytes from image start to the end of the first, executable
                                         * PT_LOAD (kernel text): mapped RX, the rest RW+NX */
        uint32_t filter;                /* X86PayloadFilter; X86_FILTER_NONE: offset and size 0 */
        uint32_t filter_offset, filter_size;
        uint32_t n_reloc64, n_reloc_inv32, n_reloc32;
        uint32_t zero;                  /* always 0: no implicit padding, tests and fuzzers memcmp the struct */
} X86PayloadInfo;

_Static_assert(sizeof(X86PayloadInfo) == 88, "X86PayloadInfo without padding");

/* Plan: parse the ELF + relocs blob and the setup header, fill *ret and the payload size. The
 * relocation table must have one of the two layouts (expect = X86_RELOCS_ANY) or exactly the one
 * given (else X86P_RELOCS_LAYOUT), and every entry must point inside the image. scan (may be
 * NULL) says what the table looked like, also on failure. */
X86PayloadResult x86_payload_plan(const uint8_t *vmlinux, size_t len, const uint8_t *setup_hdr, size_t setup_len,
                                  X86RelocsLayout expect, X86PayloadInfo *ret, size_t *ret_size, X86RelocsScan *scan);
/* Build into out (out_cap >= the planned size). Deterministic. Inverse 32-bit relocations are
 * stored as an empty list for TWO_LISTS kernels: the payload format is the same for both. */
X86PayloadResult x86_payload_build(const uint8_t *vmlinux, size_t len, const uint8_t *setup_hdr, size_t setup_len,
                                   X86RelocsLayout expect, uint8_t *out, size_t out_cap, size_t *ret_size);
/* Check a trailer (X86_PAYLOAD_TRAILER_SIZE bytes) on its own, for a payload of payload_len
 * bytes: what the loader reads from the zboot image's .zbx86 section before decompressing,
 * to place the kernel. Does not fill the relocation counts. */
X86PayloadResult x86_payload_parse_trailer(const uint8_t *t, size_t payload_len, X86PayloadInfo *ret);
/* The trailer's filter fields in i against its image_size, which must fit in body (the payload
 * bytes before the trailer): none with an empty range, or the x86 BCJ over a non-empty range
 * inside the image. One check for x86_payload_parse_trailer() and x86_payload_unfilter(). */
bool x86_payload_filter_ok(const X86PayloadInfo *i, size_t body);
/* Read the trailer of a decompressed payload and check every offset against len. */
X86PayloadResult x86_payload_parse(const uint8_t *p, size_t len, X86PayloadInfo *ret);
const char *x86_payload_strerror(X86PayloadResult r);

/* The section header table of an ELF64 little-endian file, (pointer, length): one bounds-checked
 * reader for the builder (section contents count as part of the file) and the filter stage (the
 * .text section). x86_elf_sections: false when elf is not ELF64 little-endian or the table
 * (shnum headers of shentsize bytes at shoff) is not inside the file; an empty table (shnum 0)
 * is fine. x86_elf_section: header i < n (n is 0 when headers are shorter than ELF64's 64
 * bytes, else shnum up to 4096). x86_elf_section_in_file: the section's bytes [offset, +size)
 * lie inside the file. */
typedef struct {
        const uint8_t *elf;
        size_t len;
        uint64_t shoff;
        uint64_t end;                   /* shoff + the table's bytes; 0 when shnum is 0 */
        uint16_t shentsize, shnum, shstrndx;
        unsigned n;                     /* headers x86_elf_section() reads */
} X86ElfSections;

typedef struct {
        uint32_t name, type;
        uint64_t flags, addr, offset, size;
} X86ElfSection;

bool x86_elf_sections(const uint8_t *elf, size_t len, X86ElfSections *ret);
X86ElfSection x86_elf_section(const X86ElfSections *s, unsigned i);
bool x86_elf_section_in_file(const X86ElfSections *s, const X86ElfSection *sec);

/* The filter stage (docs/format.md §4), in x86-filter.c. x86_payload_filter_range: the range the
 * CLI filters for f, given the vmlinux ELF the payload was built from and the payload's info:
 * the ELF's executable .text section if it lies inside the text segment, else the whole text
 * segment (text_size bytes from 0); 0 bytes when the payload has no text. x86_payload_set_filter: record f over [offset,
 * +size) in the trailer at the end of a built payload of len bytes, after the caller filtered
 * the range (the CLI, with the system liblzma); checks the range against the image.
 * x86_payload_unfilter: undo the filter the trailer names (nothing when none) in place, then
 * clear the trailer's filter fields, so p holds the plain payload (what the builder made before
 * filtering); *info (from x86_payload_parse of the same bytes) is updated to match. */
void x86_payload_filter_range(const uint8_t *vmlinux, size_t len, const X86PayloadInfo *info, X86PayloadFilter f,
                              uint32_t *ret_offset, uint32_t *ret_size);
X86PayloadResult x86_payload_set_filter(uint8_t *p, size_t len, X86PayloadFilter f, uint32_t offset, uint32_t size);
X86PayloadResult x86_payload_unfilter(uint8_t *p, size_t len, X86PayloadInfo *info);
const char *x86_payload_filter_name(uint32_t f);
