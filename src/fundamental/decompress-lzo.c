/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lzo payloads: the lzop container (lzop.h, docs/format.md "lzo payloads") read here, every
 * offset checked against (in, in_len); its LZO1X blocks decoded by liblzo2's
 * lzo1x_decompress_safe() and its checksums computed by liblzo2's lzo_adler32()/lzo_crc32().
 * liblzo2 is GPL-2.0-or-later, so all of it is only compiled with -Dlzo=enabled (HAVE_LZO);
 * without it every entry point says "unsupported". No workspace: blocks decode straight into
 * the output, stored blocks are copied.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decompress.h"
#include "lzop.h"
#include "unaligned.h"

const char *lzop_strerror(LzopResult r) {
        switch (r) {
        case LZOP_OK:              return "success";
        case LZOP_TRUNCATED:       return "lzop header truncated";
        case LZOP_BAD_MAGIC:       return "no lzop magic";
        case LZOP_BAD_VERSION:     return "lzop version not readable";
        case LZOP_BAD_METHOD:      return "lzop method is not LZO1X";
        case LZOP_BAD_FLAGS:       return "lzop header has reserved flags, a filter or an extra field";
        case LZOP_HEADER_CHECKSUM: return "lzop header checksum mismatch";
        case LZOP_UNSUPPORTED:     return "lzo not built in (-Dlzo=enabled)";
        }
        return "unknown lzop error";
}

#if !defined(HAVE_LZO)

bool decompress_lzo_built(void) {
        return false;
}

LzopResult lzop_parse_header(const void *p, size_t n, LzopHeader *ret) {
        (void) p, (void) n, (void) ret;
        return LZOP_UNSUPPORTED;
}

DecompressResult decompress_lzo(const void *in, size_t in_len, void *out, size_t out_cap, size_t *ret_out_len) {
        (void) in, (void) in_len, (void) out, (void) out_cap, (void) ret_out_len;
        return DECOMPRESS_UNSUPPORTED;
}

#else
#include <lzo/lzo1x.h>

#define ADLER32_INIT 1u
#define CRC32_INIT 0u

/* The fuzz-decompress-lzo target (only it) is built with this libFuzzer convention so that
 * mutated inputs get past the checksums to the container walk and the block decoder; a
 * mismatch is still computed, only not acted on. Never defined in a shipped binary. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define SUM_MISMATCH(a, b) ((void) ((a) != (b)), false)
#else
#define SUM_MISMATCH(a, b) ((a) != (b))
#endif

bool decompress_lzo_built(void) {
        return true;
}

/* A bounded reader: every take checks what is left. */
typedef struct {
        const uint8_t *p;
        size_t n, pos;
} Cursor;

static bool take(Cursor *c, size_t k, const uint8_t **ret) {
        if (k > c->n - c->pos)
                return false;
        *ret = c->p + c->pos;
        c->pos += k;
        return true;
}

static bool take8(Cursor *c, uint8_t *ret) {
        const uint8_t *q;
        if (!take(c, 1, &q))
                return false;
        *ret = q[0];
        return true;
}

static bool take16(Cursor *c, uint16_t *ret) {
        const uint8_t *q;
        if (!take(c, 2, &q))
                return false;
        *ret = get_be16(q);
        return true;
}

static bool take32(Cursor *c, uint32_t *ret) {
        const uint8_t *q;
        if (!take(c, 4, &q))
                return false;
        *ret = get_be32(q);
        return true;
}

LzopResult lzop_parse_header(const void *p, size_t n, LzopHeader *ret) {
        Cursor c = { .p = p, .n = p ? n : 0 };
        LzopHeader h = {};
        const uint8_t *q;

        if (!take(&c, LZOP_MAGIC_LEN, &q))
                return n > 0 && p && memcmp(p, LZOP_MAGIC, n < LZOP_MAGIC_LEN ? n : LZOP_MAGIC_LEN) != 0 ?
                               LZOP_BAD_MAGIC : LZOP_TRUNCATED;
        if (memcmp(q, LZOP_MAGIC, LZOP_MAGIC_LEN) != 0)
                return LZOP_BAD_MAGIC;

        /* the header checksum covers everything from the version to before the checksum */
        size_t sum_from = c.pos;
        if (!take16(&c, &h.version) || !take16(&c, &h.lib_version))
                return LZOP_TRUNCATED;
        if (h.version < 0x0900)         /* the first public lzop */
                return LZOP_BAD_VERSION;
        h.version_needed = 0x0900;
        if (h.version >= LZOP_VERSION_LEVEL) {
                if (!take16(&c, &h.version_needed))
                        return LZOP_TRUNCATED;
                if (h.version_needed < 0x0900)
                        return LZOP_BAD_VERSION;
        }
        if (!take8(&c, &h.method))
                return LZOP_TRUNCATED;
        if (h.version >= LZOP_VERSION_LEVEL && !take8(&c, &h.level))
                return LZOP_TRUNCATED;
        if (!take32(&c, &h.flags))
                return LZOP_TRUNCATED;
        /* A filter word would follow here: the kernel does not undo filters, so neither do we. */
        if ((h.flags & ~LZOP_F_DEFINED) || (h.flags & (LZOP_F_H_FILTER | LZOP_F_H_EXTRA)))
                return LZOP_BAD_FLAGS;
        if (!take32(&c, &h.mode) || !take32(&c, &h.mtime_low))
                return LZOP_TRUNCATED;
        if (h.version >= LZOP_VERSION_LEVEL && !take32(&c, &h.mtime_high))
                return LZOP_TRUNCATED;
        if (!take8(&c, &h.name_len) || !take(&c, h.name_len, &q))
                return LZOP_TRUNCATED;
        size_t sum_len = c.pos - sum_from;
        if (!take32(&c, &h.header_checksum))
                return LZOP_TRUNCATED;

        const uint8_t *covered = (const uint8_t *) p + sum_from;
        uint32_t want = (h.flags & LZOP_F_H_CRC32) ? lzo_crc32(CRC32_INIT, covered, sum_len) :
                                                     lzo_adler32(ADLER32_INIT, covered, sum_len);
        if (SUM_MISMATCH(want, h.header_checksum))
                return LZOP_HEADER_CHECKSUM;
        if (h.method != LZOP_M_LZO1X_1 && h.method != LZOP_M_LZO1X_1_15 && h.method != LZOP_M_LZO1X_999)
                return LZOP_BAD_METHOD;

        h.header_len = c.pos;
        if (ret)
                *ret = h;
        return LZOP_OK;
}

static DecompressResult header_result(LzopResult r) {
        return r == LZOP_TRUNCATED ? DECOMPRESS_TRUNCATED : DECOMPRESS_CORRUPT;
}

/* Checksums of one block, as the flags say; false on a mismatch. */
static bool block_sums_ok(const uint8_t *data, size_t len, bool want_adler, uint32_t adler, bool want_crc,
                          uint32_t crc) {
        if (want_adler && SUM_MISMATCH(lzo_adler32(ADLER32_INIT, data, len), adler))
                return false;
        if (want_crc && SUM_MISMATCH(lzo_crc32(CRC32_INIT, data, len), crc))
                return false;
        return true;
}

DecompressResult decompress_lzo(const void *in, size_t in_len, void *out, size_t out_cap, size_t *ret_out_len) {
        LzopHeader h;
        LzopResult hr = lzop_parse_header(in, in_len, &h);
        if (hr != LZOP_OK)
                return header_result(hr);

        Cursor c = { .p = in, .n = in_len, .pos = h.header_len };
        uint8_t *o = out;
        size_t produced = 0;

        for (;;) {
                uint32_t dst_len, src_len, d_adler = 0, d_crc = 0, c_adler = 0, c_crc = 0;
                const uint8_t *data;

                if (!take32(&c, &dst_len))
                        return DECOMPRESS_TRUNCATED;
                if (dst_len == 0)
                        break;                  /* end of stream */
                /* 0xffffffff marks a split file; anything over the block size, corruption */
                if (dst_len > LZOP_BLOCK_MAX)
                        return DECOMPRESS_CORRUPT;
                if (!take32(&c, &src_len))
                        return DECOMPRESS_TRUNCATED;
                if (src_len == 0 || src_len > dst_len)
                        return DECOMPRESS_CORRUPT;
                bool stored = src_len == dst_len;
                if ((h.flags & LZOP_F_ADLER32_D) && !take32(&c, &d_adler))
                        return DECOMPRESS_TRUNCATED;
                if ((h.flags & LZOP_F_CRC32_D) && !take32(&c, &d_crc))
                        return DECOMPRESS_TRUNCATED;
                /* checksums of the compressed data are only written for compressed blocks */
                if (!stored && (h.flags & LZOP_F_ADLER32_C) && !take32(&c, &c_adler))
                        return DECOMPRESS_TRUNCATED;
                if (!stored && (h.flags & LZOP_F_CRC32_C) && !take32(&c, &c_crc))
                        return DECOMPRESS_TRUNCATED;
                if (!take(&c, src_len, &data))
                        return DECOMPRESS_TRUNCATED;
                if (!stored && !block_sums_ok(data, src_len, h.flags & LZOP_F_ADLER32_C, c_adler,
                                              h.flags & LZOP_F_CRC32_C, c_crc))
                        return DECOMPRESS_CORRUPT;

                if (dst_len > out_cap - produced)
                        return DECOMPRESS_OUTPUT_TOO_SMALL;
                uint8_t *dst = o + produced;
                if (stored)
                        memcpy(dst, data, src_len);
                else {
                        lzo_uint got = dst_len;
                        int r = lzo1x_decompress_safe(data, src_len, dst, &got, NULL);
                        /* a block that needs more output than its stated size, or stops short of
                         * it, or leaves input over: all corruption */
                        if (r != LZO_E_OK || got != dst_len)
                                return DECOMPRESS_CORRUPT;
                }
                if (!block_sums_ok(dst, dst_len, h.flags & LZOP_F_ADLER32_D, d_adler, h.flags & LZOP_F_CRC32_D,
                                   d_crc))
                        return DECOMPRESS_CORRUPT;
                produced += dst_len;
        }
        /* The payload size says where the stream ends: nothing may follow the end marker. */
        if (c.pos != c.n)
                return DECOMPRESS_CORRUPT;
        *ret_out_len = produced;
        return DECOMPRESS_OK;
}

#endif
