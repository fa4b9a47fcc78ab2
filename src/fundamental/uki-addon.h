/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UKI add-ons, the pure part (systemd-stub 257's rules, docs/stub.md "Add-ons"). An add-on is a
 * PE image with some of .cmdline, .dtb, .dtbauto, .initrd and .ucode and no .linux. The stub
 * has the firmware load it (LoadImage: the Secure Boot check) and reads the sections of the
 * loaded image here: each section at its RVA, VirtualSize bytes, the first of its name in the
 * whole table, as 257 (add-ons have no profiles: a .profile section changes nothing). Pure:
 * (pointer, length).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pe.h"

typedef enum {
        UKI_ADDON_CMDLINE,
        UKI_ADDON_DTB,
        UKI_ADDON_DTBAUTO,
        UKI_ADDON_INITRD,
        UKI_ADDON_UCODE,
        UKI_ADDON_UNAME,
        UKI_ADDON_LINUX,
        _UKI_ADDON_MAX,
} UkiAddonSection;

typedef struct {
        const uint8_t *data[_UKI_ADDON_MAX];   /* NULL: absent (or VirtualSize 0) */
        size_t size[_UKI_ADDON_MAX];
} UkiAddon;

typedef enum {
        UKI_ADDON_OK = 0,
        UKI_ADDON_BAD_PE = -1,         /* headers or a section outside the loaded image */
        UKI_ADDON_EMPTY = -2,          /* none of .cmdline .dtb .dtbauto .initrd .ucode */
        UKI_ADDON_IS_UKI = -3,         /* it has a .linux: a UKI, not an add-on */
        UKI_ADDON_UNAME_MISMATCH = -4, /* its .uname does not match the UKI's */
} UkiAddonResult;

/* The section of the add-on that the stub takes for name, as 257 finds it: the first of that
 * name in the whole table (an add-on has no profiles), absent (-1) when there is none or it has
 * VirtualSize 0 (which also hides any later one). Either layout. */
int uki_addon_section(const PeView *v, const char *name);

/* The add-on's sections in its loaded image (v: its headers, parsed once by the caller with
 * pe_parse_layout(PE_LAYOUT_MEMORY), which the caller also uses for the device tree), and
 * sd-stub 257's verdict (UKI_ADDON_BAD_PE: a section outside the loaded image):
 * uki_uname (the UKI's .uname up to its first NUL, uname_len bytes; NULL when the UKI has none)
 * is compared with the add-on's .uname the way sd-stub compares them: the first VirtualSize
 * bytes of the add-on's .uname, stopping at a NUL of either (so an add-on .uname "6.12" also
 * matches a UKI "6.12.1"). An add-on without .uname, or a UKI without one, always matches.
 * *ret is filled even when the verdict is not OK (for logging). */
UkiAddonResult uki_addon_parse(const PeView *v, const char *uki_uname, size_t uname_len, UkiAddon *ret);

const char *uki_addon_strerror(UkiAddonResult r);
