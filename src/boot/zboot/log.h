/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* printf-like console output: %s (ASCII), %u %lu %x %lx, %p. Every line is prefixed with the
 * program name so a serial log tells who spoke; log_error_status() appends ": <status>" and
 * returns the status, for `return log_error_status(err, "...")`. */
void log_init(const char *program);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like log_info(), but printed under "quiet" too: output the user asked for (zboot.bench). */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "quiet" on the command line (boot-options.h): from then on only errors and notices reach the
 * console, as the kernel's EFI stub does. Each line through ConOut costs about a millisecond
 * under OVMF (its serial and graphics consoles), a measurable part of the loader's own time. */
void log_set_quiet(bool quiet);
/* Lines of detail nothing depends on (which RNG seeded the placement, the framebuffer, that no
 * TPM is there, ...): printed only with "zboot.debug" on the command line (our own word; the
 * kernel's EFI stub prints nothing of the kind without efi=debug either). log_set_debug() is
 * called once the command line is parsed; the up to 4 log_debug() lines from before then are
 * held and printed by it with the word, dropped without. "zboot.debug" also prints our info
 * lines under "quiet". Errors and notices always print. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_debug(bool debug);
EFI_STATUS log_error_status(EFI_STATUS status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *efi_status_str(EFI_STATUS s);
