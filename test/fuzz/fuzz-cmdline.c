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
        /* sd-stub 257's rule: usable means the first unit is printable and some unit before the
         * end or a NUL is neither a space nor a control character; from the Shell, non-empty */
        bool usable = cmdline_stub_load_options_usable(data, size, data, size, false);
        bool seen = false;
        for (size_t i = 0; i + 1 < size && !seen; i += 2) {
                uint16_t c = (uint16_t) (data[i] | data[i + 1] << 8);
                if (c == 0)
                        break;
                seen = c > 0x20 && c != 0x7f;
        }
        if (usable != (seen && cmdline_load_options_usable(data, size)))
                abort();
        if (cmdline_stub_load_options_usable(NULL, 0, data, size, true) != (size >= 2 && (data[0] | data[1])))
                abort();
        free(out);
        return 0;
}
