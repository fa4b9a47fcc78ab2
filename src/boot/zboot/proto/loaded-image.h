/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "../efi.h"

#define EFI_LOADED_IMAGE_PROTOCOL_GUID \
        EFI_GUID_INIT(0x5b1b31a1, 0x9562, 0x11d2, 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b)
#define EFI_LOADED_IMAGE_DEVICE_PATH_PROTOCOL_GUID \
        EFI_GUID_INIT(0xbc62157e, 0x3e33, 0x4fec, 0x99, 0x20, 0x2d, 0x3b, 0x36, 0xd7, 0x50, 0xdf)

typedef struct {
        uint32_t Revision;
        EFI_HANDLE ParentHandle;
        EFI_SYSTEM_TABLE *SystemTable;
        EFI_HANDLE DeviceHandle;
        EFI_DEVICE_PATH_PROTOCOL *FilePath;
        void *Reserved;
        uint32_t LoadOptionsSize;
        void *LoadOptions;
        void *ImageBase;
        uint64_t ImageSize;
        EFI_MEMORY_TYPE ImageCodeType;
        EFI_MEMORY_TYPE ImageDataType;
        EFI_STATUS (EFIAPI *Unload)(EFI_HANDLE ImageHandle);
} EFI_LOADED_IMAGE_PROTOCOL;
