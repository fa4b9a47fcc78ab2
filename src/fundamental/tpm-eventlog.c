/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The size of the firmware's TPM event log (tpm-eventlog.h). Formats: TCG PC Client Platform
 * Firmware Profile (TCG_PCClientPCREvent, TCG_PCR_EVENT2, TCG_EfiSpecIDEvent). */
#include "tpm-eventlog.h"
#include "unaligned.h"

bool tpm_spec_id(const uint8_t *log, size_t len, TpmSpecId *ret) {
        if (!log || len < TPM_TCPA_EVENT_HDR)
                return false;
        uint32_t data_size = get_le32(log + TPM_TCPA_EVENT_HDR - 4);
        if (data_size > len - TPM_TCPA_EVENT_HDR || data_size < TPM_SPEC_ID_HDR)
                return false;
        const uint8_t *data = log + TPM_TCPA_EVENT_HDR;
        if (__builtin_memcmp(data, TPM_SPEC_ID_SIGNATURE, sizeof(TPM_SPEC_ID_SIGNATURE)) != 0)
                return false;
        uint32_t n = get_le32(data + TPM_SPEC_ID_HDR - 4);
        if (n == 0 || n > (data_size - TPM_SPEC_ID_HDR) / 4)
                return false;
        *ret = (TpmSpecId) { .algs = data + TPM_SPEC_ID_HDR, .n_algs = n };
        return true;
}

/* The digest size the Spec ID lists for alg; false if it lists none. */
static bool digest_size(const TpmSpecId *spec, uint16_t alg, uint16_t *ret) {
        for (uint32_t j = 0; j < spec->n_algs; j++)
                if (get_le16(spec->algs + 4 * (size_t) j) == alg) {
                        *ret = get_le16(spec->algs + 4 * (size_t) j + 2);
                        return true;
                }
        return false;
}

size_t tpm_tcg2_event_size(const TpmSpecId *spec, const uint8_t *ev, size_t len) {
        if (!spec || !ev || len < TPM_TCG2_EVENT_HEAD)
                return 0;
        uint32_t type = get_le32(ev + 4), count = get_le32(ev + 8);
        if (count > spec->n_algs)
                return 0;
        size_t o = TPM_TCG2_EVENT_HEAD;
        for (uint32_t i = 0; i < count; i++) {
                uint16_t size;
                if (len - o < 2 || !digest_size(spec, get_le16(ev + o), &size))
                        return 0;
                o += 2;
                if (len - o < size)
                        return 0;
                o += size;
        }
        if (len - o < 4)
                return 0;
        uint32_t data_size = get_le32(ev + o);
        o += 4;
        if (data_size > len - o)
                return 0;
        if (type == 0 && data_size == 0)
                return 0;
        return o + data_size;
}

bool tpm_eventlog_size(const uint8_t *log, size_t len, uint32_t format, bool has_last, size_t last, size_t *ret) {
        if (format != TPM_EVENTLOG_FORMAT_TCG_1_2 && format != TPM_EVENTLOG_FORMAT_TCG_2)
                return false;
        if (!has_last) {
                *ret = 0;
                return true;
        }
        if (!log || last > len)
                return false;
        size_t size;
        if (format == TPM_EVENTLOG_FORMAT_TCG_2) {
                TpmSpecId spec;
                if (!tpm_spec_id(log, len, &spec))
                        return false;
                /* the Spec ID event alone is a TCG 1.2-format event */
                size = last == 0 ? TPM_TCPA_EVENT_HDR + get_le32(log + TPM_TCPA_EVENT_HDR - 4)
                                 : tpm_tcg2_event_size(&spec, log + last, len - last);
        } else {
                if (len - last < TPM_TCPA_EVENT_HDR)
                        return false;
                uint32_t data_size = get_le32(log + last + TPM_TCPA_EVENT_HDR - 4);
                if (data_size > len - last - TPM_TCPA_EVENT_HDR)
                        return false;
                size = TPM_TCPA_EVENT_HDR + data_size;
        }
        if (size == 0)
                return false;
        *ret = last + size;   /* <= len: checked above */
        return true;
}

size_t tpm_final_events_size(const TpmSpecId *spec, const uint8_t *events, size_t len, uint64_t n) {
        size_t total = 0;
        for (uint64_t i = 0; i < n && total < len; i++) {
                size_t s = tpm_tcg2_event_size(spec, events + total, len - total);
                if (s == 0)
                        break;
                total += s;
        }
        return total;
}
