/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the PE reader the EFI loader boots with (src/fundamental/pe-load.c) on arbitrary
 * bytes: pe_load_view, pe_load_is_identity, pe_load_copy, pe_load_relocate and the section
 * lookup the stubs use (pe_load_find_section). The first 8 input bytes are the relocation
 * delta. Invariants: what the view accepts lies inside the file; a copy fills exactly
 * SizeOfImage and holds the headers and the last section's bytes; a refused relocation
 * changes nothing, an accepted one is undone by the opposite delta; a found section lies
 * inside the buffer it was looked up in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pe-load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_section(const uint8_t *buf, size_t size, bool in_memory, const char *name) {
        const uint8_t *p;
        size_t n;
        if (pe_load_find_section(buf, size, in_memory, name, &p, &n) && (p < buf || p > buf + size || n > size - (size_t) (p - buf)))
                __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint64_t delta;
        if (size < 8)
                return 0;
        memcpy(&delta, data, 8);
        data += 8;
        size -= 8;

        /* exact-size copy so ASan sees any read past the end */
        uint8_t *file = malloc(size ? size : 1);
        if (!file)
                return 0;
        memcpy(file, data, size);

        static const char *const names[] = { ".linux", ".zbx86", ".initrd", ".cmdline", ".text", "" };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                check_section(file, size, false, names[i]);
                check_section(file, size, true, names[i]);
        }

        PeLoadView v;
        if (pe_load_view(file, size, &v) != PE_LOAD_OK)
                goto out;
        const uint8_t *pe = (const uint8_t *) v.pe, *sec = (const uint8_t *) v.sections;
        if (pe < file || pe + sizeof(PeHeader64) > file + size || sec < file ||
            sec + (size_t) v.n_sections * sizeof(PeSectionHeader) > file + size)
                __builtin_trap();
        /* every name in the table can be looked up */
        for (size_t i = 0; i < v.n_sections && i < 16; i++) {
                char name[PE_SECTION_NAME_LEN + 1] = {};
                memcpy(name, v.sections[i].Name, PE_SECTION_NAME_LEN);
                check_section(file, size, false, name);
                check_section(file, size, true, name);
        }
        bool identity = pe_load_is_identity(&v, size);

        uint32_t image_size, hdr;
        memcpy(&image_size, &v.pe->OptionalHeader.SizeOfImage, 4);
        memcpy(&hdr, &v.pe->OptionalHeader.SizeOfHeaders, 4);
        if (image_size == 0 || image_size > (2u << 20))   /* our stubs: ~300 KiB; keeps runs fast */
                goto out;
        if (pe_load_copy(file, size, &v, NULL, image_size - 1) != PE_LOAD_DST_TOO_SMALL)
                __builtin_trap();
        uint8_t *img = malloc(image_size), *before = malloc(image_size);
        if (!img || !before)
                goto out2;
        if (pe_load_copy(file, size, &v, img, image_size) != PE_LOAD_OK)
                goto out2;
        if (identity && image_size > size)
                __builtin_trap();
        /* the last section with data is copied last: its bytes are there */
        for (size_t i = v.n_sections; i-- > 0;) {
                PeSectionHeader s;
                memcpy(&s, &v.sections[i], sizeof(s));
                uint32_t raw = s.SizeOfRawData < s.VirtualSize ? s.SizeOfRawData : s.VirtualSize;
                if (!raw)
                        continue;
                if ((uint64_t) s.VirtualAddress + raw > image_size || (uint64_t) s.PointerToRawData + raw > size ||
                    memcmp(img + s.VirtualAddress, file + s.PointerToRawData, raw) != 0)
                        __builtin_trap();
                break;
        }
        /* the loaded image parses again and its sections are inside it */
        PeLoadView m;
        if (pe_load_view(img, image_size, &m) == PE_LOAD_OK)
                for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                        check_section(img, image_size, true, names[i]);
        /* without sections, the image is the headers and zeros */
        if (v.n_sections == 0 && memcmp(img, file, hdr) != 0)
                __builtin_trap();

        memcpy(before, img, image_size);
        PeLoadResult r = pe_load_relocate(img, image_size, &v, delta);
        if (r != PE_LOAD_OK) {
                if (r != PE_LOAD_BAD_RELOC || memcmp(before, img, image_size) != 0)
                        __builtin_trap();   /* a refused table patches nothing */
        } else {
                /* undo, if the table itself was not among the patched bytes */
                uint32_t n_dirs;
                PeDataDirectory dir = {};
                memcpy(&n_dirs, &v.pe->OptionalHeader.NumberOfRvaAndSizes, 4);
                if (n_dirs > PE_DIR_BASERELOC)
                        memcpy(&dir, &v.pe->OptionalHeader.DataDirectory[PE_DIR_BASERELOC], sizeof(dir));
                if (dir.Size && (uint64_t) dir.VirtualAddress + dir.Size <= image_size &&
                    memcmp(before + dir.VirtualAddress, img + dir.VirtualAddress, dir.Size) == 0) {
                        if (pe_load_relocate(img, image_size, &v, (uint64_t) 0 - delta) != PE_LOAD_OK ||
                            memcmp(before, img, image_size) != 0)
                                __builtin_trap();
                }
        }
out2:
        free(img);
        free(before);
out:
        free(file);
        return 0;
}
