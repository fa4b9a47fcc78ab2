/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* A PE kernel placed in memory by us (not by LoadImage), ready to start. */
typedef struct {
        EFI_PHYSICAL_ADDRESS base;  /* image base: headers at offset 0, sections at their RVAs */
        uint64_t size;              /* SizeOfImage, page aligned */
        uint32_t entry_rva;
} LoadedKernel;

/* Start the kernel's EFI entry point the way LoadImage+StartImage would, without a nested
 * LoadImage: a new handle carries an EFI_LOADED_IMAGE_PROTOCOL that points at our copy, with
 * the command line (UCS-2, options_size bytes, may be NULL/0) as LoadOptions and our own device
 * handle and file path (the kernel stub only reads ImageBase/ImageSize/LoadOptions, and may
 * use DeviceHandle to find files). Returns only if the kernel's stub returns; the protocol is
 * uninstalled again then. */
EFI_STATUS kernel_start(EFI_HANDLE parent, const LoadedKernel *k, const void *options, uint32_t options_size);
