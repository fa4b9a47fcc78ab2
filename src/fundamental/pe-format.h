/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * On-disk structures of PE32+ images as UEFI uses them (Microsoft PE/COFF specification).
 * Plain data, no behaviour: the parser and the builder live in pe.c. Every structure is packed
 * and fixed-width, so offsetof() of a field is its offset in the (little-endian) format and the
 * same header serves the EFI binaries (freestanding) and the host tools. A struct holds host-order
 * values: pe.c's pe_*_header_read()/_write() convert each field with get_le*()/put_le*(), and
 * src/ never memcpys a header into one or casts a buffer to one (tools/elf2efi.c and the unit
 * tests' synthetic images still do: they assume a little-endian build host).
 */
#pragma once

#include <stdint.h>

#define DOS_MAGIC               0x5a4du     /* "MZ" */
#define PE_MAGIC                0x00004550u /* "PE\0\0" */
#define PE_OPT_MAGIC_PE32PLUS   0x020bu

#define PE_MACHINE_X86_64       0x8664u
#define PE_MACHINE_ARM64        0xaa64u
#define PE_MACHINE_RISCV64      0x5064u
#define PE_MACHINE_LOONGARCH64  0x6264u

/* FileHeader.Characteristics */
#define PE_FILE_RELOCS_STRIPPED         0x0001u
#define PE_FILE_EXECUTABLE_IMAGE        0x0002u
#define PE_FILE_LARGE_ADDRESS_AWARE     0x0020u
#define PE_FILE_DEBUG_STRIPPED          0x0200u
#define PE_FILE_DLL                     0x2000u

/* OptionalHeader.Subsystem */
#define PE_SUBSYSTEM_EFI_APPLICATION    10u
#define PE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER 11u

/* OptionalHeader.DllCharacteristics */
#define PE_DLL_HIGH_ENTROPY_VA          0x0020u
#define PE_DLL_DYNAMIC_BASE             0x0040u
#define PE_DLL_FORCE_INTEGRITY          0x0080u
#define PE_DLL_NX_COMPAT                0x0100u

/* SectionHeader.Characteristics */
#define PE_SCN_CNT_CODE                 0x00000020u
#define PE_SCN_CNT_INITIALIZED_DATA     0x00000040u
#define PE_SCN_CNT_UNINITIALIZED_DATA   0x00000080u
#define PE_SCN_MEM_DISCARDABLE          0x02000000u
#define PE_SCN_MEM_SHARED               0x10000000u
#define PE_SCN_MEM_EXECUTE              0x20000000u
#define PE_SCN_MEM_READ                 0x40000000u
#define PE_SCN_MEM_WRITE                0x80000000u

/* Data directory indexes */
enum {
        PE_DIR_EXPORT = 0,
        PE_DIR_IMPORT = 1,
        PE_DIR_RESOURCE = 2,
        PE_DIR_EXCEPTION = 3,
        PE_DIR_SECURITY = 4, /* file offset, not RVA: the Authenticode certificate table */
        PE_DIR_BASERELOC = 5,
        PE_DIR_DEBUG = 6,
        PE_DIR_COUNT = 16,
};

/* Base relocation types */
#define PE_REL_BASED_ABSOLUTE   0u
#define PE_REL_BASED_DIR64      10u

typedef struct __attribute__((packed)) {
        uint16_t e_magic;       /* "MZ" */
        uint16_t e_cblp;
        uint8_t  e_unused[0x3c - 4];
        uint32_t e_lfanew;      /* file offset of PeHeader */
} DosHeader;

typedef struct __attribute__((packed)) {
        uint16_t Machine;
        uint16_t NumberOfSections;
        uint32_t TimeDateStamp;
        uint32_t PointerToSymbolTable;
        uint32_t NumberOfSymbols;
        uint16_t SizeOfOptionalHeader;
        uint16_t Characteristics;
} PeFileHeader;

typedef struct __attribute__((packed)) {
        uint32_t VirtualAddress;
        uint32_t Size;
} PeDataDirectory;

typedef struct __attribute__((packed)) {
        uint16_t Magic;
        uint8_t  MajorLinkerVersion;
        uint8_t  MinorLinkerVersion;
        uint32_t SizeOfCode;
        uint32_t SizeOfInitializedData;
        uint32_t SizeOfUninitializedData;
        uint32_t AddressOfEntryPoint;
        uint32_t BaseOfCode;
        uint64_t ImageBase;
        uint32_t SectionAlignment;
        uint32_t FileAlignment;
        uint16_t MajorOperatingSystemVersion;
        uint16_t MinorOperatingSystemVersion;
        uint16_t MajorImageVersion;
        uint16_t MinorImageVersion;
        uint16_t MajorSubsystemVersion;
        uint16_t MinorSubsystemVersion;
        uint32_t Win32VersionValue;
        uint32_t SizeOfImage;
        uint32_t SizeOfHeaders;
        uint32_t CheckSum;
        uint16_t Subsystem;
        uint16_t DllCharacteristics;
        uint64_t SizeOfStackReserve;
        uint64_t SizeOfStackCommit;
        uint64_t SizeOfHeapReserve;
        uint64_t SizeOfHeapCommit;
        uint32_t LoaderFlags;
        uint32_t NumberOfRvaAndSizes;
        PeDataDirectory DataDirectory[PE_DIR_COUNT];
} PeOptionalHeader64;

typedef struct __attribute__((packed)) {
        uint32_t Signature;     /* "PE\0\0" */
        PeFileHeader FileHeader;
        PeOptionalHeader64 OptionalHeader;
} PeHeader64;

#define PE_SECTION_NAME_LEN 8

typedef struct __attribute__((packed)) {
        char     Name[PE_SECTION_NAME_LEN]; /* NUL-padded, not necessarily NUL-terminated */
        uint32_t VirtualSize;
        uint32_t VirtualAddress;
        uint32_t SizeOfRawData;
        uint32_t PointerToRawData;
        uint32_t PointerToRelocations;
        uint32_t PointerToLinenumbers;
        uint16_t NumberOfRelocations;
        uint16_t NumberOfLinenumbers;
        uint32_t Characteristics;
} PeSectionHeader;

typedef struct __attribute__((packed)) {
        uint32_t PageRVA;
        uint32_t BlockSize; /* including this header */
        /* uint16_t entries[]: type << 12 | offset within the page */
} PeBaseRelocBlock;

_Static_assert(sizeof(DosHeader) == 0x40, "DOS header size");
_Static_assert(sizeof(PeFileHeader) == 20, "COFF header size");
_Static_assert(sizeof(PeOptionalHeader64) == 240, "PE32+ optional header size");
_Static_assert(sizeof(PeSectionHeader) == 40, "section header size");
