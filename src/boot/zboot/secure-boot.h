/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* True if the firmware enforces Secure Boot (SecureBoot == 1 and not in setup mode). */
bool secure_boot_enabled(void);
