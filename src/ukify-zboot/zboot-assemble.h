/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A zboot image assembled in memory (docs/format.md): what `zboot` and `build --zboot` make.
 * Three steps, each a function of bytes in memory, so host tests can run them one by one:
 * the payload from the kernel, the stub with its merged .sbat, the image; zboot_make() runs
 * them with the files the command line names.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compress.h"
#include "kernel.h"
#include "util.h"
#include "x86-payload.h"

/* The payload: the kernel as it must lie in memory (an arm64 Image padded with zeros to its
 * image_size, or the native x86 payload of docs/format.md §4 built from a bzImage, whose
 * trailer is also kept in hint for the uncompressed .zbx86 section). */
typedef struct {
        Blob data;
        Arch arch;
        bool x86;
        uint8_t hint[X86_PAYLOAD_TRAILER_SIZE];
} ZbootPayload;

void zboot_payload_free(ZbootPayload *p);
#define _cleanup_zboot_payload_ _cleanup_(zboot_payload_free)

/* The kernel must have passed kernel_validate(); for a bzImage, unpacked is the payload it
 * returned (the vmlinux ELF + relocations). arch: ARCH_UNKNOWN, or what the kernel must be.
 * what names the kernel in error messages. */
bool zboot_payload_make(const Blob *kernel, const Blob *unpacked, const char *what, Arch arch, ZbootPayload *ret);

/* The native x86 payload's BCJ stage (docs/format.md §4): filter the kernel text (the range
 * x86_payload_filter_range() picks from unpacked, the vmlinux the payload was made from) in place
 * with the system liblzma and record it in the trailer and the hint; nothing for arm64 or a
 * payload without executable text. */
bool zboot_payload_filter(ZbootPayload *p, const Blob *unpacked, const char *what);

/* The stub with the image's .sbat: the stub's entries, the kernel's own (a PE kernel may carry
 * some; the image replaces it, so revoking that kernel by SBAT must keep working) and
 * sbat_args (sbat.h), NUL-padded to 512 bytes, in place of the stub's .sbat. */
bool zboot_stub_sbat(const Blob *stub, const char *stub_name, const Blob *kernel, const char *what,
                     const char *const *sbat_args, size_t n_sbat, Blob *ret);

/* The image: stub (as zboot_stub_sbat() made it), then .zbx86 (x86), .zsig (when zsig is not
 * empty), .zdata (the compressed payload and, except for gzip, its 4-byte size), the zboot
 * header and the stub's self map filled in, the PE checksum updated. */
bool zboot_image_assemble(const Blob *stub, const char *stub_name, const ZbootPayload *p, const Blob *zsig,
                          CompressionType t, int level, const char *what, Blob *ret);

/* The native x86 payload's BCJ stage (docs/format.md §4) when neither --bcj nor --no-bcj is
 * given (zboot, and build --zboot, which has no such option): off for every type, as it buys
 * size with boot time. Undoing it is a byte-wise scan of the kernel's text (~30 ms natively for
 * Debian 12's 14.7 MB, 0.1-0.3 s under QEMU TCG), against ~1-7 ms saved reading 0.7 MB less
 * from the ESP; the size targets hold "without giving up boot time" (docs/benchmarks.md, "the
 * x86 BCJ stage"). `--bcj` is the choice for a small ESP. xz's stream carries its own BCJ
 * filter. */
#define ZBOOT_BCJ_DEFAULT false

/* All of it for a kernel file: the stub is stub_path, or ours for the kernel's arch from
 * stub_dir() when NULL; with sig_key, a payload signature (.zsig) by sig_key/sig_cert. bcj: the
 * x86 BCJ stage (zboot --bcj). */
bool zboot_make(const Blob *kernel, const Blob *unpacked, const char *what, CompressionType t, int level, bool bcj,
                Arch arch, const char *stub_path, const char *const *sbat_args, size_t n_sbat, const char *sig_key,
                const char *sig_cert, Blob *ret);
