/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Differential and adversarial tests of decompress(): data compressed by the system
 * libraries (libzstd at several levels incl. 22, zlib -9 and libdeflate -12 gzip, liblz4 in
 * the kernel's legacy container, liblzma xz with x86/ARM64 BCJ and lzma_alone) must decode to
 * exactly the original through the freestanding decoder objects the EFI binaries link; cut,
 * flipped, inflated and padded streams must give the right error and never crash (ASan+UBSan).
 *
 * Usage: test-decompress            synthetic data
 *        test-decompress FILE...    also each FILE (the Debian kernels), at fast levels
 */
#include <errno.h>
#include <libdeflate.h>
#include <lz4.h>
#include <lz4hc.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif

#include "decompress.h"
#include "lzop.h"
#include "tests.h"
#include "zboot-decode.h"

typedef struct {
        uint8_t *data;
        size_t size;
} Buf;

static Buf compress_zstd(const Buf *in, int level) {
        Buf o = { malloc(ZSTD_compressBound(in->size)), 0 };
        ZSTD_CCtx *c = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
        o.size = ZSTD_compress2(c, o.data, ZSTD_compressBound(in->size), in->data, in->size);
        ZSTD_freeCCtx(c);
        if (ZSTD_isError(o.size))
                abort();
        return o;
}

static Buf compress_zlib_gzip(const Buf *in) {
        z_stream s = {};
        Buf o = { malloc(in->size + in->size / 100 + 1024), 0 };
        if (deflateInit2(&s, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK)
                abort();
        s.next_in = in->data;
        s.avail_in = (uInt) in->size;
        s.next_out = o.data;
        s.avail_out = (uInt) (in->size + in->size / 100 + 1024);
        if (deflate(&s, Z_FINISH) != Z_STREAM_END)
                abort();
        o.size = s.total_out;
        deflateEnd(&s);
        return o;
}

static Buf compress_libdeflate(const Buf *in, int level) {
        libdeflate_set_memory_allocator(malloc, free);   /* decompress_gzip() leaves the global hook refusing */
        struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
        size_t bound = libdeflate_gzip_compress_bound(c, in->size);
        Buf o = { malloc(bound), 0 };
        o.size = libdeflate_gzip_compress(c, in->data, in->size, o.data, bound);
        libdeflate_free_compressor(c);
        if (o.size == 0)
                abort();
        return o;
}

/* The kernel's lz4 container: legacy magic, then [le32 size][block] per 8 MiB. */
static Buf compress_lz4_legacy(const Buf *in) {
        const size_t B = 8u << 20;
        Buf o = { malloc(4 + (in->size / B + 1) * (4 + (size_t) LZ4_compressBound((int) B))), 0 };
        uint32_t magic = 0x184C2102;
        memcpy(o.data, &magic, 4);
        o.size = 4;
        for (size_t off = 0; off < in->size; off += B) {
                int n = (int) (in->size - off < B ? in->size - off : B);
                int c = LZ4_compress_HC((const char *) in->data + off, (char *) o.data + o.size + 4, n,
                                        LZ4_compressBound(n), 9);
                if (c <= 0)
                        abort();
                uint32_t cs = (uint32_t) c;
                memcpy(o.data + o.size, &cs, 4);
                o.size += 4 + (size_t) c;
        }
        return o;
}

#ifdef HAVE_LZO
static void put32(Buf *o, uint32_t v) {
        o->data[o->size++] = (uint8_t) (v >> 24), o->data[o->size++] = (uint8_t) (v >> 16);
        o->data[o->size++] = (uint8_t) (v >> 8), o->data[o->size++] = (uint8_t) v;
}

/* An lzop file (written here, independently of the CLI's writer) with the given header flags
 * (block checksums, crc32 header checksum) and 256 KiB blocks, like lzop; the blocks are made
 * by the system liblzo2 (lzo1x_999 at `level` as lzop -7..-9, or lzo1x_1 as lzop -1..-6).
 * An incompressible block is stored (compressed length = uncompressed length). */
static Buf compress_lzop(const Buf *in, uint32_t flags, int level) {
        size_t blocks = in->size / LZOP_BLOCK_MAX + 1;
        Buf o = { malloc(64 + in->size + blocks * (24 + LZOP_BLOCK_MAX / 16 + 64 + 3)), 0 };
        void *wrk = malloc(LZO1X_999_MEM_COMPRESS);
        uint8_t *tmp = malloc(LZOP_BLOCK_MAX + LZOP_BLOCK_MAX / 16 + 64 + 3);
        memcpy(o.data, LZOP_MAGIC, LZOP_MAGIC_LEN);
        o.size = LZOP_MAGIC_LEN;
        size_t h = o.size;
        o.data[o.size++] = 0x10, o.data[o.size++] = 0x40;                      /* version 1.040 */
        o.data[o.size++] = 0x20, o.data[o.size++] = 0xa0;                      /* liblzo2 2.10 */
        o.data[o.size++] = 0x09, o.data[o.size++] = 0x40;                      /* needed: 0.940 */
        o.data[o.size++] = level >= 7 ? LZOP_M_LZO1X_999 : LZOP_M_LZO1X_1;
        o.data[o.size++] = (uint8_t) level;
        put32(&o, flags | 0x03000000u);                                         /* F_OS_UNIX */
        put32(&o, 0100644);                                                     /* mode */
        put32(&o, 0x5f000000u), put32(&o, 0);                                   /* mtime */
        o.data[o.size++] = 6;
        memcpy(o.data + o.size, "vmlinz", 6);
        o.size += 6;
        put32(&o, (flags & LZOP_F_H_CRC32) ? lzo_crc32(0, o.data + h, o.size - h) : lzo_adler32(1, o.data + h, o.size - h));
        for (size_t off = 0; off < in->size; off += LZOP_BLOCK_MAX) {
                lzo_uint n = in->size - off < LZOP_BLOCK_MAX ? in->size - off : LZOP_BLOCK_MAX, c = 0;
                const uint8_t *src = in->data + off;
                int r = level >= 7 ? lzo1x_999_compress_level(src, n, tmp, &c, wrk, NULL, 0, 0, level) :
                                     lzo1x_1_compress(src, n, tmp, &c, wrk);
                if (r != LZO_E_OK)
                        abort();
                bool stored = c >= n;
                put32(&o, (uint32_t) n);
                put32(&o, (uint32_t) (stored ? n : c));
                if (flags & LZOP_F_ADLER32_D)
                        put32(&o, lzo_adler32(1, src, n));
                if (flags & LZOP_F_CRC32_D)
                        put32(&o, lzo_crc32(0, src, n));
                if (!stored && (flags & LZOP_F_ADLER32_C))
                        put32(&o, lzo_adler32(1, tmp, c));
                if (!stored && (flags & LZOP_F_CRC32_C))
                        put32(&o, lzo_crc32(0, tmp, c));
                memcpy(o.data + o.size, stored ? src : tmp, stored ? n : c);
                o.size += stored ? n : c;
        }
        put32(&o, 0);
        free(tmp);
        free(wrk);
        return o;
}

/* The lzop program itself (`lzop -9`, what Makefile.zboot runs; -3 for speed on the big
 * kernels), through temporary files. */
static Buf compress_lzop_program(const Buf *in, bool best) {
        char src[] = "/tmp/test-decompress-lzop-XXXXXX", cmd[128];
        int fd = mkstemp(src);
        if (fd < 0 || write(fd, in->data, in->size) != (ssize_t) in->size)
                abort();
        close(fd);
        snprintf(cmd, sizeof(cmd), "lzop %s -c < %s", best ? "-9" : "-3", src);
        FILE *p = popen(cmd, "r");
        if (!p)
                abort();
        Buf o = { malloc(in->size + in->size / 16 + 4096), 0 };
        o.size = fread(o.data, 1, in->size + in->size / 16 + 4096, p);
        if (pclose(p) != 0 || o.size == 0) {
                fprintf(stderr, "FAIL: lzop -9 did not run (tools/setup installs lzop)\n");
                exit(1);
        }
        unlink(src);
        return o;
}
#endif

static uint32_t xz_preset = 6;

static Buf compress_xz(const Buf *in, lzma_vli bcj, bool alone) {
        lzma_options_lzma opt;
        lzma_lzma_preset(&opt, xz_preset);
        lzma_filter f[3];
        int i = 0;
        if (bcj != LZMA_VLI_UNKNOWN)
                f[i++] = (lzma_filter) { .id = bcj, .options = NULL };
        f[i++] = (lzma_filter) { .id = LZMA_FILTER_LZMA2, .options = &opt };
        f[i] = (lzma_filter) { .id = LZMA_VLI_UNKNOWN };
        size_t cap = lzma_stream_buffer_bound(in->size);
        Buf o = { malloc(cap), 0 };
        if (alone) {
                lzma_stream s = LZMA_STREAM_INIT;
                if (lzma_alone_encoder(&s, &opt) != LZMA_OK)
                        abort();
                s.next_in = in->data, s.avail_in = in->size, s.next_out = o.data, s.avail_out = cap;
                if (lzma_code(&s, LZMA_FINISH) != LZMA_STREAM_END)
                        abort();
                o.size = cap - s.avail_out;
                lzma_end(&s);
        } else if (lzma_stream_buffer_encode(f, LZMA_CHECK_CRC32, NULL, in->data, in->size, o.data, &o.size, cap) !=
                   LZMA_OK)
                abort();
        return o;
}

typedef struct {
        const char *name;
        CompressionType type;
        Buf z;
} Case;

static DecompressResult run(const Case *c, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *n) {
        size_t ws = decompress_workspace_size(c->type, in, in_len);
        void *work = ws ? aligned_alloc(64, (ws + 63) & ~(size_t) 63) : NULL;
        DecompressResult r = decompress(c->type, in, in_len, out, cap, n, work, ws);
        free(work);
        return r;
}

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "FAIL %s: ", c->name); \
        fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); failures++; } } while (0)

static void check_case(const Case *c, const Buf *orig, bool adversarial) {
        uint8_t *out = malloc(orig->size + 64);
        size_t n = 0;

        DecompressResult r = run(c, c->z.data, c->z.size, out, orig->size, &n);
        CHECK(r == DECOMPRESS_OK, "decode: %s", decompress_strerror(r));
        CHECK(r != DECOMPRESS_OK || (n == orig->size && memcmp(out, orig->data, n) == 0), "output differs");
        printf("  %-22s %10zu -> %10zu %s\n", c->name, c->z.size, orig->size, r == DECOMPRESS_OK ? "ok" : "FAILED");

        if (!adversarial) {
                free(out);
                return;
        }
        /* one byte too little room */
        if (orig->size > 0) {
                r = run(c, c->z.data, c->z.size, out, orig->size - 1, &n);
                CHECK(r == DECOMPRESS_OUTPUT_TOO_SMALL, "cap-1: %s", decompress_strerror(r));
        }
        /* truncation at many points: never OK, never a crash */
        for (size_t k = 1; k <= 64; k++) {
                size_t cut = c->z.size * k / 65;
                uint8_t *t = malloc(cut ? cut : 1);
                memcpy(t, c->z.data, cut);
                r = run(c, t, cut, out, orig->size, &n);
                CHECK(r == DECOMPRESS_TRUNCATED || r == DECOMPRESS_CORRUPT, "cut at %zu: %s", cut,
                      decompress_strerror(r));
                free(t);
        }
        /* bit flips: either an error or (rarely, in unchecked literals) different output */
        uint8_t *f = malloc(c->z.size);
        for (size_t k = 0; k < 64; k++) {
                memcpy(f, c->z.data, c->z.size);
                size_t pos = (k * 2654435761u) % c->z.size;
                f[pos] ^= (uint8_t) (1u << (k % 8));
                r = run(c, f, c->z.size, out, orig->size, &n);
                /* A flip in a field nobody checks (gzip MTIME/OS, a zstd header flag) may still
                 * decode to the original; silently *different* output is the failure, except
                 * for lz4 legacy and .lzma, which carry no checksum. (lzo: every case above has a
                 * checksum of the uncompressed data.) */
                CHECK(r != DECOMPRESS_OK || (n == orig->size && memcmp(out, orig->data, n) == 0) ||
                      c->type == COMPRESSION_LZ4 || c->type == COMPRESSION_LZMA,
                      "flip at %zu: silently different output", pos);
        }
        free(f);
        /* trailing garbage */
        uint8_t *g = malloc(c->z.size + 16);
        memcpy(g, c->z.data, c->z.size);
        memset(g + c->z.size, 0xa5, 16);
        r = run(c, g, c->z.size + 16, out, orig->size + 64, &n);
        CHECK(r == DECOMPRESS_CORRUPT || r == DECOMPRESS_TRUNCATED, "trailing garbage: %s", decompress_strerror(r));
        free(g);
        /* too little workspace */
        if (decompress_workspace_size(c->type, c->z.data, c->z.size) > 0) {
                uint64_t small[8];
                r = decompress(c->type, c->z.data, c->z.size, out, orig->size, &n, small, sizeof(small));
                CHECK(r == DECOMPRESS_NO_MEMORY, "tiny workspace: %s", decompress_strerror(r));
        }
        free(out);
}

static Buf synthetic(size_t size, unsigned seed) {
        Buf b = { malloc(size), size };
        uint32_t x = seed * 2654435761u + 1;
        /* text-like runs with repeats and some noise, like a kernel image */
        for (size_t i = 0; i < size; i++) {
                x = x * 1103515245u + 12345u;
                if (i > 64 && (x >> 28) < 10)
                        b.data[i] = b.data[i - 1 - (x >> 20) % 64];
                else
                        b.data[i] = (uint8_t) ((x >> 16) % 40 + 'A');
        }
        return b;
}

static void run_all(const Buf *orig, bool full) {
        Case cases[24];
        size_t n = 0;
        cases[n++] = (Case) { "zstd -1", COMPRESSION_ZSTD, compress_zstd(orig, 1) };
        cases[n++] = (Case) { "zstd -19", COMPRESSION_ZSTD, compress_zstd(orig, full ? 19 : 3) };
        if (full) {
                cases[n++] = (Case) { "zstd -3", COMPRESSION_ZSTD, compress_zstd(orig, 3) };
                cases[n++] = (Case) { "zstd --ultra -22", COMPRESSION_ZSTD, compress_zstd(orig, 22) };
        }
        cases[n++] = (Case) { "gzip -9 (zlib)", COMPRESSION_GZIP, compress_zlib_gzip(orig) };
        cases[n++] = (Case) { "gzip (libdeflate -12)", COMPRESSION_GZIP, compress_libdeflate(orig, full ? 12 : 6) };
        cases[n++] = (Case) { "lz4 -l (legacy)", COMPRESSION_LZ4, compress_lz4_legacy(orig) };
        cases[n++] = (Case) { "xz x86 BCJ", COMPRESSION_XZ, compress_xz(orig, LZMA_FILTER_X86, false) };
#ifdef LZMA_FILTER_ARM64
        cases[n++] = (Case) { "xz arm64 BCJ", COMPRESSION_XZ, compress_xz(orig, LZMA_FILTER_ARM64, false) };
#endif
        cases[n++] = (Case) { "xz arm BCJ", COMPRESSION_XZ, compress_xz(orig, LZMA_FILTER_ARM, false) };
        cases[n++] = (Case) { "lzma (alone)", COMPRESSION_LZMA, compress_xz(orig, LZMA_VLI_UNKNOWN, true) };
#ifdef HAVE_LZO
        /* lzop -9 as Makefile.zboot runs it: adler32 of the uncompressed blocks */
        cases[n++] = (Case) { full ? "lzo (lzop -9 program)" : "lzo (lzop -3 program)", COMPRESSION_LZO,
                              compress_lzop_program(orig, full) };
        if (full)       /* the big kernels: the lzop program's output is enough (time) */
                cases[n++] = (Case) { "lzo (as lzop -9)", COMPRESSION_LZO, compress_lzop(orig, LZOP_F_ADLER32_D, 9) };
        if (full) {
                cases[n++] = (Case) { "lzo 1x_1, crc32 sums", COMPRESSION_LZO,
                        compress_lzop(orig, LZOP_F_CRC32_D | LZOP_F_CRC32_C | LZOP_F_H_CRC32, 3) };
                cases[n++] = (Case) { "lzo all four sums", COMPRESSION_LZO,
                        compress_lzop(orig, LZOP_F_ADLER32_D | LZOP_F_ADLER32_C | LZOP_F_CRC32_D | LZOP_F_CRC32_C, 9) };
        }
#endif
        for (size_t i = 0; i < n; i++) {
                check_case(&cases[i], orig, full);
                free(cases[i].z.data);
        }
}

static Buf read_file(const char *path) {
        FILE *f = fopen(path, "rb");
        Buf b = {};
        if (!f) {
                fprintf(stderr, "FAIL: cannot open %s: %s (run tools/fetch-test-assets)\n", path, strerror(errno));
                exit(1);
        }
        fseek(f, 0, SEEK_END);
        b.size = (size_t) ftell(f);
        fseek(f, 0, SEEK_SET);
        b.data = malloc(b.size);
        if (fread(b.data, 1, b.size, f) != b.size)
                abort();
        fclose(f);
        return b;
}

static void test_api(void) {
        ASSERT_EQ(compression_from_string("zstd"), COMPRESSION_ZSTD);
        ASSERT_EQ(compression_from_string("zstd22"), COMPRESSION_ZSTD);
        ASSERT_EQ(compression_from_string("xzkern"), COMPRESSION_XZ);
        ASSERT_EQ(compression_from_string("lzo"), COMPRESSION_LZO);
        ASSERT_STREQ(compression_to_string(COMPRESSION_LZO), "lzo");
#ifdef HAVE_LZO
        ASSERT_TRUE(compression_supported(COMPRESSION_LZO));
        ASSERT_TRUE(compression_build_option(COMPRESSION_LZO) == NULL);
#else
        ASSERT_TRUE(!compression_supported(COMPRESSION_LZO));
        ASSERT_STREQ(compression_build_option(COMPRESSION_LZO), "-Dlzo=enabled");
#endif
        ASSERT_EQ(compression_from_string(NULL), _COMPRESSION_INVALID);
        /* the labels current kernels write (Makefile.zboot comp-type-y) */
        ASSERT_STREQ(compression_to_string(COMPRESSION_ZSTD), "zstd");
        ASSERT_STREQ(compression_to_string(COMPRESSION_GZIP), "gzip");
        ASSERT_STREQ(compression_to_string(COMPRESSION_XZ), "xzkern");
        ASSERT_STREQ(compression_to_string(COMPRESSION_LZ4), "lz4");
        ASSERT_STREQ(compression_to_string(COMPRESSION_LZMA), "lzma");
        ASSERT_TRUE(compression_to_string(_COMPRESSION_INVALID) == NULL);
        size_t n;
        uint8_t out[4];
        ASSERT_EQ(decompress(_COMPRESSION_INVALID, "x", 1, out, 4, &n, NULL, 0), DECOMPRESS_UNSUPPORTED);
        ASSERT_EQ(decompress(COMPRESSION_NONE, "abcde", 5, out, 4, &n, NULL, 0), DECOMPRESS_OUTPUT_TOO_SMALL);
        /* a bomb: a tiny zstd frame claiming 1 GiB decodes into 4 bytes of room -> refused */
        Buf big = { calloc(1, 1 << 20), 1 << 20 };
        Buf z = compress_zstd(&big, 3);
        size_t ws = decompress_workspace_size(COMPRESSION_ZSTD, z.data, z.size);
        void *w = aligned_alloc(64, (ws + 63) & ~(size_t) 63);
        ASSERT_EQ(decompress(COMPRESSION_ZSTD, z.data, z.size, out, 4, &n, w, ws), DECOMPRESS_OUTPUT_TOO_SMALL);
        free(w);
        free(z.data);
        free(big.data);
        /* workspace bounds the issue promises */
        ASSERT_TRUE(decompress_workspace_size(COMPRESSION_ZSTD, NULL, 0) <= (1u << 20));
        ASSERT_TRUE(decompress_workspace_size(COMPRESSION_GZIP, NULL, 0) <= (1u << 20));
}

#ifdef HAVE_LZO
/* A header as lzop writes it (flags, version chosen), checksum fixed up; returns its length. */
static size_t lzop_header(uint8_t *p, uint16_t version, uint8_t method, uint32_t flags, const char *name) {
        Buf o = { p, 0 };
        memcpy(p, LZOP_MAGIC, LZOP_MAGIC_LEN);
        o.size = LZOP_MAGIC_LEN;
        o.data[o.size++] = (uint8_t) (version >> 8), o.data[o.size++] = (uint8_t) version;
        o.data[o.size++] = 0x20, o.data[o.size++] = 0xa0;
        if (version >= LZOP_VERSION_LEVEL)
                o.data[o.size++] = 0x09, o.data[o.size++] = 0x40;
        o.data[o.size++] = method;
        if (version >= LZOP_VERSION_LEVEL)
                o.data[o.size++] = 5;
        put32(&o, flags);
        if (flags & LZOP_F_H_FILTER)
                put32(&o, 1);
        put32(&o, 0100600), put32(&o, 1234567);
        if (version >= LZOP_VERSION_LEVEL)
                put32(&o, 0);
        o.data[o.size++] = (uint8_t) strlen(name);
        memcpy(o.data + o.size, name, strlen(name));
        o.size += strlen(name);
        put32(&o, (flags & LZOP_F_H_CRC32) ? lzo_crc32(0, p + 9, o.size - 9) : lzo_adler32(1, p + 9, o.size - 9));
        return o.size;
}

/* lzop_parse_header(): the fields, both header layouts (before and after lzop 0.940), both
 * checksums; every bad field and every truncation refused with the right error. */
static void test_lzop_header(void) {
        uint8_t b[512];
        LzopHeader h;
        size_t n = lzop_header(b, 0x1040, 3, 0x0300000d, "");
        ASSERT_EQ(n, (size_t) 38);
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_OK);
        ASSERT_EQ(h.header_len, n);
        ASSERT_EQ(h.version, 0x1040);
        ASSERT_EQ(h.method, 3);
        ASSERT_EQ(h.level, 5);
        ASSERT_EQ(h.flags, 0x0300000du);
        /* every shorter prefix: truncated, never read past it (ASan) */
        for (size_t k = 0; k < n; k++) {
                uint8_t *cut = malloc(k ? k : 1);
                memcpy(cut, b, k);
                ASSERT_EQ(lzop_parse_header(cut, k, &h), LZOP_TRUNCATED);
                free(cut);
        }
        ASSERT_EQ(lzop_parse_header(NULL, 0, &h), LZOP_TRUNCATED);
        /* an old (< 0.940) header: no version-needed, level or mtime_high; with a name */
        n = lzop_header(b, 0x0930, 1, 0x03000001, "vmlinux");
        ASSERT_EQ(n, (size_t) (9 + 2 + 2 + 1 + 4 + 4 + 4 + 1 + 7 + 4));
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_OK);
        ASSERT_EQ(h.level, 0);
        ASSERT_EQ(h.name_len, 7);
        /* crc32 header checksum */
        n = lzop_header(b, 0x1040, 2, 0x03000000 | LZOP_F_H_CRC32, "x");
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_OK);
        /* the checksum covers every header byte after the magic */
        for (size_t k = 9; k < n - 4; k++) {
                b[k] ^= 0x40;
                LzopResult r = lzop_parse_header(b, n, &h);
                ASSERT_TRUE(r != LZOP_OK);
                b[k] ^= 0x40;
        }
        b[n - 1] ^= 1;
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_HEADER_CHECKSUM);
        /* bad fields, with valid checksums */
        n = lzop_header(b, 0x1040, 4, 0x03000001, "");
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_BAD_METHOD);
        n = lzop_header(b, 0x1040, 0, 0x03000001, "");
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_BAD_METHOD);
        n = lzop_header(b, 0x08ff, 1, 0x03000001, "");
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_BAD_VERSION);
        n = lzop_header(b, 0x1040, 1, 0x03000001 | LZOP_F_H_FILTER, "");
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_BAD_FLAGS);
        n = lzop_header(b, 0x1040, 1, 0x03000001 | LZOP_F_H_EXTRA, "");
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_BAD_FLAGS);
        n = lzop_header(b, 0x1040, 1, 0x03004001, "");     /* reserved bit 14 */
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_BAD_FLAGS);
        memcpy(b, "\x89LZX", 4);
        ASSERT_EQ(lzop_parse_header(b, n, &h), LZOP_BAD_MAGIC);
        ASSERT_EQ(lzop_parse_header("\x89LZX", 4, &h), LZOP_BAD_MAGIC);
}

/* decompress_lzo(): the block rules, each on a hand-made stream. */
static void test_lzo_blocks(void) {
        uint8_t b[1024], out[300];
        size_t n, got;
        const uint8_t data[200] = { 'k', 'e', 'r', 'n' };
        Buf o = { b, 0 };
        /* one stored block (length == compressed length), adler32 of the data, end marker */
        o.size = lzop_header(b, 0x1040, 3, 0x03000001, "");
        size_t hl = o.size;
        put32(&o, 200), put32(&o, 200), put32(&o, lzo_adler32(1, data, 200));
        memcpy(b + o.size, data, 200);
        o.size += 200;
        put32(&o, 0);
        n = o.size;
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, n, out, sizeof(out), &got, NULL, 0), DECOMPRESS_OK);
        ASSERT_EQ(got, (size_t) 200);
        ASSERT_TRUE(memcmp(out, data, 200) == 0);
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, n, out, 199, &got, NULL, 0), DECOMPRESS_OUTPUT_TOO_SMALL);
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, n - 4, out, sizeof(out), &got, NULL, 0), DECOMPRESS_TRUNCATED);
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, n - 5, out, sizeof(out), &got, NULL, 0), DECOMPRESS_TRUNCATED);
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, hl + 6, out, sizeof(out), &got, NULL, 0), DECOMPRESS_TRUNCATED);
        b[n] = 0;       /* anything after the end marker */
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, n + 1, out, sizeof(out), &got, NULL, 0), DECOMPRESS_CORRUPT);
        b[hl + 12 + 100] ^= 1;  /* data checksum */
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, n, out, sizeof(out), &got, NULL, 0), DECOMPRESS_CORRUPT);
        b[hl + 12 + 100] ^= 1;
        /* compressed length larger than the length, or zero; a length over 256 KiB; the split marker */
        static const uint32_t bad[][2] = { { 200, 201 }, { 200, 0 }, { LZOP_BLOCK_MAX + 1, 200 }, { 0xffffffffu, 200 } };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                Buf e = { b + hl, 0 };
                put32(&e, bad[i][0]), put32(&e, bad[i][1]);
                ASSERT_EQ(decompress(COMPRESSION_LZO, b, n, out, sizeof(out), &got, NULL, 0), DECOMPRESS_CORRUPT);
        }
        /* a compressed block whose stated length is one more than it decodes to */
        uint8_t c[512], wrk[LZO1X_1_MEM_COMPRESS];
        lzo_uint cl = 0;
        ASSERT_EQ(lzo1x_1_compress(data, 200, c, &cl, wrk), LZO_E_OK);
        ASSERT_TRUE(cl < 200);
        o.size = hl;
        put32(&o, 201), put32(&o, (uint32_t) cl), put32(&o, lzo_adler32(1, data, 200));
        memcpy(b + o.size, c, cl);
        o.size += cl;
        put32(&o, 0);
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, o.size, out, sizeof(out), &got, NULL, 0), DECOMPRESS_CORRUPT);
        /* ... and stated exactly: fine; the empty stream (only the end marker) is 0 bytes */
        Buf f = { b + hl, 0 };
        put32(&f, 200);
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, o.size, out, sizeof(out), &got, NULL, 0), DECOMPRESS_OK);
        ASSERT_EQ(got, (size_t) 200);
        o.size = hl;
        put32(&o, 0);
        ASSERT_EQ(decompress(COMPRESSION_LZO, b, o.size, out, sizeof(out), &got, NULL, 0), DECOMPRESS_OK);
        ASSERT_EQ(got, (size_t) 0);
}
#endif

/* zboot_gzip_old_rule(): a real gzip member whose header payload_size leaves out ISIZE (the old
 * rule) is recognised; the kernel's layout and other damage are not mistaken for it. */
static void test_zboot_old_gzip_rule(void) {
        Buf in = { malloc(20000), 20000 };
        for (size_t i = 0; i < in.size; i++)
                in.data[i] = (uint8_t) (i * 7 / 13);
        Buf g = compress_zlib_gzip(&in);
        uint8_t *img = calloc(1, g.size + 8);
        memcpy(img, g.data, g.size);
        size_t ws = decompress_workspace_size(COMPRESSION_GZIP, NULL, 0);
        void *w = aligned_alloc(64, (ws + 63) & ~(size_t) 63);
        uint8_t *out = malloc(in.size);
        ZbootInfo z = { .payload_offset = 0x80, .payload_size = (uint32_t) g.size - 4 };
        strcpy(z.comp_type, "gzip");
        size_t sl;
        uint64_t sz;
        /* old rule: the member ends 4 bytes past payload_size, ISIZE there */
        ASSERT_EQ(zboot_old_gzip_layout(&z, img, g.size, &sl, &sz), ZBOOT_OK);
        ASSERT_EQ(sl, g.size);
        ASSERT_EQ(sz, in.size);
        ASSERT_EQ(zboot_gzip_old_rule(&z, img, g.size, out, in.size, w, ws), ZBOOT_GZIP_OLD_RULE);
        ASSERT_TRUE(memcmp(out, in.data, in.size) == 0);
        ASSERT_EQ(zboot_gzip_old_rule(&z, img, g.size, out, in.size - 1, w, ws), ZBOOT_BAD_ARGUMENT);
        /* the kernel's rule: payload_size is the member; zeros after it, the probe does not apply */
        z.payload_size = (uint32_t) g.size;
        ASSERT_EQ(zboot_gzip_old_rule(&z, img, g.size + 8, out, in.size, w, ws), ZBOOT_BAD_ARGUMENT);
        /* ... and bytes after it that look like a size: decoding them as the member fails */
        memcpy(img + g.size, "\x20\x4e\0\0", 4);
        ASSERT_EQ(zboot_gzip_old_rule(&z, img, g.size + 8, out, in.size, w, ws), ZBOOT_OK);
        /* payload_size cutting the member 8 bytes short: the old rule does not explain it */
        z.payload_size = (uint32_t) g.size - 8;
        ASSERT_TRUE(zboot_gzip_old_rule(&z, img, g.size, out, in.size, w, ws) != ZBOOT_GZIP_OLD_RULE);
        /* a corrupt member by the old rule: not confirmed */
        z.payload_size = (uint32_t) g.size - 4;
        img[g.size / 2] ^= 0x10;
        ASSERT_EQ(zboot_gzip_old_rule(&z, img, g.size, out, in.size, w, ws), ZBOOT_OK);
        /* not gzip: never */
        img[g.size / 2] ^= 0x10;
        strcpy(z.comp_type, "zstd");
        ASSERT_EQ(zboot_gzip_old_rule(&z, img, g.size, out, in.size, w, ws), ZBOOT_BAD_ARGUMENT);
        free(out);
        free(w);
        free(img);
        free(g.data);
        free(in.data);
}

int main(int argc, char **argv) {
        TEST(test_api);
        TEST(test_zboot_old_gzip_rule);
#ifdef HAVE_LZO
        TEST(test_lzop_header);
        TEST(test_lzo_blocks);
#endif
        for (unsigned s = 0; s < 3; s++) {
                size_t sizes[] = { 1, 4096, 256u << 10 };
                Buf b = synthetic(sizes[s], s);
                printf("synthetic %zu bytes:\n", b.size);
                run_all(&b, true);
                free(b.data);
        }
        xz_preset = 1; /* the kernels: fast levels, the decoder is what is tested */
        for (int i = 1; i < argc; i++) {
                Buf b = read_file(argv[i]);
                printf("%s (%zu bytes):\n", argv[i], b.size);
                run_all(&b, false);
                free(b.data);
        }
        if (failures)
                fprintf(stderr, "%d failures\n", failures);
        return failures || TESTS_END();
}
