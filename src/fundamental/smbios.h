/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SMBIOS (DMTF DSP0134) as the firmware hands it to an EFI program: an entry point structure
 * (the EFI configuration table SMBIOS3_TABLE_GUID for 3.x, SMBIOS_TABLE_GUID for 2.x) names
 * the structure table's address and size; the structure table is a run of structures, each a
 * 4-byte header (type, formatted length, handle), its formatted area, then a string set
 * (NUL-terminated strings, ended by one more NUL; an empty set is two NULs). Type 127 ends
 * the table. Pure parsing: every function takes (pointer, length) and checks every offset.
 * docs/stub.md "SMBIOS".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the entry point structures occupy (SMBIOS 3.0: 0x18 bytes, 2.1: 0x1f bytes); an EFI
 * program reads this many bytes at the configuration table's pointer. */
#define SMBIOS3_ENTRY_POINT_SIZE 0x18u
#define SMBIOS2_ENTRY_POINT_SIZE 0x1fu

#define SMBIOS_TYPE_SYSTEM 1
#define SMBIOS_TYPE_BASEBOARD 2
#define SMBIOS_TYPE_OEM_STRINGS 11
#define SMBIOS_TYPE_END 127

/* The structure table an entry point names. */
typedef struct {
        uint64_t address;
        uint64_t size;   /* 3.x: the table's maximum size; 2.x: its exact length */
        uint8_t major, minor;
} SmbiosTableRef;

/* A 3.x entry point ("_SM3_") of len bytes: true and *ret when it is one (anchor, and an
 * entry point length that covers the fields read and fits len). */
bool smbios3_entry_point(const void *ep, size_t len, SmbiosTableRef *ret);
/* A 2.x entry point ("_SM_" with the "_DMI_" intermediate anchor), likewise. */
bool smbios2_entry_point(const void *ep, size_t len, SmbiosTableRef *ret);

/* One structure of a table. */
typedef struct {
        uint8_t type;
        uint8_t length;          /* formatted area, header included */
        uint16_t handle;
        const uint8_t *data;     /* the header */
        const uint8_t *strings;  /* the string set after the formatted area */
        size_t strings_size;     /* up to and including the set's final NUL */
} SmbiosStructure;

/* The first structure of that type (and a formatted length of at least min_length) in the
 * table (p, len), stopping at type 127, at the end of len, or at a structure that does not
 * fit: true and *ret when found. */
bool smbios_find(const void *p, size_t len, uint8_t type, size_t min_length, SmbiosStructure *ret);

/* Walk the table (p, len): the structure at *offset (0 for the first) into *ret and *offset
 * moved past it; false at type 127, at the end, or at a structure that does not fit the table
 * whole (its string set included). ret->length + ret->strings_size bytes from ret->data are the
 * whole structure. */
bool smbios_next(const void *p, size_t len, size_t *offset, SmbiosStructure *ret);

/* String number index (1-based, as the formatted area refers to it) of a structure: its
 * start and length without the NUL, or NULL (index 0 means "no string"). */
const char *smbios_string(const SmbiosStructure *s, uint8_t index, size_t *ret_len);

/* systemd-stub's OEM string look-up: in the first type 11 structure, the first string of the
 * form "name=value"; returns value (NUL-terminated inside the table) and its length, or NULL. */
const char *smbios_find_oem_string(const void *p, size_t len, const char *name, size_t *ret_len);
