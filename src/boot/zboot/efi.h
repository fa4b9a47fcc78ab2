/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The small part of the UEFI specification we use: base types, the system table, boot and
 * runtime services. Protocols live in proto/, one header each. We keep our own headers (as
 * systemd-boot does) instead of depending on gnu-efi: they are short, and they name exactly
 * what we call.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#  define EFIAPI __attribute__((ms_abi))
#else
#  define EFIAPI
#endif

typedef uint64_t EFI_STATUS;
typedef void *EFI_HANDLE;
typedef void *EFI_EVENT;
typedef uint64_t EFI_PHYSICAL_ADDRESS;
typedef uint64_t EFI_VIRTUAL_ADDRESS;
typedef uint16_t char16_t;

typedef struct {
        uint32_t Data1;
        uint16_t Data2;
        uint16_t Data3;
        uint8_t Data4[8];
} EFI_GUID;

#define EFI_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7) \
        { a, b, c, { d0, d1, d2, d3, d4, d5, d6, d7 } }

#define EFI_ERROR_MASK (UINT64_C(1) << 63)
#define EFI_ERR(n) (EFI_ERROR_MASK | (n))
#define EFI_ERROR(s) (((int64_t) (s)) < 0)

enum {
        EFI_SUCCESS = 0,
        EFI_LOAD_ERROR = EFI_ERR(1),
        EFI_INVALID_PARAMETER = EFI_ERR(2),
        EFI_UNSUPPORTED = EFI_ERR(3),
        EFI_BAD_BUFFER_SIZE = EFI_ERR(4),
        EFI_BUFFER_TOO_SMALL = EFI_ERR(5),
        EFI_NOT_READY = EFI_ERR(6),
        EFI_DEVICE_ERROR = EFI_ERR(7),
        EFI_WRITE_PROTECTED = EFI_ERR(8),
        EFI_OUT_OF_RESOURCES = EFI_ERR(9),
        EFI_VOLUME_CORRUPTED = EFI_ERR(10),
        EFI_NOT_FOUND = EFI_ERR(14),
        EFI_ACCESS_DENIED = EFI_ERR(15),
        EFI_PROTOCOL_ERROR = EFI_ERR(17),
        EFI_ABORTED = EFI_ERR(21),
        EFI_CRC_ERROR = EFI_ERR(27),
        EFI_COMPROMISED_DATA = EFI_ERR(33),
        EFI_SECURITY_VIOLATION = EFI_ERR(26),
};

typedef enum {
        AllocateAnyPages,
        AllocateMaxAddress,
        AllocateAddress,
} EFI_ALLOCATE_TYPE;

typedef enum {
        EfiReservedMemoryType,
        EfiLoaderCode,
        EfiLoaderData,
        EfiBootServicesCode,
        EfiBootServicesData,
        EfiRuntimeServicesCode,
        EfiRuntimeServicesData,
        EfiConventionalMemory,
        EfiUnusableMemory,
        EfiACPIReclaimMemory,
        EfiACPIMemoryNVS,
        EfiMemoryMappedIO,
        EfiMemoryMappedIOPortSpace,
        EfiPalCode,
        EfiPersistentMemory,
        EfiUnacceptedMemoryType,
        EfiMaxMemoryType,
} EFI_MEMORY_TYPE;

typedef enum {
        AllHandles,
        ByRegisterNotify,
        ByProtocol,
} EFI_LOCATE_SEARCH_TYPE;

typedef enum {
        EFI_NATIVE_INTERFACE,
} EFI_INTERFACE_TYPE;

#define EFI_MEMORY_UC  UINT64_C(0x0000000000000001)
#define EFI_MEMORY_WB  UINT64_C(0x0000000000000008)
#define EFI_MEMORY_RP  UINT64_C(0x0000000000002000)
#define EFI_MEMORY_XP  UINT64_C(0x0000000000004000)
#define EFI_MEMORY_RO  UINT64_C(0x0000000000020000)
#define EFI_MEMORY_RUNTIME UINT64_C(0x8000000000000000)

typedef struct {
        uint32_t Type;
        uint32_t Pad;
        EFI_PHYSICAL_ADDRESS PhysicalStart;
        EFI_VIRTUAL_ADDRESS VirtualStart;
        uint64_t NumberOfPages;
        uint64_t Attribute;
} EFI_MEMORY_DESCRIPTOR;

#define EFI_VARIABLE_NON_VOLATILE       UINT32_C(0x00000001)
#define EFI_VARIABLE_BOOTSERVICE_ACCESS UINT32_C(0x00000002)
#define EFI_VARIABLE_RUNTIME_ACCESS     UINT32_C(0x00000004)

#define EFI_PAGE_SIZE 4096u
#define EFI_SIZE_TO_PAGES(s) (((s) + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE)

typedef struct {
        uint64_t Signature;
        uint32_t Revision;
        uint32_t HeaderSize;
        uint32_t CRC32;
        uint32_t Reserved;
} EFI_TABLE_HEADER;

/* EFI_TIME (16 bytes). */
typedef struct {
        uint16_t Year;
        uint8_t Month, Day, Hour, Minute, Second, Pad1;
        uint32_t Nanosecond;
        int16_t TimeZone;
        uint8_t Daylight, Pad2;
} EFI_TIME;

typedef struct EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL;
typedef struct EFI_DEVICE_PATH_PROTOCOL EFI_DEVICE_PATH_PROTOCOL;

typedef struct {
        EFI_TABLE_HEADER Hdr;
        void *RaiseTPL;
        void *RestoreTPL;
        EFI_STATUS (EFIAPI *AllocatePages)(EFI_ALLOCATE_TYPE Type, EFI_MEMORY_TYPE MemoryType, size_t Pages,
                                           EFI_PHYSICAL_ADDRESS *Memory);
        EFI_STATUS (EFIAPI *FreePages)(EFI_PHYSICAL_ADDRESS Memory, size_t Pages);
        EFI_STATUS (EFIAPI *GetMemoryMap)(size_t *MemoryMapSize, EFI_MEMORY_DESCRIPTOR *MemoryMap, size_t *MapKey,
                                          size_t *DescriptorSize, uint32_t *DescriptorVersion);
        EFI_STATUS (EFIAPI *AllocatePool)(EFI_MEMORY_TYPE PoolType, size_t Size, void **Buffer);
        EFI_STATUS (EFIAPI *FreePool)(void *Buffer);
        void *CreateEvent;
        void *SetTimer;
        void *WaitForEvent;
        void *SignalEvent;
        void *CloseEvent;
        void *CheckEvent;
        EFI_STATUS (EFIAPI *InstallProtocolInterface)(EFI_HANDLE *Handle, const EFI_GUID *Protocol,
                                                      EFI_INTERFACE_TYPE InterfaceType, void *Interface);
        EFI_STATUS (EFIAPI *ReinstallProtocolInterface)(EFI_HANDLE Handle, const EFI_GUID *Protocol,
                                                        void *OldInterface, void *NewInterface);
        EFI_STATUS (EFIAPI *UninstallProtocolInterface)(EFI_HANDLE Handle, const EFI_GUID *Protocol, void *Interface);
        EFI_STATUS (EFIAPI *HandleProtocol)(EFI_HANDLE Handle, const EFI_GUID *Protocol, void **Interface);
        void *Reserved;
        void *RegisterProtocolNotify;
        void *LocateHandle;
        EFI_STATUS (EFIAPI *LocateDevicePath)(const EFI_GUID *Protocol, EFI_DEVICE_PATH_PROTOCOL **DevicePath,
                                              EFI_HANDLE *Device);
        EFI_STATUS (EFIAPI *InstallConfigurationTable)(const EFI_GUID *Guid, void *Table);
        EFI_STATUS (EFIAPI *LoadImage)(bool BootPolicy, EFI_HANDLE ParentImageHandle, EFI_DEVICE_PATH_PROTOCOL *DevicePath,
                                       void *SourceBuffer, size_t SourceSize, EFI_HANDLE *ImageHandle);
        EFI_STATUS (EFIAPI *StartImage)(EFI_HANDLE ImageHandle, size_t *ExitDataSize, char16_t **ExitData);
        EFI_STATUS (EFIAPI *Exit)(EFI_HANDLE ImageHandle, EFI_STATUS ExitStatus, size_t ExitDataSize, char16_t *ExitData);
        EFI_STATUS (EFIAPI *UnloadImage)(EFI_HANDLE ImageHandle);
        EFI_STATUS (EFIAPI *ExitBootServices)(EFI_HANDLE ImageHandle, size_t MapKey);
        EFI_STATUS (EFIAPI *GetNextMonotonicCount)(uint64_t *Count);
        EFI_STATUS (EFIAPI *Stall)(size_t Microseconds);
        EFI_STATUS (EFIAPI *SetWatchdogTimer)(size_t Timeout, uint64_t WatchdogCode, size_t DataSize,
                                              char16_t *WatchdogData);
        void *ConnectController;
        void *DisconnectController;
        EFI_STATUS (EFIAPI *OpenProtocol)(EFI_HANDLE Handle, const EFI_GUID *Protocol, void **Interface,
                                          EFI_HANDLE AgentHandle, EFI_HANDLE ControllerHandle, uint32_t Attributes);
        EFI_STATUS (EFIAPI *CloseProtocol)(EFI_HANDLE Handle, const EFI_GUID *Protocol, EFI_HANDLE AgentHandle,
                                           EFI_HANDLE ControllerHandle);
        void *OpenProtocolInformation;
        void *ProtocolsPerHandle;
        EFI_STATUS (EFIAPI *LocateHandleBuffer)(EFI_LOCATE_SEARCH_TYPE SearchType, const EFI_GUID *Protocol,
                                                void *SearchKey, size_t *NoHandles, EFI_HANDLE **Buffer);
        EFI_STATUS (EFIAPI *LocateProtocol)(const EFI_GUID *Protocol, void *Registration, void **Interface);
        EFI_STATUS (EFIAPI *InstallMultipleProtocolInterfaces)(EFI_HANDLE *Handle, ...);
        EFI_STATUS (EFIAPI *UninstallMultipleProtocolInterfaces)(EFI_HANDLE Handle, ...);
        EFI_STATUS (EFIAPI *CalculateCrc32)(void *Data, size_t DataSize, uint32_t *Crc32);
        void (EFIAPI *CopyMem)(void *Destination, const void *Source, size_t Length);
        void (EFIAPI *SetMem)(void *Buffer, size_t Size, uint8_t Value);
        void *CreateEventEx;
} EFI_BOOT_SERVICES;

typedef struct {
        EFI_TABLE_HEADER Hdr;
        EFI_STATUS (EFIAPI *GetTime)(EFI_TIME *Time, void *Capabilities);
        void *SetTime;
        void *GetWakeupTime;
        void *SetWakeupTime;
        void *SetVirtualAddressMap;
        void *ConvertPointer;
        EFI_STATUS (EFIAPI *GetVariable)(const char16_t *VariableName, const EFI_GUID *VendorGuid, uint32_t *Attributes,
                                         size_t *DataSize, void *Data);
        void *GetNextVariableName;
        EFI_STATUS (EFIAPI *SetVariable)(const char16_t *VariableName, const EFI_GUID *VendorGuid, uint32_t Attributes,
                                         size_t DataSize, const void *Data);
        void *GetNextHighMonotonicCount;
        void (EFIAPI *ResetSystem)(int ResetType, EFI_STATUS ResetStatus, size_t DataSize, void *ResetData);
} EFI_RUNTIME_SERVICES;

typedef struct {
        EFI_GUID VendorGuid;
        void *VendorTable;
} EFI_CONFIGURATION_TABLE;

typedef struct {
        EFI_TABLE_HEADER Hdr;
        char16_t *FirmwareVendor;
        uint32_t FirmwareRevision;
        EFI_HANDLE ConsoleInHandle;
        void *ConIn;
        EFI_HANDLE ConsoleOutHandle;
        EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *ConOut;
        EFI_HANDLE StandardErrorHandle;
        EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *StdErr;
        EFI_RUNTIME_SERVICES *RuntimeServices;
        EFI_BOOT_SERVICES *BootServices;
        size_t NumberOfTableEntries;
        EFI_CONFIGURATION_TABLE *ConfigurationTable;
} EFI_SYSTEM_TABLE;

/* Set once at entry; every other file reaches firmware through these. */
extern EFI_SYSTEM_TABLE *ST;
extern EFI_BOOT_SERVICES *BS;
extern EFI_RUNTIME_SERVICES *RT;

/* Set just before the first ExitBootServices call: ours (x86-exit.c) or a kernel's EFI stub's
 * (kernel-start.c). From then on the firmware may have shut part of itself down, and only the
 * memory allocation services may be called (UEFI 2.10, ExitBootServices()), even if that call
 * fails and we return: the log drops its lines (log.c), pages whose attributes we changed stay
 * allocated instead of going through the memory attribute protocol (memattr.c), configuration
 * tables we installed stay (the TPM event log copy, the device tree) with their memory, and so
 * does the kernel's loaded image protocol (kernel-start.c); a smashed stack halts the CPU
 * (stack-protector.c). One exception: our LoadFile2 initrd is still unregistered
 * (initrd_unregister()), as its code is in our image, which the firmware unloads when we
 * return — left installed, the next LoadFile2 caller would jump into freed memory. */
extern bool efi_boot_services_gone;
