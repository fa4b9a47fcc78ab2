/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "slots.h"

/* Slots of one region: [first, last] aligned starts. False if none. */
static bool region_slots(const SlotRegion *r, uint64_t size, uint64_t align, uint64_t min_addr, uint64_t max_addr,
                         uint64_t *ret_first, uint64_t *ret_n) {
        uint64_t start = r->start, end;

        if (__builtin_add_overflow(r->start, r->size, &end))
                end = UINT64_MAX;
        if (start < min_addr)
                start = min_addr;
        if (end > max_addr)
                end = max_addr;
        if (start >= end)
                return false;

        uint64_t first;
        if (__builtin_add_overflow(start, align - 1, &first))
                return false;
        first &= ~(align - 1);
        if (first >= end || end - first < size)
                return false;

        *ret_first = first;
        *ret_n = (end - first - size) / align + 1;
        return true;
}

uint64_t slots_count(const SlotRegion *regions, size_t n_regions, uint64_t size, uint64_t align,
                     uint64_t min_addr, uint64_t max_addr) {
        uint64_t total = 0;

        if (size == 0 || align == 0 || (align & (align - 1)))
                return 0;
        for (size_t i = 0; i < n_regions; i++) {
                uint64_t first, n;
                if (!region_slots(&regions[i], size, align, min_addr, max_addr, &first, &n))
                        continue;
                if (__builtin_add_overflow(total, n, &total))
                        return UINT64_MAX;
        }
        return total;
}

bool slots_choose(const SlotRegion *regions, size_t n_regions, uint64_t size, uint64_t align, uint64_t min_addr,
                  uint64_t max_addr, uint64_t seed, bool randomize, uint64_t *ret_addr) {
        uint64_t total = slots_count(regions, n_regions, size, align, min_addr, max_addr);
        if (total == 0)
                return false;

        uint64_t pick = randomize ? (uint64_t) (((unsigned __int128) seed * total) >> 64) : 0;
        uint64_t lowest = UINT64_MAX;

        /* Regions need not be sorted: without randomize, take the lowest address overall;
         * with it, walk regions in the given order (the count defines a uniform choice either
         * way). */
        for (size_t i = 0; i < n_regions; i++) {
                uint64_t first, n;
                if (!region_slots(&regions[i], size, align, min_addr, max_addr, &first, &n))
                        continue;
                if (!randomize) {
                        if (first < lowest)
                                lowest = first;
                        continue;
                }
                if (pick < n) {
                        *ret_addr = first + pick * align;
                        return true;
                }
                pick -= n;
        }
        if (!randomize && lowest != UINT64_MAX) {
                *ret_addr = lowest;
                return true;
        }
        return false;
}
