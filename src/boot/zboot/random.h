/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* Where a seed's entropy came from (a bit mask). */
enum {
        RANDOM_EFI_RNG = 1u << 0,  /* EFI_RNG_PROTOCOL */
        RANDOM_CPU     = 1u << 1,  /* RDRAND (x86_64) or RNDR (arm64), when the CPU has it */
        RANDOM_COUNTER = 1u << 2,  /* CPU counter + monotonic count: differs per boot, guessable */
};

/* A 64-bit seed (placement, the stack protector's canary). Every source available is mixed
 * in: EFI_RNG_PROTOCOL, the CPU's own generator (checked with CPUID / ID_AA64ISAR0_EL1, retried
 * as the vendors advise), and always the CPU counter. *ret_sources says which contributed;
 * without the first two the seed is weak. Never fails. Needs boot services. */
uint64_t random_seed(unsigned *ret_sources);

/* Human-readable list of the sources in a mask, e.g. "EFI_RNG+RDRAND+counter". */
const char *random_sources_str(unsigned sources);
