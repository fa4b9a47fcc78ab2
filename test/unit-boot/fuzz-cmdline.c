/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* exact-size output buffers so ASan catches any write past out_cap */
        size_t cap = size + 1;
        uint16_t *out = malloc(cap * sizeof(uint16_t));
        if (!out)
                return 0;
        size_t n = cmdline_utf8_to_ucs2((const char *) data, size, out, cap);
        if (n == SIZE_MAX || n >= cap || out[n] != 0)
                abort(); /* in_len + 1 units must always suffice */
        for (size_t i = 0; i < n; i++)
                if (out[i] < 0x20)
                        abort();
        if (size > 0) /* one unit too few for a non-empty result must fail, not overflow */
                (void) cmdline_utf8_to_ucs2((const char *) data, size, out, n);
        (void) cmdline_load_options_usable(data, size);
        free(out);
        return 0;
}
