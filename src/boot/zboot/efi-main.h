/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* Each binary defines run(); efi-main.c sets the globals and calls it. */
EFI_STATUS run(EFI_HANDLE image);
extern const char program_name[];
