/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "measure.h"
#include "proto/loaded-image.h"

/* What the UKI stub measured, as the StubPcr* variables report it. */
typedef struct {
        bool kernel_image;              /* PCR 11: every UKI section of the profile */
        MeasuredSet kernel_parameters;  /* PCR 12: profile, command line, add-ons' .cmdline, the
                                         * SMBIOS extra, device trees, add-ons' initrds, credentials */
        bool initrd_sysexts;            /* PCR 13: side-loaded system extensions */
        bool initrd_confexts;           /* PCR 12: side-loaded configuration extensions (not
                                         * part of StubPcrKernelParameters, as in sd-stub 257) */
} StubMeasurements;

/* Boot step: the volatile LoaderInfo variables the stub sets for userspace, as sd-stub 257
 * does (docs/stub.md): StubInfo, StubFeatures, LoaderDevicePartUUID (unless the boot manager
 * set it), StubDevicePartUUID, StubImageIdentifier, StubProfile, the StubPcr* variables
 * for what m says was measured, StubDeviceURL (HTTP boot, 258), and (as sd-stub, when no boot
 * manager set them) LoaderImageIdentifier, LoaderFirmwareInfo, LoaderFirmwareType,
 * LoaderTpm2ActivePcrBanks, LoaderKeyboardLayout and LoaderDeviceURL. Failures are logged; the
 * boot goes on. */
void stub_variables_export(EFI_LOADED_IMAGE_PROTOCOL *li, uint32_t profile, const StubMeasurements *m);
