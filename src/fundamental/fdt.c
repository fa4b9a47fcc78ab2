/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "fdt.h"
#include "unaligned.h"

enum {
        FDT_BEGIN_NODE = 1,
        FDT_END_NODE = 2,
        FDT_PROP = 3,
        FDT_NOP = 4,
        FDT_END = 9,
};

/* header fields (big-endian u32), by offset */
enum {
        H_MAGIC = 0, H_TOTALSIZE = FDT_TOTALSIZE_OFFSET, H_OFF_STRUCT = 8, H_OFF_STRINGS = 12, H_OFF_RSVMAP = 16, H_VERSION = 20,
        H_LAST_COMP = 24, H_SIZE_STRINGS = 32, H_SIZE_STRUCT = 36,
};

/* The first NUL in p[0..len), or NULL (no memchr in the freestanding libc). */
static const uint8_t *find_nul(const uint8_t *p, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (p[i] == 0)
                        return p + i;
        return NULL;
}

/* [off, off + size) inside total */
static bool inside(uint32_t off, uint32_t size, uint32_t total) {
        return off <= total && size <= total - off;
}

size_t fdt_check(const void *blob, size_t len) {
        const uint8_t *p = blob;
        if (!p || len < FDT_HEADER_MIN || get_be32(p + H_MAGIC) != FDT_MAGIC)
                return 0;
        uint32_t total = get_be32(p + H_TOTALSIZE);
        if (total < FDT_HEADER_MIN || total > len)
                return 0;
        if (get_be32(p + H_VERSION) < 16 || get_be32(p + H_LAST_COMP) > 17)
                return 0;
        uint32_t so = get_be32(p + H_OFF_STRUCT), ss = get_be32(p + H_SIZE_STRUCT);
        uint32_t to = get_be32(p + H_OFF_STRINGS), ts = get_be32(p + H_SIZE_STRINGS);
        uint32_t ro = get_be32(p + H_OFF_RSVMAP);
        if (so % 4 || ss % 4 || so < FDT_HEADER_MIN || !inside(so, ss, total) || !inside(to, ts, total))
                return 0;
        if (ro % 8 || ro < FDT_HEADER_MIN || !inside(ro, 16, total))
                return 0;
        return total;
}

/* The string at off in the strings block, if it is NUL-terminated inside the block. */
static const char *string_at(const uint8_t *strings, uint32_t size, uint32_t off) {
        if (off >= size)
                return NULL;
        if (!find_nul(strings + off, size - off))
                return NULL;
        return (const char *) strings + off;
}

const char *fdt_first_compatible(const void *blob, size_t len, size_t *ret_len) {
        const uint8_t *p = blob;
        if (!fdt_check(blob, len))
                return NULL;
        const uint8_t *s = p + get_be32(p + H_OFF_STRUCT);
        uint32_t n = get_be32(p + H_SIZE_STRUCT);
        const uint8_t *strings = p + get_be32(p + H_OFF_STRINGS);
        uint32_t strings_size = get_be32(p + H_SIZE_STRINGS);
        uint32_t off = 0;
        unsigned depth = 0;

        while (n - off >= 4) {
                uint32_t tok = get_be32(s + off);
                off += 4;
                switch (tok) {
                case FDT_BEGIN_NODE: {
                        /* the unit name, NUL-terminated, padded to 4 bytes */
                        const uint8_t *nul = find_nul(s + off, n - off);
                        if (!nul)
                                return NULL;
                        uint32_t name_len = (uint32_t) (nul - (s + off)) + 1;
                        if (depth == 0 && name_len != 1)
                                return NULL;   /* the root node's name is empty */
                        off += (name_len + 3) & ~UINT32_C(3);
                        if (off > n)
                                return NULL;
                        depth++;
                        if (depth > 1)
                                return NULL;   /* past the root's properties: it has none */
                        break;
                }
                case FDT_PROP: {
                        if (depth != 1 || n - off < 8)
                                return NULL;
                        uint32_t vlen = get_be32(s + off), nameoff = get_be32(s + off + 4);
                        off += 8;
                        if (vlen > n - off)
                                return NULL;
                        const char *name = string_at(strings, strings_size, nameoff);
                        if (!name)
                                return NULL;
                        if (strcmp(name, "compatible") == 0) {
                                const char *v = (const char *) s + off;
                                const char *nul = (const char *) find_nul((const uint8_t *) v, vlen);
                                if (vlen == 0 || !nul || v[vlen - 1] != 0 || nul == v)
                                        return NULL;
                                if (ret_len)
                                        *ret_len = (size_t) (nul - v);
                                return v;
                        }
                        off += (vlen + 3) & ~UINT32_C(3);
                        if (off > n)
                                return NULL;
                        break;
                }
                case FDT_NOP:
                        break;
                default:   /* FDT_END_NODE, FDT_END or anything else: the root's properties are over */
                        return NULL;
                }
        }
        return NULL;
}

bool fdt_same_model(const void *a, size_t a_len, const void *b, size_t b_len) {
        size_t la, lb;
        const char *ca = fdt_first_compatible(a, a_len, &la), *cb = fdt_first_compatible(b, b_len, &lb);
        return ca && cb && la == lb && memcmp(ca, cb, la) == 0;
}
