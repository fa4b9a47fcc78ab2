/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"
#include "inputs.h"
#include "unaligned.h"

bool splash_check(const Blob *b, const char *path) {
        /* BITMAPFILEHEADER (14 bytes: "BM", file size, reserved, pixel offset), then the DIB
         * header, whose first field is its size (40 for BITMAPINFOHEADER, more for later ones) */
        if (b->size < 14 + 40 || b->data[0] != 'B' || b->data[1] != 'M')
                return error("--splash: %s is not a BMP image (systemd-stub shows BMP only)", path), false;
        uint32_t offset = get_le32(b->data + 10), dib = get_le32(b->data + 14);
        if (dib < 40 || dib > b->size - 14 || offset < 14 + dib || offset >= b->size)
                return error("--splash: %s: malformed BMP header (DIB header %u bytes, pixels at %u, file %zu bytes)",
                             path, dib, offset, b->size),
                       false;
        return true;
}

bool dtb_check(const Blob *b, const char *path) {
        if (b->size < FDT_HEADER_MIN || get_be32(b->data) != FDT_MAGIC)
                return error("%s is not a flattened device tree (no d00dfeed magic)", path), false;
        uint32_t total = get_be32(b->data + FDT_TOTALSIZE_OFFSET);
        if (total < 40 || total > b->size)
                return error("%s: device tree totalsize %u, but the file has %zu bytes", path, total, b->size), false;
        return true;
}

bool section_name_check(const char *name, size_t len) {
        if (len == 0 || len > 8)
                return false;
        for (size_t i = 0; i < len; i++)
                if (name[i] < 0x20 || name[i] > 0x7e)
                        return false;
        return true;
}

bool initrds_concat(const char *const *paths, size_t n, Blob *ret) {
        *ret = (Blob) {};
        for (size_t i = 0; i < n; i++) {
                Blob b;
                if (!read_file(paths[i], &b)) {
                        blob_free(ret);
                        return false;
                }
                size_t at = (ret->size + 3) & ~(size_t) 3;
                uint8_t *p = realloc(ret->data, at + b.size);
                if (!p) {
                        blob_free(&b);
                        blob_free(ret);
                        return error("out of memory"), false;
                }
                memset(p + ret->size, 0, at - ret->size);
                memcpy(p + at, b.data, b.size);
                *ret = (Blob) { p, at + b.size };
                blob_free(&b);
        }
        return true;
}
