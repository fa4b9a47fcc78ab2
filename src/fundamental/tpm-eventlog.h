/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The firmware's TPM event log as EFI_TCG2_PROTOCOL.GetEventLog() describes it: the address of
 * the first entry and of the last one, no size. The size is the last entry's offset plus the
 * last entry's own size, which for the crypto-agile (TCG 2) format depends on the digest sizes
 * the log's first event, the Spec ID event, lists. The kernel's EFI stub computes it the same
 * way before it copies the log into its LINUX_EFI_TPM_EVENT_LOG table (the EFI side of this is
 * src/boot/zboot/tpm-eventlog-efi.c; docs/x86-boot.md "TPM event log"). Every function takes
 * (pointer, length) and reads nothing outside it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* EFI_TCG2_EVENT_LOG_FORMAT: also the table's version byte */
#define TPM_EVENTLOG_FORMAT_TCG_1_2 UINT32_C(1)
#define TPM_EVENTLOG_FORMAT_TCG_2   UINT32_C(2)

#define TPM_TCPA_EVENT_HDR   32u   /* TCG 1.2 event / Spec ID event: PCR, type, SHA-1 digest, data size */
#define TPM_TCG2_EVENT_HEAD  12u   /* crypto-agile event: PCR, type, digest count (digests follow) */
#define TPM_SPEC_ID_HDR      28u   /* Spec ID event data before its algorithm list */
#define TPM_SPEC_ID_SIGNATURE "Spec ID Event03"   /* 16 bytes with the NUL */

/* The Linux table (include/linux/efi.h struct linux_efi_tpm_eventlog, not packed: the log
 * starts at byte 9, the structure is 12 bytes). */
#define LINUX_TPM_EVENTLOG_SIZE          0u   /* le32: bytes of log */
#define LINUX_TPM_EVENTLOG_FINAL_PREBOOT 4u   /* le32: bytes of final-events-table events already there */
#define LINUX_TPM_EVENTLOG_VERSION       8u   /* u8: the format */
#define LINUX_TPM_EVENTLOG_LOG           9u
#define LINUX_TPM_EVENTLOG_STRUCT       12u   /* what the kernel's stub allocates before the log bytes */

/* EFI_TCG2_FINAL_EVENTS_TABLE: le64 version, le64 number of events, then the events */
#define TPM_FINAL_EVENTS_COUNT  8u
#define TPM_FINAL_EVENTS_EVENTS 16u

/* The digest sizes of a crypto-agile log, from its Spec ID event: n_algs entries of (le16
 * algorithm, le16 size) at algs, inside the log. */
typedef struct {
        const uint8_t *algs;
        uint32_t n_algs;
} TpmSpecId;

/* The Spec ID event at the start of log[0..len): a TCG 1.2-format event whose data starts
 * with TPM_SPEC_ID_SIGNATURE and lists at least one algorithm, all inside its data and len. */
bool tpm_spec_id(const uint8_t *log, size_t len, TpmSpecId *ret);

/* The size of the crypto-agile event at ev[0..len) (header, digests, data size, data), or 0
 * if it does not parse: more digests than the Spec ID lists, an algorithm it does not list,
 * anything past len, or the empty terminator (type 0, no data) the kernel also counts as 0. */
size_t tpm_tcg2_event_size(const TpmSpecId *spec, const uint8_t *ev, size_t len);

/* The size of the firmware's log log[0..len) whose last entry is at offset last (from the
 * first entry; has_last false: GetEventLog gave no last entry, the log is empty and its size
 * 0). False if the format is unknown or the entries do not parse inside len. */
bool tpm_eventlog_size(const uint8_t *log, size_t len, uint32_t format, bool has_last, size_t last, size_t *ret);

/* The bytes the first n events of a final events table's events[0..len) take, digest sizes
 * from spec: the table's final_events_preboot_size. Counting stops at the first event that does
 * not parse (the kernel's stub counts such an event as 0 bytes and so stops growing too). */
size_t tpm_final_events_size(const TpmSpecId *spec, const uint8_t *events, size_t len, uint64_t n);
