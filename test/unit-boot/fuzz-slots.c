/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: size, align shift, min, max, seed, then regions (start, size) pairs. Checks that a
 * chosen slot is aligned, inside [min, max), and inside one region. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint64_t hdr[5];
        if (size < sizeof(hdr))
                return 0;
        memcpy(hdr, data, sizeof(hdr));
        data += sizeof(hdr);
        size -= sizeof(hdr);

        size_t n = size / sizeof(SlotRegion);
        SlotRegion *r = malloc((n ? n : 1) * sizeof(SlotRegion));
        if (!r)
                return 0;
        memcpy(r, data, n * sizeof(SlotRegion));

        uint64_t want = hdr[0], align = UINT64_C(1) << (hdr[1] % 40), min = hdr[2], max = hdr[3], seed = hdr[4];
        uint64_t addr;
        for (int randomize = 0; randomize <= 1; randomize++) {
                if (!slots_choose(r, n, want, align, min, max, seed, randomize, &addr))
                        continue;
                if (addr % align || addr < min || addr > max || max - addr < want)
                        abort();
                int inside = 0;
                for (size_t i = 0; i < n; i++) {
                        uint64_t end = r[i].start + r[i].size < r[i].start ? UINT64_MAX : r[i].start + r[i].size;
                        if (addr >= r[i].start && addr <= end && end - addr >= want)
                                inside = 1;
                }
                if (!inside)
                        abort();
        }
        free(r);
        return 0;
}
