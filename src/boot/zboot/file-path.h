/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "proto/device-path.h"

/* The device path of device dev (a volume) followed by one file path node for path (at most
 * path_max units before its NUL), in pool memory; NULL when dev has no device path, it is longer
 * than 4 KiB or malformed, or memory runs out. */
EFI_DEVICE_PATH_PROTOCOL *file_device_path(EFI_HANDLE dev, const char16_t *path, size_t path_max);
