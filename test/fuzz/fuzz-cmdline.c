/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the command line (cmdline.h, uki-measure.h). The input is the .cmdline section
 * (UTF-8 -> UCS-2) and, read as UTF-16LE units, LoadOptions (usable or not, as sd-stub 257
 * decides); both are then normalised by measure_mangle_cmdline() and checked against a model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "uki-measure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* measure_mangle_cmdline() (sd-stub's normalisation of LoadOptions, an add-on's .cmdline and
 * the SMBIOS extra command line) on s[0..len) in an exact (len + 1)-unit allocation whose last
 * unit is not NUL (the function must neither read it as text nor write past it, ASan), checked
 * against a model written from the header: up to the first NUL or len units, every unit <= 0x20
 * or 0x7f a space, leading and trailing spaces dropped. Then idempotence. */
static void check_mangle(const uint16_t *in, size_t len) {
        uint16_t *s = malloc((len + 1) * sizeof(uint16_t)), *want = malloc((len + 1) * sizeof(uint16_t));
        if (!s || !want)
                abort();
        memcpy(s, in, len * sizeof(uint16_t));
        s[len] = 'x';
        size_t w = 0, i = 0, n = 0;
        while (i < len && in[i])
                i++;
        for (size_t k = 0; k < i; k++) {
                uint16_t c = in[k] <= 0x20 || in[k] == 0x7f ? ' ' : in[k];
                if (c == ' ' && w == 0)
                        continue;   /* leading */
                want[w++] = c;
                if (c != ' ')
                        n = w;      /* trailing spaces end after the last other unit */
        }
        size_t r = measure_mangle_cmdline(s, len);
        if (r > len || r != n || s[r] != 0 || memcmp(s, want, r * sizeof(uint16_t)) != 0)
                abort();
        if (r > 0 && (s[0] == ' ' || s[r - 1] == ' '))
                abort();
        for (size_t k = 0; k < r; k++)
                if (s[k] != ' ' && (s[k] <= 0x20 || s[k] == 0x7f))
                        abort();
        /* a second call changes nothing, with the new length and with the old one (the NUL ends it) */
        if (measure_mangle_cmdline(s, r) != r || memcmp(s, want, r * sizeof(uint16_t)) != 0 || s[r] != 0)
                abort();
        if (measure_mangle_cmdline(s, len) != r || memcmp(s, want, r * sizeof(uint16_t)) != 0 || s[r] != 0)
                abort();
        free(want);
        free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* exact-size output buffers so ASan catches any write past out_cap */
        size_t cap = size + 1;
        uint16_t *out = malloc(cap * sizeof(uint16_t));
        if (!out)
                return 0;
        size_t n = cmdline_utf8_to_ucs2((const char *) data, size, out, cap);
        if (n == SIZE_MAX || n >= cap || out[n] != 0)
                abort(); /* in_len + 1 units must always suffice */
        for (size_t i = 0; i < n; i++)
                if (out[i] < 0x20)
                        abort();
        if (size > 0) /* one unit too few for a non-empty result must fail, not overflow */
                (void) cmdline_utf8_to_ucs2((const char *) data, size, out, n);
        (void) cmdline_load_options_usable(data, size);
        /* sd-stub 257's rule: usable means the first unit is printable and some unit before the
         * end or a NUL is neither a space nor a control character; from the Shell, non-empty */
        bool usable = cmdline_stub_load_options_usable(data, size, data, size, false);
        bool seen = false;
        for (size_t i = 0; i + 1 < size && !seen; i += 2) {
                uint16_t c = (uint16_t) (data[i] | data[i + 1] << 8);
                if (c == 0)
                        break;
                seen = c > 0x20 && c != 0x7f;
        }
        if (usable != (seen && cmdline_load_options_usable(data, size)))
                abort();
        if (cmdline_stub_load_options_usable(NULL, 0, data, size, true) != (size >= 2 && (data[0] | data[1])))
                abort();
        /* the same bytes as LoadOptions (UTF-16LE units, an odd last byte dropped) and the .cmdline
         * just converted (an add-on's, as addons.c normalises it), both through the normalisation */
        size_t units = size / 2;
        uint16_t *lo = malloc((units ? units : 1) * sizeof(uint16_t));
        if (!lo)
                abort();
        for (size_t i = 0; i < units; i++)
                lo[i] = (uint16_t) (data[2 * i] | data[2 * i + 1] << 8);
        check_mangle(lo, units);
        check_mangle(out, n);
        free(lo);
        free(out);
        return 0;
}
