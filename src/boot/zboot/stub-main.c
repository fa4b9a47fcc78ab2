/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The UKI stub: finds .linux (and friends) in its own image and boots it. */
#include "efi-main.h"
#include "log.h"

const char program_name[] = "zboot-stub";

EFI_STATUS run(EFI_HANDLE image) {
        (void) image;
        return log_error_status(EFI_UNSUPPORTED, "UKI loading is not implemented yet");
}
