/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "smbios.h"
#include "tests.h"

#define EXTRA "io.systemd.stub.kernel-cmdline-extra"

/* A table as QEMU builds it: type 0 (strings), type 1 (strings), type 11 with two OEM strings,
 * a structure without strings, type 127. */
static const uint8_t table[] = {
        0, 0x18, 0x00, 0x00, 1, 2, 0, 0xe8, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        'E', 'D', 'K', 0, '1', '.', '0', 0, 0,
        1, 0x1b, 0x00, 0x01, 1, 2, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 6, 0, 3,
        'Q', 'E', 'M', 'U', 0, 'S', 't', 'd', 0, 'V', 'M', 0, 0,
        32, 0x0b, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        11, 0x05, 0x00, 0x03, 2,
        'a', '=', 'b', 0,
        'i', 'o', '.', 's', 'y', 's', 't', 'e', 'm', 'd', '.', 's', 't', 'u', 'b', '.', 'k', 'e', 'r', 'n', 'e', 'l',
        '-', 'c', 'm', 'd', 'l', 'i', 'n', 'e', '-', 'e', 'x', 't', 'r', 'a', '=', 'q', 'u', 'i', 'e', 't', ' ', 'x', 0, 0,
        127, 0x04, 0x00, 0x04, 0, 0,
};

static void test_find_and_strings(void) {
        SmbiosStructure s;
        size_t n;
        ASSERT_TRUE(smbios_find(table, sizeof(table), SMBIOS_TYPE_SYSTEM, 0x1b, &s));
        ASSERT_EQ(s.handle, 0x100);
        ASSERT_EQ(s.strings_size, 13);
        const char *m = smbios_string(&s, s.data[4], &n);
        ASSERT_TRUE(m && n == 4 && memcmp(m, "QEMU", 4) == 0);
        ASSERT_STREQ(smbios_string(&s, 2, NULL), "Std");
        ASSERT_STREQ(smbios_string(&s, 3, NULL), "VM");
        ASSERT_TRUE(!smbios_string(&s, 4, NULL));   /* past the last string */
        ASSERT_TRUE(!smbios_string(&s, 0, NULL));   /* "no string" */
        /* a structure without strings (two NULs) is skipped correctly */
        ASSERT_TRUE(smbios_find(table, sizeof(table), 32, 0, &s));
        ASSERT_EQ(s.strings_size, 2);
        ASSERT_TRUE(!smbios_string(&s, 1, NULL));
        /* absent type; a minimum length the structure does not have */
        ASSERT_TRUE(!smbios_find(table, sizeof(table), SMBIOS_TYPE_BASEBOARD, 0, &s));
        ASSERT_TRUE(!smbios_find(table, sizeof(table), SMBIOS_TYPE_SYSTEM, 0x1c, &s));
        /* the end-of-table structure stops the walk before anything after it */
        ASSERT_TRUE(!smbios_find(table, sizeof(table), 127, 0, &s));
}

static void test_oem_string(void) {
        size_t n;
        const char *v = smbios_find_oem_string(table, sizeof(table), EXTRA, &n);
        ASSERT_STREQ(v, "quiet x");
        ASSERT_EQ(n, 7);
        ASSERT_STREQ(smbios_find_oem_string(table, sizeof(table), "a", &n), "b");
        /* a prefix of a name is not the name; a name needs its '=' */
        ASSERT_TRUE(!smbios_find_oem_string(table, sizeof(table), "io.systemd.stub.kernel-cmdline", &n));
        ASSERT_TRUE(!smbios_find_oem_string(table, sizeof(table), "io.systemd.stub.kernel-cmdline-extra=", &n));
        ASSERT_TRUE(!smbios_find_oem_string(table, sizeof(table), "b", &n));
}

/* Every truncation of the table: nothing is read past the end (ASan), and the OEM string is
 * found exactly when its whole structure fits. */
static void test_truncated(void) {
        size_t oem_end = sizeof(table) - 6;   /* the type 11 structure ends before type 127 */
        for (size_t len = 0; len <= sizeof(table); len++) {
                uint8_t *copy = malloc(len ? len : 1);
                memcpy(copy, table, len);
                size_t n;
                const char *v = smbios_find_oem_string(copy, len, EXTRA, &n);
                if (len >= oem_end)
                        ASSERT_TRUE(v && n == 7);
                else if (v)
                        /* found while the set is cut: the string itself must be whole */
                        ASSERT_TRUE(v + n < (const char *) copy + len && v[n] == 0);
                SmbiosStructure s;
                if (smbios_find(copy, len, SMBIOS_TYPE_SYSTEM, 4, &s))
                        ASSERT_TRUE(s.strings + s.strings_size <= copy + len);
                free(copy);
        }
}

static void test_malformed(void) {
        SmbiosStructure s;
        /* a formatted length below the header's 4 bytes stops the walk (no endless loop) */
        static const uint8_t zero_len[] = { 1, 0, 0, 0, 0, 0, 11, 5, 0, 0, 1, 'x', '=', '1', 0, 0 };
        ASSERT_TRUE(!smbios_find(zero_len, sizeof(zero_len), 11, 5, &s));
        /* a formatted length past the end */
        static const uint8_t long_len[] = { 11, 200, 0, 0, 1, 'x', '=', '1', 0, 0 };
        ASSERT_TRUE(!smbios_find(long_len, sizeof(long_len), 11, 5, &s));
        /* an unterminated string set before the wanted structure */
        static const uint8_t unterminated[] = { 1, 4, 0, 0, 'a', 'b', 11, 5, 0, 0, 1, 'x', '=', '1', 0, 0 };
        ASSERT_TRUE(!smbios_find(unterminated, sizeof(unterminated), 11, 5, &s));
        /* the first type 11 is too short: refused, as systemd-stub does */
        static const uint8_t short11[] = { 11, 4, 0, 0, 0, 0, 11, 5, 0, 0, 1, 'x', '=', '1', 0, 0 };
        ASSERT_TRUE(!smbios_find_oem_string(short11, sizeof(short11), "x", NULL));
        /* only the first type 11 structure is searched, as systemd-stub does */
        static const uint8_t two11[] = { 11, 5, 0, 0, 1, 'y', '=', '2', 0, 0, 11, 5, 0, 0, 1, 'x', '=', '1', 0, 0 };
        ASSERT_STREQ(smbios_find_oem_string(two11, sizeof(two11), "y", NULL), "2");
        ASSERT_TRUE(!smbios_find_oem_string(two11, sizeof(two11), "x", NULL));
        ASSERT_TRUE(!smbios_find(NULL, 0, 11, 0, &s));
}

/* The walk the PCR 1 measurement makes: every structure before type 127, each whole (its
 * string set to the final NUL), back to back. */
static void test_next(void) {
        static const uint8_t want_types[] = { 0, 1, 32, 11 };
        static const size_t want_sizes[] = { 0x18 + 9, 0x1b + 13, 0x0b + 2, 5 + 4 + 45 + 1 };
        SmbiosStructure s;
        size_t off = 0, i = 0;
        while (smbios_next(table, sizeof(table), &off, &s)) {
                ASSERT_TRUE(i < sizeof(want_types));
                ASSERT_EQ(s.type, want_types[i]);
                ASSERT_EQ(s.length + s.strings_size, want_sizes[i]);
                ASSERT_TRUE(s.data + s.length + s.strings_size == table + off);
                i++;
        }
        ASSERT_EQ(i, sizeof(want_types));
        ASSERT_EQ(off, sizeof(table) - 6);   /* stopped at type 127 */
        /* cut anywhere: exactly the whole structures before the cut, never past it */
        for (size_t len = 0; len < sizeof(table); len++) {
                size_t n = 0, o = 0, want_n = 0, want_o = 0, end = 0;
                while (smbios_next(table, len, &o, &s))
                        n++;
                for (size_t k = 0; k < 4; k++) {
                        end += want_sizes[k];
                        if (end <= len) {
                                want_n = k + 1;
                                want_o = end;
                        }
                }
                ASSERT_EQ(n, want_n);
                ASSERT_EQ(o, want_o);
        }
        /* an unterminated string set ends the walk before that structure */
        static const uint8_t unterminated[] = { 2, 4, 0, 0, 0, 0, 1, 4, 0, 0, 'a', 'b' };
        off = 0;
        ASSERT_TRUE(smbios_next(unterminated, sizeof(unterminated), &off, &s) && s.type == 2 && off == 6);
        ASSERT_TRUE(!smbios_next(unterminated, sizeof(unterminated), &off, &s));
        off = 0;
        ASSERT_TRUE(!smbios_next(NULL, 0, &off, &s));
}

static void test_entry_points(void) {
        uint8_t ep3[SMBIOS3_ENTRY_POINT_SIZE] = { '_', 'S', 'M', '3', '_', 0, 0x18, 3, 0, 0, 1, 0 };
        uint32_t max = 0x1234;
        uint64_t addr = UINT64_C(0x7fe8d000);
        memcpy(ep3 + 0x0c, &max, 4);
        memcpy(ep3 + 0x10, &addr, 8);
        SmbiosTableRef r;
        ASSERT_TRUE(smbios3_entry_point(ep3, sizeof(ep3), &r));
        ASSERT_EQ(r.address, addr);
        ASSERT_EQ(r.size, max);
        ASSERT_EQ(r.major, 3);
        ASSERT_TRUE(!smbios3_entry_point(ep3, sizeof(ep3) - 1, &r));   /* shorter than the structure */
        ep3[6] = 0x10;                                                  /* a length not covering the fields */
        ASSERT_TRUE(!smbios3_entry_point(ep3, sizeof(ep3), &r));
        ep3[6] = 0x18;
        ep3[3] = '2';
        ASSERT_TRUE(!smbios3_entry_point(ep3, sizeof(ep3), &r));
        ASSERT_TRUE(!smbios2_entry_point(ep3, sizeof(ep3), &r));

        uint8_t ep2[SMBIOS2_ENTRY_POINT_SIZE] = { '_', 'S', 'M', '_', 0, 0x1f, 2, 8 };
        memcpy(ep2 + 0x10, "_DMI_", 5);
        uint16_t tlen = 0x1a0;
        uint32_t taddr = 0xf0000;
        memcpy(ep2 + 0x16, &tlen, 2);
        memcpy(ep2 + 0x18, &taddr, 4);
        ASSERT_TRUE(smbios2_entry_point(ep2, sizeof(ep2), &r));
        ASSERT_EQ(r.address, taddr);
        ASSERT_EQ(r.size, tlen);
        ASSERT_EQ(r.minor, 8);
        ep2[5] = 0x1e;   /* the known off-by-one of some 2.1 firmware */
        ASSERT_TRUE(smbios2_entry_point(ep2, sizeof(ep2), &r));
        ep2[5] = 0x40;   /* claims more than the caller has */
        ASSERT_TRUE(!smbios2_entry_point(ep2, sizeof(ep2), &r));
        ASSERT_TRUE(!smbios3_entry_point(ep2, sizeof(ep2), &r));
        ASSERT_TRUE(!smbios2_entry_point(NULL, 0, &r));
}

int main(void) {
        TEST(test_find_and_strings);
        TEST(test_oem_string);
        TEST(test_truncated);
        TEST(test_malformed);
        TEST(test_next);
        TEST(test_entry_points);
        return TESTS_END();
}
