/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The URL of a device path (device_path_uri_text(), src/fundamental/device-path.c) for
 * StubDeviceURL: an HTTP boot's path as edk2's HttpBootDxe builds it (MAC, IPv4, then the URI
 * with its NUL), 262's UTF-8 rules (invalid sequences skipped, code points beyond U+FFFF
 * dropped), and each refusal; where ours differs from 262 (a node without a NUL ends at the
 * node's end, 262 reads on into the next node's header) the case says so.
 * stub-x86-http-url-sdstub262 compares the variable with 262's on QEMU. */
#include "device-path.h"
#include "tests.h"

static size_t node(uint8_t *p, uint8_t type, uint8_t subtype, const void *data, size_t n) {
        p[0] = type, p[1] = subtype, p[2] = (uint8_t) (n + 4), p[3] = (uint8_t) ((n + 4) >> 8);
        if (n)
                memcpy(p + 4, data, n);
        return n + 4;
}

static size_t end(uint8_t *p) {
        return node(p, 0x7f, 0xff, NULL, 0);
}

/* A path: a MAC node, an IPv4 node, a URI node of the n bytes uri, the End node. */
static size_t http_path(uint8_t *p, const char *uri, size_t n) {
        static const uint8_t mac[33] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, ipv4[23] = { 10, 0, 2, 15 };
        size_t k = node(p, 0x03, 0x0b, mac, sizeof(mac));
        k += node(p + k, 0x03, 0x0c, ipv4, sizeof(ipv4));
        k += node(p + k, 0x03, 0x18, uri, n);
        return k + end(p + k);
}

static void uri_is(const uint8_t *p, size_t len, const uint16_t *want, size_t want_n) {
        uint16_t out[256];
        size_t n = device_path_uri_text(p, len, out, 256);
        ASSERT_EQ(n, want_n);
        ASSERT_EQ(out[n], 0);
        for (size_t i = 0; i < n; i++)
                ASSERT_EQ(out[i], want[i]);
}

static void ascii_is(const uint8_t *p, size_t len, const char *want) {
        uint16_t w[256];
        size_t n = strlen(want);
        for (size_t i = 0; i < n; i++)
                w[i] = (uint8_t) want[i];
        uri_is(p, len, w, n);
}

static void test_uri(void) {
        static uint8_t p[1024];
        static const char url[] = "http://10.0.2.2:8000/EFI/Linux/uki.efi";
        size_t len = http_path(p, url, sizeof(url));   /* edk2: with its NUL */
        ascii_is(p, len, url);
        ascii_is(p, http_path(p, url, sizeof(url) - 1), url);   /* no NUL: the node's end (ours, not 262) */
        ascii_is(p, http_path(p, "a\0bc", 4), "a");               /* the first NUL ends it */

        /* the first URI node wins */
        size_t k = node(p, 0x03, 0x18, "http://first", 12);
        k += node(p + k, 0x03, 0x18, "http://second", 13);
        ascii_is(p, k + end(p + k), "http://first");

        /* UTF-8 as 262 decodes it: é (2 bytes), € (3 bytes); 😀 (4 bytes) dropped; an invalid
         * continuation skips the whole announced length; a bad lead byte is one byte; a cut-off
         * sequence at the end is dropped */
        static const char utf[] = "h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "x\xc3(y\xffz\xe2\x82";
        static const uint16_t want[] = { 'h', 0xe9, 0x20ac, 'x', 'y', 'z' };
        uri_is(p, http_path(p, utf, sizeof(utf) - 1), want, 6);
        /* an overlong NUL ends it, as the NUL ends 262's string */
        ascii_is(p, http_path(p, "ab\xc0\x80" "cd", 6), "ab");
        /* a surrogate encoded in UTF-8 is dropped too */
        uri_is(p, http_path(p, "a\xed\xa0\x80" "b", 5), (const uint16_t[]) { 'a', 'b' }, 2);

        /* none: no URI node, an empty one, one after the End node, a bad node, no room */
        uint16_t out[64];
        k = node(p, 0x04, 0x04, u"\\x", 6);
        k += end(p + k);
        ASSERT_EQ(device_path_uri_text(p, k, out, 64), 0);
        ASSERT_EQ(device_path_uri_text(p, http_path(p, "", 1), out, 64), 0);
        k = end(p);
        k += node(p + k, 0x03, 0x18, "http://after-end", 16);
        ASSERT_EQ(device_path_uri_text(p, k, out, 64), 0);
        len = http_path(p, url, sizeof(url));
        ASSERT_EQ(device_path_uri_text(p, len - 5, out, 64), 0);        /* the URI node runs past the bound */
        ASSERT_EQ(device_path_uri_text(p, len, out, sizeof(url) - 1), 0);   /* no room for the NUL */
        ASSERT_EQ(device_path_uri_text(p, len, out, sizeof(url)), sizeof(url) - 1);
        ASSERT_EQ(device_path_uri_text(NULL, 0, out, 64), 0);
}

int main(void) {
        TEST(test_uri);
        return TESTS_END();
}
