/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Draw a UKI's .splash (a BMP, src/fundamental/bmp.h) centred on a black screen through
 * EFI_GRAPHICS_OUTPUT_PROTOCOL, as systemd-stub 257 does before it starts the kernel. Nothing
 * happens without a GOP; a BMP 257 would not draw, or a failing Blt, is logged and skipped:
 * the splash never stops the boot. docs/stub.md "`.splash`". */
void splash_show(const void *data, size_t size);
