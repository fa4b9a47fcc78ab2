/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The last step on x86_64: jump into the kernel's startup_64 in the paging mode we chose.
 *
 * CR4.LA57 cannot change while long mode is active, so the switch goes through a small
 * trampoline that lives below 4 GiB: far jump to 32-bit compatibility mode, turn paging off
 * (which leaves long mode), set CR4.LA57 as wanted, load CR3 with our page tables, turn
 * paging on (long mode again), far jump to 64-bit code, load RSI = boot_params, jump to the
 * kernel. It is done the same way whether or not the mode changes, so one path is tested.
 * Called after ExitBootServices: no firmware call, interrupts off, our own GDT.
 */
#pragma once

#include "efi.h"

typedef struct {
        uint64_t entry;         /* physical address of startup_64 */
        uint64_t boot_params;   /* physical address of the zero page */
        uint64_t cr3;           /* root of our identity page tables, below 4 GiB */
        uint64_t la57;          /* 1: enter with 5-level paging, 0: 4-level */
        uint64_t stack;         /* top of a writable stack below 4 GiB (the 32-bit leg uses ESP) */
} X86EnterParams;

/* Size of the page below 4 GiB that x86_enter_prepare() fills. */
#define X86_TRAMPOLINE_SIZE 4096u

/* Copy the trampoline into `page` (page aligned, below 4 GiB, identity mapped, executable
 * once made RX) and record params in it. Call before ExitBootServices so the page can be
 * made read-only + executable while the memory attribute protocol is still usable. */
EFI_STATUS x86_enter_prepare(void *page, const X86EnterParams *params);

/* Does not return. Interrupts must be off; boot services must be gone. */
_Noreturn void x86_enter(void *page);
