/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Signed PCR 11 policies (.pcrsig) and the public key section (.pcrpkey), as ukify 257 makes
 * them with systemd-measure 257: for each signing key, each phase path and each PCR bank, the
 * PCR 11 value predicted for the UKI's sections followed by the phase words, its TPM2
 * PolicyPCR digest, and an RSA PKCS#1 v1.5 signature over that digest (hashed with the bank's
 * algorithm). All cryptography is libcrypto's. docs/ukify-options.md, docs/security.md.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pe.h"
#include "util.h"

#define PCRSIG_MAX_KEYS 8

typedef struct {
        const char *private_key;        /* PEM file */
        const char *public_key;         /* PEM file; NULL: derived from the private key */
        const char *phases;             /* ukify's --phases= value; NULL: systemd-measure's default */
} PcrSignKey;

/* ukify's --pcr-banks= value (comma- or whitespace-separated sha1/sha256/sha384/sha512) is valid. */
bool pcr_banks_check(const char *banks);
/* ukify's --phases= value is valid (colon-separated phase paths of known phase words). */
bool pcr_phases_check(const char *phases);

/* The .pcrsig JSON (no NUL, no newline; malloc'd) for profile (0 for a UKI without .profile) of
 * the UKI f (its .pcrpkey included, no .pcrsig yet), as ukify 257 writes it: one object, a key
 * per bank (sorted), an array of {"pcrs", "pkfp", "pol", "sig"} per .dtbauto variant, key and
 * phase path (sorted), duplicates left out. banks NULL: sha1 sha256 sha384 sha512. */
bool pcrsig_make(const PeView *f, uint32_t profile, const PcrSignKey *keys, size_t n_keys, const char *banks,
                 char **ret, size_t *ret_size);

/* The public half of a PEM private key as a PEM "PUBLIC KEY" (what ukify embeds as .pcrpkey
 * when only --pcr-private-key is given). */
bool pcrpkey_from_private(const char *path, Blob *ret);

/* Add .pcrsig (pcrsig_make()) to the UKI in *uki (replaced by the new image): at the end, or,
 * in a multi-profile UKI, one per profile at the end of that profile, as ukify 257 places them. */
bool pcrsig_append(Blob *uki, const char *what, const PcrSignKey *keys, size_t n_keys, const char *banks);
