/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See cmdline-append.h. */
#include "cmdline-append.h"
#include "log.h"
#include "measure.h"
#include "util.h"

bool cmdline_append_measured(char16_t **buf, uint32_t *size, const char16_t *text, size_t units,
                             const char *what, bool *measured) {
        *measured = false;
        size_t old = *buf ? strnlen16(*buf, *size / sizeof(char16_t)) : 0;
        size_t total = old + (old ? 1 : 0) + units + 1;
        char16_t *out;
        if (total > UINT32_MAX / sizeof(char16_t) ||
            BS->AllocatePool(EfiLoaderData, total * sizeof(char16_t), (void **) &out) != EFI_SUCCESS) {
                log_error_status(EFI_OUT_OF_RESOURCES, "cannot append %s", what);
                return false;
        }

        /* Measured only once the kernel is sure to get it. */
        *measured = measure_load_options(text, (units + 1) * sizeof(char16_t));

        size_t k = 0;
        if (old) {
                memcpy(out, *buf, old * sizeof(char16_t));
                k = old;
                out[k++] = ' ';
        }
        memcpy(out + k, text, units * sizeof(char16_t));
        out[k + units] = 0;
        if (*buf)
                BS->FreePool(*buf);
        *buf = out;
        *size = (uint32_t) (total * sizeof(char16_t));
        return true;
}
