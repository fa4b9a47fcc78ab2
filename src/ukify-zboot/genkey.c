/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ukify-zboot genkey`: ukify 257's genkey. It writes the keys `build` will sign with, to the
 * paths the same options or config file name: a Secure Boot key (RSA 2048, PEM "RSA PRIVATE
 * KEY") and a self-signed certificate (CN "SecureBoot signing key on host FQDN" cut to 64
 * bytes, SHA-256, BasicConstraints CA:FALSE critical, valid --secureboot-certificate-validity
 * days, default 3650) for --secureboot-private-key/--secureboot-certificate; for each
 * --pcr-private-key an RSA 2048 key, and its public key (PEM "PUBLIC KEY") to the matching
 * --pcr-public-key when given. No output may exist beforehand; private keys are created 0600.
 * Every other build option is accepted and ignored, so one config file serves both verbs.
 * All key and certificate work is libcrypto's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "crypto-cleanup.h"
#include "pcrsig.h"
#include "verbs.h"

/* What this run has written so far: a run that fails takes it all back, so that nothing is left
 * (no private key without its certificate) and the same command can be run again. */
static struct {
        const char *path[2 + 2 * PCRSIG_MAX_KEYS];
        size_t n;
} written;

static void written_unlink(void) {
        for (size_t i = 0; i < written.n; i++)
                if (unlink(written.path[i]) == 0)
                        info("removed %s again", written.path[i]);
        written.n = 0;
}

/* Write what bio holds to path, which must not exist (mode: 0600 for private keys). */
static bool write_new(const char *path, BIO *bio, mode_t mode, const char *what) {
        char *p;
        long n = BIO_get_mem_data(bio, &p);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0)
                return error("%s: %s", path, errno == EEXIST ? "is present (genkey never overwrites)" : strerror(errno)),
                       false;
        info("Writing %s to %s", what, path);
        /* write_all() names its error; then synced, so that a crash leaves no empty key file */
        bool ok = n > 0 ? write_all(fd, path, p, (size_t) n) : (error("%s: nothing to write", path), false);
        if (ok && fsync(fd) < 0)
                ok = (error("%s: %s", path, strerror(errno)), false);
        if (close(fd) < 0 && ok)
                ok = (error("%s: %s", path, strerror(errno)), false);
        if (!ok) {
                unlink(path);
                return false;
        }
        if (written.n < sizeof(written.path) / sizeof(*written.path))
                written.path[written.n++] = path;
        return true;
}

static EVP_PKEY *rsa2048(void) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
        if (!k)
                error("cannot generate an RSA key");
        return k;
}

static bool write_private(const char *path, EVP_PKEY *k, const char *what) {
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        return b && PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL) == 1 &&
               write_new(path, b, 0600, what);
}

static bool make_cert(EVP_PKEY *k, long days, X509 **ret) {
        char host[256] = "localhost", cn[65];
        _cleanup_(X509_freep) X509 *x = X509_new();
        _cleanup_(X509_NAME_freep) X509_NAME *name = NULL;
        _cleanup_(BN_freep) BIGNUM *bn = BN_new();
        _cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;

        if (gethostname(host, sizeof(host) - 1) == 0) {
                struct addrinfo hints = { .ai_flags = AI_CANONNAME }, *ai = NULL;
                if (getaddrinfo(host, NULL, &hints, &ai) == 0 && ai && ai->ai_canonname)
                        snprintf(host, sizeof(host), "%s", ai->ai_canonname);
                if (ai)
                        freeaddrinfo(ai);
        }
        int n = snprintf(cn, sizeof(cn), "SecureBoot signing key on host %s", host);
        if (n > 64)
                memcpy(cn + 61, "...", 4); /* a CN is at most 64 bytes, as ukify cuts it */
        if (!x || !bn || X509_set_version(x, 2) != 1 || BN_rand(bn, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
            !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) || !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
            !X509_time_adj_ex(X509_getm_notAfter(x), (int) days, 0, NULL) || X509_set_pubkey(x, k) != 1)
                return error("cannot make the Secure Boot certificate"), false;
        name = X509_NAME_new();
        if (!name || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *) cn, -1, -1, 0) != 1 ||
            X509_set_subject_name(x, name) != 1 || X509_set_issuer_name(x, name) != 1)
                return error("cannot make the Secure Boot certificate"), false;
        ext = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:FALSE");
        if (!ext || X509_add_ext(x, ext, -1) != 1 || X509_sign(x, k, EVP_sha256()) <= 0)
                return error("cannot make the Secure Boot certificate"), false;
        *ret = TAKE_PTR(x);
        return true;
}

int verb_genkey(int argc, char **argv) {
        enum { A_SB_KEY = 0x100, A_SB_CERT, A_VALIDITY, A_PCR_PRIV, A_PCR_PUB, A_CONFIG, A_IGNORED, A_IGNORED_FLAG };
        static const struct option opts[] = {
                { "secureboot-private-key", required_argument, NULL, A_SB_KEY },
                { "secureboot-certificate", required_argument, NULL, A_SB_CERT },
                { "secureboot-certificate-validity", required_argument, NULL, A_VALIDITY },
                { "pcr-private-key", required_argument, NULL, A_PCR_PRIV },
                { "pcr-public-key", required_argument, NULL, A_PCR_PUB },
                { "config", required_argument, NULL, A_CONFIG },
                /* build's options: accepted, no effect here (one config file for both verbs) */
                { "linux", required_argument, NULL, A_IGNORED },
                { "zboot", optional_argument, NULL, A_IGNORED },
                { "initrd", required_argument, NULL, A_IGNORED },
                { "microcode", required_argument, NULL, A_IGNORED },
                { "cmdline", required_argument, NULL, A_IGNORED },
                { "os-release", required_argument, NULL, A_IGNORED },
                { "uname", required_argument, NULL, A_IGNORED },
                { "sbat", required_argument, NULL, A_IGNORED },
                { "splash", required_argument, NULL, A_IGNORED },
                { "devicetree", required_argument, NULL, A_IGNORED },
                { "devicetree-auto", required_argument, NULL, A_IGNORED },
                { "hwids", required_argument, NULL, A_IGNORED },
                { "section", required_argument, NULL, A_IGNORED },
                { "stub", required_argument, NULL, A_IGNORED },
                { "profile", required_argument, NULL, A_IGNORED },
                { "join-profile", required_argument, NULL, A_IGNORED },
                { "pcrpkey", required_argument, NULL, A_IGNORED },
                { "pcr-banks", required_argument, NULL, A_IGNORED },
                { "phases", required_argument, NULL, A_IGNORED },
                { "efi-arch", required_argument, NULL, A_IGNORED },
                { "signtool", required_argument, NULL, A_IGNORED },
                { "output", required_argument, NULL, A_IGNORED },
                { "measure", no_argument, NULL, A_IGNORED_FLAG },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        static ConfigArgs cfg; /* static: getopt keeps pointers into it */
        const char *sb_key = NULL, *sb_cert = NULL, *priv[PCRSIG_MAX_KEYS], *pub[PCRSIG_MAX_KEYS];
        size_t n_priv = 0, n_pub = 0;
        long days = 3650;
        int c;

        if (!config_args_load(&argc, &argv, &cfg))
                return 1;
        if (!options_given_in_full(argc, argv, "c:o:h", opts))
                return 2;
        while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) >= 0)
                switch (c) {
                case A_SB_KEY: sb_key = optarg; break;
                case A_SB_CERT: sb_cert = optarg; break;
                case A_VALIDITY: {
                        char *end;
                        errno = 0;
                        days = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg || days < 1 || days > 36500)
                                return error("--secureboot-certificate-validity: 1..36500 days, got \"%s\"", optarg);
                        break;
                }
                case A_PCR_PRIV:
                case A_PCR_PUB: {
                        const char **v = c == A_PCR_PRIV ? priv : pub;
                        size_t *nv = c == A_PCR_PRIV ? &n_priv : &n_pub;
                        if (*nv == PCRSIG_MAX_KEYS)
                                return error("--pcr-private-key/--pcr-public-key: at most %d", PCRSIG_MAX_KEYS);
                        v[(*nv)++] = optarg;
                        break;
                }
                case 'c':
                case A_CONFIG:
                case 'o':
                case A_IGNORED:
                case A_IGNORED_FLAG: break;
                case 'h':
                        printf("ukify-zboot genkey [--config PATH] [OPTIONS]\n\n"
                               "Make the keys build signs with (ukify's genkey), at the paths the options or the\n"
                               "config file give; existing files are never overwritten.\n\n"
                               "      --secureboot-private-key PATH --secureboot-certificate PATH\n"
                               "                          RSA 2048 key and self-signed certificate (SHA-256)\n"
                               "      --secureboot-certificate-validity DAYS   (default 3650)\n"
                               "      --pcr-private-key PATH [--pcr-public-key PATH]   (repeatable) RSA 2048 key pair\n"
                               "  -c --config PATH        ukify's configuration file ([UKI], [PCRSignature:NAME])\n");
                        return 0;
                default: return 2;
                }
        if (optind != argc)
                return error("genkey: unexpected argument \"%s\"", argv[optind]);
        if (!!sb_key != !!sb_cert)
                return error("--secureboot-private-key and --secureboot-certificate go together");
        if (n_pub && n_pub != n_priv)
                return error("--pcr-public-key= specifications must match --pcr-private-key=");
        if (!sb_key && !n_priv)
                return error("genkey: --secureboot-private-key=/--secureboot-certificate= or --pcr-private-key/"
                             "--pcr-public-key must be specified");
        /* nothing is written when any output exists (as ukify checks first) */
        const char *all[2 + 2 * PCRSIG_MAX_KEYS];
        size_t n_all = 0;
        if (sb_key)
                all[n_all++] = sb_key, all[n_all++] = sb_cert;
        for (size_t i = 0; i < n_priv; i++) {
                all[n_all++] = priv[i];
                if (i < n_pub && *pub[i])
                        all[n_all++] = pub[i];
        }
        for (size_t i = 0; i < n_all; i++)
                if (access(all[i], F_OK) == 0)
                        return error("%s is present", all[i]);

        if (sb_key) {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = rsa2048();
                _cleanup_(X509_freep) X509 *x = NULL;
                _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
                if (!k || !make_cert(k, days, &x) || !write_private(sb_key, k, "SecureBoot private key") || !b ||
                    PEM_write_bio_X509(b, x) != 1 || !write_new(sb_cert, b, 0644, "SecureBoot certificate")) {
                        written_unlink();
                        return 1;
                }
        }
        for (size_t i = 0; i < n_priv; i++) {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *k = rsa2048();
                _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
                if (!k || !b || !write_private(priv[i], k, "private key for PCR signing") ||
                    (i < n_pub && *pub[i] &&
                     (PEM_write_bio_PUBKEY(b, k) != 1 || !write_new(pub[i], b, 0644, "public key for PCR signing")))) {
                        written_unlink();
                        return 1;
                }
        }
        written.n = 0;
        return 0;
}
