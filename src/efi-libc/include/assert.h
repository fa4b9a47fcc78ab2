/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Freestanding <assert.h>: release semantics (NDEBUG) in the EFI binaries. The host tests
 * compile the same upstream sources with the real assert() and the sanitizers. */
#pragma once

#define assert(expr) ((void) 0)
#ifndef static_assert
#define static_assert _Static_assert
#endif
