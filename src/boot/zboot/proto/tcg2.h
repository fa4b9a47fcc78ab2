/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EFI_TCG2_PROTOCOL (TCG EFI Protocol Specification, family 2.0): what we call of it. */
#pragma once

#include "../efi.h"

#define EFI_TCG2_PROTOCOL_GUID \
        EFI_GUID_INIT(0x607f766c, 0x7455, 0x42be, 0x93, 0x0b, 0xe4, 0xd7, 0x6d, 0xb2, 0x72, 0x0f)

#define EFI_TCG2_EVENT_HEADER_VERSION 1
#define EFI_TCG2_PE_COFF_IMAGE UINT64_C(0x10)  /* data is a PE image: hash it Authenticode-style */
#define EV_EVENT_TAG UINT32_C(0x00000006)
#define EV_IPL       UINT32_C(0x0000000d)

typedef struct {
        uint8_t Major;
        uint8_t Minor;
} EFI_TCG2_VERSION;

typedef struct {
        uint8_t Size;
        EFI_TCG2_VERSION StructureVersion;
        EFI_TCG2_VERSION ProtocolVersion;
        uint32_t HashAlgorithmBitmap;
        uint32_t SupportedEventLogs;
        bool TPMPresentFlag;
        uint16_t MaxCommandSize;
        uint16_t MaxResponseSize;
        uint32_t ManufacturerID;
        uint32_t NumberOfPcrBanks;
        uint32_t ActivePcrBanks;
} EFI_TCG2_BOOT_SERVICE_CAPABILITY;

/* The 1.0 layout of the capability structure (structure version 1.0 firmware): the present
 * flag sits elsewhere. */
typedef struct {
        uint8_t Size;
        uint8_t StructureVersion[4];
        uint8_t ProtocolSpecVersion[4];
        uint8_t HashAlgorithmBitmap;
        bool TPMPresentFlag;
        bool TPMDeactivatedFlag;
} EFI_TCG2_BOOT_SERVICE_CAPABILITY_1_0;

typedef struct {
        uint32_t HeaderSize;
        uint16_t HeaderVersion;
        uint32_t PCRIndex;
        uint32_t EventType;
} __attribute__((packed)) EFI_TCG2_EVENT_HEADER;

typedef struct {
        uint32_t Size;          /* of the whole structure, event data included */
        EFI_TCG2_EVENT_HEADER Header;
        uint8_t Event[];
} __attribute__((packed)) EFI_TCG2_EVENT;

/* Event data of EV_EVENT_TAG events (TCG_PCClientTaggedEvent). */
typedef struct {
        uint32_t TaggedEventID;
        uint32_t TaggedEventDataSize;
        uint8_t TaggedEventData[];
} __attribute__((packed)) EFI_TCG2_TAGGED_EVENT;

typedef struct EFI_TCG2_PROTOCOL EFI_TCG2_PROTOCOL;
struct EFI_TCG2_PROTOCOL {
        EFI_STATUS (EFIAPI *GetCapability)(EFI_TCG2_PROTOCOL *This, EFI_TCG2_BOOT_SERVICE_CAPABILITY *Capability);
        EFI_STATUS (EFIAPI *GetEventLog)(EFI_TCG2_PROTOCOL *This, uint32_t EventLogFormat, EFI_PHYSICAL_ADDRESS *EventLogLocation,
                                         EFI_PHYSICAL_ADDRESS *EventLogLastEntry, bool *EventLogTruncated);
        EFI_STATUS (EFIAPI *HashLogExtendEvent)(EFI_TCG2_PROTOCOL *This, uint64_t Flags, EFI_PHYSICAL_ADDRESS DataToHash,
                                                uint64_t DataToHashLen, EFI_TCG2_EVENT *EfiTcgEvent);
        void *SubmitCommand;
        void *GetActivePcrBanks;
        void *SetActivePcrBanks;
        void *GetResultOfSetActivePcrBanks;
};
