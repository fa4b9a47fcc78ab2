/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "pe-kernel.h"

#include "zboot.h"

/* Load the kernel out of a Linux zboot image: find the payload, decompress it once, straight
 * into a placed allocation, and make it ready to start. On success *ret_pages owns the
 * kernel's memory.
 *   zboot_load():      image/size is a zboot image in file layout (a UKI's .linux section):
 *                      the zboot header and section table say where everything is.
 *   zboot_load_self(): image/size is our own loaded image in memory layout, whose headers a
 *                      loader may not have copied (sd-stub >= 258): the self map that
 *                      `ukify-zboot zboot` filled in says where everything is (zboot.h). */
EFI_STATUS zboot_load(const void *image, size_t size, const Placement *p, Pages *ret_pages, LoadedKernel *ret);
EFI_STATUS zboot_load_self(const void *image, size_t size, const ZbootSelfMap *map, const Placement *p,
                           Pages *ret_pages, LoadedKernel *ret);
