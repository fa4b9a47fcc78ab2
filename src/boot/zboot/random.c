/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "proto/rng.h"
#include "random.h"
#include "util.h"

static uint64_t mix64(uint64_t x) {
        /* A fixed bijective 64-bit finaliser (multiply-xorshift), so weak inputs still spread
         * over all bits before a slot is chosen from them. */
        x ^= x >> 33;
        x *= UINT64_C(0xff51afd7ed558ccd);
        x ^= x >> 33;
        x *= UINT64_C(0xc4ceb9fe1a85ec53);
        x ^= x >> 33;
        return x;
}

uint64_t random_seed(bool *ret_strong) {
        static const EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;
        EFI_RNG_PROTOCOL *rng = NULL;
        uint64_t seed = 0;

        if (BS->LocateProtocol(&rng_guid, NULL, (void **) &rng) == EFI_SUCCESS && rng &&
            rng->GetRNG(rng, NULL, sizeof(seed), (uint8_t *) &seed) == EFI_SUCCESS) {
                *ret_strong = true;
                return seed;
        }

        uint64_t count = 0;
        (void) BS->GetNextMonotonicCount(&count);
        *ret_strong = false;
        return mix64(cpu_ticks() ^ mix64(count));
}
