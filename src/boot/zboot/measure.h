/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "pe.h"
#include "uki-measure.h"

/* Measure data into a PCR the way systemd-stub does: an EV_IPL event whose event data is the
 * description as UTF-16 with its NUL, through EFI_TCG2_PROTOCOL and, on a confidential VM,
 * through EFI_CC_MEASUREMENT_PROTOCOL into the register MapPcrToMrIndex names (both when both
 * exist, as sd-stub does). True if at least one of them took the measurement. Without either
 * it logs once per boot and returns false; a failing protocol is logged and returns false. */
bool measure_ipl(uint32_t pcr, const void *data, size_t size, const char *description);

/* Measure a command line into PCR 12 as systemd-stub 257 does (tpm_log_load_options): an
 * EV_IPL event of the UTF-16 string with its NUL (size bytes) whose event data, the
 * description, is that same string. TPM and CC as measure_ipl(). */
bool measure_load_options(const char16_t *options, size_t size);

/* Measure data the way the kernel's EFI stub does: an EV_EVENT_TAG event carrying tag and the
 * ASCII description with its NUL, through EFI_TCG2_PROTOCOL, or EFI_CC_MEASUREMENT_PROTOCOL
 * when there is no TCG2. */
bool measure_tagged(uint32_t pcr, const void *data, size_t size, uint32_t tag, const char *description);

/* The same with the description as UTF-16 with its NUL, as systemd-stub 257 writes its tagged
 * events (profile number, add-ons' .ucode/.initrd/.dtb): the event log then holds the bytes
 * sd-stub's does. An ASCII description of at most 255 characters. Through EFI_TCG2_PROTOCOL
 * only, as 257 (tpm_log_tagged_event): never into the CC registers, so a confidential VM
 * without a TPM gets the same RTMRs as under sd-stub 257 (false there: not measured). */
bool measure_tagged_utf16(uint32_t pcr, const void *data, size_t size, uint32_t tag, const char *description);

/* The TPM's active PCR banks as EFI_TCG2_BOOT_HASH_ALG_* bits (SHA-1 0x1, SHA-256 0x2, SHA-384
 * 0x4, SHA-512 0x8, SM3 0x10), as sd-stub 258 reports them in LoaderTpm2ActivePcrBanks: 0 without
 * a TPM, UINT32_MAX ("any") when the protocol is too old to say. */
uint32_t measure_tpm_active_pcr_banks(void);

/* The UKI stub's PCR 11 measurements (sections selected by uki_profile_pcr11_select_picked()
 * for profile, with the .dtbauto at index dtbauto that the device tree step picked and the
 * .efifw at index efifw that the .efifw step picked, -1 for none; each its name with the NUL,
 * then its VirtualSize bytes at its RVA) of our loaded image (self: its headers in memory
 * layout). True if every one was measured. */
bool measure_uki_sections(const PeView *self, uint32_t profile, int dtbauto, int efifw);

/* The measurements that together make one claim to the OS, e.g. StubPcrKernelParameters
 * ("everything that went into PCR 12 for the kernel's parameters was measured"): each step
 * adds whether its measurement was taken; the claim holds if at least one was tried and none
 * failed. Zero-initialised: nothing tried. */
typedef struct {
        bool tried, failed;
} MeasuredSet;

static inline void measured_set_add(MeasuredSet *m, bool measured) {
        m->tried = true;
        m->failed |= !measured;
}

/* For the steps that return -1 when there was nothing to measure, else 0/1 (all taken). */
static inline void measured_set_add_result(MeasuredSet *m, int result) {
        if (result >= 0)
                measured_set_add(m, result > 0);
}

static inline void measured_set_merge(MeasuredSet *m, const MeasuredSet *other) {
        m->tried |= other->tried;
        m->failed |= other->failed;
}

static inline bool measured_set_all(const MeasuredSet *m) {
        return m->tried && !m->failed;
}
