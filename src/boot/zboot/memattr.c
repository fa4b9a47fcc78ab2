/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "memattr.h"
#include "proto/memory-attribute.h"

static EFI_MEMORY_ATTRIBUTE_PROTOCOL *memattr_protocol(void) {
        static const EFI_GUID guid = EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID;
        static EFI_MEMORY_ATTRIBUTE_PROTOCOL *proto;
        static bool looked, warned;

        if (!looked) {
                if (BS->LocateProtocol(&guid, NULL, (void **) &proto) != EFI_SUCCESS)
                        proto = NULL;
                looked = true;
        }
        if (!warned) {
                if (proto)
                        log_info("W^X through the firmware's EFI_MEMORY_ATTRIBUTE_PROTOCOL");
                else
                        log_info("firmware has no EFI_MEMORY_ATTRIBUTE_PROTOCOL: kernel pages keep the firmware's attributes");
                warned = true;
        }
        return proto;
}

EFI_STATUS memattr_set(EFI_PHYSICAL_ADDRESS base, uint64_t size, MemAttr attr) {
        EFI_MEMORY_ATTRIBUTE_PROTOCOL *p = memattr_protocol();
        EFI_STATUS err;

        if (!p || size == 0)
                return EFI_SUCCESS;
        if ((base | size) & (EFI_PAGE_SIZE - 1))
                return EFI_INVALID_PARAMETER;

        switch (attr) {
        case MEMATTR_RX:
                err = p->SetMemoryAttributes(p, base, size, EFI_MEMORY_RO);
                if (err == EFI_SUCCESS)
                        err = p->ClearMemoryAttributes(p, base, size, EFI_MEMORY_XP);
                break;
        case MEMATTR_RW:
                err = p->SetMemoryAttributes(p, base, size, EFI_MEMORY_XP);
                if (err == EFI_SUCCESS)
                        err = p->ClearMemoryAttributes(p, base, size, EFI_MEMORY_RO);
                break;
        case MEMATTR_RO:
                err = p->SetMemoryAttributes(p, base, size, EFI_MEMORY_XP | EFI_MEMORY_RO);
                break;
        default:
                return EFI_INVALID_PARAMETER;
        }
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot set memory attributes of 0x%lx+0x%lx", base, size);
        return EFI_SUCCESS;
}
