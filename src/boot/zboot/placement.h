/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the kernel goes: the placement decision (random or lowest fit, from the command line's
 * nokaslr and the random sources) and the allocation at that place, for PE kernels
 * (pe-kernel.c, zboot-load.c) and native x86 payloads (x86-load.c) alike.
 */
#pragma once

#include "boot-options.h"
#include "efi.h"
#include "util.h"

typedef struct {
        bool randomize;   /* false with "nokaslr" on the command line */
        uint64_t seed;    /* physical placement */
        uint64_t seed2;   /* a second, independent draw: x86 virtual placement */
} Placement;

/* Where to place the kernel: at random (seeded from EFI_RNG_PROTOCOL and/or the CPU's RDRAND/
 * RNDR, else weakly from the CPU counter; random.h, logged) unless the command line has
 * nokaslr (boot-options.h). */
Placement placement_from_options(const BootOptions *o);

/* Alignment we place PE kernels at, and never less than the image's SectionAlignment: 2 MiB
 * is the strictest alignment the arm64 stub demands for running in place (MIN_KIMG_ALIGN, with
 * "nokaslr"), so with LINUX_EFI_LOADED_IMAGE_FIXED_GUID it never moves itself
 * (src/fundamental/arm64-image.h, docs/arm64-boot.md). */
#define KERNEL_PLACEMENT_ALIGN (UINT64_C(2) << 20)

/* Allocate memory for an image of `size` bytes at a placed address (memattr_code_type():
 * EfiLoaderData when we can set W^X ourselves, else EfiLoaderCode), aligned to at least
 * KERNEL_PLACEMENT_ALIGN, below 2^48. Logs where. */
EFI_STATUS kernel_alloc(uint64_t size, uint64_t align, const Placement *p, Pages *ret);
