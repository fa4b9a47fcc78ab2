/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EFI_SECURITY_ARCH_PROTOCOL and EFI_SECURITY2_ARCH_PROTOCOL (UEFI PI specification, volume 2):
 * the firmware's LoadImage asks them whether an image may be loaded; Secure Boot's signature check
 * (db/dbx) sits behind FileAuthentication (edk2: DxeImageVerificationLib through Security2). */
#pragma once

#include "../efi.h"
#include "device-path.h"

#define EFI_SECURITY_ARCH_PROTOCOL_GUID \
        EFI_GUID_INIT(0xa46423e3, 0x4617, 0x49f1, 0xb9, 0xff, 0xd1, 0xbf, 0xa9, 0x11, 0x58, 0x39)
#define EFI_SECURITY2_ARCH_PROTOCOL_GUID \
        EFI_GUID_INIT(0x94ab2f58, 0x1438, 0x4ef1, 0x91, 0x52, 0x18, 0x94, 0x1a, 0x3a, 0x0e, 0x68)

typedef struct EFI_SECURITY_ARCH_PROTOCOL EFI_SECURITY_ARCH_PROTOCOL;
struct EFI_SECURITY_ARCH_PROTOCOL {
        EFI_STATUS (EFIAPI *FileAuthenticationState)(const EFI_SECURITY_ARCH_PROTOCOL *This,
                                                     uint32_t AuthenticationStatus,
                                                     const EFI_DEVICE_PATH_PROTOCOL *File);
};

typedef struct EFI_SECURITY2_ARCH_PROTOCOL EFI_SECURITY2_ARCH_PROTOCOL;
struct EFI_SECURITY2_ARCH_PROTOCOL {
        EFI_STATUS (EFIAPI *FileAuthentication)(const EFI_SECURITY2_ARCH_PROTOCOL *This,
                                                const EFI_DEVICE_PATH_PROTOCOL *DevicePath, void *FileBuffer,
                                                size_t FileSize, bool BootPolicy);
};
