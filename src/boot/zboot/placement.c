/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "memattr.h"
#include "memory.h"
#include "placement.h"
#include "random.h"

Placement placement_from_options(const BootOptions *o) {
        Placement p = { .randomize = !o->nokaslr };
        if (p.randomize) {
                unsigned src1, src2;
                p.seed = random_seed(&src1);
                p.seed2 = random_seed(&src2);
                log_debug("placement seeded from %s", random_sources_str(src1 & src2));
        }
        return p;
}

EFI_STATUS kernel_alloc(uint64_t size, uint64_t align, const Placement *p, Pages *ret) {
        EFI_STATUS err;

        align = MAX(align, KERNEL_PLACEMENT_ALIGN);
        /* Keep below the top of the 48-bit space: every arch's early kernel code can reach it. */
        err = alloc_placed(size, align, 0, UINT64_C(1) << 48, p->randomize, p->seed, memattr_code_type(), ret);
        if (err != EFI_SUCCESS)
                return err;
        err = memattr_code_pages_writable(ret);   /* frees ret on failure */
        if (err != EFI_SUCCESS)
                return err;
        log_info("kernel placed at 0x%lx (%s, %lu KiB)", ret->addr, p->randomize ? "random" : "lowest fit",
                 ret->n_pages * (EFI_PAGE_SIZE / 1024));
        return EFI_SUCCESS;
}
