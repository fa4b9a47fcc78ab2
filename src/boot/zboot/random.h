/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* A 64-bit seed for placement. From EFI_RNG_PROTOCOL when the firmware has it (*ret_strong =
 * true); otherwise from the CPU counter and the monotonic count, which differ from boot to
 * boot but are guessable (*ret_strong = false, logged once by the caller). Never fails. */
uint64_t random_seed(bool *ret_strong);
