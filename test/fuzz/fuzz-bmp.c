/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bmp_parse and bmp_to_blt on arbitrary input: whatever parses converts within its buffer (ASan
 * checks every read), the parse result is consistent with the data, and a conversion into a
 * buffer of the wrong size is refused. */
#include <stdlib.h>
#include <string.h>

#include "bmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* an exact-size copy, so reading one byte past the data is an ASan error */
        uint8_t *d = malloc(size ? size : 1);
        if (!d)
                return 0;
        memcpy(d, data, size);
        BmpInfo info;
        if (bmp_parse(d, size, &info)) {
                if (info.width == 0 || info.height == 0 || (uint64_t) info.width * info.height > BMP_MAX_PIXELS ||
                    (uint64_t) info.pixels + (uint64_t) info.row_size * info.height > size)
                        abort();
                size_t n = (size_t) info.width * info.height;
                BmpPixel *out = calloc(n, sizeof(*out));
                if (out) {
                        if (!bmp_to_blt(d, size, &info, out, n))
                                abort();
                        if (bmp_to_blt(d, size, &info, out, n + 1))
                                abort();
                        free(out);
                }
        }
        free(d);
        return 0;
}
