/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hii-keyboard.h"
#include "smbios.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is a structure table (a copy of exactly size bytes, so ASan sees any read past
 * it) and, at the same time, an entry point, and also a keyboard layout (hii-keyboard.c, the
 * other firmware-made table the stub reads: a tag found lies inside, has no NUL and is
 * followed by a space or a NUL). Checks: every structure and string returned
 * lies inside the input, strings end with their NUL, an OEM value ends where it says, the walk
 * (smbios_next) returns whole structures back to back. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *t = malloc(size ? size : 1);
        if (!t)
                return 0;
        memcpy(t, data, size);
        const uint8_t *end = t + size;

        SmbiosTableRef r;
        if (smbios3_entry_point(t, size, &r) && smbios2_entry_point(t, size, &r))
                abort();   /* one anchor excludes the other */

        for (unsigned type = 0; type < 256; type += (type < 12 ? 1 : 31)) {
                SmbiosStructure s;
                if (!smbios_find(t, size, (uint8_t) type, 4, &s))
                        continue;
                if (s.type != type || s.data < t || s.length < 4 || s.data + s.length > end || s.strings != s.data + s.length ||
                    s.strings + s.strings_size > end)
                        abort();
                for (unsigned i = 1; i < 256; i++) {
                        size_t n;
                        const char *str = smbios_string(&s, (uint8_t) i, &n);
                        if (!str)
                                break;
                        if ((const uint8_t *) str < s.strings || (const uint8_t *) str + n >= s.strings + s.strings_size ||
                            str[n] != 0 || n == 0 || strlen(str) != n)
                                abort();
                }
        }

        /* the walk: whole structures back to back, inside the input, each string set ending
         * with two NULs (or one after a string's own) */
        SmbiosStructure s;
        size_t off = 0, prev = 0;
        while (smbios_next(t, size, &off, &s)) {
                if (s.data != t + prev || s.length < 4 || s.strings_size < 2 || off != prev + s.length + s.strings_size ||
                    off > size || s.strings[s.strings_size - 1] != 0 || s.strings[s.strings_size - 2] != 0 ||
                    s.type == SMBIOS_TYPE_END)
                        abort();
                prev = off;
        }

        size_t n;
        const char *v = smbios_find_oem_string(t, size, "io.systemd.stub.kernel-cmdline-extra", &n);
        if (v && ((const uint8_t *) v < t || (const uint8_t *) v + n >= end || v[n] != 0 || strlen(v) != n))
                abort();
        size_t tag, units;
        if (hii_keyboard_layout_language(t, size, &tag, &units)) {
                /* inside, with a space or a NUL after it, no NUL in it */
                if (tag > size || (size - tag) / 2 <= units || (t[tag + 2 * units] != ' ' && t[tag + 2 * units] != 0) ||
                    t[tag + 2 * units + 1] != 0)
                        abort();
                for (size_t i = 0; i < units; i++)
                        if (t[tag + 2 * i] == 0 && t[tag + 2 * i + 1] == 0)
                                abort();
        }
        free(t);
        return 0;
}
