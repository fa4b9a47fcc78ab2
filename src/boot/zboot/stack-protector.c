/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The stack protector's runtime for our EFI binaries (built with -fstack-protector-strong,
 * -mstack-protector-guard=global): the canary and what happens when a function finds it
 * overwritten on return. docs/security.md "Memory protection".
 */
#include "log.h"
#include "random.h"
#include "stack-protector.h"

/* Not zero before it is seeded (a zero low byte stops string overruns all the same); every
 * protected frame that is live while the seed changes would fail its check, so only frames
 * that begin after stack_protector_init() may be protected. */
uintptr_t __stack_chk_guard = (uintptr_t) UINT64_C(0x2d7f8a6c53e19b00);
static EFI_HANDLE stack_image;
static void (*undo[_STACK_UNDO_MAX])(void);

void stack_protector_undo_set(StackUndo slot, void (*fn)(void)) {
        undo[slot] = fn;
}
static unsigned canary_sources;

_Noreturn void __stack_chk_fail(void);

__attribute__((no_stack_protector)) void stack_protector_init(EFI_HANDLE image) {
        /* its own frame began and ended with the old canary; the sources are logged with the
         * kernel start (stack_protector_sources()) */
        uint64_t seed = random_seed(&canary_sources);
        stack_image = image;
        /* Low byte zero, as C libraries do: a string copy that runs over it stops there. */
        __stack_chk_guard = (uintptr_t) (seed & ~UINT64_C(0xff));
}

unsigned stack_protector_sources(void) {
        return canary_sources;
}

static _Noreturn void halt(void) {
        for (;;) {
#if defined(__x86_64__)
                __asm__ volatile("cli; hlt");
#elif defined(__aarch64__)
                __asm__ volatile("msr daifset, #0xf; wfi");
#endif
        }
}

__attribute__((no_stack_protector)) _Noreturn void __stack_chk_fail(void) {
        /* The caller's frame is corrupt: never return into it. With boot services, leave the
         * image the way StartImage's caller expects a failed image to (Exit with
         * EFI_ABORTED: the boot manager goes on to its next entry); after ExitBootServices,
         * or if Exit returns, stop the CPU. */
        if (!efi_boot_services_gone && BS && stack_image) {
                log_notice("stack smashing detected: exiting with EFI_ABORTED");   /* printed under quiet too */
                /* firmware pointers into our image go back first: Exit unloads it */
                for (size_t i = 0; i < _STACK_UNDO_MAX; i++)
                        if (undo[i])
                                undo[i]();
                (void) BS->Exit(stack_image, EFI_ABORTED, 0, NULL);
        }
        halt();
}
