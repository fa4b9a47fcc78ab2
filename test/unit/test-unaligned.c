/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The byte-order header (src/fundamental/unaligned.h) and the named layouts built on it: every
 * load and store at every alignment against bytes written out by hand, and the structs laid
 * over buffers at the format's own offsets. */
#include <stddef.h>
#include <string.h>

#include "tests.h"
#include "unaligned.h"
#include "x86-boot.h"
#include "x86-payload.h"
#include "zboot-format.h"

static const uint8_t bytes[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                   0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };

static void test_loads(void) {
        /* every offset, so the odd ones are unaligned */
        for (size_t o = 0; o + 8 <= sizeof(bytes); o++) {
                const uint8_t *p = bytes + o;
                uint64_t le = 0, be = 0;
                for (unsigned i = 0; i < 8; i++) {
                        le |= (uint64_t) p[i] << (8 * i);
                        be = be << 8 | p[i];
                }
                ASSERT_EQ(get_le16(p), le & 0xffff);
                ASSERT_EQ(get_le32(p), le & 0xffffffff);
                ASSERT_TRUE(get_le64(p) == le);
                ASSERT_EQ(get_be16(p), be >> 48);
                ASSERT_EQ(get_be32(p), be >> 32);
                ASSERT_TRUE(get_be64(p) == be);
        }
        ASSERT_EQ(get_le32(bytes), 0x67452301);
        ASSERT_EQ(get_be32(bytes), 0x01234567);
}

static void test_stores(void) {
        for (size_t o = 0; o < 8; o++) {
                uint8_t b[24];
                memset(b, 0xaa, sizeof(b));
                put_le64(b + o, UINT64_C(0x0807060504030201));
                for (unsigned i = 0; i < 8; i++)
                        ASSERT_EQ(b[o + i], i + 1);
                ASSERT_EQ(b[o + 8], 0xaa);   /* nothing written past the field */
                if (o > 0)
                        ASSERT_EQ(b[o - 1], 0xaa);
                put_be64(b + o, UINT64_C(0x0102030405060708));
                for (unsigned i = 0; i < 8; i++)
                        ASSERT_EQ(b[o + i], i + 1);
                put_le32(b + o, 0x04030201);
                put_be16(b + o + 4, 0x0506);
                put_le16(b + o + 6, 0x0807);
                for (unsigned i = 0; i < 8; i++)
                        ASSERT_EQ(b[o + i], i + 1);
                put_be32(b + o + 8, 0x090a0b0c);
                ASSERT_EQ(get_le32(b + o + 8), 0x0c0b0a09);
                ASSERT_EQ(b[o + 12], 0xaa);
        }
}

/* The structs put their fields where the formats (docs/format.md) have them. */
static void test_layouts(void) {
        uint8_t buf[X86_PAYLOAD_TRAILER_SIZE + 1];
        memset(buf, 0, sizeof(buf));
        X86PayloadTrailer *t = (X86PayloadTrailer *) (buf + 1);   /* alignment 1: any offset */
        put_le64(t->phys_base, UINT64_C(0x1000000));
        put_le16(t->version, 0x20f);
        ASSERT_EQ(get_le64(buf + 1 + 0x38), 0x1000000);
        ASSERT_EQ(get_le16(buf + 1 + 0x2e), 0x20f);

        uint8_t h[sizeof(ZbootHeader)];
        memset(h, 0, sizeof(h));
        ZbootHeader *z = (ZbootHeader *) h;
        put_le32(z->pe_header_offset, 0x40);
        put_le32(z->payload_size, 0x1234);
        ASSERT_EQ(h[0x3c], 0x40);
        ASSERT_EQ(get_le32(h + 0x0c), 0x1234);

        uint8_t bp[BP_SIZE];
        memset(bp, 0, sizeof(bp));
        X86EfiInfo *ei = (X86EfiInfo *) (bp + BP_EFI_INFO);
        put_le32(ei->memmap_hi, 0x12);
        ASSERT_EQ(get_le32(bp + 0x1c0 + 0x1c), 0x12);
        ASSERT_EQ(X86_SETUP_HDR, 0x1f1);
        ASSERT_EQ(BP_HDR, X86_SETUP_HDR);
        ASSERT_EQ(GIB, UINT64_C(1) << 30);
}

int main(void) {
        TEST(test_loads);
        TEST(test_stores);
        TEST(test_layouts);
        return TESTS_END();
}
