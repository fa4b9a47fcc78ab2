/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "pe.h"

/* Boot step (UKI stub), as systemd-stub 262: the .efifw section for this machine,
 * uki_efifw_choose_profile() (src/fundamental/uki-dtb.c) with the machine devicetree_machine()
 * describes; what .hwids said and .efifw sections whose header is not valid are logged. Made
 * before the PCR 11 measurements: the picked one is measured with the sections, after .hwids
 * (measure_uki_sections). Nothing else is done with it: sd-stub 262.1 does not load or pass the
 * firmware either. Returns its section index, -1 for none. docs/stub.md "Device trees". */
int efifw_choose_from_uki(const PeView *self, uint32_t profile);
