/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * zstd through upstream libzstd's single-shot decoder: a static DCtx in the caller's
 * workspace (ZSTD_initStaticDCtx, nothing allocated) and the output buffer itself as the
 * window, so a decode needs ZSTD_estimateDCtxSize() bytes (~160 KiB) beyond the output.
 * Handles concatenated and skippable frames, with or without a content size.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include "decompress.h"

size_t decompress_zstd_workspace(void) {
        return ZSTD_estimateDCtxSize();
}

DecompressResult decompress_zstd(const void *in, size_t in_len, void *out, size_t out_cap, size_t *ret_out_len,
                                 void *work, size_t work_size) {
        if (!work || ((uintptr_t) work & 7) || work_size < ZSTD_estimateDCtxSize())
                return DECOMPRESS_NO_MEMORY;
        ZSTD_DCtx *d = ZSTD_initStaticDCtx(work, work_size);
        if (!d)
                return DECOMPRESS_NO_MEMORY;
        /* The kernel's zstd22 uses windows up to 2^27; accept what the format allows: the
         * window is the output buffer, whose size the caller already bounded. */
        if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, ZSTD_WINDOWLOG_MAX)))
                return DECOMPRESS_NO_MEMORY;
        if (in_len == 0)
                return DECOMPRESS_TRUNCATED;

        size_t r = ZSTD_decompressDCtx(d, out, out_cap, in, in_len);
        if (!ZSTD_isError(r)) {
                *ret_out_len = r;
                return DECOMPRESS_OK;
        }
        switch (ZSTD_getErrorCode(r)) {
        case ZSTD_error_dstSize_tooSmall:
                return DECOMPRESS_OUTPUT_TOO_SMALL;
        case ZSTD_error_srcSize_wrong:
                /* Also returned for a truncated frame header or block. */
                return DECOMPRESS_TRUNCATED;
        case ZSTD_error_memory_allocation:
        case ZSTD_error_workSpace_tooSmall:
                return DECOMPRESS_NO_MEMORY;
        default:
                return DECOMPRESS_CORRUPT;
        }
}
