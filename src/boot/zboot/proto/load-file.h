/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "../efi.h"
#include "device-path.h"

#define EFI_LOAD_FILE2_PROTOCOL_GUID \
        EFI_GUID_INIT(0x4006c0c1, 0xfcb3, 0x403e, 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d)

typedef struct EFI_LOAD_FILE2_PROTOCOL EFI_LOAD_FILE2_PROTOCOL;
struct EFI_LOAD_FILE2_PROTOCOL {
        EFI_STATUS (EFIAPI *LoadFile)(EFI_LOAD_FILE2_PROTOCOL *This, EFI_DEVICE_PATH_PROTOCOL *FilePath,
                                      bool BootPolicy, size_t *BufferSize, void *Buffer);
};
