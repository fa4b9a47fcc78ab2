/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot step: the loader variables the UKI stub leaves for userspace (systemd's LoaderInfo
 * vendor GUID, volatile: boot and runtime access, never stored). This file sets them and
 * decides which StubPcr* variables are set; only LoaderPcrSMBIOS is set elsewhere, by
 * smbios-measure.c right after the PCR 1 events it names.
 */
#include "device-path.h"
#include "efivars.h"
#include "keyboard-layout.h"
#include "log.h"
#include "measure.h"
#include "proto/device-path.h"
#include "stub-variables.h"
#include "uki-measure.h"
#include "util.h"
#include "version.h" /* PROJECT_VERSION */

/* StubFeatures bits (docs/BOOT_LOADER_INTERFACE.md); we claim only what we do:
 * bit 0  REPORT_BOOT_PARTITION: we set LoaderDevicePartUUID when the boot manager did not;
 * bit 10 REPORT_STUB_PARTITION: we set StubDevicePartUUID and StubImageIdentifier;
 * bit 6  CMDLINE_SMBIOS: we append SMBIOS type 11 io.systemd.stub.kernel-cmdline-extra.
 * bits 1, 2, 8 PICK_UP_CREDENTIALS/SYSEXTS/CONFEXTS and 3 THREE_PCRS (11, 12 and 13): initrd-list.c.
 * bit 5  CMDLINE_ADDONS: .cmdline of add-ons (addons.c).
 * bit 7  DEVICETREE_ADDONS: .dtb/.dtbauto of add-ons (addons.c, devicetree.c).
 * bit 4  RANDOM_SEED: \loader\random-seed refreshed, LINUX_EFI_RANDOM_SEED table (random-seed.c).
 * bit 11 REPORT_URL (258): StubDeviceURL and LoaderDeviceURL on HTTP boot (export_url()).
 * Bit 12 (262) is not claimed. docs/stub.md. */
#define STUB_FEATURE_REPORT_BOOT_PARTITION (UINT64_C(1) << 0)
#define STUB_FEATURE_REPORT_STUB_PARTITION (UINT64_C(1) << 10)
#define STUB_FEATURE_CMDLINE_SMBIOS (UINT64_C(1) << 6)   /* smbios-efi.c */
#define STUB_FEATURE_SIDELOAD (UINT64_C(1) << 1 | UINT64_C(1) << 2 | UINT64_C(1) << 3 | UINT64_C(1) << 8)
#define STUB_FEATURE_MULTI_PROFILE_UKI     (UINT64_C(1) << 9)   /* "@N" selects a .profile */
#define STUB_FEATURE_CMDLINE_ADDONS (UINT64_C(1) << 5)   /* addons.c */
#define STUB_FEATURE_DEVICETREE_ADDONS (UINT64_C(1) << 7)   /* addons.c, devicetree.c */
#define STUB_FEATURE_RANDOM_SEED (UINT64_C(1) << 4)      /* random-seed.c */
#define STUB_FEATURE_REPORT_URL (UINT64_C(1) << 11)      /* StubDeviceURL, LoaderDeviceURL (258) */

#define DP_MAX 4096   /* no device path we read is longer; a bound for a corrupt one */

static const EFI_GUID loader_guid = LOADER_INFO_GUID;

/* Set a volatile (BS|RT) LoaderInfo variable; logs and returns false on failure. */
static bool loader_variable_set(const char16_t *name, const void *data, size_t size) {
        return efivar_set_volatile(&loader_guid, name, data, size);
}

/* True if a LoaderInfo variable of that name exists (a boot manager may have set it). */
static bool loader_variable_exists(const char16_t *name) {
        return efivar_exists(&loader_guid, name);
}

/* A number as sd-stub sets it (StubPcr*, StubProfile): UTF-16 decimal with its NUL. */
static void set_decimal_variable(const char16_t *name, uint32_t v) {
        char16_t text[11];
        (void) loader_variable_set(name, text, utf16_decimal(v, text));
}

/* The GPT partition GUID of the device we were loaded from (device-path.c: uppercase, as sd-boot
 * 252 writes LoaderDevicePartUUID). */
static bool partition_uuid(EFI_HANDLE dev, char16_t out[DEVICE_PATH_UUID_LEN + 1]) {
        static const EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
        const EFI_DEVICE_PATH_PROTOCOL *n;
        if (!dev || BS->HandleProtocol(dev, &dp_guid, (void **) &n) != EFI_SUCCESS || !n)
                return false;
        return device_path_partition_uuid(n, DP_MAX, out);
}

/* The URL of the device we were loaded from, when its device path has a URI node (HTTP boot:
 * device-path.c, sd-stub 262's decoding): StubDeviceURL, and LoaderDeviceURL unless the boot
 * manager set it (sd-stub 258). */
static void export_url(EFI_HANDLE dev) {
        static const EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
        const EFI_DEVICE_PATH_PROTOCOL *n;
        _cleanup_pool_ char16_t *url = NULL;
        if (!dev || BS->HandleProtocol(dev, &dp_guid, (void **) &n) != EFI_SUCCESS || !n ||
            BS->AllocatePool(EfiLoaderData, DP_MAX * sizeof(char16_t), (void **) &url) != EFI_SUCCESS)
                return;
        /* a node of the path has fewer bytes than DP_MAX, and each unit takes at least one */
        size_t k = device_path_uri_text(n, DP_MAX, url, DP_MAX);
        if (k == 0)
                return;
        (void) loader_variable_set(u"StubDeviceURL", url, (k + 1) * sizeof(char16_t));
        if (!loader_variable_exists(u"LoaderDeviceURL"))
                (void) loader_variable_set(u"LoaderDeviceURL", url, (k + 1) * sizeof(char16_t));
}

/* Where we measured: a StubPcr* variable only for what was measured (sd-stub 257's rule). */
static void export_pcr_variables(const StubMeasurements *m) {
        if (m->initrd_sysexts)
                set_decimal_variable(u"StubPcrInitRDSysExts", PCR_SYSEXTS);
        if (m->initrd_confexts)
                set_decimal_variable(u"StubPcrInitRDConfExts", PCR_KERNEL_CONFIG);
        if (m->kernel_image)
                set_decimal_variable(u"StubPcrKernelImage", PCR_KERNEL_BOOT);
        if (measured_set_all(&m->kernel_parameters))
                set_decimal_variable(u"StubPcrKernelParameters", PCR_KERNEL_CONFIG);
}

/* Append text (at most max characters, stopping at its NUL) to out[*at..cap); false if it does not
 * fit with a NUL after it. */
static bool text_append(char16_t *out, size_t cap, size_t *at, const char16_t *text, size_t max) {
        size_t n = strnlen16(text, max);
        if (n >= cap - *at)
                return false;
        for (size_t i = 0; i < n; i++)
                out[(*at)++] = text[i];
        out[*at] = 0;
        return true;
}

/* "<prefix><major>.<minor>" with the minor at least two digits, as sd-stub formats a revision
 * ("%u.%02u": 0x00020046 is "2.70", 0x00010000 "1.00"); the size in bytes with the NUL, 0 if
 * it does not fit. */
static size_t revision_text(const char16_t *prefix, size_t prefix_max, uint32_t revision, char16_t *out, size_t cap) {
        char16_t major[11], minor[11];
        size_t at = 0;
        out[0] = 0;
        (void) utf16_decimal(revision >> 16, major);
        (void) utf16_decimal(revision & 0xffffu, minor);
        if (!text_append(out, cap, &at, prefix, prefix_max) || !text_append(out, cap, &at, major, 10) ||
            !text_append(out, cap, &at, u".", 1) ||
            ((revision & 0xffffu) < 10 && !text_append(out, cap, &at, u"0", 1)) ||
            !text_append(out, cap, &at, minor, 10))
                return 0;
        return (at + 1) * sizeof(char16_t);
}

/* "0x" and v as eight lower-case hex digits with a NUL (sd-stub's "0x%08x"); the size in bytes. */
static size_t utf16_hex32(uint32_t v, char16_t out[11]) {
        out[0] = u'0';
        out[1] = u'x';
        for (unsigned i = 0; i < 8; i++) {
                unsigned d = (v >> (28 - 4 * i)) & 0xfu;
                out[2 + i] = (char16_t) (d < 10 ? u'0' + d : u'a' + d - 10);
        }
        out[10] = 0;
        return 11 * sizeof(char16_t);
}

/* What sd-stub sets when no boot manager did (the firmware started the UKI directly): 257's
 * LoaderImageIdentifier (our FilePath's text), LoaderFirmwareInfo ("<FirmwareVendor>
 * <FirmwareRevision>") and LoaderFirmwareType ("UEFI <system table revision>"), 258's
 * LoaderTpm2ActivePcrBanks ("0x%08x" of the TPM's active banks, 0 without one) and 262's
 * LoaderKeyboardLayout (the current keyboard layout's language tag, when the firmware has one:
 * keyboard-layout.c). sd-boot sets them itself (252 the first three, later ones more), so
 * behind it they are left as they are. */
static void export_loader_fallbacks(const char16_t *image_id, size_t image_id_size) {
        if (image_id_size > 0 && !loader_variable_exists(u"LoaderImageIdentifier"))
                (void) loader_variable_set(u"LoaderImageIdentifier", image_id, image_id_size);

        char16_t text[160];
        size_t n;
        if (ST->FirmwareVendor && !loader_variable_exists(u"LoaderFirmwareInfo")) {
                char16_t prefix[128];
                size_t at = 0;
                /* a vendor name too long for us is cut, not dropped */
                (void) text_append(prefix, ELEMENTSOF(prefix) - 1, &at, ST->FirmwareVendor, ELEMENTSOF(prefix) - 2);
                prefix[at++] = u' ';
                prefix[at] = 0;
                n = revision_text(prefix, at, ST->FirmwareRevision, text, ELEMENTSOF(text));
                if (n > 0)
                        (void) loader_variable_set(u"LoaderFirmwareInfo", text, n);
        }
        if (!loader_variable_exists(u"LoaderFirmwareType")) {
                n = revision_text(u"UEFI ", 5, ST->Hdr.Revision, text, ELEMENTSOF(text));
                if (n > 0)
                        (void) loader_variable_set(u"LoaderFirmwareType", text, n);
        }
        if (!loader_variable_exists(u"LoaderTpm2ActivePcrBanks")) {
                char16_t banks[11];
                (void) loader_variable_set(u"LoaderTpm2ActivePcrBanks", banks,
                                           utf16_hex32(measure_tpm_active_pcr_banks(), banks));
        }
        if (!loader_variable_exists(u"LoaderKeyboardLayout")) {
                size_t size = 0;
                _cleanup_pool_ char16_t *tag = keyboard_layout_language(&size);
                if (tag)
                        (void) loader_variable_set(u"LoaderKeyboardLayout", tag, size);
        }
}

void stub_variables_export(EFI_LOADED_IMAGE_PROTOCOL *li, uint32_t profile, const StubMeasurements *m) {
        export_pcr_variables(m);
        set_decimal_variable(u"StubProfile", profile);

        static const char16_t info[] = u"ukify-zboot-stub " PROJECT_VERSION;
        (void) loader_variable_set(u"StubInfo", info, sizeof(info));

        uint64_t features = STUB_FEATURE_CMDLINE_SMBIOS | STUB_FEATURE_SIDELOAD | STUB_FEATURE_MULTI_PROFILE_UKI |
                            STUB_FEATURE_REPORT_BOOT_PARTITION | STUB_FEATURE_REPORT_STUB_PARTITION |
                            STUB_FEATURE_CMDLINE_ADDONS | STUB_FEATURE_RANDOM_SEED |
                            STUB_FEATURE_DEVICETREE_ADDONS | STUB_FEATURE_REPORT_URL;
        (void) loader_variable_set(u"StubFeatures", &features, sizeof(features));

        char16_t uuid[DEVICE_PATH_UUID_LEN + 1];
        if (partition_uuid(li->DeviceHandle, uuid)) {
                if (!loader_variable_exists(u"LoaderDevicePartUUID"))
                        (void) loader_variable_set(u"LoaderDevicePartUUID", uuid, sizeof(uuid));
                (void) loader_variable_set(u"StubDevicePartUUID", uuid, sizeof(uuid));
        }

        export_url(li->DeviceHandle);

        char16_t id[512];
        /* the text of our FilePath ("\EFI\Linux\uki.efi"), as sd-stub reports it; an image
         * started from memory (HTTP boot) has a FilePath of just the End node, whose text 262
         * reports as "" (observed: stub-x86-http-url-sdstub262) */
        size_t n = device_path_file_text(li->FilePath, DP_MAX, id, ELEMENTSOF(id)), size = 0;
        if (n > 0)
                size = (n + 1) * sizeof(char16_t);
        else if (li->FilePath && li->FilePath->Type == END_DEVICE_PATH_TYPE)
                id[0] = 0, size = sizeof(char16_t);
        if (size > 0)
                (void) loader_variable_set(u"StubImageIdentifier", id, size);
        export_loader_fallbacks(id, size);
}
