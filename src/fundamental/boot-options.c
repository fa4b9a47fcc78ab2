/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "boot-options.h"

/* The next code point of in[*i..n) as the kernel's UTF-16 conversion reads it (advancing *i);
 * false where its line ends: after n units, at a NUL or '\n', or at a high surrogate in the
 * last unit. */
static bool utf16_next(const uint16_t *in, size_t n, size_t *i, uint32_t *ret) {
        if (*i >= n)
                return false;
        uint16_t c = in[*i];
        if (c == 0 || c == '\n')
                return false;
        if ((c & 0xf800) != 0xd800) {
                (*i)++;
                *ret = c;
                return true;
        }
        if (c & 0x0400) {   /* a low surrogate without its high one */
                (*i)++;
                *ret = 0xfffd;
                return true;
        }
        if (*i + 1 >= n)
                return false;   /* a high surrogate in the last unit: dropped */
        uint16_t d = in[*i + 1];
        *i += 1;
        if ((d & 0xfc00) != 0xdc00) {
                *ret = 0xfffd;
                return true;
        }
        *i += 1;
        *ret = 0x10000 + ((uint32_t) (c & 0x3ff) << 10) + (d & 0x3ff);
        return true;
}

static size_t utf8_encode(uint32_t cp, uint8_t out[4]) {
        if (cp < 0x80) {
                out[0] = (uint8_t) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (uint8_t) (0xc0 | cp >> 6);
                out[1] = (uint8_t) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (uint8_t) (0xe0 | cp >> 12);
                out[1] = (uint8_t) (0x80 | ((cp >> 6) & 0x3f));
                out[2] = (uint8_t) (0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (uint8_t) (0xf0 | cp >> 18);
        out[1] = (uint8_t) (0x80 | ((cp >> 12) & 0x3f));
        out[2] = (uint8_t) (0x80 | ((cp >> 6) & 0x3f));
        out[3] = (uint8_t) (0x80 | (cp & 0x3f));
        return 4;
}

size_t utf16_to_kernel_utf8(const uint16_t *in, size_t n, char *out, size_t cap) {
        size_t o = 0, i = 0;
        uint32_t cp;

        if (cap == 0)
                return SIZE_MAX;
        while (in && utf16_next(in, n, &i, &cp)) {
                uint8_t b[4];
                size_t w = utf8_encode(cp, b);
                if (o + w + 1 > cap)
                        return SIZE_MAX;
                memcpy(out + o, b, w);
                o += w;
        }
        out[o] = 0;
        return o;
}

/* The kernel's isspace(): its ctype table marks \t..\r, space and the Latin-1 byte 0xa0. */
static bool kernel_space(uint8_t c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static bool word_is(const uint8_t *b, size_t start, size_t end, const char *word) {
        size_t n = strlen(word);
        return end - start == n && memcmp(b + start, word, n) == 0;
}

/* The kernel EFI stub's option loop over b[0..n) (no NUL inside): words split at unquoted
 * white space, a leading quote and its closing partner dropped, the name up to the first '='
 * at index 1 or later, a bare "--" ends it. */
static void parse_flags(const uint8_t *b, size_t n, BootOptions *o) {
        size_t i = 0;

        while (i < n && kernel_space(b[i]))
                i++;
        while (i < n) {
                bool quoted = false, in_quote = false, has_eq = false;
                if (b[i] == '"') {
                        i++;
                        quoted = in_quote = true;
                }
                size_t start = i, eq = 0;
                for (; i < n; i++) {
                        if (kernel_space(b[i]) && !in_quote)
                                break;
                        if (!has_eq && b[i] == '=' && i > start) {
                                has_eq = true;
                                eq = i;
                        }
                        if (b[i] == '"')
                                in_quote = !in_quote;
                }
                size_t end = has_eq ? eq : i;
                if (!has_eq && quoted && end > start && b[end - 1] == '"')
                        end--;
                if (!has_eq && word_is(b, start, end, "--"))
                        return;   /* the rest is init's */
                if (word_is(b, start, end, "nokaslr"))
                        o->nokaslr = true;
                else if (word_is(b, start, end, "noinitrd"))
                        o->noinitrd = true;
                else if (word_is(b, start, end, "no5lvl"))
                        o->no5lvl = true;
                else if (word_is(b, start, end, "quiet"))
                        o->quiet = true;
                else if (word_is(b, start, end, "zboot.bench")) {
                        o->zboot_bench = true;
                        /* the value, without the quotes around it the kernel drops too */
                        size_t vs = has_eq ? eq + 1 : i, ve = i;
                        if (ve > vs && b[vs] == '"') {
                                vs++;
                                if (ve > vs && b[ve - 1] == '"')
                                        ve--;
                        } else if (quoted && ve > vs && b[ve - 1] == '"')
                                ve--;
                        if (has_eq && word_is(b, vs, ve, "memcpy"))
                                o->zboot_bench_memcpy = true;
                }
                else if (word_is(b, start, end, "zboot.debug"))
                        o->zboot_debug = true;
                while (i < n && kernel_space(b[i]))
                        i++;
        }
}

static uint16_t unit_at(const void *s, bool wide, size_t i) {
        return wide ? ((const uint16_t *) s)[i] : ((const uint8_t *) s)[i];
}

/* The kernel EFI stub's file-option scan: every "initrd=" followed by at least one unit, the
 * path after it without leading slashes, up to NUL, '\n' or space. */
static void find_initrds(const void *s, bool wide, size_t len, BootOptions *o) {
        static const char key[] = "initrd=";
        const size_t key_len = sizeof(key) - 1;
        size_t i = 0;

        while (len > key_len && i < len - key_len) {
                size_t k = 0;
                while (k < key_len && unit_at(s, wide, i + k) == (uint8_t) key[k])
                        k++;
                if (k < key_len) {
                        i++;
                        continue;
                }
                size_t p = i + key_len;
                while (p < len && (unit_at(s, wide, p) == '/' || unit_at(s, wide, p) == '\\'))
                        p++;
                size_t start = p;
                for (; p < len; p++) {
                        uint16_t c = unit_at(s, wide, p);
                        if (c == 0 || c == '\n' || c == ' ')
                                break;
                }
                if (p > start && p - start <= UINT32_MAX && start <= UINT32_MAX) {
                        if (o->n_initrd < BOOT_OPTIONS_INITRD_MAX)
                                o->initrd[o->n_initrd] = (BootOptionsRange) { (uint32_t) start, (uint32_t) (p - start) };
                        o->n_initrd++;
                }
                i = p;
        }
}

void boot_options_parse_utf16(const uint16_t *s, size_t len, BootOptions *ret) {
        uint8_t buf[BOOT_OPTIONS_SCAN_MAX];
        size_t m = 0, i = 0;
        uint32_t cp;

        *ret = (BootOptions) {};
        if (!s)
                return;
        /* what the kernel's stub parses: its UTF-8 conversion, cut after SCAN_MAX bytes (also
         * inside a character, as its strnlen() does) */
        while (m < sizeof(buf) && utf16_next(s, len, &i, &cp)) {
                uint8_t b[4];
                size_t w = utf8_encode(cp, b);
                for (size_t k = 0; k < w && m < sizeof(buf); k++)
                        buf[m++] = b[k];
        }
        parse_flags(buf, m, ret);
        find_initrds(s, true, len, ret);
}

void boot_options_parse_utf8(const char *s, size_t len, BootOptions *ret) {
        *ret = (BootOptions) {};
        if (!s)
                return;
        size_t n = 0;
        while (n < len && s[n])
                n++;
        parse_flags((const uint8_t *) s, n < BOOT_OPTIONS_SCAN_MAX ? n : BOOT_OPTIONS_SCAN_MAX, ret);
        find_initrds(s, false, n, ret);
}

bool boot_options_initrd_path(const BootOptions *o, size_t i, const uint16_t *s, size_t len, uint16_t *path,
                              size_t path_cap) {
        if (i >= o->n_initrd || i >= BOOT_OPTIONS_INITRD_MAX)
                return false;
        BootOptionsRange r = o->initrd[i];
        if (r.offset > len || r.len > len - r.offset || r.len >= path_cap)
                return false;
        for (size_t j = 0; j < r.len; j++) {
                uint16_t c = s[r.offset + j];
                path[j] = c == '/' ? '\\' : c;
        }
        path[r.len] = 0;
        return true;
}
