/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `--devicetree-auto` and `--hwids` as sections, for a UKI, an add-on and a profile PE alike. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "uki-assemble.h"

/* Append one .dtbauto per path (in the order given, each checked to be a flattened device tree)
 * and, with hwids_dir, the .hwids packed from ukify's JSON device descriptions under it: where
 * ukify 257 puts them, after .dtb and before .uname. False (after an error message) on failure. */
bool dtb_sections_add(SectionList *l, const char *const *dtbautos, size_t n_dtbauto, const char *hwids_dir);

/* Append one .efifw per directory (ukify 258's --efifw DIR, in the order given): the blob
 * efifw_fwid() reads (src/fundamental/uki-dtb.h), the magic 0xfeeddead, a 16-byte header, the
 * firmware id = the directory's name with a NUL, then the one file in it (not empty; a
 * directory with any other entry, hidden ones included, is refused). The stub picks the one
 * whose id the machine's .hwids uefi-fw entry names. False (after an error message) on failure. */
bool efifw_sections_add(SectionList *l, const char *const *dirs, size_t n);
