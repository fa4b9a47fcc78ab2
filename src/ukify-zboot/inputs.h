/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks of `build` inputs that ukify 257 takes on trust or checks only sometimes, so that a
 * wrong file is an error at build time rather than a silent failure in the stub at boot
 * (docs/ukify-options.md), and ukify's default .sbat entry.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pe.h"
#include "util.h"

/* What ukify 257 adds to a UKI's .sbat when no --sbat is given (ukify(1): so that the UKI can
 * always be revoked). Entries only: sbat_add_text() takes it like a --sbat value. */
#define UKI_SBAT_DEFAULT "uki,1,UKI,uki,1,https://uapi-group.org/specifications/specs/unified_kernel_image/\n"

/* --splash: a Windows BMP ("BM", a BITMAPINFOHEADER or later, pixel data inside the file),
 * the only format systemd-stub shows. */
bool splash_check(const Blob *b, const char *path);

/* --devicetree / --devicetree-auto: a flattened device tree (magic d00dfeed, totalsize within
 * the file). */
bool dtb_check(const Blob *b, const char *path);

/* --section NAME: 1..8 printable ASCII bytes, as ukify checks. */
bool section_name_check(const char *name, size_t len);

/* --initrd: the files concatenated, each padded to 4 bytes, as ukify does. False (after an error
 * message, *ret empty) when one cannot be read. */
bool initrds_concat(const char *const *paths, size_t n, Blob *ret);
