/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EFI_SIMPLE_FILE_SYSTEM_PROTOCOL and EFI_FILE_PROTOCOL: read-only use (open, size, read). */
#pragma once

#include "../efi.h"

#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID \
        EFI_GUID_INIT(0x964e5b22, 0x6459, 0x11d2, 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b)
#define EFI_FILE_MODE_READ UINT64_C(1)

typedef struct EFI_FILE_PROTOCOL EFI_FILE_PROTOCOL;
struct EFI_FILE_PROTOCOL {
        uint64_t Revision;
        EFI_STATUS (EFIAPI *Open)(EFI_FILE_PROTOCOL *This, EFI_FILE_PROTOCOL **NewHandle, const char16_t *FileName,
                                  uint64_t OpenMode, uint64_t Attributes);
        EFI_STATUS (EFIAPI *Close)(EFI_FILE_PROTOCOL *This);
        void *Delete;
        EFI_STATUS (EFIAPI *Read)(EFI_FILE_PROTOCOL *This, size_t *BufferSize, void *Buffer);
        void *Write;
        EFI_STATUS (EFIAPI *GetPosition)(EFI_FILE_PROTOCOL *This, uint64_t *Position);
        EFI_STATUS (EFIAPI *SetPosition)(EFI_FILE_PROTOCOL *This, uint64_t Position);
};

typedef struct EFI_SIMPLE_FILE_SYSTEM_PROTOCOL EFI_SIMPLE_FILE_SYSTEM_PROTOCOL;
struct EFI_SIMPLE_FILE_SYSTEM_PROTOCOL {
        uint64_t Revision;
        EFI_STATUS (EFIAPI *OpenVolume)(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *This, EFI_FILE_PROTOCOL **Root);
};
