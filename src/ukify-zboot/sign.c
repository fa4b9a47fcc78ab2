/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Signing: we do not implement Authenticode; sbsign (sbsigntool) signs a temporary file and we
 * check that what it wrote is a PE image with a certificate table before it becomes the output.
 * Reading: the certificate table (PE DataDirectory[SECURITY], a file offset) is a list of
 * WIN_CERTIFICATE entries (u32 length including the 8-byte header, u16 revision, u16 type), each
 * 8-byte aligned; type 2 holds a PKCS#7 SignedData that libcrypto decodes for the signer's name.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pe.h"
#include "sign.h"
#include "unaligned.h"

extern char **environ;

#define WIN_CERT_TYPE_PKCS_SIGNED_DATA 0x0002

bool sign_check_args(const char *key, const char *cert) {
        if (!key && !cert)
                return true;
        if (!key || !cert)
                return error("--secureboot-private-key and --secureboot-certificate go together (got only %s)",
                             key ? "the key" : "the certificate"), false;
        if (access(key, R_OK) < 0)
                return error("--secureboot-private-key: %s: %s", key, strerror(errno)), false;
        if (access(cert, R_OK) < 0)
                return error("--secureboot-certificate: %s: %s", cert, strerror(errno)), false;
        return true;
}

static bool run_sbsign(const char *key, const char *cert, const char *in, const char *out) {
        posix_spawn_file_actions_t fa;
        /* "--": the input is a temporary name after the output's, which may begin with '-' */
        char *argv[] = { "sbsign", "--key", (char *) key, "--cert", (char *) cert, "--output", (char *) out, "--",
                         (char *) in, NULL };
        pid_t pid;
        posix_spawn_file_actions_init(&fa);
        /* no terminal for a passphrase prompt; its chatter goes to our stderr, not stdout */
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, 2, 1);
        int r = posix_spawnp(&pid, "sbsign", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return error("cannot run sbsign: %s%s", strerror(r),
                             r == ENOENT ? " (install sbsigntool)" : ""), false;
        temp_writer_set(pid);   /* a signal now kills sbsign before removing its output file (util.h) */
        int status;
        pid_t w;
        while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
                ;
        temp_writer_set(0);
        if (w < 0)
                return error("waitpid: %s", strerror(errno)), false;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error("sbsign failed (%s %d)", WIFEXITED(status) ? "exit status" : "signal",
                             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status)), false;
        return true;
}

bool write_output(const char *path, const void *data, size_t size, const char *key, const char *cert) {
        if (!key)
                return write_file_atomic(path, data, size);
        /* the temporary files go next to the output (util.h, OutputTarget), or for an output
         * written in place (/dev/stdout, a FIFO) into $TMPDIR */
        _cleanup_(output_target_free) OutputTarget t = {};
        if (!output_target(path, &t))
                return false;
        _cleanup_(output_target_free) OutputTarget tmp_at = {};
        if (t.direct) {
                const char *d = getenv("TMPDIR");
                size_t n = strlen(d && *d ? d : "/tmp") + 32;
                tmp_at.path = malloc(n);
                if (!tmp_at.path)
                        return error("out of memory"), false;
                snprintf(tmp_at.path, n, "%s/ukify-zboot-signed", d && *d ? d : "/tmp");
        }
        const OutputTarget *at = t.direct ? &tmp_at : &t;
        _cleanup_unlink_free_ char *unsigned_tmp = output_temp_name(at);
        _cleanup_unlink_free_ char *signed_tmp = unsigned_tmp ? output_temp_name(at) : NULL;
        if (!signed_tmp)
                return false;
        if (!write_file_atomic(unsigned_tmp, data, size) || !run_sbsign(key, cert, unsigned_tmp, signed_tmp))
                return false;
        _cleanup_blob_ Blob s = {};
        SignatureInfo si;
        if (!read_file(signed_tmp, &s))
                return false;
        PeView f;
        PeResult r = pe_parse(s.data, s.size, &f);
        signature_info(&s, &si);
        if (r != PE_OK || !si.table || si.malformed || si.n_pkcs7 == 0)
                return error("sbsign's output is not a signed PE image (%s)", r != PE_OK ? pe_strerror(r) :
                             "no PKCS#7 certificate table"), false;
        if (t.direct)
                return output_write_direct(&t, s.data, s.size);
        if (!output_commit(&t, signed_tmp))
                return false;
        free(TAKE_PTR(signed_tmp));   /* it is the output now */
        return true;
}

static void signer_name(const uint8_t *der, size_t n, char *out, size_t out_size) {
        const unsigned char *p = der;
        PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long) n);
        if (!p7)
                return;
        if (PKCS7_type_is_signed(p7)) {
                STACK_OF(X509) *signers = PKCS7_get0_signers(p7, NULL, 0);
                if (signers && sk_X509_num(signers) > 0)
                        X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)), out, (int) out_size);
                sk_X509_free(signers);
        }
        PKCS7_free(p7);
}

/* The WIN_CERTIFICATE entries in data[off, end) (the caller checked that range is readable). */
static void signature_walk(const uint8_t *data, uint64_t off, uint64_t end, SignatureInfo *ret) {
        while (off < end) {
                if (end - off < 8) {
                        ret->malformed = true;
                        return;
                }
                /* WIN_CERTIFICATE: le32 dwLength, le16 wRevision (not checked), le16 wCertificateType */
                uint32_t len = get_le32(data + off);
                uint16_t type = get_le16(data + off + 6);
                if (len < 8 || len > end - off) {
                        ret->malformed = true;
                        return;
                }
                if (type == WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
                        ret->n_pkcs7++;
                        if (!ret->signer[0])
                                signer_name(data + off + 8, len - 8, ret->signer, sizeof(ret->signer));
                }
                off += ((uint64_t) len + 7) & ~(uint64_t) 7;   /* 64-bit: a length near 4 GiB must not wrap to 0 */
        }
}

void signature_info(const Blob *b, SignatureInfo *ret) {
        *ret = (SignatureInfo) {};
        PeView f;
        if (pe_parse(b->data, b->size, &f) != PE_OK)
                return;
        PeDataDirectory d = f.opt.DataDirectory[PE_DIR_SECURITY];
        if (d.Size == 0)
                return;
        ret->table = true;
        /* pe_parse checked VirtualAddress + Size <= file size */
        uint64_t off = d.VirtualAddress, end = (uint64_t) d.VirtualAddress + d.Size;
        if (off < f.opt.SizeOfHeaders || off % 8) {
                ret->malformed = true;
                return;
        }
        signature_walk(b->data, off, end, ret);
}
