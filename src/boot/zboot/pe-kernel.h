/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "kernel-start.h"
#include "placement.h"
#include "pe.h"
#include "util.h"

/* Load a PE kernel given in file layout (e.g. an uncompressed .linux section) into a new
 * placed allocation: copy sections, apply relocations, set W^X. On success *ret_pages owns
 * the memory. */
EFI_STATUS pe_kernel_load(const void *file, size_t file_size, const Placement *p, Pages *ret_pages,
                          LoadedKernel *ret);

/* The PE kernel already sits in `pages` in memory layout (decompressed straight into place;
 * v: its headers, read from pages in file layout, pe_load_is_identity()): check it, relocate
 * it for its address, set W^X (recorded in *pages, which free_pagesp() undoes). */
EFI_STATUS pe_kernel_adopt(Pages *pages, const PeView *v, LoadedKernel *ret);
