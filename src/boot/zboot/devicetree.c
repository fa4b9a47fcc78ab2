/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The UKI stub's device tree step (docs/stub.md "Device trees"): pick .dtbauto/.dtb (by
 * uki_dtb_choose_profile(), src/fundamental/uki-dtb.c; add-ons: uki_dtb_choose_addon()), copy it
 * into memory the kernel keeps (EfiACPIReclaimMemory), run the firmware's fixups and install
 * it as the EFI FDT configuration table, which the kernel's EFI stub (arm64) takes as its
 * device tree. The blob parsing is src/fundamental/fdt.c.
 */
#include "chid.h"
#include "devicetree.h"
#include "fdt.h"
#include "log.h"
#include "pe.h"
#include "smbios-efi.h"
#include "unaligned.h"
#include "util.h"

#define EFI_DTB_TABLE_GUID \
        EFI_GUID_INIT(0xb1b621d5, 0xf19c, 0x41a5, 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0)
#define EFI_DT_FIXUP_PROTOCOL_GUID \
        EFI_GUID_INIT(0xe617d64c, 0xfe08, 0x46da, 0xf4, 0xdc, 0xbb, 0xd5, 0x87, 0x0c, 0x73, 0x00)
#define EFI_DT_APPLY_FIXUPS 0x1u
#define EFI_DT_RESERVE_MEMORY 0x2u

typedef struct EFI_DT_FIXUP_PROTOCOL EFI_DT_FIXUP_PROTOCOL;
struct EFI_DT_FIXUP_PROTOCOL {
        uint64_t Revision;
        EFI_STATUS (EFIAPI *Fixup)(EFI_DT_FIXUP_PROTOCOL *This, void *Fdt, size_t *BufferSize, uint32_t Flags);
};

#define DTB_MAX (UINT32_C(32) << 20)   /* sd-stub refuses larger blobs */
#define PAGE_SIZE 4096u

static const EFI_GUID dtb_guid = EFI_DTB_TABLE_GUID;

static EFI_STATUS alloc_dt(size_t size, EFI_PHYSICAL_ADDRESS *addr, size_t *pages) {
        *pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
        return BS->AllocatePages(AllocateAnyPages, EfiACPIReclaimMemory, *pages, addr);
}

/* EFI_DT_FIXUP_PROTOCOL (U-Boot has it; edk2 does not): apply the firmware's fixups and
 * memory reservations, in a bigger buffer when it asks for one. */
static EFI_STATUS fixup(DtState *st, size_t len) {
        static const EFI_GUID guid = EFI_DT_FIXUP_PROTOCOL_GUID;
        EFI_DT_FIXUP_PROTOCOL *fx;
        if (BS->LocateProtocol(&guid, NULL, (void **) &fx) != EFI_SUCCESS || !fx)
                return EFI_SUCCESS;
        size_t size = st->pages * PAGE_SIZE;
        EFI_STATUS err = fx->Fixup(fx, (void *) (uintptr_t) st->addr, &size, EFI_DT_APPLY_FIXUPS | EFI_DT_RESERVE_MEMORY);
        if (err != EFI_BUFFER_TOO_SMALL)
                return err;
        if (size > DTB_MAX * 2u)
                return EFI_BAD_BUFFER_SIZE;
        EFI_PHYSICAL_ADDRESS addr;
        size_t pages;
        err = alloc_dt(size, &addr, &pages);
        if (err != EFI_SUCCESS)
                return err;
        memcpy((void *) (uintptr_t) addr, (const void *) (uintptr_t) st->addr, len);
        BS->FreePages(st->addr, st->pages);
        st->addr = addr;
        st->pages = pages;
        size = pages * PAGE_SIZE;
        return fx->Fixup(fx, (void *) (uintptr_t) st->addr, &size, EFI_DT_APPLY_FIXUPS | EFI_DT_RESERVE_MEMORY);
}

EFI_STATUS devicetree_install(DtState *st, const void *dtb, size_t size) {
        if (size > DTB_MAX || !fdt_check(dtb, size))
                return EFI_INVALID_PARAMETER;
        /* Installing again (an add-on's after the UKI's, as sd-stub 257) replaces our copy; the
         * table to put back stays the firmware's. */
        DtState n = { .orig = st->pages ? st->orig : config_table_find(&dtb_guid) };
        EFI_STATUS err = alloc_dt(size, &n.addr, &n.pages);
        if (err != EFI_SUCCESS)
                return err;
        memcpy((void *) (uintptr_t) n.addr, dtb, size);
        err = fixup(&n, size);
        if (err == EFI_SUCCESS)
                err = BS->InstallConfigurationTable(&dtb_guid, (void *) (uintptr_t) n.addr);
        if (err != EFI_SUCCESS) {
                /* what was installed before (if anything) stays */
                BS->FreePages(n.addr, n.pages);
                return err;
        }
        if (st->pages)
                BS->FreePages(st->addr, st->pages);
        *st = n;
        return EFI_SUCCESS;
}

void devicetree_cleanup(DtState *st) {
        if (!st->pages)
                return;
        /* after ExitBootServices was called our table and its memory stay (efi.h) */
        if (efi_boot_services_gone)
                return;
        /* our copy stays if the firmware's table cannot be put back: something points to it */
        EFI_STATUS err = BS->InstallConfigurationTable(&dtb_guid, st->orig);
        if (err != EFI_SUCCESS) {
                log_error_status(err, "cannot put the firmware's device tree back (our copy stays)");
                return;
        }
        BS->FreePages(st->addr, st->pages);
        *st = (DtState) {};
}

/* The firmware's device tree and its size (0 when it is not valid); NULL when it has none. */
static const void *firmware_dtb(size_t *ret_size) {
        const uint8_t *p = config_table_find(&dtb_guid);
        *ret_size = 0;
        if (!p)
                return NULL;
        /* its size is in its header: read that first, then check the whole blob */
        size_t total = get_be32(p + FDT_TOTALSIZE_OFFSET);
        if (total <= DTB_MAX && fdt_check(p, total))
                *ret_size = total;
        return p;
}

/* This machine's CHIDs from the firmware's SMBIOS table, computed once. */
static const ChidGuid *machine_chids(void) {
        static ChidGuid chids[CHID_TYPES];
        static bool have_chids;
        if (!have_chids) {
                const void *table = NULL;
                size_t table_size = 0;
                ChidFields f;
                (void) smbios_firmware_table(&table, &table_size);
                chid_fields_from_smbios(table, table_size, &f);
                chid_compute(&f, chids);
                have_chids = true;
        }
        return chids;
}

void devicetree_machine(const PeView *image, UkiDtbMachine *m) {
        *m = (UkiDtbMachine) {};
        /* a table that is not a valid device tree (fw_size 0) matches nothing; like 257 we read
         * .hwids only when the firmware has no table at all, and SMBIOS only for a .hwids */
        m->fw_dtb = firmware_dtb(&m->fw_size);
        if (!m->fw_dtb && pe_find_section(image, ".hwids") >= 0)
                m->chids = machine_chids();
}

const char *hwids_verdict(HwidsResult r) {
        return r == HWIDS_NOT_FOUND ? "no entry for this machine" :
               r == HWIDS_UNSUPPORTED ? "an entry of an unknown type" : "a bad string offset";
}

void devicetree_choose_from_uki(const PeView *self, uint32_t profile, UkiDtbChoice *ret) {
        UkiDtbMachine m;
        devicetree_machine(self, &m);
        (void) uki_dtb_choose_profile(self, profile, &m, ret);
        const UkiDtbChoice *c = ret;
        /* what the choice met on the way: each .hwids consulted (the profile's, the base's) ... */
        for (size_t i = 0; i < c->n_hwids; i++) {
                const UkiDtbHwids *h = &c->hwids[i];
                if (h->result == HWIDS_OK && h->device.compatible)
                        log_info(".hwids: this machine is \"%s\", compatible \"%s\"", h->device.name ? h->device.name : "",
                                 h->device.compatible);
                else if (h->result == HWIDS_NOT_FOUND)   /* 257 logs this one at debug level only */
                        log_debug("HWID matching failed (%s), no .dtbauto is selected by .hwids", hwids_verdict(h->result));
                else if (h->result != HWIDS_OK)
                        log_warning("HWID matching failed (%s), no .dtbauto is selected by .hwids", hwids_verdict(h->result));
        }
        /* ... and .dtbauto sections that could not be compared */
        if (c->n_invalid == 1)
                log_warning("section %lu (.dtbauto) is not a valid device tree: skipped", (uint64_t) c->first_invalid);
        else if (c->n_invalid > 1)
                log_warning("section %lu (.dtbauto) is not a valid device tree: skipped (and %lu more .dtbauto sections)",
                            (uint64_t) c->first_invalid, (uint64_t) (c->n_invalid - 1));
}

void devicetree_install_choice(const UkiDtbChoice *c, DtState *st) {
        if (c->kind == UKI_DTB_NONE)
                return;
        const char *what = c->kind == UKI_DTB_AUTO ? ".dtbauto" : ".dtb";
        size_t size = c->size;

        EFI_STATUS err = devicetree_install(st, c->data, size);
        if (err != EFI_SUCCESS) {
                log_error_status(err, "cannot install the device tree from %s, ignoring", what);
                return;
        }
        log_info("installed the device tree from %s (%lu bytes)%s", what, (uint64_t) size,
                 st->orig ? ", replacing the firmware's" : "");
}
