/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: BootOptions (src/fundamental/boot-options.c), the one parse of the command line
 * the EFI side and the CLI's kexec make. The first byte picks the form: even = the rest is a
 * UTF-16LE command line (LoadOptions), odd = UTF-8 (kexec --cmdline). Invariants:
 *   - every kept initrd= range lies inside the string, follows "initrd=" and optional
 *     slashes, is non-empty and holds no space, '\n' or NUL; its path fits exactly len + 1
 *     units and not one less;
 *   - the UTF-16 parse decides the flags exactly as the UTF-8 parse of utf16_to_kernel_utf8()'s
 *     result (the kernel's stub parses that conversion), which always fits 3 bytes a unit, holds
 *     no NUL or '\n', decodes back to the input (lone surrogates as U+FFFD) and does not fit
 *     one byte less;
 *   - for a UTF-8 line without quotes, the flags equal a plain split at the kernel's white
 *     space, with names cut at a '=' after their first byte and a bare "--" ending the scan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot-options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool space(uint8_t c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static void check_initrds(const BootOptions *o, const void *s, bool wide, size_t len) {
        size_t kept = o->n_initrd < BOOT_OPTIONS_INITRD_MAX ? o->n_initrd : BOOT_OPTIONS_INITRD_MAX;
        for (size_t i = 0; i < kept; i++) {
                BootOptionsRange r = o->initrd[i];
                if (r.len == 0 || r.offset > len || r.len > len - r.offset || r.offset < 7)
                        __builtin_trap();
                size_t k = r.offset;
#define AT(j) (wide ? ((const uint16_t *) s)[j] : ((const uint8_t *) s)[j])
                if (AT(k) == '/' || AT(k) == '\\')
                        __builtin_trap();
                while (k > 0 && (AT(k - 1) == '/' || AT(k - 1) == '\\'))
                        k--;
                if (k < 7)
                        __builtin_trap();
                for (size_t j = 0; j < 7; j++)
                        if (AT(k - 7 + j) != (uint8_t) "initrd="[j])
                                __builtin_trap();
                for (size_t j = r.offset; j < r.offset + r.len; j++)
                        if (AT(j) == ' ' || AT(j) == '\n' || AT(j) == 0)
                                __builtin_trap();
#undef AT
                if (i > 0 && r.offset < o->initrd[i - 1].offset + o->initrd[i - 1].len)
                        __builtin_trap();
                if (wide) {
                        uint16_t *path = malloc((r.len + 1) * sizeof(uint16_t));
                        if (!path)
                                return;
                        if (!boot_options_initrd_path(o, i, s, len, path, r.len + 1) || path[r.len] != 0 ||
                            boot_options_initrd_path(o, i, s, len, path, r.len))
                                __builtin_trap();
                        for (size_t j = 0; j < r.len; j++) {
                                uint16_t c = ((const uint16_t *) s)[r.offset + j];
                                if (path[j] != (c == '/' ? '\\' : c))
                                        __builtin_trap();
                        }
                        free(path);
                }
        }
}

/* decode what utf16_to_kernel_utf8 wrote (valid UTF-8 by construction) and compare it with the
 * input under the kernel's rules */
static void check_conversion(const uint16_t *s, size_t len, const uint8_t *u, size_t n) {
        size_t i = 0, k = 0;
        while (k < n) {
                uint8_t c = u[k];
                uint32_t cp;
                size_t w = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
                if (k + w > n || c == 0 || c == '\n')
                        __builtin_trap();
                cp = w == 1 ? c : w == 2 ? (c & 0x1fu) : w == 3 ? (c & 0x0fu) : (c & 0x07u);
                for (size_t j = 1; j < w; j++) {
                        if ((u[k + j] & 0xc0) != 0x80)
                                __builtin_trap();
                        cp = cp << 6 | (u[k + j] & 0x3fu);
                }
                k += w;
                if (i >= len)
                        __builtin_trap();
                uint16_t a = s[i];
                if (cp >= 0x10000) {
                        if (i + 1 >= len || (a & 0xfc00) != 0xd800 || (s[i + 1] & 0xfc00) != 0xdc00 ||
                            cp != 0x10000 + ((uint32_t) (a & 0x3ff) << 10) + (s[i + 1] & 0x3ffu))
                                __builtin_trap();
                        i += 2;
                } else if ((a & 0xf800) == 0xd800) {
                        if (cp != 0xfffd)
                                __builtin_trap();
                        i++;
                } else {
                        if (cp != a)
                                __builtin_trap();
                        i++;
                }
        }
        /* what was left: the end, a NUL, '\n', or a high surrogate as the last unit */
        if (i < len && s[i] != 0 && s[i] != '\n' && !(i == len - 1 && (s[i] & 0xfc00) == 0xd800))
                __builtin_trap();
}

/* no quotes: the kernel's rules without them */
static void check_plain(const uint8_t *s, size_t n, const BootOptions *o) {
        bool nokaslr = false, noinitrd = false, no5lvl = false;
        size_t end = 0;
        while (end < n && end < BOOT_OPTIONS_SCAN_MAX && s[end])
                end++;
        for (size_t i = 0; i < end;) {
                if (space(s[i])) {
                        i++;
                        continue;
                }
                size_t start = i, name_end = 0;
                bool eq = false;
                while (i < end && !space(s[i])) {
                        if (!eq && s[i] == '=' && i > start)
                                eq = true, name_end = i;
                        i++;
                }
                if (!eq)
                        name_end = i;
                size_t l = name_end - start;
                if (!eq && l == 2 && memcmp(s + start, "--", 2) == 0)
                        break;
                if (l == 7 && memcmp(s + start, "nokaslr", 7) == 0)
                        nokaslr = true;
                if (l == 8 && memcmp(s + start, "noinitrd", 8) == 0)
                        noinitrd = true;
                if (l == 6 && memcmp(s + start, "no5lvl", 6) == 0)
                        no5lvl = true;
        }
        if (nokaslr != o->nokaslr || noinitrd != o->noinitrd || no5lvl != o->no5lvl)
                __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        BootOptions o, o2;
        if (size < 1)
                return 0;
        bool wide = !(data[0] & 1);
        data++, size--;

        if (!wide) {
                char *s = malloc(size ? size : 1);   /* exact size: ASan sees any read past it */
                if (!s)
                        return 0;
                memcpy(s, data, size);
                boot_options_parse_utf8(s, size, &o);
                size_t nul = 0;
                while (nul < size && s[nul])
                        nul++;
                check_initrds(&o, s, false, nul);
                if (!memchr(s, '"', size))
                        check_plain((const uint8_t *) s, size, &o);
                boot_options_parse_utf8(s, size, &o2);
                if (memcmp(&o, &o2, sizeof(o)) != 0)
                        __builtin_trap();
                free(s);
                return 0;
        }

        size_t len = size / 2;
        uint16_t *s = malloc((len ? len : 1) * sizeof(uint16_t));
        if (!s)
                return 0;
        memcpy(s, data, len * sizeof(uint16_t));
        boot_options_parse_utf16(s, len, &o);
        check_initrds(&o, s, true, len);

        size_t cap = len * 3 + 1;
        char *u = malloc(cap);
        if (!u) {
                free(s);
                return 0;
        }
        size_t n = utf16_to_kernel_utf8(s, len, u, cap);
        if (n == SIZE_MAX || n >= cap || u[n] != 0)
                __builtin_trap();
        check_conversion(s, len, (const uint8_t *) u, n);
        if (utf16_to_kernel_utf8(s, len, u, n + 1) != n || utf16_to_kernel_utf8(s, len, u, n) != SIZE_MAX)
                __builtin_trap();
        boot_options_parse_utf8(u, n, &o2);
        if (o.nokaslr != o2.nokaslr || o.noinitrd != o2.noinitrd || o.no5lvl != o2.no5lvl)
                __builtin_trap();
        free(u);
        free(s);
        return 0;
}
