/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "log.h"
#include "x86-enter.h"

extern const uint8_t x86_tramp_start[], x86_tramp_end[], x86_tramp_gdt_desc[], x86_tramp_params[];

_Static_assert(sizeof(X86EnterParams) == 40, "params layout is shared with x86-enter.S");

EFI_STATUS x86_enter_prepare(void *page, const X86EnterParams *params) {
        size_t size = (size_t) (x86_tramp_end - x86_tramp_start);
        uintptr_t base = (uintptr_t) page;

        if (size > X86_TRAMPOLINE_SIZE || (base & (EFI_PAGE_SIZE - 1)) || base + X86_TRAMPOLINE_SIZE > UINT32_MAX)
                return log_error_status(EFI_INVALID_PARAMETER, "trampoline page unsuitable");
        if (params->cr3 > UINT32_MAX || (params->cr3 & (EFI_PAGE_SIZE - 1)))
                return log_error_status(EFI_INVALID_PARAMETER, "page tables must be page aligned below 4 GiB");
        if (params->stack > UINT32_MAX || params->stack < 256 || (params->stack & 15))
                return log_error_status(EFI_INVALID_PARAMETER, "trampoline stack must be 16-byte aligned below 4 GiB");

        memcpy(page, x86_tramp_start, size);
        uint64_t gdt = base + (size_t) (x86_tramp_gdt_desc - x86_tramp_start) - 32; /* 4 descriptors before */
        memcpy((uint8_t *) page + (x86_tramp_gdt_desc - x86_tramp_start) + 2, &gdt, sizeof(gdt));
        memcpy((uint8_t *) page + (x86_tramp_params - x86_tramp_start), params, sizeof(*params));
        return EFI_SUCCESS;
}

_Noreturn void x86_enter(void *page) {
        void (*tramp)(void) = (void (*)(void)) page;
        tramp();
        __builtin_unreachable();
}
