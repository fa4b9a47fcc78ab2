/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cmdline.h"
#include "tests.h"
#include "uki-measure.h"

static void test_select(void) {
        /* Secure Boot: embedded wins when present */
        ASSERT_TRUE(!cmdline_prefer_load_options(true, true, true));
        ASSERT_TRUE(cmdline_prefer_load_options(true, false, true));
        /* no Secure Boot: usable LoadOptions replace */
        ASSERT_TRUE(cmdline_prefer_load_options(false, true, true));
        ASSERT_TRUE(!cmdline_prefer_load_options(false, true, false));
        ASSERT_TRUE(!cmdline_prefer_load_options(false, false, false));
}

static void test_usable(void) {
        const uint16_t text[] = { 'q', 'u', 'i', 'e', 't', 0 };
        const uint8_t binary[] = { 0x01, 0x00, 0x7f, 0xff };
        ASSERT_TRUE(cmdline_load_options_usable(text, sizeof(text)));
        ASSERT_TRUE(!cmdline_load_options_usable(binary, sizeof(binary)));
        ASSERT_TRUE(!cmdline_load_options_usable(text, 1));
        ASSERT_TRUE(!cmdline_load_options_usable(NULL, 8));
}

/* sd-stub 257: LoadOptions of only spaces/control characters are no command line (they would
 * normalise to ""); the Shell's joined arguments are used unless empty, unchecked. */
static void test_stub_usable(void) {
        const uint16_t text[] = { ' ', 'q', 'u', 'i', 'e', 't', 0 };
        const uint16_t blank[] = { ' ', '\t', ' ', 0x7f, '\n', 0, 'x', 0 };   /* 'x' after the NUL */
        const uint16_t ctrl[] = { '\t', 'r', 'o', 0 };
        const uint16_t nul[] = { 0, 'r', 'o' };
        const uint16_t del_first[] = { 0x7f, 'r', 'o', 0 };
        const uint16_t unterminated[] = { ' ', ' ', 'r' };
        /* from a boot manager / the firmware: raw == text without a profile prefix */
        ASSERT_TRUE(cmdline_stub_load_options_usable(text, sizeof(text), text, sizeof(text), false));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(blank, sizeof(blank), blank, sizeof(blank), false));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(ctrl, sizeof(ctrl), ctrl, sizeof(ctrl), false));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(nul, sizeof(nul), nul, sizeof(nul), false));
        ASSERT_TRUE(cmdline_stub_load_options_usable(del_first, sizeof(del_first), del_first, sizeof(del_first), false));
        ASSERT_TRUE(cmdline_stub_load_options_usable(unterminated, sizeof(unterminated), unterminated,
                                                     sizeof(unterminated), false));
        /* the size bounds the scan: "  r" cut before the 'r' is blank; an odd byte is ignored */
        ASSERT_TRUE(!cmdline_stub_load_options_usable(unterminated, 4, unterminated, 4, false));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(unterminated, 5, unterminated, 5, false));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(text, 1, text, 1, false));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(NULL, 0, NULL, 0, false));
        /* the printable-first check is on the raw LoadOptions, blankness on what follows "@N " */
        const uint16_t profile[] = { '@', '1', ' ', '\t', 'r', 'o', 0 };
        ASSERT_TRUE(cmdline_stub_load_options_usable(profile, sizeof(profile), profile + 3, sizeof(profile) - 6, false));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(profile, sizeof(profile), profile + 3, 2, false));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(ctrl, sizeof(ctrl), text, sizeof(text), false));
        /* from the Shell: raw is not looked at; only empty text is refused */
        ASSERT_TRUE(cmdline_stub_load_options_usable(NULL, 0, blank, sizeof(blank), true));
        ASSERT_TRUE(cmdline_stub_load_options_usable(ctrl, sizeof(ctrl), ctrl, sizeof(ctrl), true));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(text, sizeof(text), nul, sizeof(nul), true));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(text, sizeof(text), NULL, 0, true));
        ASSERT_TRUE(!cmdline_stub_load_options_usable(text, sizeof(text), text, 1, true));
}

static void test_convert(void) {
        uint16_t out[64];
        const char in[] = "console=ttyS0 quiet\n\n";
        size_t n = cmdline_utf8_to_ucs2(in, sizeof(in) - 1, out, 64);
        ASSERT_EQ(n, 19);
        ASSERT_EQ(out[0], 'c');
        ASSERT_EQ(out[18], 't');
        ASSERT_EQ(out[19], 0);

        /* embedded newline becomes a space, NUL ends the string early */
        const char in2[] = "a\nb\0garbage";
        n = cmdline_utf8_to_ucs2(in2, sizeof(in2) - 1, out, 64);
        ASSERT_EQ(n, 3);
        ASSERT_EQ(out[1], ' ');

        /* UTF-8: é (2 bytes), € (3 bytes), emoji (4 bytes -> '?'), truncated sequence -> '?' */
        const char in3[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe2\x82";
        n = cmdline_utf8_to_ucs2(in3, sizeof(in3) - 1, out, 64);
        ASSERT_EQ(n, 4);
        ASSERT_EQ(out[0], 0xe9);
        ASSERT_EQ(out[1], 0x20ac);
        ASSERT_EQ(out[2], '?');
        ASSERT_EQ(out[3], '?');

        /* capacity: exactly enough, then one too few */
        ASSERT_EQ(cmdline_utf8_to_ucs2("abc", 3, out, 4), 3);
        ASSERT_EQ(cmdline_utf8_to_ucs2("abc", 3, out, 3), SIZE_MAX);
        ASSERT_EQ(cmdline_utf8_to_ucs2("", 0, out, 1), 0);
        ASSERT_EQ(cmdline_utf8_to_ucs2("", 0, out, 0), SIZE_MAX);
}

/* measure_mangle_cmdline(): sd-stub's normalisation (uki-measure.h), in place, len + 1 units. */
static void test_mangle(void) {
        /* leading blanks dropped, each inner control/DEL/space unit one space (not collapsed),
         * trailing blanks dropped; the NUL right after */
        uint16_t a[] = { ' ', '\t', 'r', 'o', '\n', 0x7f, 'q', 0x01, ' ', '\r', 'Z' };
        ASSERT_EQ(measure_mangle_cmdline(a, 10), 5);
        const uint16_t a_want[] = { 'r', 'o', ' ', ' ', 'q', 0 };
        ASSERT_TRUE(memcmp(a, a_want, sizeof(a_want)) == 0);
        ASSERT_EQ(a[10], 'Z');          /* [len] is written only when the result is len units */
        /* a NUL ends it before len; 0x80 and up are kept */
        uint16_t b[] = { 'x', 0xa0, 0x2028, ' ', 0, 'y', 'y' };
        ASSERT_EQ(measure_mangle_cmdline(b, 6), 3);
        ASSERT_EQ(b[1], 0xa0);
        ASSERT_EQ(b[2], 0x2028);
        ASSERT_EQ(b[3], 0);
        ASSERT_EQ(b[5], 'y');
        /* [len] is not read as text: the NUL replaces it */
        uint16_t c[] = { 'a', 'b', 'c' };
        ASSERT_EQ(measure_mangle_cmdline(c, 2), 2);
        ASSERT_EQ(c[2], 0);
        /* blank and empty give "" */
        uint16_t d[] = { ' ', '\t', 0x7f, 0x1f, 'q' };
        ASSERT_EQ(measure_mangle_cmdline(d, 4), 0);
        ASSERT_EQ(d[0], 0);
        uint16_t e[] = { 'q' };
        ASSERT_EQ(measure_mangle_cmdline(e, 0), 0);
        ASSERT_EQ(e[0], 0);
        /* idempotent */
        ASSERT_EQ(measure_mangle_cmdline(a, 5), 5);
        ASSERT_TRUE(memcmp(a, a_want, sizeof(a_want)) == 0);
}

int main(void) {
        TEST(test_select);
        TEST(test_usable);
        TEST(test_stub_usable);
        TEST(test_convert);
        TEST(test_mangle);
        return TESTS_END();
}
