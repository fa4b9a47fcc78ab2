/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Apply our own R_*_RELATIVE relocations for the address we run at. Must be the first thing
 * an entry point does (before any pointer stored in data is used). Idempotent: entering again,
 * at the same or another address, sets every word again from the table. false: the table is
 * malformed (nothing was written). */
bool efi_self_relocate(void);
