/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "proto/loaded-image.h"

/* Each binary defines run(); efi-main.c sets the globals, starts the log, notes the entry time
 * t0 (cpu_ticks(), bench_begin()), gets our loaded image protocol li and calls it. */
EFI_STATUS run(EFI_HANDLE image, EFI_LOADED_IMAGE_PROTOCOL *li, uint64_t t0);
extern const char program_name[];
