/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device trees from the UKI (.dtbauto, .dtb) as the EFI FDT configuration table, as
 * systemd-stub 257 does (docs/stub.md "Device trees"). */
#pragma once

#include "efi.h"
#include "pe.h"
#include "uki-dtb.h"

/* What devicetree_install changed, for devicetree_cleanup to undo when the kernel does not
 * start: our copy (pages) and the table the firmware had before (NULL: none). */
typedef struct {
        EFI_PHYSICAL_ADDRESS addr;
        size_t pages;
        void *orig;
} DtState;

/* Copy the blob into EfiACPIReclaimMemory pages, let the firmware's EFI_DT_FIXUP_PROTOCOL fix
 * it up (when there is one) and install it as the FDT configuration table, replacing the
 * firmware's. Called again (add-ons, sd-stub 257), it replaces our previous copy, which is
 * freed; devicetree_cleanup still puts the firmware's table back. On failure the new copy is
 * freed and whatever was installed before stays. */
EFI_STATUS devicetree_install(DtState *st, const void *dtb, size_t size);

/* What a .dtbauto is matched against on this machine (uki-dtb.h): the firmware's device tree
 * (size 0 when that table is not a valid device tree: nothing matches), or, when the firmware
 * has no such table, the CHIDs from SMBIOS (computed only when image has a .hwids section,
 * as 257 reads SMBIOS only then). Call before anything is installed. */
void devicetree_machine(const PeView *image, UkiDtbMachine *m);

/* Put the firmware's table back and free our copy (nothing when nothing was installed). */
void devicetree_cleanup(DtState *st);

/* sd-stub 257's choice for profile of our image, uki_dtb_choose_profile() (uki-dtb.h) on this
 * machine (devicetree_machine): a matching .dtbauto (the profile's, then the base's), else the
 * effective .dtb; what .hwids said and .dtbauto sections that are not valid device trees are
 * logged. Made before the PCR 11 measurements: the picked .dtbauto is measured with the other
 * sections (measure_uki_sections), as sd-stub 257 measures the one it picked. */
void devicetree_choose_from_uki(const PeView *self, uint32_t profile, UkiDtbChoice *ret);

/* What a failed .hwids match means, for a log line ("no entry for this machine", ...). */
const char *hwids_verdict(HwidsResult r);

/* Install that choice with devicetree_install (nothing for UKI_DTB_NONE); a failure is logged
 * and ignored, as sd-stub does. */
void devicetree_install_choice(const UkiDtbChoice *c, DtState *st);
