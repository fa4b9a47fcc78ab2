/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device paths of files on a volume, for LoadImage (add-ons; the test shim's next stage). */
#include "file-path.h"
#include "util.h"

#define DP_MAX 4096u         /* bound for the device handle's device path */

EFI_STATUS file_device_path(EFI_HANDLE dev, const char16_t *path, size_t path_max, EFI_DEVICE_PATH_PROTOCOL **ret) {
        static const EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
        const uint8_t *base = NULL;
        *ret = NULL;
        EFI_STATUS err = BS->HandleProtocol(dev, &dp_guid, (void **) &base);
        if (err != EFI_SUCCESS)
                return err;
        if (!base)
                return EFI_INVALID_PARAMETER;
        size_t len = 0;
        for (;;) {   /* up to the End node, every node's length checked against the bound */
                EFI_DEVICE_PATH_PROTOCOL n;
                if (len + sizeof(n) > DP_MAX)
                        return EFI_INVALID_PARAMETER;
                memcpy(&n, base + len, sizeof(n));
                if (n.Type == END_DEVICE_PATH_TYPE)
                        break;
                if (n.Length < sizeof(n) || len + n.Length > DP_MAX)
                        return EFI_INVALID_PARAMETER;
                len += n.Length;
        }
        size_t units = strnlen16(path, path_max) + 1;
        size_t node = sizeof(EFI_DEVICE_PATH_PROTOCOL) + units * sizeof(char16_t);
        if (node > UINT16_MAX)
                return EFI_INVALID_PARAMETER;
        uint8_t *dp;
        err = BS->AllocatePool(EfiLoaderData, len + node + sizeof(EFI_DEVICE_PATH_PROTOCOL), (void **) &dp);
        if (err != EFI_SUCCESS)
                return err;
        memcpy(dp, base, len);
        EFI_DEVICE_PATH_PROTOCOL h = { MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP, (uint16_t) node };
        memcpy(dp + len, &h, sizeof(h));
        memcpy(dp + len + sizeof(h), path, units * sizeof(char16_t));
        EFI_DEVICE_PATH_PROTOCOL end = { END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, sizeof(end) };
        memcpy(dp + len + node, &end, sizeof(end));
        *ret = (EFI_DEVICE_PATH_PROTOCOL *) dp;
        return EFI_SUCCESS;
}
