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
        const void *fw_dtb;       /* the firmware's device tree (EFI configuration table); NULL: none */
        size_t fw_size;
        const ChidGuid *chids;    /* this machine's CHIDs (CHID_TYPES of them); NULL: not known */
} UkiDtbMachine;

typedef enum {
        UKI_DTB_NONE,             /* no device tree applies */
        UKI_DTB_PLAIN,            /* a .dtb */
        UKI_DTB_AUTO,             /* a matched .dtbauto */
} UkiDtbKind;

typedef struct {
        UkiDtbKind kind;
        size_t section;           /* index in the table (kind != NONE) */
        const uint8_t *data;      /* the blob in the image, size bytes */
        size_t size;
        bool hwids_tried;         /* a .hwids was consulted (no firmware device tree) ... */
        HwidsResult hwids;        /* ... with this verdict */
        HwidsDevice device;       /* the matched .hwids entry (hwids == HWIDS_OK) */
} UkiDtbChoice;

/* The first .dtbauto among sections [start, end) of the table (n headers, unaligned bytes) of
 * a loaded image (image_size bytes) that matches the machine: with a firmware device tree, by
 * its first compatible (a firmware tree without one matches nothing); without, by the
 * compatible of the .hwids entry (the first .hwids in [start, end)) for this machine's CHIDs.
 * A .dtbauto that is empty, outside the image or not a valid device tree never matches. True
 * if one matched (ret->kind UKI_DTB_AUTO); ret is filled either way (hwids_tried, hwids). */
bool uki_dtbauto_find(const void *image, size_t image_size, const void *table, size_t n, size_t start, size_t end,
                      const UkiDtbMachine *m, UkiDtbChoice *ret);

/* systemd-stub 257's device tree of an add-on (or of one set of UKI sections): the matched
 * .dtbauto (uki_dtbauto_find), else the first .dtb in [start, end) (its bytes as they are, not
 * checked here; empty or outside the image: none). Returns ret->kind. */
UkiDtbKind uki_dtb_choose(const void *image, size_t image_size, const void *table, size_t n, size_t start, size_t end,
                          const UkiDtbMachine *m, UkiDtbChoice *ret);
