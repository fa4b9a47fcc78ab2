/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "compress.h"
#include "util.h"

int verb_zboot(int argc, char **argv);
int verb_build(int argc, char **argv);
int verb_inspect(int argc, char **argv);
int verb_extract(int argc, char **argv);
int verb_kexec(int argc, char **argv);
int verb_genkey(int argc, char **argv);

/* Make a zboot image (our self-decompressor + compressed kernel) in memory. The kernel must
 * have passed kernel_validate(); for a bzImage, unpacked is the payload it returned (the
 * vmlinux ELF + relocations) from which the native x86 payload is built. The image's .sbat is
 * the stub's merged with the kernel's (if it is a PE with one) and sbat_args (sbat.h). */
bool make_zboot(const Blob *kernel, const Blob *unpacked, const char *what, CompressionType t, int level, Arch arch,
                const char *stub_path, const char *const *sbat_args, size_t n_sbat, Blob *ret);
/* make_zboot() with a payload signature (.zsig, zsig.h) by sig_key/sig_cert when sig_key is set. */
bool make_zboot_signed(const Blob *kernel, const Blob *unpacked, const char *what, CompressionType t, int level,
                       Arch arch, const char *stub_path, const char *const *sbat_args, size_t n_sbat,
                       const char *sig_key, const char *sig_cert, Blob *ret);
