/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "pe.h"
#include "uki-measure.h"

/* The PCR 11 (sha256 bank) value systemd-stub 257, and our UKI stub, leave after measuring
 * this UKI's sections (a firmware that measured nothing else into PCR 11 before). False if
 * hashing fails (or the image has no section to measure). */
bool uki_pcr11_sha256(const PeView *f, uint8_t pcr[MEASURE_DIGEST_SIZE]);
/* The same when the boot manager selects profile ("@N", uki-profile.h); false also when the
 * UKI has no such profile. */
bool uki_pcr11_sha256_profile(const PeView *f, uint32_t profile, uint8_t pcr[MEASURE_DIGEST_SIZE]);
/* The same on a machine for which the stub picks the .dtbauto section at index dtbauto (-1: none
 * matches), which systemd-stub 257 and our stub measure in its place. */
bool uki_pcr11_sha256_dtbauto(const PeView *f, uint32_t profile, int dtbauto, uint8_t pcr[MEASURE_DIGEST_SIZE]);
/* The same when it also picks the .efifw section at index efifw (-1: none; sd-stub 262 measures
 * it after .hwids). */
bool uki_pcr11_sha256_picked(const PeView *f, uint32_t profile, int dtbauto, int efifw,
                             uint8_t pcr[MEASURE_DIGEST_SIZE]);
/* The same with each section's digest taken from cache (zeroed by the caller for one image and
 * kept while it asks for several values of that image: each section is then hashed once). */
typedef struct {
        bool have[PE_MAX_SECTIONS];
        uint8_t d[PE_MAX_SECTIONS][MEASURE_DIGEST_SIZE];
} PcrDigestCache;
bool uki_pcr11_sha256_picked_cached(const PeView *f, uint32_t profile, int dtbauto, int efifw, PcrDigestCache *cache,
                                    uint8_t pcr[MEASURE_DIGEST_SIZE]);

/* Lower-case hex of a digest into out (2 * MEASURE_DIGEST_SIZE + 1 bytes). */
void digest_hex(const uint8_t d[MEASURE_DIGEST_SIZE], char out[2 * MEASURE_DIGEST_SIZE + 1]);
