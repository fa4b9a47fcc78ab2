/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the PE32+ parser, its accessors and the section appender on arbitrary bytes.
 * Whatever parses must give in-bounds section data, and appending a section to it must
 * either be refused with an error or produce an image that parses again and holds it; the same
 * for replacing a section's contents.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        PeFile f;
        if (pe_parse(data, size, &f) != PE_OK)
                return 0;
        (void) pe_verdict(&f);
        for (size_t i = 0; i < f.n_sections; i++) {
                size_t n;
                const uint8_t *d = pe_section_data(&f, i, &n);
                if (n && (d < data || d + n > data + size))
                        __builtin_trap();
        }
        (void) pe_find_section(&f, ".linux");

        /* replacing a section's contents (how .sbat is merged): refused, or the same sections
         * with exactly the new bytes in that one */
        static const char sbat[] = "sbat,1,x\nfuzz,1,y\n";
        for (size_t i = 0; i < f.n_sections && i < 4; i++) {
                size_t need, got;
                if (pe_replace_size(&f, i, sizeof(sbat), &need) != PE_OK || need > (64u << 20))
                        continue;
                uint8_t *out = malloc(need);
                if (!out)
                        return 0;
                if (pe_replace_section(&f, i, sbat, sizeof(sbat), out, need, &got) == PE_OK) {
                        PeFile g;
                        size_t n;
                        if (got != need || pe_parse(out, got, &g) != PE_OK || g.n_sections != f.n_sections)
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
        if (pe_append_size(&f, &s, 1, &need) != PE_OK || need > (64u << 20))
                return 0;
        uint8_t *out = malloc(need);
        if (!out)
                return 0;
        if (pe_append_sections(&f, &s, 1, out, need, &got) == PE_OK) {
                PeFile g;
                if (got != need || pe_parse(out, got, &g) != PE_OK || g.n_sections != f.n_sections + 1)
                        __builtin_trap();
                size_t n;
                const uint8_t *d = pe_section_data(&g, f.n_sections, &n);
                if (n != s.size || memcmp(d, text, n) != 0)
                        __builtin_trap();
        }
        free(out);
        return 0;
}
