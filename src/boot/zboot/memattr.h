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
 * With the protocol: EfiLoaderData, made RW+NX by memattr_code_pages_writable() before
 * anything is written, and the code made RX afterwards. Without it: EfiLoaderCode, the one
 * type every firmware maps executable (edk2 refuses an NX policy for code types unless it
 * protects loaded images itself, PcdDxeNxMemoryProtectionPolicy + PcdImageProtectionPolicy),
 * since nothing could make EfiLoaderData executable there. docs/security.md "Memory
 * protection". */
EFI_MEMORY_TYPE memattr_code_type(void);

/* memattr_set() on [offset, offset + size) of an allocation, recording in *p that its
 * attributes changed (and, the first time, what they were), so free_pagesp() restores them. */
EFI_STATUS memattr_pages(Pages *p, uint64_t offset, uint64_t size, MemAttr attr);

/* Make a fresh allocation of memattr_code_type() RW+NX over all of it, before the first byte
 * of code is written into it: an NX policy for EfiLoaderData (Debian 13's strictnx OVMF) gives
 * that already, and then no call is made (GetMemoryAttributes says so; each Set/Clear walks and
 * may split the firmware's page tables), but edk2's default policy and ArmVirtQemu's leave
 * EfiLoaderData executable: written as it came, the kernel would be W+X until protected. A
 * no-op without the protocol. On failure the allocation is freed (*p emptied). */
EFI_STATUS memattr_code_pages_writable(Pages *p);

/* Put back the attributes an allocation had before the first memattr_pages(): first RO+NX
 * over all of it, then RW+NX, then (only if the firmware reported it so) without NX, after
 * zeroing it: never W+X on the way, nor code of ours left in W+X pages. EFI_SUCCESS if nothing
 * was changed. */
EFI_STATUS memattr_restore(Pages *p);
