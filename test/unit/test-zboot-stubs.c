/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One zboot stub per compression (src/boot/zboot/meson.build): the .zdec decoder list format
 * (decoder_set_parse/_format, src/fundamental/decompress.c), and for each built stub that its
 * .zdec lists exactly the decoders of its name and that its linked ELF holds no other decoder's
 * code (an entry point name of each upstream library must be absent from the ELF's symbols).
 * Arguments: triples VARIANT STUB ELF, VARIANT "all" for zboot<arch>.efi.stub.
 */
#include "decompress.h"
#include "pe.h"
#include "tests.h"

static bool parses(const char *text, size_t len, DecoderSet *ret) {
        return decoder_set_parse(text, len, ret);
}

static void test_parse(void) {
        DecoderSet s = 0;
        ASSERT_TRUE(parses("zstd\n", 5, &s));
        ASSERT_EQ(s, DECODER_SET(COMPRESSION_NONE) | DECODER_SET(COMPRESSION_ZSTD));
        ASSERT_TRUE(parses("xzkern lzma\n\0\0\0", 15, &s));
        ASSERT_EQ(s, DECODER_SET(COMPRESSION_NONE) | DECODER_SET(COMPRESSION_XZ) | DECODER_SET(COMPRESSION_LZMA));
        ASSERT_TRUE(parses("gzip zstd lz4 xzkern lzma lzo\n", 30, &s));
        ASSERT_EQ(s, (DecoderSet) ((1u << _COMPRESSION_MAX) - 1));
        /* malformed: no newline, empty, alias, none, order, repeats, spaces, garbage after */
        const char *bad[] = { "zstd", "\n", "xz\n", "zstd22\n", "none\n", "zstd gzip\n", "zstd zstd\n", "zstd \n",
                              " zstd\n", "gzip  zstd\n", "zstd\nx", "ZSTD\n", "bzip2\n", "" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                s = 0x55;
                if (parses(bad[i], strlen(bad[i]), &s))
                        fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
                ASSERT_TRUE(!parses(bad[i], strlen(bad[i]), &s));
                ASSERT_EQ(s, 0x55);
        }
        ASSERT_TRUE(!parses(NULL, 0, &s));
        ASSERT_TRUE(!parses("zstd\n", 4, &s));      /* the bound, not the NUL, ends the text */
        ASSERT_TRUE(!parses("gzip\0x\n", 7, &s));  /* a NUL inside a label: one text per set */
        ASSERT_TRUE(!parses("gzip\0 zstd\n", 11, &s));
        ASSERT_EQ(s, 0x55);
}

static void test_format(void) {
        char buf[64];
        DecoderSet s = DECODER_SET(COMPRESSION_NONE) | DECODER_SET(COMPRESSION_LZ4) | DECODER_SET(COMPRESSION_GZIP);
        ASSERT_EQ(decoder_set_format(s, buf, sizeof(buf)), 9);
        ASSERT_STREQ(buf, "gzip lz4\n");
        ASSERT_EQ(decoder_set_format(s, buf, 10), 9);           /* exactly room for the NUL */
        ASSERT_EQ(decoder_set_format(s, buf, 9), 0);            /* no room for it */
        ASSERT_EQ(decoder_set_format(DECODER_SET(COMPRESSION_NONE), buf, sizeof(buf)), 0);
        ASSERT_EQ(decoder_set_format(decoder_set_built(), buf, sizeof(buf)) > 0, 1);
}

/* What a stub of this variant must decode; every other type must be absent. */
static DecoderSet expected(const char *variant) {
        DecoderSet none = DECODER_SET(COMPRESSION_NONE);
        if (strcmp(variant, "gzip") == 0)
                return none | DECODER_SET(COMPRESSION_GZIP);
        if (strcmp(variant, "zstd") == 0)
                return none | DECODER_SET(COMPRESSION_ZSTD);
        if (strcmp(variant, "lz4") == 0)
                return none | DECODER_SET(COMPRESSION_LZ4);
        if (strcmp(variant, "xz") == 0)
                return none | DECODER_SET(COMPRESSION_XZ) | DECODER_SET(COMPRESSION_LZMA);
        if (strcmp(variant, "lzo") == 0)
                return none | DECODER_SET(COMPRESSION_LZO);
        /* "all": what the host build has (lzo only with -Dlzo=enabled, like the stubs) */
        return decoder_set_built();
}

/* An entry point of each upstream decoder library, as the dispatch reaches it. */
static const struct {
        CompressionType type;
        const char *symbol;
} entry_points[] = {
        { COMPRESSION_GZIP, "libdeflate_gzip_decompress_ex" },
        { COMPRESSION_ZSTD, "ZSTD_decompressDCtx" },
        { COMPRESSION_LZ4, "LZ4_decompress_safe" },
        { COMPRESSION_XZ, "lzma_stream_decoder" },
        { COMPRESSION_LZO, "lzo1x_decompress_safe" },
};

static bool contains(const uint8_t *b, size_t n, const char *s) {
        size_t l = strlen(s);
        for (size_t i = 0; i + l <= n; i++)
                if (b[i] == (uint8_t) s[0] && memcmp(b + i, s, l) == 0)
                        return true;
        return false;
}

static const char *cur_variant, *cur_stub, *cur_elf;

static void test_stub(void) {
        size_t n, elf_n;
        uint8_t *stub = test_read_file(cur_stub, &n);
        uint8_t *elf = test_read_file(cur_elf, &elf_n);
        PeView f;
        ASSERT_EQ(pe_parse(stub, n, &f), PE_OK);
        int i = pe_find_section(&f, ".zdec");
        ASSERT_TRUE(i >= 0);
        ASSERT_TRUE(i + 1 < (int) f.n_sections);        /* before .sbat: only the last section can grow */
        size_t len = 0;
        const uint8_t *d = pe_section_data(&f, (size_t) i, &len);
        DecoderSet s = 0;
        ASSERT_TRUE(d && decoder_set_parse(d, len, &s));
        ASSERT_EQ(s, expected(cur_variant));
        for (size_t k = 0; k < sizeof(entry_points) / sizeof(entry_points[0]); k++) {
                bool in = contains(elf, elf_n, entry_points[k].symbol);
                if (in != !!(s & DECODER_SET(entry_points[k].type)))
                        fprintf(stderr, "%s: %s %s\n", cur_elf, entry_points[k].symbol, in ? "linked" : "missing");
                ASSERT_EQ(in, !!(s & DECODER_SET(entry_points[k].type)));
        }
        free(stub);
        free(elf);
}

int main(int argc, char **argv) {
        TEST(test_parse);
        TEST(test_format);
        if (argc < 4 || (argc - 1) % 3 != 0) {
                fprintf(stderr, "usage: %s VARIANT STUB ELF...\n", argv[0]);
                return 1;
        }
        for (int a = 1; a + 2 < argc; a += 3) {
                cur_variant = argv[a];
                cur_stub = argv[a + 1];
                cur_elf = argv[a + 2];
                fprintf(stderr, "%s (%s):\n", cur_stub, cur_variant);
                TEST(test_stub);
        }
        return TESTS_END();
}
