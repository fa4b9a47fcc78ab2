/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Native x86 payload, loading (docs/x86-boot.md): everything that happens to the kernel's own
 * memory before boot_params are built. The kernel image is decompressed exactly once, straight
 * into its final, randomly chosen physical address; the only writes after that are the
 * relocation patches and zeroing what follows the image.
 */
#include "bench.h"
#include "log.h"
#include "memattr.h"
#include "memory.h"
#include "x86-boot.h"
#include "x86-load.h"

#define MIB (UINT64_C(1) << 20)

EFI_STATUS x86_hint_read(const uint8_t *sec, size_t len, uint64_t out_size, X86Hint *ret, bool *ret_found) {
        *ret_found = false;
        if (!sec)
                return EFI_SUCCESS;
        if (len < X86_PAYLOAD_TRAILER_SIZE || out_size > SIZE_MAX)
                return log_error_status(EFI_LOAD_ERROR, ".zbx86 section too short");
        X86PayloadResult r = x86_payload_parse_trailer(sec, (size_t) out_size, &ret->info);
        if (r != X86P_OK)
                return log_error_status(EFI_LOAD_ERROR, ".zbx86 section: %s", x86_payload_strerror(r));
        memcpy(ret->raw, sec, X86_PAYLOAD_TRAILER_SIZE);
#if !defined(__x86_64__)
        return log_error_status(EFI_UNSUPPORTED, "this is an x86_64 zboot image");
#endif
        *ret_found = true;
        return EFI_SUCCESS;
}

EFI_STATUS x86_kernel_alloc(const X86Hint *hint, uint64_t out_size, const Placement *p, Pages *ret) {
        const X86PayloadInfo *i = &hint->info;
        uint64_t size = MAX(out_size, (uint64_t) i->init_size);
        uint64_t align = MAX((uint64_t) i->kernel_alignment, (uint64_t) EFI_PAGE_SIZE);
        /* 64 TiB: what 4-level paging can map, and the kernel's own MAXMEM limit there. */
        uint64_t max = (i->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) ? UINT64_C(1) << 46 : UINT64_C(1) << 32;

        EFI_STATUS err = alloc_placed(size, align, i->phys_base, max, p->randomize, p->seed, memattr_code_type(), ret);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "no room for the kernel: %lu MiB aligned to %lu KiB above 0x%lx",
                                        size / MIB, align / 1024, i->phys_base);
        err = memattr_code_pages_writable(ret);   /* frees ret on failure */
        if (err != EFI_SUCCESS)
                return err;
        log_info("kernel placed at 0x%lx (%s, %lu KiB)", ret->addr, p->randomize ? "random" : "lowest fit",
                 ret->n_pages * (EFI_PAGE_SIZE / 1024));
        return EFI_SUCCESS;
}

EFI_STATUS x86_kernel_prepare(Pages *pages, size_t out_len, const X86Hint *hint, const Placement *p,
                              LoadedKernel *ret) {
        uint8_t *base = pages_ptr(pages);
        uint64_t total = pages->n_pages * EFI_PAGE_SIZE;
        X86PayloadInfo info;
        EFI_STATUS err;

        X86PayloadResult r = x86_payload_parse(base, out_len, &info);
        if (r != X86P_OK)
                return log_error_status(EFI_LOAD_ERROR, "decompressed x86 payload: %s", x86_payload_strerror(r));
        if (memcmp(base + out_len - X86_PAYLOAD_TRAILER_SIZE, hint->raw, X86_PAYLOAD_TRAILER_SIZE) != 0)
                return log_error_status(EFI_LOAD_ERROR, "x86 payload trailer differs from the .zbx86 copy");
        if (info.init_size > total || info.setup_size > sizeof(ret->arch.x86.setup))
                return log_error_status(EFI_LOAD_ERROR, "x86 payload: init_size or setup header too large");
#if defined(__x86_64__)
        /* the payload's filter stage (x86-filter.c), undone before anything reads the image */
        bench_phase(BENCH_RELOCATE);
        uint32_t filter = info.filter, filter_size = info.filter_size;
        uint64_t t0 = cpu_ticks();
        r = x86_payload_unfilter(base, out_len, &info);
        uint64_t t1 = cpu_ticks(), hz = cpu_ticks_per_sec();
        if (r != X86P_OK)
                return log_error_status(EFI_LOAD_ERROR, "decompressed x86 payload: %s", x86_payload_strerror(r));
        bench_phase(BENCH_UNFILTER);
        if (filter != X86_FILTER_NONE)
                log_debug("undid the %s filter over %u bytes in %lu ms", x86_payload_filter_name(filter), filter_size,
                         hz ? (t1 - t0) * 1000 / hz : 0);
#endif

        uint64_t off = x86_virt_offset(&info, p->seed2, p->randomize);
        size_t bad = 0;
        X86RelocResult rr = x86_relocate(base, out_len, &info, off, &bad);
        if (rr == X86R_OUT_OF_IMAGE)
                return log_error_status(EFI_LOAD_ERROR, "relocation %lu points outside the kernel image", (uint64_t) bad);
        if (rr == X86R_UNSORTED)
                return log_error_status(EFI_LOAD_ERROR, "relocation %lu lies below the one before it in its list",
                                        (uint64_t) bad);
        if (rr != X86R_OK)
                return log_error_status(EFI_LOAD_ERROR, "relocation table is inconsistent");

        LoadedKernel k = {
                .base = pages->addr,
                .size = total,
                .entry_rva = info.entry_offset,
                .x86 = true,
                .arch.x86 = {
                        .kaslr = p->randomize,
                        .virt_offset = off,
                        .info = info,
                },
        };
        memcpy(k.arch.x86.setup, base + info.setup_offset, info.setup_size);
        /* After the image only BSS the payload does not carry (image_size..mem_size) is
         * zeroed (with it the part of the relocation table that lies inside that range, on
         * kernels whose payload does not carry BSS). The rest up to init_size, the
         * relocation table, setup header and trailer included when they lie past mem_size
         * (read for the last time above), is the kernel's early scratch (in the stock
         * path the decompressor's heap and its own moved copy), which the kernel never reads
         * before writing (it clears its own BSS and brk): not writing the ~5.6 MiB saves ~11 ms
         * under QEMU TCG, not zeroing the ~0.9 MiB table another ~3 ms (docs/x86-boot.md). */
        memset(base + info.image_size, 0, info.mem_size - info.image_size);

        /* W^X only now that the image is written and relocated (the pages are EfiLoaderData
         * with the protocol, RW+NX since x86_kernel_alloc()). It matters until
         * ExitBootServices: the kernel is entered with our own page tables
         * (x86_pgtable_build(), everything RWX), which the kernel replaces with its own W^X
         * mapping early in startup_64. */
        uint64_t text = align_up64(info.text_size, EFI_PAGE_SIZE);
        if (text > total)
                return log_error_status(EFI_LOAD_ERROR, "x86 payload: text larger than the allocation");
        /* The text RO, then X (never W+X); the rest stays RW+NX. */
        err = text > 0 ? memattr_pages(pages, 0, text, MEMATTR_RX) : EFI_SUCCESS;
        if (err != EFI_SUCCESS)
                return err;

        log_info("x86 kernel: _text at 0x%lx (virtual offset 0x%lx%s), relocations %u/%u/%u", info.virt_base + off,
                 off, p->randomize ? ", random" : "", info.n_reloc64, info.n_reloc_inv32, info.n_reloc32);
        *ret = k;
        return EFI_SUCCESS;
}
