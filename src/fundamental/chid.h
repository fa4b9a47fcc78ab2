/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Computer Hardware IDs (CHIDs, Microsoft's "ComputerHardwareIds", fwupd's "HWIDs") and the
 * .hwids section systemd-stub 257 selects a .dtbauto by. A CHID is a name-based (version 5,
 * SHA-1) UUID in the namespace 70ffd812-4c7f-4c7d-0000-000000000000 over the UTF-16LE string
 * of some SMBIOS fields joined by '&'; HardwareID-0..14 differ in which fields. The SHA-1 is
 * libmd's (upstream-src/libmd, compiled freestanding for EFI). Pure: no EFI calls, every
 * parser takes (pointer, length). docs/stub.md "Device trees".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fields, in the order they are joined. */
typedef enum {
        CHID_MANUFACTURER,            /* SMBIOS type 1 */
        CHID_FAMILY,                  /* type 1 */
        CHID_PRODUCT_NAME,            /* type 1 */
        CHID_PRODUCT_SKU,             /* type 1 */
        CHID_BASEBOARD_MANUFACTURER,  /* type 2 */
        CHID_BASEBOARD_PRODUCT,       /* type 2 */
        CHID_BIOS_VENDOR,             /* type 0 */
        CHID_BIOS_VERSION,            /* type 0 */
        CHID_BIOS_MAJOR,              /* type 0 release, "%02x" */
        CHID_BIOS_MINOR,              /* type 0 release, "%02x" */
        CHID_ENCLOSURE_TYPE,          /* type 3 */
        CHID_FIELDS,
} ChidField;

#define CHID_TYPES 15

/* The input: UTF-8 strings (not NUL-terminated) with their lengths; s[i] == NULL: the field
 * is absent and no CHID that uses it is made (its GUID stays all zero). */
typedef struct {
        const char *s[CHID_FIELDS];
        size_t len[CHID_FIELDS];
} ChidFields;

/* A GUID in EFI byte order (Data1..3 little-endian), as .hwids stores it. */
typedef struct {
        uint8_t b[16];
} ChidGuid;

/* Which fields HardwareID-n joins (bit i = ChidField i). */
extern const uint16_t chid_type_fields[CHID_TYPES];

/* systemd-stub 257's order of trying the CHID types, most specific first; it computes only
 * the type 1/2 fields, so 0-2 and 12-14 are never tried. */
#define CHID_MATCH_ORDER_LEN 9
extern const uint8_t chid_match_order[CHID_MATCH_ORDER_LEN];

/* All 15 CHIDs; a type whose fields are not all present is all zero. */
void chid_compute(const ChidFields *f, ChidGuid ret[CHID_TYPES]);

/* The fields systemd-stub 257 hashes, from an SMBIOS structure table (p, len): manufacturer,
 * product name, SKU and family from the first type 1 structure (when it is at least 0x1b
 * bytes), baseboard manufacturer and product from the first type 2 (at least 8 bytes); each
 * with leading spaces, then leading '0's, and trailing spaces removed; a missing string or
 * structure is the empty string. The BIOS and enclosure fields are left absent. The strings
 * point into the table. */
void chid_fields_from_smbios(const void *p, size_t len, ChidFields *ret);

/* ---- .hwids (ukify --hwids): an array of 28-byte device entries, little-endian
 *   u32 descriptor (type << 28 | entry size; 0 ends the array), GUID chid (EFI byte order),
 *   u32 name offset, u32 offset of the type's string (from the section's start, NUL-terminated
 *   UTF-8; 0: none),
 * then the strings. Type 1 (devicetree, ukify 257) names a device tree "compatible"; type 2
 * (uefi-fw, ukify 258) a firmware id, the fwid an .efifw section carries. */
#define HWIDS_ENTRY_SIZE 28u
#define HWIDS_TYPE_DEVICETREE 1u
#define HWIDS_TYPE_UEFI_FW 2u
#define HWIDS_DESCRIPTOR_DEVICETREE ((HWIDS_TYPE_DEVICETREE << 28) | HWIDS_ENTRY_SIZE)
#define HWIDS_DESCRIPTOR_UEFI_FW ((HWIDS_TYPE_UEFI_FW << 28) | HWIDS_ENTRY_SIZE)

typedef struct {
        uint32_t descriptor;
        ChidGuid chid;
        const char *name;        /* NULL: none */
        const char *compatible;  /* a devicetree entry's; NULL: none, or not a devicetree entry */
        const char *fwid;        /* a uefi-fw entry's; NULL: none, or not a uefi-fw entry */
} HwidsDevice;

typedef enum {
        HWIDS_OK,
        HWIDS_NOT_FOUND,    /* no entry, or no devicetree entry has one of this machine's CHIDs */
        HWIDS_UNSUPPORTED,  /* an entry of a type other than devicetree or uefi-fw (sd-stub refuses
                             * the table; 257 refused uefi-fw entries too, 258 takes them) */
        HWIDS_INVALID,      /* a string offset outside the section or a string without its NUL */
} HwidsResult;

/* A .hwids read once: its counted entries, each of a known type with its strings checked. */
typedef struct {
        const uint8_t *p;
        size_t len;
        size_t n;                /* entries counted */
        size_t nul_end;          /* one past the last NUL byte (how strings are checked in O(1)) */
} HwidsTable;

/* The entries of (p, len) as systemd-stub counts them: while another whole entry and at least
 * one byte more fit, up to the first zero descriptor. Every entry is checked; HWIDS_OK when
 * there is at least one (of either type). Linear in len. */
HwidsResult hwids_table(const void *p, size_t len, HwidsTable *ret);
/* Entry i (< t->n) of a table hwids_table() accepted. */
bool hwids_table_entry(const HwidsTable *t, size_t i, HwidsDevice *ret);
/* The first entry of type (HWIDS_TYPE_*) with this CHID (its index in *ret_i); compares CHIDs
 * only: sd-stub 258 matches devicetree and uefi-fw entries separately. */
bool hwids_table_find_type(const HwidsTable *t, const ChidGuid *chid, uint32_t type, size_t *ret_i);
/* The same for devicetree entries. */
bool hwids_table_find(const HwidsTable *t, const ChidGuid *chid, size_t *ret_i);

/* hwids_table()'s count, for (p, len). */
HwidsResult hwids_count(const void *p, size_t len, size_t *ret_n);

/* Entry i (< the count); false if it is not there. */
bool hwids_entry(const void *p, size_t len, size_t i, HwidsDevice *ret);

/* systemd-stub's match: for each CHID type in chid_match_order, the first entry of type
 * (HWIDS_TYPE_DEVICETREE for a .dtbauto, HWIDS_TYPE_UEFI_FW for an .efifw, 258) whose CHID is
 * this machine's CHID of that type. */
HwidsResult hwids_match_type(const void *p, size_t len, const ChidGuid chids[CHID_TYPES], uint32_t type,
                             HwidsDevice *ret);
/* The same for a device tree. */
HwidsResult hwids_match(const void *p, size_t len, const ChidGuid chids[CHID_TYPES], HwidsDevice *ret);
