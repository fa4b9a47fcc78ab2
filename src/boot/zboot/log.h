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
EFI_STATUS log_error_status(EFI_STATUS status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *efi_status_str(EFI_STATUS s);
