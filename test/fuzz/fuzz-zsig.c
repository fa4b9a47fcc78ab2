/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the CLI's reading of a payload signature (src/ukify-zboot/zsig.c): the .zsig
 * section of an image (inspect, extract --verify-cert, kexec --verify-cert) taken apart by
 * payload_sig_parse() and libcrypto's CMS decoder (parse_cms, digest_name, signer_name through
 * zsig_describe()), then zsig_verify() against a fixed test certificate (below; its key is
 * test/fuzz/zsig-test-key.pem) over a fixed payload (FUZZ_PAYLOAD). zsig.c is compiled into this
 * file; the CLI's error() is shimmed. Input: byte 0 even, the section's contents follow; odd,
 * the DER signature follows and gets its trailer (the section is an exact-size copy either way).
 * Invariants: describe succeeds only when the section's trailer parses (payload-sig.h) and
 * OpenSSL's own d2i_CMS_bio() reads its sig_len bytes as a CMS object (it may still refuse such
 * an object, e.g. one without exactly one signer); then sig_len is the
 * trailer's, the strings are NUL-terminated in their buffers, the signer is "?", "issuer ...,
 * serial HEX" or "subject key id HEX" and a second call says the same; a failure has a reason.
 * verify never succeeds where describe fails; when it succeeds the digest is SHA256, the signer
 * is the test certificate (its serial under an issuer equal to its own by X.500 rules, or its
 * subject key id), and the payload one byte changed
 * or one byte short is refused. Seeds: .zsig sections made by `ukify-zboot zboot --sign-payload` with the test key
 * (over a Debian kernel: describe parses them, verify refuses the payload) and by
 * `openssl cms -sign -binary -noattr -nocerts -md sha256` (zsig_make()'s flags) over
 * FUZZ_PAYLOAD (verify accepts them), plus truncations and a second signer.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/ukify-zboot/zsig.c"
#include "fuzz-cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* "ukify-zboot fuzz-zsig payload\n" 4 times: what the seeds that verify sign */
#define FUZZ_PAYLOAD_LINE "ukify-zboot fuzz-zsig payload\n"

static const char test_cert[] =
        "-----BEGIN CERTIFICATE-----\n"
        "MIIDNTCCAh2gAwIBAgIUZiGRc3SRseNVpmzmFilqo7ntnjYwDQYJKoZIhvcNAQEL\n"
        "BQAwKTEnMCUGA1UEAwwedWtpZnktemJvb3QgZnV6ei16c2lnIHRlc3Qga2V5MCAX\n"
        "DTI2MTEyNjIxMzAxOFoYDzIxMjYxMTAyMjEzMDE4WjApMScwJQYDVQQDDB51a2lm\n"
        "eS16Ym9vdCBmdXp6LXpzaWcgdGVzdCBrZXkwggEiMA0GCSqGSIb3DQEBAQUAA4IB\n"
        "DwAwggEKAoIBAQCmucUtda3iWWgLxmGwlIsQKn0xLIEHTUic6rX2+BW7MdbL8U6t\n"
        "oiB5mv+ocNLtgz0e0FnZDxO3wqazkR/KN2aHLatPrTAiPlsreLbJsIz2G4S4ajRn\n"
        "PyTLLXPEUkZAUqxwfy3Iohz+0GmODEu0S7SGXeWEA8a9J1DvzxLxCEs+FRaFflFI\n"
        "yapRaNAjrwWfucoZdjKxQpO/Dy1GJGSO1A/IsWVmlAKL5eFqT+AsPCzU6dtuQ0xH\n"
        "0SyX+eNKR1N0QtLTEb4hM0P/yVR5i2/g7LmeFIyXCwEP9h+3VI5GzSiWebPZuqwv\n"
        "WS7HBYEltql+82QLK0JPBe6I7DQ+HIIhrD+JAgMBAAGjUzBRMB0GA1UdDgQWBBRm\n"
        "XT18RH1eXye6OdN4nHIhJqAvWTAfBgNVHSMEGDAWgBRmXT18RH1eXye6OdN4nHIh\n"
        "JqAvWTAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQA9hrvSM/GY\n"
        "0kHvNVuS1EI7AXCT/8BS5ivUxpSQykBfOKKQQBcDZCqJ9HWE3g+yXj4RLYksavOI\n"
        "Ulz9F583frYO5cCM7Nz7CtiBKynSeHDCIOyJ/EiDmndib8cqs+7r/p5xz5I+uR4T\n"
        "9n1rvpf5RfVlSN3Aflble0j0vtTFHGoQo4/51H33U/2CsPpAkdr1REuP3ZO+AhEH\n"
        "zkAulCts8/y3pwy39G2rfJ4cj/CRuibvTk/8JB9+LndgqlFjoZgMhqQeZvZO/GDE\n"
        "KvsgxT8ObEH4blLc+U10LguPaVjZQWaY6a134FVp7I6+QN7B4iYdIXtNUarW8jR0\n"
        "XKAoJX1S4PA0\n"
        "-----END CERTIFICATE-----\n";

static char cert_path[64];
static char cert_keyid[64 + 2 * 20];   /* "subject key id " and the certificate's, in hex */
static char cert_serial[64];           /* ", serial " and the certificate's, as signer_name() prints it */
static uint8_t payload[4 * (sizeof(FUZZ_PAYLOAD_LINE) - 1)];

/* zsig_verify() takes a certificate path: a memfd, reopened through /proc, so nothing is left on disk. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        int fd = memfd_create("fuzz-zsig-cert", MFD_CLOEXEC);
        if (fd < 0 || write(fd, test_cert, sizeof(test_cert) - 1) != (ssize_t) (sizeof(test_cert) - 1))
                abort();
        snprintf(cert_path, sizeof(cert_path), "/proc/self/fd/%d", fd);
        BIO *b = BIO_new_mem_buf(test_cert, sizeof(test_cert) - 1);
        X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
        const ASN1_OCTET_STRING *ski = x ? X509_get0_subject_key_id(x) : NULL;
        if (!ski || ski->length != 20)
                abort();
        size_t o = (size_t) snprintf(cert_keyid, sizeof(cert_keyid), "subject key id ");
        for (int i = 0; i < ski->length; i++)
                o += (size_t) snprintf(cert_keyid + o, sizeof(cert_keyid) - o, "%02x", ski->data[i]);
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        char *hex = bn ? BN_bn2hex(bn) : NULL;
        if (!hex)
                abort();
        snprintf(cert_serial, sizeof(cert_serial), ", serial %s", hex);
        OPENSSL_free(hex);
        BN_free(bn);
        X509_free(x);
        BIO_free(b);
        for (size_t i = 0; i < 4; i++)
                memcpy(payload + i * (sizeof(FUZZ_PAYLOAD_LINE) - 1), FUZZ_PAYLOAD_LINE, sizeof(FUZZ_PAYLOAD_LINE) - 1);
        return 0;
}

static bool all_hex(const char *s) {
        size_t n = strlen(s);
        for (size_t i = 0; i < n; i++)
                if (!strchr("0123456789abcdefABCDEF", s[i]))
                        return false;
        return true;
}

static void check_signer(const char *s) {
        if (!memchr(s, 0, sizeof(((ZsigDescription *) NULL)->signer)))
                abort();
        if (strcmp(s, "?") == 0)
                return;
        if (strncmp(s, "issuer ", 7) == 0) {
                if (!strstr(s, ", serial "))
                        abort();
                return;
        }
        const char *k = "subject key id ";
        if (strncmp(s, k, strlen(k)) != 0 || strlen(s + strlen(k)) % 2 || !all_hex(s + strlen(k)))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        /* byte 0 even: the rest is the section; odd: the rest is the signature, the fuzzer appends
         * its trailer (so that mutations reach libcrypto's decoder, not only the trailer check) */
        bool add_trailer = data[0] & 1;
        data++, size--;
        size_t extra = add_trailer && size ? PAYLOAD_SIG_INFO_LEN + PAYLOAD_SIG_MAGIC_LEN : 0;
        uint8_t *sec = malloc(size + extra ? size + extra : 1);
        if (!sec)
                return 0;
        memcpy(sec, data, size);
        if (extra)
                payload_sig_trailer((uint32_t) size, sec + size);
        size += extra;

        ZsigDescription d;
        bool ok = zsig_describe(sec, size, &d);
        PayloadSigInfo pi;
        bool trailer = payload_sig_parse(sec, size, &pi) == PAYLOAD_SIG_OK;
        /* OpenSSL's own reading of exactly the signature bytes */
        bool openssl = false;
        if (trailer && pi.sig_len <= INT32_MAX) {
                BIO *b = BIO_new_mem_buf(sec + pi.sig_offset, (int) pi.sig_len);
                CMS_ContentInfo *c = b ? d2i_CMS_bio(b, NULL) : NULL;
                openssl = c != NULL;
                CMS_ContentInfo_free(c);
                BIO_free(b);
                ERR_clear_error();
        }
        if (ok) {
                if (!trailer || !openssl || d.reason || d.sig_len != pi.sig_len ||
                    d.sig_len + PAYLOAD_SIG_INFO_LEN + PAYLOAD_SIG_MAGIC_LEN > size)
                        abort();
                if (!memchr(d.digest, 0, sizeof(d.digest)) || !d.digest[0])
                        abort();
                check_signer(d.signer);
                ZsigDescription again;
                if (!zsig_describe(sec, size, &again) || strcmp(again.signer, d.signer) != 0 ||
                    strcmp(again.digest, d.digest) != 0 || again.sig_len != d.sig_len)
                        abort();
        } else if (!d.reason || !d.reason[0])
                abort();

        bool v = zsig_verify(payload, sizeof(payload), sec, size, cert_path, "fuzz");
        if (v) {
                /* the signer is the test certificate: its subject key id, or its serial under an
                 * issuer that OpenSSL's X509_NAME_cmp() finds equal to the certificate's (by X.500
                 * rules, case and spacing aside, so the printed name may differ from it) */
                size_t sl = strlen(d.signer), cl = strlen(cert_serial);
                bool by_serial = strncmp(d.signer, "issuer /", 8) == 0 && sl > cl &&
                                 strcmp(d.signer + sl - cl, cert_serial) == 0;
                if (!ok || strcmp(d.digest, "SHA256") != 0 || (!by_serial && strcmp(d.signer, cert_keyid) != 0))
                        abort();
                uint8_t changed[sizeof(payload)];
                memcpy(changed, payload, sizeof(payload));
                changed[sizeof(changed) - 1] ^= 1;
                if (zsig_verify(changed, sizeof(changed), sec, size, cert_path, "fuzz") ||
                    zsig_verify(payload, sizeof(payload) - 1, sec, size, cert_path, "fuzz"))
                        abort();
        }
        if (zsig_verify(payload, sizeof(payload), NULL, 0, cert_path, "fuzz"))
                abort();
        free(sec);
        return 0;
}
