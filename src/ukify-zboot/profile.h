/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pe.h"
#include "util.h"

/* ukify 257's multi-profile UKIs (docs/stub.md "Profiles"). */

/* --profile / --join-profile on a built UKI (uki is replaced): append a .profile section with
 * profile_arg (TEXT or @FILE; "ID=main" when only --join-profile is given, as ukify does), which
 * ends the base and is profile 0, then, for each joined PE in order, its UKI sections (.linux
 * .osrel .cmdline .initrd .ucode .splash .dtb .uname .sbat .profile, .osrel only when the UKI
 * has one) in their order: the first of them must be its one .profile. */
bool profile_join(Blob *uki, const char *profile_arg, const char *const *joins, size_t n_joins);
/* profile_join() on what it read: text is profile 0's .profile, pes[i] the joined PE named
 * names[i] (in error messages). */
bool profile_join_assemble(Blob *uki, const Blob *text, const Blob *pes, const char *const *names, size_t n_joins);

/* A profile PE (ukify's `build --profile` without --linux): a data-only PE32+ for machine
 * (0x8664 or 0xaa64) whose first section is .profile, then the given sections in order. */
bool profile_pe_build(uint16_t machine, const char *profile_arg, const PeNewSection *secs, size_t n, Blob *ret);

/* inspect: the profiles with their ID, TITLE, sections and PCR 11 prediction ("profiles" in
 * JSON: a complete member with its leading comma). Nothing when the UKI has no .profile.
 * placed: the UKI as the firmware places it (uki_placed_view()), or f. */
void profile_inspect(const PeView *f, const PeView *placed, bool json, const char *pad);
/* inspect: PCR 11 on a machine for which the stub picks each .dtbauto it can pick for profile
 * (uki_dtbauto_pickable() on placed: one per first compatible, and a base one the profile
 * shadows when the base's .hwids still leads a machine to it: "hwids_only"), which
 * systemd-stub 257 and our stub measure in its place ("dtbauto" in JSON: a member with its
 * leading comma, inside "pcr11"; nothing when no .dtbauto can be picked). */
void profile_pcr11_dtbauto_inspect(const PeView *f, const PeView *placed, uint32_t profile, bool json,
                                   const char *pad);
/* inspect: PCR 11 on a machine for which the stub picks each .efifw it can pick for profile
 * (uki_efifw_pickable() on placed), measured after .hwids as sd-stub 262 does, without a
 * .dtbauto and with each .dtbauto of profile_pcr11_dtbauto_inspect() ("efifw" in JSON, inside
 * "pcr11": [{"section", "fwid", "sha256", "dtbauto": [{"section", "sha256"}]}]; nothing when
 * no .efifw can be picked). */
void profile_pcr11_efifw_inspect(const PeView *f, const PeView *placed, uint32_t profile, bool json,
                                 const char *pad);
/* The UKI f as the firmware places it (raw data zero-filled to VirtualSize), as the stub's
 * device-tree rule sees it: true with a MEMORY view of a copy in *ret_buf when some .dtbauto or
 * .hwids has less raw data than VirtualSize; false when f's own bytes are the same (or the
 * image is too large to place: SizeOfImage beyond twice the file and 64 MiB). */
bool uki_placed_view(const PeView *f, uint8_t **ret_buf, PeView *ret);

/* build --measure: "11:sha256=HEX" for profile 0 (the default), then "11@N:sha256=HEX" for each
 * further profile. False if hashing fails. */
bool profile_print_measure(const PeView *f);

/* build --profile without --linux: write a profile PE with these sections (ukify's order:
 * .profile .osrel .cmdline .dtb .dtbauto .hwids .uname .splash, --section ones, .initrd .efifw .ucode),
 * signed with sb_key/sb_cert when given (NULL: unsigned), as ukify 257 does. Returns the exit
 * status. */
typedef struct ProfilePeInputs {
        const char *profile, *cmdline, *osrel, *uname, *dtb, *splash, *hwids_dir, *microcode;
        const char *const *initrds;
        size_t n_initrd;
        const char *const *extra;   /* --section NAME:TEXT|@FILE */
        size_t n_extra;
        const char *const *dtbautos;
        size_t n_dtbauto;
        const char *const *efifws;   /* --efifw DIR (ukify 258) */
        size_t n_efifw;
        const char *output, *sb_key, *sb_cert;
        const char *efi_arch;   /* x64 or aa64; NULL: this machine's */
} ProfilePeInputs;
int profile_pe_main(const ProfilePeInputs *in);
