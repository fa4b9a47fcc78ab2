/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.h for compiling libmd's SHA-1 (src/sha1.c, public domain, Steve Reid) freestanding
 * without its autoconf run: nothing to configure. WORDS_BIGENDIAN stays undefined: x86_64
 * and aarch64 EFI are little-endian. Used for the CHIDs (src/fundamental/chid.c).
 */
