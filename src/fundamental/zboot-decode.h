/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The zboot checks that need a decoder (zboot.h is pure header arithmetic).
 */
#pragma once

#include <stddef.h>

#include "zboot.h"

/* After a gzip payload failed to load by the kernel's rule: was the image made by the old rule
 * (payload_size leaving out ISIZE)? Decodes the payload_size + 4 bytes that rule means into
 * out (capacity: the size zboot_old_gzip_layout() gives; work: decompress_workspace_size() of
 * gzip). ZBOOT_GZIP_OLD_RULE if they are exactly one complete gzip member (CRC32 and ISIZE
 * verified, nothing left over) decoding to that size; ZBOOT_OK if not (report the original
 * error); ZBOOT_BAD_ARGUMENT if the layout does not apply or out is too small. */
ZbootResult zboot_gzip_old_rule(const ZbootInfo *z, const void *payload, size_t avail, void *out, size_t out_cap,
                                void *work, size_t work_size);
