/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tests.h"
#include "zboot.h"

static void put32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
        p[2] = (uint8_t) (v >> 16);
        p[3] = (uint8_t) (v >> 24);
}

/* A minimal image: 64-byte header, PE offset 0x40, payload at 0x80 of n bytes, laid out by the
 * kernel's rule: gzip carries out_size in its last 4 payload bytes (ISIZE), every other type
 * gets it appended after the n bytes. */
static size_t make(uint8_t *buf, size_t cap, const char *type, uint32_t n, uint32_t out_size) {
        ZbootInfo z = { .payload_offset = 0x80, .payload_size = n, .pe_header_offset = 0x40 };
        memset(buf, 0, cap);
        strcpy(z.comp_type, type);
        if (zboot_write_header(buf, cap, &z) != ZBOOT_OK)
                return 0;
        for (uint32_t i = 0; i < n; i++)
                buf[0x80 + i] = (uint8_t) i;
        if (strcmp(type, "gzip") == 0) {
                put32(buf + 0x80 + n - 4, out_size);
                return 0x80 + n;
        }
        put32(buf + 0x80 + n, out_size);
        return 0x80 + n + 4;
}

static void test_roundtrip(void) {
        uint8_t buf[512];
        size_t len = make(buf, sizeof(buf), "zstd", 100, 0x12345678);
        ZbootInfo z;
        uint64_t out;
        ASSERT_TRUE(len > 0);
        ASSERT_TRUE(zboot_has_magic(buf, len));
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
        ASSERT_EQ(z.payload_offset, 0x80);
        ASSERT_EQ(z.payload_size, 100);
        ASSERT_EQ(z.pe_header_offset, 0x40);
        ASSERT_STREQ(z.comp_type, "zstd");
        ASSERT_EQ(zboot_stream_length(&z), 100);
        ASSERT_EQ(zboot_decompressed_size(&z, buf + z.payload_offset, len - z.payload_offset, &out), ZBOOT_OK);
        ASSERT_EQ(out, 0x12345678);
        /* the header as Linux writes it: 32-bit MZ magic, LINUX_PE_MAGIC at 0x38 */
        ASSERT_EQ(buf[2], 0);
        ASSERT_EQ(buf[3], 0);
        ASSERT_EQ(buf[0x38], 0xcd);
        ASSERT_EQ(buf[0x3b], 0x81);
}

/* Makefile.zboot: zboot-size-len-$(CONFIG_KERNEL_GZIP) := 0, zboot-size-len-y := 4. */
static void test_size_rule_per_type(void) {
        static const char *const appended[] = { "zstd", "zstd22", "lz4", "lzma", "lzo", "xzkern", "brotli" };
        uint8_t buf[512];
        ZbootInfo z;
        uint64_t out;

        ASSERT_EQ(zboot_size_len("gzip"), ZBOOT_SIZE_LEN_GZIP);
        ASSERT_EQ(ZBOOT_SIZE_LEN_GZIP, 0);
        ASSERT_EQ(ZBOOT_SIZE_LEN_APPENDED, 4);

        /* gzip: payload_size is the whole member, ISIZE its last 4 bytes, nothing after it */
        size_t len = make(buf, sizeof(buf), "gzip", 50, 0x01020304);
        ASSERT_EQ(len, 0x80 + 50);
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
        ASSERT_EQ(zboot_stream_length(&z), 50);
        ASSERT_EQ(zboot_payload_extent(&z), 50);
        ASSERT_EQ(zboot_decompressed_size(&z, buf + 0x80, len - 0x80, &out), ZBOOT_OK);
        ASSERT_EQ(out, 0x01020304);
        ASSERT_EQ(zboot_parse_header(buf, len - 1, &z), ZBOOT_BAD_PAYLOAD_RANGE);
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
        ASSERT_EQ(zboot_decompressed_size(&z, buf + 0x80, 49, &out), ZBOOT_BAD_PAYLOAD_RANGE);

        /* every other label: the stream alone, the le32 appended right after it */
        for (size_t i = 0; i < sizeof(appended) / sizeof(appended[0]); i++) {
                len = make(buf, sizeof(buf), appended[i], 50, 0x0a0b0c0d + (uint32_t) i);
                ASSERT_EQ(len, 0x80 + 54);
                ASSERT_EQ(zboot_size_len(appended[i]), ZBOOT_SIZE_LEN_APPENDED);
                ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
                ASSERT_EQ(zboot_stream_length(&z), 50);
                ASSERT_EQ(zboot_payload_extent(&z), 54);
                ASSERT_EQ(zboot_decompressed_size(&z, buf + 0x80, len - 0x80, &out), ZBOOT_OK);
                ASSERT_EQ(out, 0x0a0b0c0d + i);
                ASSERT_EQ(zboot_decompressed_size(&z, buf + 0x80, 53, &out), ZBOOT_BAD_PAYLOAD_RANGE);
                /* the appended size must be inside the file */
                ASSERT_EQ(zboot_parse_header(buf, len - 1, &z), ZBOOT_BAD_PAYLOAD_RANGE);
                /* the old-rule probe is gzip's only */
                size_t sl;
                ASSERT_EQ(zboot_old_gzip_layout(&z, buf + 0x80, len - 0x80, &sl, &out), ZBOOT_BAD_ARGUMENT);
        }

        /* a gzip payload_size below the smallest member (10-byte header + 8-byte trailer) */
        len = make(buf, sizeof(buf), "gzip", 50, 1);
        put32(buf + 0x0c, ZBOOT_GZIP_MIN_MEMBER - 1);
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_GZIP_TOO_SHORT);
        put32(buf + 0x0c, ZBOOT_GZIP_MIN_MEMBER);
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
        ZbootInfo w = { .payload_offset = 0x80, .payload_size = ZBOOT_GZIP_MIN_MEMBER - 1, .pe_header_offset = 0x40 };
        strcpy(w.comp_type, "gzip");
        ASSERT_EQ(zboot_write_header(buf, sizeof(buf), &w), ZBOOT_BAD_ARGUMENT);
        strcpy(w.comp_type, "zstd");
        ASSERT_EQ(zboot_write_header(buf, sizeof(buf), &w), ZBOOT_OK);
}

/* An image made by the old rule (gzip payload_size without ISIZE): what it would mean. */
static void test_old_gzip_layout(void) {
        uint8_t buf[512];
        ZbootInfo z;
        size_t sl;
        uint64_t out;
        /* a member of 54 bytes, its ISIZE (77) at 50..53, but payload_size says 50 */
        size_t len = make(buf, sizeof(buf), "gzip", 54, 77);
        put32(buf + 0x0c, 50);
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
        ASSERT_EQ(zboot_old_gzip_layout(&z, buf + 0x80, len - 0x80, &sl, &out), ZBOOT_OK);
        ASSERT_EQ(sl, 54);
        ASSERT_EQ(out, 77);
        /* by the kernel's rule the size is read from inside: bytes 46..49 */
        ASSERT_EQ(zboot_decompressed_size(&z, buf + 0x80, len - 0x80, &out), ZBOOT_OK);
        ASSERT_EQ(out, 0x31302f2e);
        /* nothing after the payload, or zeros there: the old rule cannot apply */
        ASSERT_EQ(zboot_old_gzip_layout(&z, buf + 0x80, 53, &sl, &out), ZBOOT_BAD_ARGUMENT);
        put32(buf + 0x80 + 50, 0);
        ASSERT_EQ(zboot_old_gzip_layout(&z, buf + 0x80, len - 0x80, &sl, &out), ZBOOT_BAD_ARGUMENT);
        ASSERT_EQ(zboot_old_gzip_layout(&z, NULL, len - 0x80, &sl, &out), ZBOOT_BAD_ARGUMENT);
}

static void test_errors(void) {
        uint8_t buf[512], b2[512];
        size_t len = make(buf, sizeof(buf), "zstd22", 100, 1);
        ZbootInfo z;
        ASSERT_TRUE(len > 0);

        ASSERT_EQ(zboot_parse_header(buf, 63, &z), ZBOOT_TOO_SHORT);
        ASSERT_EQ(zboot_parse_header(NULL, 0, &z), ZBOOT_TOO_SHORT);
        /* truncated by one byte: trailer no longer inside */
        ASSERT_EQ(zboot_parse_header(buf, len - 1, &z), ZBOOT_BAD_PAYLOAD_RANGE);

#define MUTATE(off, val, want) do { memcpy(b2, buf, len); b2[off] = (val); \
                ASSERT_EQ(zboot_parse_header(b2, len, &z), want); } while (0)
        MUTATE(0, 'X', ZBOOT_BAD_MZ);
        MUTATE(4, 'Z', ZBOOT_NOT_ZIMG);
        MUTATE(0x10, 1, ZBOOT_RESERVED_NOT_ZERO);
        MUTATE(0x18, 0, ZBOOT_BAD_COMP_TYPE);
        MUTATE(0x18, 'A', ZBOOT_BAD_COMP_TYPE);
        MUTATE(0x38, 0, ZBOOT_BAD_PE_MAGIC);
        /* Linux 6.1 leaves 0x38..0x3b zero: accepted */
        memcpy(b2, buf, len);
        memset(b2 + 0x38, 0, 4);
        ASSERT_EQ(zboot_parse_header(b2, len, &z), ZBOOT_OK);
        MUTATE(0x3c, 0x10, ZBOOT_BAD_PE_OFFSET);
        MUTATE(0x3d, 0x10, ZBOOT_BAD_PE_OFFSET);
        MUTATE(0x0c, 0, ZBOOT_EMPTY_PAYLOAD);           /* size 100 -> 0x00 low byte = 0: size 0 */
        MUTATE(0x0c, 101, ZBOOT_BAD_PAYLOAD_RANGE);     /* the appended size would end past the file */
        MUTATE(0x0f, 0xff, ZBOOT_BAD_PAYLOAD_RANGE);    /* huge size */
        MUTATE(0x0b, 0xff, ZBOOT_BAD_PAYLOAD_RANGE);    /* huge offset: offset+size must not wrap */
        MUTATE(0x08, 0x10, ZBOOT_PAYLOAD_OVERLAPS_HEADER);

        /* comp type filling all 32 bytes without NUL */
        memcpy(b2, buf, len);
        memset(b2 + 0x18, 'a', 32);
        ASSERT_EQ(zboot_parse_header(b2, len, &z), ZBOOT_BAD_COMP_TYPE);
        /* empty payload */
        memcpy(b2, buf, len);
        memset(b2 + 0x0c, 0, 4);
        ASSERT_EQ(zboot_parse_header(b2, len, &z), ZBOOT_EMPTY_PAYLOAD);
        /* decompressed size with too little data */
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
        uint64_t out;
        ASSERT_EQ(zboot_decompressed_size(&z, buf + 0x80, 103, &out), ZBOOT_BAD_PAYLOAD_RANGE);
        /* writer refuses bad arguments */
        ZbootInfo w = { .payload_offset = 0x80, .payload_size = 1, .pe_header_offset = 0x40 };
        ASSERT_EQ(zboot_write_header(b2, sizeof(b2), &w), ZBOOT_BAD_ARGUMENT); /* empty type */
        strcpy(w.comp_type, "gzip");
        ASSERT_EQ(zboot_write_header(b2, 10, &w), ZBOOT_BUFFER_TOO_SMALL);
        for (int r = 0; r >= ZBOOT_GZIP_OLD_RULE; r--)
                ASSERT_TRUE(strcmp(zboot_strerror((ZbootResult) r), "unknown zboot error") != 0);
}

/* The self map (zboot.h): a blank one in the "stub" part of an image is filled in once, and
 * what it says must fit the image in memory. */
static void test_self_map(void) {
        uint8_t buf[1024];
        size_t len = make(buf, 512, "zstd", 100, 4096); /* payload at 0x80..0xe4 + 4 */
        ASSERT_TRUE(len > 0);
        ZbootSelfMap blank = {};
        memcpy(blank.magic, ZBOOT_SELF_MAGIC, 8);
        put32(blank.file_size, ZBOOT_SELF_BLANK_SIZE);
        memcpy(buf + 0x100, &blank, sizeof(blank));
        len = 512;

        /* the payload's "section": file 0x80.., mapped at RVA 0x1000, 0x80 bytes */
        ZbootSelfMap m;
        ZbootSelf s;
        memcpy(&m, buf + 0x100, sizeof(m));
        ASSERT_EQ(zboot_self_parse(&m, 0x2000, &s), ZBOOT_SELF_BLANK);
        ASSERT_EQ(zboot_self_fill(buf, len, 0x2000, 0x80, 0x1000, 0x80, 0, 0), ZBOOT_OK);
        memcpy(&m, buf + 0x100, sizeof(m));
        ASSERT_EQ(zboot_self_parse(&m, 0x2000, &s), ZBOOT_OK);
        ASSERT_EQ(s.payload_rva, 0x1000);
        ASSERT_EQ(s.payload_avail, 0x80);
        ASSERT_EQ(s.z.payload_size, 100);
        ASSERT_EQ(s.zbx86_size, 0);
        ASSERT_TRUE(memcmp(m.header, buf, 64) == 0);
        /* filled: no blank map is left to fill */
        ASSERT_EQ(zboot_self_fill(buf, len, 0x2000, 0x80, 0x1000, 0x80, 0, 0), ZBOOT_SELF_NOT_FOUND);
        /* headers in memory must be the map's copy; none (zeroed by sd-stub >= 258) is fine */
        ASSERT_EQ(zboot_self_check_base(&m, buf, len), ZBOOT_OK);
        uint8_t zeros[64] = {};
        ASSERT_EQ(zboot_self_check_base(&m, zeros, sizeof(zeros)), ZBOOT_OK);
        ASSERT_EQ(zboot_self_check_base(&m, NULL, 0), ZBOOT_OK);
        ASSERT_EQ(zboot_self_check_base(&m, buf, 63), ZBOOT_OK);   /* too small to hold a header */
        uint8_t tampered[64];
        for (size_t i = 2; i < 64; i++) {   /* any byte after "MZ": offsets, size, compression name */
                memcpy(tampered, buf, 64);
                tampered[i] ^= 0x01;
                ASSERT_EQ(zboot_self_check_base(&m, tampered, sizeof(tampered)), ZBOOT_SELF_MISMATCH);
        }
        ASSERT_TRUE(strstr(zboot_strerror(ZBOOT_SELF_MISMATCH), "tampered") != NULL);
        /* the image in memory too small for the section, or for .zbx86 */
        ASSERT_EQ(zboot_self_parse(&m, 0x1040, &s), ZBOOT_SELF_BAD);
        put32(m.zbx86_rva, 0x1f00);
        put32(m.zbx86_size, 0x200);
        ASSERT_EQ(zboot_self_parse(&m, 0x2000, &s), ZBOOT_SELF_BAD);
        /* a section that does not hold the payload and its appended size */
        memcpy(buf + 0x100, &blank, sizeof(blank));
        ASSERT_EQ(zboot_self_fill(buf, len, 0x2000, 0x80, 0x1000, 0x60, 0, 0), ZBOOT_SELF_BAD);
        ASSERT_EQ(zboot_self_fill(buf, len, 0x2000, 0x90, 0x1000, 0x80, 0, 0), ZBOOT_SELF_BAD);
        /* two blank maps, or none */
        memcpy(buf + 0x180, &blank, sizeof(blank));
        ASSERT_EQ(zboot_self_fill(buf, len, 0x2000, 0x80, 0x1000, 0x80, 0, 0), ZBOOT_SELF_NOT_FOUND);
        memset(buf + 0x100, 0, 0x100);
        ASSERT_EQ(zboot_self_fill(buf, len, 0x2000, 0x80, 0x1000, 0x80, 0, 0), ZBOOT_SELF_NOT_FOUND);
}

int main(void) {
        TEST(test_roundtrip);
        TEST(test_size_rule_per_type);
        TEST(test_old_gzip_layout);
        TEST(test_errors);
        TEST(test_self_map);
        return TESTS_END();
}
