/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The zboot self-decompressor: vmlinuz.efi = this PE + compressed payload (+ the Linux zboot
 * header in the DOS header). Started by firmware or a boot manager with the kernel command
 * line as LoadOptions. A PE payload (arm64 Image) gets them unchanged and finds an initrd a
 * boot manager registered (LoadFile2) itself; a native x86 payload is started by us
 * (x86-exit.c), which reads that initrd for it.
 */
#include "bench.h"
#include "boot-options.h"
#include "cmdline.h"
#include "efi-main.h"
#include "log.h"
#include "measure.h"
#include "proto/loaded-image.h"
#include "x86-exit.h"
#include "zboot-load.h"

const char program_name[] = "zboot";

/* Where our payload is, filled in by `ukify-zboot zboot` (zboot.h): a loader may map our
 * sections without our headers (sd-stub >= 258). Blank here; volatile, so the code reads what
 * the image file holds rather than this initializer. */
__attribute__((used)) static const volatile ZbootSelfMap self_map = {
        .magic = ZBOOT_SELF_MAGIC,
        .file_size = { 0xff, 0xff, 0xff, 0xff }, /* ZBOOT_SELF_BLANK_SIZE */
};

EFI_STATUS run(EFI_HANDLE image, EFI_LOADED_IMAGE_PROTOCOL *li, uint64_t t0) {
        _cleanup_pages_ Pages pages = {};
        LoadedKernel k;
        EFI_STATUS err;

        const char16_t *cmdline = NULL;
        size_t cmdline_len = 0;
        if (li->LoadOptionsSize >= sizeof(char16_t) && li->LoadOptions) {
                cmdline = li->LoadOptions;
                cmdline_len = strnlen16(cmdline, li->LoadOptionsSize / sizeof(char16_t));
        }

        /* The command line, parsed once (boot-options.h): nokaslr for the placement; no5lvl,
         * noinitrd and initrd= for the native x86 path. */
        BootOptions opts;
        boot_options_parse_utf16(cmdline, cmdline_len, &opts);
        log_set_quiet(opts.quiet);   /* as the kernel's stub: only errors from here on */
        log_set_debug(opts.zboot_debug);   /* lines of detail only with "zboot.debug" (log.h) */
        Placement p = placement_from_options(&opts);
        bench_options(&opts);

        ZbootSelfMap map;
        for (size_t i = 0; i < sizeof(map); i++)
                ((uint8_t *) &map)[i] = ((const volatile uint8_t *) &self_map)[i];
        err = zboot_load_self(li->ImageBase, li->ImageSize, &map, &p, &pages, &k);
        if (err != EFI_SUCCESS)
                return err;

        log_kernel_starting(&k, t0);
#if defined(__x86_64__)
        if (k.x86) {
                /* Firmware boot entries may carry binary optional data instead of a command line. */
                bool usable = cmdline_load_options_usable(li->LoadOptions, li->LoadOptionsSize);
                /* The kernel's EFI stub is not run: we make its PCR 9 measurement of the raw
                 * LoadOptions (any content, before its quirks); x86_boot() measures the initrd. */
                if (li->LoadOptionsSize > 0 && li->LoadOptions)
                        (void) measure_tagged(PCR_KERNEL_INITRD, li->LoadOptions, li->LoadOptionsSize,
                                              LINUX_LOAD_OPTIONS_EVENT_TAG_ID, LINUX_LOAD_OPTIONS_EVENT_DESC);
                return x86_boot(image, &k, usable ? cmdline : NULL, usable ? cmdline_len : 0, usable ? &opts : &(BootOptions) {},
                                NULL, 0);
        }
#endif
        bool keep;
        err = kernel_start(image, &k, li->LoadOptions, li->LoadOptionsSize, &keep);
        if (keep)   /* the kernel's loaded image protocol is still installed and points at them */
                (void) take_pages(&pages);
        return err;
}
