/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Secure Boot signing of our outputs with sbsign (sbsigntool), and reading signatures back. */
#pragma once

#include "util.h"

/* --secureboot-private-key / --secureboot-certificate: both or neither, both readable. */
bool sign_check_args(const char *key, const char *cert);
/* Write data to path, signed when key is set: the unsigned image goes to a temporary file next
 * to path, sbsign writes a second one, and only a signed result is renamed to path. On any
 * failure nothing is left behind and an existing file at path is untouched. */
bool write_output(const char *path, const void *data, size_t size, const char *key, const char *cert);

typedef struct {
        bool table;             /* a certificate table (DataDirectory[SECURITY]) is present */
        bool malformed;         /* ... but its entries are not well-formed */
        unsigned n_pkcs7;       /* WIN_CERT_TYPE_PKCS_SIGNED_DATA entries */
        char signer[512];       /* the first signer's subject (libcrypto), "" if unknown */
} SignatureInfo;
void signature_info(const Blob *pe, SignatureInfo *ret);
