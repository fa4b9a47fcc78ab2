/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EFI_PARTITION_INFO_PROTOCOL (UEFI 2.7, §13.18): the partition table entry of a partition's handle. */
#pragma once

#include "../efi.h"

#define EFI_PARTITION_INFO_PROTOCOL_GUID \
        EFI_GUID_INIT(0x8cf2f62c, 0xbc9b, 0x4821, 0x80, 0x8d, 0xec, 0x9e, 0xc4, 0x21, 0xa1, 0xa0)
#define PARTITION_TYPE_GPT 0x02

/* The EFI system partition's GPT type GUID, c12a7328-f81f-11d2-ba4b-00a0c93ec93b. */
#define ESP_PARTITION_TYPE_GUID \
        EFI_GUID_INIT(0xc12a7328, 0xf81f, 0x11d2, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b)

typedef struct {
        EFI_GUID PartitionTypeGUID;
        EFI_GUID UniquePartitionGUID;
        uint64_t StartingLBA;
        uint64_t EndingLBA;
        uint64_t Attributes;
        char16_t PartitionName[36];
} __attribute__((packed)) EFI_PARTITION_ENTRY;

typedef struct {
        uint32_t Revision;
        uint32_t Type;
        uint8_t System;
        uint8_t Reserved[7];
        union {
                uint8_t Mbr[16];
                EFI_PARTITION_ENTRY Gpt;
        } Info;
} __attribute__((packed)) EFI_PARTITION_INFO_PROTOCOL;
