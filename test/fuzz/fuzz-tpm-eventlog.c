/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tpm-eventlog.h"
#include "unaligned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input: le32 offset of the last entry, le32 format, le32 final events count, then the log
 * (an exact-size copy, so ASan sees any read past it). A size found is inside the log and ends
 * at or after the last entry; the final events (here the log after its Spec ID event) are
 * counted inside the memory given. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 12)
                return 0;
        uint32_t last = get_le32(data), format = get_le32(data + 4), n_final = get_le32(data + 8);
        size -= 12;
        uint8_t *log = malloc(size ? size : 1);
        if (!log)
                return 0;
        memcpy(log, data + 12, size);

        size_t s;
        if (tpm_eventlog_size(log, size, format, last != UINT32_MAX, last, &s) && last != UINT32_MAX &&
            (s > size || s <= last))
                abort();
        TpmSpecId spec;
        if (tpm_spec_id(log, size, &spec)) {
                if (spec.algs < log || spec.algs + 4 * (size_t) spec.n_algs > log + size)
                        abort();
                size_t spec_size = TPM_TCPA_EVENT_HDR + get_le32(log + TPM_TCPA_EVENT_HDR - 4);
                if (spec_size > size)
                        abort();
                size_t f = tpm_final_events_size(&spec, log + spec_size, size - spec_size, n_final);
                if (f > size - spec_size)
                        abort();
        }
        free(log);
        return 0;
}
