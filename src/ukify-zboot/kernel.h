/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What kind of kernel a file is, its architecture and version string. */
#pragma once

#include "decompress.h"
#include "util.h"

typedef enum {
        KERNEL_UNKNOWN,
        KERNEL_ARM64_IMAGE,     /* arm64 Image: PE with "ARM\x64" at 0x38 */
        KERNEL_BZIMAGE,         /* x86 bzImage: "HdrS" at 0x202 */
        KERNEL_ZBOOT,           /* Linux zboot image (MZ + "zimg") */
        KERNEL_PE,              /* some other PE32+ EFI application */
} KernelKind;

typedef enum { ARCH_UNKNOWN, ARCH_X86_64, ARCH_AARCH64 } Arch;

KernelKind kernel_kind(const Blob *k);
const char *kernel_kind_name(KernelKind k);
Arch kernel_arch(const Blob *k);
const char *arch_name(Arch a);
const char *arch_efi_suffix(Arch a);
Arch arch_from_string(const char *s);
/* The PE machine type of an arch (0 for ARCH_UNKNOWN). */
uint16_t arch_pe_machine(Arch a);
/* --efi-arch for a PE without a kernel (an add-on, a profile PE): NULL means this machine's arch. */
Arch arch_or_host(const char *efi_arch);
/* "6.1.0-56-arm64" from the "Linux version ..." banner (in an Image, a bzImage's
 * kernel_version string, or inside a zboot payload: pass the payload kernel_validate()
 * unpacked, or NULL to unpack it again); malloc'd, NULL if not found. */
char *kernel_uname(const Blob *k, const Blob *payload);
/* The decompressed payload of a zboot image (malloc'd), or false with an error printed. */
bool zboot_unpack(const Blob *k, const char *what, Blob *ret);

/* Check a kernel input completely before any verb uses it, printing one specific error:
 * a zboot image must be a valid PE whose header parses and whose payload decompresses to
 * exactly the size trailer; an arm64 Image a valid PE with a sane image_size; a bzImage a
 * sane setup header whose payload decompresses (an ELF kernel); anything else a valid PE.
 * Returns the kind, or KERNEL_UNKNOWN after printing the error. For zboot images and
 * bzImages the decompressed payload is handed back in ret_payload when that is non-NULL
 * (else freed); for other kinds it is left empty. */
KernelKind kernel_validate(const Blob *k, const char *what, Blob *ret_payload);
/* The .linux section of a UKI, validated like kernel_validate() with errors named "WHAT: .linux"
 * (*ret_kind is KERNEL_UNKNOWN after an error). False, with nothing printed, when uki is no
 * valid PE or has no .linux section. */
bool uki_linux_validate(const Blob *uki, const char *what, Blob *ret_payload, KernelKind *ret_kind);
/* A bzImage's payload compression, from its magic bytes (the kernel records no type), and the
 * payload's length; _COMPRESSION_INVALID if the magic is none we know. False, with an error
 * printed, when the setup header's payload fields are missing or run past the file. */
bool bzimage_compression(const Blob *k, const char *what, CompressionType *ret, size_t *ret_len);
/* The decompressed payload of a bzImage (ELF vmlinux + relocations), malloc'd. */
bool bzimage_unpack(const Blob *k, const char *what, Blob *ret);
