/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "boot-options.h"
#include "efi.h"

typedef struct InitrdLoader InitrdLoader;

/* Offer (data, size) to the kernel through LoadFile2 on the LINUX_EFI_INITRD_MEDIA vendor
 * device path, the way the kernel's EFI stub looks for it. If a boot manager registered an
 * initrd already, ours stands in for its interface until initrd_unregister() puts it back.
 * The data must stay valid until initrd_unregister(). *ret = NULL when size is 0. */
EFI_STATUS initrd_register(const void *data, size_t size, InitrdLoader **ret);
/* Undo initrd_register (for when the kernel returns); NULL is fine. */
void initrd_unregister(InitrdLoader *loader);
/* Is an initrd already offered on the initrd media path (by a boot manager)? */
bool initrd_is_registered(void);
/* Read the initrd another loader registered into pool memory (caller frees). */
EFI_STATUS initrd_read_registered(void **ret_data, size_t *ret_size);
/* first (our .initrd), zero-padded to 4 bytes, then the initrd the boot manager registered,
 * in one pool buffer (caller frees): the kernel unpacks both, later files win. */
EFI_STATUS initrd_combine_registered(const void *first, size_t first_size, void **ret_data, size_t *ret_size);
/* Read and concatenate the files named by the initrd= paths opts found in cmdline (len
 * characters, what opts was parsed from) from the volume on `device` into pool memory (caller
 * frees). EFI_NOT_FOUND if there are none; an error (logged) if a named file cannot be read or
 * there are more than BOOT_OPTIONS_INITRD_MAX. */
EFI_STATUS initrd_read_cmdline(EFI_HANDLE device, const char16_t *cmdline, size_t len, const BootOptions *opts,
                               void **ret_data, size_t *ret_size);
