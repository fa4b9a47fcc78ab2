/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gzip (one RFC 1952 member, CRC32 and ISIZE verified) through upstream libdeflate's
 * whole-buffer decoder. libdeflate allocates its decompressor (~11 KiB) through its allocator
 * hook: we point it at a bump arena over the caller's workspace for the duration of the call,
 * so nothing is allocated behind the caller's back. The hook is left on the arena, which
 * refuses every allocation outside a call: the pure core has no libc allocator to hand back
 * (no <stdlib.h>), so host code that allocates through libdeflate itself sets its allocator
 * first (decompress.h).
 *
 * libdeflate reports truncated and corrupt input alike (LIBDEFLATE_BAD_DATA); we call it
 * truncated when the input stops before a complete member could have ended (shorter than the
 * 18-byte minimum member), corrupt otherwise, and say so in docs/decompression.md.
 */
#include <string.h>

#include <libdeflate.h>

#include "decompress.h"

#define GZIP_WORKSPACE (64u * 1024u)

typedef struct {
        uint8_t *base;
        size_t size, used;
} Arena;

/* The arena is the caller's (decompress_gzip's frame, over the caller's workspace); only this
 * pointer to it is global, and only during a call, because libdeflate forces it: the hook of
 * the libdeflate we build (1.14, Debian 12) is process-wide, libdeflate_set_memory_allocator(),
 * and its malloc_func(size_t) has no context argument (nor has the per-decompressor allocator
 * of later releases, struct libdeflate_options). Hence decompress() is not reentrant (decompress.h). */
static Arena *arena_current;

static void *arena_malloc(size_t n) {
        Arena *a = arena_current;
        if (!a)
                return NULL;
        size_t start = (a->used + 63) & ~(size_t) 63;
        if (!a->base || start > a->size || n > a->size - start)
                return NULL;
        a->used = start + n;
        return a->base + start;
}

static void arena_free(void *p) {
        (void) p; /* the whole arena goes away with the call */
}

size_t decompress_gzip_workspace(void) {
        return GZIP_WORKSPACE;
}

DecompressResult decompress_gzip(const void *in, size_t in_len, void *out, size_t out_cap, size_t *ret_out_len,
                                 void *work, size_t work_size) {
        DecompressResult res;

        if (in_len < 18)
                return DECOMPRESS_TRUNCATED;

        Arena arena = { .base = work, .size = work ? work_size : 0 };
        arena_current = &arena;
        libdeflate_set_memory_allocator(arena_malloc, arena_free);
        struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
        if (!d) {
                res = DECOMPRESS_NO_MEMORY;
                goto done;
        }

        size_t consumed = 0, produced = 0;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(d, in, in_len, out, out_cap, &consumed, &produced);
        switch (r) {
        case LIBDEFLATE_SUCCESS:
                /* One member, nothing after it: trailing bytes are not ours to ignore. */
                if (consumed != in_len) {
                        res = DECOMPRESS_CORRUPT;
                        break;
                }
                *ret_out_len = produced;
                res = DECOMPRESS_OK;
                break;
        case LIBDEFLATE_INSUFFICIENT_SPACE:
                res = DECOMPRESS_OUTPUT_TOO_SMALL;
                break;
        default:
                res = DECOMPRESS_CORRUPT;
                break;
        }
        libdeflate_free_decompressor(d);
done:
        arena_current = NULL;   /* from now on the hook refuses */
        return res;
}
