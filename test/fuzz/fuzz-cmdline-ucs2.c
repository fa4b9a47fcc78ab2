/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the UCS-2 command line as the firmware hands it over (LoadOptions), parsed by the
 * EFI side through src/fundamental/cmdline.c: word splitting (nokaslr, no5lvl), the initrd=
 * words (initrd-file.c) and the UCS-2 → UTF-8 conversion into the x86 zero page
 * (x86-params.c). Invariants: words are non-empty, inside the line and free of spaces and
 * NULs; every word is found again by cmdline_has_word; an initrd= path is the word's tail
 * with '/' → '\', and fits a buffer of exactly its length + 1 but not one unit less; the
 * UTF-8 fits 3 bytes a unit, decodes back to the input (surrogates as '?') and does not fit
 * one byte less.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t utf8_decode(const uint8_t *s, size_t n, uint16_t *out) {
        size_t o = 0;
        for (size_t i = 0; i < n; o++) {
                uint8_t c = s[i];
                if (c < 0x80)
                        out[o] = c, i += 1;
                else if ((c & 0xe0) == 0xc0 && i + 1 < n && (s[i + 1] & 0xc0) == 0x80)
                        out[o] = (uint16_t) ((c & 0x1f) << 6 | (s[i + 1] & 0x3f)), i += 2;
                else if ((c & 0xf0) == 0xe0 && i + 2 < n && (s[i + 1] & 0xc0) == 0x80 && (s[i + 2] & 0xc0) == 0x80)
                        out[o] = (uint16_t) ((c & 0x0f) << 12 | (s[i + 1] & 0x3f) << 6 | (s[i + 2] & 0x3f)), i += 3;
                else
                        __builtin_trap();   /* not UTF-8 */
        }
        return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t len = size / 2;
        uint16_t *s = malloc((len ? len : 1) * 2);
        if (!s)
                return 0;
        memcpy(s, data, len * 2);

        /* words */
        size_t pos = 0, start, wlen, n_words = 0;
        while (pos < len) {
                size_t before = pos;
                bool got = cmdline_next_word(s, len, &pos, &start, &wlen);
                if (pos <= before || pos > len)
                        __builtin_trap();   /* no progress, or past the end */
                if (!got)
                        continue;
                n_words++;
                if (wlen == 0 || start + wlen > len)
                        __builtin_trap();
                char word[33];
                bool ascii = wlen < sizeof(word);
                for (size_t k = 0; k < wlen; k++) {
                        if (s[start + k] == ' ' || s[start + k] == 0)
                                __builtin_trap();
                        if (s[start + k] >= 0x80)
                                ascii = false;
                        else if (ascii)
                                word[k] = (char) s[start + k];
                }
                if (ascii) {
                        word[wlen] = 0;
                        if (!cmdline_has_word(s, len, word))
                                __builtin_trap();
                }
        }
        if (n_words > len)
                __builtin_trap();

        /* initrd= words */
        pos = 0;
        for (unsigned guard = 0; pos < len; guard++) {
                uint16_t path[64];
                size_t before = pos;
                int r = cmdline_next_initrd(s, len, &pos, path, 64);
                if (r == 0)
                        break;
                if (pos <= before || guard > len)
                        __builtin_trap();
                /* the word just consumed */
                size_t p2 = before, st, wl;
                while (!cmdline_next_word(s, len, &p2, &st, &wl) || wl <= 7 || memcmp(s + st, u"initrd=", 14) != 0)
                        if (p2 >= len)
                                __builtin_trap();
                size_t plen = wl - 7;
                if (r < 0) {
                        if (plen < 64)
                                __builtin_trap();
                        continue;
                }
                if (plen >= 64 || path[plen] != 0)
                        __builtin_trap();
                for (size_t j = 0; j < plen; j++)
                        if (path[j] != (s[st + 7 + j] == '/' ? '\\' : s[st + 7 + j]))
                                __builtin_trap();
                /* exactly plen + 1 units suffice, plen do not */
                uint16_t *exact = malloc((plen + 1) * 2);
                size_t q = before;
                if (!exact || cmdline_next_initrd(s, len, &q, exact, plen + 1) != 1 || memcmp(exact, path, (plen + 1) * 2))
                        __builtin_trap();
                q = before;
                if (cmdline_next_initrd(s, len, &q, exact, plen) != -1)
                        __builtin_trap();
                free(exact);
        }

        /* UCS-2 → UTF-8 */
        size_t cap = len * 3 + 1;
        char *out = malloc(cap);
        if (!out)
                return free(s), 0;
        size_t n = cmdline_ucs2_to_utf8(s, len, out, cap);
        if (n == SIZE_MAX || n >= cap || out[n] != 0 || strlen(out) != n)
                __builtin_trap();
        uint16_t *back = malloc((n ? n : 1) * 2);
        size_t units = utf8_decode((const uint8_t *) out, n, back);
        size_t k = 0;
        for (; k < len && s[k]; k++)
                if (k >= units || back[k] != (s[k] >= 0xd800 && s[k] < 0xe000 ? '?' : s[k]))
                        __builtin_trap();
        if (k != units)
                __builtin_trap();
        if (cmdline_ucs2_to_utf8(s, len, out, n) != SIZE_MAX || cmdline_ucs2_to_utf8(s, len, out, 0) != SIZE_MAX)
                __builtin_trap();
        free(back);
        free(out);
        free(s);
        return 0;
}
