/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: the zboot header parser and its size helpers on arbitrary bytes. */
#include <stdint.h>
#include <string.h>

#include "zboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ZbootInfo z;
        if (zboot_parse_header(data, size, &z) != ZBOOT_OK)
                return 0;
        uint64_t out;
        size_t n = zboot_stream_length(&z);
        if (n > (size_t) z.payload_size + 4 || zboot_decompressed_size(&z, data + z.payload_offset,
                                                                        size - z.payload_offset, &out) != ZBOOT_OK)
                __builtin_trap();
        /* what parses, re-writes identically */
        uint8_t hdr[64];
        if (zboot_write_header(hdr, sizeof(hdr), &z) != ZBOOT_OK || memcmp(hdr, data, 0x38) != 0 ||
            memcmp(hdr + 0x38, data + 0x38, 8) != 0) {
                /* bytes 2..3 of the MZ magic and bytes after the comp type NUL may differ */
                if (memcmp(hdr + 4, data + 4, 0x14) != 0)
                        __builtin_trap();
        }
        return 0;
}
