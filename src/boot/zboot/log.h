/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* printf-like console output: %s (ASCII), %u %lu %x %lx, %p. Every line is prefixed with the
 * program name so a serial log tells who spoke; log_error_status() appends ": <status>" and
 * returns the status, for `return log_error_status(err, "...")`. */
void log_init(const char *program);
/* Lines of success and detail (what was placed where, measured, decompressed, ...). vmlinuz.efi
 * prints them unless "quiet", as the kernel's EFI stub it replaces; the UKI stub calls
 * log_set_info_detail() at entry and then prints them only with "zboot.debug", as systemd-stub
 * prints nothing in a normal boot (text over a .splash would break flicker-free boot, and each
 * line through OVMF's consoles costs about a millisecond). */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_info_detail(bool detail);
/* Something set aside or not done while nothing the user supplied was lost through a failure:
 * a rule set it aside (Secure Boot ignores the boot manager's command line, a count or size
 * limit, an event sd-stub 257 does not measure without a TPM), one of several alternatives was
 * unusable, or an extra the boot does not need could not be done (no RNG seed, a splash not
 * drawn, attributes not restored, a truncated firmware event log). Printed by both binaries
 * unless "quiet" (the kernel's stub drops its warnings under "quiet" too), and under "quiet"
 * with "zboot.debug". Something that failed or was refused (a firmware call, an allocation, a
 * read, a measurement, an add-on) is an error even when the boot goes on without it
 * ("..., ignored", "left out"), as sd-stub 257 reports a dropped add-on: docs/design.md. */
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed always, under "quiet" too: output the user asked for (zboot.bench, bench.h) and the
 * last words of a failed start ("returning to the boot manager"). Before the command line is
 * parsed it first prints the held warnings, as log_error_status() does. */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "quiet" on the command line (boot-options.h): from then on only errors and notices reach the
 * console, as the kernel's EFI stub does. */
void log_set_quiet(bool quiet);
/* Lines of detail nothing depends on (which RNG seeded the placement, the framebuffer, that no
 * TPM is there, ...): printed only with "zboot.debug" on the command line (our own word; the
 * kernel's EFI stub prints nothing of the kind without efi=debug either). "zboot.debug" also
 * prints our info and warning lines under "quiet". Errors and notices always print.
 * log_set_debug() is called once the command line is parsed, after log_set_quiet(): until then
 * debug lines, and in the UKI stub (which measures, reads its seed, add-ons and device tree
 * first) also info and warning lines, are held whole (4 KiB of text) and log_set_debug() prints
 * those the command line asks for, uncut; an error before then prints the held warnings first.
 * A warning is never lost: when the 4 KiB are full it drops the held info and debug lines, and
 * with still no room the held warnings and it print at once. Dropped info and debug lines are
 * counted ("N held lines dropped" with zboot.debug). Elsewhere (vmlinuz.efi, the test drivers)
 * info and warnings print at once. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_debug(bool debug);
EFI_STATUS log_error_status(EFI_STATUS status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *efi_status_str(EFI_STATUS s);
