/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The UKI stub, compatible with systemd-stub's contract: the kernel comes from our own .linux
 * section, the command line from .cmdline or LoadOptions (stub-cmdline.c), the initrd from
 * .initrd through LoadFile2. .osrel, .uname and .sbat are read by boot managers, not by us.
 * When .linux is a zboot image we decompress it ourselves through the same loader core as
 * the self-decompressor: no nested LoadImage/StartImage of a second PE (which Secure Boot
 * would refuse for an unsigned inner image, and which would copy the kernel once more).
 */
#include "addons.h"
#include "bench.h"
#include "boot-options.h"
#include "boot-secret-efi.h"
#include "devicetree.h"
#include "efifw.h"
#include "efi-main.h"
#include "initrd.h"
#include "initrd-list.h"
#include "initrd-place.h"
#include "log.h"
#include "measure.h"
#include "pe.h"
#include "profile.h"
#include "random-seed.h"
#include "secure-boot.h"
#include "smbios-efi.h"
#include "smbios-measure.h"
#include "splash.h"
#include "stub-cmdline.h"
#include "stub-variables.h"
#include "uki-profile.h"
#include "x86-exit.h"
#include "zboot-load.h"
#include "zboot.h"

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

/* The initrd parts of the UKI (.ucode, .initrd, and the sections passed as /.extra files) for
 * initrd-list.c, which adds the boot manager's, the side-loaded files and the add-ons' in
 * sd-stub 257's order. .initrd is part of the signed UKI: it is never dropped or replaced; the
 * boot manager's initrd is ignored under Secure Boot when there is an .initrd
 * (docs/security.md). With noinitrd nothing is passed, side-loaded or measured (il stays
 * empty). */
static EFI_STATUS initrd_build(const PeView *self, EFI_LOADED_IMAGE_PROTOCOL *li, bool secure_boot,
                               const BootOptions *opts, const Addons *addons, const uint8_t *boot_secret,
                               InitrdList *il) {
        Section s_ucode = {}, s_initrd = {}, s_pcrsig = {}, s_pcrpkey = {}, s_osrel = {}, s_profile = {};
        (void) find_section(self, ".initrd", &s_initrd);
        if (opts->noinitrd) {
                /* As the kernel's EFI stub: no initrd from any source (x86-params.c logs it
                 * for the native x86 path; an arm64 kernel's own stub ignores the boot
                 * manager's LoadFile2 itself). */
                if (s_initrd.size > 0)
                        log_info("noinitrd: not passing .initrd");
                return EFI_SUCCESS;
        }
        (void) find_section(self, ".ucode", &s_ucode);
        (void) find_section(self, ".pcrsig", &s_pcrsig);
        (void) find_section(self, ".pcrpkey", &s_pcrpkey);
        (void) find_section(self, ".osrel", &s_osrel);
        (void) find_section(self, ".profile", &s_profile);
        il->ucode = (InitrdPart) { s_ucode.data, s_ucode.size };
        il->initrd = (InitrdPart) { s_initrd.data, s_initrd.size };
        il->pcrsig = (InitrdPart) { s_pcrsig.data, s_pcrsig.size };
        il->pcrpkey = (InitrdPart) { s_pcrpkey.data, s_pcrpkey.size };
        il->osrel = (InitrdPart) { s_osrel.data, s_osrel.size };
        il->profile = (InitrdPart) { s_profile.data, s_profile.size };
        il->addons = addons;
        il->boot_secret = boot_secret;
        return initrd_list_build(li, secure_boot, il);
}

EFI_STATUS run(EFI_HANDLE image, EFI_LOADED_IMAGE_PROTOCOL *li, uint64_t t0) {
        _cleanup_pages_ Pages pages = {};
        _cleanup_(stub_cmdline_free) StubCmdline cl = {};
        StubMeasurements measured = {};
        InitrdLoader *initrd = NULL;
        LoadedKernel k;
        EFI_STATUS err;

        /* Silent like systemd-stub: our info lines only with "zboot.debug" (log.h), or with
         * sd-stub 262's SMBIOS io.systemd.boot.loglevel=info/debug (read first, as 262). */
        log_set_info_detail(true);
        SmbiosLogLevel smbios_level = smbios_log_level();

        /* Our own headers, read once (memory layout: the loaded image) and passed down. */
        PeView self;
        PeResult pr = pe_parse_layout(li->ImageBase, li->ImageSize, PE_LAYOUT_MEMORY, &self);
        if (pr != PE_OK)
                return log_error_status(EFI_LOAD_ERROR, "cannot read our own PE headers: %s", pe_strerror(pr));

        /* What we were started with (LoadOptions, or the UEFI Shell's arguments: stub-cmdline.c).
         * A leading "@N" selects profile N (profile.c) and is not part of the command line. */
        stub_cmdline_passed(image, li, &cl);
        stub_profile = profile_from_load_options(&cl.lo, &cl.lo_size);
        if (!uki_profile_valid(pe_section_table(&self), self.n_sections, stub_profile))
                return log_error_status(EFI_NOT_FOUND, "this UKI has no profile @%u", stub_profile);

        Section linux_sec;
        if (!find_section(&self, ".linux", &linux_sec) || linux_sec.size == 0)
                return log_error_status(EFI_NOT_FOUND, "this UKI has no .linux section");
        /* Which .dtbauto (if any) matches this machine: sd-stub 257 picks it while it locates
         * the sections, and measures it into PCR 11 with them (devicetree.c). */
        UkiDtbChoice dtb_choice;
        devicetree_choose_from_uki(&self, stub_profile, &dtb_choice);
        /* ... and which .efifw (sd-stub 262: picked the same way, measured, not used; efifw.c) */
        int efifw = efifw_choose_from_uki(&self, stub_profile);
        /* PCR 1 the SMBIOS structures naming the machine (sd-stub 261), PCR 12 the profile,
         * PCR 11 the sections, before anything of the image is used (sd-stub's order and rule). */
        (void) smbios_measure();
        profile_measure(stub_profile, &measured.kernel_parameters);
        measured.kernel_image = measure_uki_sections(&self, stub_profile,
                                                     dtb_choice.kind == UKI_DTB_AUTO ? (int) dtb_choice.section : -1,
                                                     efifw);
        /* sd-stub 257's place for it: after the measurements, before the command line */
        random_seed_refresh(li);
        /* sd-stub 262's boot secret, from the seed table just refreshed (boot-secret-efi.c) */
        _cleanup_(boot_secret_wipe) BootSecret secret = {};
        {
                Section s_osrel = {};
                (void) find_section(&self, ".osrel", &s_osrel);
                secret.have = boot_secret_prepare(li, s_osrel.data, s_osrel.size, secret.b);
        }

        /* Command line: the boot manager's or .cmdline (stub-cmdline.c). */
        bool sb = secure_boot_enabled();
        Section s_cmdline = {};
        (void) find_section(&self, ".cmdline", &s_cmdline);
        err = stub_cmdline_choose(li, s_cmdline.data, s_cmdline.size, sb, &cl, &measured.kernel_parameters);
        if (err != EFI_SUCCESS)
                return err;

        /* Add-ons (addons.c): loaded through the firmware (Secure Boot verification); their
         * command line, then the SMBIOS extra, appended (stub-cmdline.c). */
        _cleanup_(addons_free) Addons addons = {};
        Section s_uname = {};
        (void) find_section(&self, ".uname", &s_uname);
        addons_load(image, li, s_uname.data, s_uname.size, &addons);
        stub_cmdline_append_extras(&cl, &addons, &measured.kernel_parameters);

        /* Device tree: .dtbauto/.dtb as the EFI FDT table, then the add-ons' (addons.c), measured
         * into PCR 12 here, in sd-stub 257's order; put back if the kernel does not start. */
        _cleanup_(devicetree_cleanup) DtState dt = {};
        devicetree_install_choice(&dtb_choice, &dt);
        measured_set_add_result(&measured.kernel_parameters, addons_install_devicetrees(&addons, &dt));

        /* The final command line, parsed once (boot-options.h): nokaslr, noinitrd, and for the
         * native x86 path no5lvl and initrd=. */
        size_t cl_len = stub_cmdline_len(&cl);
        BootOptions opts;
        boot_options_parse_utf16(cl.buf, cl_len, &opts);
        log_set_quiet(opts.quiet || smbios_level == SMBIOS_LOGLEVEL_QUIET);   /* as the kernel's stub: only errors */
        /* lines of detail only with "zboot.debug" (log.h) or sd-stub 262's SMBIOS log level */
        log_set_debug(opts.zboot_debug || smbios_level == SMBIOS_LOGLEVEL_DETAIL);
        Placement p = placement_from_options(&opts);
        bench_options(&opts);

        /* Kernel. */
        if (zboot_has_magic(linux_sec.data, linux_sec.size))
                err = zboot_load(linux_sec.data, linux_sec.size, &p, &pages, &k);
        else
                err = pe_kernel_load(linux_sec.data, linux_sec.size, &p, &pages, &k);
        if (err != EFI_SUCCESS)
                return err;

        /* Initrd (initrd-list.c). */
        _cleanup_(initrd_list_free) InitrdList il = { .place_below = initrd_place_limit(&k) };   /* x86: final pages */
        err = initrd_build(&self, li, sb, &opts, &addons, secret.have ? secret.b : NULL, &il);
        boot_secret_wipe(&secret);   /* packed (and copied into the initrd) or not: not needed any more */
        if (err != EFI_SUCCESS)
                return err;
        measured_set_merge(&measured.kernel_parameters, &il.params_measured);
        measured.initrd_sysexts = il.sysexts_measured;
        measured.initrd_confexts = il.confexts_measured;
        bench_phase(BENCH_INITRD);

        /* Loader variables for userspace: StubInfo, StubFeatures, StubPcr*, ... (stub-variables.c) */
        stub_variables_export(li, stub_profile, &measured);

        /* .splash: drawn centred through the GOP, as sd-stub 257 (splash.c) */
        Section s_splash = {};
        if (find_section(&self, ".splash", &s_splash))
                splash_show(s_splash.data, s_splash.size);

#if defined(__x86_64__)
        if (k.x86) {
                /* The kernel's EFI stub is not run: we make its PCR 9 measurements. It would have
                 * got this command line as LoadOptions (sd-stub 257 starts it with the string and
                 * its NUL); x86_boot() measures the initrd. */
                if (cl.size > 0)
                        (void) measure_tagged(PCR_KERNEL_INITRD, cl.buf, cl.size, LINUX_LOAD_OPTIONS_EVENT_TAG_ID,
                                              LINUX_LOAD_OPTIONS_EVENT_DESC);
                /* x86_boot() reads the boot manager's initrd itself when we pass none. */
                log_kernel_starting(&k, t0);
                return x86_boot(image, &k, cl.buf, cl_len, &opts, il.data, il.size);
        }
#endif

        if (il.size > 0) {
                err = initrd_register(il.data, il.size, &initrd);
                if (err != EFI_SUCCESS)
                        return err;
        }

        log_kernel_starting(&k, t0);
        bool keep;
        err = kernel_start(image, &k, cl.buf, cl.size, &keep);
        if (keep) {   /* the kernel's loaded image protocol is still installed and points at them */
                (void) take_pages(&pages);
                cl.buf = NULL;
        }
        if (!initrd_unregister(initrd))   /* still installed: its data stays */
                initrd_list_keep(&il);
        return err;
}
