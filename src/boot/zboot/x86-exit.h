/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "boot-options.h"
#include "efi.h"
#include "kernel-start.h"

/* Start a prepared native x86 kernel (x86_kernel_prepare()): build boot_params, the page
 * tables and the trampoline while boot services are up, exit boot services, fill the
 * memory-map-derived fields, and jump to startup_64 in 4- or 5-level paging. cmdline is the
 * UTF-16 command line (cmdline_len characters) and opts what the caller parsed of it (no5lvl,
 * noinitrd, initrd=); initrd/initrd_size the UKI's .initrd, or NULL to use one a boot manager
 * registered. Returns only on failure, before ExitBootServices
 * (everything it allocated freed again), or if ExitBootServices itself keeps failing. */
EFI_STATUS x86_boot(EFI_HANDLE image, const LoadedKernel *k, const char16_t *cmdline, size_t cmdline_len,
                    const BootOptions *opts, const void *initrd, size_t initrd_size);
