/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The .zsig section's layout (payload-sig.h). */
#include "payload-sig.h"
#include "unaligned.h"

PayloadSigResult payload_sig_parse(const uint8_t *sec, size_t len, PayloadSigInfo *ret) {
        const size_t trailer = PAYLOAD_SIG_INFO_LEN + PAYLOAD_SIG_MAGIC_LEN;
        static const char magic[] = PAYLOAD_SIG_MAGIC;

        /* the magic ends in '\n', so the NUL padding after it is unambiguous */
        while (len > 0 && sec[len - 1] == 0)
                len--;
        if (len < trailer)
                return PAYLOAD_SIG_TOO_SHORT;
        const uint8_t *m = sec + len - PAYLOAD_SIG_MAGIC_LEN;
        for (size_t i = 0; i < PAYLOAD_SIG_MAGIC_LEN; i++)
                if (m[i] != (uint8_t) magic[i])
                        return PAYLOAD_SIG_BAD_MAGIC;
        const uint8_t *info = m - PAYLOAD_SIG_INFO_LEN;
        if (info[PAYLOAD_SIG_ID_OFFSET] != PAYLOAD_SIG_ID_PKCS7)
                return PAYLOAD_SIG_NOT_PKCS7;
        /* algo, hash, signer_len, key_id_len, pad[3]: unused with PKCS#7 and must be zero */
        if (info[0] || info[1] || info[3] || info[4] || info[5] || info[6] || info[7])
                return PAYLOAD_SIG_BAD_INFO;
        uint32_t sig_len = get_be32(info + PAYLOAD_SIG_LEN_OFFSET);
        /* the section holds nothing but the signature and its trailer */
        if (sig_len == 0 || sig_len != len - trailer)
                return PAYLOAD_SIG_BAD_LENGTH;
        ret->sig_offset = 0;
        ret->sig_len = sig_len;
        ret->used = len;
        return PAYLOAD_SIG_OK;
}

void payload_sig_trailer(uint32_t sig_len, uint8_t out[PAYLOAD_SIG_INFO_LEN + PAYLOAD_SIG_MAGIC_LEN]) {
        static const char magic[] = PAYLOAD_SIG_MAGIC;
        for (size_t i = 0; i < PAYLOAD_SIG_INFO_LEN; i++)
                out[i] = 0;
        out[PAYLOAD_SIG_ID_OFFSET] = PAYLOAD_SIG_ID_PKCS7;
        put_be32(out + PAYLOAD_SIG_LEN_OFFSET, sig_len);
        for (size_t i = 0; i < PAYLOAD_SIG_MAGIC_LEN; i++)
                out[PAYLOAD_SIG_INFO_LEN + i] = (uint8_t) magic[i];
}

const char *payload_sig_strerror(PayloadSigResult r) {
        switch (r) {
        case PAYLOAD_SIG_OK: break;
        case PAYLOAD_SIG_TOO_SHORT: return "too short for the module-signature trailer";
        case PAYLOAD_SIG_BAD_MAGIC: return "no \"~Module signature appended~\" magic at its end";
        case PAYLOAD_SIG_NOT_PKCS7: return "signature type is not PKCS#7 (id_type 2)";
        case PAYLOAD_SIG_BAD_INFO: return "module_signature fields that must be zero are not";
        case PAYLOAD_SIG_BAD_LENGTH: return "sig_len does not match the section";
        }
        return "no error";
}
