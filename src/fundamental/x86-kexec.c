/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "x86-kexec.h"

static size_t trim_len(const char *s, size_t len) {
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\0'))
                len--;
        return len;
}

static bool text_eq(const char *s, size_t len, const char *lit) {
        size_t i = 0;
        for (; lit[i]; i++)
                if (i >= len || s[i] != lit[i])
                        return false;
        return i == len;
}

uint32_t x86_e820_type_from_name(const char *s, size_t len) {
        static const struct {
                const char *name;
                uint32_t type;
        } names[] = {
                { "System RAM", E820_RAM },
                { "Reserved", E820_RESERVED },
                { "reserved", E820_RESERVED },
                { "ACPI Tables", E820_ACPI },
                { "ACPI Non-volatile Storage", E820_NVS },
                { "Unusable memory", E820_UNUSABLE },
                { "Persistent Memory (legacy)", E820_PMEM },
                { "Soft Reserved", E820_SOFT_RESERVED },
        };
        if (!s)
                return 0;
        len = trim_len(s, len);
        for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
                if (text_eq(s, len, names[i].name))
                        return names[i].type;
        return 0;
}

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Hex digits at s[*pos..len): at least one, at most 16 significant. */
static bool hex_at(const char *s, size_t len, size_t *pos, uint64_t *ret) {
        size_t i = *pos;
        if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
                i += 2;
        uint64_t v = 0;
        size_t n = 0;
        for (; i < len && hex_digit(s[i]) >= 0; i++, n++) {
                if (v >> 60)
                        return false;
                v = v << 4 | (uint64_t) hex_digit(s[i]);
        }
        if (n == 0)
                return false;
        *pos = i;
        *ret = v;
        return true;
}

bool x86_parse_hex(const char *s, size_t len, uint64_t *ret) {
        if (!s)
                return false;
        len = trim_len(s, len);
        size_t pos = 0;
        uint64_t v;
        if (!hex_at(s, len, &pos, &v) || pos != len)
                return false;
        *ret = v;
        return true;
}

static void put_entry(uint8_t *out, uint64_t start, uint64_t size, uint32_t type) {
        X86E820Entry *e = (X86E820Entry *) out;
        put_le64(e->addr, start);
        put_le64(e->size, size);
        put_le32(e->type, type);
}

bool x86_memmap_entry(const char *start, size_t start_len, const char *end, size_t end_len, const char *type,
                      size_t type_len, uint8_t out[E820_ENTRY_SIZE]) {
        uint64_t a, b;
        if (!x86_parse_hex(start, start_len, &a) || !x86_parse_hex(end, end_len, &b) || b < a || b - a == UINT64_MAX)
                return false;
        uint32_t t = x86_e820_type_from_name(type, type_len);
        put_entry(out, a, b - a + 1, t ? t : E820_RESERVED);
        return true;
}

size_t x86_e820_from_iomem(const char *text, size_t len, uint8_t *out, size_t cap) {
        size_t n = 0;
        if (!text)
                return 0;
        for (size_t i = 0; i < len;) {
                size_t eol = i;
                while (eol < len && text[eol] != '\n')
                        eol++;
                size_t pos = i;
                uint64_t a, b;
                /* top level only: nested lines are indented */
                if (pos < eol && text[pos] != ' ' && hex_at(text, eol, &pos, &a) && pos < eol && text[pos] == '-') {
                        pos++;
                        if (hex_at(text, eol, &pos, &b) && b >= a && b - a != UINT64_MAX && pos + 3 <= eol &&
                            text[pos] == ' ' && text[pos + 1] == ':' && text[pos + 2] == ' ') {
                                uint32_t t = x86_e820_type_from_name(text + pos + 3, eol - pos - 3);
                                if (t != 0) {
                                        if (n < cap)
                                                put_entry(out + n * E820_ENTRY_SIZE, a, b - a + 1, t);
                                        n++;
                                }
                        }
                }
                i = eol + 1;
        }
        return n;
}

void x86_e820_sort(uint8_t *e, size_t n) {
        /* insertion sort: tables have at most a few hundred entries */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && get_le64(((X86E820Entry *) e)[j - 1].addr) > get_le64(((X86E820Entry *) e)[j].addr);
                     j--)
                        for (size_t k = 0; k < E820_ENTRY_SIZE; k++) {
                                uint8_t t = e[(j - 1) * E820_ENTRY_SIZE + k];
                                e[(j - 1) * E820_ENTRY_SIZE + k] = e[j * E820_ENTRY_SIZE + k];
                                e[j * E820_ENTRY_SIZE + k] = t;
                        }
}

/* Do [a, a + size) and [s, s + l) overlap? Without computing an end that could wrap. */
static bool overlaps(uint64_t a, uint64_t size, uint64_t s, uint64_t l) {
        if (size == 0 || l == 0)
                return false;
        return a < s ? s - a < size : a - s < l;
}

/* The first used range overlapping [a, a + size), or NULL. */
static const X86Range *overlap(const X86Range *used, size_t n_used, uint64_t a, uint64_t size) {
        for (size_t i = 0; i < n_used; i++)
                if (overlaps(a, size, used[i].start, used[i].size))
                        return &used[i];
        return NULL;
}

/* A reserved (non-RAM) entry overlapping [a, a + size) as a range in *ret: the tables may
 * have RAM entries that overlap reserved ones (/proc/iomem nests, firmware maps are not always
 * clean). */
static bool overlaps_non_ram(const uint8_t *e820, size_t n, uint64_t a, uint64_t size, X86Range *ret) {
        for (size_t i = 0; i < n; i++) {
                const X86E820Entry *e = (const X86E820Entry *) e820 + i;
                uint64_t s = get_le64(e->addr), l = get_le64(e->size);
                if (get_le32(e->type) != E820_RAM && overlaps(a, size, s, l)) {
                        *ret = (X86Range) { s, l };
                        return true;
                }
        }
        return false;
}

/* What blocks [a, a + size): a used range or a reserved entry; false when nothing does. */
static bool blocked(const uint8_t *e820, size_t n, const X86Range *used, size_t n_used, uint64_t a, uint64_t size,
                    X86Range *ret) {
        const X86Range *u = overlap(used, n_used, a, size);
        if (u) {
                *ret = *u;
                return true;
        }
        return overlaps_non_ram(e820, n, a, size, ret);
}

bool x86_kexec_find_hole(const uint8_t *e820, size_t n, const X86Range *used, size_t n_used, uint64_t size,
                         uint64_t align, uint64_t min, uint64_t max, bool top_down, uint64_t *ret) {
        bool found = false;
        uint64_t best = 0;
        if (!e820 || size == 0 || align == 0 || (align & (align - 1)) || max <= min || size > max - min)
                return false;
        for (size_t i = 0; i < n; i++) {
                const X86E820Entry *e = (const X86E820Entry *) e820 + i;
                uint64_t s = get_le64(e->addr), l = get_le64(e->size);
                if (get_le32(e->type) != E820_RAM || l == 0 || s > UINT64_MAX - l)
                        continue;
                uint64_t lo = s > min ? s : min, hi = s + l < max ? s + l : max;
                if (hi <= lo || hi - lo < size)
                        continue;
                if (!top_down) {
                        uint64_t a = (lo + align - 1) & ~(align - 1);
                        while (a >= lo && a <= hi - size) {
                                X86Range b;
                                if (!blocked(e820, n, used, n_used, a, size, &b)) {
                                        if (!found || a < best)
                                                best = a, found = true;
                                        break;
                                }
                                if (b.size > UINT64_MAX - b.start)
                                        break;                      /* b reaches the end of the address space */
                                uint64_t next = b.start + b.size;   /* > a: b overlaps [a, a + size) */
                                if (next > UINT64_MAX - align)
                                        break;
                                a = (next + align - 1) & ~(align - 1);
                        }
                } else {
                        uint64_t a = (hi - size) & ~(align - 1);
                        while (a >= lo) {
                                X86Range b;
                                if (!blocked(e820, n, used, n_used, a, size, &b)) {
                                        if (!found || a > best)
                                                best = a, found = true;
                                        break;
                                }
                                if (b.start < size)
                                        break;
                                a = (b.start - size) & ~(align - 1);   /* < a: b overlaps [a, a + size) */
                        }
                }
        }
        if (found)
                *ret = best;
        return found;
}

bool x86_systab_value(const char *text, size_t len, const char *key, uint64_t *ret) {
        if (!text || !key)
                return false;
        size_t klen = 0;
        while (key[klen])
                klen++;
        for (size_t i = 0; i < len;) {
                size_t eol = i;
                while (eol < len && text[eol] != '\n')
                        eol++;
                if (eol - i > klen && text_eq(text + i, klen, key) && text[i + klen] == '=')
                        return x86_parse_hex(text + i + klen + 1, eol - i - klen - 1, ret);
                i = eol + 1;
        }
        return false;
}
