/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "../efi.h"

#define EFI_DEVICE_PATH_PROTOCOL_GUID \
        EFI_GUID_INIT(0x09576e91, 0x6d3f, 0x11d2, 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b)

enum {
        MEDIA_DEVICE_PATH = 0x04,
        END_DEVICE_PATH_TYPE = 0x7f,
};
enum {
        MEDIA_VENDOR_DP = 0x03,
        MEDIA_FILEPATH_DP = 0x04,
        END_ENTIRE_DEVICE_PATH_SUBTYPE = 0xff,
};

struct EFI_DEVICE_PATH_PROTOCOL {
        uint8_t Type;
        uint8_t SubType;
        uint16_t Length; /* of this node, header included */
} __attribute__((packed));

typedef struct {
        EFI_DEVICE_PATH_PROTOCOL Header;
        EFI_GUID Guid;
} __attribute__((packed)) VENDOR_DEVICE_PATH;
