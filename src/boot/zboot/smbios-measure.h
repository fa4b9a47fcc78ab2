/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Boot step (UKI stub), as systemd-stub 261: SMBIOS types 1 (its wake-up type zeroed), 2 and
 * every 11 measured into PCR 1 as tagged events, once per boot: not when LoaderPcrSMBIOS says
 * a boot manager (sd-boot 261) did it already, nor without a TPM; LoaderPcrSMBIOS = "1" after.
 * True if something was measured. docs/security.md "Measured boot". */
bool smbios_measure(void);
