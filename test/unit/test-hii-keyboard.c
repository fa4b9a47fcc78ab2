/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The language tag of the firmware's keyboard layout (src/fundamental/hii-keyboard.c): edk2's
 * USB keyboard layout as UsbKbDxe registers it ("en-US English Keyboard", which sd-stub 262.1
 * exported as "en-US" on QEMU: stub-x86-keyboard-layout-sdstub262), and each refusal of
 * systemd-stub 262's rules. */
#include "hii-keyboard.h"
#include "tests.h"

/* A layout: header, n_keys 16-byte key descriptors, then the bundle (count, the UTF-16 of the
 * n bytes of text, no NUL added); returns its length. LayoutLength and the string offset are
 * right. */
static size_t layout_n(uint8_t *out, unsigned n_keys, uint16_t count, const char *text, size_t n) {
        size_t off = HII_KEYBOARD_LAYOUT_HEADER_SIZE + 16u * n_keys, len = off + 2 + 2 * n;
        memset(out, 0xa5, len);
        out[0] = (uint8_t) len, out[1] = (uint8_t) (len >> 8);
        for (unsigned i = 0; i < 4; i++)
                out[HII_KEYBOARD_STRING_OFFSET_AT + i] = (uint8_t) (off >> (8 * i));
        out[22] = (uint8_t) n_keys;
        out[off] = (uint8_t) count, out[off + 1] = (uint8_t) (count >> 8);
        for (size_t i = 0; i < n; i++)
                out[off + 2 + 2 * i] = (uint8_t) text[i], out[off + 3 + 2 * i] = 0;
        return len;
}

static size_t layout(uint8_t *out, unsigned n_keys, uint16_t count, const char *text) {
        return layout_n(out, n_keys, count, text, strlen(text));
}

static void tag_is(const uint8_t *l, size_t len, const char *want) {
        size_t off = 0, n = 0;
        bool ok = hii_keyboard_layout_language(l, len, &off, &n);
        if (!want) {
                ASSERT_TRUE(!ok);
                return;
        }
        ASSERT_TRUE(ok);
        ASSERT_EQ(n, strlen(want));
        ASSERT_TRUE(off + 2 * n <= len);
        for (size_t i = 0; i < n; i++)
                ASSERT_EQ(l[off + 2 * i] | l[off + 2 * i + 1] << 8, (unsigned char) want[i]);
}

static void test_tag(void) {
        static uint8_t l[8192];
        size_t len = layout(l, 105, 1, "en-US English Keyboard");   /* UsbKbDxe's 105 keys */
        tag_is(l, len, "en-US");
        static const char two[] = "de-DE German Keyboard\0en-US English Keyboard";   /* two descriptions */
        tag_is(l, layout_n(l, 0, 2, two, sizeof(two)), "de-DE");   /* the first one */
        /* a NUL inside the tag ends it (262's variable ends there): "de" */
        tag_is(l, layout_n(l, 0, 1, "de\0DE German", 12), "de");
        /* a NUL first: an empty tag as text, which 262 still exports (an empty string) */
        tag_is(l, layout_n(l, 0, 1, "\0DE German", 10), "");
        tag_is(l, layout(l, 3, 1, "x y"), "x");

        /* refusals, each as sd-stub 262 */
        len = layout(l, 1, 1, "en-US English Keyboard");
        tag_is(l, len - 1, NULL);                          /* LayoutLength is not the length */
        tag_is(l, HII_KEYBOARD_LAYOUT_HEADER_SIZE - 1, NULL);
        tag_is(NULL, 0, NULL);
        tag_is(l, layout(l, 1, 0, "en-US English Keyboard"), NULL);   /* no description */
        tag_is(l, layout(l, 1, 1, " English Keyboard"), NULL);        /* an empty tag */
        tag_is(l, layout(l, 1, 1, "en-US"), NULL);                    /* no space after it */
        len = layout(l, 1, 1, "en-US English Keyboard");
        l[HII_KEYBOARD_STRING_OFFSET_AT] = (uint8_t) (len - 1);      /* no room for the count */
        l[HII_KEYBOARD_STRING_OFFSET_AT + 1] = (uint8_t) ((len - 1) >> 8);
        tag_is(l, len, NULL);
        l[HII_KEYBOARD_STRING_OFFSET_AT + 3] = 0x80;                  /* far outside */
        tag_is(l, len, NULL);
        /* the offset at the very end of a layout whose last two bytes are the count: no tag */
        len = layout(l, 1, 1, "");
        tag_is(l, len, NULL);
        /* an odd length: the last byte is no UTF-16 unit */
        len = layout(l, 1, 1, "en-US");
        l[len] = ' ';
        l[0] = (uint8_t) (len + 1);
        tag_is(l, len + 1, NULL);
}

int main(void) {
        TEST(test_tag);
        return TESTS_END();
}
