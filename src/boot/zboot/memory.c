/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory map and placed allocations. The firmware can only allocate "anywhere" or "at this
 * address", so a random aligned placement means: read the map, count the aligned slots of
 * EfiConventionalMemory that fit (in all free regions), pick one from the seed, and allocate
 * exactly there. Every map we read passes efi_map_check() (src/fundamental/slots.c) first.
 */
#include "bench.h"
#include "log.h"
#include "memattr.h"
#include "memory.h"
#include "slots.h"

EFI_STATUS memory_map_get(MemoryMap *ret) {
        MemoryMap m = {};
        EFI_STATUS err;

        /* The map grows while we allocate the buffer for it: retry with headroom. */
        for (unsigned attempt = 0; attempt < 8; attempt++) {
                size_t size = 0;
                err = BS->GetMemoryMap(&size, NULL, &m.key, &m.desc_size, &m.desc_version);
                if (err != EFI_BUFFER_TOO_SMALL)
                        return log_error_status(err == EFI_SUCCESS ? EFI_LOAD_ERROR : err, "cannot size memory map");
                size += 8 * m.desc_size;
                err = BS->AllocatePool(EfiLoaderData, size, (void **) &m.descs);
                if (err != EFI_SUCCESS)
                        return log_error_status(err, "cannot allocate memory map");
                m.size = size;
                err = BS->GetMemoryMap(&m.size, m.descs, &m.key, &m.desc_size, &m.desc_version);
                if (err == EFI_SUCCESS) {
                        /* Everything that reads the map (slot choice, page tables, e820) relies
                         * on whole, page-aligned, non-wrapping, non-overlapping descriptors. */
                        size_t bad;
                        EfiMapResult r = efi_map_check(m.descs, m.size, m.desc_size, &bad);
                        if (r != EFI_MAP_OK) {
                                BS->FreePool(m.descs);
                                return log_error_status(EFI_LOAD_ERROR, "firmware memory map (descriptor %lu): %s",
                                                        (uint64_t) bad, efi_map_strerror(r));
                        }
                        *ret = m;
                        return EFI_SUCCESS;
                }
                BS->FreePool(m.descs);
                m.descs = NULL;
                if (err != EFI_BUFFER_TOO_SMALL)
                        break;
        }
        return log_error_status(err, "cannot get memory map");
}

void memory_map_free(MemoryMap *m) {
        if (m->descs)
                BS->FreePool(m->descs);
        *m = (MemoryMap) {};
}

EFI_STATUS alloc_placed(uint64_t size, uint64_t align, uint64_t min_addr, uint64_t max_addr, bool randomize,
                        uint64_t seed, EFI_MEMORY_TYPE type, Pages *ret) {
        MemoryMap m;
        EFI_STATUS err;

        if (size == 0 || align < EFI_PAGE_SIZE || (align & (align - 1)))
                return log_error_status(EFI_INVALID_PARAMETER, "cannot place 0x%lx bytes aligned to 0x%lx",
                                        size, align);
        size = align_up64(size, EFI_PAGE_SIZE);

        /* Try twice: the map can change between reading it and allocating (another agent,
         * or our own pool allocation splitting a region), which AllocateAddress reports as
         * EFI_NOT_FOUND. */
        for (unsigned attempt = 0; attempt < 2; attempt++) {
                err = memory_map_get(&m);
                if (err != EFI_SUCCESS)
                        return err;

                /* Every free region of the map counts, however many there are. */
                uint64_t addr;
                bool found = slots_choose_efi(m.descs, m.size, m.desc_size, EfiConventionalMemory, size, align,
                                              min_addr, max_addr, randomize ? seed : 0, randomize, &addr);
                memory_map_free(&m);
                if (!found)
                        return log_error_status(EFI_OUT_OF_RESOURCES,
                                                "no free memory for 0x%lx bytes aligned to 0x%lx", size, align);

                EFI_PHYSICAL_ADDRESS a = addr;
                err = BS->AllocatePages(AllocateAddress, type, EFI_SIZE_TO_PAGES(size), &a);
                if (err == EFI_SUCCESS) {
                        *ret = (Pages) { .addr = a, .n_pages = EFI_SIZE_TO_PAGES(size) };
                        bench_alloc(size);
                        return EFI_SUCCESS;
                }
        }
        return log_error_status(err, "cannot allocate 0x%lx bytes", size);
}

void free_pagesp(Pages *p) {
        if (p->n_pages == 0)
                return;
        /* Pages whose attributes we changed go back as the firmware gave them. If that fails,
         * they stay allocated: better lost memory than a read-only or executable page handed
         * to the next user. */
        if (memattr_restore(p) != EFI_SUCCESS)
                log_warning("keeping %lu pages at 0x%lx allocated: their attributes could not be restored",
                          (uint64_t) p->n_pages, p->addr);
        else {
                BS->FreePages(p->addr, p->n_pages);
                bench_free(p->n_pages * EFI_PAGE_SIZE);
        }
        *p = (Pages) {};
}

EFI_STATUS alloc_pages_below(uint64_t size, uint64_t max_addr, EFI_MEMORY_TYPE type, Pages *ret) {
        EFI_PHYSICAL_ADDRESS a = max_addr;
        size_t n = EFI_SIZE_TO_PAGES(size ? size : 1);
        EFI_STATUS err = BS->AllocatePages(AllocateMaxAddress, type, n, &a);
        if (err != EFI_SUCCESS)
                return err;
        *ret = (Pages) { .addr = a, .n_pages = n };
        bench_alloc(n * EFI_PAGE_SIZE);
        memset(pages_ptr(ret), 0, n * EFI_PAGE_SIZE);
        return EFI_SUCCESS;
}
