/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which device tree of a UKI's or an add-on's sections applies, with systemd-stub 257's rules
 * (docs/stub.md "Device trees", "Add-ons"): a .dtbauto applies when its first "compatible"
 * equals the firmware device tree's first one, or, when the firmware has no device tree, the
 * one that the .hwids entry for this machine's most specific CHID names (.hwids of the same
 * sections); else .dtb. Pure: the sections come as a PeView (pe.h) of either layout: the
 * stub's loaded image or add-on, the CLI's file; a section whose bytes are not inside the
 * buffer counts as absent, one with VirtualSize 0 as empty (in a file a section's bytes are its
 * raw data up to VirtualSize, pe_section_data()).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chid.h"
#include "pe.h"

/* What a .dtbauto is matched against. */
typedef struct {
        const void *fw_dtb;       /* the firmware's device tree (EFI configuration table); NULL: none. */
        size_t fw_size;           /* A table that is there but not valid (e.g. fw_size 0) selects no .dtbauto
                                   * and no .hwids either, as 257 (it reads .hwids only with no table). */
        const ChidGuid *chids;    /* this machine's CHIDs (CHID_TYPES of them); NULL: not known */
} UkiDtbMachine;

typedef enum {
        UKI_DTB_NONE,             /* no device tree applies */
        UKI_DTB_PLAIN,            /* a .dtb */
        UKI_DTB_AUTO,             /* a matched .dtbauto */
} UkiDtbKind;

/* One .hwids consulted (no firmware device tree): the first .hwids of a set of sections. */
typedef struct {
        size_t section;           /* its index in the table */
        HwidsResult result;       /* outside the image or CHIDs not known: HWIDS_NOT_FOUND */
        HwidsDevice device;       /* the matched entry (result == HWIDS_OK) */
} UkiDtbHwids;

typedef struct {
        UkiDtbKind kind;
        size_t section;           /* index in the table (kind != NONE) */
        const uint8_t *data;      /* the blob in the image, size bytes */
        size_t size;
        size_t n_hwids;           /* .hwids consulted, in the order searched (the profile's, then the base's) */
        UkiDtbHwids hwids[2];
        size_t n_invalid;         /* .dtbauto sections passed over because they are not valid device trees */
        size_t first_invalid;     /* the first of them (n_invalid > 0) */
} UkiDtbChoice;

/* systemd-stub 257's device tree of a UKI booted with profile (uki-profile.h; UKI_PROFILE_BASE:
 * the base only).
 *
 * A .dtbauto of the profile's own sections that matches the machine, else one of the base's;
 * else the profile's effective .dtb (uki_profile_find: the profile's first .dtb, else the
 * base's first; its bytes as they are, not checked; empty or outside the image: none). A
 * .dtbauto matches when its first compatible equals the firmware device tree's first one (a
 * firmware tree without one, or not valid, matches nothing), or, with no firmware tree, the
 * compatible of the .hwids entry for this machine's CHIDs, from the first .hwids of the same
 * set of sections (one outside the image has no entry; the profile's set is searched with its
 * own .hwids, then the base's with the base's). A .dtbauto that is empty or outside the image
 * never matches; one that is not a valid device tree (fdt_check) never matches and is counted
 * in n_invalid when there was a compatible to compare with. The first match in that order
 * wins, over any .dtb, as 257 (which looks up both names in the base and then lets the
 * profile's replace them) installs .dtbauto when it has one. ret is filled either way
 * (n_hwids, hwids, n_invalid). Returns ret->kind. */
UkiDtbKind uki_dtb_choose_profile(const PeView *v, uint32_t profile, const UkiDtbMachine *m, UkiDtbChoice *ret);

/* The same for an add-on, whose sections 257 searches as one set, the whole table (a .profile in
 * it means nothing): a matching .dtbauto (with the first .hwids of the table), else the first
 * .dtb (empty or outside the image: none). */
UkiDtbKind uki_dtb_choose_addon(const PeView *v, const UkiDtbMachine *m, UkiDtbChoice *ret);

/* A .dtbauto that uki_dtb_choose_profile() picks for a profile on some machine, and such a machine. */
typedef struct {
        size_t section;
        bool by_hwids;            /* false: a machine whose firmware device tree has the section's
                                   * first compatible gets it. true: only a machine without one gets
                                   * it, through the base's .hwids: one whose CHIDs are chid_first for
                                   * type chid_match_order[0] and chid_rest for every other type. */
        ChidGuid chid_first, chid_rest;
} UkiDtbPick;

/* Every .dtbauto that uki_dtb_choose_profile() picks for profile on some machine, in its search
 * order (the profile's own, then the base's), each once, with a machine that gets it: each
 * valid one with a first compatible that no earlier one in its set of sections has (by a
 * firmware device tree of that compatible, unless the profile's own sections have one of it
 * too); such a base .dtbauto that the profile's shadows for firmware trees is still picked
 * when the base's .hwids names its compatible for a machine whose CHIDs the profile's .hwids
 * does not resolve to one of its own .dtbauto (by_hwids; left out when no machine is such).
 * Machines are as the stub computes them: a .hwids entry for the all-zero CHID never matches
 * (CHIDs from SMBIOS are never zero). Reads each .hwids once: O(entries^2) CHID compares at
 * most. Fills up to max entries of ret; returns how many there are (may exceed max). */
size_t uki_dtbauto_pickable(const PeView *v, uint32_t profile, UkiDtbPick *ret, size_t max);

/* ---- .efifw (ukify --efifw, 258; picked by systemd-stub 262): a firmware image the stub
 * picks the way it picks a .dtbauto, by a firmware id instead of a compatible, and measures
 * into PCR 11 after .hwids (262.1 does nothing else with it; 258-260 looked it up with the
 * device tree entry and so never picked one; docs/stub.md "Device trees"). */

/* The firmware id of an .efifw blob as ukify 258+ writes it: little-endian u32 magic
 * 0xfeeddead, u32 header length (at least these 16 bytes), u32 id length (with its NUL), u32
 * payload length, then at the header length the id and then the payload, all inside (p, len).
 * The id is the string before its first NUL, which must come within the id length; *ret
 * points into the blob, *ret_len its length. */
bool efifw_fwid(const void *p, size_t len, const char **ret, size_t *ret_len);

typedef struct {
        int section;              /* the picked .efifw; -1: none */
        const char *fwid;         /* its firmware id (NUL-terminated, in the .hwids) */
        size_t n_hwids;           /* .hwids consulted, in the order searched (the profile's, then the base's) */
        UkiDtbHwids hwids[2];     /* each with the uefi-fw entry for this machine (result, device) */
        size_t n_invalid;         /* .efifw sections passed over because their header is not valid */
        size_t first_invalid;     /* the first of them (n_invalid > 0) */
} UkiEfifwChoice;

/* systemd-stub 262's .efifw for profile on machine m: only when the firmware has no device
 * tree table (it reads .hwids only then); in the profile's own sections, then the base's, the
 * first .efifw whose firmware id is the one the first .hwids of the same set names for this
 * machine: the uefi-fw entry for its most specific CHID (chid_match_order), looked up apart from
 * the devicetree entries, so that a machine can get both a .dtbauto and an .efifw. An .efifw
 * outside the image never matches; one whose header is not valid (efifw_fwid; an empty one
 * too) never matches and is counted in n_invalid when there was an id to compare with.
 * ret is filled either way. True when one is picked. */
bool uki_efifw_choose_profile(const PeView *v, uint32_t profile, const UkiDtbMachine *m, UkiEfifwChoice *ret);

/* The .efifw sections uki_efifw_choose_profile() picks for profile on some machine: each one a
 * machine gets whose CHIDs all equal the CHID of a uefi-fw entry (not all zero) of the first
 * .hwids of the profile's own sections or of the base's, in the order first found, each once.
 * Without profiles that is every .efifw any machine gets (a lookup ends at one entry, the
 * first of its CHID); with a profile, a base .efifw that only machines with CHIDs of several
 * values reach (the profile's .hwids resolving none of them) is not listed. The first 1024
 * distinct uefi-fw CHIDs of each .hwids are tried (each a full choice: a hostile table cannot
 * make this quadratic in its size). Fills up to max entries of ret (section indexes); returns
 * how many there are. */
size_t uki_efifw_pickable(const PeView *v, uint32_t profile, size_t *ret, size_t max);
