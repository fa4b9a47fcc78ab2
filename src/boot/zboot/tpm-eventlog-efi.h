/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* The firmware's TPM event log handed to the kernel on the native x86 path, where no kernel
 * EFI stub runs to do it: a copy in a LINUX_EFI_TPM_EVENT_LOG configuration table
 * (docs/x86-boot.md "TPM event log"). The pure part, the log's size, is
 * src/fundamental/tpm-eventlog.c. */
typedef struct {
        void *table;      /* pool (EfiACPIReclaimMemory), installed; NULL if none */
        void *previous;   /* the table of that GUID it replaced (NULL: none) */
} TpmEventlog;

/* Copy the log (EFI_TCG2_PROTOCOL.GetEventLog, TCG 2 format, else TCG 1.2; without TCG2,
 * EFI_CC_MEASUREMENT_PROTOCOL.GetEventLog, TCG 2 format) with the size of the final events
 * table's events already there, and install the table. Call after the last measurement and
 * before ExitBootServices. Without either protocol it does nothing; any failure is
 * logged, what was allocated is freed and the boot goes on without the table (as the kernel's
 * stub does). */
void tpm_eventlog_install(TpmEventlog *ret);

/* Put the previous table back and free ours: for a boot that fails after the install. */
void tpm_eventlog_undo(TpmEventlog *t);
