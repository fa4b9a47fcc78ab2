/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The UKI stub's SMBIOS step: find the structure table through the EFI configuration table,
 * and append systemd-stub's "io.systemd.stub.kernel-cmdline-extra" OEM string to the command
 * line. The parsing is src/fundamental/smbios.c; here only the firmware side. docs/stub.md
 * "SMBIOS".
 */
#include "cmdline.h"
#include "cmdline-append.h"
#include "log.h"
#include "measure.h"
#include "smbios.h"
#include "smbios-efi.h"
#include "util.h"

#define SMBIOS_TABLE_GUID \
        EFI_GUID_INIT(0xeb9d2d31, 0x2d88, 0x11d3, 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d)
#define SMBIOS3_TABLE_GUID \
        EFI_GUID_INIT(0xf2fd1544, 0x9794, 0x4a2c, 0x99, 0x2e, 0xe5, 0xbb, 0xcf, 0x20, 0xe3, 0x94)

#define OEM_CMDLINE_EXTRA "io.systemd.stub.kernel-cmdline-extra"
/* A bound for a corrupt table: no structure table we read is larger. */
#define SMBIOS_TABLE_MAX (UINT32_C(1) << 24)

void *config_table_find(const EFI_GUID *guid) {
        for (size_t i = 0; i < ST->NumberOfTableEntries; i++)
                if (guid_equal(&ST->ConfigurationTable[i].VendorGuid, guid))
                        return ST->ConfigurationTable[i].VendorTable;
        return NULL;
}

bool smbios_firmware_table(const void **ret, size_t *ret_size) {
        static const EFI_GUID g3 = SMBIOS3_TABLE_GUID, g2 = SMBIOS_TABLE_GUID;
        SmbiosTableRef r;
        const void *ep;
        /* The firmware says nothing about the entry point's size: its structure's size is read. */
        if ((ep = config_table_find(&g3)) && smbios3_entry_point(ep, SMBIOS3_ENTRY_POINT_SIZE, &r)) {
        } else if ((ep = config_table_find(&g2)) && smbios2_entry_point(ep, SMBIOS2_ENTRY_POINT_SIZE, &r)) {
        } else
                return false;
        if (r.address == 0 || r.address != (uintptr_t) r.address || r.size == 0)
                return false;
        *ret = (const void *) (uintptr_t) r.address;
        *ret_size = (size_t) MIN(r.size, SMBIOS_TABLE_MAX);
        return true;
}

#if defined(__x86_64__)
static uint64_t rdmsr(uint32_t msr) {
        uint32_t lo, hi;
        __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
        return ((uint64_t) hi << 32) | lo;
}

/* The 12-byte vendor signature of a leaf in EBX, EDX, ECX order (leaf 0's order), or in
 * EBX, ECX, EDX order (swapped = true, as leaf 0x21 spells "IntelTDX    "). */
static void cpuid_signature(uint32_t leaf, bool swapped, char sig[12], uint32_t *max) {
        uint32_t r[4];
        cpuid(leaf, 0, r);
        *max = r[0];
        memcpy(sig, &r[1], 4);
        memcpy(sig + 4, swapped ? &r[2] : &r[3], 4);
        memcpy(sig + 8, swapped ? &r[3] : &r[2], 4);
}
#endif

bool confidential_vm(void) {
#if defined(__x86_64__)
        uint32_t r[4], max;
        char sig[12];
        cpuid(1, 0, r);
        if (!(r[2] & (UINT32_C(1) << 31)))   /* CPUID.1:ECX[31]: running under a hypervisor */
                return false;
        cpuid_signature(0, false, sig, &max);
        if (memcmp(sig, "AuthenticAMD", 12) == 0) {
                cpuid(0x80000000, 0, r);
                if (r[0] < 0x8000001f)
                        return false;
                cpuid(0x8000001f, 0, r);
                if (!(r[0] & 2))            /* SEV supported: only then is the SEV status MSR there */
                        return false;
                return (rdmsr(0xc0010131) & 7) != 0;   /* MSR_AMD64_SEV: SEV, SEV-ES, SEV-SNP active */
        }
        if (memcmp(sig, "GenuineIntel", 12) == 0) {
                if (max < 0x21)
                        return false;
                cpuid_signature(0x21, true, sig, &max);
                return memcmp(sig, "IntelTDX    ", 12) == 0;
        }
#endif
        return false;
}

bool smbios_cmdline_extra(char16_t **buf, uint32_t *size, bool *measured) {
        const void *table;
        size_t table_size, n;
        *measured = false;
        if (!smbios_firmware_table(&table, &table_size))
                return false;
        const char *v = smbios_find_oem_string(table, table_size, OEM_CMDLINE_EXTRA, &n);
        if (!v)
                return false;
        if (confidential_vm()) {
                /* the host's SMBIOS data is not covered by the VM's attestation (sd-stub's rule) */
                log_warning("confidential VM: ignoring SMBIOS %s", OEM_CMDLINE_EXTRA);
                return false;
        }

        _cleanup_pool_ char16_t *extra = NULL;
        EFI_STATUS err = n > UINT32_MAX / sizeof(char16_t) / 2 ? EFI_BAD_BUFFER_SIZE : EFI_SUCCESS;
        if (err == EFI_SUCCESS)
                err = BS->AllocatePool(EfiLoaderData, (n + 1) * sizeof(char16_t), (void **) &extra);
        if (err != EFI_SUCCESS) {
                log_error_status(err, "cannot take SMBIOS %s, ignored", OEM_CMDLINE_EXTRA);
                return false;
        }
        size_t units = cmdline_utf8_to_ucs2(v, n, extra, n + 1);
        if (units == SIZE_MAX) {   /* cannot happen: n + 1 units always hold it (cmdline.h) */
                log_error_status(EFI_BUFFER_TOO_SMALL, "cannot convert SMBIOS %s, ignored", OEM_CMDLINE_EXTRA);
                return false;
        }
        units = measure_mangle_cmdline(extra, units);
        if (units == 0)
                return false;

        /* Measured alone, UTF-16 with its NUL, as sd-stub does (before appending). */
        if (!cmdline_append_measured(buf, size, extra, units, "the SMBIOS command line", measured))
                return false;
        log_info("appended SMBIOS %s to the command line", OEM_CMDLINE_EXTRA);
        return true;
}

SmbiosLogLevel smbios_log_level(void) {
        static const char key[] = "io.systemd.boot.loglevel";   /* "=value" follows */
        static const struct {
                const char *name;
                SmbiosLogLevel level;
        } levels[] = {
                { "emerg", SMBIOS_LOGLEVEL_QUIET },     { "alert", SMBIOS_LOGLEVEL_QUIET },
                { "crit", SMBIOS_LOGLEVEL_QUIET },      { "err", SMBIOS_LOGLEVEL_QUIET },
                { "warning", SMBIOS_LOGLEVEL_DEFAULT }, { "notice", SMBIOS_LOGLEVEL_DEFAULT },
                { "info", SMBIOS_LOGLEVEL_DETAIL },     { "debug", SMBIOS_LOGLEVEL_DETAIL },
        };
        const void *table;
        size_t table_size, n;
        if (!smbios_firmware_table(&table, &table_size))
                return SMBIOS_LOGLEVEL_DEFAULT;
        const char *v = smbios_find_oem_string(table, table_size, key, &n);
        if (!v || confidential_vm())   /* the host does not choose what a confidential VM says */
                return SMBIOS_LOGLEVEL_DEFAULT;
        for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
                if (strlen(levels[i].name) == n && memcmp(levels[i].name, v, n) == 0)
                        return levels[i].level;
        char shown[32];
        size_t k = n < sizeof(shown) - 1 ? n : sizeof(shown) - 1;
        memcpy(shown, v, k);
        shown[k] = 0;
        log_warning("cannot parse the SMBIOS log level \"%s\", ignored", shown);
        return SMBIOS_LOGLEVEL_DEFAULT;
}
