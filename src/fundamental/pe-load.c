/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "pe-load.h"

static bool in_range(uint64_t off, uint64_t len, uint64_t total) {
        return off <= total && len <= total - off;
}

PeLoadResult pe_load_view(const void *file, size_t file_size, PeLoadView *ret) {
        const uint8_t *f = file;
        DosHeader dos;
        PeHeader64 pe;

        if (file_size < sizeof(dos))
                return PE_LOAD_BAD_HEADERS;
        memcpy(&dos, f, sizeof(dos));
        if (dos.e_magic != DOS_MAGIC || !in_range(dos.e_lfanew, sizeof(pe), file_size))
                return PE_LOAD_BAD_HEADERS;
        memcpy(&pe, f + dos.e_lfanew, sizeof(pe));
        if (pe.Signature != PE_MAGIC || pe.OptionalHeader.Magic != PE_OPT_MAGIC_PE32PLUS ||
            pe.FileHeader.SizeOfOptionalHeader < sizeof(PeOptionalHeader64) - sizeof(pe.OptionalHeader.DataDirectory))
                return PE_LOAD_BAD_HEADERS;

        uint64_t sec_off = (uint64_t) dos.e_lfanew + 4 + sizeof(PeFileHeader) + pe.FileHeader.SizeOfOptionalHeader;
        uint64_t sec_len = (uint64_t) pe.FileHeader.NumberOfSections * sizeof(PeSectionHeader);
        if (!in_range(sec_off, sec_len, file_size) || sec_off + sec_len > pe.OptionalHeader.SizeOfHeaders)
                return PE_LOAD_BAD_HEADERS;

        *ret = (PeLoadView) {
                .pe = (const PeHeader64 *) (f + dos.e_lfanew),
                .sections = (const PeSectionHeader *) (f + sec_off),
                .n_sections = pe.FileHeader.NumberOfSections,
        };
        return PE_LOAD_OK;
}

/* The section table is read through memcpy: the file buffer need not be aligned. */
static PeSectionHeader section_at(const PeLoadView *v, size_t i) {
        PeSectionHeader s;
        memcpy(&s, &v->sections[i], sizeof(s));
        return s;
}

static uint32_t size_of_image(const PeLoadView *v) {
        uint32_t s;
        memcpy(&s, &v->pe->OptionalHeader.SizeOfImage, sizeof(s));
        return s;
}

static uint32_t size_of_headers(const PeLoadView *v) {
        uint32_t s;
        memcpy(&s, &v->pe->OptionalHeader.SizeOfHeaders, sizeof(s));
        return s;
}

bool pe_load_is_identity(const PeLoadView *v, size_t file_size) {
        for (size_t i = 0; i < v->n_sections; i++) {
                PeSectionHeader s = section_at(v, i);
                uint32_t raw = s.SizeOfRawData < s.VirtualSize ? s.SizeOfRawData : s.VirtualSize;
                if (raw == 0)
                        continue;
                if (s.PointerToRawData != s.VirtualAddress)
                        return false;
                /* the part not backed by raw data must be in the file too (and zero there,
                 * which the producer of a padded image guarantees) */
                if (!in_range(s.VirtualAddress, s.VirtualSize, file_size))
                        return false;
        }
        return size_of_image(v) <= file_size;
}

PeLoadResult pe_load_copy(const void *file, size_t file_size, const PeLoadView *v, void *dst, size_t dst_size) {
        const uint8_t *f = file;
        uint8_t *d = dst;
        uint32_t image_size = size_of_image(v), hdr = size_of_headers(v);

        if (dst_size < image_size)
                return PE_LOAD_DST_TOO_SMALL;
        if (hdr > image_size || hdr > file_size)
                return PE_LOAD_BAD_HEADERS;

        /* Validate everything before writing anything. */
        for (size_t i = 0; i < v->n_sections; i++) {
                PeSectionHeader s = section_at(v, i);
                uint32_t raw = s.SizeOfRawData < s.VirtualSize ? s.SizeOfRawData : s.VirtualSize;
                if (!in_range(s.VirtualAddress, s.VirtualSize, image_size) ||
                    (raw && !in_range(s.PointerToRawData, raw, file_size)))
                        return PE_LOAD_BAD_SECTION;
        }

        memset(d, 0, image_size);
        memcpy(d, f, hdr);
        for (size_t i = 0; i < v->n_sections; i++) {
                PeSectionHeader s = section_at(v, i);
                uint32_t raw = s.SizeOfRawData < s.VirtualSize ? s.SizeOfRawData : s.VirtualSize;
                if (raw)
                        memcpy(d + s.VirtualAddress, f + s.PointerToRawData, raw);
        }
        return PE_LOAD_OK;
}

PeLoadResult pe_load_relocate(void *image, size_t image_size, const PeLoadView *v, uint64_t delta) {
        uint8_t *img = image;
        PeDataDirectory dir;
        uint32_t n_dirs;

        memcpy(&n_dirs, &v->pe->OptionalHeader.NumberOfRvaAndSizes, sizeof(n_dirs));
        if (n_dirs <= PE_DIR_BASERELOC || delta == 0)
                return PE_LOAD_OK;
        memcpy(&dir, &v->pe->OptionalHeader.DataDirectory[PE_DIR_BASERELOC], sizeof(dir));
        if (dir.Size == 0)
                return PE_LOAD_OK;
        if (!in_range(dir.VirtualAddress, dir.Size, image_size))
                return PE_LOAD_BAD_RELOC;

        /* Two passes: check every entry, then patch, so a bad table changes nothing. */
        for (int apply = 0; apply <= 1; apply++) {
                uint32_t off = 0;
                while (dir.Size - off >= sizeof(PeBaseRelocBlock)) {
                        PeBaseRelocBlock b;
                        memcpy(&b, img + dir.VirtualAddress + off, sizeof(b));
                        if (b.BlockSize < sizeof(b) || b.BlockSize > dir.Size - off || b.BlockSize % 2)
                                return PE_LOAD_BAD_RELOC;
                        for (uint32_t e = sizeof(b); e + 2 <= b.BlockSize; e += 2) {
                                uint16_t entry;
                                memcpy(&entry, img + dir.VirtualAddress + off + e, 2);
                                unsigned type = entry >> 12;
                                uint64_t target = (uint64_t) b.PageRVA + (entry & 0xfff);
                                if (type == PE_REL_BASED_ABSOLUTE)
                                        continue;
                                if (type != PE_REL_BASED_DIR64 || !in_range(target, 8, image_size))
                                        return PE_LOAD_BAD_RELOC;
                                if (apply) {
                                        uint64_t val;
                                        memcpy(&val, img + target, 8);
                                        val += delta;
                                        memcpy(img + target, &val, 8);
                                }
                        }
                        off += b.BlockSize;
                }
        }
        return PE_LOAD_OK;
}

bool pe_load_find_section(const void *image, size_t size, bool in_memory, const char *name, const uint8_t **ret,
                          size_t *ret_size) {
        char want[PE_SECTION_NAME_LEN] = {};
        PeLoadView v;

        if (pe_load_view(image, size, &v) != PE_LOAD_OK)
                return false;
        for (size_t i = 0; i < PE_SECTION_NAME_LEN && name[i]; i++)
                want[i] = name[i];
        for (size_t i = 0; i < v.n_sections; i++) {
                PeSectionHeader s = section_at(&v, i);
                if (memcmp(s.Name, want, PE_SECTION_NAME_LEN) != 0)
                        continue;
                uint64_t off = in_memory ? s.VirtualAddress : s.PointerToRawData;
                uint64_t len = in_memory || s.VirtualSize < s.SizeOfRawData ? s.VirtualSize : s.SizeOfRawData;
                if (!in_range(off, len, size))
                        return false;
                *ret = (const uint8_t *) image + off;
                *ret_size = (size_t) len;
                return true;
        }
        return false;
}

const char *pe_load_strerror(PeLoadResult r) {
        switch (r) {
        case PE_LOAD_OK: return "success";
        case PE_LOAD_BAD_HEADERS: return "PE headers are malformed or outside the file";
        case PE_LOAD_BAD_SECTION: return "a PE section lies outside the file or the image";
        case PE_LOAD_DST_TOO_SMALL: return "destination smaller than SizeOfImage";
        case PE_LOAD_BAD_RELOC: return "malformed base relocations";
        default: return "unknown error";
        }
}
