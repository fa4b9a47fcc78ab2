/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TPM event log for the kernel on the native x86 path. The kernel reads the firmware's log
 * only from a LINUX_EFI_TPM_EVENT_LOG configuration table, which its own EFI stub fills before
 * ExitBootServices; we replace that stub, so we fill it: the log bytes from the first entry to
 * the end of the last (the size is computed by src/fundamental/tpm-eventlog.c), the format,
 * and how many bytes of events the firmware's final events table already held, so the kernel
 * does not count those twice when it appends that table (events logged from the first
 * GetEventLog call on go to both). Without a TPM, a confidential VM's EFI_CC_MEASUREMENT_PROTOCOL
 * log (TCG 2 format) goes into the same table, as the kernel's stub does since Linux 6.10.
 * Facts from the kernel's libstub/tpm.c and efi.h, our code.
 */
#include "log.h"
#include "proto/cc-measurement.h"
#include "proto/tcg2.h"
#include "smbios-efi.h"   /* config_table_find() */
#include "tpm-eventlog-efi.h"
#include "tpm-eventlog.h"
#include "unaligned.h"
#include "util.h"

#define LINUX_EFI_TPM_EVENT_LOG_GUID \
        EFI_GUID_INIT(0xb7799cb0, 0xeca2, 0x4943, 0x96, 0x67, 0x1f, 0xae, 0x07, 0xb7, 0x47, 0xfa)
#define EFI_TCG2_FINAL_EVENTS_TABLE_GUID \
        EFI_GUID_INIT(0x1e2ed096, 0x30e2, 0x4254, 0xbd, 0x89, 0x86, 0x3b, 0xbe, 0xf8, 0x23, 0x25)

#define LOG_MAX   (64u << 20)   /* a log larger than this is not believed */
#define EVENT_MAX (1u << 20)    /* bound for reading the last entry past its start */

/* want bytes from addr, less if the address space ends first. */
static size_t bound(uintptr_t addr, size_t want) {
        return addr > UINTPTR_MAX - want ? UINTPTR_MAX - addr : want;
}

/* The bytes of final-events-table events (the table of that GUID) that are already in the log
 * we copy. */
static uint32_t final_preboot_size(const EFI_GUID *final_guid, const uint8_t *log, size_t size) {
        const uint8_t *fin = config_table_find(final_guid);
        TpmSpecId spec;
        if (!fin || !tpm_spec_id(log, size, &spec))
                return 0;
        uint64_t n = get_le64(fin + TPM_FINAL_EVENTS_COUNT);
        const uint8_t *ev = fin + TPM_FINAL_EVENTS_EVENTS;
        size_t s = tpm_final_events_size(&spec, ev, bound((uintptr_t) ev, LOG_MAX), n);
        return s > UINT32_MAX ? 0 : (uint32_t) s;
}

/* The firmware's log as the kernel's stub (Linux >= 6.10) asks for it: from EFI_TCG2_PROTOCOL
 * (TCG 2 format, else 1.2) when there is one, else from EFI_CC_MEASUREMENT_PROTOCOL (a
 * confidential VM without a TPM: TCG 2 format, the MR index in the PCR field, its own final
 * events table). False if there is no log; logged unless there is no protocol at all. */
static bool eventlog_locate(uint32_t *ret_format, EFI_PHYSICAL_ADDRESS *ret_first, EFI_PHYSICAL_ADDRESS *ret_last,
                            bool *ret_truncated, const EFI_GUID **ret_final, const char **ret_source) {
        static const EFI_GUID tcg2_guid = EFI_TCG2_PROTOCOL_GUID;
        static const EFI_GUID cc_guid = EFI_CC_MEASUREMENT_PROTOCOL_GUID;
        static const EFI_GUID tcg2_final = EFI_TCG2_FINAL_EVENTS_TABLE_GUID;
        static const EFI_GUID cc_final = EFI_CC_FINAL_EVENTS_TABLE_GUID;
        EFI_TCG2_PROTOCOL *tcg = NULL;
        EFI_CC_MEASUREMENT_PROTOCOL *cc = NULL;
        EFI_STATUS err;

        *ret_format = TPM_EVENTLOG_FORMAT_TCG_2;
        *ret_first = *ret_last = 0;
        *ret_truncated = false;
        if (BS->LocateProtocol(&tcg2_guid, NULL, (void **) &tcg) == EFI_SUCCESS && tcg) {
                *ret_final = &tcg2_final;
                *ret_source = "TPM";
                err = tcg->GetEventLog(tcg, *ret_format, ret_first, ret_last, ret_truncated);
                if (err != EFI_SUCCESS || *ret_first == 0) {
                        *ret_format = TPM_EVENTLOG_FORMAT_TCG_1_2;
                        *ret_first = *ret_last = 0;
                        err = tcg->GetEventLog(tcg, *ret_format, ret_first, ret_last, ret_truncated);
                }
        } else if (BS->LocateProtocol(&cc_guid, NULL, (void **) &cc) == EFI_SUCCESS && cc) {
                *ret_final = &cc_final;
                *ret_source = "CC";
                err = cc->GetEventLog(cc, EFI_CC_EVENT_LOG_FORMAT_TCG_2, ret_first, ret_last, ret_truncated);
        } else
                return false;   /* no TPM, no CC: no log (measure.c says so once) */
        if (err != EFI_SUCCESS || *ret_first == 0) {
                log_error_status(err == EFI_SUCCESS ? EFI_NOT_FOUND : err,
                                 "the firmware gives no %s event log: the kernel gets none", *ret_source);
                return false;
        }
        return true;
}

void tpm_eventlog_install(TpmEventlog *ret) {
        static const EFI_GUID table_guid = LINUX_EFI_TPM_EVENT_LOG_GUID;
        EFI_STATUS err;

        *ret = (TpmEventlog) {};
        uint32_t format;
        EFI_PHYSICAL_ADDRESS first, last;
        bool truncated;
        const EFI_GUID *final_guid;
        const char *source;
        if (!eventlog_locate(&format, &first, &last, &truncated, &final_guid, &source))
                return;
        if ((last != 0 && (last < first || last - first > LOG_MAX)) || first > UINTPTR_MAX) {
                log_error_status(EFI_LOAD_ERROR, "the firmware's %s event log has its last entry at 0x%lx, first at 0x%lx: "
                                 "the kernel gets none", source, last, first);
                return;
        }
        const uint8_t *log = (const uint8_t *) (uintptr_t) first;
        size_t last_off = last ? (size_t) (last - first) : 0, size;
        if (!tpm_eventlog_size(log, bound((uintptr_t) first, last_off + EVENT_MAX), format, last != 0, last_off, &size)) {
                log_error_status(EFI_LOAD_ERROR, "the firmware's %s event log (format %u) does not parse: the kernel gets none",
                                 source, format);
                return;
        }
        if (truncated)
                log_warning("the firmware's %s event log is truncated: the kernel gets what there is", source);
        uint32_t preboot = format == TPM_EVENTLOG_FORMAT_TCG_2 ? final_preboot_size(final_guid, log, size) : 0;

        uint8_t *t = NULL;
        err = BS->AllocatePool(EfiACPIReclaimMemory, LINUX_TPM_EVENTLOG_STRUCT + size, (void **) &t);
        if (err != EFI_SUCCESS) {
                log_error_status(err, "cannot allocate %lu bytes for the TPM event log table", (uint64_t) size);
                return;
        }
        memset(t, 0, LINUX_TPM_EVENTLOG_STRUCT + size);
        put_le32(t + LINUX_TPM_EVENTLOG_SIZE, (uint32_t) size);
        put_le32(t + LINUX_TPM_EVENTLOG_FINAL_PREBOOT, preboot);
        t[LINUX_TPM_EVENTLOG_VERSION] = (uint8_t) format;
        memcpy(t + LINUX_TPM_EVENTLOG_LOG, log, size);

        void *previous = config_table_find(&table_guid);
        err = BS->InstallConfigurationTable(&table_guid, t);
        if (err != EFI_SUCCESS) {
                BS->FreePool(t);
                log_error_status(err, "cannot install the TPM event log table: the kernel gets no event log");
                return;
        }
        *ret = (TpmEventlog) { .table = t, .previous = previous };
        log_info("%s event log for the kernel: %lu bytes (format %u), %u bytes of final events already in it",
                 source, (uint64_t) size, format, preboot);
}

void tpm_eventlog_undo(TpmEventlog *t) {
        static const EFI_GUID table_guid = LINUX_EFI_TPM_EVENT_LOG_GUID;
        if (!t->table)
                return;
        /* after ExitBootServices was called the table and its memory stay (efi.h) */
        if (efi_boot_services_gone)
                return;
        /* a NULL table removes the entry */
        EFI_STATUS err = BS->InstallConfigurationTable(&table_guid, t->previous);
        if (err != EFI_SUCCESS) {
                log_error_status(err, "cannot remove the TPM event log table (its memory stays)");
                return;
        }
        BS->FreePool(t->table);
        *t = (TpmEventlog) {};
}
