/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "boot-options.h"
#include "efi.h"
#include "util.h"

typedef struct InitrdLoader InitrdLoader;

/* Offer (data, size) to the kernel through LoadFile2 on the LINUX_EFI_INITRD_MEDIA vendor
 * device path, the way the kernel's EFI stub looks for it. If a boot manager registered an
 * initrd already, ours stands in for its interface until initrd_unregister() puts it back.
 * The data must stay valid until initrd_unregister(). *ret = NULL when size is 0. */
EFI_STATUS initrd_register(const void *data, size_t size, InitrdLoader **ret);
/* Undo initrd_register (for when the kernel returns); NULL is fine. False if the loader is
 * still installed (the firmware refused): then its data must stay allocated. */
bool initrd_unregister(InitrdLoader *loader);
/* Is an initrd already offered on the initrd media path (by a boot manager)? */
bool initrd_is_registered(void);
/* Read the initrd another loader registered, straight into its final place: its size
 * (LoadFile2 with no buffer), then all of it into buf (exactly size bytes, else an error). */
EFI_STATUS initrd_registered_size(size_t *ret_size);
EFI_STATUS initrd_registered_read(void *buf, size_t size);
/* Read and concatenate the files named by the initrd= paths opts found in cmdline (len
 * characters, what opts was parsed from) from the volume on `device`, each straight into its
 * place in one allocation of pages ending at or below max (initrd-place.h; caller frees; none
 * when there are no such paths or the files are all empty: *ret_size 0). An error (logged) if
 * a named file cannot be read, its status as the firmware gave it (EFI_NOT_FOUND for a missing
 * file, as the kernel's stub returns), or if there are more than BOOT_OPTIONS_INITRD_MAX. */
EFI_STATUS initrd_read_cmdline(EFI_HANDLE device, const char16_t *cmdline, size_t len, const BootOptions *opts,
                               uint64_t max, Pages *ret_pages, size_t *ret_size);
