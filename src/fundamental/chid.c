/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CHIDs and the .hwids section: see chid.h and docs/stub.md "Device trees". */
#include <sha1.h>
#include <stdbool.h>
#include <string.h>

#include "chid.h"
#include "smbios.h"
#include "unaligned.h"

#define F(x) (UINT16_C(1) << CHID_##x)

/* Microsoft's HardwareID-0..14 */
const uint16_t chid_type_fields[CHID_TYPES] = {
        F(MANUFACTURER) | F(FAMILY) | F(PRODUCT_NAME) | F(PRODUCT_SKU) | F(BIOS_VENDOR) | F(BIOS_VERSION) |
                F(BIOS_MAJOR) | F(BIOS_MINOR),
        F(MANUFACTURER) | F(FAMILY) | F(PRODUCT_NAME) | F(BIOS_VENDOR) | F(BIOS_VERSION) | F(BIOS_MAJOR) |
                F(BIOS_MINOR),
        F(MANUFACTURER) | F(PRODUCT_NAME) | F(BIOS_VENDOR) | F(BIOS_VERSION) | F(BIOS_MAJOR) | F(BIOS_MINOR),
        F(MANUFACTURER) | F(FAMILY) | F(PRODUCT_NAME) | F(PRODUCT_SKU) | F(BASEBOARD_MANUFACTURER) |
                F(BASEBOARD_PRODUCT),
        F(MANUFACTURER) | F(FAMILY) | F(PRODUCT_NAME) | F(PRODUCT_SKU),
        F(MANUFACTURER) | F(FAMILY) | F(PRODUCT_NAME),
        F(MANUFACTURER) | F(PRODUCT_SKU) | F(BASEBOARD_MANUFACTURER) | F(BASEBOARD_PRODUCT),
        F(MANUFACTURER) | F(PRODUCT_SKU),
        F(MANUFACTURER) | F(PRODUCT_NAME) | F(BASEBOARD_MANUFACTURER) | F(BASEBOARD_PRODUCT),
        F(MANUFACTURER) | F(PRODUCT_NAME),
        F(MANUFACTURER) | F(FAMILY) | F(BASEBOARD_MANUFACTURER) | F(BASEBOARD_PRODUCT),
        F(MANUFACTURER) | F(FAMILY),
        F(MANUFACTURER) | F(ENCLOSURE_TYPE),
        F(MANUFACTURER) | F(BASEBOARD_MANUFACTURER) | F(BASEBOARD_PRODUCT),
        F(MANUFACTURER),
};

const uint8_t chid_match_order[CHID_MATCH_ORDER_LEN] = { 3, 6, 8, 10, 4, 5, 7, 9, 11 };

/* The CHID namespace 70ffd812-4c7f-4c7d-0000-000000000000, in the UUID's own (big-endian)
 * byte order, which is what a version 5 UUID hashes. */
static const uint8_t chid_namespace[16] = { 0x70, 0xff, 0xd8, 0x12, 0x4c, 0x7f, 0x4c, 0x7d };

static void sha1_unit(SHA1_CTX *ctx, uint32_t u) {
        uint8_t b[2] = { (uint8_t) u, (uint8_t) (u >> 8) };
        SHA1Update(ctx, b, 2);
}

/* UTF-8 in, UTF-16LE into the hash. A byte that does not start a well-formed sequence (bad
 * continuation, overlong form, surrogate, > U+10FFFF) becomes U+FFFD; SMBIOS strings are
 * ASCII in practice. */
static void sha1_utf16(SHA1_CTX *ctx, const uint8_t *s, size_t n) {
        size_t i = 0;
        while (i < n) {
                uint8_t c = s[i];
                uint32_t cp = 0xfffd;
                size_t k = 1;
                if (c < 0x80)
                        cp = c;
                else {
                        size_t need = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
                        if (need && n - i >= need) {
                                uint32_t v = c & (0x7fu >> need);
                                size_t j;
                                for (j = 1; j < need && (s[i + j] & 0xc0) == 0x80; j++)
                                        v = v << 6 | (s[i + j] & 0x3f);
                                static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
                                if (j == need && v >= min[need] && v <= 0x10ffff && (v < 0xd800 || v > 0xdfff)) {
                                        cp = v;
                                        k = need;
                                }
                        }
                }
                if (cp >= 0x10000) {
                        sha1_unit(ctx, 0xd800 | ((cp - 0x10000) >> 10));
                        sha1_unit(ctx, 0xdc00 | ((cp - 0x10000) & 0x3ff));
                } else
                        sha1_unit(ctx, cp);
                i += k;
        }
}

static void chid_one(const ChidFields *f, uint16_t mask, ChidGuid *ret) {
        memset(ret, 0, sizeof(*ret));
        for (unsigned i = 0; i < CHID_FIELDS; i++)
                if ((mask & (1u << i)) && !f->s[i])
                        return;

        SHA1_CTX ctx;
        SHA1Init(&ctx);
        SHA1Update(&ctx, chid_namespace, sizeof(chid_namespace));
        bool first = true;
        for (unsigned i = 0; i < CHID_FIELDS; i++) {
                if (!(mask & (1u << i)))
                        continue;
                if (!first)
                        sha1_unit(&ctx, '&');
                first = false;
                sha1_utf16(&ctx, (const uint8_t *) f->s[i], f->len[i]);
        }
        uint8_t h[SHA1_DIGEST_LENGTH];
        SHA1Final(h, &ctx);

        /* RFC 4122 version 5 and variant bits, on the big-endian form */
        h[6] = (uint8_t) ((h[6] & 0x0f) | 0x50);
        h[8] = (uint8_t) ((h[8] & 0x3f) | 0x80);
        /* to EFI byte order: Data1, Data2, Data3 little-endian */
        static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
        for (unsigned i = 0; i < 16; i++)
                ret->b[i] = h[order[i]];
}

void chid_compute(const ChidFields *f, ChidGuid ret[CHID_TYPES]) {
        for (unsigned t = 0; t < CHID_TYPES; t++)
                chid_one(f, chid_type_fields[t], &ret[t]);
}

static void field(const SmbiosStructure *s, size_t off, ChidFields *ret, ChidField which) {
        const char *str = NULL;
        size_t n = 0;
        if (s && off < s->length)
                str = smbios_string(s, s->data[off], &n);
        if (!str) {
                ret->s[which] = "";
                ret->len[which] = 0;
                return;
        }
        while (n > 0 && *str == ' ')
                str++, n--;
        while (n > 0 && *str == '0')
                str++, n--;
        while (n > 0 && str[n - 1] == ' ')
                n--;
        ret->s[which] = str;
        ret->len[which] = n;
}

void chid_fields_from_smbios(const void *p, size_t len, ChidFields *ret) {
        memset(ret, 0, sizeof(*ret));
        SmbiosStructure t1, t2;
        bool have1 = smbios_find(p, len, SMBIOS_TYPE_SYSTEM, 0x1b, &t1);
        bool have2 = smbios_find(p, len, SMBIOS_TYPE_BASEBOARD, 8, &t2);
        /* type 1: manufacturer 0x04, product 0x05, SKU 0x19, family 0x1a; type 2: 0x04, 0x05 */
        field(have1 ? &t1 : NULL, 0x04, ret, CHID_MANUFACTURER);
        field(have1 ? &t1 : NULL, 0x05, ret, CHID_PRODUCT_NAME);
        field(have1 ? &t1 : NULL, 0x19, ret, CHID_PRODUCT_SKU);
        field(have1 ? &t1 : NULL, 0x1a, ret, CHID_FAMILY);
        field(have2 ? &t2 : NULL, 0x04, ret, CHID_BASEBOARD_MANUFACTURER);
        field(have2 ? &t2 : NULL, 0x05, ret, CHID_BASEBOARD_PRODUCT);
}

/* One past the last NUL byte of (p, len), 0 if there is none: a string at off < len is
 * terminated inside iff off < this. Read once per table, so that a table whose entries all
 * point at one long string costs its length once, not once per entry. */
static size_t nul_end(const uint8_t *p, size_t len) {
        while (len > 0 && p[len - 1] != 0)
                len--;
        return len;
}

/* The NUL-terminated string at off inside the table, NULL for offset 0; false when it is not
 * inside or has no NUL before the end. */
static bool string_at(const HwidsTable *t, uint32_t off, const char **ret) {
        *ret = NULL;
        if (off == 0)
                return true;
        if (off >= t->len || off >= t->nul_end)
                return false;
        *ret = (const char *) t->p + off;
        return true;
}

static uint32_t entry_type(const HwidsTable *t, size_t i) {
        return get_le32(t->p + i * HWIDS_ENTRY_SIZE) >> 28;
}

/* Entry i with its strings; the second one is the compatible of a devicetree entry, the fwid
 * of a uefi-fw entry (neither for another type). */
static bool entry_at(const HwidsTable *t, size_t i, HwidsDevice *ret) {
        const uint8_t *e = t->p + i * HWIDS_ENTRY_SIZE;
        const char *second;
        *ret = (HwidsDevice) { .descriptor = get_le32(e) };
        memcpy(ret->chid.b, e + 4, 16);
        bool ok = string_at(t, get_le32(e + 20), &ret->name) && string_at(t, get_le32(e + 24), &second);
        if (ok && ret->descriptor >> 28 == HWIDS_TYPE_DEVICETREE)
                ret->compatible = second;
        else if (ok && ret->descriptor >> 28 == HWIDS_TYPE_UEFI_FW)
                ret->fwid = second;
        return ok;
}

HwidsResult hwids_table(const void *p, size_t len, HwidsTable *ret) {
        *ret = (HwidsTable) { .p = p, .len = p ? len : 0 };
        if (!p)
                return HWIDS_NOT_FOUND;
        ret->nul_end = nul_end(p, len);
        /* 257 counts entry n while (n + 1) * 28 < len: a table of only entries has no room
         * for its last one */
        size_t n = 0;
        while ((n + 1) * HWIDS_ENTRY_SIZE < len) {
                HwidsDevice d;
                bool ok = entry_at(ret, n, &d);
                if (d.descriptor == 0)
                        break;
                /* 258 takes uefi-fw entries (257 refused them), and still no other type */
                if (d.descriptor >> 28 != HWIDS_TYPE_DEVICETREE && d.descriptor >> 28 != HWIDS_TYPE_UEFI_FW)
                        return HWIDS_UNSUPPORTED;
                if (!ok)
                        return HWIDS_INVALID;
                n++;
        }
        ret->n = n;
        return n ? HWIDS_OK : HWIDS_NOT_FOUND;
}

bool hwids_table_entry(const HwidsTable *t, size_t i, HwidsDevice *ret) {
        return i < t->n && entry_at(t, i, ret);
}

bool hwids_table_find(const HwidsTable *t, const ChidGuid *chid, size_t *ret_i) {
        return hwids_table_find_type(t, chid, HWIDS_TYPE_DEVICETREE, ret_i);
}

bool hwids_table_find_type(const HwidsTable *t, const ChidGuid *chid, uint32_t type, size_t *ret_i) {
        for (size_t i = 0; i < t->n; i++)
                if (entry_type(t, i) == type && memcmp(t->p + i * HWIDS_ENTRY_SIZE + 4, chid->b, 16) == 0) {
                        *ret_i = i;
                        return true;
                }
        return false;
}

HwidsResult hwids_count(const void *p, size_t len, size_t *ret_n) {
        HwidsTable t;
        HwidsResult r = hwids_table(p, len, &t);
        *ret_n = r == HWIDS_OK ? t.n : 0;
        return r;
}

bool hwids_entry(const void *p, size_t len, size_t i, HwidsDevice *ret) {
        if (!p || i >= len / HWIDS_ENTRY_SIZE)
                return false;
        HwidsTable t = { .p = p, .len = len, .nul_end = nul_end(p, len) };
        return entry_at(&t, i, ret);
}

HwidsResult hwids_match(const void *p, size_t len, const ChidGuid chids[CHID_TYPES], HwidsDevice *ret) {
        return hwids_match_type(p, len, chids, HWIDS_TYPE_DEVICETREE, ret);
}

HwidsResult hwids_match_type(const void *p, size_t len, const ChidGuid chids[CHID_TYPES], uint32_t type,
                             HwidsDevice *ret) {
        HwidsTable t;
        HwidsResult r = hwids_table(p, len, &t);
        if (r != HWIDS_OK)
                return r;
        /* every counted entry has its strings checked (hwids_table); find takes those of type */
        for (unsigned k = 0; k < CHID_MATCH_ORDER_LEN; k++) {
                size_t i;
                if (hwids_table_find_type(&t, &chids[chid_match_order[k]], type, &i) && hwids_table_entry(&t, i, ret))
                        return HWIDS_OK;
        }
        return HWIDS_NOT_FOUND;
}
