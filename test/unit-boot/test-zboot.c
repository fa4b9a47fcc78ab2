/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tests.h"
#include "zboot.h"

/* A minimal image: 64-byte header, PE offset 0x40, payload at 0x80 of n bytes + trailer. */
static size_t make(uint8_t *buf, size_t cap, const char *type, uint32_t n, uint32_t out_size) {
        ZbootInfo z = { .payload_offset = 0x80, .payload_size = n, .pe_header_offset = 0x40 };
        memset(buf, 0, cap);
        strcpy(z.comp_type, type);
        if (zboot_write_header(buf, cap, &z) != ZBOOT_OK)
                return 0;
        for (uint32_t i = 0; i < n; i++)
                buf[0x80 + i] = (uint8_t) i;
        buf[0x80 + n] = (uint8_t) out_size;
        buf[0x80 + n + 1] = (uint8_t) (out_size >> 8);
        buf[0x80 + n + 2] = (uint8_t) (out_size >> 16);
        buf[0x80 + n + 3] = (uint8_t) (out_size >> 24);
        return 0x80 + n + 4;
}

static void test_roundtrip(void) {
        uint8_t buf[512];
        size_t len = make(buf, sizeof(buf), "zstd22", 100, 0x12345678);
        ZbootInfo z;
        uint64_t out;
        ASSERT_TRUE(len > 0);
        ASSERT_TRUE(zboot_has_magic(buf, len));
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
        ASSERT_EQ(z.payload_offset, 0x80);
        ASSERT_EQ(z.payload_size, 100);
        ASSERT_EQ(z.pe_header_offset, 0x40);
        ASSERT_STREQ(z.comp_type, "zstd22");
        ASSERT_EQ(zboot_stream_length(&z), 100);
        ASSERT_EQ(zboot_decompressed_size(&z, buf + z.payload_offset, len - z.payload_offset, &out), ZBOOT_OK);
        ASSERT_EQ(out, 0x12345678);
        /* the header as Linux writes it: 32-bit MZ magic, LINUX_PE_MAGIC at 0x38 */
        ASSERT_EQ(buf[2], 0);
        ASSERT_EQ(buf[3], 0);
        ASSERT_EQ(buf[0x38], 0xcd);
        ASSERT_EQ(buf[0x3b], 0x81);
}

static void test_gzip_stream_includes_trailer(void) {
        uint8_t buf[512];
        size_t len = make(buf, sizeof(buf), "gzip", 50, 7);
        ZbootInfo z;
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
        ASSERT_EQ(zboot_stream_length(&z), 54);
        len = make(buf, sizeof(buf), "zstd", 50, 7);
        ASSERT_EQ(zboot_parse_header(buf, len, &z), ZBOOT_OK);
        ASSERT_EQ(zboot_stream_length(&z), 50);
}

static void test_errors(void) {
        uint8_t buf[512], b2[512];
        size_t len = make(buf, sizeof(buf), "zstd22", 100, 1);
        ZbootInfo z;

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
        MUTATE(0x3c, 0x10, ZBOOT_BAD_PE_OFFSET);
        MUTATE(0x3d, 0x10, ZBOOT_BAD_PE_OFFSET);
        MUTATE(0x0c, 0, ZBOOT_BAD_PAYLOAD_RANGE);       /* size 100 -> 0x00 low byte = 0: size 0 */
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
        for (int r = 0; r >= ZBOOT_BAD_ARGUMENT; r--)
                ASSERT_TRUE(strcmp(zboot_strerror((ZbootResult) r), "unknown zboot error") != 0);
}

int main(void) {
        TEST(test_roundtrip);
        TEST(test_gzip_stream_includes_trailer);
        TEST(test_errors);
        TESTS_END();
}
