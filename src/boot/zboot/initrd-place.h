/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The initrd's final pages (issue 18, "zero extra copies"). On the native x86 path nobody
 * copies the initrd after us (there is no kernel EFI stub), so it is written once, straight
 * into pages below the kernel's initrd_addr_max: the UKI's parts are assembled there
 * (initrd-list.c), the boot manager's LoadFile2 and initrd= files are read there
 * (x86-params.c, initrd-file.c), and the zero page points at them. A single part that already
 * lies page-aligned below the limit (an .initrd section of the loaded UKI) is used in place.
 */
#pragma once

#include "efi.h"
#include "kernel-start.h"
#include "util.h"

/* The highest address the initrd's last byte may have for this x86 kernel: the setup header's
 * initrd_addr_max, or 4 GiB - 1 when it says 0 or more (boot protocol 2.03+; the kernel's stub
 * keeps below 4 GiB too unless told otherwise, docs/x86-boot.md). 0 for a PE kernel: its own
 * EFI stub places the initrd. */
uint64_t initrd_place_limit(const LoadedKernel *k);

/* size bytes of EfiLoaderData pages (4 KiB aligned, what the kernel's x86 stub allocates too)
 * ending at or below max; only the tail of the last page is zeroed (the caller writes the rest).
 * Counted for bench/. Not logged: the caller says what it was for. */
EFI_STATUS initrd_place_alloc(size_t size, uint64_t max, Pages *ret);

/* Can (data, size) be handed to the kernel where it is: page aligned, last byte <= max? */
bool initrd_place_fits(const void *data, size_t size, uint64_t max);
