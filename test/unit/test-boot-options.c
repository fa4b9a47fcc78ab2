/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BootOptions (src/fundamental/boot-options.c): the kernel EFI stub's word rules for the flags,
 * its file-option scan for initrd=, and its UTF-16 → UTF-8 conversion. */
#include "boot-options.h"
#include "tests.h"

/* ASCII/Latin-1 bytes → UTF-16 units, one a byte (enough for these cases) */
static size_t widen(const char *in, size_t n, uint16_t *out) {
        for (size_t i = 0; i < n; i++)
                out[i] = (uint8_t) in[i];
        return n;
}

static BootOptions parse16(const char *line) {
        static uint16_t u[4096];
        BootOptions o;
        boot_options_parse_utf16(u, widen(line, strlen(line), u), &o);
        return o;
}

static void test_flags(void) {
        static const struct {
                const char *line;
                bool nokaslr, noinitrd, no5lvl;
        } cases[] = {
                { "nokaslr", true, false, false },
                { "console=ttyS0 noinitrd", false, true, false },
                { "  no5lvl  quiet", false, false, true },
                { "root=/dev/sda noinitrd initrd=\\initrd nokaslr no5lvl", true, true, true },
                /* the name is the word up to its first '=': the kernel's stub counts these */
                { "noinitrd=1 nokaslr=0", true, true, false },
                /* '=' first is no separator: the name is the whole word */
                { "=nokaslr", false, false, false },
                { "xnoinitrd noinitrds foonokaslr", false, false, false },
                { "initrd=\\noinitrd root=nokaslr", false, false, false },
                { "", false, false, false },
                { "   ", false, false, false },
                /* quotes: a word opening with '"' loses it and a closing one; quoted spaces
                 * do not split */
                { "\"nokaslr\"", true, false, false },
                { "\"nokaslr", true, false, false },
                { "\"nokaslr noinitrd\"", false, false, false },
                { "foo=\"a nokaslr\" no5lvl", false, false, true },
                { "no\"kaslr\"", false, false, false },
                /* the closing quote is dropped only at the word's end: the name is noinitrd" */
                { "\"noinitrd\"=1", false, false, false },
                /* "--" ends the kernel's options; "--=x" and "--x" do not */
                { "quiet -- nokaslr", false, false, false },
                { "no5lvl -- noinitrd", false, false, true },
                { "--=1 nokaslr --x noinitrd", true, true, false },
                { "\"--\" nokaslr", false, false, false },
                /* the kernel's white space: tabs and the like split words as spaces do */
                { "quiet\tnokaslr\x0bno5lvl\x0cnoinitrd", true, true, true },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                BootOptions o = parse16(cases[i].line);
                BootOptions o8;
                boot_options_parse_utf8(cases[i].line, strlen(cases[i].line), &o8);
                if (o.nokaslr != cases[i].nokaslr || o.noinitrd != cases[i].noinitrd || o.no5lvl != cases[i].no5lvl ||
                    o8.nokaslr != o.nokaslr || o8.noinitrd != o.noinitrd || o8.no5lvl != o.no5lvl)
                        fprintf(stderr, "case %zu: \"%s\"\n", i, cases[i].line);
                ASSERT_EQ(o.nokaslr, cases[i].nokaslr);
                ASSERT_EQ(o.noinitrd, cases[i].noinitrd);
                ASSERT_EQ(o.no5lvl, cases[i].no5lvl);
                /* UTF-8 (the CLI's kexec) decides the same for ASCII */
                ASSERT_EQ(o8.nokaslr, o.nokaslr);
                ASSERT_EQ(o8.noinitrd, o.noinitrd);
                ASSERT_EQ(o8.no5lvl, o.no5lvl);
        }
}

/* "quiet" as the kernel's stub reads it (only errors on the console); "quiet=" counts too,
 * "quieter" and a quiet after "--" do not */
static void test_quiet(void) {
        static const struct {
                const char *line;
                bool quiet;
        } cases[] = {
                { "quiet", true },
                { "root=/dev/vda1 ro quiet splash", true },
                { "quiet=1", true },
                { "quieter notquiet", false },
                { "nokaslr -- quiet", false },
                { "\"quiet\"", true },
                { "", false },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                BootOptions o = parse16(cases[i].line), o8;
                boot_options_parse_utf8(cases[i].line, strlen(cases[i].line), &o8);
                if (o.quiet != cases[i].quiet || o8.quiet != cases[i].quiet)
                        fprintf(stderr, "case %zu: \"%s\"\n", i, cases[i].line);
                ASSERT_EQ(o.quiet, cases[i].quiet);
                ASSERT_EQ(o8.quiet, cases[i].quiet);
        }
}

/* "zboot.debug" (our lines of detail): the word alone or with "=", not a longer word, not after "--" */
static void test_zboot_debug(void) {
        static const struct {
                const char *line;
                bool debug;
        } cases[] = {
                { "zboot.debug", true },
                { "quiet zboot.debug=1 splash", true },
                { "zboot.debugger zboot.bench", false },
                { "nokaslr -- zboot.debug", false },
                { "", false },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                BootOptions o = parse16(cases[i].line), o8;
                boot_options_parse_utf8(cases[i].line, strlen(cases[i].line), &o8);
                if (o.zboot_debug != cases[i].debug || o8.zboot_debug != cases[i].debug)
                        fprintf(stderr, "case %zu: \"%s\"\n", i, cases[i].line);
                ASSERT_EQ(o.zboot_debug, cases[i].debug);
                ASSERT_EQ(o8.zboot_debug, cases[i].debug);
        }
}

/* "zboot.bench" (phase and memory lines) and "zboot.bench=memcpy" (also the memcpy reference):
 * any value keeps the lines, only "memcpy" (quoted too) adds the reference; not after "--" */
static void test_zboot_bench(void) {
        static const struct {
                const char *line;
                bool bench, memcpy;
        } cases[] = {
                { "zboot.bench", true, false },
                { "quiet zboot.bench splash", true, false },
                { "zboot.bench=memcpy", true, true },
                { "root=/dev/vda zboot.bench=\"memcpy\" quiet", true, true },
                { "\"zboot.bench=memcpy\"", true, true },
                { "zboot.bench=1", true, false },
                { "zboot.bench=memcpyx zboot.bench=memcp", true, false },
                { "zboot.bench= memcpy", true, false },
                { "zboot.benchmark=memcpy zboot.debug", false, false },
                { "zboot.bench -- zboot.bench=memcpy", true, false },
                { "-- zboot.bench", false, false },
                { "", false, false },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                BootOptions o = parse16(cases[i].line), o8;
                boot_options_parse_utf8(cases[i].line, strlen(cases[i].line), &o8);
                if (o.zboot_bench != cases[i].bench || o8.zboot_bench != cases[i].bench ||
                    o.zboot_bench_memcpy != cases[i].memcpy || o8.zboot_bench_memcpy != cases[i].memcpy)
                        fprintf(stderr, "case %zu: \"%s\"\n", i, cases[i].line);
                ASSERT_EQ(o.zboot_bench, cases[i].bench);
                ASSERT_EQ(o8.zboot_bench, cases[i].bench);
                ASSERT_EQ(o.zboot_bench_memcpy, cases[i].memcpy);
                ASSERT_EQ(o8.zboot_bench_memcpy, cases[i].memcpy);
        }
}

static void test_line_end(void) {
        BootOptions o;
        /* a NUL ends the line */
        const uint16_t cut[] = { 'q', 0, 'n', 'o', 'k', 'a', 's', 'l', 'r' };
        boot_options_parse_utf16(cut, 9, &o);
        ASSERT_TRUE(!o.nokaslr);
        /* so does '\n' in UTF-16 (the kernel's conversion stops there); in UTF-8 it is space */
        const uint16_t nl[] = { 'q', '\n', 'n', 'o', 'k', 'a', 's', 'l', 'r' };
        boot_options_parse_utf16(nl, 9, &o);
        ASSERT_TRUE(!o.nokaslr);
        boot_options_parse_utf8("q\nnokaslr", 9, &o);
        ASSERT_TRUE(o.nokaslr);
        /* the length bounds the parse */
        const uint16_t tail[] = { 'a', ' ', 'n', 'o', 'k', 'a', 's', 'l', 'r' };
        boot_options_parse_utf16(tail, 9, &o);
        ASSERT_TRUE(o.nokaslr);
        boot_options_parse_utf16(tail, 8, &o);
        ASSERT_TRUE(!o.nokaslr);
        boot_options_parse_utf16(NULL, 0, &o);
        ASSERT_TRUE(!o.nokaslr && !o.noinitrd && !o.no5lvl && o.n_initrd == 0);
        boot_options_parse_utf8(NULL, 0, &o);
        ASSERT_TRUE(!o.nokaslr && o.n_initrd == 0);

        /* the kernel's stub reads BOOT_OPTIONS_SCAN_MAX bytes of UTF-8: a word that ends at the
         * last one counts, one that ends a byte later does not */
        static char line[4096];
        size_t pad = BOOT_OPTIONS_SCAN_MAX - strlen(" nokaslr");
        memset(line, 'a', pad);
        strcpy(line + pad, " nokaslr");
        ASSERT_TRUE(parse16(line).nokaslr);
        memset(line, 'a', pad + 1);
        strcpy(line + pad + 1, " nokaslr");
        ASSERT_TRUE(!parse16(line).nokaslr);
        boot_options_parse_utf8(line, strlen(line), &o);
        ASSERT_TRUE(!o.nokaslr);
        /* counted in UTF-8 bytes, not UTF-16 units: é is 2 bytes, so 1019 of them and the word
         * make 2046 bytes (in), 1020 make 2048 (out), though far fewer units */
        static uint16_t u[4096];
        for (size_t e = 1019; e <= 1020; e++) {
                size_t k = 0;
                for (size_t i = 0; i < e; i++)
                        u[k++] = 0xe9;
                const char *w = " nokaslr";
                for (size_t i = 0; w[i]; i++)
                        u[k++] = (uint8_t) w[i];
                boot_options_parse_utf16(u, k, &o);
                ASSERT_EQ(o.nokaslr, e == 1019);
        }
}

/* The kernel's isspace() marks the byte 0xa0 too, which is the second byte of U+00A0's (and
 * other characters') UTF-8: it splits words in the kernel's stub, and so here. */
static void test_kernel_space(void) {
        const uint16_t nbsp[] = { 'q', 0xa0, 'n', 'o', 'k', 'a', 's', 'l', 'r' };
        BootOptions o;
        boot_options_parse_utf16(nbsp, 9, &o);
        ASSERT_TRUE(o.nokaslr);
        boot_options_parse_utf8("q\xc2\xa0nokaslr", 10, &o);
        ASSERT_TRUE(o.nokaslr);
        const uint16_t other[] = { 'q', 0x3000, 'n', 'o', 'k', 'a', 's', 'l', 'r' };   /* E3 80 80 */
        boot_options_parse_utf16(other, 9, &o);
        ASSERT_TRUE(!o.nokaslr);
}

static void check_path(const BootOptions *o, size_t i, const uint16_t *u, size_t n, const char *want) {
        uint16_t path[BOOT_OPTIONS_PATH_MAX + 1];
        ASSERT_TRUE(boot_options_initrd_path(o, i, u, n, path, BOOT_OPTIONS_PATH_MAX + 1));
        size_t len = strlen(want);
        for (size_t j = 0; j < len; j++)
                ASSERT_EQ(path[j], (uint8_t) want[j]);
        ASSERT_EQ(path[len], 0);
        /* exactly its length + 1 fits, one unit less does not */
        ASSERT_TRUE(boot_options_initrd_path(o, i, u, n, path, len + 1));
        ASSERT_TRUE(!boot_options_initrd_path(o, i, u, n, path, len));
}

static void test_initrd(void) {
        static uint16_t u[4096];
        BootOptions o;
        const char *l1 = "root=/dev/vda initrd=/a/b.img quiet initrd=\\EFI\\c.img nokaslr";
        size_t n = widen(l1, strlen(l1), u);
        boot_options_parse_utf16(u, n, &o);
        ASSERT_EQ(o.n_initrd, 2);
        check_path(&o, 0, u, n, "a\\b.img");   /* leading slashes skipped, '/' → '\' */
        check_path(&o, 1, u, n, "EFI\\c.img");
        ASSERT_TRUE(!boot_options_initrd_path(&o, 2, u, n, (uint16_t[8]) {}, 8));

        /* the kernel's scan: anywhere (also inside another word, quotes and after "--"), up to
         * a space, '\n' or NUL; an empty path is skipped */
        const char *l2 = "xinitrd=one \"initrd=two three\" -- initrd=four initrd= initrd=//";
        n = widen(l2, strlen(l2), u);
        boot_options_parse_utf16(u, n, &o);
        ASSERT_EQ(o.n_initrd, 3);
        check_path(&o, 0, u, n, "one");
        check_path(&o, 1, u, n, "two");
        check_path(&o, 2, u, n, "four");
        const uint16_t nl[] = { 'i', 'n', 'i', 't', 'r', 'd', '=', 'a', '\n', 'b', 0, 'c' };
        boot_options_parse_utf16(nl, 12, &o);
        ASSERT_EQ(o.n_initrd, 1);
        check_path(&o, 0, nl, 12, "a");
        /* "initrd=" as the last units: nothing follows, no file */
        boot_options_parse_utf16(nl, 7, &o);
        ASSERT_EQ(o.n_initrd, 0);

        /* more than BOOT_OPTIONS_INITRD_MAX: counted, the first ones kept */
        char many[1024] = "";
        for (unsigned i = 0; i < BOOT_OPTIONS_INITRD_MAX + 3; i++)
                snprintf(many + strlen(many), sizeof(many) - strlen(many), "initrd=f%u ", i);
        n = widen(many, strlen(many), u);
        boot_options_parse_utf16(u, n, &o);
        ASSERT_EQ(o.n_initrd, BOOT_OPTIONS_INITRD_MAX + 3);
        check_path(&o, BOOT_OPTIONS_INITRD_MAX - 1, u, n, "f15");
        ASSERT_TRUE(!boot_options_initrd_path(&o, BOOT_OPTIONS_INITRD_MAX, u, n, (uint16_t[8]) {}, 8));

        /* a range outside the string given is refused */
        const char *l3 = "initrd=abc";
        n = widen(l3, strlen(l3), u);
        boot_options_parse_utf16(u, n, &o);
        ASSERT_TRUE(!boot_options_initrd_path(&o, 0, u, n - 1, (uint16_t[8]) {}, 8));
        /* UTF-8 ranges are in bytes */
        boot_options_parse_utf8("a initrd=/x/y", 13, &o);
        ASSERT_EQ(o.n_initrd, 1);
        ASSERT_EQ(o.initrd[0].offset, 10);
        ASSERT_EQ(o.initrd[0].len, 3);
}

static void test_utf8(void) {
        char out[64];
        /* ASCII, é (2 bytes), € (3 bytes), a surrogate pair (4 bytes) */
        const uint16_t in[] = { 'a', 0xe9, 0x20ac, 0xd83d, 0xde00, 0 };
        size_t n = utf16_to_kernel_utf8(in, 6, out, sizeof(out));
        ASSERT_EQ(n, 10);
        ASSERT_TRUE(memcmp(out, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 11) == 0);
        /* lone surrogates become U+FFFD; a high one in the very last unit is dropped */
        const uint16_t lone[] = { 0xdc00, 'x', 0xd800, 'y', 0xd800 };
        n = utf16_to_kernel_utf8(lone, 5, out, sizeof(out));
        ASSERT_EQ(n, 8);
        ASSERT_TRUE(memcmp(out, "\xef\xbf\xbdx\xef\xbf\xbdy", 9) == 0);
        /* a high surrogate before the NUL is not in the last unit: U+FFFD */
        const uint16_t hi_nul[] = { 0xd800, 0 };
        ASSERT_EQ(utf16_to_kernel_utf8(hi_nul, 2, out, sizeof(out)), 3);
        /* NUL and '\n' end the line */
        const uint16_t nl[] = { 'a', '\n', 'b' };
        ASSERT_EQ(utf16_to_kernel_utf8(nl, 3, out, sizeof(out)), 1);
        ASSERT_EQ(out[1], 0);
        /* capacity: exactly enough, then one byte too few; 3 bytes a unit always fit */
        ASSERT_EQ(utf16_to_kernel_utf8(in, 6, out, 11), 10);
        ASSERT_EQ(utf16_to_kernel_utf8(in, 6, out, 10), SIZE_MAX);
        ASSERT_EQ(utf16_to_kernel_utf8(in, 0, out, 1), 0);
        ASSERT_EQ(utf16_to_kernel_utf8(in, 0, out, 0), SIZE_MAX);
        ASSERT_EQ(utf16_to_kernel_utf8(NULL, 0, out, 1), 0);
}

int main(void) {
        TEST(test_flags);
        TEST(test_quiet);
        TEST(test_zboot_debug);
        TEST(test_zboot_bench);
        TEST(test_line_end);
        TEST(test_kernel_space);
        TEST(test_initrd);
        TEST(test_utf8);
        return TESTS_END();
}
