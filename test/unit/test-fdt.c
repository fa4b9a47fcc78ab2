/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fdt.h"
#include "tests.h"

/* A small blob builder: header (40 bytes), an empty reservation map, the structure block,
 * the strings block, in the order dtc writes them. */
typedef struct {
        uint8_t b[1024];
        size_t n;
} Buf;

static void put32(Buf *b, uint32_t v) {
        b->b[b->n++] = (uint8_t) (v >> 24);
        b->b[b->n++] = (uint8_t) (v >> 16);
        b->b[b->n++] = (uint8_t) (v >> 8);
        b->b[b->n++] = (uint8_t) v;
}

static void put_bytes(Buf *b, const void *p, size_t len) {
        memcpy(b->b + b->n, p, len);
        b->n += len;
        while (b->n % 4)
                b->b[b->n++] = 0;
}

static void set32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

/* strings block: "model\0compatible\0" -> offsets 0 and 6 */
static const char strings[] = "model\0compatible";

/* A root node with a model property, then compatible = compat (compat_len bytes with NULs),
 * and a child node. */
static size_t make_blob(uint8_t *out, const char *compat, size_t compat_len) {
        Buf s = {};
        put32(&s, 1);              /* FDT_BEGIN_NODE "" */
        put32(&s, 0);
        put32(&s, 3);              /* FDT_PROP model */
        put32(&s, 4);
        put32(&s, 0);
        put_bytes(&s, "abc", 4);
        put32(&s, 4);              /* FDT_NOP */
        if (compat) {
                put32(&s, 3);      /* FDT_PROP compatible */
                put32(&s, (uint32_t) compat_len);
                put32(&s, 6);
                put_bytes(&s, compat, compat_len);
        }
        put32(&s, 1);              /* child "cpus" */
        put_bytes(&s, "cpus", 5);
        put32(&s, 2);              /* END_NODE */
        put32(&s, 2);              /* END_NODE (root) */
        put32(&s, 9);              /* FDT_END */
        size_t off_rsv = 40, off_struct = 56, off_strings = off_struct + s.n, total = off_strings + sizeof(strings);
        memset(out, 0, total);
        set32(out + 0, FDT_MAGIC);
        set32(out + 4, (uint32_t) total);
        set32(out + 8, (uint32_t) off_struct);
        set32(out + 12, (uint32_t) off_strings);
        set32(out + 16, (uint32_t) off_rsv);
        set32(out + 20, 17);
        set32(out + 24, 16);
        set32(out + 32, sizeof(strings));
        set32(out + 36, (uint32_t) s.n);
        memcpy(out + off_struct, s.b, s.n);
        memcpy(out + off_strings, strings, sizeof(strings));
        return total;
}

static void test_compatible(void) {
        uint8_t blob[1024];
        static const char c[] = "linux,dummy-virt\0arm,virt";
        size_t n = make_blob(blob, c, sizeof(c)), len;
        ASSERT_EQ(fdt_check(blob, n), n);
        ASSERT_EQ(fdt_check(blob, n + 100), n);      /* a buffer larger than the blob: fine */
        ASSERT_EQ(fdt_check(blob, n - 1), 0);        /* smaller: refused */
        const char *s = fdt_first_compatible(blob, n, &len);
        ASSERT_TRUE(s && len == 16 && memcmp(s, "linux,dummy-virt", 16) == 0);

        uint8_t other[1024];
        static const char c2[] = "linux,dummy-virt";
        size_t n2 = make_blob(other, c2, sizeof(c2));
        ASSERT_TRUE(fdt_same_model(blob, n, other, n2));
        static const char c3[] = "arm,virt\0linux,dummy-virt";   /* the same strings, another first one */
        n2 = make_blob(other, c3, sizeof(c3));
        ASSERT_TRUE(!fdt_same_model(blob, n, other, n2));
        static const char c4[] = "linux,dummy-virtX";            /* a longer first string */
        n2 = make_blob(other, c4, sizeof(c4));
        ASSERT_TRUE(!fdt_same_model(blob, n, other, n2));
}

static void test_bad_compatible(void) {
        uint8_t blob[1024];
        size_t len;
        /* no compatible in the root: the child's properties are not looked at */
        size_t n = make_blob(blob, NULL, 0);
        ASSERT_TRUE(!fdt_first_compatible(blob, n, &len));
        /* not NUL-terminated; empty; an empty first string */
        n = make_blob(blob, "abcd", 4);
        ASSERT_TRUE(!fdt_first_compatible(blob, n, &len));
        n = make_blob(blob, "", 0);
        ASSERT_TRUE(!fdt_first_compatible(blob, n, &len));
        n = make_blob(blob, "\0x", 3);
        ASSERT_TRUE(!fdt_first_compatible(blob, n, &len));
}

static void test_header(void) {
        uint8_t blob[1024], copy[1024];
        static const char c[] = "a,b";
        size_t n = make_blob(blob, c, sizeof(c));
        struct { size_t off; uint32_t v; } bad[] = {
                { 0, 0xd00dfeee },   /* magic */
                { 4, 39 },           /* totalsize below the header */
                { 4, 2000 },         /* totalsize past the buffer */
                { 8, 58 },           /* unaligned structure block */
                { 8, 8 },            /* structure block inside the header */
                { 36, 4000 },        /* structure block past the end */
                { 12, 0xfffffff0 },  /* strings block offset past the end */
                { 32, 0xffffffff },  /* strings size wrapping */
                { 16, 44 },          /* reservation map unaligned */
                { 20, 15 },          /* version too old */
                { 24, 18 },          /* last compatible version too new */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                memcpy(copy, blob, n);
                set32(copy + bad[i].off, bad[i].v);
                if (fdt_check(copy, n) != 0) {
                        fprintf(stderr, "case %zu accepted\n", i);
                        ASSERT_TRUE(0);
                }
                ASSERT_TRUE(!fdt_first_compatible(copy, n, NULL));
        }
        ASSERT_EQ(fdt_check(NULL, 100), 0);
        /* every truncation of the buffer is refused without reading past it (ASan) */
        for (size_t len = 0; len < n; len++) {
                uint8_t *t = malloc(len ? len : 1);
                memcpy(t, blob, len);
                ASSERT_EQ(fdt_check(t, len), 0);
                ASSERT_TRUE(!fdt_first_compatible(t, len, NULL));
                free(t);
        }
}

int main(void) {
        TEST(test_compatible);
        TEST(test_bad_compatible);
        TEST(test_header);
        return TESTS_END();
}
