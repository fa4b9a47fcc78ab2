/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "extra-name.h"

static size_t ulen(const uint16_t *s, size_t len) {
        size_t n = 0;
        while (n < len && s[n])
                n++;
        return n;
}

size_t extra_name_ascii(const uint16_t *name, size_t len, char *out, size_t cap) {
        if (!name || !out)
                return 0;
        len = ulen(name, len);
        if (len == 0 || len > EXTRA_NAME_MAX || len >= cap || name[0] == '.')
                return 0;
        for (size_t i = 0; i < len; i++) {
                uint16_t c = name[i];
                if (c < 0x20 || c >= 0x7f || c == '/' || c == '\\')
                        return 0;
                out[i] = (char) c;
        }
        out[len] = '\0';
        return len;
}

static uint16_t lower(uint16_t c) {
        return c >= 'A' && c <= 'Z' ? (uint16_t) (c + ('a' - 'A')) : c;
}

static bool ends_with(const uint16_t *name, size_t len, const char *suffix) {
        size_t n = 0;
        while (suffix[n])
                n++;
        if (n > len)
                return false;
        for (size_t i = 0; i < n; i++)
                if (lower(name[len - n + i]) != lower((uint8_t) suffix[i]))
                        return false;
        return true;
}

bool extra_name_match(const uint16_t *name, size_t len, const char *suffix, const char *exclude) {
        if (!name || !suffix)
                return false;
        len = ulen(name, len);
        return ends_with(name, len, suffix) && !(exclude && ends_with(name, len, exclude));
}

/* Digits at s[*i..len): at least one, the value fitting 64 bits; advances *i. */
static bool skip_number(const uint16_t *s, size_t len, size_t *i) {
        size_t start = *i;
        uint64_t v = 0;
        for (; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
                uint64_t d = (uint64_t) (s[*i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        return *i > start;
}

size_t extra_dir_name(const uint16_t *path, size_t len, uint16_t *out, size_t cap) {
        static const char tail[] = ".extra.d";
        if (!path || !out)
                return 0;
        len = ulen(path, len);
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
                uint16_t c = path[i] == '/' ? '\\' : path[i];
                if (c == '\\' && k > 0 && out[k - 1] == '\\')
                        continue;
                if (k + 1 >= cap)
                        return 0;
                out[k++] = c;
        }
        if (k == 0)
                return 0;
        /* the boot counter: "+LEFT" or "+LEFT-DONE" followed by '.' or the end */
        for (size_t p = 0; p < k; p++) {
                if (out[p] != '+')
                        continue;
                size_t i = p + 1;
                if (skip_number(out, k, &i) && (i == k || out[i] == '-' || out[i] == '.')) {
                        bool ok = true;
                        if (i < k && out[i] == '-') {
                                i++;
                                ok = skip_number(out, k, &i) && (i == k || out[i] == '.');
                        }
                        if (ok) {
                                for (size_t j = i; j < k; j++)
                                        out[p + j - i] = out[j];
                                k -= i - p;
                        }
                }
                break;   /* only the first '+' counts */
        }
        for (size_t i = 0; tail[i]; i++) {
                if (k + 1 >= cap)
                        return 0;
                out[k++] = (uint16_t) tail[i];
        }
        out[k] = 0;
        return k;
}

#define EXTRA_PATH_MAX 1024   /* units of the joined path text; longer paths get no drop-in dir */

size_t extra_dir_from_device_path(const void *dp, size_t max, uint16_t *out, size_t cap) {
        const uint8_t *p = dp;
        uint16_t text[EXTRA_PATH_MAX];
        size_t k = 0, off = 0;
        if (!dp)
                return 0;
        for (;;) {
                if (max - off < 4)
                        return 0;
                uint8_t type = p[off], subtype = p[off + 1];
                size_t len = (size_t) p[off + 2] | (size_t) p[off + 3] << 8;
                if (len < 4 || len > max - off)
                        return 0;
                if (type == 0x7f)
                        break;
                if (type != 4 || subtype != 4)
                        return 0;
                if (k > 0) {
                        if (k >= EXTRA_PATH_MAX)
                                return 0;
                        text[k++] = '\\';
                }
                for (size_t i = 4; i + 1 < len; i += 2) {
                        uint16_t c = (uint16_t) (p[off + i] | p[off + i + 1] << 8);
                        if (c == 0)
                                break;
                        if (k >= EXTRA_PATH_MAX)
                                return 0;
                        text[k++] = c;
                }
                off += len;
        }
        if (k == 0)
                return 0;
        return extra_dir_name(text, k, out, cap);
}
