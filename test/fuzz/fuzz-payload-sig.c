/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the .zsig section parser (src/fundamental/payload-sig.c), the part of the payload
 * signature check that reads untrusted bytes before libcrypto sees them. Invariants: on success
 * the signature lies inside the input, starts at 0, is followed by exactly the trailer
 * payload_sig_trailer() writes for its length, and only NUL bytes follow that; any result has a
 * reason text. Round trip: the input taken as a signature (if non-empty) with its trailer and
 * some NUL padding parses back to exactly that length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload-sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TRAILER (PAYLOAD_SIG_INFO_LEN + PAYLOAD_SIG_MAGIC_LEN)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        PayloadSigInfo pi;
        PayloadSigResult r = payload_sig_parse(data, size, &pi);
        if (!payload_sig_strerror(r)[0])
                abort();
        if (r == PAYLOAD_SIG_OK) {
                uint8_t t[TRAILER];
                if (pi.sig_offset != 0 || pi.sig_len == 0 || pi.used != pi.sig_len + TRAILER || pi.used > size)
                        abort();
                payload_sig_trailer((uint32_t) pi.sig_len, t);
                if (memcmp(data + pi.sig_len, t, TRAILER) != 0)
                        abort();
                for (size_t i = pi.used; i < size; i++)
                        if (data[i])
                                abort();
        }
        /* round trip */
        if (size > 0 && size <= 65536) {
                size_t pad = data[0] % 32, n = size + TRAILER + pad;
                uint8_t *b = calloc(1, n);
                if (!b)
                        abort();
                memcpy(b, data, size);
                payload_sig_trailer((uint32_t) size, b + size);
                PayloadSigInfo q;
                if (payload_sig_parse(b, n, &q) != PAYLOAD_SIG_OK || q.sig_len != size || q.used != size + TRAILER)
                        abort();
                free(b);
        }
        return 0;
}
