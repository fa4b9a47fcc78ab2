/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Measured boot, the pure part: which UKI sections systemd-stub 257 measures into PCR 11 and in
 * which order, the PCR numbers shared with systemd and the kernel, and the PCR 11 prediction
 * (what ukify/systemd-measure compute). No hashing here: digests come from the TPM on the EFI
 * side and from libcrypto on the host, through the callback. docs/security.md "Measured boot".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pe-format.h"

/* PCRs (TCG PC Client / systemd's assignments). */
#define PCR_PLATFORM_CONFIG  1u  /* the firmware's configuration; SMBIOS (systemd-stub 261) */
#define PCR_KERNEL_INITRD    9u  /* the kernel's EFI stub: LoadOptions and the LoadFile2 initrd */
#define PCR_KERNEL_BOOT     11u  /* systemd-stub: the UKI's sections */
#define PCR_KERNEL_CONFIG   12u  /* systemd-stub: a command line from LoadOptions */
#define PCR_SYSEXTS         13u  /* systemd-stub: system extension images (we pass none) */

#define MEASURE_DIGEST_SIZE 32u  /* SHA-256 */

/* Event tags of the kernel's EFI stub (EV_EVENT_TAG), and their ASCII descriptions. */
#define LINUX_INITRD_EVENT_TAG_ID       UINT32_C(0x8F3B22EC)
#define LINUX_LOAD_OPTIONS_EVENT_TAG_ID UINT32_C(0x8F3B22ED)
#define LINUX_INITRD_EVENT_DESC         "Linux initrd"
#define LINUX_LOAD_OPTIONS_EVENT_DESC   "LOADED_IMAGE::LoadOptions"

/* The UKI sections systemd-stub knows, in its canonical measurement order. .pcrsig is never
 * measured (it signs the PCR values); .dtbauto and .efifw (258) are left out (sd-stub measures
 * the one matching the machine's hardware IDs, which a host cannot predict: docs/security.md). */
enum {
        UKI_SECTION_LINUX,
        UKI_SECTION_OSREL,
        UKI_SECTION_CMDLINE,
        UKI_SECTION_INITRD,
        UKI_SECTION_UCODE,
        UKI_SECTION_SPLASH,
        UKI_SECTION_DTB,
        UKI_SECTION_UNAME,
        UKI_SECTION_SBAT,
        UKI_SECTION_PCRSIG,
        UKI_SECTION_PCRPKEY,
        UKI_SECTION_PROFILE,
        UKI_SECTION_DTBAUTO,
        UKI_SECTION_HWIDS,
        UKI_SECTION_EFIFW,
        UKI_SECTION_COUNT,
};

/* ".linux" ... for a UKI_SECTION_* value, NULL out of range. */
const char *uki_section_name(unsigned kind);
bool uki_section_measured(unsigned kind);

typedef struct {
        unsigned kind;          /* UKI_SECTION_* */
        uint16_t index;         /* into the section table */
} UkiMeasuredSection;

/* Which sections are measured into PCR 11, in which order, for a profile: uki_pcr11_select() and
 * uki_profile_pcr11_select() in uki-profile.h. */

/* SHA-256 of data (the caller's implementation: libcrypto on the host). */
typedef bool (*MeasureSha256)(const void *data, size_t size, uint8_t out[MEASURE_DIGEST_SIZE], void *userdata);

/* PCR extend: pcr = SHA-256(pcr || digest). */
bool measure_extend(uint8_t pcr[MEASURE_DIGEST_SIZE], const uint8_t digest[MEASURE_DIGEST_SIZE], MeasureSha256 h,
                    void *userdata);

typedef struct {
        unsigned kind;                            /* UKI_SECTION_* */
        uint8_t digest[MEASURE_DIGEST_SIZE];      /* SHA-256 of the section's VirtualSize bytes in memory */
} UkiSectionDigest;

/* PCR 11 after systemd-stub's measurements from a zero PCR: per section (in the given order,
 * as uki_pcr11_select() returns it) the name with its NUL, then the contents. */
bool uki_pcr11_predict(const UkiSectionDigest *s, size_t n, MeasureSha256 h, void *userdata,
                       uint8_t pcr[MEASURE_DIGEST_SIZE]);

/* systemd-stub's normalisation of a command line from LoadOptions, which it measures into
 * PCR 12 and passes on: the string ends at the first NUL or after len units; leading
 * whitespace is dropped, every other character <= 0x20 or 0x7f becomes a space, trailing
 * whitespace is dropped. In place; writes the NUL (s must hold len + 1 units) and returns the
 * new length. */
size_t measure_mangle_cmdline(uint16_t *s, size_t len);
