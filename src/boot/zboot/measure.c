/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TPM measurements: the firmware hashes the data, extends the PCR and appends the event to
 * its log (which the kernel exposes as /sys/kernel/security/tpm0/binary_bios_measurements).
 * We never hash anything ourselves. Two event styles, because we stand in for two components:
 * systemd-stub (PCR 11 sections, PCR 12 command line: EV_IPL with a UTF-16 description) and,
 * on the native x86 path, the kernel's own EFI stub (PCR 9: EV_EVENT_TAG). Each also decides
 * where its events go on a confidential VM (MeasureRoute below, as each component does).
 * docs/security.md "Measured boot" has the table.
 */
#include "log.h"
#include "measure.h"
#include "uki-profile.h"
#include "pe.h"
#include "proto/cc-measurement.h"
#include "proto/tcg2.h"
#include "util.h"

/* The TCG2 protocol if a TPM is present, with its capability structure in *cap; NULL without. */
static EFI_TCG2_PROTOCOL *tcg2_get_capability(EFI_TCG2_BOOT_SERVICE_CAPABILITY *cap) {
        static const EFI_GUID guid = EFI_TCG2_PROTOCOL_GUID;
        EFI_TCG2_PROTOCOL *tcg = NULL;

        if (BS->LocateProtocol(&guid, NULL, (void **) &tcg) != EFI_SUCCESS || !tcg)
                return NULL;
        *cap = (EFI_TCG2_BOOT_SERVICE_CAPABILITY) { .Size = sizeof(*cap) };
        if (tcg->GetCapability(tcg, cap) != EFI_SUCCESS)
                return NULL;
        if (cap->StructureVersion.Major == 1 && cap->StructureVersion.Minor == 0)
                return ((EFI_TCG2_BOOT_SERVICE_CAPABILITY_1_0 *) cap)->TPMPresentFlag ? tcg : NULL;
        return cap->TPMPresentFlag ? tcg : NULL;
}

static EFI_TCG2_PROTOCOL *tcg2_get(void) {
        EFI_TCG2_BOOT_SERVICE_CAPABILITY cap;
        return tcg2_get_capability(&cap);
}

uint32_t measure_tpm_active_pcr_banks(void) {
        EFI_TCG2_BOOT_SERVICE_CAPABILITY cap;
        if (!tcg2_get_capability(&cap))
                return 0;
        /* a 1.0 structure, or one the firmware filled only up to before the field: no bank
         * information, which sd-stub reports as every bank */
        if ((cap.StructureVersion.Major == 1 && cap.StructureVersion.Minor == 0) ||
            cap.Size < offsetof(EFI_TCG2_BOOT_SERVICE_CAPABILITY, ActivePcrBanks) + sizeof(cap.ActivePcrBanks))
                return UINT32_MAX;
        return cap.ActivePcrBanks;
}

static EFI_CC_MEASUREMENT_PROTOCOL *cc_get(void) {
        static const EFI_GUID guid = EFI_CC_MEASUREMENT_PROTOCOL_GUID;
        EFI_CC_MEASUREMENT_PROTOCOL *cc = NULL;

        if (BS->LocateProtocol(&guid, NULL, (void **) &cc) != EFI_SUCCESS || !cc)
                return NULL;
        EFI_CC_BOOT_SERVICE_CAPABILITY cap = { .Size = sizeof(cap) };
        if (cc->GetCapability(cc, &cap) != EFI_SUCCESS || !(cap.SupportedEventLogs & EFI_CC_EVENT_LOG_FORMAT_TCG_2))
                return NULL;
        return cc;
}

static void log_no_tpm(void) {
        static bool logged;
        if (!logged)
                log_debug("no TPM (EFI_TCG2_PROTOCOL) and no EFI_CC_MEASUREMENT_PROTOCOL: nothing is measured");
        logged = true;
}

/* desc as UTF-16 with its NUL into out; its size, or 0 if it does not fit cap. */
static size_t desc_utf16(const char *desc, uint8_t *out, size_t cap) {
        size_t len = strlen(desc) + 1;
        if (len * sizeof(char16_t) > cap)
                return 0;
        for (size_t i = 0; i < len; i++) {
                char16_t c = (uint8_t) desc[i];
                memcpy(out + i * sizeof(c), &c, sizeof(c));
        }
        return len * sizeof(char16_t);
}

/* The event payload after the header: the UTF-16 description (EV_IPL) or a tagged event
 * (EV_EVENT_TAG) with the description in UTF-16 (utf16: systemd-stub's tagged events) or
 * ASCII (the kernel's EFI stub's), each with its NUL. Returns its size, or 0 if it does not
 * fit cap. */
static size_t event_payload(uint32_t type, uint32_t tag, bool utf16, const char *desc, uint8_t *out, size_t cap) {
        if (type == EV_IPL)
                return desc_utf16(desc, out, cap);
        EFI_TCG2_TAGGED_EVENT t = { .TaggedEventID = tag };
        if (sizeof(t) > cap)
                return 0;
        size_t len = utf16 ? desc_utf16(desc, out + sizeof(t), cap - sizeof(t)) : strlen(desc) + 1;
        if (len == 0 || sizeof(t) + len > cap)
                return 0;
        if (!utf16)
                memcpy(out + sizeof(t), desc, len);
        t.TaggedEventDataSize = (uint32_t) len;
        memcpy(out, &t, sizeof(t));
        return sizeof(t) + len;
}

/* room for a tagged event with a UTF-16 description of 255 characters (an add-on's name) */
#define PAYLOAD_MAX 528u

/* The event: header, then the n payload bytes (pool memory: a command line as description can
 * be long). */
static EFI_STATUS tcg2_extend(EFI_TCG2_PROTOCOL *tcg, uint32_t pcr, uint32_t type, const void *payload, size_t n,
                              const void *data, size_t size) {
        _cleanup_pool_ EFI_TCG2_EVENT *e = NULL;
        if (n > UINT32_MAX - sizeof(*e) ||
            BS->AllocatePool(EfiLoaderData, sizeof(*e) + n, (void **) &e) != EFI_SUCCESS)
                return EFI_OUT_OF_RESOURCES;
        e->Size = (uint32_t) (sizeof(*e) + n);
        e->Header = (EFI_TCG2_EVENT_HEADER) {
                .HeaderSize = sizeof(EFI_TCG2_EVENT_HEADER),
                .HeaderVersion = EFI_TCG2_EVENT_HEADER_VERSION,
                .PCRIndex = pcr,
                .EventType = type,
        };
        memcpy((uint8_t *) e + sizeof(*e), payload, n);
        return tcg->HashLogExtendEvent(tcg, 0, (EFI_PHYSICAL_ADDRESS) (uintptr_t) data, size, e);
}

static EFI_STATUS cc_extend(EFI_CC_MEASUREMENT_PROTOCOL *cc, uint32_t pcr, uint32_t type, const void *payload,
                            size_t n, const void *data, size_t size) {
        _cleanup_pool_ EFI_CC_EVENT *e = NULL;
        uint32_t mr;
        EFI_STATUS err = cc->MapPcrToMrIndex(cc, pcr, &mr);
        if (err != EFI_SUCCESS)
                return err;
        if (n > UINT32_MAX - sizeof(*e) ||
            BS->AllocatePool(EfiLoaderData, sizeof(*e) + n, (void **) &e) != EFI_SUCCESS)
                return EFI_OUT_OF_RESOURCES;
        e->Size = (uint32_t) (sizeof(*e) + n);
        e->Header = (EFI_CC_EVENT_HEADER) {
                .HeaderSize = sizeof(EFI_CC_EVENT_HEADER),
                .HeaderVersion = EFI_CC_EVENT_HEADER_VERSION,
                .MrIndex = mr,
                .EventType = type,
        };
        memcpy((uint8_t *) e + sizeof(*e), payload, n);
        return cc->HashLogExtendEvent(cc, 0, (EFI_PHYSICAL_ADDRESS) (uintptr_t) data, size, e);
}

/* Which protocols take an event, following the component we stand in for. */
typedef enum {
        ROUTE_TPM_AND_CC,  /* sd-stub 257's EV_IPL events: CC and TPM when both exist */
        ROUTE_TPM_ELSE_CC, /* the kernel's EFI stub (Linux >= 6.10): the TPM, else CC */
        ROUTE_TPM_ONLY,    /* sd-stub 257's tagged events: the TPM only, never CC */
} MeasureRoute;

/* what names the measurement in error messages. */
static bool measure_payload(uint32_t pcr, uint32_t type, const void *payload, size_t n, const char *what,
                            const void *data, size_t size, MeasureRoute route) {
        EFI_TCG2_PROTOCOL *tcg = tcg2_get();
        bool want_cc = route == ROUTE_TPM_AND_CC || (route == ROUTE_TPM_ELSE_CC && !tcg);
        EFI_CC_MEASUREMENT_PROTOCOL *cc = want_cc ? cc_get() : NULL;
        bool measured = false;
        EFI_STATUS err;

        if (!tcg && !cc) {
                if (route == ROUTE_TPM_ONLY && cc_get())
                        log_warning("no TPM: \"%s\" not measured into PCR %u (systemd-stub 257 measures its "
                                 "tagged events into the TPM only, never into the CC registers)", what, pcr);
                else
                        log_no_tpm();
                return false;
        }
        if (cc) {
                err = cc_extend(cc, pcr, type, payload, n, data, size);
                if (err != EFI_SUCCESS)
                        log_error_status(err, "cannot measure %s into the CC register for PCR %u", what, pcr);
                measured |= err == EFI_SUCCESS;
        }
        if (tcg) {
                err = tcg2_extend(tcg, pcr, type, payload, n, data, size);
                if (err != EFI_SUCCESS)
                        log_error_status(err, "cannot measure %s into PCR %u", what, pcr);
                measured |= err == EFI_SUCCESS;
        }
        return measured;
}

static bool measure(uint32_t pcr, uint32_t type, uint32_t tag, bool utf16, const char *desc, const void *data, size_t size,
                    MeasureRoute route) {
        uint8_t buf[PAYLOAD_MAX];
        size_t n = event_payload(type, tag, utf16, desc, buf, sizeof(buf));
        if (n == 0) {
                log_error_status(EFI_BUFFER_TOO_SMALL, "cannot measure %s into PCR %u", desc, pcr);
                return false;
        }
        return measure_payload(pcr, type, buf, n, desc, data, size, route);
}

bool measure_ipl(uint32_t pcr, const void *data, size_t size, const char *description) {
        return measure(pcr, EV_IPL, 0, true, description, data, size, ROUTE_TPM_AND_CC);
}

bool measure_load_options(const char16_t *options, size_t size) {
        return measure_payload(PCR_KERNEL_CONFIG, EV_IPL, options, size, "the kernel command line", options, size,
                               ROUTE_TPM_AND_CC);
}

bool measure_tagged(uint32_t pcr, const void *data, size_t size, uint32_t tag, const char *description) {
        return measure(pcr, EV_EVENT_TAG, tag, false, description, data, size, ROUTE_TPM_ELSE_CC);
}

bool measure_tagged_utf16(uint32_t pcr, const void *data, size_t size, uint32_t tag, const char *description) {
        return measure(pcr, EV_EVENT_TAG, tag, true, description, data, size, ROUTE_TPM_ONLY);
}

bool measure_uki_sections(const PeView *self, uint32_t profile, int dtbauto, int efifw) {
        UkiMeasuredSection sel[UKI_SECTION_COUNT];

        size_t n = 0;
        if (!uki_profile_pcr11_select_picked(pe_section_table(self), self->n_sections, profile, dtbauto, efifw, sel, &n))
                return false;
        bool all = n > 0;
        unsigned count = 0;
        for (size_t i = 0; i < n; i++) {
                const char *name = uki_section_name(sel[i].kind);
                size_t size;
                const uint8_t *data = pe_section_data(self, sel[i].index, &size);
                if (!data) {
                        log_warning("%s lies outside our image: not measured", name);
                        all = false;
                        continue;
                }
                /* First the name with its NUL, then the contents, both with the name as description. */
                bool ok = measure_ipl(PCR_KERNEL_BOOT, name, strlen(name) + 1, name);
                if (!ok)
                        return false;   /* no TPM (logged once) or it fails: no use going on */
                ok = measure_ipl(PCR_KERNEL_BOOT, data, size, name);
                all &= ok;
                count += ok;
        }
        if (count)
                log_info("measured %u UKI sections into PCR %u", count, PCR_KERNEL_BOOT);
        return all;
}
