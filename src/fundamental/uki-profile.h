/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Multi-profile UKIs, the pure part (systemd 257's contract, docs/stub.md "Profiles"). The
 * section table is split by `.profile` sections: everything before the first one is the base;
 * profile N is the N-th `.profile` section (counting from 0) and what follows it up to the next
 * `.profile`. For a name, profile N's first section of that name wins over the base's first
 * one; a winner with VirtualSize 0 counts as absent. A UKI without any `.profile` has just
 * profile 0, which is the base. The boot manager selects a profile with LoadOptions beginning
 * with "@N". Tables are raw section headers (any alignment), as in the image.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uki-measure.h"

/* The sections before the first .profile. "@4294967295" selects it, as in sd-stub 257 (its
 * parser takes any number up to UINT_MAX, which is also its "base" marker). */
#define UKI_PROFILE_BASE UINT32_MAX

/* How many .profile sections the table has (profiles 0..count-1; 0: the base is profile 0). */
unsigned uki_profile_count(const void *table, size_t n);

/* The part of the table [*ret_start, *ret_end) profile covers: its .profile section and what
 * follows up to the next .profile; UKI_PROFILE_BASE: from 0 to the first .profile. False when
 * the table has no such profile. */
bool uki_profile_range(const void *table, size_t n, uint32_t profile, size_t *ret_start, size_t *ret_end);

/* Whether profile can be booted: it exists, or it is 0 (implied when there is no .profile,
 * as sd-stub 257 does; any other missing profile is an error there). */
bool uki_profile_valid(const void *table, size_t n, uint32_t profile);

/* The index of the section named name (up to 8 bytes, compared as sd-stub does) that applies
 * to profile: the profile's own first one, else the base's first one; -1 when there is none,
 * the winner has VirtualSize 0, or the profile is not valid. UKI_PROFILE_BASE: the base only. */
int uki_profile_find(const void *table, size_t n, uint32_t profile, const char *name);

/* The sections systemd-stub 257 measures into PCR 11 when it boots profile, in its order
 * (uki-measure.h): the effective section of each measured name. False if the profile is not
 * valid; *ret_n entries in out otherwise. */
bool uki_profile_pcr11_select(const void *table, size_t n, uint32_t profile, UkiMeasuredSection out[UKI_SECTION_COUNT],
                              size_t *ret_n);

/* The same with the .dtbauto section at index dtbauto (the one chosen for this machine, which
 * the stub installs: uki-dtb.h; -1 for none) measured in its canonical place, as systemd-stub
 * 257 measures the .dtbauto it picked. False also when dtbauto is not a .dtbauto section with
 * contents. */
bool uki_profile_pcr11_select_dtbauto(const void *table, size_t n, uint32_t profile, int dtbauto,
                                      UkiMeasuredSection out[UKI_SECTION_COUNT], size_t *ret_n);
/* The same with also the .efifw section at index efifw (-1: none; sd-stub 262 measures the
 * .efifw whose firmware id the machine's .hwids names: uki-dtb.h) after .hwids. False also when
 * efifw is not an .efifw section with contents. */
bool uki_profile_pcr11_select_picked(const void *table, size_t n, uint32_t profile, int dtbauto, int efifw,
                                     UkiMeasuredSection out[UKI_SECTION_COUNT], size_t *ret_n);

/* The same for the default profile (profile 0): for each measured name, the first section of that
 * name before the first .profile section, replaced by the first one of that name between the first
 * .profile and the next (profile 0, .profile itself included) when there is one; sections with
 * VirtualSize 0 count as absent. table holds n section headers (any alignment). Returns how many
 * entries it wrote to out. */
size_t uki_pcr11_select(const void *table, size_t n, UkiMeasuredSection out[UKI_SECTION_COUNT]);

/* A profile selector at the start of a UCS-2 command line (LoadOptions, len units, ending at
 * the first NUL): '@', decimal digits (at most UINT32_MAX), then exactly one space, which is
 * consumed, or the end. True with *ret_profile and *ret_skip (the units to drop before the rest
 * of the command line) when there is one; false (profile 0, skip 0) otherwise: the command line
 * is then left as it is. */
bool uki_profile_from_options(const uint16_t *s, size_t len, uint32_t *ret_profile, size_t *ret_skip);

/* The value of KEY=VALUE line key in a .profile (os-release syntax; one level of matching
 * single or double quotes removed) copied into out (NUL-terminated, truncated to cap - 1).
 * False if there is no such line. For listing: sd-boot reads ID= and TITLE=. */
bool uki_profile_field(const char *text, size_t len, const char *key, char *out, size_t cap);
