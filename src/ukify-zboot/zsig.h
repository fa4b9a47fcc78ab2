/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The payload signature (.zsig, src/fundamental/payload-sig.h; docs/format.md): made by
 * `zboot --sign-payload`, checked by `extract --verify-cert` and by any other loader that
 * decompresses the payload itself (zsig_verify() takes the decompressed bytes). libcrypto's CMS.
 */
#pragma once

#include "util.h"

/* The .zsig contents for these exact payload bytes: a detached CMS SignedData (sha256, no
 * certificates, no signed attributes) by key_path/cert_path, then the module-signature
 * trailer. Prints the error and returns false on failure. */
bool zsig_make(const uint8_t *payload, size_t len, const char *key_path, const char *cert_path, Blob *ret);

/* The .zsig section of a zboot image (a PE file in memory); false when it has none. */
bool zsig_find(const uint8_t *pe, size_t pe_len, const uint8_t **ret, size_t *ret_len);

/* Verify the decompressed payload against the .zsig section contents (sec NULL: the image had
 * none) and the certificate at cert_path (PEM or DER). Refuses, printing why (prefixed with
 * what), when the section is missing or malformed, not made by that certificate's key, or not
 * over exactly these bytes. */
bool zsig_verify(const uint8_t *payload, size_t len, const uint8_t *sec, size_t sec_len, const char *cert_path,
                 const char *what);

/* For inspect: the signer (issuer and serial, or subject key id) and the digest algorithm;
 * false, with reason set, when the section does not parse. */
typedef struct {
        char signer[512];
        char digest[32];
        size_t sig_len;
        const char *reason;
} ZsigDescription;
bool zsig_describe(const uint8_t *sec, size_t sec_len, ZsigDescription *ret);

/* inspect: a "payload signature (.zsig)" line (or JSON member) when the image has the section. */
void zsig_inspect(const uint8_t *pe, size_t pe_len, bool json);
