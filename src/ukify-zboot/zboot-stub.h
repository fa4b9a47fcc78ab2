/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which zboot stub a payload gets: one stub per compression (docs/design.md "One stub per
 * compression"). zboot<arch>-<c>.efi.stub carries only the decoder of <c>, zboot<arch>.efi.stub
 * all of them; each lists its decoders in a .zdec section (src/boot/zboot/decoders.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "decompress.h"
#include "kernel.h"
#include "util.h"

/* The stub's file name part for compression t: "gzip", "zstd", "lz4", "xz" (xz and lzma),
 * "lzo"; NULL if there is no one-decoder stub for it. */
const char *zboot_stub_variant(CompressionType t);
/* The default stub path for t on arch: stub_dir()/zboot<arch>-<variant>.efi.stub. */
void zboot_stub_default_path(CompressionType t, Arch arch, char *buf, size_t size);
/* The decoders a stub lists in .zdec. Returns 1 with *ret set, 0 if the stub has no .zdec (made
 * before the marker existed: every decoder of its build), -1 (error printed) if it is malformed. */
int zboot_stub_decoders(const Blob *stub, const char *stub_name, DecoderSet *ret);
/* Refuses (error printed, false) a stub whose .zdec does not list t. */
bool zboot_stub_check(const Blob *stub, const char *stub_name, CompressionType t, Arch arch);
