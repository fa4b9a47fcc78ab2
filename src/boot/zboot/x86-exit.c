/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Native x86 path, the hand-off: the last allocations, ExitBootServices, the fields that
 * describe the final memory map (e820, efi_info), and the jump through the trampoline.
 *
 * Everything the code after ExitBootServices touches is allocated before it: the memory map
 * buffer (with room for the descriptors our own later allocations add), the SETUP_E820_EXT
 * block for maps with more than 128 entries, the page tables and the trampoline. After
 * ExitBootServices nothing calls firmware, not even to log.
 */
#include "bench.h"
#include "log.h"
#include "memattr.h"
#include "memory.h"
#include "proto/loaded-image.h"
#include "tpm-eventlog-efi.h"
#include "x86-boot.h"
#include "x86-enter.h"
#include "x86-exit.h"
#include "x86-params.h"

/* 5-level paging: CPUID.(EAX=07H,ECX=0):ECX.LA57[bit 16] */
static bool cpu_has_la57(void) {
        return cpuid_bit(7, 0, 2, 16);
}

/* 1 GiB pages (CPUID 0x80000001 EDX bit 26, pdpe1gb): x86_pgtable_build() maps the GiBs above
 * 4 GiB that are all write-back RAM (x86_gib_cover()) with them. */
static bool cpu_has_gib_pages(void) {
        return cpuid_bit(0x80000001, 0, 3, 26);
}

typedef struct {
        Pages low;          /* [stack page][page tables] */
        Pages tramp;        /* the trampoline, RX */
        Pages e820_ext;     /* setup_data SETUP_E820_EXT, linked only if needed */
        void *map;          /* pool: the final memory map, kept for the kernel */
        size_t map_cap, ext_cap;
        uint64_t cr3;
        bool la57;
} Handoff;

/* Frees what handoff_prepare() allocated: on every failure before x86_enter(). After a failed
 * ExitBootServices this uses only memory services (efi.h): the RX trampoline's pages stay
 * allocated then, as memattr_restore() may not run. */
static void handoff_free(Handoff *h) {
        free_pagesp(&h->low);
        free_pagesp(&h->tramp);
        free_pagesp(&h->e820_ext);
        if (h->map)
                BS->FreePool(h->map);
        h->map = NULL;
}

static EFI_STATUS handoff_prepare(const LoadedKernel *k, const uint8_t *bp, bool no5lvl, Handoff *h) {
        MemoryMap m;
        EFI_STATUS err;

        /* Identity map everything the firmware describes (RAM, MMIO) and at least 4 GiB. */
        err = memory_map_get(&m);
        if (err != EFI_SUCCESS)
                return err;
        uint64_t top = 4 * GIB;
        size_t n_desc = memory_map_count(&m);
        for (size_t i = 0; i < n_desc; i++) {
                const EFI_MEMORY_DESCRIPTOR *d = memory_map_at(&m, i);
                uint64_t end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;
                if (end > top)
                        top = end;
        }
        size_t desc_size = m.desc_size;

        /* Which GiBs may be 1 GiB pages: only those the map shows as write-back RAM throughout. */
        uint8_t *gib_map = NULL;
        size_t n_gib_pages = 0;
        if (cpu_has_gib_pages() && top <= (UINT64_C(1) << 48)) {
                uint64_t n_gib = (top + GIB - 1) / GIB;
                err = BS->AllocatePool(EfiLoaderData, (size_t) ((n_gib + 7) / 8), (void **) &gib_map);
                if (err != EFI_SUCCESS) {
                        memory_map_free(&m);
                        return log_error_status(err, "cannot allocate the 1 GiB page map");
                }
                if (x86_gib_cover(m.descs, m.size, m.desc_size, gib_map, n_gib))
                        for (uint64_t g = 0; g < n_gib; g++)
                                n_gib_pages += (gib_map[g / 8] >> (g % 8)) & 1;
        }
        memory_map_free(&m);

        bool cpu_la57 = cpu_has_la57();
        h->la57 = x86_use_la57(cpu_la57, k->arch.x86.info.xloadflags, no5lvl);
        size_t pt_size = x86_pgtable_size(top, h->la57, gib_map);
        if (pt_size == 0)
                err = log_error_status(EFI_UNSUPPORTED, "memory ends at 0x%lx, beyond what we can map", top);
        else {
                err = alloc_pages_below(EFI_PAGE_SIZE + pt_size, ADDR_BELOW_4G, EfiLoaderData, &h->low);
                if (err != EFI_SUCCESS)
                        log_error_status(err, "cannot allocate page tables");
                else
                        h->cr3 = x86_pgtable_build(pages_ptr(&h->low) + EFI_PAGE_SIZE, pt_size,
                                                   h->low.addr + EFI_PAGE_SIZE, top, h->la57, gib_map);
        }
        if (gib_map)
                BS->FreePool(gib_map);
        if (err != EFI_SUCCESS)
                return err;
        log_debug("page tables: %lu bytes for 0x%lx, %lu GiB as 1 GiB pages", (uint64_t) pt_size, top,
                  (uint64_t) n_gib_pages);
        if (h->cr3 == 0)
                return log_error_status(EFI_LOAD_ERROR, "cannot build page tables");

        /* The trampoline runs on the firmware's page tables (it loads ours itself), after
         * ExitBootServices, when nothing can change attributes any more: written while
         * RW+NX, then made RX here, before we exit. */
        err = alloc_pages_below(EFI_PAGE_SIZE, ADDR_BELOW_4G, memattr_code_type(), &h->tramp);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate the trampoline");
        err = memattr_code_pages_writable(&h->tramp);
        if (err != EFI_SUCCESS)
                return err;
        X86EnterParams ep = {
                .entry = k->base + k->entry_rva,
                .boot_params = (uint64_t) (uintptr_t) bp,
                .cr3 = h->cr3,
                .la57 = h->la57,
                .stack = h->low.addr + EFI_PAGE_SIZE,
        };
        err = x86_enter_prepare(pages_ptr(&h->tramp), &ep);
        if (err != EFI_SUCCESS)
                return err;
        err = memattr_pages(&h->tramp, 0, EFI_PAGE_SIZE, MEMATTR_RX);
        if (err != EFI_SUCCESS)
                return err;

        /* The map grows by the allocations still to come and whatever ExitBootServices'
         * notifications do: leave generous room. */
        h->map_cap = (n_desc + 64) * desc_size;
        err = BS->AllocatePool(EfiLoaderData, h->map_cap, &h->map);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate the memory map buffer");
        h->ext_cap = n_desc + 64;
        err = alloc_pages_below(SETUP_DATA_HDR + h->ext_cap * E820_ENTRY_SIZE, ADDR_BELOW_4G, EfiLoaderData,
                                &h->e820_ext);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate the e820 extension");

        log_info("entering startup_64 at 0x%lx with %s-level paging%s, boot_params at 0x%lx", ep.entry,
                 h->la57 ? "5" : "4", cpu_la57 && !h->la57 ? " (no5lvl or kernel without 5-level)" : "",
                 ep.boot_params);
        return EFI_SUCCESS;
}

/* After ExitBootServices: no firmware calls from here on. */
static void fill_memory_fields(uint8_t *bp, Handoff *h, size_t map_size, size_t desc_size, uint32_t desc_ver) {
        uint64_t systab = (uint64_t) (uintptr_t) ST, map = (uint64_t) (uintptr_t) h->map;
        X86EfiInfo *ei = (X86EfiInfo *) (bp + BP_EFI_INFO);
        memcpy(ei->loader_signature, "EL64", sizeof(ei->loader_signature));
        put_le32(ei->systab, (uint32_t) systab);
        put_le32(ei->memdesc_size, (uint32_t) desc_size);
        put_le32(ei->memdesc_version, desc_ver);
        put_le32(ei->memmap, (uint32_t) map);
        put_le32(ei->memmap_size, (uint32_t) map_size);
        put_le32(ei->systab_hi, (uint32_t) (systab >> 32));
        put_le32(ei->memmap_hi, (uint32_t) (map >> 32));

        /* All entries go to the extension block first; the first 128 move to the zero page,
         * the rest stay (shifted down) as SETUP_E820_EXT. */
        uint8_t *ext = pages_ptr(&h->e820_ext);
        size_t n = x86_e820_from_efi(h->map, map_size, desc_size, ext + SETUP_DATA_HDR, h->ext_cap);
        if (n > h->ext_cap)
                n = h->ext_cap;   /* cannot happen: ext_cap >= descriptors; cannot report either */
        size_t in_bp = n < BP_E820_MAX ? n : BP_E820_MAX;
        memcpy(bp + BP_E820_TABLE, ext + SETUP_DATA_HDR, in_bp * E820_ENTRY_SIZE);
        bp[BP_E820_ENTRIES] = (uint8_t) in_bp;
        if (n > BP_E820_MAX) {
                memmove(ext + SETUP_DATA_HDR, ext + SETUP_DATA_HDR + BP_E820_MAX * E820_ENTRY_SIZE,
                        (n - BP_E820_MAX) * E820_ENTRY_SIZE);
                X86SetupData *sd = (X86SetupData *) ext;
                put_le64(sd->next, get_le64(bp + BP_SETUP_DATA));
                put_le32(sd->type, SETUP_E820_EXT);
                put_le32(sd->len, (uint32_t) ((n - BP_E820_MAX) * E820_ENTRY_SIZE));
                put_le64(bp + BP_SETUP_DATA, h->e820_ext.addr);
        }
}

EFI_STATUS x86_boot(EFI_HANDLE image, const LoadedKernel *k, const char16_t *cmdline, size_t cmdline_len,
                    const BootOptions *opts, const void *initrd, size_t initrd_size) {
        _cleanup_x86_params_ X86Params params = {};
        _cleanup_(handoff_free) Handoff h = {};
        _cleanup_(tpm_eventlog_undo) TpmEventlog evlog = {};
        EFI_STATUS err;

        static const EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
        EFI_LOADED_IMAGE_PROTOCOL *li;
        err = BS->HandleProtocol(image, &loaded_image_guid, (void **) &li);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot get our loaded image protocol");
        bench_phase(BENCH_OTHER);
        err = x86_params_build(k, li->DeviceHandle, cmdline, cmdline_len, opts, initrd, initrd_size, &params);
        if (err != EFI_SUCCESS)
                return err;
        bench_phase(BENCH_PARAMS);
        uint8_t *bp = x86_params_bp(&params);
        /* the kernel's stub's copy of the TPM event log, after our last measurement (PCR 9,
         * the initrd, in x86_params_build) */
        tpm_eventlog_install(&evlog);
        err = handoff_prepare(k, bp, opts->no5lvl, &h);
        if (err != EFI_SUCCESS)
                return err;
        bench_phase(BENCH_HANDOFF);
        bench_report();   /* the last log line: none after ExitBootServices */

        /* ExitBootServices wants the key of the current map; a map change in between (an
         * event's allocation) makes it fail with EFI_INVALID_PARAMETER once: fetch the map again
         * and retry. The firmware may already have shut parts down, so no logging in between. */
        size_t size, key = 0, desc_size = 0;
        uint32_t desc_ver = 0;
        bool exit_tried = false;
        efi_boot_services_gone = true;   /* only memory services from here on, even on failure (efi.h) */
        for (unsigned attempt = 0; attempt < 3; attempt++) {
                size = h.map_cap;
                err = BS->GetMemoryMap(&size, h.map, &key, &desc_size, &desc_ver);
                if (err != EFI_SUCCESS)
                        break;
                exit_tried = true;
                err = BS->ExitBootServices(image, key);
                if (err != EFI_INVALID_PARAMETER)
                        break;
        }
        if (err != EFI_SUCCESS) {
                /* After a failed ExitBootServices only memory services may be used: no console.
                 * The status still goes back to whoever started us. */
                if (!exit_tried) {
                        efi_boot_services_gone = false;
                        log_error_status(err, "cannot get the final memory map");
                }
                return err;
        }

        fill_memory_fields(bp, &h, size, desc_size, desc_ver);
        __asm__ volatile("cli");
        x86_enter(pages_ptr(&h.tramp));   /* _Noreturn: the cleanups never run on this path */
}
