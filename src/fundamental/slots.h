/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Choosing an aligned slot in free memory: the placement decision behind physical KASLR,
 * kept free of EFI so it can be tested on synthetic memory maps.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
        uint64_t start;
        uint64_t size;
} SlotRegion;

/* Number of align-aligned start addresses s with [s, s+size) inside one region and inside
 * [min_addr, max_addr). Saturates at UINT64_MAX. align must be a power of two. */
uint64_t slots_count(const SlotRegion *regions, size_t n_regions, uint64_t size, uint64_t align,
                     uint64_t min_addr, uint64_t max_addr);

/* Pick a slot: with randomize, slot number floor(seed * count / 2^64) (uniform for a uniform
 * seed, no modulo bias), else the lowest slot. Returns false if there is none. */
bool slots_choose(const SlotRegion *regions, size_t n_regions, uint64_t size, uint64_t align, uint64_t min_addr,
                  uint64_t max_addr, uint64_t seed, bool randomize, uint64_t *ret_addr);
