/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "cmdline.h"

bool cmdline_load_options_usable(const void *load_options, size_t size) {
        uint16_t first;

        if (!load_options || size < sizeof(first))
                return false;
        memcpy(&first, load_options, sizeof(first));
        return first > 0x1f;
}

bool cmdline_stub_load_options_usable(const void *raw, size_t raw_size, const void *text, size_t text_size,
                                      bool from_shell) {
        const uint8_t *t = text;
        if (!from_shell && !cmdline_load_options_usable(raw, raw_size))
                return false;
        if (!t)
                return false;
        for (size_t i = 0; i + 1 < text_size; i += 2) {
                uint16_t c = (uint16_t) (t[i] | t[i + 1] << 8);
                if (c == 0)
                        break;
                /* sd-stub's normalisation turns these into spaces and drops them at the ends */
                if (from_shell || (c > 0x20 && c != 0x7f))
                        return true;
        }
        return false;
}

bool cmdline_prefer_load_options(bool secure_boot, bool have_embedded, bool load_options_usable) {
        if (!load_options_usable)
                return false;
        return !secure_boot || !have_embedded;
}

/* Decode one UTF-8 sequence at in[*i]; advance *i. Returns the code point or 0xfffd. */
static uint32_t utf8_next(const uint8_t *in, size_t len, size_t *i) {
        uint8_t c = in[(*i)++];
        unsigned extra;
        uint32_t cp;

        if (c < 0x80)
                return c;
        if ((c & 0xe0) == 0xc0)
                extra = 1, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
                extra = 2, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
                extra = 3, cp = c & 0x07;
        else
                return 0xfffd;
        for (unsigned k = 0; k < extra; k++) {
                if (*i >= len || (in[*i] & 0xc0) != 0x80)
                        return 0xfffd;
                cp = cp << 6 | (in[(*i)++] & 0x3f);
        }
        return cp;
}

size_t cmdline_utf8_to_ucs2(const char *in, size_t in_len, uint16_t *out, size_t out_cap) {
        const uint8_t *s = (const uint8_t *) in;
        size_t n = 0, i = 0;

        while (i < in_len) {
                if (s[i] == 0)
                        break; /* sections may be NUL-padded */
                uint32_t cp = utf8_next(s, in_len, &i);
                if (cp < 0x20 || cp == 0x7f)
                        cp = ' ';
                else if (cp > 0xffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffd)
                        cp = '?';
                if (n + 1 >= out_cap)
                        return SIZE_MAX;
                out[n++] = (uint16_t) cp;
        }
        while (n > 0 && out[n - 1] == ' ')
                n--;
        if (n >= out_cap)
                return SIZE_MAX;
        out[n] = 0;
        return n;
}
