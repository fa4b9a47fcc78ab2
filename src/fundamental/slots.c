/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "slots.h"
#include "unaligned.h"

/* Where the regions come from: an array of SlotRegion, or the descriptors of one type in an
 * EFI memory map (already checked with efi_map_check). */
typedef struct {
        const SlotRegion *regions;
        const uint8_t *map;
        size_t n, desc_size;
        uint32_t type;
} RegionSource;

/* Region i of the source; false if it is not one (another memory type). */
static bool source_get(const RegionSource *src, size_t i, SlotRegion *ret) {
        if (src->regions) {
                *ret = src->regions[i];
                return true;
        }
        const uint8_t *d = src->map + i * src->desc_size;
        if (get_le32(d) != src->type)
                return false;
        /* efi_map_check() made sure this does not overflow */
        *ret = (SlotRegion) { .start = get_le64(d + 8), .size = get_le64(d + 24) * EFI_MAP_PAGE_SIZE };
        return true;
}

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

static uint64_t source_count(const RegionSource *src, uint64_t size, uint64_t align, uint64_t min_addr,
                             uint64_t max_addr) {
        uint64_t total = 0;

        if (size == 0 || align == 0 || (align & (align - 1)))
                return 0;
        for (size_t i = 0; i < src->n; i++) {
                SlotRegion r;
                uint64_t first, n;
                if (!source_get(src, i, &r) || !region_slots(&r, size, align, min_addr, max_addr, &first, &n))
                        continue;
                if (__builtin_add_overflow(total, n, &total))
                        return UINT64_MAX;
        }
        return total;
}

static bool source_choose(const RegionSource *src, uint64_t size, uint64_t align, uint64_t min_addr,
                          uint64_t max_addr, uint64_t seed, bool randomize, uint64_t *ret_addr) {
        uint64_t total = source_count(src, size, align, min_addr, max_addr);
        if (total == 0)
                return false;

        uint64_t pick = randomize ? (uint64_t) (((unsigned __int128) seed * total) >> 64) : 0;
        uint64_t lowest = UINT64_MAX;

        /* Regions need not be sorted: without randomize, take the lowest address overall;
         * with it, walk regions in the given order (the count defines a uniform choice either
         * way). */
        for (size_t i = 0; i < src->n; i++) {
                SlotRegion r;
                uint64_t first, n;
                if (!source_get(src, i, &r) || !region_slots(&r, size, align, min_addr, max_addr, &first, &n))
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

uint64_t slots_count(const SlotRegion *regions, size_t n_regions, uint64_t size, uint64_t align,
                     uint64_t min_addr, uint64_t max_addr) {
        RegionSource src = { .regions = regions, .n = n_regions };
        return source_count(&src, size, align, min_addr, max_addr);
}

bool slots_choose(const SlotRegion *regions, size_t n_regions, uint64_t size, uint64_t align, uint64_t min_addr,
                  uint64_t max_addr, uint64_t seed, bool randomize, uint64_t *ret_addr) {
        RegionSource src = { .regions = regions, .n = n_regions };
        return source_choose(&src, size, align, min_addr, max_addr, seed, randomize, ret_addr);
}

/* ---- the firmware's memory map ---------------------------------------------------------- */

/* [start, end) of descriptor d; false if it wraps (end == 0 means 2^64 exactly is allowed). */
static bool desc_range(const uint8_t *d, uint64_t *ret_start, uint64_t *ret_end, bool *ret_empty) {
        uint64_t start = get_le64(d + 8), pages = get_le64(d + 24);
        *ret_start = start;
        *ret_empty = pages == 0;
        if (pages > (UINT64_MAX >> 12))
                return false;
        uint64_t len = pages * EFI_MAP_PAGE_SIZE;
        if (len > 0 && len - 1 > UINT64_MAX - start)
                return false;
        *ret_end = start + (len - 1);   /* inclusive end: the top page of the space is fine */
        return true;
}

EfiMapResult efi_map_check(const void *map, size_t map_size, size_t desc_size, size_t *ret_index) {
        const uint8_t *m = map;
        size_t dummy;

        if (!ret_index)
                ret_index = &dummy;
        *ret_index = 0;
        if (desc_size < EFI_MAP_DESC_MIN_SIZE || desc_size % 8 != 0)
                return EFI_MAP_DESC_SIZE;
        if (map_size % desc_size != 0 || (map_size > 0 && !map))
                return EFI_MAP_SIZE;
        size_t n = map_size / desc_size;
        for (size_t i = 0; i < n; i++) {
                uint64_t s, e;
                bool empty;
                *ret_index = i;
                if (get_le64(m + i * desc_size + 8) & (EFI_MAP_PAGE_SIZE - 1))
                        return EFI_MAP_UNALIGNED;
                if (!desc_range(m + i * desc_size, &s, &e, &empty))
                        return EFI_MAP_OVERFLOW;
                if (empty)
                        continue;
                /* Maps have a few hundred entries: the quadratic check costs microseconds and
                 * needs neither sorting nor memory. */
                for (size_t j = 0; j < i; j++) {
                        uint64_t s2, e2;
                        bool empty2;
                        (void) desc_range(m + j * desc_size, &s2, &e2, &empty2);   /* checked at j */
                        if (!empty2 && s <= e2 && s2 <= e)
                                return EFI_MAP_OVERLAP;
                }
        }
        return EFI_MAP_OK;
}

const char *efi_map_strerror(EfiMapResult r) {
        switch (r) {
        case EFI_MAP_OK:
                return "ok";
        case EFI_MAP_DESC_SIZE:
                return "descriptor size smaller than EFI_MEMORY_DESCRIPTOR or not 8-byte aligned";
        case EFI_MAP_SIZE:
                return "map size is not a whole number of descriptors";
        case EFI_MAP_UNALIGNED:
                return "a descriptor's start is not page aligned";
        case EFI_MAP_OVERFLOW:
                return "a descriptor runs past the end of the address space";
        case EFI_MAP_OVERLAP:
                return "two descriptors overlap";
        }
        return "unknown error";
}

uint64_t slots_count_efi(const void *map, size_t map_size, size_t desc_size, uint32_t type, uint64_t size,
                         uint64_t align, uint64_t min_addr, uint64_t max_addr) {
        if (efi_map_check(map, map_size, desc_size, NULL) != EFI_MAP_OK)
                return 0;
        RegionSource src = { .map = map, .n = map_size / desc_size, .desc_size = desc_size, .type = type };
        return source_count(&src, size, align, min_addr, max_addr);
}

bool slots_choose_efi(const void *map, size_t map_size, size_t desc_size, uint32_t type, uint64_t size,
                      uint64_t align, uint64_t min_addr, uint64_t max_addr, uint64_t seed, bool randomize,
                      uint64_t *ret_addr) {
        if (efi_map_check(map, map_size, desc_size, NULL) != EFI_MAP_OK)
                return false;
        RegionSource src = { .map = map, .n = map_size / desc_size, .desc_size = desc_size, .type = type };
        return source_choose(&src, size, align, min_addr, max_addr, seed, randomize, ret_addr);
}
