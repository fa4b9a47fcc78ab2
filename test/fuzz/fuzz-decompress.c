/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: one decoder (FUZZ_TYPE) on arbitrary input; the output room is bounded, so a
 * stream that wants more must say so rather than write past it. */
#include <stdlib.h>
#include <string.h>

#include "decompress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static uint8_t out[1 << 20];
        static void *work;
        static size_t work_size;
        size_t need = decompress_workspace_size(FUZZ_TYPE, data, size), n = 0;
        if (need > work_size) {
                free(work);
                work = aligned_alloc(64, (need + 63) & ~(size_t) 63);
                work_size = need;
        }
        DecompressResult r = decompress(FUZZ_TYPE, data, size, out, sizeof(out), &n, work, need);
        if (r == DECOMPRESS_OK && n > sizeof(out))
                __builtin_trap();
        return 0;
}
