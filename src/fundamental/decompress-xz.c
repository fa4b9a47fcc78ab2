/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xz (.xz container; LZMA2 with the BCJ filters the kernel uses) and legacy .lzma, through
 * upstream liblzma's decoder, compiled freestanding from xz-utils' Debian source package
 * (src/upstream/meson.build): the same objects in the EFI binaries and the host tests.
 * The decoder's allocations are served from the caller's workspace by a bump allocator;
 * the workspace is the dictionary size plus a fixed margin, read from the stream header.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decompress.h"

/* lzma.h would include <inttypes.h>, which firmware builds do not have */
#define LZMA_MANUAL_HEADERS 1
#include <lzma.h>

#define XZ_MARGIN (1u << 20)

typedef struct {
        uint8_t *base;
        size_t size, used;
} Arena;

static void *arena_alloc(void *opaque, size_t nmemb, size_t size) {
        Arena *a = opaque;
        if (size && nmemb > SIZE_MAX / size)
                return NULL;
        size_t n = nmemb * size, start = (a->used + 63) & ~(size_t) 63;
        if (start > a->size || n > a->size - start)
                return NULL;
        a->used = start + n;
        return a->base + start;
}

static void arena_free(void *opaque, void *ptr) {
        (void) opaque, (void) ptr;
}

static size_t dict_workspace(uint64_t dict) {
        /* LZMA2/LZMA decoder state is the dictionary plus ~30 KiB of probability tables and
         * the filter chain; 1 MiB covers it with room to spare. Hostile headers are capped. */
        if (dict > (1u << 30))
                dict = 1u << 30;
        return (size_t) dict + XZ_MARGIN;
}

static bool read_vli(const uint8_t *p, size_t len, size_t *pos, uint64_t *ret) {
        uint64_t v = 0;
        for (unsigned i = 0; i < 9 && *pos < len; i++) {
                uint8_t b = p[(*pos)++];
                v |= (uint64_t) (b & 0x7f) << (7 * i);
                if (!(b & 0x80)) {
                        *ret = v;
                        return true;
                }
        }
        return false;
}

/* The LZMA2 dictionary size from the first block header of an .xz stream (the kernel's xz
 * streams have one block), or 0 if it cannot be found. */
static uint64_t xz_dict_size(const uint8_t *p, size_t len) {
        static const uint8_t magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
        if (len < 12 + 2 || memcmp(p, magic, 6) != 0)
                return 0;
        size_t hdr = 12, hsize = ((size_t) p[hdr] + 1) * 4;
        if (p[hdr] == 0 || hsize > len - hdr)
                return 0;
        const uint8_t *h = p + hdr;
        size_t pos = 1;
        uint8_t flags = h[pos++];
        uint64_t v;
        if ((flags & 0x40) && !read_vli(h, hsize, &pos, &v))
                return 0;
        if ((flags & 0x80) && !read_vli(h, hsize, &pos, &v))
                return 0;
        for (unsigned f = 0; f <= (flags & 3u); f++) {
                uint64_t id, psize;
                if (!read_vli(h, hsize, &pos, &id) || !read_vli(h, hsize, &pos, &psize) || psize > hsize - pos)
                        return 0;
                if (id == 0x21 && psize == 1) {
                        uint8_t d = h[pos];
                        if (d > 40)
                                return 0;
                        return d == 40 ? UINT32_MAX : (uint64_t) (2 | (d & 1)) << (d / 2 + 11);
                }
                pos += psize;
        }
        return 0;
}

size_t decompress_xz_workspace(CompressionType t, const void *in, size_t in_len) {
        if (!in)
                return XZ_MARGIN;
        const uint8_t *p = in;
        if (t == COMPRESSION_LZMA) {
                /* .lzma: properties byte, then the dictionary size */
                if (in_len < 5)
                        return XZ_MARGIN;
                return dict_workspace((uint32_t) p[1] | (uint32_t) p[2] << 8 | (uint32_t) p[3] << 16 |
                                      (uint32_t) p[4] << 24);
        }
        return dict_workspace(xz_dict_size(p, in_len));
}

DecompressResult decompress_xz(CompressionType t, const void *in, size_t in_len, void *out, size_t out_cap,
                               size_t *ret_out_len, void *work, size_t work_size) {
        Arena a = { work, work ? work_size : 0, 0 };
        lzma_allocator alloc = { arena_alloc, arena_free, &a };
        lzma_stream s = LZMA_STREAM_INIT;
        lzma_ret r;

        s.allocator = &alloc;
        if (t == COMPRESSION_LZMA)
                r = lzma_alone_decoder(&s, UINT64_MAX);
        else
                r = lzma_stream_decoder(&s, UINT64_MAX, 0);
        if (r != LZMA_OK)
                return r == LZMA_MEM_ERROR ? DECOMPRESS_NO_MEMORY : DECOMPRESS_UNSUPPORTED;

        s.next_in = in;
        s.avail_in = in_len;
        s.next_out = out;
        s.avail_out = out_cap;
        r = lzma_code(&s, LZMA_FINISH);
        DecompressResult res;
        switch (r) {
        case LZMA_STREAM_END:
                res = s.avail_in == 0 ? DECOMPRESS_OK : DECOMPRESS_CORRUPT;
                break;
        case LZMA_OK:
        case LZMA_BUF_ERROR:
                /* no progress possible: the input ended, or the output is full */
                res = s.avail_in == 0 ? DECOMPRESS_TRUNCATED : DECOMPRESS_OUTPUT_TOO_SMALL;
                break;
        case LZMA_MEM_ERROR:
        case LZMA_MEMLIMIT_ERROR:
                res = DECOMPRESS_NO_MEMORY;
                break;
        default:
                res = DECOMPRESS_CORRUPT;
                break;
        }
        if (res == DECOMPRESS_OK)
                *ret_out_len = out_cap - s.avail_out;
        lzma_end(&s);
        return res;
}
