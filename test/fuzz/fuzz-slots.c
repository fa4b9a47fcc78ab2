/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: size, align shift, min, max, seed, then regions (start, size) pairs. Checks that a
 * chosen slot is aligned, inside [min, max), and inside one region. The same bytes are then
 * read as an EFI memory map (descriptor size from the align word): a slot chosen there must
 * lie in one EfiConventionalMemory descriptor of a map efi_map_check() accepted. */
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

        size_t desc_size = EFI_MAP_DESC_MIN_SIZE + 8 * ((hdr[1] >> 8) % 4), map_size = size - size % desc_size;
        size_t bad;
        EfiMapResult mr = efi_map_check(data, map_size, desc_size, &bad);
        if (mr != EFI_MAP_OK && map_size > 0 && bad >= map_size / desc_size)
                abort();
        for (int randomize = 0; randomize <= 1; randomize++) {
                if (!slots_choose_efi(data, map_size, desc_size, EFI_MAP_CONVENTIONAL, want, align, min, max, seed,
                                      randomize, &addr))
                        continue;
                if (mr != EFI_MAP_OK || addr % align || addr < min || addr > max || max - addr < want)
                        abort();
                int inside = 0;
                for (size_t i = 0; i < map_size / desc_size; i++) {
                        uint32_t type;
                        uint64_t start, pages;
                        memcpy(&type, data + i * desc_size, 4);
                        memcpy(&start, data + i * desc_size + 8, 8);
                        memcpy(&pages, data + i * desc_size + 24, 8);
                        uint64_t end = start + pages * 4096 < start ? UINT64_MAX : start + pages * 4096;
                        if (type == EFI_MAP_CONVENTIONAL && addr >= start && addr <= end && end - addr >= want)
                                inside = 1;
                }
                if (!inside)
                        abort();
        }
        return 0;
}
