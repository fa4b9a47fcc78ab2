/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* Seed __stack_chk_guard (random.h: EFI_RNG_PROTOCOL, RDRAND/RNDR, the CPU counter) and keep
 * the image handle for __stack_chk_fail()'s Exit(). Call first thing in efi_main(), from a
 * function that is itself not protected (its frame would hold the old canary) and after the
 * self-relocation; boot services must be set. */
void stack_protector_init(EFI_HANDLE image);
/* What stack_protector_init() seeded the canary from, for the log line before the kernel starts
 * (not logged at entry: "quiet" is known only once the command line is parsed). */
unsigned stack_protector_sources(void);

/* What __stack_chk_fail() undoes before it leaves through Exit: a firmware function pointer we
 * replaced with code of ours, or a protocol whose functions are ours (Exit unloads our image).
 * Set while the replacement is in place, NULL again when it is gone. */
typedef enum {
        STACK_UNDO_SHIM,          /* shim.c: the Security/Security2 hooks around an add-on's LoadImage */
        STACK_UNDO_KERNEL_EXIT,   /* kernel-start.c: our Exit while the kernel's entry point runs */
        STACK_UNDO_INITRD,        /* initrd.c: our LoadFile2 from initrd_register() to initrd_unregister() */
        _STACK_UNDO_MAX,
} StackUndo;
void stack_protector_undo_set(StackUndo slot, void (*fn)(void));
