/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decompression throughput: our build (the freestanding x86_64 upstream objects the EFI
 * binaries link, through src/fundamental/decompress.c) against the system libraries, on the
 * same compressed kernels, side by side in one run, median of N runs each.
 *
 *   decompress-bench [-n RUNS] [-c] ORIGINAL TYPE:COMPRESSED [TYPE:COMPRESSED...]
 *
 * TYPE is zstd, gzip, lz4 (legacy container) or xz. The system libzstd, liblz4, libdeflate and
 * liblzma are dlopen()ed with RTLD_DEEPBIND: their symbols have the same names as our static
 * copies, and this keeps each side calling its own code (zlib has no twin and is linked).
 * Every output is compared with ORIGINAL before it is timed; the timed runs alternate between
 * the two sides so that drift in machine speed hits both alike.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "decompress.h"

typedef struct {
        uint8_t *data;
        size_t size;
} Buf;

static Buf slurp(const char *path) {
        FILE *f = fopen(path, "rb");
        if (!f) {
                perror(path);
                exit(2);
        }
        fseek(f, 0, SEEK_END);
        Buf b = { malloc((size_t) ftell(f) + 1), (size_t) ftell(f) };
        rewind(f);
        if (!b.data || fread(b.data, 1, b.size, f) != b.size) {
                fprintf(stderr, "%s: read failed\n", path);
                exit(2);
        }
        fclose(f);
        return b;
}

/* -c: the process's CPU time instead of the wall clock, for comparing streams on a machine
 * other work is loading (every decoder here runs on one thread). */
static clockid_t clock_id = CLOCK_MONOTONIC;

static double now(void) {
        struct timespec ts;
        clock_gettime(clock_id, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

/* ---- the system side -------------------------------------------------------------------- */

static void *sym(const char *lib, const char *name) {
        void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        void *s = h ? dlsym(h, name) : NULL;
        if (!s) {
                fprintf(stderr, "cannot load %s from %s: %s\n", name, lib, dlerror());
                exit(2);
        }
        return s;
}

static void *sys_zstd_dctx;
static lzma_ret (*sys_lzma_stream_buffer_decode)(uint64_t *, uint32_t, const lzma_allocator *, const uint8_t *,
                                                 size_t *, size_t, uint8_t *, size_t *, size_t);
static size_t (*sys_ZSTD_decompressDCtx)(void *, void *, size_t, const void *, size_t);
static unsigned (*sys_ZSTD_isError)(size_t);
static int (*sys_LZ4_decompress_safe)(const char *, char *, int, int);
static void *sys_deflate_d;
static int (*sys_libdeflate_gzip_decompress)(void *, const void *, size_t, void *, size_t, size_t *);

static void sys_init(void) {
        void *(*create)(void) = (void *(*)(void)) sym("libzstd.so.1", "ZSTD_createDCtx");
        sys_zstd_dctx = create();
        sys_ZSTD_decompressDCtx = sym("libzstd.so.1", "ZSTD_decompressDCtx");
        sys_ZSTD_isError = sym("libzstd.so.1", "ZSTD_isError");
        sys_LZ4_decompress_safe = sym("liblz4.so.1", "LZ4_decompress_safe");
        void *(*alloc_d)(void) = (void *(*)(void)) sym("libdeflate.so.0", "libdeflate_alloc_decompressor");
        sys_deflate_d = alloc_d();
        sys_libdeflate_gzip_decompress = sym("libdeflate.so.0", "libdeflate_gzip_decompress");
        sys_lzma_stream_buffer_decode = sym("liblzma.so.5", "lzma_stream_buffer_decode");
}

static size_t sys_zstd(const Buf *in, uint8_t *out, size_t cap) {
        size_t r = sys_ZSTD_decompressDCtx(sys_zstd_dctx, out, cap, in->data, in->size);
        return sys_ZSTD_isError(r) ? 0 : r;
}

static size_t sys_zlib(const Buf *in, uint8_t *out, size_t cap) {
        z_stream s = { .next_in = in->data, .avail_in = (uInt) in->size, .next_out = out, .avail_out = (uInt) cap };
        if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
                return 0;
        int r = inflate(&s, Z_FINISH);
        size_t n = s.total_out;
        inflateEnd(&s);
        return r == Z_STREAM_END ? n : 0;
}

static size_t sys_libdeflate(const Buf *in, uint8_t *out, size_t cap) {
        size_t n;
        return sys_libdeflate_gzip_decompress(sys_deflate_d, in->data, in->size, out, cap, &n) == 0 ? n : 0;
}

static size_t sys_lz4(const Buf *in, uint8_t *out, size_t cap) {
        /* the legacy container, walked the same way as ours */
        const uint8_t *p = in->data + 4, *end = in->data + in->size;
        size_t produced = 0;
        while (end - p >= 4) {
                uint32_t c;
                memcpy(&c, p, 4);
                p += 4;
                if (c == 0x184C2102u)
                        continue;
                if (c > (size_t) (end - p))
                        return 0;
                int n = sys_LZ4_decompress_safe((const char *) p, (char *) out + produced, (int) c,
                                                (int) (cap - produced < (8u << 20) ? cap - produced : (8u << 20)));
                if (n < 0)
                        return 0;
                produced += (size_t) n;
                p += c;
        }
        return produced;
}


static size_t sys_xz(const Buf *in, uint8_t *out, size_t cap) {
        uint64_t memlimit = UINT64_MAX;
        size_t in_pos = 0, out_pos = 0;
        return sys_lzma_stream_buffer_decode(&memlimit, 0, NULL, in->data, &in_pos, in->size, out, &out_pos, cap) ==
                               LZMA_OK ? out_pos : 0;
}

/* ---- our side --------------------------------------------------------------------------- */

static CompressionType ours_type;
static void *ours_work;
static size_t ours_work_size;

static size_t ours(const Buf *in, uint8_t *out, size_t cap) {
        size_t n;
        return decompress(ours_type, in->data, in->size, out, cap, &n, ours_work, ours_work_size) == DECOMPRESS_OK
                       ? n : 0;
}

typedef size_t (*Decoder)(const Buf *, uint8_t *, size_t);

static void verify(Decoder d, const Buf *in, const Buf *orig, uint8_t *out, const char *who) {
        memset(out, 0xa5, orig->size);
        size_t n = d(in, out, orig->size);
        if (n != orig->size || memcmp(out, orig->data, n) != 0) {
                fprintf(stderr, "%s: wrong output (%zu bytes, want %zu)\n", who, n, orig->size);
                exit(1);
        }
}

/* Median seconds of a and of b over `runs` alternating runs. */
static void median_pair(Decoder a, Decoder b, const Buf *in, const Buf *orig, uint8_t *out, int runs, double *ta,
                        double *tb) {
        double x[64], y[64];
        for (int i = 0; i < runs; i++) {
                double t0 = now();
                a(in, out, orig->size);
                double t1 = now();
                b(in, out, orig->size);
                x[i] = t1 - t0;
                y[i] = now() - t1;
        }
        qsort(x, (size_t) runs, sizeof(double), cmp_double);
        qsort(y, (size_t) runs, sizeof(double), cmp_double);
        *ta = x[runs / 2];
        *tb = y[runs / 2];
}

int main(int argc, char **argv) {
        int runs = 5, a = 1;
        for (;;) {
                if (argc > a + 1 && strcmp(argv[a], "-n") == 0) {
                        runs = atoi(argv[a + 1]);
                        a += 2;
                } else if (argc > a && strcmp(argv[a], "-c") == 0) {
                        clock_id = CLOCK_PROCESS_CPUTIME_ID;
                        a++;
                } else
                        break;
        }
        if (runs < 1 || runs > 64 || argc - a < 2) {
                fprintf(stderr, "usage: decompress-bench [-n RUNS(1..64)] [-c] ORIGINAL TYPE:COMPRESSED...\n");
                return 2;
        }
        sys_init();
        Buf orig = slurp(argv[a]);
        uint8_t *out = malloc(orig.size);
        printf("%s: %zu bytes, median of %d runs, MB/s of output%s\n", argv[a], orig.size, runs,
               clock_id == CLOCK_MONOTONIC ? "" : " per CPU second");
        printf("%-6s %11s %6s %12s %9s %-16s %9s %7s\n", "type", "compressed", "ratio", "ours_work", "ours",
               "system", "sys MB/s", "ours/sys");
        for (int i = a + 1; i < argc; i++) {
                char *colon = strchr(argv[i], ':');
                if (!colon) {
                        fprintf(stderr, "%s: want TYPE:FILE\n", argv[i]);
                        return 2;
                }
                *colon = '\0';
                const char *type = argv[i];
                Buf in = slurp(colon + 1);
                ours_type = compression_from_string(type);
                if (strcmp(type, "gzip") == 0 || strcmp(type, "lz4") == 0) {
                        /* kernel zboot payloads carry no extra trailer for gzip; lz4 files from
                         * `lz4 -l` are exactly the legacy container */
                }
                ours_work_size = decompress_workspace_size(ours_type, in.data, in.size);
                ours_work = ours_work_size ? aligned_alloc(64, (ours_work_size + 63) & ~(size_t) 63) : NULL;
                verify(ours, &in, &orig, out, "ours");
                struct {
                        const char *name;
                        Decoder d;
                } sys[2];
                int ns = 0;
                if (strcmp(type, "zstd") == 0)
                        sys[ns++] = (typeof(sys[0])) { "libzstd", sys_zstd };
                else if (strcmp(type, "gzip") == 0) {
                        sys[ns++] = (typeof(sys[0])) { "zlib inflate", sys_zlib };
                        sys[ns++] = (typeof(sys[0])) { "libdeflate (sys)", sys_libdeflate };
                } else if (strcmp(type, "lz4") == 0)
                        sys[ns++] = (typeof(sys[0])) { "liblz4", sys_lz4 };
                else if (strcmp(type, "xz") == 0)
                        sys[ns++] = (typeof(sys[0])) { "liblzma", sys_xz };
                double mb = (double) orig.size / 1e6;
                for (int s = 0; s < ns; s++) {
                        double t_ours, t_sys;
                        verify(sys[s].d, &in, &orig, out, sys[s].name);
                        median_pair(ours, sys[s].d, &in, &orig, out, runs, &t_ours, &t_sys);
                        printf("%-6s %11zu %5.1f%% %12zu %9.0f %-16s %9.0f %6.2fx\n", type, in.size,
                               100.0 * (double) in.size / (double) orig.size, ours_work_size, mb / t_ours,
                               sys[s].name, mb / t_sys, t_sys / t_ours);
                }
                free(ours_work);
                free(in.data);
        }
        free(out);
        free(orig.data);
        return 0;
}
