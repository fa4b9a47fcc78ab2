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
