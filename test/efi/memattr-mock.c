/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in EFI_MEMORY_ATTRIBUTE_PROTOCOL for boot tests on firmware that lacks the real one
 * (Debian 12's OVMF/AAVMF). Loaded as a boot service driver from the UEFI Shell (`load`), it
 * installs the protocol on a new handle and reports every call on the console:
 *
 *   memattr-mock: set 0x<base> 0x<length> 0x<attributes>
 *   memattr-mock: clear 0x<base> 0x<length> 0x<attributes>
 *   memattr-mock: invalid set|clear 0x<base> 0x<length> 0x<attributes>
 *
 * It changes no page table: the boot test replays the calls over a page map and checks that no
 * page the loader touched is ever writable and executable at once, and that the kernel ends up
 * with text RX and data RW. Arguments are checked as the UEFI specification asks (page-aligned
 * base and length, length non-zero, only RP/RO/XP); a bad call is logged and refused.
 * GetMemoryAttributes is refused (EFI_UNSUPPORTED): the mock does not know the real state.
 */
#include "log.h"
#include "proto/memory-attribute.h"
#include "mock-driver.h"

#define ATTR_ALLOWED (EFI_MEMORY_RP | EFI_MEMORY_RO | EFI_MEMORY_XP)

static EFI_STATUS check_and_log(const char *op, EFI_PHYSICAL_ADDRESS base, uint64_t length, uint64_t attr) {
        if (length == 0 || ((base | length) & (EFI_PAGE_SIZE - 1)) || attr == 0 || (attr & ~ATTR_ALLOWED)) {
                log_info("invalid %s 0x%lx 0x%lx 0x%lx", op, base, length, attr);
                return EFI_INVALID_PARAMETER;
        }
        log_info("%s 0x%lx 0x%lx 0x%lx", op, base, length, attr);
        return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI mock_get(EFI_MEMORY_ATTRIBUTE_PROTOCOL *This, EFI_PHYSICAL_ADDRESS BaseAddress,
                                  uint64_t Length, uint64_t *Attributes) {
        (void) This, (void) BaseAddress, (void) Length, (void) Attributes;
        return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI mock_set(EFI_MEMORY_ATTRIBUTE_PROTOCOL *This, EFI_PHYSICAL_ADDRESS BaseAddress,
                                  uint64_t Length, uint64_t Attributes) {
        (void) This;
        return check_and_log("set", BaseAddress, Length, Attributes);
}

static EFI_STATUS EFIAPI mock_clear(EFI_MEMORY_ATTRIBUTE_PROTOCOL *This, EFI_PHYSICAL_ADDRESS BaseAddress,
                                    uint64_t Length, uint64_t Attributes) {
        (void) This;
        return check_and_log("clear", BaseAddress, Length, Attributes);
}

static EFI_MEMORY_ATTRIBUTE_PROTOCOL mock = {
        .GetMemoryAttributes = mock_get,
        .SetMemoryAttributes = mock_set,
        .ClearMemoryAttributes = mock_clear,
};

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);
EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table) {
        static const EFI_GUID guid = EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID;
        (void) image;
        return mock_driver_start(system_table, "memattr-mock", &guid, &mock, NULL, NULL);
}
