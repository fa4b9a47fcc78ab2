/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory newc cpio writer (src/fundamental/cpio.c) and the side-loaded file names
 * (extra-name.c): exact bytes where systemd-stub 257's layout fixes them, and what GNU cpio
 * unpacks from our archives (names, modes, contents). */
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "extra-name.h"
#include "tests.h"

static uint8_t *build(void (*fill)(CpioWriter *), size_t *ret_size) {
        CpioWriter w;
        cpio_writer_init(&w, NULL, 0);
        fill(&w);
        size_t n;
        if (!cpio_writer_done(&w, &n))
                return NULL;
        uint8_t *buf = malloc(n ? n : 1);
        cpio_writer_init(&w, buf, n);
        fill(&w);
        size_t m;
        if (!cpio_writer_done(&w, &m) || m != n) {
                free(buf);
                return NULL;
        }
        *ret_size = n;
        return buf;
}

static void fill_creds(CpioWriter *w) {
        cpio_add_dirs(w, ".extra/credentials", 0500);
        cpio_add_file(w, ".extra/credentials", "a.cred", 6, "secret\n", 7, 0400);
        cpio_add_file(w, ".extra/credentials", "empty.cred", 10, NULL, 0, 0400);
        cpio_add_trailer(w);
}

static void test_layout(void) {
        size_t n = 0;
        uint8_t *b = build(fill_creds, &n);
        ASSERT_TRUE(b != NULL);
        /* ".extra" (110 + 7 -> 120), ".extra/credentials" (110 + 19 -> 132), the file
         * (110 + 26 -> 136, data 7 -> 8), the empty file (110 + 30 -> 140), trailer 124 */
        ASSERT_EQ(n, 120 + 132 + 136 + 8 + 140 + 124);
        ASSERT_EQ(n % 4, 0);
        /* first entry: inode 1, a directory 0555, nlink 1, name size 7 */
        ASSERT_TRUE(memcmp(b, "070701" "00000001" "0000416d" "00000000" "00000000" "00000001" "00000000"
                              "00000000" "00000000" "00000000" "00000000" "00000000" "00000007" "00000000"
                              ".extra\0", 117) == 0);
        /* second: inode 2, 040500 */
        ASSERT_TRUE(memcmp(b + 120 + 6, "00000002" "00004140", 16) == 0);
        /* the file: inode 3, 0100400, size 7, its name, then the data 4-aligned */
        ASSERT_TRUE(memcmp(b + 252 + 6, "00000003" "00008100", 16) == 0);
        ASSERT_TRUE(memcmp(b + 252 + 6 + 6 * 8, "00000007", 8) == 0);
        ASSERT_TRUE(memcmp(b + 252 + 110, ".extra/credentials/a.cred\0", 26) == 0);
        ASSERT_TRUE(memcmp(b + 252 + 136, "secret\n\0", 8) == 0);
        /* the trailer, byte for byte as systemd-stub 257 writes it (its "0000000B") */
        static const char trailer[] = "070701" "00000000" "00000000" "00000000" "00000000" "00000001" "00000000"
                                      "00000000" "00000000" "00000000" "00000000" "00000000" "0000000B" "00000000"
                                      "TRAILER!!!\0\0\0";
        ASSERT_TRUE(memcmp(b + n - 124, trailer, 124) == 0);
        free(b);
}

/* GNU cpio unpacks it: names, modes and contents as written. */
static void test_unpack(void) {
        size_t n = 0;
        uint8_t *b = build(fill_creds, &n);
        ASSERT_TRUE(b != NULL);
        char dir[] = "/tmp/test-cpio-XXXXXX";
        ASSERT_TRUE(mkdtemp(dir) != NULL);
        char path[512], cmd[1024];
        snprintf(path, sizeof(path), "%s.cpio", dir);
        FILE *f = fopen(path, "wb");
        ASSERT_TRUE(f && fwrite(b, 1, n, f) == n);
        fclose(f);
        free(b);
        snprintf(cmd, sizeof(cmd), "cd %s && cpio -i --quiet --no-absolute-filenames < %s", dir, path);
        ASSERT_EQ(system(cmd), 0);
        struct stat st;
        snprintf(path, sizeof(path), "%s/.extra/credentials", dir);
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_TRUE(S_ISDIR(st.st_mode));
        ASSERT_EQ(st.st_mode & 07777, 0500);
        snprintf(path, sizeof(path), "%s/.extra/credentials/a.cred", dir);
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0400);
        ASSERT_EQ(st.st_size, 7);
        char data[16] = {};
        f = fopen(path, "rb");
        ASSERT_TRUE(f && fread(data, 1, sizeof(data), f) == 7);
        fclose(f);
        ASSERT_STREQ(data, "secret\n");
        snprintf(path, sizeof(path), "%s/.extra", dir);
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0555);
        snprintf(cmd, sizeof(cmd), "chmod -R u+rwx %s && rm -rf %s %s.cpio", dir, dir, dir);
        ASSERT_EQ(system(cmd), 0);
}

static void test_failures(void) {
        CpioWriter w;
        uint8_t small[200];
        /* the buffer is too small: failed, and nothing past the buffer */
        cpio_writer_init(&w, small, sizeof(small));
        fill_creds(&w);
        ASSERT_TRUE(!cpio_writer_done(&w, NULL));
        ASSERT_TRUE(w.len <= sizeof(small));
        /* bad directory paths and file names */
        const char *bad_dirs[] = { "", "/abs", "trailing/", "a//b" };
        for (size_t i = 0; i < sizeof(bad_dirs) / sizeof(*bad_dirs); i++) {
                cpio_writer_init(&w, NULL, 0);
                cpio_add_dirs(&w, bad_dirs[i], 0555);
                ASSERT_TRUE(!cpio_writer_done(&w, NULL));
        }
        cpio_writer_init(&w, NULL, 0);
        cpio_add_file(&w, ".extra", "a/b", 3, "x", 1, 0444);
        ASSERT_TRUE(!cpio_writer_done(&w, NULL));
        cpio_writer_init(&w, NULL, 0);
        cpio_add_file(&w, ".extra", "a\0b", 3, "x", 1, 0444);
        ASSERT_TRUE(!cpio_writer_done(&w, NULL));
        cpio_writer_init(&w, NULL, 0);
        cpio_add_file(&w, ".extra", "", 0, "x", 1, 0444);
        ASSERT_TRUE(!cpio_writer_done(&w, NULL));
        /* a file of 4 GiB does not fit the 32-bit size field (never read: it fails first) */
        cpio_writer_init(&w, NULL, 0);
        cpio_add_file(&w, ".extra", "big", 3, "x", (size_t) UINT32_MAX + 1, 0444);
        ASSERT_TRUE(!cpio_writer_done(&w, NULL));
        /* once failed, a writer stays failed */
        cpio_add_trailer(&w);
        ASSERT_TRUE(!cpio_writer_done(&w, NULL));
}

static size_t u16(const char *s, uint16_t *out) {
        size_t n = 0;
        for (; s[n]; n++)
                out[n] = (uint8_t) s[n];
        out[n] = 0;
        return n;
}

static void test_names(void) {
        uint16_t in[300];
        char out[EXTRA_NAME_MAX + 1];
        size_t n = u16("My.Cred", in);
        ASSERT_EQ(extra_name_ascii(in, n, out, sizeof(out)), 7);
        ASSERT_STREQ(out, "My.Cred");
        const char *bad[] = { ".hidden.cred", "a/b.cred", "a\\b.cred", "tab\t.cred", "" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                n = u16(bad[i], in);
                ASSERT_EQ(extra_name_ascii(in, n, out, sizeof(out)), 0);
        }
        n = u16("x.cred", in);
        in[0] = 0xe9; /* not ASCII */
        ASSERT_EQ(extra_name_ascii(in, n, out, sizeof(out)), 0);
        /* 255 characters is the longest name taken */
        for (size_t i = 0; i < 256; i++)
                in[i] = 'a';
        ASSERT_EQ(extra_name_ascii(in, 255, out, sizeof(out)), 255);
        ASSERT_EQ(extra_name_ascii(in, 256, out, sizeof(out)), 0);
        ASSERT_EQ(extra_name_ascii(in, 255, out, 255), 0); /* no room for the NUL */

        n = u16("foo.CRED", in);
        ASSERT_TRUE(extra_name_match(in, n, ".cred", NULL));
        n = u16("foo.cred.bak", in);
        ASSERT_TRUE(!extra_name_match(in, n, ".cred", NULL));
        n = u16("x.sysext.raw", in);
        ASSERT_TRUE(extra_name_match(in, n, ".raw", ".confext.raw"));
        n = u16("plain.raw", in);
        ASSERT_TRUE(extra_name_match(in, n, ".raw", ".confext.raw"));
        n = u16("y.ConfExt.raw", in);
        ASSERT_TRUE(!extra_name_match(in, n, ".raw", ".confext.raw"));
        ASSERT_TRUE(extra_name_match(in, n, ".confext.raw", NULL));
        n = u16("raw", in);
        ASSERT_TRUE(!extra_name_match(in, n, ".raw", NULL));
}

static void test_dir_name(void) {
        static const struct {
                const char *in, *want;
        } cases[] = {
                { "\\EFI\\Linux\\uki.efi", "\\EFI\\Linux\\uki.efi.extra.d" },
                { "/EFI/Linux//uki.efi", "\\EFI\\Linux\\uki.efi.extra.d" },
                { "\\EFI\\Linux\\uki+3-1.efi", "\\EFI\\Linux\\uki.efi.extra.d" },
                { "\\EFI\\Linux\\uki+3.efi", "\\EFI\\Linux\\uki.efi.extra.d" },
                { "\\EFI\\Linux\\uki+3", "\\EFI\\Linux\\uki.extra.d" },
                { "\\EFI\\Linux\\uki+x.efi", "\\EFI\\Linux\\uki+x.efi.extra.d" },
                { "\\EFI\\Linux\\uki+3-.efi", "\\EFI\\Linux\\uki+3-.efi.extra.d" },
                { "\\EFI\\Linux\\uki+3_1.efi", "\\EFI\\Linux\\uki+3_1.efi.extra.d" },
                /* only the first '+' is looked at */
                { "\\EFI\\a+b\\uki+3.efi", "\\EFI\\a+b\\uki+3.efi.extra.d" },
                { "\\EFI\\Linux\\uki+99999999999999999999.efi", "\\EFI\\Linux\\uki+99999999999999999999.efi.extra.d" },
        };
        uint16_t in[128], out[128];
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                size_t n = u16(cases[i].in, in);
                size_t k = extra_dir_name(in, n, out, 128);
                char got[128];
                for (size_t j = 0; j <= k; j++)
                        got[j] = (char) out[j];
                ASSERT_STREQ(got, cases[i].want);
        }
        size_t n = u16("\\uki.efi", in);
        ASSERT_EQ(extra_dir_name(in, n, out, 17), 16);
        ASSERT_EQ(extra_dir_name(in, n, out, 16), 0);
        ASSERT_EQ(extra_dir_name(in, 0, out, 16), 0);
}

/* A device path node: type, subtype, length, then UCS-2 text with its NUL. */
static size_t dp_node(uint8_t *p, uint8_t type, uint8_t subtype, const char *text) {
        size_t n = 4 + (text ? 2 * (strlen(text) + 1) : 0);
        p[0] = type;
        p[1] = subtype;
        p[2] = (uint8_t) n;
        p[3] = (uint8_t) (n >> 8);
        for (size_t i = 0; text && i <= strlen(text); i++) {
                p[4 + 2 * i] = (uint8_t) text[i];
                p[5 + 2 * i] = 0;
        }
        return n;
}

static void test_dir_from_device_path(void) {
        uint8_t dp[256];
        uint16_t out[128];
        char got[128];
        /* two file path nodes, as some boot managers pass them: joined */
        size_t n = dp_node(dp, 4, 4, "\\EFI\\Linux");
        n += dp_node(dp + n, 4, 4, "uki+2-0.efi");
        n += dp_node(dp + n, 0x7f, 0xff, NULL);
        size_t k = extra_dir_from_device_path(dp, n, out, 128);
        ASSERT_TRUE(k > 0);
        for (size_t j = 0; j <= k; j++)
                got[j] = (char) out[j];
        ASSERT_STREQ(got, "\\EFI\\Linux\\uki.efi.extra.d");
        /* a node that is not a file path: no drop-in directory (sd-stub's rule) */
        n = dp_node(dp, 4, 1, NULL);
        n += dp_node(dp + n, 4, 4, "\\uki.efi");
        n += dp_node(dp + n, 0x7f, 0xff, NULL);
        ASSERT_EQ(extra_dir_from_device_path(dp, n, out, 128), 0);
        /* no End node within the bound, a zero length, only an End node */
        n = dp_node(dp, 4, 4, "\\uki.efi");
        ASSERT_EQ(extra_dir_from_device_path(dp, n, out, 128), 0);
        dp[2] = dp[3] = 0;
        ASSERT_EQ(extra_dir_from_device_path(dp, sizeof(dp), out, 128), 0);
        n = dp_node(dp, 0x7f, 0xff, NULL);
        ASSERT_EQ(extra_dir_from_device_path(dp, n, out, 128), 0);
        ASSERT_EQ(extra_dir_from_device_path(NULL, 16, out, 128), 0);
}

int main(void) {
        TEST(test_layout);
        TEST(test_unpack);
        TEST(test_failures);
        TEST(test_names);
        TEST(test_dir_name);
        TEST(test_dir_from_device_path);
        return TESTS_END();
}
