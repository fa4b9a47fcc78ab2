/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * EFI_HII_DATABASE_PROTOCOL (UEFI 2.10 section 34.8): only GetKeyboardLayout() is called, to
 * read the current keyboard layout (src/fundamental/hii-keyboard.h has its format); the members
 * before it keep their places.
 */
#pragma once

#include "../efi.h"

#define EFI_HII_DATABASE_PROTOCOL_GUID \
        EFI_GUID_INIT(0xef9fc172, 0xa1b2, 0x4693, 0xb3, 0x27, 0x6d, 0x32, 0xfc, 0x41, 0x60, 0x42)

typedef struct EFI_HII_DATABASE_PROTOCOL EFI_HII_DATABASE_PROTOCOL;
struct EFI_HII_DATABASE_PROTOCOL {
        void *NewPackageList, *RemovePackageList, *UpdatePackageList, *ListPackageLists, *ExportPackageLists,
                *RegisterPackageNotify, *UnregisterPackageNotify, *FindKeyboardLayouts;
        /* KeyGuid NULL: the current layout; *KeyboardLayoutLength in and out, EFI_BUFFER_TOO_SMALL
         * with the size needed */
        EFI_STATUS (EFIAPI *GetKeyboardLayout)(EFI_HII_DATABASE_PROTOCOL *This, const EFI_GUID *KeyGuid,
                                               uint16_t *KeyboardLayoutLength, void *KeyboardLayout);
        void *SetKeyboardLayout, *GetPackageListHandle;
};
