/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which device tree of a UKI's or an add-on's sections applies, with systemd-stub 257's rules
 * (docs/stub.md "Device trees", "Add-ons"): a .dtbauto applies when its first "compatible"
 * equals the firmware device tree's first one, or, when the firmware has no device tree, the
 * one that the .hwids entry for this machine's most specific CHID names (.hwids of the same
 * sections); else .dtb. Pure: the sections come as a table of PeSectionHeader bytes of a
 * loaded image (each section's VirtualSize bytes at its RVA), every offset checked.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chid.h"

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

/* The first .dtbauto among sections [start, end) of the table (n headers, unaligned bytes) of
 * a loaded image (image_size bytes) that matches the machine: with a firmware device tree, by
 * its first compatible (a firmware tree without one, or not valid, matches nothing); without,
 * by the compatible of the .hwids entry for this machine's CHIDs, from the first .hwids in
 * [start, end) (one outside the image has no entry). A .dtbauto that is empty or outside the
 * image never matches; one that is not a valid device tree (fdt_check) never matches and is
 * counted in n_invalid when there was a compatible to compare with. True if one matched
 * (ret->kind UKI_DTB_AUTO); ret is filled either way (n_hwids, hwids, n_invalid). */
bool uki_dtbauto_find(const void *image, size_t image_size, const void *table, size_t n, size_t start, size_t end,
                      const UkiDtbMachine *m, UkiDtbChoice *ret);

/* systemd-stub 257's device tree of an add-on (or of one set of UKI sections): the matched
 * .dtbauto (uki_dtbauto_find), else the first .dtb in [start, end) (its bytes as they are, not
 * checked here; empty or outside the image: none, a later .dtb is not looked at). Returns
 * ret->kind. */
UkiDtbKind uki_dtb_choose(const void *image, size_t image_size, const void *table, size_t n, size_t start, size_t end,
                          const UkiDtbMachine *m, UkiDtbChoice *ret);

/* systemd-stub 257's device tree of a UKI booted with profile (uki-profile.h; UKI_PROFILE_BASE:
 * the base only): a matched .dtbauto of the profile's own sections, else one of the base's
 * (each set with its own first .hwids), else the profile's effective .dtb (uki_profile_find:
 * the profile's first .dtb, else the base's first; empty or outside the image: none). A
 * matching .dtbauto wins over any .dtb, as 257 (which looks up both names in the base and then
 * lets the profile's replace them) installs .dtbauto when it has one. For UKI_PROFILE_BASE
 * this is uki_dtb_choose over the base's sections. Returns ret->kind. */
UkiDtbKind uki_dtb_choose_profile(const void *image, size_t image_size, const void *table, size_t n,
                                  uint32_t profile, const UkiDtbMachine *m, UkiDtbChoice *ret);
