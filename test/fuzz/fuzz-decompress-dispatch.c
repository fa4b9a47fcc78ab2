/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the decompressor dispatch (src/fundamental/decompress.c) as the loader uses it:
 * a zboot type label (from a fixed list of real, legacy and bogus labels, picked by the first
 * input byte), an output bound (the next two bytes) and the stream. Invariants: label ↔ type
 * round trip; output never past the bound (exact allocations); a decode that succeeds gives
 * the same bytes into a buffer of exactly its length and is refused as too small by one byte
 * less; "none" copies; a workspace smaller than asked for never succeeds silently badly. The
 * input is also parsed as a .zdec decoder list (decoder_set_parse: a parsed list formats back
 * to the same text).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decompress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const labels[] = {
        "gzip", "zstd", "zstd22", "lz4", "xzkern", "lzma", "xz", "none", "lzo", "", "ZSTD", "gzip ", "bzip2",
};

static DecompressResult run(CompressionType t, const uint8_t *in, size_t n, size_t cap, uint8_t **ret_out,
                            size_t *ret_len) {
        size_t ws = decompress_workspace_size(t, in, n);
        void *work = ws ? malloc(ws) : NULL;
        uint8_t *out = malloc(cap ? cap : 1);
        DecompressResult r = DECOMPRESS_NO_MEMORY;
        if (out && (work || !ws))
                r = decompress(t, in, n, cap ? out : NULL, cap, ret_len, work, ws);
        free(work);
        *ret_out = out;
        return r;
}

/* The whole input as a zboot stub's .zdec decoder list: a list that parses formats back to the
 * same text (canonical order and labels, one space apart) and always contains "none". */
static void check_decoder_list(const uint8_t *data, size_t size) {
        uint8_t *copy = malloc(size ? size : 1);
        if (!copy)
                return;
        memcpy(copy, data, size);
        DecoderSet s = 0;
        if (decoder_set_parse(copy, size, &s)) {
                char text[64];
                size_t n = decoder_set_format(s, text, sizeof(text));
                DecoderSet again = 0;
                if (!(s & DECODER_SET(COMPRESSION_NONE)) || n == 0 || n > size || memcmp(text, copy, n) != 0 ||
                    !decoder_set_parse(text, n, &again) || again != s)
                        __builtin_trap();
        }
        free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        check_decoder_list(data, size);
        if (size < 3)
                return 0;
        const char *label = labels[data[0] % (sizeof(labels) / sizeof(labels[0]))];
        size_t cap = (size_t) data[1] | (size_t) data[2] << 8;
        data += 3;
        size -= 3;

        CompressionType t = compression_from_string(label);
        if (t != _COMPRESSION_INVALID) {
                const char *back = compression_to_string(t);
                if (!back || (strcmp(back, label) != 0 && strcmp(label, "zstd22") != 0 && strcmp(label, "xz") != 0) ||
                    compression_from_string(back) != t)
                        __builtin_trap();
        } else if (compression_to_string(t) != NULL)
                __builtin_trap();

        /* a hostile xz/lzma header may ask for up to 1 GiB of dictionary: allocating that on
         * every run would stall the fuzzer, so such inputs stop here */
        if (decompress_workspace_size(t, data, size) > (64u << 20))
                return 0;

        /* exact-size input copy: ASan sees any read past in_len */
        uint8_t *in = malloc(size ? size : 1);
        if (!in)
                return 0;
        memcpy(in, data, size);

        uint8_t *out;
        size_t n = SIZE_MAX;
        DecompressResult r = run(t, in, size, cap, &out, &n);
        (void) decompress_strerror(r);
        if (t == _COMPRESSION_INVALID && r != DECOMPRESS_UNSUPPORTED)
                __builtin_trap();
        if (r != DECOMPRESS_OK && n != 0)
                __builtin_trap();   /* failures report no output */
        if (r == DECOMPRESS_OK) {
                if (n > cap)
                        __builtin_trap();
                if (t == COMPRESSION_NONE && (n != size || memcmp(out, in, n) != 0))
                        __builtin_trap();
                uint8_t *again;
                size_t m = SIZE_MAX;
                /* (an empty xz/lzma result needs one byte of room: liblzma makes no progress
                 * with avail_out 0; the loader never decodes to 0 bytes) */
                if (n > 0) {
                        if (run(t, in, size, n, &again, &m) != DECOMPRESS_OK || m != n || memcmp(again, out, n) != 0)
                                __builtin_trap();
                        free(again);
                        DecompressResult r2 = run(t, in, size, n - 1, &again, &m);
                        if (r2 != DECOMPRESS_OUTPUT_TOO_SMALL)
                                __builtin_trap();
                        free(again);
                }
                /* half the workspace: refused, never a different success */
                size_t ws = decompress_workspace_size(t, in, size);
                if (ws > 1) {
                        void *work = malloc(ws / 2);
                        uint8_t *o2 = malloc(n ? n : 1);
                        if (work && o2) {
                                DecompressResult r3 = decompress(t, in, size, n ? o2 : NULL, n, &m, work, ws / 2);
                                if (r3 == DECOMPRESS_OK && (m != n || memcmp(o2, out, n) != 0))
                                        __builtin_trap();
                        }
                        free(work);
                        free(o2);
                }
        }
        free(out);
        free(in);
        return 0;
}
