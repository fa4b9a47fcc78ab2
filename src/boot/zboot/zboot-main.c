/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The zboot self-decompressor: vmlinuz.efi = this PE + compressed payload. */
#include "efi-main.h"
#include "log.h"

const char program_name[] = "zboot";

EFI_STATUS run(EFI_HANDLE image) {
        (void) image;
        return log_error_status(EFI_UNSUPPORTED, "payload loading is not implemented yet");
}
