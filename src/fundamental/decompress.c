/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Dispatch by compression type; the backends live in decompress-*.c. */
#include <string.h>

#include "decompress.h"
#include "zboot.h"

static const char *const names[_COMPRESSION_MAX] = {
        [COMPRESSION_NONE] = "none",
        [COMPRESSION_GZIP] = ZBOOT_COMP_GZIP,
        [COMPRESSION_ZSTD] = ZBOOT_COMP_ZSTD,
        [COMPRESSION_LZ4] = ZBOOT_COMP_LZ4,
        [COMPRESSION_XZ] = ZBOOT_COMP_XZ,
        [COMPRESSION_LZMA] = ZBOOT_COMP_LZMA,
        [COMPRESSION_LZO] = ZBOOT_COMP_LZO,
};

CompressionType compression_from_string(const char *s) {
        if (!s)
                return _COMPRESSION_INVALID;
        /* Kernels up to 6.12 wrote "zstd22" (later ones "zstd"); "xz" is the user-facing name. */
        if (strcmp(s, ZBOOT_COMP_ZSTD22) == 0)
                return COMPRESSION_ZSTD;
        if (strcmp(s, "xz") == 0)
                return COMPRESSION_XZ;
        for (int t = 0; t < _COMPRESSION_MAX; t++)
                if (strcmp(s, names[t]) == 0)
                        return (CompressionType) t;
        return _COMPRESSION_INVALID;
}

const char *compression_to_string(CompressionType t) {
        if (t < 0 || t >= _COMPRESSION_MAX)
                return NULL;
        return names[t];
}

bool compression_supported(CompressionType t) {
        switch (t) {
        case COMPRESSION_NONE:
        case COMPRESSION_GZIP:
        case COMPRESSION_ZSTD:
        case COMPRESSION_LZ4:
        case COMPRESSION_XZ:
        case COMPRESSION_LZMA:
                return true;
        case COMPRESSION_LZO:
                return decompress_lzo_built();
        default:
                return false;
        }
}

const char *compression_build_option(CompressionType t) {
        if (t == COMPRESSION_LZO && !decompress_lzo_built())
                return "-Dlzo=enabled";
        return NULL;
}

size_t decompress_workspace_size(CompressionType t, const void *in, size_t in_len) {
        switch (t) {
        case COMPRESSION_NONE:
        case COMPRESSION_LZ4:
        case COMPRESSION_LZO:
                return 0;
        case COMPRESSION_GZIP:
                return decompress_gzip_workspace();
        case COMPRESSION_ZSTD:
                return decompress_zstd_workspace();
        case COMPRESSION_XZ:
        case COMPRESSION_LZMA:
                return decompress_xz_workspace(t, in, in_len);
        default:
                return 0;
        }
}

DecompressResult decompress(CompressionType t, const void *in, size_t in_len, void *out, size_t out_cap,
                            size_t *ret_out_len, void *work, size_t work_size) {
        size_t dummy;
        if (!ret_out_len)
                ret_out_len = &dummy;
        *ret_out_len = 0;
        if ((!in && in_len > 0) || (!out && out_cap > 0))
                return DECOMPRESS_CORRUPT;

        switch (t) {
        case COMPRESSION_NONE:
                if (in_len > out_cap)
                        return DECOMPRESS_OUTPUT_TOO_SMALL;
                if (in_len > 0)
                        memmove(out, in, in_len);
                *ret_out_len = in_len;
                return DECOMPRESS_OK;
        case COMPRESSION_GZIP:
                return decompress_gzip(in, in_len, out, out_cap, ret_out_len, work, work_size);
        case COMPRESSION_ZSTD:
                return decompress_zstd(in, in_len, out, out_cap, ret_out_len, work, work_size);
        case COMPRESSION_LZ4:
                return decompress_lz4(in, in_len, out, out_cap, ret_out_len);
        case COMPRESSION_LZO:
                return decompress_lzo(in, in_len, out, out_cap, ret_out_len);
        case COMPRESSION_XZ:
        case COMPRESSION_LZMA:
                return decompress_xz(t, in, in_len, out, out_cap, ret_out_len, work, work_size);
        default:
                return DECOMPRESS_UNSUPPORTED;
        }
}

const char *decompress_strerror(DecompressResult r) {
        switch (r) {
        case DECOMPRESS_OK:               return "success";
        case DECOMPRESS_TRUNCATED:        return "compressed data is truncated";
        case DECOMPRESS_CORRUPT:          return "compressed data is corrupt";
        case DECOMPRESS_OUTPUT_TOO_SMALL: return "data decompresses to more than the space given";
        case DECOMPRESS_UNSUPPORTED:      return "compression type not supported by this build";
        case DECOMPRESS_NO_MEMORY:        return "decompression workspace too small";
        }
        return "unknown decompression error";
}
