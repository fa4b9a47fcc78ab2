/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* uki-profile.c on arbitrary section tables, "@N" selectors and .profile texts, and the boot
 * secret's OS id of the same text read as .osrel (boot-secret.c). Input: byte 0 picks the profile
 * (255: the base), the rest is section headers, also read as UCS-2 and text. */
#include <string.h>

#include "boot-secret.h"
#include "pe.h"
#include "uki-profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const names[] = { ".linux", ".cmdline", ".initrd", ".profile", ".ucode", ".dtb", "" };
        if (size < 1)
                return 0;
        uint32_t profile = data[0] == 255 ? UKI_PROFILE_BASE : data[0] % 8;
        const uint8_t *t = data + 1;
        size_t n = (size - 1) / sizeof(PeSectionHeader);

        unsigned count = uki_profile_count(t, n);
        for (uint32_t p = 0; p <= count + 1 && p < 16; p++) {
                size_t s, e;
                if (uki_profile_range(t, n, p, &s, &e) && (s > e || e > n))
                        __builtin_trap();
        }
        for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
                int k = uki_profile_find(t, n, profile, names[i]);
                if (k >= (int) n)
                        __builtin_trap();
        }
        UkiMeasuredSection sel[UKI_SECTION_COUNT];
        size_t m;
        bool ok = uki_profile_pcr11_select(t, n, profile, sel, &m);
        if (ok)
                for (size_t i = 0; i < m; i++)
                        if (sel[i].index >= n || (i > 0 && sel[i].kind <= sel[i - 1].kind))
                                __builtin_trap();
        /* with a picked .dtbauto: the same list with that one entry added in its place, or refused;
         * tried with none, the first three sections named .dtbauto and one index from the input */
        int tries[5] = { -1, -1, -1, -1, n ? (int) (data[0] % n) : -1 };
        for (size_t i = 0, k = 1; i < n && k < 4; i++)
                if (memcmp(t + i * sizeof(PeSectionHeader), ".dtbauto", 8) == 0)
                        tries[k++] = (int) i;
        for (size_t x = 0; x < 5; x++) {
                int d = tries[x];
                if (x > 0 && d < 0)
                        continue;
                UkiMeasuredSection sd[UKI_SECTION_COUNT];
                size_t md;
                /* what the stub can pick: a section named .dtbauto with contents */
                bool pickable = false;
                if (d >= 0 && (size_t) d < n) {
                        PeSectionHeader h = pe_section_header_read(t + (size_t) d * sizeof(PeSectionHeader));
                        pickable = memcmp(h.Name, ".dtbauto", 8) == 0 && h.VirtualSize > 0;
                }
                if (!uki_profile_pcr11_select_dtbauto(t, n, profile, d, sd, &md)) {
                        if (ok && (d < 0 || pickable))   /* the stub would measure nothing */
                                __builtin_trap();
                        continue;
                }
                if (!ok || md != m + (d >= 0) || (d >= 0 && !pickable))
                        __builtin_trap();
                for (size_t i = 0, j = 0; i < md; i++) {
                        if (i > 0 && sd[i].kind <= sd[i - 1].kind)
                                __builtin_trap();
                        if (sd[i].kind == UKI_SECTION_DTBAUTO) {
                                if (sd[i].index != d)
                                        __builtin_trap();
                                continue;
                        }
                        if (j >= m || sd[i].kind != sel[j].kind || sd[i].index != sel[j].index)
                                __builtin_trap();
                        j++;
                }
        }

        uint16_t u[256];
        size_t units = (size - 1) / 2 < 256 ? (size - 1) / 2 : 256;
        memcpy(u, t, units * 2);
        uint32_t p;
        size_t skip;
        if (uki_profile_from_options(u, units, &p, &skip) && skip > units)
                __builtin_trap();

        char out[16];
        if (uki_profile_field((const char *) t, size - 1, "ID", out, sizeof(out)) && strlen(out) >= sizeof(out))
                __builtin_trap();

        /* the same text as .osrel for the boot secret's OS id (boot-secret.c): "linux", or a
         * slice of the text before its first NUL, without a NUL or a line end */
        const char *id;
        size_t idl;
        boot_secret_os_id((const char *) t, size - 1, &id, &idl);
        if (idl != 5 || memcmp(id, "linux", 5) != 0) {
                size_t end = strnlen((const char *) t, size - 1);
                if ((const uint8_t *) id < t || (const uint8_t *) id + idl > t + end ||
                    memchr(id, '\n', idl) || memchr(id, '\r', idl))
                        __builtin_trap();
        }
        return 0;
}
