/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * UEFI variables: the vendor GUIDs we read and write and the few ways we use them. Every
 * GetVariable/SetVariable of the EFI binaries goes through here.
 */
#include "efi.h"

/* The UEFI specification's global variables (SecureBoot, SetupMode, ...). */
#define EFI_GLOBAL_VARIABLE_GUID \
        EFI_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c)

/* systemd's loader variables vendor GUID (docs/BOOT_LOADER_INTERFACE.md: LoaderInfo,
 * LoaderFeatures, LoaderSystemToken, StubInfo, StubPcr*, ...). */
#define LOADER_INFO_GUID \
        EFI_GUID_INIT(0x4a67b082, 0x0a4c, 0x41cf, 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f)

/* A variable of exactly size bytes into buf: true if it exists with that size (a larger or
 * smaller one is false, buf then undefined). */
bool efivar_get_exact(const EFI_GUID *vendor, const char16_t *name, void *buf, size_t size);

/* A variable of 1..max bytes as pool memory (*ret, *ret_size; free with FreePool or
 * _cleanup_pool_); EFI_NOT_FOUND if it does not exist, EFI_BAD_BUFFER_SIZE if it is empty or
 * larger than max. Not logged: a missing variable is normal. */
EFI_STATUS efivar_get_pool(const EFI_GUID *vendor, const char16_t *name, size_t max, void **ret, size_t *ret_size);

/* True if the variable exists (of any size). */
bool efivar_exists(const EFI_GUID *vendor, const char16_t *name);

/* Set a volatile variable (boot and runtime access, never stored); logs which one on failure. */
bool efivar_set_volatile(const EFI_GUID *vendor, const char16_t *name, const void *data, size_t size);
