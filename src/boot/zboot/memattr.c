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
                return log_error_status(EFI_INVALID_PARAMETER, "memory attribute range 0x%lx+0x%lx is not page aligned",
                                        base, size);

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
                return log_error_status(EFI_INVALID_PARAMETER, "unknown memory attribute %u", (unsigned) attr);
        }
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot set memory attributes of 0x%lx+0x%lx", base, size);
        return EFI_SUCCESS;
}

bool memattr_available(void) {
        return memattr_protocol() != NULL;
}

EFI_MEMORY_TYPE memattr_code_type(void) {
        return memattr_available() ? EfiLoaderData : EfiLoaderCode;
}

#define ATTR_MASK (EFI_MEMORY_RO | EFI_MEMORY_XP)

/* What the firmware gave the allocation, read once: what it gets back. Firmware reports
 * EFI_NO_MAPPING or the like for a range with mixed attributes, and a stand-in may not
 * implement Get at all: then RW+NX is restored (safe for memory that holds nothing of ours to
 * run any more). Each call walks the firmware's page tables over the whole allocation. */
static void attrs_orig_read(EFI_MEMORY_ATTRIBUTE_PROTOCOL *proto, Pages *p) {
        uint64_t a = 0;
        if (p->attrs_known)
                return;
        p->attrs_orig = proto->GetMemoryAttributes(proto, p->addr, (uint64_t) p->n_pages * EFI_PAGE_SIZE, &a) ==
                                        EFI_SUCCESS ? a & ATTR_MASK : UINT64_MAX;
        p->attrs_known = true;
}

EFI_STATUS memattr_pages(Pages *p, uint64_t offset, uint64_t size, MemAttr attr) {
        EFI_MEMORY_ATTRIBUTE_PROTOCOL *proto = memattr_protocol();
        uint64_t total = (uint64_t) p->n_pages * EFI_PAGE_SIZE;

        if (offset > total || size > total - offset)
                return log_error_status(EFI_INVALID_PARAMETER, "attribute range 0x%lx+0x%lx outside the allocation",
                                        offset, size);
        if (!proto || size == 0)
                return EFI_SUCCESS;
        attrs_orig_read(proto, p);
        /* Set before the change: a call that fails half-way may have changed some pages. */
        p->attrs_changed = true;
        return memattr_set(p->addr + offset, size, attr);
}

EFI_STATUS memattr_code_pages_writable(Pages *p) {
        EFI_MEMORY_ATTRIBUTE_PROTOCOL *proto = memattr_protocol();

        if (!proto || p->n_pages == 0)
                return EFI_SUCCESS;
        attrs_orig_read(proto, p);
        if (p->attrs_orig == EFI_MEMORY_XP)
                return EFI_SUCCESS;
        EFI_STATUS err = memattr_pages(p, 0, (uint64_t) p->n_pages * EFI_PAGE_SIZE, MEMATTR_RW);
        if (err != EFI_SUCCESS)
                free_pagesp(p);   /* no safe place for code */
        return err;
}

EFI_STATUS memattr_restore(Pages *p) {
        EFI_MEMORY_ATTRIBUTE_PROTOCOL *proto = memattr_protocol();
        uint64_t total = (uint64_t) p->n_pages * EFI_PAGE_SIZE;
        EFI_STATUS err;

        if (!p->attrs_changed || !proto || total == 0)
                return EFI_SUCCESS;
        /* after ExitBootServices was called only memory services remain (efi.h): the pages stay
         * allocated, with our attributes */
        if (efi_boot_services_gone)
                return EFI_ABORTED;
        uint64_t want = p->attrs_orig == UINT64_MAX ? EFI_MEMORY_XP : p->attrs_orig;
        bool exec = !(want & EFI_MEMORY_XP);
        /* NX first, then writable (RX → RO+NX → RW+NX): no step leaves a page writable and
         * executable. Memory the firmware gave executable (EfiLoaderData on firmware without
         * an NX policy for it) gets that back, zeroed first while RW+NX, so no code of ours
         * is left in pages that may become writable and executable; RO is set again before
         * NX is cleared. */
        err = proto->SetMemoryAttributes(proto, p->addr, total, EFI_MEMORY_XP);
        if (err == EFI_SUCCESS && (!(want & EFI_MEMORY_RO) || exec))
                err = proto->ClearMemoryAttributes(proto, p->addr, total, EFI_MEMORY_RO);
        if (err == EFI_SUCCESS && exec)
                memset((void *) (uintptr_t) p->addr, 0, total);
        if (err == EFI_SUCCESS && (want & EFI_MEMORY_RO))
                err = proto->SetMemoryAttributes(proto, p->addr, total, EFI_MEMORY_RO);
        if (err == EFI_SUCCESS && exec)
                err = proto->ClearMemoryAttributes(proto, p->addr, total, EFI_MEMORY_XP);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot restore the attributes of 0x%lx+0x%lx", p->addr, total);
        p->attrs_changed = false;
        return EFI_SUCCESS;
}
