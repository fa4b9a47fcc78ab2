/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * EFI_MEMORY_ATTRIBUTE_PROTOCOL (UEFI 2.10): lets a loader change page permissions of memory
 * it allocated. Absent from older firmware (Debian 12's OVMF/AAVMF 2022.11 lacks it), so
 * every user must cope with LocateProtocol failing.
 */
#pragma once

#include "../efi.h"

#define EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID \
        EFI_GUID_INIT(0xf4560cf6, 0x40ec, 0x4b4a, 0xa1, 0x92, 0xbf, 0x1d, 0x57, 0xd0, 0xb1, 0x89)

typedef struct EFI_MEMORY_ATTRIBUTE_PROTOCOL EFI_MEMORY_ATTRIBUTE_PROTOCOL;
struct EFI_MEMORY_ATTRIBUTE_PROTOCOL {
        EFI_STATUS (EFIAPI *GetMemoryAttributes)(EFI_MEMORY_ATTRIBUTE_PROTOCOL *This, EFI_PHYSICAL_ADDRESS BaseAddress,
                                                 uint64_t Length, uint64_t *Attributes);
        EFI_STATUS (EFIAPI *SetMemoryAttributes)(EFI_MEMORY_ATTRIBUTE_PROTOCOL *This, EFI_PHYSICAL_ADDRESS BaseAddress,
                                                 uint64_t Length, uint64_t Attributes);
        EFI_STATUS (EFIAPI *ClearMemoryAttributes)(EFI_MEMORY_ATTRIBUTE_PROTOCOL *This, EFI_PHYSICAL_ADDRESS BaseAddress,
                                                   uint64_t Length, uint64_t Attributes);
};
