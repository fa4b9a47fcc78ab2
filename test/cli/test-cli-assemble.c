/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the CLI's assembly functions (src/ukify-zboot/uki-assemble.c, zboot-assemble.c,
 * compress.c's option table), in memory, without the verbs: a synthetic arm64 Image into a zboot
 * image with our zbootaa64 stub (header, payload round trip through libzstd/libdeflate, the size
 * trailer, .sbat merge, checksum, determinism), a UKI from our linuxx64 stub (section order,
 * the default .sbat, a refused duplicate), and the section list.
 * Arguments: zbootaa64.efi.stub linuxx64.efi.stub.
 */
#include <libdeflate.h>
#include <zstd.h>

#include "compress.h"
#include "pe.h"
#include "sbat.h"
#include "tests.h"
#include "uki-assemble.h"
#include "zboot-assemble.h"
#include "zboot.h"

static Blob zboot_stub, uki_stub;

#define IMAGE_FILE (64u * 1024)
#define IMAGE_SIZE (128u * 1024)   /* the Image header's image_size: the payload is padded to it */

/* An arm64 Image as kernel_kind() recognizes one: "ARM\x64" at 0x38, image_size at 16. */
static Blob fake_arm64_image(void) {
        Blob b = { calloc(1, IMAGE_FILE), IMAGE_FILE };
        for (size_t i = 64; i < IMAGE_FILE; i++)
                b.data[i] = (uint8_t) (i * 7 + i / 251);
        uint64_t image_size = IMAGE_SIZE;
        memcpy(b.data + 16, &image_size, 8);
        memcpy(b.data + 0x38, "ARM\x64", 4);
        return b;
}

static bool section_text(const PeView *v, const char *name, const char *needle) {
        int i = pe_find_section(v, name);
        if (i < 0)
                return false;
        size_t n;
        const uint8_t *d = pe_section_data(v, (size_t) i, &n);
        return memmem(d, n, needle, strlen(needle)) != NULL;
}

static void test_compress_option(void) {
        CompressionType t = _COMPRESSION_INVALID;
        ASSERT_TRUE(compress_option_parse("--compress", "zstd", &t));
        ASSERT_EQ(t, COMPRESSION_ZSTD);
        ASSERT_TRUE(compress_option_parse("--compress", "xz", &t));
        ASSERT_EQ(t, COMPRESSION_XZ);
        ASSERT_TRUE(compress_option_parse("--zboot", "gzip", &t));
        ASSERT_EQ(t, COMPRESSION_GZIP);
        t = COMPRESSION_LZ4;
        ASSERT_TRUE(!compress_option_parse("--compress", "lzma", &t));   /* decoded, never written */
        ASSERT_TRUE(!compress_option_parse("--compress", "bogus", &t));
        ASSERT_EQ(t, COMPRESSION_LZ4);                                   /* untouched on refusal */
        ASSERT_EQ(compress_option_parse("--compress", "lzo", &t), compression_supported(COMPRESSION_LZO));
        ASSERT_EQ(compress_default_level(COMPRESSION_ZSTD), 19);
        ASSERT_EQ(compress_default_level(COMPRESSION_GZIP), 12);
        ASSERT_EQ(compress_default_level(COMPRESSION_XZ), 9);
        ASSERT_EQ(compress_default_level(COMPRESSION_LZMA), 0);
}

static void test_zboot_payload(void) {
        _cleanup_blob_ Blob k = fake_arm64_image();
        _cleanup_zboot_payload_ ZbootPayload p = {};
        ASSERT_TRUE(!zboot_payload_make(&k, NULL, "fake", ARCH_X86_64, &p));   /* not the arch asked for */
        ASSERT_TRUE(zboot_payload_make(&k, NULL, "fake", ARCH_UNKNOWN, &p));
        ASSERT_EQ(p.arch, ARCH_AARCH64);
        ASSERT_TRUE(!p.x86);
        ASSERT_EQ(p.data.size, IMAGE_SIZE);
        ASSERT_TRUE(memcmp(p.data.data, k.data, IMAGE_FILE) == 0);
        for (size_t i = IMAGE_FILE; i < IMAGE_SIZE; i++)
                ASSERT_EQ(p.data.data[i], 0);
        Blob junk = { (uint8_t *) "not a kernel at all, just text", 30 };
        ZbootPayload q;
        ASSERT_TRUE(!zboot_payload_make(&junk, NULL, "junk", ARCH_UNKNOWN, &q));
}

static void test_zboot_stub_sbat(void) {
        _cleanup_blob_ Blob k = fake_arm64_image(), merged = {};
        const char *args[] = { "fake,7,Fake Kernel,fake,1,https://example.invalid/\n" };
        ASSERT_TRUE(zboot_stub_sbat(&zboot_stub, "zbootaa64", &k, "fake", args, 1, &merged));
        PeView v;
        ASSERT_EQ(pe_parse(merged.data, merged.size, &v), PE_OK);
        ASSERT_TRUE(section_text(&v, ".sbat", "sbat,1,"));
        ASSERT_TRUE(section_text(&v, ".sbat", "fake,7,Fake Kernel"));
        int i = pe_find_section(&v, ".sbat");
        ASSERT_TRUE(i >= 0);
        ASSERT_EQ(pe_section(&v, (size_t) i).VirtualSize % 512, 0);   /* NUL-padded to FileAlignment */
        const char *bad[] = { "this is not,an sbat line" };
        Blob r2 = {};
        ASSERT_TRUE(!zboot_stub_sbat(&zboot_stub, "zbootaa64", &k, "fake", bad, 1, &r2));
        ASSERT_TRUE(r2.data == NULL);
}

static void zboot_round_trip(CompressionType t, int level) {
        _cleanup_blob_ Blob k = fake_arm64_image(), stub = {}, out = {}, again = {};
        _cleanup_zboot_payload_ ZbootPayload p = {};
        ASSERT_TRUE(zboot_payload_make(&k, NULL, "fake", ARCH_AARCH64, &p));
        ASSERT_TRUE(zboot_stub_sbat(&zboot_stub, "zbootaa64", &k, "fake", NULL, 0, &stub));
        ASSERT_TRUE(zboot_image_assemble(&stub, "zbootaa64", &p, NULL, t, level, "fake", &out));
        ASSERT_TRUE(zboot_image_assemble(&stub, "zbootaa64", &p, NULL, t, level, "fake", &again));
        ASSERT_EQ(out.size, again.size);
        ASSERT_TRUE(memcmp(out.data, again.data, out.size) == 0);      /* deterministic */

        PeView v;
        ASSERT_EQ(pe_parse(out.data, out.size, &v), PE_OK);
        PeSectionHeader last = pe_section(&v, v.n_sections - 1);
        char name[PE_SECTION_NAME_LEN + 1];
        pe_section_name(&last, name);
        ASSERT_STREQ(name, ".zdata");
        ASSERT_TRUE(pe_find_section(&v, ".zbx86") < 0);
        ASSERT_EQ(v.opt.CheckSum, pe_checksum(out.data, out.size, v.pe_offset + 4 + 20 + 64));

        ZbootInfo z;
        ASSERT_EQ(zboot_parse_header(out.data, out.size, &z), ZBOOT_OK);
        ASSERT_STREQ(z.comp_type, compression_to_string(t));
        ASSERT_EQ(z.payload_offset, last.PointerToRawData);
        ASSERT_TRUE((uint64_t) z.payload_offset + z.payload_size <= out.size);
        const uint8_t *stream = out.data + z.payload_offset;
        uint8_t *dec = malloc(IMAGE_SIZE + 1);
        size_t got = 0;
        if (t == COMPRESSION_ZSTD) {
                got = ZSTD_decompress(dec, IMAGE_SIZE + 1, stream, z.payload_size);
                ASSERT_TRUE(!ZSTD_isError(got));
                uint32_t trailer;
                memcpy(&trailer, stream + z.payload_size, 4);   /* the appended decompressed size */
                ASSERT_EQ(trailer, IMAGE_SIZE);
        } else {
                libdeflate_set_memory_allocator(malloc, free);   /* decompress_gzip() leaves the hook refusing */
                struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
                ASSERT_EQ(libdeflate_gzip_decompress(d, stream, z.payload_size, dec, IMAGE_SIZE + 1, &got),
                          LIBDEFLATE_SUCCESS);
                libdeflate_free_decompressor(d);
        }
        ASSERT_EQ(got, IMAGE_SIZE);
        ASSERT_TRUE(memcmp(dec, p.data.data, IMAGE_SIZE) == 0);
        free(dec);
}

static void test_zboot_zstd(void) {
        zboot_round_trip(COMPRESSION_ZSTD, 3);
}

static void test_zboot_gzip(void) {
        zboot_round_trip(COMPRESSION_GZIP, 6);
}

static void test_zboot_zsig_section(void) {
        _cleanup_blob_ Blob k = fake_arm64_image(), stub = {}, out = {};
        _cleanup_zboot_payload_ ZbootPayload p = {};
        ASSERT_TRUE(zboot_payload_make(&k, NULL, "fake", ARCH_UNKNOWN, &p));
        ASSERT_TRUE(zboot_stub_sbat(&zboot_stub, "zbootaa64", &k, "fake", NULL, 0, &stub));
        Blob zsig = { (uint8_t *) "SIGNATURE-BYTES", 15 };
        ASSERT_TRUE(zboot_image_assemble(&stub, "zbootaa64", &p, &zsig, COMPRESSION_ZSTD, 1, "fake", &out));
        PeView v;
        ASSERT_EQ(pe_parse(out.data, out.size, &v), PE_OK);
        int zi = pe_find_section(&v, ".zsig"), di = pe_find_section(&v, ".zdata");
        ASSERT_TRUE(zi >= 0 && di == (int) v.n_sections - 1 && zi == di - 1);   /* .zdata stays last */
        ASSERT_TRUE(section_text(&v, ".zsig", "SIGNATURE-BYTES"));
}

static void test_section_list(void) {
        _cleanup_section_list_ SectionList l = {};
        ASSERT_TRUE(section_list_add_arg(&l, ".osrel", NULL, false));   /* no argument: no section */
        ASSERT_EQ(l.n, 0);
        ASSERT_TRUE(section_list_add_arg(&l, ".cmdline", "quiet splash", false));
        ASSERT_TRUE(section_list_add_spec(&l, ".extra:hello"));
        ASSERT_TRUE(!section_list_add_arg(&l, ".dtb", "/nonexistent/file.dtb", true));
        ASSERT_EQ(l.n, 2);
        ASSERT_STREQ(l.secs[0].name, ".cmdline");
        ASSERT_EQ(l.secs[0].size, strlen("quiet splash"));
        ASSERT_STREQ(l.secs[1].name, ".extra");
        Blob last = section_list_last(&l);
        ASSERT_EQ(last.size, 5);
        ASSERT_TRUE(memcmp(last.data, "hello", 5) == 0);
        _cleanup_blob_ Blob b = { (uint8_t *) strdup("owned"), 5 };
        ASSERT_TRUE(section_list_add_blob(&l, ".owned", &b));
        ASSERT_TRUE(b.data == NULL);   /* taken over */
        ASSERT_EQ(l.n_owned, 3);
}

static void test_uki(void) {
        _cleanup_section_list_ SectionList l = {};
        ASSERT_TRUE(section_list_add_arg(&l, ".osrel", "ID=test", false));
        ASSERT_TRUE(section_list_add_arg(&l, ".cmdline", "console=ttyS0", false));
        Blob kernel = { (uint8_t *) "KERNEL-BYTES", 12 }, initrd = { (uint8_t *) "INITRD", 6 },
             ucode = { (uint8_t *) "UCODE", 5 };
        /* two .efifw (a name that may repeat, as .dtbauto) */
        _cleanup_section_list_ SectionList fw = {};
        ASSERT_TRUE(section_list_add_arg(&fw, ".efifw", "FW-1", false));
        ASSERT_TRUE(section_list_add_arg(&fw, ".efifw", "FW-2", false));
        _cleanup_blob_ Blob out = {};
        ASSERT_TRUE(uki_assemble(&(UkiParts) { &uki_stub, "linuxx64", &kernel, "kernel", NULL, 0, &l, &initrd, &fw, &ucode },
                                 &out));
        PeView v, s;
        ASSERT_EQ(pe_parse(out.data, out.size, &v), PE_OK);
        ASSERT_EQ(pe_parse(uki_stub.data, uki_stub.size, &s), PE_OK);
        /* the stub's sections, then ours in ukify 258's order, .linux last */
        const char *order[] = { ".osrel", ".cmdline", ".initrd", ".efifw", ".efifw", ".ucode", ".linux" };
        ASSERT_TRUE(pe_find_section(&s, ".sbat") >= 0);   /* replaced in place, so no .sbat among ours */
        ASSERT_EQ(v.n_sections, s.n_sections + 7);
        size_t first = v.n_sections - 7;
        for (size_t i = 0; i < 7; i++) {
                PeSectionHeader h = pe_section(&v, first + i);
                char name[PE_SECTION_NAME_LEN + 1];
                pe_section_name(&h, name);
                ASSERT_STREQ(name, order[i]);
        }
        ASSERT_TRUE(section_text(&v, ".linux", "KERNEL-BYTES"));
        /* no --sbat: ukify's default UKI entry next to the stub's own */
        ASSERT_TRUE(section_text(&v, ".sbat", "uki,1,UKI,uki,1,"));
        ASSERT_TRUE(section_text(&v, ".sbat", "sbat,1,"));

        /* a section the stub already has is refused */
        _cleanup_section_list_ SectionList dup = {};
        ASSERT_TRUE(section_list_add_arg(&dup, ".text", "x", false));
        Blob r = {};
        ASSERT_TRUE(!uki_assemble(&(UkiParts) { &uki_stub, "linuxx64", &kernel, "kernel", NULL, 0, &dup, NULL, NULL, NULL },
                                  &r));
        ASSERT_TRUE(r.data == NULL);
}

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: %s zbootaa64.efi.stub linuxx64.efi.stub\n", argv[0]);
                return 1;
        }
        zboot_stub.data = test_read_file(argv[1], &zboot_stub.size);
        uki_stub.data = test_read_file(argv[2], &uki_stub.size);
        TEST(test_compress_option);
        TEST(test_zboot_payload);
        TEST(test_zboot_stub_sbat);
        TEST(test_zboot_zstd);
        TEST(test_zboot_gzip);
        TEST(test_zboot_zsig_section);
        TEST(test_section_list);
        TEST(test_uki);
        blob_free(&zboot_stub);
        blob_free(&uki_stub);
        return TESTS_END();
}
