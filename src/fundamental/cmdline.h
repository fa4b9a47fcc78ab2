/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel command line selection with systemd-stub's semantics: the UKI's embedded .cmdline
 * wins under Secure Boot (it is covered by the signature, LoadOptions are not); otherwise
 * non-empty LoadOptions from the boot manager replace it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Do these LoadOptions look like a command line? Firmware boot entries pass binary "optional
 * data" in LoadOptions; a command line is UCS-2 text whose first character is printable. */
bool cmdline_load_options_usable(const void *load_options, size_t size);

/* Use LoadOptions instead of the embedded command line? */
bool cmdline_prefer_load_options(bool secure_boot, bool have_embedded, bool load_options_usable);

/* Convert UTF-8 (e.g. a .cmdline section) to NUL-terminated UCS-2: characters outside the
 * BMP and malformed sequences become '?'; control characters (newlines) become spaces and
 * trailing spaces are dropped. Writes at most out_cap units including the NUL; returns the
 * number of units written without the NUL, or SIZE_MAX if out_cap is too small (needs at
 * most in_len + 1 units). */
size_t cmdline_utf8_to_ucs2(const char *in, size_t in_len, uint16_t *out, size_t out_cap);
