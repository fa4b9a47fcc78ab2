/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: zboot-decode.c, the gzip old-rule detection (an image whose payload_size leaves
 * out ISIZE). Input byte 0 chooses: even = the rest is a zboot image as found on disk; odd =
 * the rest is a gzip payload wrapped in a header we write (payload_size = its length - 4, the
 * old rule, or its length, the kernel's rule), so the decoder sees deep input. Invariants:
 * the verdict is OLD_RULE only for gzip, only when the payload_size + 4 bytes are one whole
 * member decoding to exactly the size at that position (checked with decompress() itself),
 * never for a layout that does not apply, and a too small output buffer is an argument error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decompress.h"
#include "zboot-decode.h"
#include "zboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OUT (4u << 20)

static void check(const uint8_t *img, size_t size) {
        ZbootInfo z;
        if (zboot_parse_header(img, size, &z) != ZBOOT_OK)
                return;
        const uint8_t *payload = img + z.payload_offset;
        size_t avail = size - z.payload_offset, stream_len;
        uint64_t out_size;
        size_t ws = decompress_workspace_size(COMPRESSION_GZIP, NULL, 0);
        void *work = malloc(ws);
        if (!work)
                return;
        if (zboot_old_gzip_layout(&z, payload, avail, &stream_len, &out_size) != ZBOOT_OK) {
                uint8_t one;
                if (zboot_gzip_old_rule(&z, payload, avail, &one, sizeof(one), work, ws) != ZBOOT_BAD_ARGUMENT)
                        __builtin_trap();
                free(work);
                return;
        }
        if (strcmp(z.comp_type, "gzip") != 0 || stream_len != (size_t) z.payload_size + 4 || stream_len > avail ||
            out_size == 0)
                __builtin_trap();
        if (out_size > MAX_OUT) {
                free(work);
                return;
        }
        uint8_t *out = malloc((size_t) out_size);
        if (!out) {
                free(work);
                return;
        }
        if (zboot_gzip_old_rule(&z, payload, avail, out, (size_t) out_size - 1, work, ws) != ZBOOT_BAD_ARGUMENT)
                __builtin_trap();
        ZbootResult r = zboot_gzip_old_rule(&z, payload, avail, out, (size_t) out_size, work, ws);
        if (r != ZBOOT_OK && r != ZBOOT_GZIP_OLD_RULE)
                __builtin_trap();
        /* the verdict agrees with a plain decode of those bytes */
        size_t got = 0;
        bool whole = decompress(COMPRESSION_GZIP, payload, stream_len, out, (size_t) out_size, &got, work, ws) ==
                             DECOMPRESS_OK && got == out_size;
        if (whole != (r == ZBOOT_GZIP_OLD_RULE))
                __builtin_trap();
        free(out);
        free(work);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        bool wrap = data[0] & 1, kernel_rule = data[0] & 2;
        data++, size--;
        if (!wrap) {
                uint8_t *img = malloc(size ? size : 1);   /* exact size for ASan */
                if (!img)
                        return 0;
                memcpy(img, data, size);
                check(img, size);
                free(img);
                return 0;
        }
        if (size < 4 + ZBOOT_GZIP_MIN_MEMBER || size > MAX_OUT)
                return 0;
        ZbootInfo z = { .payload_offset = 64, .pe_header_offset = 64, .comp_type = "gzip" };
        z.payload_size = (uint32_t) (kernel_rule ? size : size - 4);
        uint8_t *img = malloc(64 + size);
        if (!img)
                return 0;
        if (zboot_write_header(img, 64, &z) != ZBOOT_OK)
                __builtin_trap();
        memcpy(img + 64, data, size);
        check(img, 64 + size);
        free(img);
        return 0;
}
