/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload signature (zsig.h): all crypto is libcrypto's CMS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "payload-sig.h"
#include "pe.h"
#include "zsig.h"

static X509 *load_cert(const char *path, const char *option) {
        BIO *b = BIO_new_file(path, "rb");
        if (!b)
                return error("%s: cannot open the certificate (%s)", path, option), NULL;
        X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        if (!x) {
                (void) BIO_reset(b);
                x = d2i_X509_bio(b, NULL);
        }
        BIO_free(b);
        ERR_clear_error();
        if (!x)
                error("%s: not an X.509 certificate, PEM or DER (%s)", path, option);
        return x;
}

bool zsig_make(const uint8_t *payload, size_t len, const char *key_path, const char *cert_path, Blob *ret) {
        if (len > INT32_MAX)
                return error("--sign-payload: payload too large to sign (%zu bytes)", len), false;
        X509 *cert = load_cert(cert_path, "--sign-payload-cert");
        if (!cert)
                return false;
        EVP_PKEY *key = NULL;
        BIO *kb = BIO_new_file(key_path, "rb");
        if (kb)
                key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
        BIO_free(kb);
        ERR_clear_error();
        if (!key) {
                X509_free(cert);
                return error("%s: cannot read a PEM private key (--sign-payload)", key_path), false;
        }
        if (X509_check_private_key(cert, key) != 1) {
                ERR_clear_error();
                X509_free(cert);
                EVP_PKEY_free(key);
                return error("%s: the private key does not belong to the certificate %s", key_path, cert_path), false;
        }
        bool ok = false;
        unsigned char *der = NULL;
        int der_len = -1;
        BIO *in = BIO_new_mem_buf(payload, (int) len);
        /* detached, binary (no MIME canonicalisation), no certificates, no signed attributes:
         * the SignerInfo signs the sha256 of exactly these bytes */
        unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_NOCERTS | CMS_PARTIAL;
        CMS_ContentInfo *cms = in ? CMS_sign(NULL, NULL, NULL, NULL, flags) : NULL;
        if (cms && CMS_add1_signer(cms, cert, key, EVP_sha256(), CMS_BINARY | CMS_NOCERTS | CMS_NOATTR) &&
            CMS_final(cms, in, NULL, CMS_DETACHED | CMS_BINARY) == 1)
                der_len = i2d_CMS_ContentInfo(cms, &der);
        if (der_len > 0) {
                size_t total = (size_t) der_len + PAYLOAD_SIG_INFO_LEN + PAYLOAD_SIG_MAGIC_LEN;
                ret->data = malloc(total);
                if (ret->data) {
                        memcpy(ret->data, der, (size_t) der_len);
                        payload_sig_trailer((uint32_t) der_len, ret->data + der_len);
                        ret->size = total;
                        ok = true;
                }
        }
        if (!ok) {
                unsigned long e = ERR_get_error();
                error("--sign-payload: cannot make the payload signature: %s",
                      e ? ERR_reason_error_string(e) : "out of memory");
        }
        ERR_clear_error();
        OPENSSL_free(der);
        CMS_ContentInfo_free(cms);
        BIO_free(in);
        EVP_PKEY_free(key);
        X509_free(cert);
        return ok;
}

bool zsig_find(const uint8_t *pe, size_t pe_len, const uint8_t **ret, size_t *ret_len) {
        PeView f;
        if (pe_parse(pe, pe_len, &f) != PE_OK)
                return false;
        int i = pe_find_section(&f, PAYLOAD_SIG_SECTION);
        if (i < 0)
                return false;
        *ret = pe_section_data(&f, (size_t) i, ret_len);
        return *ret != NULL;
}

/* The one SignerInfo of a parsed .zsig, or NULL with reason set. */
static CMS_ContentInfo *parse_cms(const uint8_t *sec, size_t sec_len, CMS_SignerInfo **ret_si, const char **reason) {
        PayloadSigInfo pi;
        PayloadSigResult r = payload_sig_parse(sec, sec_len, &pi);
        if (r != PAYLOAD_SIG_OK)
                return *reason = payload_sig_strerror(r), NULL;
        const unsigned char *p = sec + pi.sig_offset;
        CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long) pi.sig_len);
        ERR_clear_error();
        if (!cms || p != sec + pi.sig_offset + pi.sig_len || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
                CMS_ContentInfo_free(cms);
                return *reason = "not a DER CMS SignedData of exactly sig_len bytes", NULL;
        }
        if (CMS_is_detached(cms) != 1) {
                CMS_ContentInfo_free(cms);
                return *reason = "the signature embeds content (it must be detached)", NULL;
        }
        STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
        if (!sis || sk_CMS_SignerInfo_num(sis) != 1) {
                CMS_ContentInfo_free(cms);
                return *reason = "not exactly one signer", NULL;
        }
        *ret_si = sk_CMS_SignerInfo_value(sis, 0);
        return cms;
}

static const char *digest_name(CMS_SignerInfo *si) {
        X509_ALGOR *dig = NULL, *sig = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
        if (!dig)
                return "?";
        const char *n = OBJ_nid2sn(OBJ_obj2nid(dig->algorithm));
        return n ? n : "?";
}

static void signer_name(CMS_SignerInfo *si, char *out, size_t n) {
        ASN1_OCTET_STRING *keyid = NULL;
        X509_NAME *issuer = NULL;
        ASN1_INTEGER *serial = NULL;
        snprintf(out, n, "?");
        if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1)
                return;
        if (issuer && serial) {
                char name[256];
                X509_NAME_oneline(issuer, name, sizeof(name));
                BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
                char *hex = bn ? BN_bn2hex(bn) : NULL;
                snprintf(out, n, "issuer %s, serial %s", name, hex ? hex : "?");
                OPENSSL_free(hex);
                BN_free(bn);
        } else if (keyid) {
                size_t o = (size_t) snprintf(out, n, "subject key id ");
                for (int i = 0; i < keyid->length && o + 3 < n; i++)
                        o += (size_t) snprintf(out + o, n - o, "%02x", keyid->data[i]);
        }
}

bool zsig_describe(const uint8_t *sec, size_t sec_len, ZsigDescription *ret) {
        memset(ret, 0, sizeof(*ret));
        CMS_SignerInfo *si = NULL;
        CMS_ContentInfo *cms = parse_cms(sec, sec_len, &si, &ret->reason);
        if (!cms)
                return false;
        PayloadSigInfo pi;
        payload_sig_parse(sec, sec_len, &pi);
        ret->sig_len = pi.sig_len;
        signer_name(si, ret->signer, sizeof(ret->signer));
        snprintf(ret->digest, sizeof(ret->digest), "%s", digest_name(si));
        CMS_ContentInfo_free(cms);
        return true;
}

bool zsig_verify(const uint8_t *payload, size_t len, const uint8_t *sec, size_t sec_len, const char *cert_path,
                 const char *what) {
        if (!sec)
                return error("%s: no payload signature (.zsig section): refusing an unsigned kernel under --verify-cert",
                             what), false;
        if (len > INT32_MAX)
                return error("%s: payload too large to verify (%zu bytes)", what, len), false;
        const char *reason = NULL;
        CMS_SignerInfo *si = NULL;
        CMS_ContentInfo *cms = parse_cms(sec, sec_len, &si, &reason);
        if (!cms)
                return error("%s: .zsig: %s", what, reason), false;
        X509 *cert = load_cert(cert_path, "--verify-cert");
        if (!cert) {
                CMS_ContentInfo_free(cms);
                return false;
        }
        bool ok = false;
        char signer[512];
        signer_name(si, signer, sizeof(signer));
        X509_ALGOR *dig = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
        if (!dig || OBJ_obj2nid(dig->algorithm) != NID_sha256)
                error("%s: .zsig: digest %s, expected sha256", what, digest_name(si));
        else if (CMS_SignerInfo_cert_cmp(si, cert) != 0)
                error("%s: the payload was signed by %s, not by the certificate %s", what, signer, cert_path);
        else {
                STACK_OF(X509) *certs = sk_X509_new_null();
                /* The payload goes in through a buffering filter, not as a bare memory BIO:
                 * OpenSSL 3.0's CMS_verify() copies a memory BIO into a second one and, with
                 * CMS_BINARY, leaks that copy when the SignedData names a digest it cannot set
                 * up (openssl/openssl#30471, fixed upstream in 2026, not in Debian 12's 3.0.19;
                 * found by fuzz-zsig). Any other BIO type is read as it is. */
                BIO *mem = BIO_new_mem_buf(payload, (int) len), *data = mem ? BIO_new(BIO_f_buffer()) : NULL;
                if (data)
                        BIO_push(data, mem);   /* data owns mem now */
                else
                        BIO_free(mem);
                if (certs && data && sk_X509_push(certs, cert) > 0) {
                        /* the signer is pinned to this certificate: no chain, no certificates from the message */
                        ok = CMS_verify(cms, certs, NULL, data, NULL,
                                        CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY) == 1;
                        if (!ok)
                                error("%s: the payload signature does not match the decompressed kernel "
                                      "(payload changed after signing)", what);
                } else
                        error("out of memory");
                sk_X509_free(certs);
                BIO_free_all(data);
        }
        ERR_clear_error();
        X509_free(cert);
        CMS_ContentInfo_free(cms);
        return ok;
}

void zsig_inspect(const uint8_t *pe, size_t pe_len, bool json) {
        const uint8_t *sec;
        size_t sec_len;
        if (!zsig_find(pe, pe_len, &sec, &sec_len))
                return;
        ZsigDescription d;
        bool ok = zsig_describe(sec, sec_len, &d);
        if (json) {
                printf(", \"payload_signature\": {");
                if (!ok) {
                        printf("\"error\": ");
                        json_print_string(d.reason, strlen(d.reason));
                } else {
                        printf("\"format\": \"module-signature PKCS#7\", \"digest\": ");
                        json_print_string(d.digest, strlen(d.digest));
                        printf(", \"signer\": ");
                        json_print_string(d.signer, strlen(d.signer));
                        printf(", \"size\": %zu", d.sig_len);
                }
                printf("}");
        } else if (!ok)
                printf("payload signature (.zsig): INVALID: %s\n", d.reason);
        else
                printf("payload signature (.zsig): PKCS#7 detached, %s, %zu bytes, signer %s "
                       "(over the decompressed payload; check with extract --verify-cert)\n",
                       d.digest, d.sig_len, d.signer);
}
