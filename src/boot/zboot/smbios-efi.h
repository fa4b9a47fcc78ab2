/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The firmware's tables the UKI stub reads: EFI configuration tables, the SMBIOS structure
 * table (parsed by src/fundamental/smbios.c), and systemd-stub's SMBIOS command-line extra. */
#pragma once

#include "efi.h"

/* The VendorTable of the EFI configuration table with that GUID, or NULL. */
void *config_table_find(const EFI_GUID *guid);

/* The SMBIOS structure table as the firmware publishes it (the 3.x entry point first, then
 * 2.x, as systemd-stub): true and (*ret, *ret_size) when there is one. */
bool smbios_firmware_table(const void **ret, size_t *ret_size);

/* Are we a confidential VM (AMD SEV/SEV-ES/SEV-SNP or Intel TDX, by CPUID/MSR as
 * systemd-stub 257 checks; false on arm64)? */
bool confidential_vm(void);

/* systemd-stub 257: unless this is a confidential VM, the value of the SMBIOS type 11 OEM
 * string "io.systemd.stub.kernel-cmdline-extra=..." (normalised like a command line; nothing
 * when empty) is measured into PCR 12 and appended to the command line with one space (or
 * becomes it when there is none). *buf is the pool command line (NULL for none) of *size
 * bytes with its NUL; on append it is replaced by a new pool string. True if something was
 * appended; *measured then says if the PCR 12 measurement was taken. */
bool smbios_cmdline_extra(char16_t **buf, uint32_t *size, bool *measured);

/* systemd-stub 262's log level from the SMBIOS type 11 OEM string "io.systemd.boot.loglevel="
 * (ignored in a confidential VM): SMBIOS_LOGLEVEL_DETAIL for "debug" and "info" (our info and
 * debug lines, as "zboot.debug"), SMBIOS_LOGLEVEL_QUIET for "err", "crit", "alert" and "emerg"
 * (only errors, as "quiet"), SMBIOS_LOGLEVEL_DEFAULT for "warning", "notice", no string, or a
 * value it does not know (warned about, as 262 does). */
typedef enum {
        SMBIOS_LOGLEVEL_DEFAULT,
        SMBIOS_LOGLEVEL_DETAIL,
        SMBIOS_LOGLEVEL_QUIET,
} SmbiosLogLevel;
SmbiosLogLevel smbios_log_level(void);
