/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot step: the loader variables the UKI stub leaves for userspace (systemd's LoaderInfo
 * vendor GUID, volatile: boot and runtime access, never stored). This is the one file that
 * sets them and decides which StubPcr* variables are set.
 */
#include "device-path.h"
#include "efivars.h"
#include "log.h"
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
 * Bit 11 (URL) is a later systemd's, not 257's. docs/stub.md. */
#define STUB_FEATURE_REPORT_BOOT_PARTITION (UINT64_C(1) << 0)
#define STUB_FEATURE_REPORT_STUB_PARTITION (UINT64_C(1) << 10)
#define STUB_FEATURE_CMDLINE_SMBIOS (UINT64_C(1) << 6)   /* smbios-efi.c */
#define STUB_FEATURE_SIDELOAD (UINT64_C(1) << 1 | UINT64_C(1) << 2 | UINT64_C(1) << 3 | UINT64_C(1) << 8)
#define STUB_FEATURE_MULTI_PROFILE_UKI     (UINT64_C(1) << 9)   /* "@N" selects a .profile */
#define STUB_FEATURE_CMDLINE_ADDONS (UINT64_C(1) << 5)   /* addons.c */
#define STUB_FEATURE_DEVICETREE_ADDONS (UINT64_C(1) << 7)   /* addons.c, devicetree.c */
#define STUB_FEATURE_RANDOM_SEED (UINT64_C(1) << 4)      /* random-seed.c */

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

void stub_variables_export(EFI_LOADED_IMAGE_PROTOCOL *li, uint32_t profile, const StubMeasurements *m) {
        export_pcr_variables(m);
        set_decimal_variable(u"StubProfile", profile);

        static const char16_t info[] = u"ukify-zboot-stub " PROJECT_VERSION;
        (void) loader_variable_set(u"StubInfo", info, sizeof(info));

        uint64_t features = STUB_FEATURE_CMDLINE_SMBIOS | STUB_FEATURE_SIDELOAD | STUB_FEATURE_MULTI_PROFILE_UKI |
                            STUB_FEATURE_REPORT_BOOT_PARTITION | STUB_FEATURE_REPORT_STUB_PARTITION |
                            STUB_FEATURE_CMDLINE_ADDONS | STUB_FEATURE_RANDOM_SEED |
                            STUB_FEATURE_DEVICETREE_ADDONS;
        (void) loader_variable_set(u"StubFeatures", &features, sizeof(features));

        char16_t uuid[DEVICE_PATH_UUID_LEN + 1];
        if (partition_uuid(li->DeviceHandle, uuid)) {
                if (!loader_variable_exists(u"LoaderDevicePartUUID"))
                        (void) loader_variable_set(u"LoaderDevicePartUUID", uuid, sizeof(uuid));
                (void) loader_variable_set(u"StubDevicePartUUID", uuid, sizeof(uuid));
        }

        char16_t id[512];
        /* the text of our FilePath ("\EFI\Linux\uki.efi"), as sd-stub reports it */
        size_t n = device_path_file_text(li->FilePath, DP_MAX, id, ELEMENTSOF(id));
        if (n > 0)
                (void) loader_variable_set(u"StubImageIdentifier", id, (n + 1) * sizeof(char16_t));
}
