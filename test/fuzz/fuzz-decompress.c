/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: one decoder (FUZZ_TYPE) on arbitrary input; the output room is bounded, so a
 * stream that wants more must say so rather than write past it. */
#include <stdlib.h>
#include <string.h>

#include "decompress.h"

/* A stream header can ask for a workspace of up to 1 GiB (an xz dictionary); allocating that
 * for every such input made the campaign time out in the allocator. Above this cap the decoder
 * gets the capped workspace instead: it must then refuse the stream, never write past it. */
#define WORK_CAP ((size_t) 64 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static uint8_t out[1 << 20];
        static void *work;
        static size_t work_size;
        size_t need = decompress_workspace_size(FUZZ_TYPE, data, size), n = 0;
        size_t give = need > WORK_CAP ? WORK_CAP : need;
        if (give > work_size) {
                free(work);
                work = aligned_alloc(64, (give + 63) & ~(size_t) 63);
                work_size = give;
        }
        DecompressResult r = decompress(FUZZ_TYPE, data, size, out, sizeof(out), &n, work, give);
        if (r == DECOMPRESS_OK && n > sizeof(out))
                __builtin_trap();
        return 0;
}
