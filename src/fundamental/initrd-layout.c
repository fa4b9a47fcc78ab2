/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See initrd-layout.h. */
#include <stdint.h>

#include "initrd-layout.h"

bool initrd_layout_add(size_t *total, size_t size, size_t *ret_offset) {
        size_t pad = (INITRD_ALIGN - size % INITRD_ALIGN) % INITRD_ALIGN;
        if (size > SIZE_MAX - pad)
                return false;
        size_t padded = size + pad;
        if (*total > SIZE_MAX - padded)
                return false;
        if (ret_offset)
                *ret_offset = *total;
        *total += padded;
        return true;
}
