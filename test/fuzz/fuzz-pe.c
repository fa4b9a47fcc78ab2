/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the one PE32+ reader (src/fundamental/pe.c) on arbitrary bytes, as the CLI uses it
 * (parser, accessors, section appender and replacer) and as the EFI binaries boot with it
 * (memory-layout view, identity check, copy into memory layout, base relocations, section
 * lookup in both layouts). The whole input is the file; its last 8 bytes are also the
 * relocation delta (the former fuzz-pe-load corpus has its delta moved there).
 * Invariants: what parses has its section data inside the buffer in either layout; a file that
 * parses in file layout parses in memory layout; appending or replacing a section is refused
 * or gives an image that parses again and holds exactly the new bytes; a copy fills exactly
 * SizeOfImage, holds the last section's bytes and parses in memory layout; a refused
 * relocation changes nothing, an accepted one is undone by the opposite delta.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pe.h"
#include "unaligned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { ".linux", ".zbx86", ".initrd", ".cmdline", ".text", "" };

/* every lookup in v gives bytes inside [buf, buf + size) */
static void check_lookups(const PeView *v, const uint8_t *buf, size_t size) {
        for (size_t i = 0; i < v->n_sections; i++) {
                size_t n;
                const uint8_t *d = pe_section_data(v, i, &n);
                if (d && n && (d < buf || d > buf + size || n > size - (size_t) (d - buf)))
                        __builtin_trap();
                if (!d && v->layout == PE_LAYOUT_FILE)
                        __builtin_trap();
        }
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                const uint8_t *d;
                size_t n;
                if (pe_section_find(v, names[i], &d, &n) && (d < buf || d > buf + size || n > size - (size_t) (d - buf)))
                        __builtin_trap();
        }
}

static void check_builder(const PeView *f) {
        /* replacing a section's contents (how .sbat is merged): refused, or the same sections
         * with exactly the new bytes in that one */
        static const char sbat[] = "sbat,1,x\nfuzz,1,y\n";
        for (size_t i = 0; i < f->n_sections && i < 4; i++) {
                size_t need, got;
                if (pe_replace_size(f, i, sizeof(sbat), &need) != PE_OK || need > (64u << 20))
                        continue;
                uint8_t *out = malloc(need);
                if (!out)
                        return;
                if (pe_replace_section(f, i, sbat, sizeof(sbat), out, need, &got) == PE_OK) {
                        PeView g;
                        size_t n;
                        if (got != need || pe_parse(out, got, &g) != PE_OK || g.n_sections != f->n_sections)
                                __builtin_trap();
                        const uint8_t *d = pe_section_data(&g, i, &n);
                        if (n != sizeof(sbat) || memcmp(d, sbat, n) != 0)
                                __builtin_trap();
                }
                free(out);
        }

        static const char text[] = "fuzz";
        PeNewSection s = { .name = ".cmdline", .data = text, .size = sizeof(text) - 1 };
        size_t need, got;
        if (pe_append_size(f, &s, 1, &need) != PE_OK || need > (64u << 20))
                return;
        uint8_t *out = malloc(need);
        if (!out)
                return;
        if (pe_append_sections(f, &s, 1, out, need, &got) == PE_OK) {
                PeView g;
                if (got != need || pe_parse(out, got, &g) != PE_OK || g.n_sections != f->n_sections + 1)
                        __builtin_trap();
                size_t n;
                const uint8_t *d = pe_section_data(&g, f->n_sections, &n);
                if (n != s.size || memcmp(d, text, n) != 0)
                        __builtin_trap();
        }
        free(out);
}

static void check_loader(const PeView *v, const uint8_t *file, size_t size, uint64_t delta) {
        bool identity = pe_load_is_identity(v);
        uint32_t image_size = v->opt.SizeOfImage, hdr = v->opt.SizeOfHeaders;
        if (image_size == 0 || image_size > (2u << 20))   /* our stubs: ~300 KiB; keeps runs fast */
                return;
        if (pe_load_copy(v, NULL, image_size - 1) != PE_BUFFER_TOO_SMALL)
                __builtin_trap();
        uint8_t *img = malloc(image_size), *before = malloc(image_size);
        if (!img || !before || pe_load_copy(v, img, image_size) != PE_OK)
                goto out;
        if (identity && image_size > size)
                __builtin_trap();
        /* the last section with data is copied last: its bytes are there */
        for (size_t i = v->n_sections; i-- > 0;) {
                PeSectionHeader s = pe_section(v, i);
                uint32_t raw = s.SizeOfRawData < s.VirtualSize ? s.SizeOfRawData : s.VirtualSize;
                if (!raw)
                        continue;
                if ((uint64_t) s.VirtualAddress + raw > image_size || (uint64_t) s.PointerToRawData + raw > size ||
                    memcmp(img + s.VirtualAddress, file + s.PointerToRawData, raw) != 0)
                        __builtin_trap();
                break;
        }
        /* the loaded image parses in memory layout and its sections are inside it */
        PeView m;
        if (pe_parse_layout(img, image_size, PE_LAYOUT_MEMORY, &m) != PE_OK)
                __builtin_trap();
        check_lookups(&m, img, image_size);
        /* without sections, the image is the headers and zeros */
        if (v->n_sections == 0 && memcmp(img, file, hdr) != 0)
                __builtin_trap();

        memcpy(before, img, image_size);
        PeResult r = pe_load_relocate(img, image_size, v, delta);
        if (r != PE_OK) {
                if (r != PE_BAD_RELOC || memcmp(before, img, image_size) != 0)
                        __builtin_trap();   /* a refused table patches nothing */
        } else {
                /* undo, if the table itself was not among the patched bytes */
                PeDataDirectory dir = v->opt.DataDirectory[PE_DIR_BASERELOC];
                if (dir.Size && (uint64_t) dir.VirtualAddress + dir.Size <= image_size &&
                    memcmp(before + dir.VirtualAddress, img + dir.VirtualAddress, dir.Size) == 0) {
                        if (pe_load_relocate(img, image_size, v, (uint64_t) 0 - delta) != PE_OK ||
                            memcmp(before, img, image_size) != 0)
                                __builtin_trap();
                }
        }
out:
        free(img);
        free(before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint64_t delta = size >= 8 ? get_le64(data + size - 8) : 0x200000;

        /* exact-size copy so ASan sees any read past the end */
        uint8_t *file = malloc(size ? size : 1);
        if (!file)
                return 0;
        memcpy(file, data, size);

        PeView mem, f;
        bool mem_ok = pe_parse_layout(file, size, PE_LAYOUT_MEMORY, &mem) == PE_OK;
        if (mem_ok)
                check_lookups(&mem, file, size);
        if (pe_parse(file, size, &f) == PE_OK) {
                if (!mem_ok)
                        __builtin_trap();   /* file layout is the stricter one */
                (void) pe_verdict(&f);
                check_lookups(&f, file, size);
                check_builder(&f);
                check_loader(&f, file, size, delta);
        }
        free(file);
        return 0;
}
