/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The UKI stub's .efifw step: which firmware image of the UKI belongs to this machine, by the
 * firmware id of its .hwids uefi-fw entry (sd-stub 262). It is measured, not used (efifw.h).
 */
#include "devicetree.h"
#include "efifw.h"
#include "log.h"
#include "uki-dtb.h"

int efifw_choose_from_uki(const PeView *self, uint32_t profile) {
        if (pe_find_section(self, ".efifw") < 0)
                return -1;
        UkiDtbMachine m;
        devicetree_machine(self, &m);
        UkiEfifwChoice c;
        bool picked = uki_efifw_choose_profile(self, profile, &m, &c);
        /* (a .hwids refused as a whole was reported by the device tree step already) */
        for (size_t i = 0; i < c.n_hwids; i++) {
                const UkiDtbHwids *h = &c.hwids[i];
                if (h->result == HWIDS_OK)
                        log_info(".hwids: this machine's firmware is \"%s\", id \"%s\"",
                                 h->device.name ? h->device.name : "", h->device.fwid ? h->device.fwid : "");
        }
        if (c.n_invalid == 1)
                log_warning("section %lu (.efifw) has no valid firmware header: skipped", (uint64_t) c.first_invalid);
        else if (c.n_invalid > 1)
                log_warning("section %lu (.efifw) has no valid firmware header: skipped (and %lu more .efifw sections)",
                            (uint64_t) c.first_invalid, (uint64_t) (c.n_invalid - 1));
        if (!picked)
                return -1;
        log_info(".efifw: section %lu has this machine's firmware \"%s\" (measured into PCR 11, not loaded)",
                 (uint64_t) c.section, c.fwid);
        return c.section;
}
