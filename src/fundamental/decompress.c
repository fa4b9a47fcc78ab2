/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Dispatch by compression type; the backends live in decompress-*.c. DECOMPRESS_WITH_* (decompress.h)
 * leave backends out of a one-decoder zboot stub; the .zdec decoder list (parse/format) is here too. */
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
                return true;
        case COMPRESSION_GZIP:
                return DECOMPRESS_WITH_GZIP;
        case COMPRESSION_ZSTD:
                return DECOMPRESS_WITH_ZSTD;
        case COMPRESSION_LZ4:
                return DECOMPRESS_WITH_LZ4;
        case COMPRESSION_XZ:
        case COMPRESSION_LZMA:
                return DECOMPRESS_WITH_XZ;
        case COMPRESSION_LZO:
#if DECOMPRESS_WITH_LZO
                return decompress_lzo_built();
#else
                return false;
#endif
        default:
                return false;
        }
}

const char *compression_build_option(CompressionType t) {
#if DECOMPRESS_WITH_LZO
        if (t == COMPRESSION_LZO && !decompress_lzo_built())
                return "-Dlzo=enabled";
#else
        (void) t;
#endif
        return NULL;
}

DecoderSet decoder_set_built(void) {
        DecoderSet s = 0;
        for (int t = 0; t < _COMPRESSION_MAX; t++)
                if (compression_supported((CompressionType) t))
                        s |= DECODER_SET(t);
        return s;
}

bool decoder_set_parse(const void *p, size_t len, DecoderSet *ret) {
        const char *text = p;
        if (!text && len > 0)
                return false;
        size_t end = 0;
        while (end < len && text[end] != '\n')
                end++;
        if (end >= len)
                return false;                           /* no "\n" */
        for (size_t i = end + 1; i < len; i++)
                if (text[i] != '\0')
                        return false;
        DecoderSet s = 0;
        size_t i = 0;
        while (i < end) {
                size_t j = i;
                while (j < end && text[j] != ' ')
                        j++;
                char label[16];
                if (j == i || j - i >= sizeof(label))
                        return false;                   /* empty (double space, leading space) or too long */
                memcpy(label, text + i, j - i);
                label[j - i] = '\0';
                if (strlen(label) != j - i)
                        return false;                   /* a NUL inside the label */
                CompressionType t = compression_from_string(label);
                /* only the canonical labels (no aliases: "xz", "zstd22"; never "none"), in type
                 * order, each once: one text per set */
                if (t <= COMPRESSION_NONE || strcmp(compression_to_string(t), label) != 0 || s >= DECODER_SET(t))
                        return false;
                s |= DECODER_SET(t);
                if (j == end)
                        break;
                i = j + 1;
                if (i == end)
                        return false;                   /* trailing space */
        }
        if (s == 0)
                return false;
        *ret = s | DECODER_SET(COMPRESSION_NONE);
        return true;
}

size_t decoder_set_format(DecoderSet s, char *buf, size_t cap) {
        size_t n = 0;
        for (int t = COMPRESSION_NONE + 1; t < _COMPRESSION_MAX; t++) {
                if (!(s & DECODER_SET(t)))
                        continue;
                const char *label = names[t];
                size_t l = strlen(label);
                if (n + (n > 0) + l + 2 > cap)
                        return 0;
                if (n > 0)
                        buf[n++] = ' ';
                memcpy(buf + n, label, l);
                n += l;
        }
        if (n == 0)
                return 0;
        buf[n++] = '\n';
        buf[n] = '\0';
        return n;
}

size_t decompress_workspace_size(CompressionType t, const void *in, size_t in_len) {
        (void) in;      /* only xz/lzma look at the stream */
        (void) in_len;
        switch (t) {
        case COMPRESSION_NONE:
        case COMPRESSION_LZ4:
        case COMPRESSION_LZO:
                return 0;
#if DECOMPRESS_WITH_GZIP
        case COMPRESSION_GZIP:
                return decompress_gzip_workspace();
#endif
#if DECOMPRESS_WITH_ZSTD
        case COMPRESSION_ZSTD:
                return decompress_zstd_workspace();
#endif
#if DECOMPRESS_WITH_XZ
        case COMPRESSION_XZ:
        case COMPRESSION_LZMA:
                return decompress_xz_workspace(t, in, in_len);
#endif
        default:
                return 0;
        }
}

DecompressResult decompress(CompressionType t, const void *in, size_t in_len, void *out, size_t out_cap,
                            size_t *ret_out_len, void *work, size_t work_size) {
        (void) work;    /* lz4 and lzo need no workspace */
        (void) work_size;
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
#if DECOMPRESS_WITH_GZIP
        case COMPRESSION_GZIP:
                return decompress_gzip(in, in_len, out, out_cap, ret_out_len, work, work_size);
#endif
#if DECOMPRESS_WITH_ZSTD
        case COMPRESSION_ZSTD:
                return decompress_zstd(in, in_len, out, out_cap, ret_out_len, work, work_size);
#endif
#if DECOMPRESS_WITH_LZ4
        case COMPRESSION_LZ4:
                return decompress_lz4(in, in_len, out, out_cap, ret_out_len);
#endif
#if DECOMPRESS_WITH_LZO
        case COMPRESSION_LZO:
                return decompress_lzo(in, in_len, out, out_cap, ret_out_len);
#endif
#if DECOMPRESS_WITH_XZ
        case COMPRESSION_XZ:
        case COMPRESSION_LZMA:
                return decompress_xz(t, in, in_len, out, out_cap, ret_out_len, work, work_size);
#endif
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
