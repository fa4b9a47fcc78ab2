/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "util.h"

typedef struct {
        EFI_MEMORY_DESCRIPTOR *descs; /* pool memory */
        size_t size, desc_size, key;
        uint32_t desc_version;
} MemoryMap;

EFI_STATUS memory_map_get(MemoryMap *ret);
void memory_map_free(MemoryMap *m);

static inline const EFI_MEMORY_DESCRIPTOR *memory_map_at(const MemoryMap *m, size_t i) {
        return (const EFI_MEMORY_DESCRIPTOR *) ((const uint8_t *) m->descs + i * m->desc_size);
}
static inline size_t memory_map_count(const MemoryMap *m) {
        return m->desc_size ? m->size / m->desc_size : 0;
}

#define ADDR_BELOW_4G UINT64_C(0xffffffff)

/* Allocate size bytes (at least one page) of zeroed memory ending at or below max_addr. Does
 * not log: one AllocatePages, nothing the caller could not say better ("cannot allocate the
 * initrd ..."); docs/design.md, "Errors, logging and cleanup". */
EFI_STATUS alloc_pages_below(uint64_t size, uint64_t max_addr, EFI_MEMORY_TYPE type, Pages *ret);

/* Allocate size bytes at an align-aligned address in [min_addr, max_addr). With randomize,
 * the address is drawn uniformly from all aligned slots of free memory that fit, using seed;
 * otherwise the lowest such slot is used. Logs its failure (no free slot, or a refused
 * allocation), which the caller cannot tell apart: callers only return the status. */
EFI_STATUS alloc_placed(uint64_t size, uint64_t align, uint64_t min_addr, uint64_t max_addr, bool randomize,
                        uint64_t seed, EFI_MEMORY_TYPE type, Pages *ret);
