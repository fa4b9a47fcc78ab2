/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "decompress.h"
#include "zboot-decode.h"

ZbootResult zboot_gzip_old_rule(const ZbootInfo *z, const void *payload, size_t avail, void *out, size_t out_cap,
                                void *work, size_t work_size) {
        size_t stream_len;
        uint64_t size;
        if (zboot_old_gzip_layout(z, payload, avail, &stream_len, &size) != ZBOOT_OK || size > out_cap)
                return ZBOOT_BAD_ARGUMENT;
        size_t got = 0;
        /* the gzip decoder verifies CRC32 and ISIZE and refuses input left over after the member */
        if (decompress(COMPRESSION_GZIP, payload, stream_len, out, (size_t) size, &got, work, work_size) ==
                    DECOMPRESS_OK && got == size)
                return ZBOOT_GZIP_OLD_RULE;
        return ZBOOT_OK;
}
