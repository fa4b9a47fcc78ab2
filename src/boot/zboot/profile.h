/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "measure.h"
#include "pe.h"

/* Multi-profile UKIs (src/fundamental/uki-profile.h, docs/stub.md "Profiles"). */

/* The profile LoadOptions select ("@N" first, as sd-boot 257 passes it for a profile's menu
 * entry; 0 without). The selector and one space after it are dropped from *lo / *lo_size, so
 * what is left is the command line as usual (possibly empty). */
uint32_t profile_from_load_options(const void **lo, uint32_t *lo_size);

/* The section name of our loaded image (self: its headers, read once per boot in memory
 * layout) that applies to profile (the profile's own, else the base's), VirtualSize bytes at
 * its RVA. False if there is none or it lies outside the image. */
bool profile_find_section(const PeView *self, uint32_t profile, const char *name, const uint8_t **ret,
                          size_t *ret_size);

/* sd-stub 257's record of the choice in PCR 12: a profile other than 0 is measured (an
 * EV_EVENT_TAG event, tag 0x13aed6db, data the number as UTF-16 decimal with its NUL) and
 * counts towards StubPcrKernelParameters (pcr12); profile 0 is not measured. The StubProfile
 * variable is set by stub-variables.c. */
void profile_measure(uint32_t profile, MeasuredSet *pcr12);
