/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arm64 Image header and the rule for telling the kernel's EFI stub "run where you are"
 * (LINUX_EFI_LOADED_IMAGE_FIXED_GUID, docs/arm64-boot.md). Pure: (pointer, length) in.
 *
 * Image header (Linux Documentation/arch/arm64/booting.rst), little-endian, at offset 0 of
 * the Image, which is also _text (the first byte of .head.text):
 *   0x00 code0/code1 (the PE "MZ" lives here)   0x08 text_offset (0 since Linux 5.8)
 *   0x10 image_size = _end - _text (BSS incl.)   0x18 flags
 *   0x38 magic "ARM\x64"                          0x3c offset of the PE header
 *
 * The rule, from the stub's in-place test (drivers/firmware/efi/libstub/arm64-stub.c,
 * handle_kernel_image(), as in Debian's 6.1; later kernels moved the same test to kaslr.c,
 * efi_kaslr_get_phys_seed() and efi_kaslr_relocate_kernel(), shared with riscv): the kernel
 * runs from the address it was loaded at, with no copy, when
 *   - the physical seed is 0: KASLR compiled out, "nokaslr", no EFI_RNG_PROTOCOL, or the
 *     loader installed LINUX_EFI_LOADED_IMAGE_FIXED_GUID on the image handle (Linux 5.19,
 *     commit 07768c55f9c2 "efi/arm64: libstub: run image in place if randomized by the
 *     loader"), and
 *   - check_image_region(): [_text, _text + image_size) lies in one EFI memory map entry
 *     (BSS included), and
 *   - _text is aligned to min_kimg_align: MIN_KIMG_ALIGN (2 MiB, asm/boot.h) with
 *     "nokaslr" (and, where efi_get_kimg_min_align() is read after the seed, also without
 *     EFI_RNG_PROTOCOL), else EFI_KIMG_ALIGN =
 *     max(SEGMENT_ALIGN 64 KiB, THREAD_ALIGN: up to 128 KiB with 64 KiB pages and
 *     VMAP_STACK) (arch/arm64/include/asm/efi.h, asm/memory.h), and
 *   - _end < EFI_ALLOC_LIMIT = 2^48 - 1 (asm/efi.h; in the 6.1 stable series too).
 * No BTI, text_offset or header-vs-text rule beyond that: _text *is* the Image header, the
 * stub complains if the loaded image's ImageBase differs from _text, and text_offset is 0 in
 * every kernel that knows the protocol. We demand 2 MiB, which satisfies every case above.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARM64_IMAGE_HEADER_SIZE     64u
#define ARM64_IMAGE_TEXT_OFFSET     0x08u                   /* le64 header fields, by offset */
#define ARM64_IMAGE_IMAGE_SIZE      0x10u
#define ARM64_IMAGE_FLAGS           0x18u
#define ARM64_IMAGE_MAGIC_OFFSET    0x38u                   /* le32 ARM64_IMAGE_MAGIC */
#define ARM64_IMAGE_MAGIC           UINT32_C(0x644d5241)    /* "ARM\x64" at 0x38 */
#define ARM64_MIN_KIMG_ALIGN        (UINT64_C(2) << 20)     /* MIN_KIMG_ALIGN: the strictest case */
#define ARM64_EFI_ALLOC_LIMIT       ((UINT64_C(1) << 48) - 1)

typedef enum {
        ARM64_FIXED_OK = 0,
        ARM64_NOT_AN_IMAGE = -1,        /* shorter than the header or no "ARM\x64" magic */
        ARM64_TEXT_OFFSET = -2,         /* text_offset != 0: a pre-5.8 kernel, which wants its own layout */
        ARM64_NO_IMAGE_SIZE = -3,       /* image_size 0 (pre-3.17 header): BSS size unknown */
        ARM64_MISALIGNED = -4,          /* base not 2 MiB aligned */
        ARM64_BSS_OUTSIDE = -5,         /* image_size runs past our allocation */
        ARM64_ABOVE_LIMIT = -6,         /* _end not below EFI_ALLOC_LIMIT */
} Arm64FixedResult;

typedef struct {
        uint64_t text_offset;
        uint64_t image_size;            /* _end - _text */
        uint64_t flags;
} Arm64ImageHeader;

bool arm64_image_parse(const void *image, size_t len, Arm64ImageHeader *ret);

/* May the kernel in `image` (len bytes valid), placed at physical `base` in one allocation of
 * `alloc_size` bytes, be told to run in place? ARM64_FIXED_OK if so. */
Arm64FixedResult arm64_fixed_placement(const void *image, size_t len, uint64_t base, uint64_t alloc_size);
const char *arm64_fixed_strerror(Arm64FixedResult r);

/* The Image header's image_size (_end - _text, BSS included) against the Image as given
 * (`len` bytes: the file, or a zboot payload padded to its in-memory size): a kernel's
 * image_size is at least that and below 2 GiB, the bounds `ukify-zboot` applies to an arm64
 * Image. True if the header is sane or there is no Image header at all (not an arm64 Image:
 * nothing to check); false for a broken one, with its image_size in *ret_image_size. */
#define ARM64_IMAGE_SIZE_MAX        (UINT64_C(1) << 31)
bool arm64_image_size_ok(const void *image, size_t len, uint64_t *ret_image_size);
