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

#include "compress.h"

int compress_default_level(CompressionType t) {
        switch (t) {
        case COMPRESSION_ZSTD: return 19;       /* decode speed does not depend on the level */
        case COMPRESSION_GZIP: return 12;       /* libdeflate's best */
        case COMPRESSION_LZ4:  return 12;       /* LZ4HC max */
        case COMPRESSION_XZ:   return 9;
        default:               return 0;
        }
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

static bool zstd_compress(int level, const Blob *in, Blob *ret) {
        size_t cap = ZSTD_compressBound(in->size);
        Blob o = { malloc(cap), 0 };
        ZSTD_CCtx *c = ZSTD_createCCtx();
        if (!o.data || !c)
                goto oom;
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
                                ZSTD_freeCCtx(c);
                                blob_free(&o);
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
        ZSTD_freeCCtx(c);
        o.size = ob.pos;
        *ret = o;
        return true;
oom:
        ZSTD_freeCCtx(c);
        blob_free(&o);
        return error("out of memory"), false;
}

static bool gzip_compress(int level, const Blob *in, Blob *ret) {
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
        const uint32_t magic = 0x184C2102;
        memcpy(o.data, &magic, 4);
        for (size_t off = 0; off < in->size; off += B) {
                int n = (int) (in->size - off < B ? in->size - off : B);
                int c = LZ4_compress_HC((const char *) in->data + off, (char *) o.data + o.size + 4, n,
                                        LZ4_compressBound(n), level);
                if (c <= 0) {
                        blob_free(&o);
                        return error("lz4 compression failed"), false;
                }
                uint32_t cs = (uint32_t) c;
                memcpy(o.data + o.size, &cs, 4);
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
        else if (arch == ARCH_AARCH64)
                f[i++] = (lzma_filter) { .id = LZMA_FILTER_ARM64 };
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

bool compress_payload(CompressionType t, int level, Arch arch, const Blob *in, Blob *ret) {
        switch (t) {
        case COMPRESSION_ZSTD: return zstd_compress(level, in, ret);
        case COMPRESSION_GZIP: return gzip_compress(level, in, ret);
        case COMPRESSION_LZ4:  return lz4_compress(level, in, ret);
        case COMPRESSION_XZ:   return xz_compress(level, arch, in, ret);
        default:               return error("cannot compress with this type"), false;
        }
}
