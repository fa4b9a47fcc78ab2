/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcrypto's types in the CLI's cleanup vocabulary (util.h): _cleanup_(EVP_PKEY_freep) etc. */
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util.h"

DEFINE_CLEANUP_FUNC(BIO *, BIO_free)
DEFINE_CLEANUP_FUNC(BIGNUM *, BN_free)
DEFINE_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)
DEFINE_CLEANUP_FUNC(EVP_PKEY *, EVP_PKEY_free)
DEFINE_CLEANUP_FUNC(X509 *, X509_free)
DEFINE_CLEANUP_FUNC(X509_EXTENSION *, X509_EXTENSION_free)
DEFINE_CLEANUP_FUNC(X509_NAME *, X509_NAME_free)
