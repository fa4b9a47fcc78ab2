/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench.h"
#include "initrd-place.h"
#include "memory.h"
#include "unaligned.h"

uint64_t initrd_place_limit(const LoadedKernel *k) {
        if (!k->x86)
                return 0;
        /* arch.x86.setup holds the header from X86_SETUP_HDR on (zero past setup_size) */
        uint64_t max = get_le32(k->arch.x86.setup + (BP_INITRD_ADDR_MAX - X86_SETUP_HDR));
        return max == 0 || max > ADDR_BELOW_4G ? ADDR_BELOW_4G : max;
}

EFI_STATUS initrd_place_alloc(size_t size, uint64_t max, Pages *ret) {
        size_t n = EFI_SIZE_TO_PAGES(size ? size : 1);
        /* AllocateMaxAddress bounds the last byte of the allocation */
        EFI_PHYSICAL_ADDRESS a = max;
        EFI_STATUS err = BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, n, &a);
        if (err != EFI_SUCCESS)
                return err;
        *ret = (Pages) { .addr = a, .n_pages = n };
        bench_alloc(n * EFI_PAGE_SIZE);
        memset((uint8_t *) pages_ptr(ret) + size, 0, n * EFI_PAGE_SIZE - size);
        return EFI_SUCCESS;
}

bool initrd_place_fits(const void *data, size_t size, uint64_t max) {
        uint64_t a = (uint64_t) (uintptr_t) data;
        return data && size > 0 && (a & (EFI_PAGE_SIZE - 1)) == 0 && a <= max && size - 1 <= max - a;
}
