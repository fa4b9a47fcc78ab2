/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EFI_CC_MEASUREMENT_PROTOCOL (UEFI 2.10, "Confidential Computing"): measurements of a
 * confidential VM's firmware go to its measurement registers (TDX RTMRs, ...); the event log
 * has the TCG2 format. MapPcrToMrIndex says which register stands for a TPM PCR. */
#pragma once

#include "../efi.h"

#define EFI_CC_MEASUREMENT_PROTOCOL_GUID \
        EFI_GUID_INIT(0x96751a3d, 0x72f4, 0x41a6, 0xa7, 0x94, 0xed, 0x5d, 0x0e, 0x67, 0xae, 0x6b)

/* Events logged after the first GetEventLog call also go to this table (UEFI 2.10 "EFI CC Final
 * Events Table"): the layout of EFI_TCG2_FINAL_EVENTS_TABLE, events with MR indices. */
#define EFI_CC_FINAL_EVENTS_TABLE_GUID \
        EFI_GUID_INIT(0xdd4a4648, 0x2de7, 0x4665, 0x96, 0x4d, 0x21, 0xd9, 0xef, 0x5f, 0xb4, 0x46)

#define EFI_CC_EVENT_HEADER_VERSION 1
#define EFI_CC_EVENT_LOG_FORMAT_TCG_2 UINT32_C(0x00000002)

typedef struct {
        uint8_t Major;
        uint8_t Minor;
} EFI_CC_VERSION;

typedef struct {
        uint8_t Size;
        EFI_CC_VERSION StructureVersion;
        EFI_CC_VERSION ProtocolVersion;
        uint32_t HashAlgorithmBitmap;
        uint32_t SupportedEventLogs;
        uint8_t CcType;
        uint8_t CcSubType;
} EFI_CC_BOOT_SERVICE_CAPABILITY;

typedef struct {
        uint32_t HeaderSize;
        uint16_t HeaderVersion;
        uint32_t MrIndex;
        uint32_t EventType;
} __attribute__((packed)) EFI_CC_EVENT_HEADER;

typedef struct {
        uint32_t Size;
        EFI_CC_EVENT_HEADER Header;
        uint8_t Event[];
} __attribute__((packed)) EFI_CC_EVENT;

typedef struct EFI_CC_MEASUREMENT_PROTOCOL EFI_CC_MEASUREMENT_PROTOCOL;
struct EFI_CC_MEASUREMENT_PROTOCOL {
        EFI_STATUS (EFIAPI *GetCapability)(EFI_CC_MEASUREMENT_PROTOCOL *This, EFI_CC_BOOT_SERVICE_CAPABILITY *Capability);
        EFI_STATUS (EFIAPI *GetEventLog)(EFI_CC_MEASUREMENT_PROTOCOL *This, uint32_t EventLogFormat,
                                         EFI_PHYSICAL_ADDRESS *EventLogLocation, EFI_PHYSICAL_ADDRESS *EventLogLastEntry,
                                         bool *EventLogTruncated);
        EFI_STATUS (EFIAPI *HashLogExtendEvent)(EFI_CC_MEASUREMENT_PROTOCOL *This, uint64_t Flags,
                                                EFI_PHYSICAL_ADDRESS DataToHash, uint64_t DataToHashLen,
                                                EFI_CC_EVENT *EfiCcEvent);
        EFI_STATUS (EFIAPI *MapPcrToMrIndex)(EFI_CC_MEASUREMENT_PROTOCOL *This, uint32_t PcrIndex, uint32_t *MrIndex);
};
