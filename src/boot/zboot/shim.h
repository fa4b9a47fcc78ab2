/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "proto/device-path.h"

/* BS->LoadImage(false, parent, dp, NULL, 0, ret) of the file path on device (dp is its device
 * path), with shim's verification asked first when shim is there (its SHIM_LOCK protocol), as
 * systemd-stub 257 loads add-ons: for the length of the call the firmware's Security and
 * Security2 architectural protocols get a hook that accepts the image when shim's Verify does
 * (db, MokList, shim's vendor certificate; dbx, MokListX, SBAT), and otherwise asks the
 * firmware's own check as before. The hooks are removed before it returns. Without shim, plain
 * LoadImage; without Secure Boot, plain LoadImage too (as 257). *ret_shim: what shim said. */
typedef enum {
        SHIM_ABSENT,       /* no shim: the firmware alone decided */
        SHIM_NOT_ASKED,    /* shim is there, our hook was not asked: no Secure Boot, no security
                            * protocol, or shim 16's own LoadImage decided */
        SHIM_REFUSED,      /* asked, shim did not accept it: the firmware's check decided */
        SHIM_ACCEPTED,     /* shim's verification accepted it */
} ShimVerdict;
EFI_STATUS shim_load_image(EFI_HANDLE parent, EFI_DEVICE_PATH_PROTOCOL *dp, EFI_HANDLE device, const char16_t *path,
                           EFI_HANDLE *ret, ShimVerdict *ret_shim);
/* Put the firmware's security protocol functions back if shim_load_image() has them hooked
 * (nothing otherwise): what it does itself after LoadImage, and what __stack_chk_fail() does
 * before it leaves through Exit (stack_protector_undo_set(): the hooks are code in our image,
 * which Exit unloads). */
void shim_unhook(void);
