/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

typedef enum {
        MEMATTR_RX, /* read-only + executable */
        MEMATTR_RW, /* writable + not executable */
        MEMATTR_RO, /* read-only + not executable */
} MemAttr;

/* Apply page permissions through EFI_MEMORY_ATTRIBUTE_PROTOCOL. If the firmware lacks the
 * protocol this logs once and returns EFI_SUCCESS: the memory keeps the attributes the
 * firmware gave the allocation (on such firmware EfiLoaderCode is RWX, which is what images
 * started with LoadImage get as well). Base and size must be page aligned. Never leaves a
 * range writable and executable at once: RX first drops W, then adds X. */
EFI_STATUS memattr_set(EFI_PHYSICAL_ADDRESS base, uint64_t size, MemAttr attr);
