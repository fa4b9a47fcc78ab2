/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seeds from whatever the machine offers. This is not a random number generator and no
 * cryptography: each source gives one 64-bit word and the words are combined with XOR after a
 * fixed bijective finaliser. For independent sources, the XOR of a uniformly random word with
 * anything else is uniformly random, so the seed is as unpredictable as the best source that
 * contributed; the finaliser only spreads weak inputs (a counter) over all 64 bits.
 */
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

#define CPU_RNG_RETRIES 10   /* Intel's DRNG guide: retry RDRAND up to 10 times */

#if defined(__x86_64__)
#define CPU_RNG_NAME "RDRAND"
static bool cpu_rng(uint64_t *ret) {
        if (!cpuid_bit(1, 0, 2, 30))   /* CPUID.01H:ECX.RDRAND[bit 30] */
                return false;
        for (unsigned i = 0; i < CPU_RNG_RETRIES; i++) {
                uint64_t v;
                uint8_t ok;
                __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
                if (ok) {
                        *ret = v;
                        return true;
                }
        }
        return false;
}
#elif defined(__aarch64__)
#define CPU_RNG_NAME "RNDR"
static bool cpu_rng(uint64_t *ret) {
        uint64_t isar0;
        /* ID_AA64ISAR0_EL1 (s3_0_c0_c6_0), RNDR field bits [63:60]: 1 = RNDR/RNDRRS present.
         * Readable at EL1/EL2, where firmware runs us. */
        __asm__ volatile("mrs %0, s3_0_c0_c6_0" : "=r"(isar0));
        if ((isar0 >> 60) == 0)
                return false;
        for (unsigned i = 0; i < CPU_RNG_RETRIES; i++) {
                uint64_t v, ok;
                /* RNDR (s3_3_c2_c4_0): NZCV = 0b0000 on success, 0b0100 (Z) when it has no
                 * entropy right now (the value is then 0). */
                __asm__ volatile("mrs %0, s3_3_c2_c4_0; cset %1, ne" : "=r"(v), "=r"(ok) : : "cc");
                if (ok) {
                        *ret = v;
                        return true;
                }
        }
        return false;
}
#else
#define CPU_RNG_NAME "cpu"
static bool cpu_rng(uint64_t *ret) {
        (void) ret;
        return false;
}
#endif

uint64_t random_seed(unsigned *ret_sources) {
        static const EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;
        EFI_RNG_PROTOCOL *rng = NULL;
        unsigned sources = RANDOM_COUNTER;
        uint64_t seed = 0, w, count = 0;

        if (BS->LocateProtocol(&rng_guid, NULL, (void **) &rng) == EFI_SUCCESS && rng &&
            rng->GetRNG(rng, NULL, sizeof(w), (uint8_t *) &w) == EFI_SUCCESS) {
                seed ^= w;
                sources |= RANDOM_EFI_RNG;
        }
        if (cpu_rng(&w)) {
                seed ^= mix64(w);
                sources |= RANDOM_CPU;
        }
        (void) BS->GetNextMonotonicCount(&count);
        seed ^= mix64(cpu_ticks() ^ mix64(count));
        *ret_sources = sources;
        return seed;
}

const char *random_sources_str(unsigned sources) {
        switch (sources & (RANDOM_EFI_RNG | RANDOM_CPU)) {
        case RANDOM_EFI_RNG | RANDOM_CPU:
                return "EFI_RNG_PROTOCOL + " CPU_RNG_NAME " + CPU counter";
        case RANDOM_EFI_RNG:
                return "EFI_RNG_PROTOCOL + CPU counter";
        case RANDOM_CPU:
                return CPU_RNG_NAME " + CPU counter";
        default:
                return "CPU counter only (weak)";
        }
}
