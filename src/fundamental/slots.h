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

/* ---- the firmware's memory map, as GetMemoryMap() returns it --------------------------------
 * EFI_MEMORY_DESCRIPTOR: Type u32 at 0, PhysicalStart u64 at 8, VirtualStart at 16,
 * NumberOfPages u64 at 24, Attribute at 32; descriptors desc_size bytes apart (the firmware's
 * DescriptorSize, at least the 40 bytes of the structure). */
#define EFI_MAP_DESC_MIN_SIZE 40u
#define EFI_MAP_PAGE_SIZE 4096u
#define EFI_MAP_CONVENTIONAL 7u  /* EfiConventionalMemory */

typedef enum {
        EFI_MAP_OK,
        EFI_MAP_DESC_SIZE,      /* descriptor size below the structure or not 8-byte aligned */
        EFI_MAP_SIZE,           /* map size not a whole number of descriptors */
        EFI_MAP_UNALIGNED,      /* PhysicalStart not page aligned */
        EFI_MAP_OVERFLOW,       /* PhysicalStart + NumberOfPages * 4 KiB beyond 2^64 */
        EFI_MAP_OVERLAP,        /* two descriptors describe the same memory */
} EfiMapResult;

/* Sanity check of a memory map of map_size bytes: every descriptor whole, page aligned, not
 * wrapping around, and no two overlapping (entries with 0 pages are ignored). On failure
 * *ret_index (may be NULL) is the descriptor found bad. */
EfiMapResult efi_map_check(const void *map, size_t map_size, size_t desc_size, size_t *ret_index);
const char *efi_map_strerror(EfiMapResult r);

/* slots_count/slots_choose over every descriptor of type `type` of a memory map, all of
 * them (no cap on the number of free regions). 0/false if the map fails efi_map_check(). */
uint64_t slots_count_efi(const void *map, size_t map_size, size_t desc_size, uint32_t type, uint64_t size,
                         uint64_t align, uint64_t min_addr, uint64_t max_addr);
bool slots_choose_efi(const void *map, size_t map_size, size_t desc_size, uint32_t type, uint64_t size,
                      uint64_t align, uint64_t min_addr, uint64_t max_addr, uint64_t seed, bool randomize,
                      uint64_t *ret_addr);
