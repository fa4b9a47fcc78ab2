/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot step: the UKI profile. The pure rules (which sections a profile sees, the "@N" selector)
 * are in src/fundamental/uki-profile.c; this file applies them to our loaded image and records
 * the choice as sd-stub 257 does.
 */
#include "log.h"
#include "measure.h"
#include "pe.h"
#include "profile.h"
#include "uki-measure.h"
#include "uki-profile.h"
#include "util.h"

#define UKI_PROFILE_EVENT_TAG_ID UINT32_C(0x13aed6db)

uint32_t profile_from_load_options(const void **lo, uint32_t *lo_size) {
        uint32_t profile;
        size_t skip;
        if (!*lo || !uki_profile_from_options(*lo, *lo_size / sizeof(char16_t), &profile, &skip))
                return 0;
        *lo = (const char16_t *) *lo + skip;
        *lo_size -= (uint32_t) (skip * sizeof(char16_t));
        log_info("profile @%u selected by the boot manager", profile);
        return profile;
}

bool profile_find_section(const PeView *self, uint32_t profile, const char *name, const uint8_t **ret,
                          size_t *ret_size) {
        return pe_section_get(self, uki_profile_find(pe_section_table(self), self->n_sections, profile, name), ret,
                              ret_size);
}

void profile_measure(uint32_t profile, MeasuredSet *pcr12) {
        if (profile == 0)
                return;
        char16_t s[11];
        char desc[11];
        size_t size = utf16_decimal(profile, s);
        for (size_t i = 0; i < size / sizeof(char16_t); i++)
                desc[i] = (char) s[i];
        measured_set_add(pcr12, measure_tagged_utf16(PCR_KERNEL_CONFIG, s, size, UKI_PROFILE_EVENT_TAG_ID, desc));
}
