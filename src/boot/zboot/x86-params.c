/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Native x86 path, the zero page. What the kernel's own x86 EFI stub would have filled before
 * ExitBootServices; the memory-map-derived parts (e820, efi_info) come in x86-exit.c, after
 * the final GetMemoryMap. docs/x86-boot.md compares this with the kernel's stub field by field.
 */
#include "bench.h"
#include "boot-options.h"
#include "initrd-place.h"
#include "initrd.h"
#include "log.h"
#include "measure.h"
#include "memory.h"
#include "proto/graphics-output.h"
#include "proto/rng.h"
#include "secure-boot.h"
#include "x86-boot.h"
#include "x86-params.h"

#define SEED_LEN 32u

void x86_params_free(X86Params *p) {
        free_pagesp(&p->bp);
        free_pagesp(&p->cmdline);
        free_pagesp(&p->initrd);
        free_pagesp(&p->seed);
}

static EFI_STATUS set_cmdline(uint8_t *bp, const char16_t *cmdline, size_t len, Pages *ret) {
        uint32_t limit = get_le32(bp + BP_CMDLINE_SIZE);   /* bytes, without the NUL */
        EFI_STATUS err = alloc_pages_below((uint64_t) len * 3 + 1, ADDR_BELOW_4G, EfiLoaderData, ret);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate the command line");
        size_t n = utf16_to_kernel_utf8(cmdline, len, pages_ptr(ret), len * 3 + 1);   /* as the kernel's stub */
        if (n == SIZE_MAX || n > limit)
                return log_error_status(EFI_INVALID_PARAMETER, "command line is %lu bytes, the kernel takes %u",
                                        (uint64_t) n, limit);
        put_le32(bp + BP_CMD_LINE_PTR, (uint32_t) ret->addr);
        return EFI_SUCCESS;
}

/* The initrd, in the kernel's EFI stub's order of preference: the UKI's (data), one a boot
 * manager registered through LoadFile2, or files named by initrd= on the command line; none
 * with "noinitrd". Written once, into pages below initrd_addr_max that the zero page points at
 * (initrd-place.h): the UKI's combined initrd was built there already and is used in place; the
 * boot manager's and initrd= files are read straight into them. */
static EFI_STATUS set_initrd(uint8_t *bp, const LoadedKernel *k, EFI_HANDLE device, const char16_t *cmdline,
                             size_t cmdline_len, const BootOptions *opts, const void *data, size_t size, Pages *ret) {
        const char *from = ".initrd";
        bool cmdline_files = false;
        EFI_STATUS err;

        /* "noinitrd": none at all, from any source, as the kernel's EFI stub does (its
         * efi_load_initrd() then reads neither LoadFile2 nor initrd= files). The kernel itself
         * would still unpack an initramfs it is handed, so the decision is ours. */
        if (opts->noinitrd) {
                log_info("noinitrd: no initrd for the kernel%s", size > 0 ? " (not even .initrd)" : "");
                return EFI_SUCCESS;
        }
        /* initrd_addr_max is the highest address the initrd may occupy. */
        uint64_t max = initrd_place_limit(k);
        if (size == 0 && initrd_is_registered()) {
                err = initrd_registered_size(&size);
                if (err == EFI_SUCCESS && size > UINT32_MAX)
                        return log_error_status(EFI_UNSUPPORTED, "initrd larger than 4 GiB");
                if (err == EFI_SUCCESS && size > 0) {
                        err = initrd_place_alloc(size, max, ret);
                        if (err != EFI_SUCCESS)
                                return log_error_status(err, "cannot allocate %lu bytes for the initrd below 0x%lx",
                                                        (uint64_t) size, max);
                        err = initrd_registered_read(pages_ptr(ret), size);
                }
                if (err != EFI_SUCCESS)
                        return log_error_status(err, "cannot read the initrd the boot manager registered");
                data = pages_ptr(ret);
                from = "the boot manager (LoadFile2)";
        } else if (size == 0) {
                err = initrd_read_cmdline(device, cmdline, cmdline_len, opts, max, ret, &size);
                if (err != EFI_SUCCESS)
                        return err;
                data = pages_ptr(ret);
                from = "initrd= files";
                cmdline_files = true;
        } else if (!initrd_place_fits(data, size, max)) {
                /* not built in place (a single part: the .initrd section of a UKI loaded above
                 * the limit): the one copy */
                if (size > UINT32_MAX)
                        return log_error_status(EFI_UNSUPPORTED, "initrd larger than 4 GiB");
                err = initrd_place_alloc(size, max, ret);
                if (err != EFI_SUCCESS)
                        return log_error_status(err, "cannot allocate %lu bytes for the initrd below 0x%lx",
                                                (uint64_t) size, max);
                memcpy(pages_ptr(ret), data, size);
                bench_copied(size);
                data = pages_ptr(ret);
        }
        if (size == 0)
                return EFI_SUCCESS;
        /* The kernel's EFI stub measures an initrd it got through LoadFile2 (what .initrd is
         * under sd-stub) into PCR 9, not initrd= files (Linux 6.1 .. 6.12). */
        if (!cmdline_files)
                (void) measure_tagged(PCR_KERNEL_INITRD, data, size, LINUX_INITRD_EVENT_TAG_ID,
                                      LINUX_INITRD_EVENT_DESC);
        uint64_t addr = (uint64_t) (uintptr_t) data;
        put_le32(bp + BP_RAMDISK_IMAGE, (uint32_t) addr);
        put_le32(bp + BP_RAMDISK_SIZE, (uint32_t) size);
        log_info("initrd: %lu bytes from %s at 0x%lx%s", (uint64_t) size, from, addr,
                 ret->n_pages == 0 ? " (in place)" : "");
        bench_phase(BENCH_INITRD);
        return EFI_SUCCESS;
}

static void set_screen_info(uint8_t *bp) {
        static const EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
        EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;

        if (BS->LocateProtocol(&gop_guid, NULL, (void **) &gop) != EFI_SUCCESS || !gop || !gop->Mode ||
            !gop->Mode->Info)
                return;
        const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *m = gop->Mode->Info;
        X86Gop g = {
                .format = m->PixelFormat,
                .masks = { m->RedMask, m->GreenMask, m->BlueMask, m->ReservedMask },
                .width = m->HorizontalResolution,
                .height = m->VerticalResolution,
                .pixels_per_line = m->PixelsPerScanLine,
                .fb_base = gop->Mode->FrameBufferBase,
                .fb_size = gop->Mode->FrameBufferSize,
        };
        if (x86_screen_info(bp + BP_SCREEN_INFO, &g))
                log_debug("framebuffer: %ux%u at 0x%lx", g.width, g.height, g.fb_base);
}

/* A seed for the kernel's RNG as setup_data (SETUP_RNG_SEED, read by kernels since 5.20):
 * the kernel credits it as bootloader randomness and wipes it. Without EFI_RNG we add none. */
static EFI_STATUS add_seed(uint8_t *bp, Pages *ret) {
        static const EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;
        EFI_RNG_PROTOCOL *rng = NULL;
        EFI_STATUS err;

        if (BS->LocateProtocol(&rng_guid, NULL, (void **) &rng) != EFI_SUCCESS || !rng) {
                log_info("no EFI_RNG_PROTOCOL: no boot-loader seed for the kernel's RNG");
                return EFI_SUCCESS;
        }
        err = alloc_pages_below(SETUP_DATA_HDR + SEED_LEN, ADDR_BELOW_4G, EfiLoaderData, ret);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate the RNG seed");
        uint8_t *sd = pages_ptr(ret);
        err = rng->GetRNG(rng, NULL, SEED_LEN, sd + SETUP_DATA_HDR);
        if (err != EFI_SUCCESS) {
                const char *str = efi_status_str(err);
                if (str)
                        log_warning("EFI_RNG_PROTOCOL failed (%s): no boot-loader seed for the kernel's RNG", str);
                else
                        log_warning("EFI_RNG_PROTOCOL failed (status 0x%lx): no boot-loader seed for the kernel's RNG",
                                    (uint64_t) err);
                free_pagesp(ret);
                return EFI_SUCCESS;
        }
        X86SetupData *h = (X86SetupData *) sd;
        put_le64(h->next, get_le64(bp + BP_SETUP_DATA));
        put_le32(h->type, SETUP_RNG_SEED);
        put_le32(h->len, SEED_LEN);
        put_le64(bp + BP_SETUP_DATA, ret->addr);
        return EFI_SUCCESS;
}

EFI_STATUS x86_params_build(const LoadedKernel *k, EFI_HANDLE device, const char16_t *cmdline, size_t cmdline_len,
                            const BootOptions *opts, const void *initrd, size_t initrd_size, X86Params *ret) {
        _cleanup_x86_params_ X86Params p = {};
        EFI_STATUS err;

        err = alloc_pages_below(BP_SIZE, ADDR_BELOW_4G, EfiLoaderData, &p.bp);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate boot_params");
        uint8_t *bp = pages_ptr(&p.bp);
        X86PayloadInfo hdr = { .setup_offset = 0, .setup_size = k->arch.x86.info.setup_size };
        if (!x86_bp_init(bp, k->arch.x86.setup, &hdr))
                return log_error_status(EFI_LOAD_ERROR, "setup header does not fit boot_params");
        bp[BP_TYPE_OF_LOADER] = 0xff;   /* "undefined": we have no assigned loader id */
        if (k->arch.x86.kaslr)
                bp[BP_LOADFLAGS] |= LOADFLAG_KASLR;
        else
                bp[BP_LOADFLAGS] &= (uint8_t) ~LOADFLAG_KASLR;

        if (!cmdline)
                cmdline = u"", cmdline_len = 0;
        err = set_cmdline(bp, cmdline, cmdline_len, &p.cmdline);
        if (err == EFI_SUCCESS)
                err = set_initrd(bp, k, device, cmdline, cmdline_len, opts, initrd, initrd ? initrd_size : 0,
                                 &p.initrd);
        if (err == EFI_SUCCESS)
                err = add_seed(bp, &p.seed);
        if (err != EFI_SUCCESS)
                return err;
        set_screen_info(bp);
        bp[BP_SECURE_BOOT] = secure_boot_enabled() ? 3 : 2;   /* efi_secureboot_mode enabled/disabled */
        *ret = p;
        p = (X86Params) {};   /* now the caller's */
        return EFI_SUCCESS;
}
