/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The .zdec section: which decoders this zboot stub carries, for `ukify-zboot zboot` (which
 * refuses a stub that cannot decode the payload it is asked to append) and `inspect`. Compiled
 * with the same DECOMPRESS_WITH_* flags as this stub's decompress.c (src/boot/zboot/meson.build),
 * so the list is the dispatch's. Text format: decoder_set_parse() in src/fundamental/decompress.h
 * (the zboot labels in type order, one space apart, then "\n"). Not read by the stub itself.
 */
#include "decompress.h"

extern __attribute__((visibility("default"))) const char zboot_decoders[];

__attribute__((section(".zdec"), used, visibility("default"))) const char zboot_decoders[] =
#if DECOMPRESS_WITH_GZIP
        "gzip"
#endif
#if DECOMPRESS_WITH_ZSTD
#if DECOMPRESS_WITH_GZIP
        " "
#endif
        "zstd"
#endif
#if DECOMPRESS_WITH_LZ4
#if DECOMPRESS_WITH_GZIP || DECOMPRESS_WITH_ZSTD
        " "
#endif
        "lz4"
#endif
#if DECOMPRESS_WITH_XZ
#if DECOMPRESS_WITH_GZIP || DECOMPRESS_WITH_ZSTD || DECOMPRESS_WITH_LZ4
        " "
#endif
        "xzkern lzma"
#endif
#if DECOMPRESS_WITH_LZO && defined(HAVE_LZO)
#if DECOMPRESS_WITH_GZIP || DECOMPRESS_WITH_ZSTD || DECOMPRESS_WITH_LZ4 || DECOMPRESS_WITH_XZ
        " "
#endif
        "lzo"
#endif
        "\n";
