/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CHIDs against published values (fwupdtool hwids output for one machine) and values
 * computed independently with Python (uuid + hashlib over the same UTF-16LE strings), the
 * SMBIOS field rules of systemd-stub 257, and the .hwids parser/matcher. */
#include "chid.h"
#include "tests.h"

static void guid_str(const ChidGuid *g, char out[37]) {
        static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
        char *p = out;
        for (unsigned i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        *p++ = '-';
                p += sprintf(p, "%02x", g->b[order[i]]);
        }
}

static bool guid_parse(const char *s, ChidGuid *g) {
        static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
        unsigned k = 0;
        for (const char *p = s; *p && k < 16;) {
                if (*p == '-') {
                        p++;
                        continue;
                }
                unsigned v;
                if (sscanf(p, "%2x", &v) != 1)
                        return false;
                g->b[order[k++]] = (uint8_t) v;
                p += 2;
        }
        return k == 16;
}

#define SET(f, i, str) ((f).s[i] = (str), (f).len[i] = strlen(str))

/* `fwupdtool hwids` on an MSI MS-7D70 (as published with systemd's CHID test data):
 * HardwareID-0..14 in order; 6/10 and 7/11 coincide because Family == ProductSku there. */
static void test_fwupd_vectors(void) {
        static const char *const expect[CHID_TYPES] = {
                "f59668ca-22bc-52a0-b6b5-1f6ce81b08e0", "f735f7a0-40da-5bfe-8ac2-0090532ee6d0",
                "25880e68-e005-5ca7-88b6-650de596604f", "01e09b32-de05-56ca-b9d1-9486ad5f381d",
                "cad87a11-1813-507b-9aab-9a5f457b649c", "377c823d-60d1-55b0-9678-76cd2af9d086",
                "28ac9cf2-5bde-59f7-aebe-4b3d008090fe", "e821e0e2-e11a-5e94-bf5d-ffe53c5e5048",
                "1c092f1d-dc7b-564f-8a3d-128d7292fab8", "c12c1f4a-332d-5d72-aa36-7a3d413b479a",
                "28ac9cf2-5bde-59f7-aebe-4b3d008090fe", "e821e0e2-e11a-5e94-bf5d-ffe53c5e5048",
                "bdd76d3e-147f-58a9-a0b2-42136454ed07", "b2e58e8b-fb10-5cd0-8fb0-5bd931f1871a",
                "50af5797-a2f2-58b1-9a1a-453bcbb2e025",
        };
        ChidFields f = {};
        SET(f, CHID_MANUFACTURER, "Micro-Star International Co., Ltd.");
        SET(f, CHID_FAMILY, "To be filled by O.E.M.");
        SET(f, CHID_PRODUCT_NAME, "MS-7D70");
        SET(f, CHID_PRODUCT_SKU, "To be filled by O.E.M.");
        SET(f, CHID_BASEBOARD_MANUFACTURER, "Micro-Star International Co., Ltd.");
        SET(f, CHID_BASEBOARD_PRODUCT, "MPG X670E CARBON WIFI (MS-7D70)");
        SET(f, CHID_BIOS_VENDOR, "American Megatrends International, LLC.");
        SET(f, CHID_BIOS_VERSION, "1.E5");
        SET(f, CHID_BIOS_MAJOR, "05");
        SET(f, CHID_BIOS_MINOR, "20");
        SET(f, CHID_ENCLOSURE_TYPE, "3");
        ChidGuid g[CHID_TYPES];
        chid_compute(&f, g);
        for (unsigned i = 0; i < CHID_TYPES; i++) {
                char s[37];
                guid_str(&g[i], s);
                ASSERT_STREQ(s, expect[i]);
        }
        /* without the BIOS and enclosure fields (what the stub has): those types are zero */
        f.s[CHID_BIOS_VENDOR] = NULL;
        f.s[CHID_ENCLOSURE_TYPE] = NULL;
        chid_compute(&f, g);
        static const ChidGuid zero = {};
        for (unsigned i = 0; i < CHID_TYPES; i++) {
                char s[37];
                guid_str(&g[i], s);
                if (i <= 2 || i == 12)
                        ASSERT_TRUE(memcmp(&g[i], &zero, sizeof(zero)) == 0);
                else
                        ASSERT_STREQ(s, expect[i]);
        }
}

/* Python: uuid.UUID(bytes=sha1(ns.bytes + '&'.join(fields).encode('utf-16-le')).digest()[:16], version=5) */
static void test_python_vectors(void) {
        ChidFields f = {};
        SET(f, CHID_MANUFACTURER, "\xc3\x9c" "n" "\xc3\xaf" "code GmbH");   /* "Ünïcode GmbH" */
        SET(f, CHID_FAMILY, "Fam");
        SET(f, CHID_PRODUCT_NAME, "Prod");
        SET(f, CHID_PRODUCT_SKU, "SKU1");
        SET(f, CHID_BASEBOARD_MANUFACTURER, "BM");
        SET(f, CHID_BASEBOARD_PRODUCT, "BP");
        ChidGuid g[CHID_TYPES];
        char s[37];
        chid_compute(&f, g);
        guid_str(&g[3], s);
        ASSERT_STREQ(s, "841fcb9b-ade3-5147-a0ca-101f8ab51ce7");
        guid_str(&g[5], s);
        ASSERT_STREQ(s, "3fca6fe3-818a-5d82-96a1-88cad3438a17");
}

/* type 1 (manufacturer "  007Acme  ", product "Widget", no SKU string, family "Fam"),
 * type 2 ("Board Co", "B-1"), type 127 */
static const uint8_t table[] = {
        1, 0x1b, 0x00, 0x01, 1, 2, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 6, 0, 3,
        ' ', ' ', '0', '0', '7', 'A', 'c', 'm', 'e', ' ', ' ', 0, 'W', 'i', 'd', 'g', 'e', 't', 0, 'F', 'a', 'm', 0, 0,
        2, 0x08, 0x00, 0x02, 1, 2, 0, 0,
        'B', 'o', 'a', 'r', 'd', ' ', 'C', 'o', 0, 'B', '-', '1', 0, 0,
        127, 0x04, 0x00, 0x04, 0, 0,
};

static void test_smbios_fields(void) {
        ChidFields f;
        chid_fields_from_smbios(table, sizeof(table), &f);
        ASSERT_TRUE(f.len[CHID_MANUFACTURER] == 5 && memcmp(f.s[CHID_MANUFACTURER], "7Acme", 5) == 0);
        ASSERT_TRUE(f.s[CHID_PRODUCT_SKU] && f.len[CHID_PRODUCT_SKU] == 0);
        ASSERT_TRUE(f.len[CHID_BASEBOARD_PRODUCT] == 3);
        ASSERT_TRUE(!f.s[CHID_BIOS_VENDOR] && !f.s[CHID_ENCLOSURE_TYPE]);
        ChidGuid g[CHID_TYPES];
        char s[37];
        chid_compute(&f, g);
        guid_str(&g[3], s);
        ASSERT_STREQ(s, "596c2aec-82f6-5a55-8c5a-513d19d6bf2a");
        guid_str(&g[5], s);
        ASSERT_STREQ(s, "71f697dc-6610-55bc-b246-33a1b275bd2f");

        /* a type 1 shorter than 0x1b, no type 2: every field is the empty string */
        uint8_t t[sizeof(table)];
        memcpy(t, table, sizeof(t));
        t[0] = 1;
        t[1] = 0x1a;   /* 257 refuses it: its four fields are empty; type 2 is still read */
        chid_fields_from_smbios(t, sizeof(t), &f);
        for (unsigned i = 0; i <= CHID_PRODUCT_SKU; i++)
                ASSERT_TRUE(f.s[i] && f.len[i] == 0);
        ASSERT_TRUE(f.len[CHID_BASEBOARD_MANUFACTURER] == 8 && memcmp(f.s[CHID_BASEBOARD_MANUFACTURER], "Board Co", 8) == 0);
        /* no table: every field empty */
        chid_fields_from_smbios(NULL, 0, &f);
        chid_compute(&f, g);
        guid_str(&g[3], s);
        ASSERT_STREQ(s, "ab1d1306-cebc-58ef-984f-be1b9fb092b9");
        ASSERT_TRUE(f.s[CHID_MANUFACTURER] && f.len[CHID_MANUFACTURER] == 0);
}

static void put32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v, p[1] = (uint8_t) (v >> 8), p[2] = (uint8_t) (v >> 16), p[3] = (uint8_t) (v >> 24);
}

/* entries (chid, name, compatible), the zero entry, the strings "a\0compat-a\0compat-b\0" */
static size_t make_hwids(uint8_t *buf, const char *const chids[], const unsigned compat[], size_t n, bool terminate) {
        size_t strings = (n + (terminate ? 1 : 0)) * HWIDS_ENTRY_SIZE;
        memset(buf, 0, strings);
        for (size_t i = 0; i < n; i++) {
                uint8_t *e = buf + i * HWIDS_ENTRY_SIZE;
                ChidGuid g;
                guid_parse(chids[i], &g);
                put32(e, HWIDS_DESCRIPTOR_DEVICETREE);
                memcpy(e + 4, g.b, 16);
                put32(e + 20, (uint32_t) strings);
                put32(e + 24, (uint32_t) (strings + (compat[i] ? 11 : 2)));
        }
        memcpy(buf + strings, "a\0compat-a\0compat-b", 20);
        return strings + 20;
}

static void test_hwids(void) {
        ChidFields f;
        chid_fields_from_smbios(table, sizeof(table), &f);
        ChidGuid g[CHID_TYPES];
        chid_compute(&f, g);
        /* CHID 5 (less specific) listed first, CHID 3 (most specific) second: 3 wins */
        static const char *const chids[] = { "71f697dc-6610-55bc-b246-33a1b275bd2f",
                                             "596c2aec-82f6-5a55-8c5a-513d19d6bf2a",
                                             "00000000-0000-5000-8000-000000000000" };
        static const unsigned compat[] = { 0, 1, 0 };
        uint8_t buf[256];
        size_t len = make_hwids(buf, chids, compat, 3, true);
        size_t n;
        ASSERT_EQ(hwids_count(buf, len, &n), HWIDS_OK);
        ASSERT_EQ(n, 3);
        HwidsDevice d;
        ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_OK);
        ASSERT_STREQ(d.compatible, "compat-b");
        ASSERT_STREQ(d.name, "a");
        /* only the CHID 5 entry: it is chosen */
        len = make_hwids(buf, chids, compat, 1, true);
        ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_OK);
        ASSERT_STREQ(d.compatible, "compat-a");
        /* no entry of ours */
        len = make_hwids(buf, chids + 2, compat, 1, true);
        ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_NOT_FOUND);
        /* nothing but the zero entry */
        len = make_hwids(buf, chids, compat, 0, true);
        ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_NOT_FOUND);
        /* entries without a terminator and without strings: 257 never counts the last one */
        len = make_hwids(buf, chids, compat, 2, false) - 20;
        for (unsigned i = 0; i < 2; i++)
                put32(buf + i * HWIDS_ENTRY_SIZE + 20, 0), put32(buf + i * HWIDS_ENTRY_SIZE + 24, 0);
        ASSERT_EQ(hwids_count(buf, len, &n), HWIDS_OK);
        ASSERT_EQ(n, 1);
        /* a uefi-fw entry (258) with the machine's most specific CHID: counted, read with its
         * fwid, and skipped by the device tree match, which takes the CHID 5 devicetree entry */
        len = make_hwids(buf, chids, compat, 2, true);
        put32(buf + HWIDS_ENTRY_SIZE, HWIDS_DESCRIPTOR_UEFI_FW);
        ASSERT_EQ(hwids_count(buf, len, &n), HWIDS_OK);
        ASSERT_EQ(n, 2);
        ASSERT_TRUE(hwids_entry(buf, len, 1, &d));
        ASSERT_STREQ(d.fwid, "compat-b");
        ASSERT_TRUE(d.compatible == NULL);
        ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_OK);
        ASSERT_STREQ(d.compatible, "compat-a");
        ASSERT_TRUE(d.fwid == NULL);
        /* the same uefi-fw entry first, then a devicetree entry with the same CHID: the second */
        {
                const char *const same[] = { chids[1], chids[1] };
                len = make_hwids(buf, same, compat, 2, true);
                put32(buf, HWIDS_DESCRIPTOR_UEFI_FW);
                ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_OK);
                ASSERT_STREQ(d.compatible, "compat-b");
        }
        /* only uefi-fw entries: a table, but no device tree for this machine */
        len = make_hwids(buf, chids, compat, 2, true);
        put32(buf, HWIDS_DESCRIPTOR_UEFI_FW);
        put32(buf + HWIDS_ENTRY_SIZE, HWIDS_DESCRIPTOR_UEFI_FW);
        ASSERT_EQ(hwids_count(buf, len, &n), HWIDS_OK);
        ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_NOT_FOUND);
        /* another entry type: the table is refused */
        len = make_hwids(buf, chids, compat, 2, true);
        put32(buf + HWIDS_ENTRY_SIZE, (3u << 28) | HWIDS_ENTRY_SIZE);
        ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_UNSUPPORTED);
        /* a string offset outside, and a string without its NUL */
        len = make_hwids(buf, chids, compat, 2, true);
        put32(buf + 24, (uint32_t) len);
        ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_INVALID);
        len = make_hwids(buf, chids, compat, 2, true);
        put32(buf + 24, (uint32_t) len - 2);
        ASSERT_EQ(hwids_match(buf, len - 1, g, &d), HWIDS_INVALID);
        /* offset 0: no compatible */
        len = make_hwids(buf, chids, compat, 2, true);
        put32(buf + HWIDS_ENTRY_SIZE + 24, 0);
        ASSERT_EQ(hwids_match(buf, len, g, &d), HWIDS_OK);
        ASSERT_TRUE(d.compatible == NULL);
        ASSERT_EQ(hwids_count(NULL, 0, &n), HWIDS_NOT_FOUND);
        ASSERT_EQ(hwids_count(buf, 5, &n), HWIDS_NOT_FOUND);
}

int main(void) {
        TEST(test_fwupd_vectors);
        TEST(test_python_vectors);
        TEST(test_smbios_fields);
        TEST(test_hwids);
        return TESTS_END();
}
