/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * .pcrsig and .pcrpkey as ukify 257 + systemd-measure 257 make them (pcrsig.h). Facts used:
 *   - PCR 11 starts at zero in each bank; per measured section in systemd-stub's order
 *     (uki_profile_pcr11_select() for the profile, plus one .dtbauto and/or .efifw per variant):
 *     extend with H(name + NUL), then H(contents); then per word of the
 *     phase path ("enter-initrd:leave-initrd"): extend with H(word) (no NUL). H is the bank's hash.
 *   - The policy is TPM2_PolicyPCR in a SHA-256 session: SHA-256(32 zero bytes || TPM_CC_PolicyPCR
 *     || TPML_PCR_SELECTION {1, bank alg, 3, {0x00, 0x08, 0x00}} || SHA-256(PCR 11 value)).
 *   - The signature is RSA PKCS#1 v1.5 over the 32-byte policy digest, hashed with the bank's
 *     algorithm; "pkfp" is SHA-256 of the public key's DER as i2d_PublicKey() writes it (for RSA
 *     the PKCS#1 RSAPublicKey, not the SubjectPublicKeyInfo of a "PUBLIC KEY" PEM).
 *   - systemd-measure sorts (strcmp) and de-duplicates its banks and its phase paths, whatever
 *     order they are given in.
 *   - ukify merges systemd-measure's outputs (one per key) into one object per bank, without
 *     duplicates, and writes it with Python's json.dumps (", " and ": " separators).
 * Checked byte for byte against Debian 13's ukify running systemd-measure 257 (test/cli).
 */
#include <ctype.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto-cleanup.h"
#include "pcrsig.h"
#include "uki-assemble.h"   /* pe_append_blob() */
#include "uki-dtb.h"        /* uki_efifw_pickable() */
#include "uki-measure.h"
#include "uki-profile.h"
#include "unaligned.h"

#define MAX_MD 64
#define TPM2_CC_POLICY_PCR 0x0000017Fu

static const struct {
        const char *name;
        uint16_t tpm_alg;
} banks_known[] = {
        { "sha1", 0x0004 },
        { "sha256", 0x000B },
        { "sha384", 0x000C },
        { "sha512", 0x000D },
};

static const char *const phases_known[] = { "enter-initrd", "leave-initrd", "sysinit", "ready", "shutdown", "final" };

/* systemd-measure's default phase paths */
static const char *const phases_default =
        "enter-initrd enter-initrd:leave-initrd enter-initrd:leave-initrd:sysinit "
        "enter-initrd:leave-initrd:sysinit:ready";

static const char *banks_default = "sha1 sha256 sha384 sha512";

/* Next token of a comma/whitespace-separated list: *s advanced past it. Returns its length, 0 at the end. */
static size_t next_token(const char **s, const char **tok) {
        const char *p = *s;
        while (*p && (*p == ',' || isspace((unsigned char) *p)))
                p++;
        const char *start = p;
        while (*p && *p != ',' && !isspace((unsigned char) *p))
                p++;
        *tok = start;
        *s = p;
        return (size_t) (p - start);
}

static int bank_index(const char *tok, size_t n) {
        for (size_t i = 0; i < sizeof(banks_known) / sizeof(*banks_known); i++)
                if (strlen(banks_known[i].name) == n && strncasecmp(tok, banks_known[i].name, n) == 0)
                        return (int) i;
        return -1;
}

bool pcr_banks_check(const char *banks) {
        const char *tok;
        size_t n, count = 0;
        for (const char *s = banks; (n = next_token(&s, &tok)) > 0; count++)
                if (bank_index(tok, n) < 0)
                        return error("--pcr-banks: unknown PCR bank \"%.*s\" (sha1, sha256, sha384, sha512)", (int) n, tok),
                               false;
        if (count == 0)
                return error("--pcr-banks: no bank given"), false;
        return true;
}

static bool phase_word_known(const char *w, size_t n) {
        for (size_t i = 0; i < sizeof(phases_known) / sizeof(*phases_known); i++)
                if (strlen(phases_known[i]) == n && memcmp(w, phases_known[i], n) == 0)
                        return true;
        return false;
}

bool pcr_phases_check(const char *phases) {
        const char *tok;
        size_t n, count = 0;
        for (const char *s = phases; (n = next_token(&s, &tok)) > 0; count++) {
                const char *w = tok, *end = tok + n;
                while (w <= end) {
                        const char *c = memchr(w, ':', (size_t) (end - w));
                        const char *we = c ? c : end;
                        if (!phase_word_known(w, (size_t) (we - w)))
                                return error("--phases: unknown boot phase \"%.*s\" in \"%.*s\" (%s)", (int) (we - w), w,
                                             (int) n, tok, "enter-initrd, leave-initrd, sysinit, ready, shutdown, final"),
                                       false;
                        w = we + 1;
                }
        }
        if (count == 0)
                return error("--phases: no phase path given"), false;
        return true;
}

static bool digest(const EVP_MD *md, const void *a, size_t an, const void *b, size_t bn, unsigned char *out) {
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        bool ok = c && EVP_DigestInit_ex(c, md, NULL) == 1 && EVP_DigestUpdate(c, a, an) == 1 &&
                  (!bn || EVP_DigestUpdate(c, b, bn) == 1) && EVP_DigestFinal_ex(c, out, NULL) == 1;
        EVP_MD_CTX_free(c);
        return ok;
}

static bool extend(const EVP_MD *md, unsigned char *pcr, const unsigned char *d) {
        size_t n = (size_t) EVP_MD_get_size(md);
        return digest(md, pcr, n, d, n, pcr);
}

/* H(section as loaded: raw data, zeros up to VirtualSize) */
static bool section_hash(const EVP_MD *md, const PeView *f, size_t i, unsigned char *out) {
        static const unsigned char zeros[4096];
        PeSectionHeader s = pe_section(f, i);
        size_t raw;
        const uint8_t *d = pe_section_data(f, i, &raw);
        size_t vsize = s.VirtualSize, have = raw < vsize ? raw : vsize;
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        bool ok = c && EVP_DigestInit_ex(c, md, NULL) == 1 && (!have || EVP_DigestUpdate(c, d, have) == 1);
        for (size_t left = vsize - have; ok && left > 0;) {
                size_t k = left < sizeof(zeros) ? left : sizeof(zeros);
                ok = EVP_DigestUpdate(c, zeros, k) == 1;
                left -= k;
        }
        ok = ok && EVP_DigestFinal_ex(c, out, NULL) == 1;
        EVP_MD_CTX_free(c);
        return ok;
}

/* The sections one PCR 11 prediction covers, in systemd-stub's order. */
typedef struct {
        UkiMeasuredSection sel[UKI_SECTION_COUNT];
        size_t n;
} Selection;

#define MAX_VARIANTS 256

/* A .dtbauto the stub could pick: an empty one never matches (uki-dtb.h), so it gets no policy. */
static bool dtbauto_at(const PeView *f, size_t i) {
        return pe_section_is(f, i, ".dtbauto") && pe_section(f, i).VirtualSize > 0;
}

/* What to sign for profile (0 when the UKI has no .profile): the profile's sections as
 * systemd-stub picks them (uki_profile_pcr11_select()) and, when there are .dtbauto sections,
 * one variant per .dtbauto the stub can pick for that profile, measured in its place: the
 * base's and the profile's own (the stub tries the profile's first, then the base's). ukify 257
 * signs the same for profile 0; for a later profile it signs only that profile's own, or without
 * any the base's first, so on a machine for which the stub picks another of the base's its
 * policies do not match (ours do). Each of these comes once without an .efifw and once with
 * each .efifw a machine can pick for the profile (uki_efifw_pickable(), sd-stub 262 measures it
 * after .hwids); ukify 262 signs no .efifw variant, so its policies do not match on a machine
 * that picks one (ours do). out has room for MAX_VARIANTS. */
static bool variants(const PeView *f, uint32_t profile, Selection *out, size_t *ret_n) {
        const void *table = f->data + f->sections_offset;
        size_t dtb[MAX_VARIANTS], n_dtb = 0, start = 0, end = f->n_sections, base_end = f->n_sections;
        size_t fw[MAX_VARIANTS];
        unsigned count = uki_profile_count(table, f->n_sections);

        if (count > 0 && (!uki_profile_range(table, f->n_sections, profile, &start, &end) ||
                          !uki_profile_range(table, f->n_sections, UKI_PROFILE_BASE, &(size_t) { 0 }, &base_end)))
                return error("no profile %u", profile), false;
        for (size_t i = 0; i < end; i++) {
                if (i == base_end && i < start)
                        i = start;   /* the base, then the profile's own */
                if (dtbauto_at(f, i)) {
                        if (n_dtb == MAX_VARIANTS)
                                return error("more than %d .dtbauto sections", MAX_VARIANTS), false;
                        dtb[n_dtb++] = i;
                }
        }
        size_t n_fw = uki_efifw_pickable(f, profile, fw, MAX_VARIANTS);
        size_t n_d = n_dtb ? n_dtb : 1;   /* no .dtbauto: the one variant without */
        if (n_fw >= MAX_VARIANTS || n_d * (n_fw + 1) > MAX_VARIANTS)
                return error("%zu .dtbauto and %zu pickable .efifw sections: more than %d PCR 11 variants to sign", n_dtb,
                             n_fw, MAX_VARIANTS),
                       false;
        size_t n = 0;
        for (size_t d = 0; d < n_d; d++)
                for (size_t e = 0; e <= n_fw; e++, n++)
                        if (!uki_profile_pcr11_select_picked(table, f->n_sections, profile, n_dtb ? (int) dtb[d] : -1,
                                                             e == 0 ? -1 : (int) fw[e - 1], out[n].sel, &out[n].n) ||
                            out[n].n == 0)
                                return error("no sections to measure for profile %u", profile), false;
        *ret_n = n;
        return true;
}

/* PCR 11 after the selected sections (phase words added by the caller) */
static bool predict_sections(const PeView *f, const EVP_MD *md, const Selection *sel, unsigned char *pcr) {
        unsigned char d[MAX_MD];
        memset(pcr, 0, MAX_MD);
        for (size_t i = 0; i < sel->n; i++) {
                const char *name = uki_section_name(sel->sel[i].kind);
                if (!digest(md, name, strlen(name) + 1, NULL, 0, d) || !extend(md, pcr, d) ||
                    !section_hash(md, f, sel->sel[i].index, d) || !extend(md, pcr, d))
                        return false;
        }
        return true;
}

static bool add_phase(const EVP_MD *md, unsigned char *pcr, const char *path, size_t n) {
        unsigned char d[MAX_MD];
        const char *w = path, *end = path + n;
        if (n == 0)
                return true;
        while (w <= end) {
                const char *c = memchr(w, ':', (size_t) (end - w));
                const char *we = c ? c : end;
                if (!digest(md, w, (size_t) (we - w), NULL, 0, d) || !extend(md, pcr, d))
                        return false;
                w = we + 1;
        }
        return true;
}

/* TPM2_PolicyPCR digest (SHA-256 session) for PCR 11 of the bank = value. */
static bool policy_pcr(uint16_t alg, const unsigned char *value, size_t n, unsigned char out[32]) {
        unsigned char pcr_digest[32], buf[32 + 4 + 4 + 2 + 1 + 3 + 32] = {};
        size_t o = 32;
        if (!digest(EVP_sha256(), value, n, NULL, 0, pcr_digest))
                return false;
        buf[o++] = (TPM2_CC_POLICY_PCR >> 24) & 0xff;
        buf[o++] = (TPM2_CC_POLICY_PCR >> 16) & 0xff;
        buf[o++] = (TPM2_CC_POLICY_PCR >> 8) & 0xff;
        buf[o++] = TPM2_CC_POLICY_PCR & 0xff;
        buf[o++] = 0, buf[o++] = 0, buf[o++] = 0, buf[o++] = 1;  /* one TPMS_PCR_SELECTION */
        buf[o++] = (unsigned char) (alg >> 8), buf[o++] = (unsigned char) alg;
        buf[o++] = 3;                                              /* sizeofSelect */
        buf[o++] = 0x00, buf[o++] = 1u << (PCR_KERNEL_BOOT - 8), buf[o++] = 0x00;
        memcpy(buf + o, pcr_digest, 32);
        o += 32;
        return digest(EVP_sha256(), buf, o, NULL, 0, out);
}

static EVP_PKEY *load_private(const char *path) {
        FILE *fp = fopen(path, "re");
        if (!fp)
                return error("%s: cannot open the PCR private key: %m", path), NULL;
        EVP_PKEY *k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
        fclose(fp);
        if (!k)
                return error("%s: not a PEM private key", path), NULL;
        if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
                EVP_PKEY_free(k);
                return error("%s: the PCR signing key must be RSA (as systemd-measure and the TPM policy need)", path),
                       NULL;
        }
        return k;
}

static EVP_PKEY *load_public(const char *path) {
        FILE *fp = fopen(path, "re");
        if (!fp)
                return error("%s: cannot open the PCR public key: %m", path), NULL;
        EVP_PKEY *k = PEM_read_PUBKEY(fp, NULL, NULL, NULL);
        fclose(fp);
        if (!k)
                error("%s: not a PEM public key", path);
        return k;
}

bool pcrpkey_from_private(const char *path, Blob *ret) {
        EVP_PKEY *k = load_private(path);
        BIO *b = k ? BIO_new(BIO_s_mem()) : NULL;
        bool ok = false;
        if (b && PEM_write_bio_PUBKEY(b, k) == 1) {
                char *p;
                long n = BIO_get_mem_data(b, &p);
                ret->data = n > 0 ? malloc((size_t) n) : NULL;
                if (ret->data) {
                        memcpy(ret->data, p, (size_t) n);
                        ret->size = (size_t) n;
                        ok = true;
                }
        }
        if (k && !ok)
                error("%s: cannot write its public key", path);
        BIO_free(b);
        EVP_PKEY_free(k);
        return ok;
}

/* A growing string. */
typedef struct {
        char *s;
        size_t n, cap;
        bool oom;
} Str;

static void str_free(Str *o) {
        free(o->s);
}

static void put(Str *o, const char *s, size_t n) {
        if (o->oom)
                return;
        if (o->n + n + 1 > o->cap) {
                size_t cap = (o->n + n + 1) * 2;
                char *p = realloc(o->s, cap);
                if (!p) {
                        o->oom = true;
                        return;
                }
                o->s = p, o->cap = cap;
        }
        memcpy(o->s + o->n, s, n);
        o->n += n;
        o->s[o->n] = '\0';
}

static void puts_(Str *o, const char *s) {
        put(o, s, strlen(s));
}

static void put_hex(Str *o, const unsigned char *d, size_t n) {
        char h[3];
        for (size_t i = 0; i < n; i++) {
                snprintf(h, sizeof(h), "%02x", d[i]);
                put(o, h, 2);
        }
}

typedef struct {
        EVP_PKEY *priv;
        unsigned char pkfp[32];
        const char *phases;
        char **phase_list;      /* sorted, unique */
} Signer;

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void phase_list_free(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

static void phase_list_freep(char ***v) {
        phase_list_free(*v);
}

/* The phase paths of a --phases value, sorted and unique (as systemd-measure takes them);
 * malloc'd array of malloc'd strings, NULL-terminated. */
static char **phase_list(const char *phases) {
        const char *tok, *s = phases;
        size_t n, k = 0, cap = 0;
        for (s = phases; next_token(&s, &tok) > 0;)
                cap++;
        _cleanup_(phase_list_freep) char **v = calloc(cap + 1, sizeof(*v));
        if (!v)
                return NULL;
        for (s = phases; (n = next_token(&s, &tok)) > 0;)
                if (!(v[k++] = strndup(tok, n)))
                        return NULL;   /* v[k - 1] is NULL: freed up to there */
        qsort(v, k, sizeof(*v), cmp_str);
        size_t o = 0;
        for (size_t i = 0; i < k; i++) {
                if (o > 0 && strcmp(v[o - 1], v[i]) == 0)
                        free(v[i]);
                else
                        v[o++] = v[i];
        }
        for (size_t i = o; i <= k; i++)
                v[i] = NULL;
        return TAKE_PTR(v);
}

/* One bank's entries: for each key, each phase path. Appends to o; entries already written for
 * this bank (same text) are skipped, as ukify's merge does. */
static bool bank_entries(Str *o, const PeView *f, const Selection *vars, size_t n_vars, int bi, const Signer *sg,
                         size_t n_keys) {
        const EVP_MD *md = EVP_get_digestbyname(banks_known[bi].name);
        unsigned char base[MAX_MD], pcr[MAX_MD], pol[32], sig[2048];
        size_t mdn, bank_start = o->n;
        bool first = true;
        if (!md)
                return error("bank %s: not supported by libcrypto", banks_known[bi].name), false;
        mdn = (size_t) EVP_MD_get_size(md);
        for (size_t v = 0; v < n_vars; v++)
        for (size_t k = 0; k < n_keys; k++) {
                if (!predict_sections(f, md, &vars[v], base))
                        return error("cannot compute PCR 11 for bank %s", banks_known[bi].name), false;
                for (size_t p = 0; sg[k].phase_list[p]; p++) {
                        const char *tok = sg[k].phase_list[p];
                        memcpy(pcr, base, mdn);
                        if (!add_phase(md, pcr, tok, strlen(tok)) ||
                            !policy_pcr(banks_known[bi].tpm_alg, pcr, mdn, pol))
                                return error("cannot compute the PCR policy"), false;
                        size_t siglen = sizeof(sig);
                        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *c = EVP_MD_CTX_new();
                        bool ok = c && EVP_DigestSignInit(c, NULL, md, NULL, sg[k].priv) == 1 &&
                                  EVP_DigestSign(c, sig, &siglen, pol, sizeof(pol)) == 1;
                        if (!ok)
                                return error("cannot sign the PCR policy (bank %s)", banks_known[bi].name), false;
                        unsigned char b64[4 * (sizeof(sig) / 3) + 8];
                        int bl = EVP_EncodeBlock(b64, sig, (int) siglen);
                        _cleanup_(str_free) Str e = {};
                        puts_(&e, "{\"pcrs\": [11], \"pkfp\": \"");
                        put_hex(&e, sg[k].pkfp, sizeof(sg[k].pkfp));
                        puts_(&e, "\", \"pol\": \"");
                        put_hex(&e, pol, sizeof(pol));
                        puts_(&e, "\", \"sig\": \"");
                        put(&e, (const char *) b64, (size_t) bl);
                        puts_(&e, "\"}");
                        if (e.oom)
                                return error("out of memory"), false;
                        if (!memmem(o->s + bank_start, o->n - bank_start, e.s, e.n)) {
                                if (!first)
                                        puts_(o, ", ");
                                put(o, e.s, e.n);
                                first = false;
                        }
                }
        }
        return true;
}

static void signers_free(Signer (*sg)[PCRSIG_MAX_KEYS]) {
        for (size_t k = 0; k < PCRSIG_MAX_KEYS; k++) {
                EVP_PKEY_free((*sg)[k].priv);
                phase_list_free((*sg)[k].phase_list);
        }
}

bool pcrsig_make(const PeView *f, uint32_t profile, const PcrSignKey *keys, size_t n_keys, const char *banks,
                 char **ret, size_t *ret_size) {
        _cleanup_(signers_free) Signer sg[PCRSIG_MAX_KEYS] = {};
        _cleanup_free_ Selection *vars = calloc(MAX_VARIANTS, sizeof(*vars));
        size_t n_vars = 0;
        _cleanup_(str_free) Str o = {};
        if (!vars)
                return error("out of memory"), false;
        if (!variants(f, profile, vars, &n_vars))
                return false;
        if (n_keys == 0 || n_keys > PCRSIG_MAX_KEYS)
                return error("--pcr-private-key: 1 to %d keys", PCRSIG_MAX_KEYS), false;
        if (!banks)
                banks = banks_default;
        if (!pcr_banks_check(banks))
                return false;
        for (size_t k = 0; k < n_keys; k++) {
                _cleanup_(EVP_PKEY_freep) EVP_PKEY *pub = NULL;
                sg[k].phases = keys[k].phases ? keys[k].phases : phases_default;
                if (!pcr_phases_check(sg[k].phases) || !(sg[k].priv = load_private(keys[k].private_key)))
                        return false;
                if (!(sg[k].phase_list = phase_list(sg[k].phases)))
                        return error("out of memory"), false;
                if (keys[k].public_key) {
                        if (!(pub = load_public(keys[k].public_key)))
                                return false;
                        if (EVP_PKEY_eq(sg[k].priv, pub) != 1)
                                return error("%s is not the public key of %s", keys[k].public_key, keys[k].private_key),
                                       false;
                }
                unsigned char *der = NULL;
                int dn = i2d_PublicKey(pub ? pub : sg[k].priv, &der);
                bool dok = dn > 0 && digest(EVP_sha256(), der, (size_t) dn, NULL, 0, sg[k].pkfp);
                OPENSSL_free(der);
                if (!dok)
                        return error("%s: cannot compute the public key fingerprint", keys[k].private_key), false;
        }

        /* one key per bank, each bank once, sorted by name as systemd-measure does */
        bool want[sizeof(banks_known) / sizeof(*banks_known)] = {};
        const char *tok, *s = banks;
        size_t n;
        while ((n = next_token(&s, &tok)) > 0)
                want[bank_index(tok, n)] = true;
        puts_(&o, "{");
        for (int bi = 0; bi < (int) (sizeof(banks_known) / sizeof(*banks_known)); bi++) {
                if (!want[bi])
                        continue;
                if (o.n > 1)
                        puts_(&o, ", ");
                puts_(&o, "\"");
                puts_(&o, banks_known[bi].name);
                puts_(&o, "\": [");
                if (!bank_entries(&o, f, vars, n_vars, bi, sg, n_keys))
                        return false;
                puts_(&o, "]");
        }
        puts_(&o, "}");
        if (o.oom)
                return error("out of memory"), false;
        *ret_size = o.n;
        *ret = TAKE_PTR(o.s);
        return true;
}

/* The UKI with json[p] as a .pcrsig at the end of each profile p (ukify's places: after profile
 * 0's .profile and after each joined profile's sections). The sections after profile 0 are cut
 * off (the file truncated after profile 0's data) and appended again with the .pcrsig sections
 * between them, so the result is what appending in ukify's order gives. */
static bool insert_per_profile(Blob *uki, const PeView *f, char **json, const size_t *size, unsigned count) {
        const void *table = f->data + f->sections_offset;
        size_t s0, e0, trunc = 0, removed_raw = 0, n = 0;
        PeNewSection secs[PE_MAX_SECTIONS];
        char names[PE_MAX_SECTIONS][PE_SECTION_NAME_LEN + 1];
        _cleanup_free_ uint8_t *cut = NULL;

        if (!uki_profile_range(table, f->n_sections, 0, &s0, &e0))
                return error("no profile 0"), false;
        for (size_t i = 0; i < e0; i++) {
                PeSectionHeader h = pe_section(f, i);
                if (h.SizeOfRawData && (size_t) h.PointerToRawData + h.SizeOfRawData > trunc)
                        trunc = (size_t) h.PointerToRawData + h.SizeOfRawData;
        }
        secs[n++] = (PeNewSection) { ".pcrsig", json[0], size[0], 0, false };
        for (unsigned p = 1; p < count; p++) {
                size_t s, e;
                if (!uki_profile_range(table, f->n_sections, p, &s, &e))
                        return error("no profile %u", p), false;
                for (size_t i = s; i < e; i++) {
                        PeSectionHeader h = pe_section(f, i);
                        size_t raw;
                        const uint8_t *d = pe_section_data(f, i, &raw);
                        if (h.SizeOfRawData && h.PointerToRawData < trunc)
                                return error("profile %u's sections are not after profile 0's", p), false;
                        if (n + 2 > PE_MAX_SECTIONS)
                                return error("too many sections"), false;
                        if (raw < h.VirtualSize)
                                return error("section %zu: shorter in the file than in memory", i), false;
                        removed_raw += h.SizeOfRawData;
                        pe_section_name(&h, names[n]);
                        secs[n] = (PeNewSection) { names[n], d, h.VirtualSize, h.Characteristics, false };
                        n++;
                }
                secs[n++] = (PeNewSection) { ".pcrsig", json[p], size[p], 0, false };
        }
        if (trunc > f->size || f->n_sections - e0 + 2 * (size_t) count > PE_MAX_SECTIONS)
                return error("unexpected section layout"), false;

        /* the image as it was after profile 0: e0 sections, data up to trunc */
        cut = malloc(trunc);
        if (!cut)
                return error("out of memory"), false;
        memcpy(cut, f->data, trunc);
        size_t nsec_off = f->pe_offset + 4 + offsetof(PeFileHeader, NumberOfSections);
        size_t sid_off = f->pe_offset + 4 + sizeof(PeFileHeader) + offsetof(PeOptionalHeader64, SizeOfInitializedData);
        put_le16(cut + nsec_off, (uint16_t) e0);
        uint32_t sid = f->opt.SizeOfInitializedData >= removed_raw ? f->opt.SizeOfInitializedData - (uint32_t) removed_raw : 0;
        put_le32(cut + sid_off, sid);
        memset(cut + f->sections_offset + e0 * sizeof(PeSectionHeader), 0, (f->n_sections - e0) * sizeof(PeSectionHeader));
        PeView c;
        _cleanup_blob_ Blob out = {};
        PeResult r = pe_parse(cut, trunc, &c);
        if (r == PE_OK)
                r = pe_append_blob(&c, secs, n, &out);
        if (r != PE_OK)
                return error("cannot add .pcrsig sections: %s", pe_strerror(r)), false;
        blob_free(uki);
        *uki = blob_take(&out);
        return true;
}

static void json_texts_free(char *(*json)[PE_MAX_SECTIONS]) {
        for (size_t i = 0; i < PE_MAX_SECTIONS; i++)
                free((*json)[i]);
}

bool pcrsig_append(Blob *uki, const char *what, const PcrSignKey *keys, size_t n_keys, const char *banks) {
        PeView f;
        _cleanup_(json_texts_free) char *json[PE_MAX_SECTIONS] = {};
        size_t size[PE_MAX_SECTIONS] = {};
        PeResult r = pe_parse(uki->data, uki->size, &f);
        if (r != PE_OK)
                return error("%s: %s", what, pe_strerror(r)), false;
        if (pe_find_section(&f, ".pcrsig") >= 0)
                return error("%s: already has a .pcrsig section", what), false;
        unsigned count = uki_profile_count(f.data + f.sections_offset, f.n_sections);
        if (count > PE_MAX_SECTIONS / 2)
                return error("%s: too many profiles", what), false;
        for (unsigned p = 0; p < (count ? count : 1); p++)
                if (!pcrsig_make(&f, p, keys, n_keys, banks, &json[p], &size[p]))
                        return false;
        if (count > 0)
                return insert_per_profile(uki, &f, json, size, count);
        PeNewSection s = { ".pcrsig", json[0], size[0], 0, false };
        _cleanup_blob_ Blob out = {};
        r = pe_append_blob(&f, &s, 1, &out);
        if (r != PE_OK)
                return error("%s: cannot add .pcrsig: %s", what, pe_strerror(r)), false;
        blob_free(uki);
        *uki = blob_take(&out);
        return true;
}
