/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lz4 in the kernel's *legacy* container (`lz4 -l`): magic 0x184C2102, then blocks of
 * [le32 compressed size][LZ4 block], each decoding to 8 MiB except the last. A size field
 * equal to the magic starts a concatenated stream. The blocks are decoded by upstream lz4's
 * LZ4_decompress_safe() (bounds-checked on both sides); this file only walks the container.
 * No workspace needed. The LZ4 frame format (0x184D2204) is not accepted: the kernel never
 * writes it.
 */
#include <string.h>

#include <lz4.h>

#include "decompress.h"
#include "unaligned.h"

#define LZ4_LEGACY_MAGIC 0x184C2102u
#define LZ4_LEGACY_BLOCK (8u << 20)

DecompressResult decompress_lz4(const void *in, size_t in_len, void *out, size_t out_cap, size_t *ret_out_len) {
        const uint8_t *p = in, *end = p + in_len;
        uint8_t *o = out;
        size_t produced = 0;

        if (in_len < 4)
                return DECOMPRESS_TRUNCATED;
        if (get_le32(p) != LZ4_LEGACY_MAGIC)
                return DECOMPRESS_CORRUPT;
        p += 4;
        if (p == end)
                return DECOMPRESS_TRUNCATED;    /* a magic and no block: never a kernel */

        while (p < end) {
                if ((size_t) (end - p) < 4)
                        return DECOMPRESS_TRUNCATED;
                uint32_t csize = get_le32(p);
                p += 4;
                if (csize == LZ4_LEGACY_MAGIC)
                        continue;               /* next concatenated stream */
                if (csize == 0 || csize > (uint32_t) LZ4_compressBound(LZ4_LEGACY_BLOCK))
                        return DECOMPRESS_CORRUPT;
                if (csize > (size_t) (end - p))
                        return DECOMPRESS_TRUNCATED;

                size_t room = out_cap - produced;
                int cap = (int) (room < LZ4_LEGACY_BLOCK ? room : LZ4_LEGACY_BLOCK);
                /* out may be NULL when out_cap is 0 (no arithmetic on it then; lz4 does not touch
                 * its destination for a capacity of 0) */
                char *dst = o ? (char *) o + produced : NULL;
                int n = LZ4_decompress_safe((const char *) p, dst, (int) csize, cap);
                if (n < 0) {
                        /* Out of room, or corrupt? If the block decodes cleanly up to all the
                         * room there is, the stream simply wants more output. */
                        if (room < LZ4_LEGACY_BLOCK &&
                            LZ4_decompress_safe_partial((const char *) p, dst, (int) csize, cap,
                                                        cap) == cap)
                                return DECOMPRESS_OUTPUT_TOO_SMALL;
                        return DECOMPRESS_CORRUPT;
                }
                produced += (size_t) n;
                p += csize;
                /* Only the last block may be short. */
                if ((size_t) n < LZ4_LEGACY_BLOCK && p < end && (size_t) (end - p) >= 4 &&
                    get_le32(p) != LZ4_LEGACY_MAGIC)
                        return DECOMPRESS_CORRUPT;
        }
        *ret_out_len = produced;
        return DECOMPRESS_OK;
}
