/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is a device tree blob (an exact-size copy, so ASan sees any read past it). A
 * blob fdt_check() accepts fits the buffer; a compatible string found lies inside it, is
 * NUL-terminated and not empty; a blob has the same model as itself exactly when it has one. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *t = malloc(size ? size : 1);
        if (!t)
                return 0;
        memcpy(t, data, size);
        size_t total = fdt_check(t, size);
        if (total > size || (total && total < FDT_HEADER_MIN))
                abort();
        size_t n;
        const char *c = fdt_first_compatible(t, size, &n);
        if (c) {
                if (!total || (const uint8_t *) c < t || (const uint8_t *) c + n >= t + total || n == 0 || c[n] != 0 ||
                    strlen(c) != n)
                        abort();
        }
        if (fdt_same_model(t, size, t, size) != (c != NULL))
                abort();
        free(t);
        return 0;
}
