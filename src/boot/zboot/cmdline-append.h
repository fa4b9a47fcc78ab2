/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Appending a text to the stub's command line, shared by the add-ons' .cmdline (addons.c) and
 * the SMBIOS extra (smbios-efi.c). docs/stub.md "Add-ons" and "SMBIOS". */
#pragma once

#include "efi.h"

/* Append text (units UCS-2 characters and a NUL, already normalised, not empty) to the pool command
 * line *buf (NULL for none) of *size bytes with its NUL, joined with one space (or becoming the
 * command line when there is none). In this order: the new buffer is allocated; the text alone
 * is measured into PCR 12 (UTF-16 with its NUL, as sd-stub does); the new buffer replaces *buf
 * (the old one is freed) and *size is updated. So a failed allocation leaves *buf as it was and
 * no measurement of a text the kernel does not get. what names the text in the error log.
 * True if appended; *measured then says if the PCR 12 measurement was taken. */
bool cmdline_append_measured(char16_t **buf, uint32_t *size, const char16_t *text, size_t units,
                             const char *what, bool *measured);
