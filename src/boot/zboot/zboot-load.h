/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "pe-kernel.h"

/* Load the kernel out of a Linux zboot image: parse the zboot header, decompress the payload
 * once, straight into a placed allocation, and make it ready to start.
 *   image/size: the zboot image. in_memory: it is our own loaded image (memory layout:
 *   the header's file offsets are mapped to RVAs through the section table); otherwise it
 *   is a file-layout copy (a UKI's .linux section).
 * On success *ret_pages owns the kernel's memory. */
EFI_STATUS zboot_load(const void *image, size_t size, bool in_memory, const Placement *p, Pages *ret_pages,
                      LoadedKernel *ret);
