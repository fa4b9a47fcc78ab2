/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shim's SHIM_LOCK protocol (rhboot/shim, shim.h): its image verification (db, MokList, its
 * built-in vendor certificate; dbx, MokListX and SBAT), which boot managers and stubs loaded
 * behind shim ask for images the firmware's db does not allow. shim is built with the ELF
 * calling convention, so on x86_64 its functions are sysv_abi, not EFIAPI (ms_abi). */
#pragma once

#include "../efi.h"

#define SHIM_LOCK_GUID EFI_GUID_INIT(0x605dab50, 0xe046, 0x4300, 0xab, 0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23)

#if defined(__x86_64__)
#  define SHIMAPI __attribute__((sysv_abi))
#else
#  define SHIMAPI
#endif

typedef struct {
        EFI_STATUS (SHIMAPI *Verify)(const void *buffer, uint32_t size);
        void *Hash;           /* generate_hash, not used */
        void *ReadHeader;     /* read_header, not used */
} SHIM_LOCK_PROTOCOL;
