/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: the zboot header parser and its size helpers on arbitrary bytes, including the
 * kernel's per-type size rule (zboot.h): what parses has its payload, and for non-gzip types the
 * appended size, inside the input. */
#include <stdint.h>
#include <string.h>

#include "zboot.h"

/* The self map (zboot.h): what it accepts lies inside the image size it was checked against. */
static void fuzz_self_map(const uint8_t *data, size_t size) {
        ZbootSelfMap m;
        ZbootSelf s;
        if (size < 4 + sizeof(m))
                return;
        uint64_t image_size = (uint32_t) data[0] | (uint32_t) data[1] << 8 | (uint32_t) data[2] << 16 |
                              (uint32_t) data[3] << 24;
        memcpy(&m, data + 4, sizeof(m));
        memcpy(m.magic, ZBOOT_SELF_MAGIC, sizeof(m.magic));
        if (zboot_self_parse(&m, image_size, &s) != ZBOOT_OK)
                return;
        uint64_t extent = zboot_payload_extent(&s.z);
        if (s.payload_avail < extent || s.payload_rva + s.payload_avail > image_size ||
            s.zbx86_rva + s.zbx86_size > image_size)
                __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ZbootInfo z;
        fuzz_self_map(data, size);
        if (zboot_parse_header(data, size, &z) != ZBOOT_OK)
                return 0;
        bool gzip = strcmp(z.comp_type, "gzip") == 0;
        uint32_t size_len = zboot_size_len(z.comp_type);
        if (size_len != (gzip ? ZBOOT_SIZE_LEN_GZIP : ZBOOT_SIZE_LEN_APPENDED))
                __builtin_trap();
        if (gzip && z.payload_size < ZBOOT_GZIP_MIN_MEMBER)
                __builtin_trap();
        uint64_t out, extent = zboot_payload_extent(&z);
        size_t avail = size - z.payload_offset;
        if (zboot_stream_length(&z) != z.payload_size || extent != (uint64_t) z.payload_size + size_len ||
            (uint64_t) z.payload_offset + extent > size ||
            zboot_decompressed_size(&z, data + z.payload_offset, avail, &out) != ZBOOT_OK)
                __builtin_trap();
        /* the size is the le32 ending at the extent: inside gzip's member, after the others' stream */
        const uint8_t *p = data + z.payload_offset + extent - 4;
        if (out != ((uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24))
                __builtin_trap();
        /* less than the extent is refused */
        if (zboot_decompressed_size(&z, data + z.payload_offset, (size_t) extent - 1, &out) != ZBOOT_BAD_PAYLOAD_RANGE)
                __builtin_trap();
        /* the old-rule probe: gzip only, and only inside the input */
        size_t old_len;
        if (zboot_old_gzip_layout(&z, data + z.payload_offset, avail, &old_len, &out) == ZBOOT_OK &&
            (!gzip || old_len != (size_t) z.payload_size + 4 || old_len > avail || out == 0))
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
