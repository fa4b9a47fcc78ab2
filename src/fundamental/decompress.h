/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One bounded, whole-buffer decompression API over the upstream libraries (zstd, libdeflate,
 * lz4, liblzma). Never reads past in_len, never writes past out_cap, no hidden allocation:
 * all scratch memory comes from the caller's (work, work_size), sized by
 * decompress_workspace_size(). Not reentrant (the libdeflate allocator hook is global). After a
 * gzip call that hook refuses every allocation (the core has no libc allocator to restore), so
 * host code that uses libdeflate directly calls libdeflate_set_memory_allocator(malloc, free)
 * before it allocates (compress.c, the tests).
 * See docs/decompression.md.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
        COMPRESSION_NONE,
        COMPRESSION_GZIP,
        COMPRESSION_ZSTD,
        COMPRESSION_LZ4,
        COMPRESSION_XZ,
        COMPRESSION_LZMA,
        COMPRESSION_LZO,                  /* lzop container; only with -Dlzo=enabled (decompress-lzo.c) */
        _COMPRESSION_MAX,
        _COMPRESSION_INVALID = -1,
} CompressionType;

typedef enum {
        DECOMPRESS_OK = 0,
        DECOMPRESS_TRUNCATED = -1,        /* input ends before the stream does */
        DECOMPRESS_CORRUPT = -2,          /* malformed stream, checksum mismatch, trailing garbage */
        DECOMPRESS_OUTPUT_TOO_SMALL = -3, /* the stream decodes to more than out_cap */
        DECOMPRESS_UNSUPPORTED = -4,      /* type not built into this binary, or unknown */
        DECOMPRESS_NO_MEMORY = -5,        /* workspace too small */
} DecompressResult;

/* The decoders this binary is built with: all by default; a one-decoder zboot stub is built
 * with the others set to 0 (-DDECOMPRESS_WITH_ZSTD=0 ..., src/boot/zboot/meson.build), so the
 * dispatch references, and the linker pulls in, only its own upstream library. XZ covers both
 * liblzma formats (xzkern and lzma); LZO also needs -Dlzo=enabled (HAVE_LZO). */
#ifndef DECOMPRESS_WITH_GZIP
#define DECOMPRESS_WITH_GZIP 1
#endif
#ifndef DECOMPRESS_WITH_ZSTD
#define DECOMPRESS_WITH_ZSTD 1
#endif
#ifndef DECOMPRESS_WITH_LZ4
#define DECOMPRESS_WITH_LZ4 1
#endif
#ifndef DECOMPRESS_WITH_XZ
#define DECOMPRESS_WITH_XZ 1
#endif
#ifndef DECOMPRESS_WITH_LZO
#define DECOMPRESS_WITH_LZO 1
#endif

/* zboot names: "gzip", "zstd", "zstd22", "lz4", "xzkern", "lzma", "lzo" (also "xz", "none"). */
CompressionType compression_from_string(const char *s);
/* The zboot label we write (what current kernels write): zstd -> "zstd", xz -> "xzkern". NULL for invalid types. */
const char *compression_to_string(CompressionType t);
/* Whether this binary can decode the type (lzo: only built with -Dlzo=enabled). */
bool compression_supported(CompressionType t);
/* For a type this build cannot decode but another build could: what to build with (lzo:
 * "-Dlzo=enabled"); NULL otherwise. For error messages. */
const char *compression_build_option(CompressionType t);

/* A set of compression types, bit (1u << type): the decoders a zboot stub carries. */
typedef uint32_t DecoderSet;
#define DECODER_SET(t) (1u << (unsigned) (t))
/* The decoders of this binary (compression_supported() for each type; none is always in). */
DecoderSet decoder_set_built(void);
/* A zboot stub's .zdec section (docs/design.md "One stub per compression"): the zboot labels
 * it decodes, each once and in type order, separated by one space, ended by "\n"; NUL padding may follow.
 * Parses (p, len): false if the text is malformed (no "\n", an unknown or repeated label, an
 * empty list, bytes after the "\n" other than NUL). "none" is implied, never listed. */
bool decoder_set_parse(const void *p, size_t len, DecoderSet *ret);
/* The same text for s, NUL-terminated, into buf; 0 if it does not fit (or s is empty). */
size_t decoder_set_format(DecoderSet s, char *buf, size_t cap);

/* Scratch bytes a decode of this stream needs. May look at the stream header (xz, lzma: the
 * dictionary size). Returns 0 if the type is unsupported. */
size_t decompress_workspace_size(CompressionType t, const void *in, size_t in_len);

DecompressResult decompress(CompressionType t, const void *in, size_t in_len, void *out, size_t out_cap,
                            size_t *ret_out_len, void *work, size_t work_size);

const char *decompress_strerror(DecompressResult r);

/* Per-backend entry points (decompress-*.c), same contract as decompress(). */
size_t decompress_zstd_workspace(void);
DecompressResult decompress_zstd(const void *in, size_t in_len, void *out, size_t out_cap, size_t *ret_out_len,
                                 void *work, size_t work_size);
size_t decompress_gzip_workspace(void);
DecompressResult decompress_gzip(const void *in, size_t in_len, void *out, size_t out_cap, size_t *ret_out_len,
                                 void *work, size_t work_size);
DecompressResult decompress_lz4(const void *in, size_t in_len, void *out, size_t out_cap, size_t *ret_out_len);
/* lzo: the lzop container (lzop -9, Makefile.zboot) around LZO1X blocks; no workspace. */
DecompressResult decompress_lzo(const void *in, size_t in_len, void *out, size_t out_cap, size_t *ret_out_len);
bool decompress_lzo_built(void);
size_t decompress_xz_workspace(CompressionType t, const void *in, size_t in_len);
DecompressResult decompress_xz(CompressionType t, const void *in, size_t in_len, void *out, size_t out_cap,
                               size_t *ret_out_len, void *work, size_t work_size);
