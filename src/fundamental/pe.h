/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one PE32+ reader, for the CLI and the EFI binaries alike: a strict parser that reads the
 * headers once into a PeView, section lookup in file or memory layout with one call, placing a
 * file into memory as a loader does (copy, base relocations), and a builder that appends or
 * replaces sections (how UKIs and zboot images are made). Pure: (pointer, length) in, every
 * offset and size checked with overflow-safe arithmetic, distinct errors. Structures:
 * pe-format.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pe-format.h"

#define PE_MAX_SECTIONS 96u     /* the PE spec's loader limit; anything more is hostile */

typedef enum {
        PE_OK = 0,
        PE_TOO_SHORT = -1,
        PE_BAD_DOS_MAGIC = -2,
        PE_BAD_LFANEW = -3,
        PE_BAD_SIGNATURE = -4,
        PE_NOT_PE32PLUS = -5,
        PE_BAD_OPTIONAL_HEADER_SIZE = -6,
        PE_TOO_MANY_SECTIONS = -7,
        PE_SECTION_TABLE_OUTSIDE = -8,
        PE_SECTION_DATA_OUTSIDE = -9,
        PE_SECTION_OUTSIDE_IMAGE = -10,
        PE_SECTIONS_OVERLAP = -11,
        PE_BAD_ALIGNMENT = -12,
        PE_BAD_DATA_DIRECTORY = -13,
        PE_NO_HEADER_ROOM = -14,        /* builder: no space for more section headers */
        PE_SIGNED = -15,                /* builder: appending would break the Authenticode signature */
        PE_WX_SECTION = -16,            /* builder: refusing a writable+executable section */
        PE_BUFFER_TOO_SMALL = -17,
        PE_TOO_BIG = -18,               /* builder: result beyond 32-bit RVAs / offsets */
        PE_BAD_SECTION_NAME = -19,
        PE_NO_SECTION_ROOM = -20,       /* replace: new contents do not fit where the section is */
        PE_NO_SUCH_SECTION = -21,
        PE_BAD_RELOC = -22,             /* loader: malformed base relocation block or target outside the image */
        PE_HEADERS_OUTSIDE = -23,       /* loader: SizeOfHeaders runs past the end of the file */
} PeResult;

/* How the buffer holds the image. FILE: as on disk, a section's bytes at PointerToRawData.
 * MEMORY: as a loader placed it (the EFI loaded image: ImageBase, ImageSize), headers at 0 and
 * each section's VirtualSize bytes at its VirtualAddress; raw data pointers and the certificate
 * table (a file offset) mean nothing there and are not checked. */
typedef enum {
        PE_LAYOUT_FILE,
        PE_LAYOUT_MEMORY,
} PeLayout;

/* The headers, read once. */
typedef struct {
        const uint8_t *data;
        size_t size;
        PeLayout layout;
        uint32_t pe_offset;
        PeFileHeader file;              /* decoded copies (host byte order), so callers need no alignment */
        PeOptionalHeader64 opt;
        uint32_t sections_offset;       /* the section table, inside data and inside SizeOfHeaders */
        uint16_t n_sections;
} PeView;

/* The on-disk headers (pe-format.h: packed, little-endian) and their decoded form. The structs
 * of pe-format.h double as the named layout (offsetof of each field is its offset in the
 * format) and, once decoded, as host-order values: *_read() loads every field with get_le*()
 * from its offset, *_write() stores every field with put_le*(), so a PeView means the same on a
 * big-endian host. pe_optional_header_read() reads size bytes (the optional header may be
 * shorter than the struct: the rest is zero). Nothing else copies a header into a struct. */
PeFileHeader pe_file_header_read(const void *p);
void pe_file_header_write(void *p, const PeFileHeader *h);
PeOptionalHeader64 pe_optional_header_read(const void *p, size_t size);
void pe_optional_header_write(void *p, const PeOptionalHeader64 *h);
PeSectionHeader pe_section_header_read(const void *p);
void pe_section_header_write(void *p, const PeSectionHeader *h);

/* Checks: MZ, e_lfanew, "PE\0\0", PE32+, optional header size and data directory count, the
 * section table inside the buffer and inside SizeOfHeaders, at most PE_MAX_SECTIONS, power-of-two
 * alignments, SizeOfHeaders <= SizeOfImage, data directories inside SizeOfImage (the certificate
 * table inside the file), every section inside SizeOfImage, after the headers and overlapping
 * no other; FILE layout: every section's raw data inside the buffer. */
PeResult pe_parse_layout(const void *buf, size_t len, PeLayout layout, PeView *ret);
static inline PeResult pe_parse(const void *buf, size_t len, PeView *ret) {
        return pe_parse_layout(buf, len, PE_LAYOUT_FILE, ret);
}

/* Section i (copy). i < n_sections. */
PeSectionHeader pe_section(const PeView *v, size_t i);
/* The section table (n_sections headers, unaligned) for code that walks it (uki-profile.h). */
static inline const void *pe_section_table(const PeView *v) {
        return v->data + v->sections_offset;
}
/* Whether the header carries name ("." included, at most 8 bytes; a longer name never matches):
 * its bytes up to the first NUL (or all 8) equal name. That is systemd-stub's rule, bytes after the
 * NUL do not count (".dtb\0xyz" is ".dtb"), and every name lookup here uses it, the stub's and the
 * CLI's, so both see the same sections (docs/stub.md). */
bool pe_section_name_is(const PeSectionHeader *s, const char *name);
/* pe_section_name_is() for section i of the view. */
bool pe_section_is(const PeView *v, size_t i, const char *name);
/* The first section named name (pe_section_name_is()); its index or -1. */
int pe_find_section(const PeView *v, const char *name);
/* Section i's bytes in the view's layout. FILE: min(SizeOfRawData, VirtualSize) bytes from
 * PointerToRawData (VirtualSize 0 means SizeOfRawData), inside the buffer by pe_parse. MEMORY:
 * VirtualSize bytes at VirtualAddress, NULL if they run past the buffer (ImageSize). */
const uint8_t *pe_section_data(const PeView *v, size_t i, size_t *ret_size);
/* Section i's bytes as pe_section_data() gives them, for an index from a lookup (pe_find_section,
 * uki_profile_find): false if i < 0 (none found) or the bytes are not inside the buffer. */
bool pe_section_get(const PeView *v, int i, const uint8_t **ret, size_t *ret_size);
/* pe_find_section + pe_section_get in one call, for either layout: false if there is no
 * section of that name or its bytes are not inside the buffer. */
bool pe_section_find(const PeView *v, const char *name, const uint8_t **ret, size_t *ret_size);
/* The section name as a NUL-terminated string. */
void pe_section_name(const PeSectionHeader *s, char out[PE_SECTION_NAME_LEN + 1]);

typedef struct {
        bool nx_compat;
        bool section_alignment_4k;      /* SectionAlignment >= 4096 (and every section at a 4K multiple) */
        unsigned n_wx;                  /* sections both writable and executable */
        int first_wx;                   /* index of the first W+X section, -1 if none */
        /* Base relocations: systemd-stub >= 258 loads an inner .linux itself, applies none and
         * refuses the image if DataDirectory[BASERELOC].Size != 0; our binaries relocate
         * themselves (docs/design.md, "Relocation") and must have none. */
        uint32_t base_reloc_dir_size;   /* DataDirectory[BASERELOC].Size */
        unsigned n_base_relocs;         /* entries other than ABSOLUTE padding */
        bool base_relocs_malformed;     /* the directory is not file-backed or a block is bad (count: lower bound) */
        bool ok;                        /* NX_COMPAT, 4K aligned, no W+X, no base relocation directory */
} PeVerdict;
#define PE_BASE_RELOC_REASON "sd-stub >= 258 refuses an inner .linux with base relocations"
/* Count the base relocation entries (not ABSOLUTE padding). false: the directory is not inside
 * one section's file data, or a block is malformed; *ret is then what could be counted. */
bool pe_count_base_relocs(const PeView *f, unsigned *ret);
PeVerdict pe_verdict(const PeView *f);

typedef struct {
        const char *name;               /* up to 8 bytes */
        const void *data;
        size_t size;
        uint32_t characteristics;       /* 0 = initialized read-only data */
        bool pad_virtual;               /* VirtualSize = the FileAlignment-padded SizeOfRawData, so raw
                                         * never exceeds virtual: sd-stub >= 258 refuses a .linux
                                         * section otherwise (zboot images; UKI sections keep exact sizes) */
} PeNewSection;

/* A PE32+ image that is only its header page (PE_EMPTY_SIZE bytes, no section) for machine, to
 * append sections to: EFI application, NX_COMPAT and DYNAMIC_BASE, SectionAlignment 4 KiB,
 * FileAlignment 512, all 16 data directories empty, AddressOfEntryPoint entry (0: none; else the
 * RVA of code the caller appends); file_characteristics (PE_FILE_*) as the caller's format wants
 * them. The UKI add-ons and profile PEs the CLI makes start from it. */
#define PE_EMPTY_SIZE 0x1000u
void pe_empty_make(uint8_t out[PE_EMPTY_SIZE], uint16_t machine, uint16_t file_characteristics, uint32_t entry);

/* Machine code for an entry point that only returns EFI_UNSUPPORTED, for machine (x86_64 or
 * arm64; NULL otherwise), *ret_size bytes. A UKI add-on is data, but the loader that verifies it
 * may insist on a usable entry point: shim 16's LoadImage, which distributions' Secure Boot
 * chains put in front of the firmware's, refuses an image whose entry point is not inside
 * exactly one of its sections, at least 2 bytes before that section's end (EFI_UNSUPPORTED);
 * systemd's add-on stub has one. Nothing calls it; if something does, it
 * gets EFI_UNSUPPORTED back. */
const uint8_t *pe_entry_unsupported(uint16_t machine, size_t *ret_size);

/* Output size of appending sections (file end padded to FileAlignment, each section's raw
 * data FileAlignment-padded). Checks everything pe_append_sections() checks. */
PeResult pe_append_size(const PeView *f, const PeNewSection *s, size_t n, size_t *ret);
/* Write image + sections into out (out_cap >= pe_append_size()). Sections go after the last
 * one at SectionAlignment; NumberOfSections, SizeOfImage, SizeOfInitializedData and CheckSum
 * are updated. Deterministic. */
PeResult pe_append_sections(const PeView *f, const PeNewSection *s, size_t n, uint8_t *out, size_t out_cap,
                            size_t *ret_size);

/* Replace the contents of section idx (how a UKI's merged .sbat takes the place of the stub's,
 * as ukify does). The section that is last both in the file and in RVA order may grow or shrink
 * (raw data FileAlignment-padded, SizeOfInitializedData follows, SizeOfImage grows with it but
 * never shrinks, as data directories may point up to its old end) when nothing but
 * padding follows its raw data; any other section keeps its place and must fit in both its
 * SizeOfRawData and the RVA gap before the next section (the rest of its raw data is zeroed).
 * VirtualSize becomes size. Signed images are refused. The checksum is updated. */
PeResult pe_replace_size(const PeView *f, size_t idx, size_t size, size_t *ret);
PeResult pe_replace_section(const PeView *f, size_t idx, const void *data, size_t size, uint8_t *out, size_t out_cap,
                            size_t *ret_size);

/* Loading a FILE-layout image the way a firmware loader does (headers at offset 0, each section
 * at its RVA, the rest zero, base relocations applied), for the kernels the EFI binaries start
 * themselves. The caller owns the destination memory; sizes are re-checked here so dst is never
 * written outside. */
/* True if the file can be used in place as its memory image: every section's raw data at file
 * offset == RVA with its VirtualSize inside the file, and SizeOfImage inside the file (an arm64
 * Image padded to its memory size is such a file). */
bool pe_load_is_identity(const PeView *file);
/* Copy headers and sections of a FILE view into dst (memory layout) and zero the rest of
 * [0, SizeOfImage). dst must not overlap the file. Checks everything before writing. */
PeResult pe_load_copy(const PeView *file, void *dst, size_t dst_size);
/* Apply the DIR64 base relocations (the directory from v, the blocks read from image) of an
 * image loaded at image for load address delta (actual - ImageBase). Every entry is checked
 * before the first is applied. */
PeResult pe_load_relocate(void *image, size_t image_size, const PeView *v, uint64_t delta);

/* The PE checksum (as the Windows loader and sbsign compute it), and updating it in place. */
uint32_t pe_checksum(const uint8_t *buf, size_t len, uint32_t checksum_offset);
PeResult pe_update_checksum(uint8_t *buf, size_t len);

const char *pe_strerror(PeResult r);
