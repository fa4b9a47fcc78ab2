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

/* systemd-stub 257's rule for taking the command line from outside the UKI (src/boot/stub.c
 * process_arguments() and settle_command_line()): from a boot manager or the firmware, raw
 * (the LoadOptions as passed) must start with a printable character (above) and text (what is
 * left after a "@N" profile prefix; raw itself without one) must not be blank: after sd-stub's
 * normalisation (control characters and spaces at either end dropped) something must remain.
 * From the UEFI Shell (text = its arguments joined by spaces; raw is not looked at), text must
 * only be non-empty: sd-stub 257 neither checks nor normalises the Shell's arguments. A blank
 * or empty command line is not used: the UKI's .cmdline (if any) is, and nothing is measured. */
bool cmdline_stub_load_options_usable(const void *raw, size_t raw_size, const void *text, size_t text_size,
                                      bool from_shell);

/* Use LoadOptions instead of the embedded command line? */
bool cmdline_prefer_load_options(bool secure_boot, bool have_embedded, bool load_options_usable);

/* Convert UTF-8 (e.g. a .cmdline section) to NUL-terminated UCS-2: characters outside the
 * BMP and malformed sequences become '?'; control characters (newlines) become spaces and
 * trailing spaces are dropped. Writes at most out_cap units including the NUL; returns the
 * number of units written without the NUL, or SIZE_MAX if out_cap is too small (needs at
 * most in_len + 1 units). */
size_t cmdline_utf8_to_ucs2(const char *in, size_t in_len, uint16_t *out, size_t out_cap);

/* The kernel's own options (nokaslr, noinitrd, initrd=, ...) and the UTF-16 → UTF-8 conversion
 * for the x86 zero page: boot-options.h, with the kernel stub's word rules. */
