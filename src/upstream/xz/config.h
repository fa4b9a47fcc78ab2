/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.h for building xz-utils' liblzma *decoder* freestanding (no autoconf run): .xz with
 * CRC32/CRC64 checks, LZMA2, the x86 and ARM64 BCJ filters the kernel's xzkern payloads use,
 * and legacy .lzma. No threads, no encoders, no SHA-256 (the kernel writes CRC32).
 * HAVE_VISIBILITY 0 keeps every symbol hidden, so host programs that also link the system
 * liblzma (for compression) never see these copies interposed.
 */
#define HAVE_STDINT_H 1
#define HAVE_STDBOOL_H 1
#define HAVE__BOOL 1
#define HAVE_VISIBILITY 0
#define SIZEOF_SIZE_T 8
#define HAVE_CHECK_CRC32 1
#define HAVE_CHECK_CRC64 1
#define HAVE_DECODERS 1
#define HAVE_DECODER_LZMA1 1
#define HAVE_DECODER_LZMA2 1
#define HAVE_DECODER_X86 1
#define HAVE_DECODER_ARM64 1
#define HAVE_DECODER_ARM 1
#define HAVE_DECODER_ARMTHUMB 1
#define TUKLIB_FAST_UNALIGNED_ACCESS 1
#define ASSUME_RAM 128
#define PACKAGE_NAME "XZ Utils"
#define PACKAGE_URL ""
