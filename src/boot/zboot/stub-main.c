/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The UKI stub, compatible with systemd-stub's contract: the kernel comes from our own .linux
 * section, the command line from .cmdline (or LoadOptions, see cmdline.h), the initrd from
 * .initrd through LoadFile2. .osrel, .uname and .sbat are read by boot managers, not by us.
 * When .linux is a zboot image we decompress it ourselves through the same loader core as
 * the self-decompressor: no nested LoadImage/StartImage of a second PE (which Secure Boot
 * would refuse for an unsigned inner image, and which would copy the kernel once more).
 */
#include "bench.h"
#include "addons.h"
#include "boot-options.h"
#include "cmdline.h"
#include "devicetree.h"
#include "device-path.h"
#include "efi-main.h"
#include "initrd.h"
#include "initrd-list.h"
#include "log.h"
#include "measure.h"
#include "pe.h"
#include "proto/device-path.h"
#include "profile.h"
#include "random-seed.h"
#include "proto/loaded-image.h"
#include "secure-boot.h"
#include "smbios-efi.h"
#include "splash.h"
#include "uki-profile.h"
#include "x86-exit.h"
#include "zboot-load.h"
#include "zboot.h"
#include "version.h" /* PROJECT_VERSION */

const char program_name[] = "zboot-stub";

typedef struct {
        const uint8_t *data;
        size_t size;
} Section;

/* The profile the boot manager selected ("@N", profile.c); set before any section is looked up. */
static uint32_t stub_profile;

/* A section of our own loaded image (self: its headers, read once in run()), the selected
 * profile's or the base's (uki-profile.h); its memory is ours for the whole boot. */
static bool find_section(const PeView *self, const char *name, Section *ret) {
        return profile_find_section(self, stub_profile, name, &ret->data, &ret->size);
}

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

/* The GPT partition GUID of the device we were loaded from (device-path.c: uppercase, as sd-boot
 * 252 writes LoaderDevicePartUUID). */
static bool partition_uuid(EFI_HANDLE dev, char16_t out[DEVICE_PATH_UUID_LEN + 1]) {
        static const EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
        const EFI_DEVICE_PATH_PROTOCOL *n;
        if (!dev || BS->HandleProtocol(dev, &dp_guid, (void **) &n) != EFI_SUCCESS || !n)
                return false;
        return device_path_partition_uuid(n, DP_MAX, out);
}

#define EFI_SHELL_PARAMETERS_PROTOCOL_GUID \
        EFI_GUID_INIT(0x752f3136, 0x4e16, 0x4fdc, 0xa2, 0x2a, 0xe5, 0xf4, 0x68, 0x12, 0xf4, 0xca)
typedef struct {
        char16_t **Argv;
        size_t Argc;
        void *StdIn, *StdOut, *StdErr;
} EFI_SHELL_PARAMETERS_PROTOCOL;

/* Started by the UEFI Shell, LoadOptions begin with our program name; sd-stub takes the command
 * line from Argv[1..] joined by spaces instead. True if the Shell started us: *ret is then a
 * pool string (NULL with no arguments) and *ret_size its size with the NUL (0 without). */
static bool shell_cmdline(EFI_HANDLE image, char16_t **ret, uint32_t *ret_size) {
        static const EFI_GUID guid = EFI_SHELL_PARAMETERS_PROTOCOL_GUID;
        EFI_SHELL_PARAMETERS_PROTOCOL *sp;
        if (BS->HandleProtocol(image, &guid, (void **) &sp) != EFI_SUCCESS || !sp || !sp->Argv || sp->Argc < 1)
                return false;
        *ret = NULL;
        *ret_size = 0;
        size_t units = 0;
        for (size_t i = 1; i < sp->Argc; i++)
                units += (sp->Argv[i] ? strnlen16(sp->Argv[i], 65536) : 0) + 1;
        if (units == 0 || units > UINT32_MAX / sizeof(char16_t))
                return true;
        char16_t *buf;
        if (BS->AllocatePool(EfiLoaderData, units * sizeof(char16_t), (void **) &buf) != EFI_SUCCESS)
                return true;
        size_t k = 0;
        for (size_t i = 1; i < sp->Argc; i++) {
                size_t n = sp->Argv[i] ? strnlen16(sp->Argv[i], 65536) : 0;
                if (k > 0)
                        buf[k++] = ' ';
                memcpy(buf + k, sp->Argv[i], n * sizeof(char16_t));
                k += n;
        }
        buf[k] = 0;
        *ret = buf;
        *ret_size = (uint32_t) ((k + 1) * sizeof(char16_t));
        return true;
}

/* The variables sd-stub sets for userspace (volatile, LoaderInfo vendor GUID). */
static void export_general_variables(EFI_LOADED_IMAGE_PROTOCOL *li) {
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

EFI_STATUS run(EFI_HANDLE image) {
        static const EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
        _cleanup_pages_ Pages pages = {};
        _cleanup_pool_ char16_t *cmdline_buf = NULL;
        EFI_LOADED_IMAGE_PROTOCOL *li;
        InitrdLoader *initrd = NULL;
        LoadedKernel k;
        EFI_STATUS err;

        uint64_t t0 = cpu_ticks();
        bench_begin(t0);
        err = BS->HandleProtocol(image, &loaded_image_guid, (void **) &li);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot get our loaded image protocol");

        /* Our own headers, read once (memory layout: the loaded image) and passed down. */
        PeView self;
        PeResult pr = pe_parse_layout(li->ImageBase, li->ImageSize, PE_LAYOUT_MEMORY, &self);
        if (pr != PE_OK)
                return log_error_status(EFI_LOAD_ERROR, "cannot read our own PE headers: %s", pe_strerror(pr));

        /* From the UEFI Shell: Argv[1..], not LoadOptions with the program name (as sd-stub). A
         * leading "@N" selects profile N (profile.c) and is not part of the command line. */
        _cleanup_pool_ char16_t *shell_buf = NULL;
        const void *lo = li->LoadOptions;
        uint32_t lo_size = li->LoadOptionsSize;
        bool from_shell = false;
        if (shell_cmdline(image, &shell_buf, &lo_size)) {
                lo = shell_buf;
                from_shell = true;
                log_info("started by the UEFI Shell: command line from its arguments");
        }
        stub_profile = profile_from_load_options(&lo, &lo_size);
        if (!uki_profile_valid(pe_section_table(&self), self.n_sections, stub_profile))
                return log_error_status(EFI_NOT_FOUND, "this UKI has no profile @%u", stub_profile);

        Section linux_sec, cmdline_sec = {}, initrd_sec = {};
        if (!find_section(&self, ".linux", &linux_sec) || linux_sec.size == 0)
                return log_error_status(EFI_NOT_FOUND, "this UKI has no .linux section");
        /* PCR 12 gets the profile, PCR 11 the sections, before anything of the image is used
         * (sd-stub's order and rule). */
        bool profile_measured = profile_measure(stub_profile);
        bool sections_measured = measure_uki_sections(&self, stub_profile);
        /* sd-stub 257's place for it: after the measurements, before the command line */
        random_seed_refresh(li);
        bool have_cmdline = find_section(&self, ".cmdline", &cmdline_sec);
        (void) find_section(&self, ".initrd", &initrd_sec);

        /* Command line. */
        const void *options = NULL;
        uint32_t options_size = 0;
        bool sb = secure_boot_enabled();
        /* sd-stub 257's rule: a blank command line (only spaces and control characters) is no
         * command line; the Shell's arguments are used unless empty (cmdline.h). */
        bool lo_ok = cmdline_stub_load_options_usable(li->LoadOptions, li->LoadOptionsSize, lo, lo_size, from_shell);
        bool params_measured = false, params_tried = false;
        /* Under Secure Boot the boot manager's command line is ignored when the UKI has its own,
         * and in a confidential VM even without one: the host is not trusted to choose it
         * (sd-stub 257, settle_command_line()). */
        bool embedded_wins = (have_cmdline && cmdline_sec.size > 0) || confidential_vm();
        if (cmdline_prefer_load_options(sb, embedded_wins, lo_ok)) {
                /* Normalised as sd-stub does (257 leaves the Shell's arguments as they are), and
                 * that exact string (UTF-16 with its NUL) is measured into PCR 12 and passed on. */
                size_t units = lo_size / sizeof(char16_t);
                err = BS->AllocatePool(EfiLoaderData, (units + 1) * sizeof(char16_t), (void **) &cmdline_buf);
                if (err != EFI_SUCCESS)
                        return log_error_status(err, "cannot allocate command line");
                memcpy(cmdline_buf, lo, units * sizeof(char16_t));
                size_t n = from_shell ? strnlen16(cmdline_buf, units) : measure_mangle_cmdline(cmdline_buf, units);
                cmdline_buf[n] = 0;
                options = cmdline_buf;
                options_size = (uint32_t) ((n + 1) * sizeof(char16_t));
                params_measured = measure_load_options(options, options_size);
                params_tried = true;
        } else if (have_cmdline) {
                if (lo_ok && sb)
                        log_info("Secure Boot: ignoring the boot manager's command line, using .cmdline");
                size_t cap = cmdline_sec.size + 1;
                err = BS->AllocatePool(EfiLoaderData, cap * sizeof(char16_t), (void **) &cmdline_buf);
                if (err != EFI_SUCCESS)
                        return log_error_status(err, "cannot allocate command line");
                size_t n = cmdline_utf8_to_ucs2((const char *) cmdline_sec.data, cmdline_sec.size, cmdline_buf, cap);
                if (n == SIZE_MAX)
                        return log_error_status(EFI_BUFFER_TOO_SMALL, "cannot convert .cmdline");
                n = measure_mangle_cmdline(cmdline_buf, n);   /* also drops leading spaces, as sd-stub does */
                options = cmdline_buf;
                options_size = (uint32_t) ((n + 1) * sizeof(char16_t));
        }

        /* Add-ons (addons.c): loaded through the firmware (Secure Boot verification), their
         * command line appended after the UKI's or the boot manager's and measured into PCR 12,
         * before the SMBIOS extra, as sd-stub 257 orders them. */
        _cleanup_(addons_free) Addons addons = {};
        Section s_uname = {};
        (void) find_section(&self, ".uname", &s_uname);
        addons_load(image, li, s_uname.data, s_uname.size, &addons);
        bool addons_measured;
        if (addons_cmdline_append(&addons, &cmdline_buf, &options_size, &addons_measured)) {
                params_measured = (params_tried ? params_measured : true) && addons_measured;
                params_tried = true;
                options = cmdline_buf;
        }

        /* SMBIOS type 11 io.systemd.stub.kernel-cmdline-extra (smbios-efi.c), appended last and
         * measured on its own (PCR 12 then counts as measured only if every part was). */
        bool extra_measured;
        if (smbios_cmdline_extra(&cmdline_buf, &options_size, &extra_measured)) {
                params_measured = (params_tried ? params_measured : true) && extra_measured;
                params_tried = true;
                options = cmdline_buf;
        }

        /* Device tree: .dtbauto/.dtb as the EFI FDT table, then the add-ons' (addons.c), measured
         * into PCR 12 here, in sd-stub 257's order; put back if the kernel does not start. */
        _cleanup_(devicetree_cleanup) DtState dt = {};
        devicetree_install_from_uki(&self, stub_profile, &dt);
        int dt_measured = addons_install_devicetrees(&addons, &dt);
        if (dt_measured >= 0) {
                params_measured = (params_tried ? params_measured : true) && dt_measured;
                params_tried = true;
        }

        const char16_t *cl = options;
        size_t cl_len = options ? strnlen16(cl, options_size / sizeof(char16_t)) : 0;
        /* The final command line, parsed once (boot-options.h): nokaslr, noinitrd, and for the
         * native x86 path no5lvl and initrd=. */
        BootOptions opts;
        boot_options_parse_utf16(cl, cl_len, &opts);
        Placement p = placement_from_options(&opts);
        bench_options(&opts);

        /* Kernel. */
        if (zboot_has_magic(linux_sec.data, linux_sec.size))
                err = zboot_load(linux_sec.data, linux_sec.size, &p, &pages, &k);
        else
                err = pe_kernel_load(linux_sec.data, linux_sec.size, &p, &pages, &k);
        if (err != EFI_SUCCESS)
                return err;

        /* Initrd: .ucode, .initrd, the boot manager's, the side-loaded files and the sections
         * passed as /.extra files, in sd-stub 257's order (initrd-list.c). .initrd is part of the
         * signed UKI: it is never dropped or replaced; the boot manager's initrd is ignored under
         * Secure Boot when there is an .initrd (docs/security.md). */
        _cleanup_(initrd_list_free) InitrdList il = {};
        if (opts.noinitrd) {
                /* As the kernel's EFI stub: no initrd from any source (x86-params.c logs it
                 * for the native x86 path; an arm64 kernel's own stub ignores the boot
                 * manager's LoadFile2 itself). Nothing is side-loaded or measured. */
                if (initrd_sec.size > 0)
                        log_info("noinitrd: not passing .initrd");
        } else {
                Section s_ucode = {}, s_pcrsig = {}, s_pcrpkey = {}, s_osrel = {}, s_profile = {};
                (void) find_section(&self, ".ucode", &s_ucode);
                (void) find_section(&self, ".pcrsig", &s_pcrsig);
                (void) find_section(&self, ".pcrpkey", &s_pcrpkey);
                (void) find_section(&self, ".osrel", &s_osrel);
                (void) find_section(&self, ".profile", &s_profile);
                il.ucode = (InitrdPart) { s_ucode.data, s_ucode.size };
                il.initrd = (InitrdPart) { initrd_sec.data, initrd_sec.size };
                il.pcrsig = (InitrdPart) { s_pcrsig.data, s_pcrsig.size };
                il.pcrpkey = (InitrdPart) { s_pcrpkey.data, s_pcrpkey.size };
                il.osrel = (InitrdPart) { s_osrel.data, s_osrel.size };
                il.profile = (InitrdPart) { s_profile.data, s_profile.size };
                il.addons = &addons;
                err = initrd_list_build(li, sb, &il);
                if (err != EFI_SUCCESS)
                        return err;
        }
        initrd_sec = (Section) { .data = il.data, .size = il.size };
        bench_phase(BENCH_INITRD);

        /* StubPcrKernelParameters: everything that went into PCR 12 was measured (the profile
         * and the command line; only the profile when the command line is the UKI's). */
        if (stub_profile != 0) {
                bool from_lo = cmdline_prefer_load_options(sb, embedded_wins, lo_ok);
                params_measured = profile_measured && (!(from_lo || params_tried) || params_measured);
        }
        /* side-loaded credentials and confexts were measured into PCR 12 too (the same TPM took
         * or refused the command line's measurement) */
        if (il.params_tried)
                params_measured = (params_tried || stub_profile != 0 ? params_measured : true) && il.params_measured;
        measure_export_stub_variables(sections_measured, params_measured);
        profile_export_variable(stub_profile);
        export_general_variables(li);

        /* .splash: drawn centred through the GOP, as sd-stub 257 (splash.c) */
        Section s_splash = {};
        if (find_section(&self, ".splash", &s_splash))
                splash_show(s_splash.data, s_splash.size);

#if defined(__x86_64__)
        if (k.x86) {
                /* The kernel's EFI stub is not run: we make its PCR 9 measurements. It would have
                 * got this command line as LoadOptions (sd-stub 257 starts it with the string and
                 * its NUL); x86_boot() measures the initrd. */
                if (options_size > 0)
                        (void) measure_tagged(PCR_KERNEL_INITRD, options, options_size, LINUX_LOAD_OPTIONS_EVENT_TAG_ID,
                                              LINUX_LOAD_OPTIONS_EVENT_DESC);
                /* x86_boot() reads the boot manager's initrd itself when we pass none. */
                log_kernel_starting(&k, t0);
                return x86_boot(image, &k, cl, cl_len, &opts, initrd_sec.data, initrd_sec.size);
        }
#endif

        if (initrd_sec.size > 0) {
                err = initrd_register(initrd_sec.data, initrd_sec.size, &initrd);
                if (err != EFI_SUCCESS)
                        return err;
        }

        log_kernel_starting(&k, t0);
        err = kernel_start(image, &k, options, options_size);
        initrd_unregister(initrd);
        return err;
}
