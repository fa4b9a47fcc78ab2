/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "boot-options.h"
#include "efi.h"
#include "kernel-start.h"
#include "util.h"

/* Everything the zero page points at, each in its own allocation below 4 GiB (EfiLoaderData,
 * which the kernel sees as RAM and reserves what it still needs from). */
typedef struct {
        Pages bp;        /* the zero page */
        Pages cmdline;
        Pages initrd;
        Pages seed;      /* setup_data SETUP_RNG_SEED */
} X86Params;

/* Build boot_params for a prepared native x86 kernel: setup header, loader type, KASLR flag,
 * command line (UTF-16 → UTF-8 as the kernel's stub converts it, refused if longer than the
 * kernel's cmdline_size), initrd (none with opts->noinitrd; else initrd/initrd_size if given,
 * else one a boot manager registered through LoadFile2, else the initrd= files opts found in
 * cmdline, from the volume on device), screen_info from GOP, Secure Boot state, an RNG seed.
 * opts: cmdline parsed (boot-options.h). On failure nothing stays allocated. */
EFI_STATUS x86_params_build(const LoadedKernel *k, EFI_HANDLE device, const char16_t *cmdline, size_t cmdline_len,
                            const BootOptions *opts, const void *initrd, size_t initrd_size, X86Params *ret);
void x86_params_free(X86Params *p);
#define _cleanup_x86_params_ _cleanup_(x86_params_free)

static inline uint8_t *x86_params_bp(const X86Params *p) {
        return pages_ptr(&p->bp);
}
