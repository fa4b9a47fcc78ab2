/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host side of the PCR 11 prediction: libcrypto's SHA-256 for the core's predictor
 * (src/fundamental/uki-measure.c), and the section contents as the firmware loads them: the
 * file's raw bytes, zero-filled up to VirtualSize.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "crypto-cleanup.h"
#include "measure.h"
#include "uki-profile.h"

static bool sha256(const void *data, size_t size, uint8_t out[MEASURE_DIGEST_SIZE], void *userdata) {
        unsigned len = 0;
        (void) userdata;
        return EVP_Digest(data, size, out, &len, EVP_sha256(), NULL) == 1 && len == MEASURE_DIGEST_SIZE;
}

/* SHA-256 of the section as loaded: raw data, then zeros up to VirtualSize. */
static bool section_digest(const PeView *f, size_t i, uint8_t out[MEASURE_DIGEST_SIZE]) {
        static const uint8_t zeros[4096];
        PeSectionHeader s = pe_section(f, i);
        size_t raw;
        const uint8_t *d = pe_section_data(f, i, &raw);
        size_t vsize = s.VirtualSize, have = raw < vsize ? raw : vsize;
        unsigned len = 0;

        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 || (have && EVP_DigestUpdate(ctx, d, have) != 1))
                return false;
        for (size_t left = vsize - have; left > 0;) {
                size_t k = left < sizeof(zeros) ? left : sizeof(zeros);
                if (EVP_DigestUpdate(ctx, zeros, k) != 1)
                        return false;
                left -= k;
        }
        return EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == MEASURE_DIGEST_SIZE;
}

bool uki_pcr11_sha256(const PeView *f, uint8_t pcr[MEASURE_DIGEST_SIZE]) {
        return uki_pcr11_sha256_profile(f, 0, pcr);
}

bool uki_pcr11_sha256_profile(const PeView *f, uint32_t profile, uint8_t pcr[MEASURE_DIGEST_SIZE]) {
        return uki_pcr11_sha256_dtbauto(f, profile, -1, pcr);
}

bool uki_pcr11_sha256_dtbauto(const PeView *f, uint32_t profile, int dtbauto, uint8_t pcr[MEASURE_DIGEST_SIZE]) {
        return uki_pcr11_sha256_picked(f, profile, dtbauto, -1, pcr);
}

static bool section_digest_cached(const PeView *f, size_t i, PcrDigestCache *c, uint8_t out[MEASURE_DIGEST_SIZE]) {
        if (!c || i >= PE_MAX_SECTIONS)
                return section_digest(f, i, out);
        if (!c->have[i]) {
                if (!section_digest(f, i, c->d[i]))
                        return false;
                c->have[i] = true;
        }
        memcpy(out, c->d[i], MEASURE_DIGEST_SIZE);
        return true;
}

bool uki_pcr11_sha256_picked(const PeView *f, uint32_t profile, int dtbauto, int efifw,
                             uint8_t pcr[MEASURE_DIGEST_SIZE]) {
        return uki_pcr11_sha256_picked_cached(f, profile, dtbauto, efifw, NULL, pcr);
}

bool uki_pcr11_sha256_picked_cached(const PeView *f, uint32_t profile, int dtbauto, int efifw, PcrDigestCache *cache,
                                    uint8_t pcr[MEASURE_DIGEST_SIZE]) {
        UkiMeasuredSection sel[UKI_SECTION_COUNT];
        UkiSectionDigest dig[UKI_SECTION_COUNT];
        size_t n = 0;

        if (!uki_profile_pcr11_select_picked(f->data + f->sections_offset, f->n_sections, profile, dtbauto, efifw, sel,
                                             &n) ||
            n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                dig[i].kind = sel[i].kind;
                if (!section_digest_cached(f, sel[i].index, cache, dig[i].digest))
                        return false;
        }
        return uki_pcr11_predict(dig, n, sha256, NULL, pcr);
}

void digest_hex(const uint8_t d[MEASURE_DIGEST_SIZE], char out[2 * MEASURE_DIGEST_SIZE + 1]) {
        for (size_t i = 0; i < MEASURE_DIGEST_SIZE; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}
