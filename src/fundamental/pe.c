/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "pe.h"
#include "unaligned.h"

#define SECTION_HEADER_SIZE 40u

static bool is_pow2(uint32_t x) {
        return x != 0 && (x & (x - 1)) == 0;
}

static uint64_t align_up(uint64_t x, uint32_t a) {
        return (x + a - 1) & ~(uint64_t) (a - 1);
}

static bool in_range(uint64_t off, uint64_t len, uint64_t total) {
        return off <= total && len <= total - off;
}

/* Byte order. Each header's fields, named once: the decoders and encoders below walk these lists,
 * loading and storing each field little-endian at its offsetof() in the packed struct (its offset
 * in the format). The _Static_asserts check that a list covers its struct byte for byte. */
#define PE_FILE_FIELDS(X, T)                                                                        \
        X(T, Machine) X(T, NumberOfSections) X(T, TimeDateStamp) X(T, PointerToSymbolTable)         \
        X(T, NumberOfSymbols) X(T, SizeOfOptionalHeader) X(T, Characteristics)
#define PE_DIR_FIELDS(X, T, i) X(T, DataDirectory[i].VirtualAddress) X(T, DataDirectory[i].Size)
#define PE_OPT_FIELDS(X, T)                                                                         \
        X(T, Magic) X(T, MajorLinkerVersion) X(T, MinorLinkerVersion) X(T, SizeOfCode)              \
        X(T, SizeOfInitializedData) X(T, SizeOfUninitializedData) X(T, AddressOfEntryPoint)         \
        X(T, BaseOfCode) X(T, ImageBase) X(T, SectionAlignment) X(T, FileAlignment)                 \
        X(T, MajorOperatingSystemVersion) X(T, MinorOperatingSystemVersion) X(T, MajorImageVersion) \
        X(T, MinorImageVersion) X(T, MajorSubsystemVersion) X(T, MinorSubsystemVersion)             \
        X(T, Win32VersionValue) X(T, SizeOfImage) X(T, SizeOfHeaders) X(T, CheckSum) X(T, Subsystem) \
        X(T, DllCharacteristics) X(T, SizeOfStackReserve) X(T, SizeOfStackCommit)                   \
        X(T, SizeOfHeapReserve) X(T, SizeOfHeapCommit) X(T, LoaderFlags) X(T, NumberOfRvaAndSizes)  \
        PE_DIR_FIELDS(X, T, 0) PE_DIR_FIELDS(X, T, 1) PE_DIR_FIELDS(X, T, 2) PE_DIR_FIELDS(X, T, 3)  \
        PE_DIR_FIELDS(X, T, 4) PE_DIR_FIELDS(X, T, 5) PE_DIR_FIELDS(X, T, 6) PE_DIR_FIELDS(X, T, 7)  \
        PE_DIR_FIELDS(X, T, 8) PE_DIR_FIELDS(X, T, 9) PE_DIR_FIELDS(X, T, 10) PE_DIR_FIELDS(X, T, 11) \
        PE_DIR_FIELDS(X, T, 12) PE_DIR_FIELDS(X, T, 13) PE_DIR_FIELDS(X, T, 14) PE_DIR_FIELDS(X, T, 15)
#define PE_SECTION_FIELDS(X, T)                                                                     \
        X(T, VirtualSize) X(T, VirtualAddress) X(T, SizeOfRawData) X(T, PointerToRawData)           \
        X(T, PointerToRelocations) X(T, PointerToLinenumbers) X(T, NumberOfRelocations)             \
        X(T, NumberOfLinenumbers) X(T, Characteristics)     /* and the Name bytes, copied as they are */

#define FIELD_SIZE(T, f) sizeof(((T *) 0)->f)
#define PLUS_SIZE(T, f) + FIELD_SIZE(T, f)
_Static_assert(0 PE_FILE_FIELDS(PLUS_SIZE, PeFileHeader) == sizeof(PeFileHeader), "PE_FILE_FIELDS covers PeFileHeader");
_Static_assert(0 PE_OPT_FIELDS(PLUS_SIZE, PeOptionalHeader64) == sizeof(PeOptionalHeader64),
               "PE_OPT_FIELDS covers PeOptionalHeader64");
_Static_assert(PE_SECTION_NAME_LEN PE_SECTION_FIELDS(PLUS_SIZE, PeSectionHeader) == sizeof(PeSectionHeader),
               "PE_SECTION_FIELDS and the name cover PeSectionHeader");

/* A little-endian field of n bytes (n is a constant at every use: one load or store). */
static uint64_t le_load(const uint8_t *p, size_t n) {
        return n == 1 ? p[0] : n == 2 ? get_le16(p) : n == 4 ? get_le32(p) : get_le64(p);
}
static void le_store(uint8_t *p, size_t n, uint64_t v) {
        if (n == 1)
                p[0] = (uint8_t) v;
        else if (n == 2)
                put_le16(p, (uint16_t) v);
        else if (n == 4)
                put_le32(p, (uint32_t) v);
        else
                put_le64(p, v);
}

/* fields_T_load(&h, bytes) and fields_T_store(&h, bytes) for each header type T */
#define LOAD_FIELD(T, f) h->f = (__typeof__(h->f)) le_load(b + offsetof(T, f), FIELD_SIZE(T, f));
#define STORE_FIELD(T, f) le_store(b + offsetof(T, f), FIELD_SIZE(T, f), h->f);
#define DEFINE_FIELD_CODEC(T, FIELDS)                                   \
        static void fields_##T##_load(T *h, const uint8_t *b) {         \
                FIELDS(LOAD_FIELD, T)                                   \
        }                                                               \
        static void fields_##T##_store(const T *h, uint8_t *b) {        \
                FIELDS(STORE_FIELD, T)                                  \
        }
DEFINE_FIELD_CODEC(PeFileHeader, PE_FILE_FIELDS)
DEFINE_FIELD_CODEC(PeOptionalHeader64, PE_OPT_FIELDS)
DEFINE_FIELD_CODEC(PeSectionHeader, PE_SECTION_FIELDS)

PeFileHeader pe_file_header_read(const void *p) {
        PeFileHeader h;
        fields_PeFileHeader_load(&h, p);
        return h;
}

void pe_file_header_write(void *p, const PeFileHeader *h) {
        fields_PeFileHeader_store(h, p);
}

PeOptionalHeader64 pe_optional_header_read(const void *p, size_t size) {
        /* a short optional header reads as if zeros followed it */
        uint8_t b[sizeof(PeOptionalHeader64)] = {};
        memcpy(b, p, size < sizeof(b) ? size : sizeof(b));
        PeOptionalHeader64 h;
        fields_PeOptionalHeader64_load(&h, b);
        return h;
}

void pe_optional_header_write(void *p, const PeOptionalHeader64 *h) {
        fields_PeOptionalHeader64_store(h, p);
}

PeSectionHeader pe_section_header_read(const void *p) {
        PeSectionHeader h;
        memcpy(h.Name, (const uint8_t *) p + offsetof(PeSectionHeader, Name), PE_SECTION_NAME_LEN);
        fields_PeSectionHeader_load(&h, p);
        return h;
}

void pe_section_header_write(void *p, const PeSectionHeader *h) {
        memcpy((uint8_t *) p + offsetof(PeSectionHeader, Name), h->Name, PE_SECTION_NAME_LEN);
        fields_PeSectionHeader_store(h, p);
}

PeSectionHeader pe_section(const PeView *f, size_t i) {
        return pe_section_header_read(f->data + f->sections_offset + i * SECTION_HEADER_SIZE);
}

PeResult pe_parse_layout(const void *buf, size_t len, PeLayout layout, PeView *ret) {
        const uint8_t *b = buf;
        PeView f = { .data = b, .size = len, .layout = layout };

        if (!buf || len < sizeof(DosHeader))
                return PE_TOO_SHORT;
        if (get_le16(b + offsetof(DosHeader, e_magic)) != DOS_MAGIC)
                return PE_BAD_DOS_MAGIC;
        f.pe_offset = get_le32(b + offsetof(DosHeader, e_lfanew));
        if (f.pe_offset < sizeof(DosHeader) || f.pe_offset > len || len - f.pe_offset < 4 + sizeof(PeFileHeader))
                return PE_BAD_LFANEW;
        if (get_le32(b + f.pe_offset) != PE_MAGIC)
                return PE_BAD_SIGNATURE;
        f.file = pe_file_header_read(b + f.pe_offset + 4);

        uint64_t opt_off = (uint64_t) f.pe_offset + 4 + sizeof(PeFileHeader);
        if (len - opt_off < 2)
                return PE_BAD_OPTIONAL_HEADER_SIZE;
        if (get_le16(b + opt_off) != PE_OPT_MAGIC_PE32PLUS)
                return PE_NOT_PE32PLUS;
        /* Fixed part (112 bytes) + data directories actually present. */
        const size_t opt_fixed = offsetof(PeOptionalHeader64, DataDirectory);
        if (f.file.SizeOfOptionalHeader < opt_fixed || f.file.SizeOfOptionalHeader > sizeof(PeOptionalHeader64) + 0x100 ||
            f.file.SizeOfOptionalHeader > len - opt_off)
                return PE_BAD_OPTIONAL_HEADER_SIZE;
        f.opt = pe_optional_header_read(b + opt_off, f.file.SizeOfOptionalHeader);
        if (f.opt.NumberOfRvaAndSizes > PE_DIR_COUNT ||
            opt_fixed + (size_t) f.opt.NumberOfRvaAndSizes * sizeof(PeDataDirectory) > f.file.SizeOfOptionalHeader)
                return PE_BAD_DATA_DIRECTORY;
        for (uint32_t i = f.opt.NumberOfRvaAndSizes; i < PE_DIR_COUNT; i++)
                f.opt.DataDirectory[i] = (PeDataDirectory) {};

        if (!is_pow2(f.opt.SectionAlignment) || !is_pow2(f.opt.FileAlignment) ||
            f.opt.FileAlignment > f.opt.SectionAlignment)
                return PE_BAD_ALIGNMENT;

        f.n_sections = f.file.NumberOfSections;
        if (f.n_sections > PE_MAX_SECTIONS)
                return PE_TOO_MANY_SECTIONS;
        uint64_t table = opt_off + f.file.SizeOfOptionalHeader;
        uint64_t table_end = table + (uint64_t) f.n_sections * SECTION_HEADER_SIZE;
        f.sections_offset = (uint32_t) table;
        /* A loader maps SizeOfHeaders bytes of header: the section table must be among them. */
        if (table_end > len || table_end > f.opt.SizeOfHeaders)
                return PE_SECTION_TABLE_OUTSIDE;
        if (f.opt.SizeOfHeaders > f.opt.SizeOfImage)
                return PE_SECTION_OUTSIDE_IMAGE;

        /* Data directories inside the image; the certificate table is a file offset (not loaded,
         * so not checked in memory layout). */
        for (uint32_t i = 0; i < PE_DIR_COUNT; i++) {
                PeDataDirectory d = f.opt.DataDirectory[i];
                if (i == PE_DIR_SECURITY && layout == PE_LAYOUT_MEMORY)
                        continue;
                uint64_t limit = i == PE_DIR_SECURITY ? len : f.opt.SizeOfImage;
                if (d.Size && (uint64_t) d.VirtualAddress + d.Size > limit)
                        return PE_BAD_DATA_DIRECTORY;
        }

        for (size_t i = 0; i < f.n_sections; i++) {
                PeSectionHeader s = pe_section(&f, i);
                if (layout == PE_LAYOUT_FILE && s.SizeOfRawData && (uint64_t) s.PointerToRawData + s.SizeOfRawData > len)
                        return PE_SECTION_DATA_OUTSIDE;
                uint64_t vsize = s.VirtualSize ? s.VirtualSize : s.SizeOfRawData;
                if ((uint64_t) s.VirtualAddress + vsize > f.opt.SizeOfImage)
                        return PE_SECTION_OUTSIDE_IMAGE;
                if (s.VirtualAddress < f.opt.SizeOfHeaders && vsize > 0)
                        return PE_SECTIONS_OVERLAP;
                for (size_t j = 0; j < i; j++) {
                        PeSectionHeader t = pe_section(&f, j);
                        uint64_t tsize = t.VirtualSize ? t.VirtualSize : t.SizeOfRawData;
                        if (vsize && tsize && s.VirtualAddress < (uint64_t) t.VirtualAddress + tsize &&
                            t.VirtualAddress < (uint64_t) s.VirtualAddress + vsize)
                                return PE_SECTIONS_OVERLAP;
                }
        }

        if (ret)
                *ret = f;
        return PE_OK;
}

void pe_section_name(const PeSectionHeader *s, char out[PE_SECTION_NAME_LEN + 1]) {
        memcpy(out, s->Name, PE_SECTION_NAME_LEN);
        out[PE_SECTION_NAME_LEN] = '\0';
}

bool pe_section_name_is(const PeSectionHeader *s, const char *name) {
        size_t n = strlen(name);
        if (n > PE_SECTION_NAME_LEN || memcmp(s->Name, name, n) != 0)
                return false;
        return n == PE_SECTION_NAME_LEN || s->Name[n] == 0;
}

bool pe_section_is(const PeView *v, size_t i, const char *name) {
        PeSectionHeader s = pe_section(v, i);
        return pe_section_name_is(&s, name);
}

int pe_find_section(const PeView *f, const char *name) {
        for (size_t i = 0; i < f->n_sections; i++)
                if (pe_section_is(f, i, name))
                        return (int) i;
        return -1;
}

const uint8_t *pe_section_data(const PeView *f, size_t i, size_t *ret_size) {
        PeSectionHeader s = pe_section(f, i);
        if (f->layout == PE_LAYOUT_MEMORY) {
                /* pe_parse bounded it by SizeOfImage; the buffer (ImageSize) may be smaller */
                if (!in_range(s.VirtualAddress, s.VirtualSize, f->size)) {
                        *ret_size = 0;
                        return NULL;
                }
                *ret_size = s.VirtualSize;
                return f->data + s.VirtualAddress;
        }
        size_t n = s.SizeOfRawData;
        if (s.VirtualSize && s.VirtualSize < n)
                n = s.VirtualSize;
        *ret_size = n;
        /* checked by pe_parse when n > 0; an empty section may point anywhere */
        return n ? f->data + s.PointerToRawData : f->data;
}

bool pe_section_get(const PeView *v, int i, const uint8_t **ret, size_t *ret_size) {
        if (i < 0 || (size_t) i >= v->n_sections)
                return false;
        size_t n;
        const uint8_t *d = pe_section_data(v, (size_t) i, &n);
        if (!d)
                return false;
        *ret = d;
        *ret_size = n;
        return true;
}

bool pe_section_find(const PeView *v, const char *name, const uint8_t **ret, size_t *ret_size) {
        return pe_section_get(v, pe_find_section(v, name), ret, ret_size);
}

PeVerdict pe_verdict(const PeView *f) {
        PeVerdict v = {
                .nx_compat = (f->opt.DllCharacteristics & PE_DLL_NX_COMPAT) != 0,
                .section_alignment_4k = f->opt.SectionAlignment >= 4096,
                .first_wx = -1,
        };
        for (size_t i = 0; i < f->n_sections; i++) {
                PeSectionHeader s = pe_section(f, i);
                if (s.VirtualAddress % 4096)
                        v.section_alignment_4k = false;
                if ((s.Characteristics & PE_SCN_MEM_WRITE) && (s.Characteristics & PE_SCN_MEM_EXECUTE)) {
                        if (v.first_wx < 0)
                                v.first_wx = (int) i;
                        v.n_wx++;
                }
        }
        v.base_reloc_dir_size = f->opt.DataDirectory[PE_DIR_BASERELOC].Size;
        v.base_relocs_malformed = !pe_count_base_relocs(f, &v.n_base_relocs);
        v.ok = v.nx_compat && v.section_alignment_4k && v.n_wx == 0 && v.base_reloc_dir_size == 0;
        return v;
}

bool pe_count_base_relocs(const PeView *f, unsigned *ret) {
        PeDataDirectory d = f->opt.DataDirectory[PE_DIR_BASERELOC];
        *ret = 0;
        if (d.Size == 0)
                return true;
        /* the section whose file data holds the whole directory */
        const uint8_t *p = NULL;
        for (size_t i = 0; i < f->n_sections && !p; i++) {
                PeSectionHeader s = pe_section(f, i);
                size_t n;
                const uint8_t *data = pe_section_data(f, i, &n);
                if (data && d.VirtualAddress >= s.VirtualAddress && (uint64_t) d.VirtualAddress + d.Size <= (uint64_t) s.VirtualAddress + n)
                        p = data + (d.VirtualAddress - s.VirtualAddress);
        }
        if (!p)
                return false;
        for (uint32_t off = 0; off < d.Size;) {
                if (d.Size - off < sizeof(PeBaseRelocBlock))
                        return false;
                uint32_t block_size = get_le32(p + off + offsetof(PeBaseRelocBlock, BlockSize));
                if (block_size < sizeof(PeBaseRelocBlock) || block_size % 2 != 0 || block_size > d.Size - off)
                        return false;
                for (uint64_t e = off + sizeof(PeBaseRelocBlock); e + 2 <= (uint64_t) off + block_size; e += 2)
                        if (get_le16(p + e) >> 12 != PE_REL_BASED_ABSOLUTE)
                                (*ret)++;
                off += block_size;
        }
        return true;
}

void pe_empty_make(uint8_t out[PE_EMPTY_SIZE], uint16_t machine, uint16_t file_characteristics, uint32_t entry) {
        enum { LFANEW = sizeof(DosHeader) };
        memset(out, 0, PE_EMPTY_SIZE);
        put_le16(out + offsetof(DosHeader, e_magic), DOS_MAGIC);
        put_le32(out + offsetof(DosHeader, e_lfanew), LFANEW);
        put_le32(out + LFANEW + offsetof(PeHeader64, Signature), PE_MAGIC);
        pe_file_header_write(out + LFANEW + offsetof(PeHeader64, FileHeader),
                             &(PeFileHeader) { .Machine = machine, .SizeOfOptionalHeader = sizeof(PeOptionalHeader64),
                                               .Characteristics = file_characteristics });
        pe_optional_header_write(out + LFANEW + offsetof(PeHeader64, OptionalHeader),
                                 &(PeOptionalHeader64) {
                                         .Magic = PE_OPT_MAGIC_PE32PLUS, .AddressOfEntryPoint = entry,
                                         .BaseOfCode = entry, .SectionAlignment = 0x1000,
                                         .FileAlignment = 0x200, .MajorSubsystemVersion = 1,
                                         .SizeOfImage = PE_EMPTY_SIZE, .SizeOfHeaders = PE_EMPTY_SIZE,
                                         .Subsystem = PE_SUBSYSTEM_EFI_APPLICATION,
                                         .DllCharacteristics = PE_DLL_NX_COMPAT | PE_DLL_DYNAMIC_BASE,
                                         .NumberOfRvaAndSizes = PE_DIR_COUNT,
                                 });
}

const uint8_t *pe_entry_unsupported(uint16_t machine, size_t *ret_size) {
        /* EFI_UNSUPPORTED = EFI error bit | 3, returned in rax (ms_abi) / x0 (AAPCS64) */
        static const uint8_t x86_64[] = {
                0x48, 0xb8, 0x03, 0, 0, 0, 0, 0, 0, 0x80,   /* movabs $0x8000000000000003, %rax */
                0xc3,                                      /* ret */
        };
        static const uint8_t arm64[] = {
                0x60, 0x00, 0x80, 0xd2,   /* mov  x0, #3 */
                0x00, 0x00, 0xf0, 0xf2,   /* movk x0, #0x8000, lsl #48 */
                0xc0, 0x03, 0x5f, 0xd6,   /* ret */
        };
        switch (machine) {
        case PE_MACHINE_X86_64:
                *ret_size = sizeof(x86_64);
                return x86_64;
        case PE_MACHINE_ARM64:
                *ret_size = sizeof(arm64);
                return arm64;
        default:
                *ret_size = 0;
                return NULL;
        }
}

/* Layout of an append: where the new headers, data and RVAs go. */
typedef struct {
        uint64_t data_start;            /* file offset of the first new section's data */
        uint64_t rva_start;
        uint64_t out_size;
} AppendPlan;

static PeResult plan_append(const PeView *f, const PeNewSection *s, size_t n, AppendPlan *ret) {
        uint32_t fa = f->opt.FileAlignment, sa = f->opt.SectionAlignment;

        if (f->opt.DataDirectory[PE_DIR_SECURITY].Size)
                return PE_SIGNED;
        if (f->n_sections + n > PE_MAX_SECTIONS)
                return PE_TOO_MANY_SECTIONS;

        /* Header room: the table may grow up to SizeOfHeaders and up to the first raw data. */
        uint64_t room_end = f->opt.SizeOfHeaders;
        uint64_t end_rva = align_up(f->opt.SizeOfHeaders, sa);
        for (size_t i = 0; i < f->n_sections; i++) {
                PeSectionHeader h = pe_section(f, i);
                if (h.SizeOfRawData && h.PointerToRawData < room_end)
                        room_end = h.PointerToRawData;
                uint64_t vsize = h.VirtualSize ? h.VirtualSize : h.SizeOfRawData;
                if (h.VirtualAddress + vsize > end_rva)
                        end_rva = h.VirtualAddress + vsize;
        }
        /* ... and inside the file: SizeOfHeaders may claim more than a short file holds */
        if (room_end > f->size)
                room_end = f->size;
        if (f->sections_offset + (uint64_t) (f->n_sections + n) * SECTION_HEADER_SIZE > room_end)
                return PE_NO_HEADER_ROOM;

        uint64_t off = align_up(f->size, fa), rva = align_up(end_rva, sa);
        ret->data_start = off;
        ret->rva_start = rva;
        for (size_t i = 0; i < n; i++) {
                if (!s[i].name || strlen(s[i].name) == 0 || strlen(s[i].name) > PE_SECTION_NAME_LEN)
                        return PE_BAD_SECTION_NAME;
                uint32_t c = s[i].characteristics;
                if ((c & PE_SCN_MEM_WRITE) && (c & PE_SCN_MEM_EXECUTE))
                        return PE_WX_SECTION;
                if (s[i].size > UINT32_MAX)
                        return PE_TOO_BIG;
                off += align_up(s[i].size, fa);
                rva += align_up(s[i].size ? s[i].size : 1, sa);
        }
        if (off > UINT32_MAX || rva > UINT32_MAX)
                return PE_TOO_BIG;
        ret->out_size = off;
        return PE_OK;
}

PeResult pe_append_size(const PeView *f, const PeNewSection *s, size_t n, size_t *ret) {
        AppendPlan p;
        PeResult r = plan_append(f, s, n, &p);
        if (r == PE_OK)
                *ret = (size_t) p.out_size;
        return r;
}

PeResult pe_append_sections(const PeView *f, const PeNewSection *s, size_t n, uint8_t *out, size_t out_cap,
                            size_t *ret_size) {
        AppendPlan p;
        PeResult r = plan_append(f, s, n, &p);
        if (r != PE_OK)
                return r;
        if (out_cap < p.out_size)
                return PE_BUFFER_TOO_SMALL;

        uint32_t fa = f->opt.FileAlignment, sa = f->opt.SectionAlignment;
        memmove(out, f->data, f->size);
        memset(out + f->size, 0, (size_t) (p.out_size - f->size));

        uint64_t off = p.data_start, rva = p.rva_start, init_data = 0, code = 0;
        for (size_t i = 0; i < n; i++) {
                PeSectionHeader h = {};
                memcpy(h.Name, s[i].name, strlen(s[i].name));
                h.VirtualAddress = (uint32_t) rva;
                h.SizeOfRawData = (uint32_t) align_up(s[i].size, fa);
                h.VirtualSize = s[i].pad_virtual ? h.SizeOfRawData : (uint32_t) s[i].size;
                h.PointerToRawData = s[i].size ? (uint32_t) off : 0;
                h.Characteristics = s[i].characteristics ? s[i].characteristics
                                                         : PE_SCN_CNT_INITIALIZED_DATA | PE_SCN_MEM_READ;
                pe_section_header_write(out + f->sections_offset + (f->n_sections + i) * SECTION_HEADER_SIZE, &h);
                if (s[i].size)
                        memcpy(out + off, s[i].data, s[i].size);
                off += h.SizeOfRawData;
                rva += align_up(s[i].size ? s[i].size : 1, sa);
                if (h.Characteristics & PE_SCN_CNT_CODE)
                        code += h.SizeOfRawData;
                else
                        init_data += h.SizeOfRawData;
        }

        uint64_t opt_off = (uint64_t) f->pe_offset + 4 + sizeof(PeFileHeader);
        put_le16(out + f->pe_offset + 4 + offsetof(PeFileHeader, NumberOfSections), (uint16_t) (f->n_sections + n));
        uint64_t sid = f->opt.SizeOfInitializedData + init_data;
        put_le32(out + opt_off + offsetof(PeOptionalHeader64, SizeOfInitializedData),
                 sid > UINT32_MAX ? UINT32_MAX : (uint32_t) sid);
        uint64_t soc = f->opt.SizeOfCode + code;
        put_le32(out + opt_off + offsetof(PeOptionalHeader64, SizeOfCode), soc > UINT32_MAX ? UINT32_MAX : (uint32_t) soc);
        put_le32(out + opt_off + offsetof(PeOptionalHeader64, SizeOfImage), (uint32_t) rva);
        *ret_size = (size_t) p.out_size;
        return pe_update_checksum(out, (size_t) p.out_size);
}

/* Where a replaced section's data goes: grow = the last section, rewritten at its place with
 * new_raw bytes of raw data; otherwise in place within its old raw data. */
typedef struct {
        bool grow;
        uint64_t new_raw;
        uint64_t out_size;
} ReplacePlan;

static PeResult plan_replace(const PeView *f, size_t idx, size_t size, ReplacePlan *ret) {
        if (f->opt.DataDirectory[PE_DIR_SECURITY].Size)
                return PE_SIGNED;
        if (idx >= f->n_sections)
                return PE_NO_SUCH_SECTION;
        if (size == 0 || size > UINT32_MAX)
                return PE_NO_SECTION_ROOM;
        PeSectionHeader s = pe_section(f, idx);
        if (s.SizeOfRawData == 0 || s.PointerToRawData == 0)
                return PE_NO_SECTION_ROOM;
        /* Raw data overlapping the headers (the section table among them) would be overwritten
         * by the new contents and their zero padding: refuse (found by fuzz-pe). */
        if ((uint64_t) s.PointerToRawData < (uint64_t) f->sections_offset + (uint64_t) f->n_sections * SECTION_HEADER_SIZE)
                return PE_NO_SECTION_ROOM;
        uint32_t fa = f->opt.FileAlignment, sa = f->opt.SectionAlignment;
        uint64_t raw_end = (uint64_t) s.PointerToRawData + s.SizeOfRawData;
        uint64_t next_rva = f->opt.SizeOfImage;
        bool last_in_file = align_up(f->size, fa) <= align_up(raw_end, fa), last_rva = true;
        for (size_t i = 0; i < f->n_sections; i++) {
                if (i == idx)
                        continue;
                PeSectionHeader t = pe_section(f, i);
                if (t.SizeOfRawData && t.PointerToRawData >= s.PointerToRawData)
                        last_in_file = false;
                if (t.VirtualAddress >= s.VirtualAddress) {
                        last_rva = false;
                        if (t.VirtualAddress < next_rva)
                                next_rva = t.VirtualAddress;
                }
        }
        /* nothing in the file after the section but zeros (file alignment padding) */
        for (uint64_t o = raw_end; last_in_file && o < f->size; o++)
                if (f->data[o])
                        last_in_file = false;
        if (last_in_file && last_rva) {
                uint64_t new_raw = align_up(size, fa);
                if (s.PointerToRawData + new_raw > UINT32_MAX || align_up((uint64_t) s.VirtualAddress + size, sa) > UINT32_MAX)
                        return PE_TOO_BIG;
                *ret = (ReplacePlan) { true, new_raw, s.PointerToRawData + new_raw };
                return PE_OK;
        }
        if (size > s.SizeOfRawData || s.VirtualAddress + (uint64_t) size > next_rva)
                return PE_NO_SECTION_ROOM;
        *ret = (ReplacePlan) { false, s.SizeOfRawData, f->size };
        return PE_OK;
}

PeResult pe_replace_size(const PeView *f, size_t idx, size_t size, size_t *ret) {
        ReplacePlan p;
        PeResult r = plan_replace(f, idx, size, &p);
        if (r == PE_OK)
                *ret = (size_t) p.out_size;
        return r;
}

PeResult pe_replace_section(const PeView *f, size_t idx, const void *data, size_t size, uint8_t *out, size_t out_cap,
                            size_t *ret_size) {
        ReplacePlan p;
        PeResult r = plan_replace(f, idx, size, &p);
        if (r != PE_OK)
                return r;
        if (out_cap < p.out_size)
                return PE_BUFFER_TOO_SMALL;
        PeSectionHeader s = pe_section(f, idx);
        uint64_t keep = p.grow ? s.PointerToRawData : f->size;
        memmove(out, f->data, (size_t) keep);
        memcpy(out + s.PointerToRawData, data, size);
        memset(out + s.PointerToRawData + size, 0, (size_t) (p.new_raw - size));

        uint64_t opt_off = (uint64_t) f->pe_offset + 4 + sizeof(PeFileHeader);
        uint8_t *h = out + f->sections_offset + idx * SECTION_HEADER_SIZE;
        put_le32(h + offsetof(PeSectionHeader, VirtualSize), (uint32_t) size);
        if (p.grow) {
                put_le32(h + offsetof(PeSectionHeader, SizeOfRawData), (uint32_t) p.new_raw);
                uint32_t sa = f->opt.SectionAlignment;
                /* never smaller: data directories may point up to the old end */
                uint64_t soi = align_up((uint64_t) s.VirtualAddress + size, sa);
                put_le32(out + opt_off + offsetof(PeOptionalHeader64, SizeOfImage),
                         (uint32_t) (soi > f->opt.SizeOfImage ? soi : f->opt.SizeOfImage));
                if (s.Characteristics & PE_SCN_CNT_INITIALIZED_DATA) {
                        int64_t sid = (int64_t) f->opt.SizeOfInitializedData - s.SizeOfRawData + (int64_t) p.new_raw;
                        put_le32(out + opt_off + offsetof(PeOptionalHeader64, SizeOfInitializedData),
                                 sid < 0 ? 0 : sid > UINT32_MAX ? UINT32_MAX : (uint32_t) sid);
                }
        }
        *ret_size = (size_t) p.out_size;
        return pe_update_checksum(out, (size_t) p.out_size);
}

/* Loading. The section table is read through copies: the buffer need not be aligned. */

bool pe_load_is_identity(const PeView *v) {
        for (size_t i = 0; i < v->n_sections; i++) {
                PeSectionHeader s = pe_section(v, i);
                uint32_t raw = s.SizeOfRawData < s.VirtualSize ? s.SizeOfRawData : s.VirtualSize;
                if (raw == 0)
                        continue;
                if (s.PointerToRawData != s.VirtualAddress)
                        return false;
                /* the part not backed by raw data must be in the file too (and zero there,
                 * which the producer of a padded image guarantees) */
                if (!in_range(s.VirtualAddress, s.VirtualSize, v->size))
                        return false;
        }
        return v->opt.SizeOfImage <= v->size;
}

PeResult pe_load_copy(const PeView *v, void *dst, size_t dst_size) {
        uint8_t *d = dst;
        uint32_t image_size = v->opt.SizeOfImage, hdr = v->opt.SizeOfHeaders;

        if (dst_size < image_size)
                return PE_BUFFER_TOO_SMALL;
        if (hdr > image_size)
                return PE_SECTION_OUTSIDE_IMAGE;
        if (hdr > v->size)
                return PE_HEADERS_OUTSIDE;

        /* Validate everything before writing anything (pe_parse did; a view is cheap to
         * re-check, and a FILE view is required for the raw data). */
        for (size_t i = 0; i < v->n_sections; i++) {
                PeSectionHeader s = pe_section(v, i);
                uint32_t raw = s.SizeOfRawData < s.VirtualSize ? s.SizeOfRawData : s.VirtualSize;
                if (!in_range(s.VirtualAddress, s.VirtualSize, image_size))
                        return PE_SECTION_OUTSIDE_IMAGE;
                if (raw && (v->layout != PE_LAYOUT_FILE || !in_range(s.PointerToRawData, raw, v->size)))
                        return PE_SECTION_DATA_OUTSIDE;
        }

        memset(d, 0, image_size);
        memcpy(d, v->data, hdr);
        for (size_t i = 0; i < v->n_sections; i++) {
                PeSectionHeader s = pe_section(v, i);
                uint32_t raw = s.SizeOfRawData < s.VirtualSize ? s.SizeOfRawData : s.VirtualSize;
                if (raw)
                        memcpy(d + s.VirtualAddress, v->data + s.PointerToRawData, raw);
        }
        return PE_OK;
}

PeResult pe_load_relocate(void *image, size_t image_size, const PeView *v, uint64_t delta) {
        uint8_t *img = image;
        PeDataDirectory dir = v->opt.DataDirectory[PE_DIR_BASERELOC];   /* zero if not present */

        if (delta == 0 || dir.Size == 0)
                return PE_OK;
        if (!in_range(dir.VirtualAddress, dir.Size, image_size))
                return PE_BAD_RELOC;

        /* Two passes: check every entry, then patch, so a bad table changes nothing. */
        for (int apply = 0; apply <= 1; apply++) {
                uint32_t off = 0;
                while (dir.Size - off >= sizeof(PeBaseRelocBlock)) {
                        const uint8_t *blk = img + dir.VirtualAddress + off;
                        uint32_t page = get_le32(blk + offsetof(PeBaseRelocBlock, PageRVA));
                        uint32_t block_size = get_le32(blk + offsetof(PeBaseRelocBlock, BlockSize));
                        if (block_size < sizeof(PeBaseRelocBlock) || block_size > dir.Size - off || block_size % 2)
                                return PE_BAD_RELOC;
                        for (uint32_t e = sizeof(PeBaseRelocBlock); e + 2 <= block_size; e += 2) {
                                uint16_t entry = get_le16(blk + e);
                                unsigned type = entry >> 12;
                                uint64_t target = (uint64_t) page + (entry & 0xfff);
                                if (type == PE_REL_BASED_ABSOLUTE)
                                        continue;
                                if (type != PE_REL_BASED_DIR64 || !in_range(target, 8, image_size))
                                        return PE_BAD_RELOC;
                                if (apply)
                                        put_le64(img + target, get_le64(img + target) + delta);
                        }
                        off += block_size;
                }
        }
        return PE_OK;
}

uint32_t pe_checksum(const uint8_t *buf, size_t len, uint32_t checksum_offset) {
        uint64_t sum = 0;
        for (size_t i = 0; i < len; i += 2) {
                if (i == checksum_offset || i == checksum_offset + 2)
                        continue;
                uint16_t w = buf[i] | (i + 1 < len ? (uint16_t) buf[i + 1] << 8 : 0);
                sum += w;
                sum = (sum & 0xffff) + (sum >> 16);
        }
        sum = (sum & 0xffff) + (sum >> 16);
        return (uint32_t) (sum + len);
}

PeResult pe_update_checksum(uint8_t *buf, size_t len) {
        PeView f;
        PeResult r = pe_parse(buf, len, &f);
        if (r != PE_OK)
                return r;
        uint32_t off = f.pe_offset + 4 + sizeof(PeFileHeader) + offsetof(PeOptionalHeader64, CheckSum);
        put_le32(buf + off, pe_checksum(buf, len, off));
        return PE_OK;
}

const char *pe_strerror(PeResult r) {
        switch (r) {
        case PE_OK:                     return "success";
        case PE_TOO_SHORT:              return "file too short for a DOS header";
        case PE_BAD_DOS_MAGIC:          return "no MZ signature (not a PE image)";
        case PE_BAD_LFANEW:             return "PE header offset (e_lfanew at 0x3c) outside the file";
        case PE_BAD_SIGNATURE:          return "no PE signature at e_lfanew";
        case PE_NOT_PE32PLUS:           return "not a PE32+ image (only 64-bit EFI images are supported)";
        case PE_BAD_OPTIONAL_HEADER_SIZE: return "optional header size invalid or past the end of the file";
        case PE_TOO_MANY_SECTIONS:      return "too many sections";
        case PE_SECTION_TABLE_OUTSIDE:  return "section table runs past the end of the file";
        case PE_SECTION_DATA_OUTSIDE:   return "section raw data runs past the end of the file";
        case PE_SECTION_OUTSIDE_IMAGE:  return "section (or headers) beyond SizeOfImage";
        case PE_SECTIONS_OVERLAP:       return "sections overlap each other or the headers";
        case PE_BAD_ALIGNMENT:          return "SectionAlignment/FileAlignment not powers of two, or FileAlignment > SectionAlignment";
        case PE_BAD_DATA_DIRECTORY:     return "data directory count or entry out of range";
        case PE_NO_HEADER_ROOM:         return "no room in the headers for more section headers";
        case PE_SIGNED:                 return "image is signed: appending sections would invalidate the signature (sign the result instead)";
        case PE_WX_SECTION:             return "refusing a section that is both writable and executable";
        case PE_BUFFER_TOO_SMALL:       return "output buffer too small";
        case PE_TOO_BIG:                return "result would exceed 4 GiB";
        case PE_BAD_SECTION_NAME:       return "section name empty or longer than 8 bytes";
        case PE_NO_SECTION_ROOM:        return "new contents do not fit in the section (only the last section can grow)";
        case PE_NO_SUCH_SECTION:        return "no such section";
        case PE_BAD_RELOC:              return "malformed base relocations";
        case PE_HEADERS_OUTSIDE:        return "SizeOfHeaders runs past the end of the file";
        }
        return "unknown PE error";
}
