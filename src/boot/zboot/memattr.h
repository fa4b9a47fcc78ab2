/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "util.h"

typedef enum {
        MEMATTR_RX, /* read-only + executable */
        MEMATTR_RW, /* writable + not executable */
        MEMATTR_RO, /* read-only + not executable */
} MemAttr;

/* Apply page permissions through EFI_MEMORY_ATTRIBUTE_PROTOCOL. If the firmware lacks the
 * protocol this logs once and returns EFI_SUCCESS: the memory keeps the attributes the
 * firmware gave the allocation (on such firmware EfiLoaderCode is RWX, which is what images
 * started with LoadImage get as well). Base and size must be page aligned. Never leaves a
 * range writable and executable at once: RX first drops W, then adds X. Logs its failure (which
 * range): callers only return the status. */
EFI_STATUS memattr_set(EFI_PHYSICAL_ADDRESS base, uint64_t size, MemAttr attr);

/* Does the firmware have EFI_MEMORY_ATTRIBUTE_PROTOCOL (W^X through us)? */
bool memattr_available(void);

/* The memory type for pages that will hold code we start (the kernel, the x86 trampoline).
 * With the protocol: EfiLoaderData, which firmware with an NX policy maps RW+NX, so the pages
 * are never writable and executable while we write them; memattr_pages() makes the code RX
 * afterwards. Without it: EfiLoaderCode, the one type every firmware maps executable (edk2
 * refuses an NX policy for code types unless it protects loaded images itself,
 * PcdDxeNxMemoryProtectionPolicy + PcdImageProtectionPolicy), since nothing could make
 * EfiLoaderData executable there. docs/security.md "Memory protection". */
EFI_MEMORY_TYPE memattr_code_type(void);

/* memattr_set() on [offset, offset + size) of an allocation, recording in *p that its
 * attributes changed (and, the first time, what they were), so free_pagesp() restores them. */
EFI_STATUS memattr_pages(Pages *p, uint64_t offset, uint64_t size, MemAttr attr);

/* Did the firmware report, before our first memattr_pages() on this allocation, exactly attr
 * for all of it (GetMemoryAttributes; false if that failed, as on a stand-in without it, or
 * if nothing was changed yet)? Then a range of it we have not changed since has attr already
 * and needs no call: each Set/Clear walks and may split the firmware's page tables. */
bool memattr_orig_is(const Pages *p, MemAttr attr);

/* Put back the attributes an allocation had before the first memattr_pages(): first RO+NX
 * over all of it, then RW+NX, then (only if the firmware reported it so) without NX: never
 * W+X on the way while it is still ours. EFI_SUCCESS if nothing was changed. */
EFI_STATUS memattr_restore(Pages *p);
