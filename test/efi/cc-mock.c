/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in EFI_CC_MEASUREMENT_PROTOCOL (UEFI 2.10 "Confidential Computing") for boot tests:
 * QEMU has no confidential VM here, and OVMF without a TPM has no measurement protocol at all.
 * Loaded as a boot service driver from the UEFI Shell (`load`), it installs the protocol on a
 * new handle and reports every call on the console:
 *
 *   cc-mock: map pcr=<n> mr=<n>
 *   cc-mock: extend mr=<n> type=0x<t> flags=0x<f> len=0x<n> sha384=<hex> event=<hex>
 *   cc-mock: get-event-log format=<n> first=0x<a> last=0x<a> size=0x<n>
 *   cc-mock: invalid <what>
 *
 * The registers are Intel TDX's as the UEFI specification maps them (PCR 0 -> MR 0 (MRTD),
 * PCR 1 and 7 -> MR 1 (RTMR[0]), PCR 2-6 -> MR 2 (RTMR[1]), PCR 8-15 -> MR 3 (RTMR[2])), and
 * the one bank is SHA-384 as in a real TD (GetCapability reports only SHA-384, the log's Spec
 * ID event lists only SHA-384), hashed with libmd's sha2.c: a caller that assumed SHA-256 sizes
 * would write or size the log wrong. Only MR 1-3 can be extended (MRTD is the TD's build-time
 * measurement). `event` is the event data after the EFI_CC_EVENT header, `sha384` the digest of
 * the DataToHash bytes. With the PE/COFF flag
 * (OVMF's LoadImage measures every image it loads into PCR 4 through this protocol once it
 * exists) the bytes are hashed flat, not Authenticode-style as real firmware does: the test
 * only needs to know which image it was.
 *
 * The mock keeps a crypto-agile (TCG 2 format) event log as such firmware does: a Spec ID
 * event (one algorithm, SHA-384), then one TCG_PCR_EVENT2-shaped CC_EVENT per logged extend
 * (the MR index where a TPM log has the PCR). GetEventLog returns its first and last entry;
 * from the first call on, events also go into an EFI_CC_FINAL_EVENTS_TABLE configuration
 * table, as the specification asks. Both in EfiACPIReclaimMemory, so a kernel may read them.
 */
#include <sha2.h>

#include "log.h"
#include "proto/cc-measurement.h"
#include "mock-driver.h"
#include "unaligned.h"
#include "util.h"

#define LOG_CAP         (64u << 10)
#define FINAL_CAP       (16u << 10)
#define ALG_SHA384      0x000cu       /* TPM_ALG_SHA384 */
#define EV_NO_ACTION    3u
#define HASH_ALG_SHA384 0x00000004u   /* EFI_TCG2_BOOT_HASH_ALG_SHA384 */
#define CC_TYPE_TDX     2u
#define FLAG_EXTEND_ONLY  UINT64_C(0x1)
#define EVENT2_HEAD     (4u + 4u + 4u + 2u + SHA384_DIGEST_LENGTH + 4u)   /* before the event data */

static uint8_t *log_buf;        /* the event log */
static size_t log_len;          /* bytes used */
static size_t log_last;         /* offset of the last entry (0: only the Spec ID event) */
static bool log_truncated;
static uint8_t *final_buf;      /* EFI_CC_FINAL_EVENTS_TABLE, installed by the first GetEventLog */
static size_t final_len;

static void hex(const uint8_t *p, size_t n, char *out) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[p[i] >> 4];
                out[2 * i + 1] = digits[p[i] & 15];
        }
        out[2 * n] = 0;
}

/* The Spec ID event: a TCG 1.2-shaped event (PCR 0, EV_NO_ACTION, 20 zero bytes of SHA-1)
 * whose data is TCG_EfiSpecIDEventStruct listing SHA-384 alone. */
static void log_start(void) {
        uint8_t *p = log_buf;
        uint32_t data = 16 + 4 + 4 + 4 + 4 + 1;
        memset(p, 0, 32 + data);
        put_le32(p + 4, EV_NO_ACTION);
        put_le32(p + 28, data);
        uint8_t *d = p + 32;
        memcpy(d, "Spec ID Event03", 16);
        d[21] = 2;                      /* specVersionMajor (platformClass, minor stay 0) */
        d[23] = 2;                      /* uintnSize: 64-bit */
        put_le32(d + 24, 1);            /* numberOfAlgorithms */
        put_le16(d + 28, ALG_SHA384);
        put_le16(d + 30, SHA384_DIGEST_LENGTH);
        log_len = 32 + data;            /* vendorInfoSize 0 */
}

/* One CC_EVENT at out (room for it checked by the caller). */
static void event2(uint8_t *out, uint32_t mr, uint32_t type, const uint8_t digest[SHA384_DIGEST_LENGTH],
                   const uint8_t *data, uint32_t n) {
        put_le32(out, mr);
        put_le32(out + 4, type);
        put_le32(out + 8, 1);
        put_le16(out + 12, ALG_SHA384);
        memcpy(out + 14, digest, SHA384_DIGEST_LENGTH);
        put_le32(out + 14 + SHA384_DIGEST_LENGTH, n);
        memcpy(out + EVENT2_HEAD, data, n);
}

static void log_append(uint32_t mr, uint32_t type, const uint8_t digest[SHA384_DIGEST_LENGTH], const uint8_t *data,
                       uint32_t n) {
        size_t size = EVENT2_HEAD + (size_t) n;
        if (size > LOG_CAP - log_len) {
                log_truncated = true;
                log_info("invalid event: the log is full");
                return;
        }
        event2(log_buf + log_len, mr, type, digest, data, n);
        log_last = log_len;
        log_len += size;
        if (!final_buf)
                return;
        if (size > FINAL_CAP - final_len) {
                log_info("invalid event: the final events table is full");
                return;
        }
        event2(final_buf + final_len, mr, type, digest, data, n);
        final_len += size;
        put_le64(final_buf + 8, get_le64(final_buf + 8) + 1);
}

static EFI_STATUS EFIAPI mock_get_capability(EFI_CC_MEASUREMENT_PROTOCOL *This, EFI_CC_BOOT_SERVICE_CAPABILITY *cap) {
        (void) This;
        if (!cap)
                return EFI_INVALID_PARAMETER;
        EFI_CC_BOOT_SERVICE_CAPABILITY c = {
                .Size = sizeof(c),
                .StructureVersion = { 1, 0 },
                .ProtocolVersion = { 1, 0 },
                .HashAlgorithmBitmap = HASH_ALG_SHA384,
                .SupportedEventLogs = EFI_CC_EVENT_LOG_FORMAT_TCG_2,
                .CcType = CC_TYPE_TDX,
        };
        size_t n = cap->Size < sizeof(c) ? cap->Size : sizeof(c);
        memcpy(cap, &c, n);
        cap->Size = (uint8_t) n;
        return n < sizeof(c) ? EFI_BUFFER_TOO_SMALL : EFI_SUCCESS;
}

static EFI_STATUS EFIAPI mock_get_event_log(EFI_CC_MEASUREMENT_PROTOCOL *This, uint32_t format,
                                            EFI_PHYSICAL_ADDRESS *first, EFI_PHYSICAL_ADDRESS *last, bool *truncated) {
        (void) This;
        if (format != EFI_CC_EVENT_LOG_FORMAT_TCG_2 || !first || !last || !truncated) {
                log_info("invalid get-event-log format=%u", format);
                return EFI_INVALID_PARAMETER;
        }
        if (!final_buf) {
                static const EFI_GUID guid = EFI_CC_FINAL_EVENTS_TABLE_GUID;
                if (BS->AllocatePool(EfiACPIReclaimMemory, FINAL_CAP, (void **) &final_buf) != EFI_SUCCESS) {
                        log_info("invalid get-event-log: no memory for the final events table");
                        return EFI_DEVICE_ERROR;
                }
                memset(final_buf, 0, FINAL_CAP);
                put_le64(final_buf, 1);         /* version; no events yet */
                final_len = 16;
                EFI_STATUS err = BS->InstallConfigurationTable(&guid, final_buf);
                if (err != EFI_SUCCESS) {
                        BS->FreePool(final_buf);
                        final_buf = NULL;
                        log_info("invalid get-event-log: cannot install the final events table");
                        return EFI_DEVICE_ERROR;
                }
        }
        *first = (EFI_PHYSICAL_ADDRESS) (uintptr_t) log_buf;
        *last = log_last ? (EFI_PHYSICAL_ADDRESS) (uintptr_t) (log_buf + log_last) : 0;
        *truncated = log_truncated;
        log_info("get-event-log format=%u first=0x%lx last=0x%lx size=0x%lx", format, *first, *last, (uint64_t) log_len);
        return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI mock_hash_log_extend_event(EFI_CC_MEASUREMENT_PROTOCOL *This, uint64_t flags,
                                                    EFI_PHYSICAL_ADDRESS data, uint64_t len, EFI_CC_EVENT *ev) {
        (void) This;
        if (!ev || ev->Size < sizeof(*ev) || ev->Header.HeaderSize != sizeof(EFI_CC_EVENT_HEADER) ||
            ev->Header.HeaderVersion != EFI_CC_EVENT_HEADER_VERSION || (len > 0 && data == 0)) {
                log_info("invalid extend: bad event header or data");
                return EFI_INVALID_PARAMETER;
        }
        uint32_t mr = ev->Header.MrIndex, type = ev->Header.EventType, n = ev->Size - (uint32_t) sizeof(*ev);
        if (mr == 0 || mr > 3) {
                log_info("invalid extend: mr=%u", mr);
                return EFI_INVALID_PARAMETER;
        }
        uint8_t digest[SHA384_DIGEST_LENGTH];
        SHA2_CTX ctx;
        SHA384Init(&ctx);
        if (len > 0)
                SHA384Update(&ctx, (const uint8_t *) (uintptr_t) data, (size_t) len);
        SHA384Final(digest, &ctx);

        char dh[2 * SHA384_DIGEST_LENGTH + 1];
        hex(digest, sizeof(digest), dh);
        char *eh = NULL;
        if (BS->AllocatePool(EfiBootServicesData, 2 * (size_t) n + 1, (void **) &eh) != EFI_SUCCESS) {
                log_info("invalid extend: no memory to print the event");
                return EFI_OUT_OF_RESOURCES;
        }
        hex(ev->Event, n, eh);
        log_info("extend mr=%u type=0x%x flags=0x%lx len=0x%lx sha384=%s event=%s", mr, type, flags, len, dh, eh);
        BS->FreePool(eh);
        if (!(flags & FLAG_EXTEND_ONLY))
                log_append(mr, type, digest, ev->Event, n);
        return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI mock_map_pcr_to_mr_index(EFI_CC_MEASUREMENT_PROTOCOL *This, uint32_t pcr, uint32_t *mr) {
        (void) This;
        if (!mr || pcr > 15) {
                log_info("invalid map pcr=%u", pcr);
                return EFI_INVALID_PARAMETER;
        }
        *mr = pcr == 0 ? 0 : (pcr == 1 || pcr == 7) ? 1 : pcr <= 6 ? 2 : 3;
        log_info("map pcr=%u mr=%u", pcr, *mr);
        return EFI_SUCCESS;
}

static EFI_CC_MEASUREMENT_PROTOCOL mock = {
        .GetCapability = mock_get_capability,
        .GetEventLog = mock_get_event_log,
        .HashLogExtendEvent = mock_hash_log_extend_event,
        .MapPcrToMrIndex = mock_map_pcr_to_mr_index,
};

/* The event log lives as long as the driver (EfiACPIReclaimMemory, as firmware keeps its own). */
static EFI_STATUS setup(void) {
        EFI_STATUS err = BS->AllocatePool(EfiACPIReclaimMemory, LOG_CAP, (void **) &log_buf);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate the event log");
        log_start();
        return EFI_SUCCESS;
}

static void undo(void) {
        BS->FreePool(log_buf);
        log_buf = NULL;
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);
EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table) {
        static const EFI_GUID guid = EFI_CC_MEASUREMENT_PROTOCOL_GUID;
        (void) image;
        return mock_driver_start(system_table, "cc-mock", &guid, &mock, setup, undo);
}
