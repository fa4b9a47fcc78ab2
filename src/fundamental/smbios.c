/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "smbios.h"
#include "unaligned.h"

/* Offset of the first NUL in p[0..len), or len. */
static size_t nul_at(const uint8_t *p, size_t len) {
        size_t i = 0;
        while (i < len && p[i] != 0)
                i++;
        return i;
}

/* 3.0 entry point: anchor "_SM3_" @0, length @6, version @7/@8, maximum table size (u32)
 * @0x0c, table address (u64) @0x10. Checksums are not checked (nor by systemd-stub). */
bool smbios3_entry_point(const void *ep, size_t len, SmbiosTableRef *ret) {
        const uint8_t *p = ep;
        if (!p || len < SMBIOS3_ENTRY_POINT_SIZE || memcmp(p, "_SM3_", 5) != 0)
                return false;
        if (p[6] < SMBIOS3_ENTRY_POINT_SIZE || p[6] > len)
                return false;
        *ret = (SmbiosTableRef) { .address = get_le64(p + 0x10), .size = get_le32(p + 0x0c), .major = p[7], .minor = p[8] };
        return true;
}

/* 2.1 entry point: anchor "_SM_" @0, length @5 (0x1f; some firmware says 0x1e), version @6/@7,
 * table length (u16) @0x16, table address (u32) @0x18. */
bool smbios2_entry_point(const void *ep, size_t len, SmbiosTableRef *ret) {
        const uint8_t *p = ep;
        if (!p || len < 0x1c || memcmp(p, "_SM_", 4) != 0)
                return false;
        if (p[5] < 0x1c || p[5] > len)
                return false;
        *ret = (SmbiosTableRef) { .address = get_le32(p + 0x18), .size = get_le16(p + 0x16), .major = p[6], .minor = p[7] };
        return true;
}

/* The size of the string set at p (at most len bytes): up to and including its final NUL, or
 * 0 when it does not end inside len. An empty set is two NULs. */
static size_t string_set_size(const uint8_t *p, size_t len) {
        if (len >= 2 && p[0] == 0 && p[1] == 0)
                return 2;
        size_t off = 0;
        for (;;) {
                size_t n = nul_at(p + off, len - off);
                if (n == len - off)
                        return 0;            /* unterminated string */
                if (n == 0 && off > 0)
                        return off + 1;      /* the empty string after the last one */
                off += n + 1;
        }
}

/* The structure at off of the table (p, len): false at type 127, at the end of the table, or
 * for one whose formatted area does not fit. Its strings_size is its string set's size or, when
 * the set does not end inside the table, what is left of the table (*ret_terminated false). */
static bool structure_at(const uint8_t *p, size_t len, size_t off, SmbiosStructure *s, bool *ret_terminated) {
        if (off > len || len - off < 4)
                return false;
        const uint8_t *h = p + off;
        uint8_t t = h[0], flen = h[1];
        if (t == SMBIOS_TYPE_END || flen < 4 || flen > len - off)
                return false;
        size_t left = len - off - flen;
        size_t set = string_set_size(h + flen, left);
        *s = (SmbiosStructure) {
                .type = t, .length = flen, .handle = get_le16(h + 2), .data = h, .strings = h + flen,
                .strings_size = set ? set : left,
        };
        *ret_terminated = set != 0;
        return true;
}

bool smbios_find(const void *table, size_t len, uint8_t type, size_t min_length, SmbiosStructure *ret) {
        SmbiosStructure s;
        bool terminated;
        if (!table)
                return false;
        for (size_t off = 0; structure_at(table, len, off, &s, &terminated); off += s.length + s.strings_size) {
                if (s.type == type) {
                        if (s.length < min_length)
                                return false;   /* the first of its type is too short: refused */
                        /* an unterminated last set: its strings are still bounded by the table */
                        *ret = s;
                        return true;
                }
                if (!terminated)
                        return false;
        }
        return false;
}

bool smbios_next(const void *table, size_t len, size_t *offset, SmbiosStructure *ret) {
        bool terminated;
        if (!table || !structure_at(table, len, *offset, ret, &terminated) || !terminated)
                return false;
        *offset += ret->length + ret->strings_size;
        return true;
}

const char *smbios_string(const SmbiosStructure *s, uint8_t index, size_t *ret_len) {
        if (!s || index == 0)
                return NULL;
        size_t off = 0;
        for (unsigned i = 1; off < s->strings_size; i++) {
                size_t n = nul_at(s->strings + off, s->strings_size - off);
                if (n == 0 || n == s->strings_size - off)
                        return NULL;   /* the end of the set, or a string cut by the table's end */
                if (i == index) {
                        if (ret_len)
                                *ret_len = n;
                        return (const char *) s->strings + off;
                }
                off += n + 1;
        }
        return NULL;
}

const char *smbios_find_oem_string(const void *table, size_t len, const char *name, size_t *ret_len) {
        SmbiosStructure s;
        /* the first type 11 structure only, as systemd-stub; its count byte is not trusted:
         * every string of the set is looked at */
        if (!name || !smbios_find(table, len, SMBIOS_TYPE_OEM_STRINGS, 5, &s))
                return NULL;
        size_t name_len = strlen(name);
        for (unsigned i = 1; i <= 255; i++) {
                size_t n;
                const char *str = smbios_string(&s, (uint8_t) i, &n);
                if (!str)
                        return NULL;
                if (n > name_len && memcmp(str, name, name_len) == 0 && str[name_len] == '=') {
                        if (ret_len)
                                *ret_len = n - name_len - 1;
                        return str + name_len + 1;
                }
        }
        return NULL;
}
