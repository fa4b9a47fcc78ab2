/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libdeflate.h>
#include <lz4.h>
#include <lz4hc.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif

#include "compress.h"
#include "lzop.h"
#include "unaligned.h"

/* The compressions we write (`zboot --compress`, `build --zboot`): their option names and default
 * levels, in the order --help and the error message list them. The one list of them. */
static const struct {
        CompressionType type;
        const char *name;
        int level;
} writable[] = {
        /* Level 22 or a 2^27 window (the kernel's zstd22) gain 0.1-0.2 % on Debian's kernels and
         * decode slower; xz 9e 0.2 % or nothing, lc=4 0.3 % at 9 % slower decoding, pb=0 loses
         * (x86): measured in docs/benchmarks.md "Size: the compression settings against the
         * targets". (xz on arm64: lc/lp in xz_compress.) */
        { COMPRESSION_ZSTD, "zstd", 19 },
        { COMPRESSION_GZIP, "gzip", 12 },       /* libdeflate's best */
        { COMPRESSION_LZ4,  "lz4",  12 },       /* LZ4HC max */
        { COMPRESSION_XZ,   "xz",   9 },
        { COMPRESSION_LZO,  "lzo",  9 },        /* lzop -9, what Makefile.zboot runs */
};

int compress_default_level(CompressionType t) {
        for (size_t i = 0; i < ELEMENTSOF(writable); i++)
                if (writable[i].type == t)
                        return writable[i].level;
        return 0;
}

bool compress_option_parse(const char *option, const char *value, CompressionType *ret) {
        CompressionType t = compression_from_string(value);   /* the core's names, aliases included */
        if (t == COMPRESSION_LZO && !compression_supported(t))
                return error("%s lzo: not supported by this build (configure with -Dlzo=enabled; "
                             "the binaries are then GPL-2.0-or-later)", option), false;
        for (size_t i = 0; i < ELEMENTSOF(writable); i++)
                if (writable[i].type == t) {
                        *ret = t;
                        return true;
                }
        char names[64] = "";
        for (size_t i = 0; i < ELEMENTSOF(writable); i++)
                snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "", writable[i].name);
        return error("%s: unknown type \"%s\" (%s)", option, value, names), false;
}

/* Progress on stderr for the slow compressors (zstd at high levels, xz), only when stderr is a
 * terminal and the input is big enough to take a while; the output bytes never depend on it. */
#define CHUNK ((size_t) 4 << 20)
typedef struct {
        bool on;
        const char *what;
        size_t total;
        int last;
} Progress;

static Progress progress_start(const char *what, size_t total) {
        return (Progress) { isatty(STDERR_FILENO) && total >= (16u << 20), what, total, -1 };
}

static void progress_update(Progress *p, uint64_t done) {
        if (!p->on)
                return;
        int pct = (int) (done >= p->total ? 100 : done * 100 / p->total);
        if (pct == p->last)
                return;
        p->last = pct;
        fprintf(stderr, "\rukify-zboot: %s: %3d%% of %.1f MB", p->what, pct, (double) p->total / 1e6);
        fflush(stderr);
}

static void progress_end(Progress *p) {
        if (p->on && p->last >= 0)
                fprintf(stderr, "\r\033[K");
}

static void zstd_cctx_freep(ZSTD_CCtx **c) {
        ZSTD_freeCCtx(*c);   /* NULL is fine */
}

static bool zstd_compress(int level, const Blob *in, Blob *ret) {
        size_t cap = ZSTD_compressBound(in->size);
        _cleanup_blob_ Blob o = { malloc(cap), 0 };
        _cleanup_(zstd_cctx_freep) ZSTD_CCtx *c = ZSTD_createCCtx();
        if (!o.data || !c)
                return error("out of memory"), false;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
        ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
        ZSTD_CCtx_setPledgedSrcSize(c, in->size);
        /* Workers are deterministic in zstd: the output does not depend on their number, nor on
         * how the input is fed in. */
        ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, cpus > 1 ? (int) (cpus > 8 ? 8 : cpus) : 0);

        Progress pr = progress_start("compressing with zstd", in->size);
        ZSTD_outBuffer ob = { o.data, cap, 0 };
        for (size_t pos = 0;;) {
                size_t chunk = in->size - pos < CHUNK ? in->size - pos : CHUNK;
                ZSTD_inBuffer ib = { in->data + pos, chunk, 0 };
                ZSTD_EndDirective mode = pos + chunk == in->size ? ZSTD_e_end : ZSTD_e_continue;
                size_t r;
                do {
                        r = ZSTD_compressStream2(c, &ob, &ib, mode);
                        if (ZSTD_isError(r)) {
                                progress_end(&pr);
                                return error("zstd: %s", ZSTD_getErrorName(r)), false;
                        }
                        /* input taken in; the workers trail it by a few jobs */
                        progress_update(&pr, (pos + ib.pos) * 99 / 100);
                } while (mode == ZSTD_e_end ? r != 0 : ib.pos < ib.size);
                pos += chunk;
                if (mode == ZSTD_e_end)
                        break;
        }
        progress_end(&pr);
        o.size = ob.pos;
        *ret = blob_take(&o);
        return true;
}

static bool gzip_compress(int level, const Blob *in, Blob *ret) {
        libdeflate_set_memory_allocator(malloc, free);   /* decompress_gzip() leaves the global hook refusing */
        struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
        if (!c)
                return error("gzip: invalid level %d (1..12)", level), false;
        size_t cap = libdeflate_gzip_compress_bound(c, in->size);
        Blob o = { malloc(cap), 0 };
        if (o.data)
                o.size = libdeflate_gzip_compress(c, in->data, in->size, o.data, cap);
        libdeflate_free_compressor(c);
        if (!o.data || o.size == 0) {
                blob_free(&o);
                return error("gzip compression failed"), false;
        }
        *ret = o;
        return true;
}

static bool lz4_compress(int level, const Blob *in, Blob *ret) {
        const size_t B = 8u << 20;
        size_t cap = 4 + (in->size / B + 1) * (4 + (size_t) LZ4_compressBound((int) B));
        Blob o = { malloc(cap), 4 };
        if (!o.data)
                return error("out of memory"), false;
        put_le32(o.data, 0x184C2102);   /* the lz4 legacy frame magic */
        for (size_t off = 0; off < in->size; off += B) {
                int n = (int) (in->size - off < B ? in->size - off : B);
                int c = LZ4_compress_HC((const char *) in->data + off, (char *) o.data + o.size + 4, n,
                                        LZ4_compressBound(n), level);
                if (c <= 0) {
                        blob_free(&o);
                        return error("lz4 compression failed"), false;
                }
                put_le32(o.data + o.size, (uint32_t) c);
                o.size += 4 + (size_t) c;
        }
        *ret = o;
        return true;
}

static bool xz_compress(int level, Arch arch, const Blob *in, Blob *ret) {
        lzma_options_lzma opt;
        if (level < 0 || level > 9 || lzma_lzma_preset(&opt, (uint32_t) level))
                return error("xz: invalid level %d (0..9)", level), false;
        /* The decoder allocates the whole dictionary the header declares (liblzma cannot use
         * the output buffer as its window), so never declare more than the kernel's size. */
        if (opt.dict_size > in->size)
                opt.dict_size = in->size < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : (uint32_t) in->size;
        lzma_filter f[3];
        int i = 0;
        if (arch == ARCH_X86_64)
                f[i++] = (lzma_filter) { .id = LZMA_FILTER_X86 };
#ifdef LZMA_FILTER_ARM64
        else if (arch == ARCH_AARCH64) {
                f[i++] = (lzma_filter) { .id = LZMA_FILTER_ARM64 };
                /* arm64 instructions are 4-byte aligned: literal position bits 2 and 2 literal
                 * context bits (as the kernel's xz_wrap.sh for 4-byte-aligned arches) make the
                 * Debian 12 Image 1.2 % smaller at the same decode speed (docs/benchmarks.md) */
                opt.lp = 2;
                opt.lc = 2;
        }
#endif
        f[i++] = (lzma_filter) { .id = LZMA_FILTER_LZMA2, .options = &opt };
        f[i] = (lzma_filter) { .id = LZMA_VLI_UNKNOWN };
        size_t cap = lzma_stream_buffer_bound(in->size);
        Blob o = { malloc(cap), 0 };
        if (!o.data)
                return error("out of memory"), false;
        lzma_stream strm = LZMA_STREAM_INIT;
        lzma_ret r = lzma_stream_encoder(&strm, f, LZMA_CHECK_CRC32);
        Progress pr = progress_start("compressing with xz", in->size);
        strm.next_out = o.data;
        strm.avail_out = cap;
        for (size_t pos = 0; r == LZMA_OK;) {
                size_t chunk = in->size - pos < CHUNK ? in->size - pos : CHUNK;
                strm.next_in = in->data + pos;
                strm.avail_in = chunk;
                pos += chunk;
                lzma_action a = pos == in->size ? LZMA_FINISH : LZMA_RUN;
                do {
                        r = lzma_code(&strm, a);
                        progress_update(&pr, strm.total_in);
                } while (r == LZMA_OK && (a == LZMA_FINISH || strm.avail_in > 0));
        }
        progress_end(&pr);
        o.size = strm.total_out;
        lzma_end(&strm);
        if (r != LZMA_STREAM_END) {
                blob_free(&o);
                return error("xz compression failed (%d)", (int) r), false;
        }
        *ret = o;
        return true;
}

#ifdef HAVE_LZO
/* The lzop file Makefile.zboot's `lzop -9` writes from stdin (docs/format.md "lzo payloads"):
 * header with version 1.040, method LZO1X-999 at the level, flags Unix + stdin/stdout +
 * adler32 of each block's data, mode 0, mtime 0 (reproducible; lzop puts the time), no name;
 * then 256 KiB blocks [be32 length][be32 compressed length][be32 adler32][data], stored when
 * compressing does not shrink them, and a be32 0. Blocks come from the system liblzo2:
 * levels 7..9 lzo1x_999 then lzo1x_optimize as lzop does, 1..6 lzo1x_1 (lzop's -2..-6).
 * At level 9 the blocks are byte for byte lzop -9's. */
static bool lzo_compress(int level, const Blob *in, Blob *ret) {
        if (level < 1 || level > 9)
                return error("lzo: invalid level %d (1..9)", level), false;
        if (lzo_init() != LZO_E_OK)
                return error("lzo: liblzo2 initialisation failed"), false;
        const size_t B = LZOP_BLOCK_MAX, worst = B + B / 16 + 64 + 3;
        size_t nblocks = in->size / B + 1;
        if (nblocks > SIZE_MAX / (worst + 12) - 1)
                return error("lzo: input too large"), false;
        size_t cap = 64 + nblocks * (worst + 12) + 4;
        bool best = level >= 7;
        Blob o = { malloc(cap), 0 };
        void *wrk = malloc(best ? LZO1X_999_MEM_COMPRESS : LZO1X_1_MEM_COMPRESS);
        uint8_t *tmp = malloc(B);   /* lzo1x_optimize rebuilds the block here */
        if (!o.data || !wrk || !tmp) {
                free(o.data), free(wrk), free(tmp);
                return error("out of memory"), false;
        }
        uint8_t *p = o.data;
        memcpy(p, LZOP_MAGIC, LZOP_MAGIC_LEN);
        p += LZOP_MAGIC_LEN;
        uint8_t *h = p;
        *p++ = 0x10, *p++ = 0x40;                                             /* lzop 1.040 */
        *p++ = (uint8_t) (lzo_version() >> 8), *p++ = (uint8_t) lzo_version();
        *p++ = LZOP_VERSION_LEVEL >> 8, *p++ = LZOP_VERSION_LEVEL & 0xff;      /* needed to extract */
        *p++ = best ? LZOP_M_LZO1X_999 : LZOP_M_LZO1X_1;
        *p++ = (uint8_t) level;
        put_be32(p, 0x03000000u | 0x8 | 0x4 | LZOP_F_ADLER32_D), p += 4;      /* Unix, stdout, stdin */
        memset(p, 0, 12 + 1), p += 12 + 1;                                    /* mode, mtime, no name */
        put_be32(p, lzo_adler32(1, h, (lzo_uint) (p - h))), p += 4;

        Progress pr = progress_start("compressing with lzo", in->size);
        bool ok = true;
        for (size_t off = 0; off < in->size && ok; off += B) {
                const uint8_t *src = in->data + off;
                lzo_uint n = in->size - off < B ? in->size - off : B, c = 0;
                uint8_t *hdr = p, *data = p + 12;
                int r = best ? lzo1x_999_compress_level(src, n, data, &c, wrk, NULL, 0, 0, level) :
                               lzo1x_1_compress(src, n, data, &c, wrk);
                if (best && r == LZO_E_OK && c < n) {
                        lzo_uint back = n;
                        r = lzo1x_optimize(data, c, tmp, &back, NULL);
                        if (r == LZO_E_OK && back != n)
                                r = LZO_E_ERROR;
                }
                if (r != LZO_E_OK) {
                        error("lzo compression failed (%d)", r);
                        ok = false;
                        break;
                }
                if (c >= n) {                   /* stored */
                        memcpy(data, src, n);
                        c = n;
                }
                put_be32(hdr, (uint32_t) n);
                put_be32(hdr + 4, (uint32_t) c);
                put_be32(hdr + 8, lzo_adler32(1, src, n));
                p = data + c;
                progress_update(&pr, off + n);
        }
        progress_end(&pr);
        free(wrk);
        free(tmp);
        if (!ok) {
                blob_free(&o);
                return false;
        }
        put_be32(p, 0), p += 4;
        o.size = (size_t) (p - o.data);
        *ret = o;
        return true;
}
#endif

bool compress_payload(CompressionType t, int level, Arch arch, const Blob *in, Blob *ret) {
        switch (t) {
        case COMPRESSION_ZSTD: return zstd_compress(level, in, ret);
        case COMPRESSION_GZIP: return gzip_compress(level, in, ret);
        case COMPRESSION_LZ4:  return lz4_compress(level, in, ret);
        case COMPRESSION_XZ:   return xz_compress(level, arch, in, ret);
#ifdef HAVE_LZO
        case COMPRESSION_LZO:  return lzo_compress(level, in, ret);
#endif
        default:               return error("cannot compress with this type"), false;
        }
}

