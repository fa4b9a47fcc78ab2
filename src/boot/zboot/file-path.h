/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "proto/device-path.h"

/* The device path of device dev (a volume) followed by one file path node for path (at most
 * path_max units before its NUL), in pool memory (*ret; the caller frees). Errors: dev has no
 * device path (HandleProtocol's status), it is malformed or longer than 4 KiB, or the file node
 * would be longer than a node can say (EFI_INVALID_PARAMETER), no memory (AllocatePool's). */
EFI_STATUS file_device_path(EFI_HANDLE dev, const char16_t *path, size_t path_max, EFI_DEVICE_PATH_PROTOCOL **ret);
