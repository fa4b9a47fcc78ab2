/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "util.h"

/* `build --hwids DIR`: ukify 257's JSON device descriptions (every *.json under DIR, with
 * "name", "compatible" and "hwids") packed into the .hwids section byte for byte as ukify 257
 * packs them (src/fundamental/chid.h has the layout; docs/stub.md "Device trees"). On failure
 * prints the reason and returns false. */
bool hwids_pack_dir(const char *dir, Blob *ret);
