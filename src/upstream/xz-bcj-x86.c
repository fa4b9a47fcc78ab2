/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liblzma's x86 BCJ filter as one call over a buffer, for the native x86 payload's filter stage
 * (src/fundamental/x86-filter.c, docs/format.md §4). liblzma 5.7.1 and later export it as
 * lzma_bcj_x86_encode/decode(); older ones (Debian 12 and upstream-src: 5.4.1) only have it
 * inside the streaming filter chain, so this file compiles the library's own simple/x86.c into
 * itself and calls its x86_code() once with the state the streaming coder starts from. The
 * coder glue in that file (x86_coder_init and the two lzma_simple_x86_*_init) is renamed so
 * this object neither clashes with the full liblzma (the xz stub, the host programs) nor
 * needs it: a stub that decodes zstd only links this one object (a few hundred bytes of code).
 */
#include "xz-bcj-x86.h"

/* liblzma's internal header (config.h, then lzma.h with the library's own LZMA_API): the
 * version decides which of the two ways below is there */
#include "common.h"

#if LZMA_VERSION >= 50070010   /* 5.7.1alpha */

size_t zb_bcj_x86_decode(uint32_t start_offset, uint8_t *buf, size_t size) {
        return lzma_bcj_x86_decode(start_offset, buf, size);
}

size_t zb_bcj_x86_encode(uint32_t start_offset, uint8_t *buf, size_t size) {
        return lzma_bcj_x86_encode(start_offset, buf, size);
}

#else

#define lzma_simple_x86_encoder_init zb_bcj_unused_encoder_init
#define lzma_simple_x86_decoder_init zb_bcj_unused_decoder_init
#define lzma_simple_coder_init zb_bcj_unused_coder_init
#include "simple/x86.c"

/* Never called (only the renamed init functions above refer to it); defined so the object has
 * no reference into the rest of liblzma. */
lzma_ret zb_bcj_unused_coder_init(lzma_next_coder *next, const lzma_allocator *allocator,
                                  const lzma_filter_info *filters,
                                  size_t (*filter)(void *simple, uint32_t now_pos, bool is_encoder, uint8_t *buffer,
                                                   size_t size),
                                  size_t simple_size, size_t unfiltered_max, uint32_t alignment, bool is_encoder) {
        (void) next, (void) allocator, (void) filters, (void) filter, (void) simple_size, (void) unfiltered_max,
                (void) alignment, (void) is_encoder;
        return LZMA_PROG_ERROR;
}

static size_t bcj_x86(uint32_t start_offset, bool encode, uint8_t *buf, size_t size) {
        /* what the streaming coder's init sets: no previous match, the last one "5 bytes before" */
        lzma_simple_x86 s = { .prev_mask = 0, .prev_pos = (uint32_t) -5 };
        return x86_code(&s, start_offset, encode, buf, size);
}

size_t zb_bcj_x86_decode(uint32_t start_offset, uint8_t *buf, size_t size) {
        return bcj_x86(start_offset, false, buf, size);
}

size_t zb_bcj_x86_encode(uint32_t start_offset, uint8_t *buf, size_t size) {
        return bcj_x86(start_offset, true, buf, size);
}

#endif
