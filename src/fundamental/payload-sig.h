/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The .zsig section of a zboot image: a detached signature over the decompressed payload, in
 * the Linux kernel's module-signature layout (docs/format.md "The .zsig section"):
 *
 *   PKCS#7/CMS SignedData (DER, detached, sha256)   sig_len bytes
 *   struct module_signature                          12 bytes: algo 0, hash 0, id_type 2 (PKCS#7),
 *                                                    signer_len 0, key_id_len 0, pad[3] 0,
 *                                                    sig_len (big-endian 32-bit)
 *   "~Module signature appended~\n"                  28 bytes
 *   NUL bytes up to the PE FileAlignment             (the section's raw data is padded)
 *
 * payload || (the section without its NUL padding) is laid out exactly as a signed kernel
 * module, so a verifier that reads appended module signatures can take it unchanged.
 * Pure code: no allocation, every offset checked.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define PAYLOAD_SIG_SECTION ".zsig"
#define PAYLOAD_SIG_MAGIC "~Module signature appended~\n"
#define PAYLOAD_SIG_MAGIC_LEN 28u
#define PAYLOAD_SIG_INFO_LEN 12u        /* struct module_signature */
#define PAYLOAD_SIG_ID_OFFSET 2u        /* its id_type byte */
#define PAYLOAD_SIG_LEN_OFFSET 8u       /* its be32 sig_len */
#define PAYLOAD_SIG_ID_PKCS7 2u         /* id_type: PKCS#7 message */

typedef enum {
        PAYLOAD_SIG_OK = 0,
        PAYLOAD_SIG_TOO_SHORT = -1,     /* no room for the trailer */
        PAYLOAD_SIG_BAD_MAGIC = -2,     /* no "~Module signature appended~\n" at the end */
        PAYLOAD_SIG_NOT_PKCS7 = -3,     /* id_type is not PKCS#7 */
        PAYLOAD_SIG_BAD_INFO = -4,      /* algo/hash/signer_len/key_id_len/pad not zero */
        PAYLOAD_SIG_BAD_LENGTH = -5,    /* sig_len zero, or not exactly the bytes before the trailer */
} PayloadSigResult;

typedef struct {
        size_t sig_offset;              /* the DER SignedData inside the section: always 0 */
        size_t sig_len;
        size_t used;                    /* signature + trailer: the section without its padding */
} PayloadSigInfo;

/* Parse the section contents (as mapped, padding included). */
PayloadSigResult payload_sig_parse(const uint8_t *sec, size_t len, PayloadSigInfo *ret);
/* Write the trailer (struct module_signature + magic) for a signature of sig_len bytes into
 * out[PAYLOAD_SIG_INFO_LEN + PAYLOAD_SIG_MAGIC_LEN]; sig_len must fit 32 bits. */
void payload_sig_trailer(uint32_t sig_len, uint8_t out[PAYLOAD_SIG_INFO_LEN + PAYLOAD_SIG_MAGIC_LEN]);
const char *payload_sig_strerror(PayloadSigResult r);
