/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Compression for `zboot` and `build --zboot`, with the system libraries. */
#pragma once

#include "decompress.h"
#include "kernel.h"
#include "util.h"

int compress_default_level(CompressionType t);
/* The value of --compress/--zboot (option names it in the error message): one of the
 * compressions we write, else false after an error message. */
bool compress_option_parse(const char *option, const char *value, CompressionType *ret);
/* Compress in into a newly allocated stream in the format the EFI side decodes (lz4: the
 * kernel's legacy container; xz: .xz, CRC32, with the BCJ filter for arch). */
bool compress_payload(CompressionType t, int level, Arch arch, const Blob *in, Blob *ret);
