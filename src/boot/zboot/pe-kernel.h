/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "kernel-start.h"
#include "pe.h"
#include "util.h"

typedef struct {
        bool randomize;   /* false with "nokaslr" on the command line */
        uint64_t seed;    /* physical placement */
        uint64_t seed2;   /* a second, independent draw: x86 virtual placement */
} Placement;

/* Where to place the kernel: at random (seeded from EFI_RNG_PROTOCOL and/or the CPU's RDRAND/
 * RNDR, else weakly from the CPU counter; random.h, logged) unless the command line has
 * "nokaslr". */
Placement placement_from_cmdline(const char16_t *cmdline, size_t len);

/* Alignment we place PE kernels at, and never less than the image's SectionAlignment: 2 MiB
 * is the strictest alignment the arm64 stub demands for running in place (MIN_KIMG_ALIGN, with
 * "nokaslr"), so with LINUX_EFI_LOADED_IMAGE_FIXED_GUID it never moves itself
 * (src/fundamental/arm64-image.h, docs/arm64-boot.md). */
#define KERNEL_PLACEMENT_ALIGN (UINT64_C(2) << 20)

/* Allocate memory for an image of `size` bytes at a placed address (memattr_code_type():
 * EfiLoaderData when we can set W^X ourselves, else EfiLoaderCode). */
EFI_STATUS kernel_alloc(uint64_t size, uint64_t align, const Placement *p, Pages *ret);

/* Load a PE kernel given in file layout (e.g. an uncompressed .linux section) into a new
 * placed allocation: copy sections, apply relocations, set W^X. On success *ret_pages owns
 * the memory. */
EFI_STATUS pe_kernel_load(const void *file, size_t file_size, const Placement *p, Pages *ret_pages,
                          LoadedKernel *ret);

/* The PE kernel already sits in `pages` in memory layout (decompressed straight into place;
 * v: its headers, read from pages in file layout, pe_load_is_identity()): check it, relocate
 * it for its address, set W^X (recorded in *pages, which free_pagesp() undoes). */
EFI_STATUS pe_kernel_adopt(Pages *pages, const PeView *v, LoadedKernel *ret);
