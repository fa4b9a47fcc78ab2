/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "../efi.h"

/* LINUX_EFI_LOADED_IMAGE_FIXED_GUID (Linux include/linux/efi.h, since 5.19): installed with a
 * NULL interface on a kernel's image handle, it tells the arm64 EFI stub that the loader
 * already placed the image at a random, suitably aligned address, so the stub runs it where it
 * is instead of copying it to a slot of its own (src/fundamental/arm64-image.h has the rule,
 * docs/arm64-boot.md the story). */
#define LINUX_EFI_LOADED_IMAGE_FIXED_GUID \
        EFI_GUID_INIT(0xf5a37b6d, 0x3344, 0x42a5, 0xb6, 0xbb, 0x97, 0x86, 0x48, 0xc1, 0x89, 0x0a)
