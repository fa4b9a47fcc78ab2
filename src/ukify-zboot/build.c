/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ukify-zboot build`: a UKI with ukify's option names. Sections are appended after the
 * stub's own in ukify's order (.osrel .cmdline .dtb .uname .splash, extra sections, .initrd,
 * .linux), each at SectionAlignment, read-only data, deterministic output. This file parses the
 * command line, reads the inputs into a section list and calls the assembly: uki_assemble()
 * (uki-assemble.c), zboot_make() for --zboot (zboot-assemble.c), addon_main() without --linux
 * (addon.c), profile_join()/profile_pe_main() for profiles (profile.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"
#include "config.h"
#include "dtb-sections.h"
#include "hwids.h"
#include "inputs.h"
#include "kernel.h"
#include "measure.h"
#include "pcrsig.h"
#include "pe.h"
#include "profile.h"
#include "sbat.h"
#include "sign.h"
#include "uki-assemble.h"
#include "verbs.h"
#include "zboot-assemble.h"

#define MAX_EXTRA 16
#define MAX_DTBAUTO 16   /* --devicetree-auto */
#define MAX_EFIFW 16     /* --efifw */
#define MAX_INITRD 16
#define MAX_SBAT 16
#define MAX_JOIN 16   /* --join-profile */

static void help(void) {
        printf("ukify-zboot build --linux KERNEL -o OUTPUT [OPTIONS]\n\n"
               "Make a Unified Kernel Image with our UKI stub. Without --linux but with --cmdline,\n"
               "--devicetree, --devicetree-auto, --hwids, --initrd, --microcode or --section: a UKI\n"
               "add-on (*.addon.efi), as ukify.\n\n"
               "      --linux PATH        zboot image, arm64 Image, PE kernel or x86 bzImage\n"
               "      --zboot[=TYPE]      compress a plain arm64 Image into a zboot image first (default zstd)\n"
               "      --initrd PATH       initrd (repeatable; concatenated with 4-byte padding)\n"
               "      --microcode PATH    microcode initrd (.ucode): the stub passes it before every other initrd\n"
               "      --cmdline TEXT|@FILE\n"
               "      --os-release TEXT|@FILE\n"
               "      --uname VERSION     (default: detected from the kernel, also inside zboot payloads)\n"
               "      --sbat TEXT|@FILE   SBAT entries (repeatable), merged with the stub's and the kernel's\n"
               "                          .sbat into the UKI's .sbat (header line once, each component once)\n"
               "      --splash PATH       .splash (BMP)\n"
               "      --devicetree PATH   .dtb\n"
               "      --devicetree-auto PATH  a .dtbauto section (repeatable): the stub picks the one whose\n"
               "                          first compatible is the machine's (docs/stub.md)\n"
               "      --hwids DIR         .hwids from ukify's JSON files (*.json: name, compatible, hwids;\n"
               "                          ukify 258's also \"type\": devicetree, or uefi-fw with \"fwid\"):\n"
               "                          without a firmware device tree the stub picks the .dtbauto by CHID\n"
               "      --efifw DIR         an .efifw section (repeatable): DIR's one file, its firmware id DIR's\n"
               "                          name; the stub picks the one .hwids names and measures it (a UKI or\n"
               "                          a profile PE)\n"
               "      --section NAME:TEXT|@FILE   any other section (repeatable)\n"
               "      --profile TEXT|@FILE  .profile (ID=, TITLE=): with --linux the UKI's profile 0 (the base\n"
               "                          ends before it); without --linux a profile PE for --join-profile\n"
               "      --join-profile PATH   append the UKI sections of a profile PE as the next profile\n"
               "                          (repeatable; profile 0 is then --profile, default \"ID=main\")\n"
               "      --stub PATH         UKI stub (default: ours for the kernel's arch, from\n"
               "                          $UKIFY_ZBOOT_STUB_DIR, else the installed stub directory)\n"
               "      --secureboot-private-key KEY\n"
               "      --secureboot-certificate CERT\n"
               "                          sign the UKI for Secure Boot with sbsign (both or neither)\n"
               "      --pcrpkey PATH      .pcrpkey (default: the one --pcr-public-key, else the public half of\n"
               "                          the one --pcr-private-key)\n"
               "      --pcr-private-key PATH   sign PCR 11 policies into .pcrsig (repeatable: one per key)\n"
               "      --pcr-public-key PATH    its public key (repeatable, as often as --pcr-private-key)\n"
               "      --phases LIST       phase paths for the n-th key, e.g. \"enter-initrd enter-initrd:leave-initrd\"\n"
               "      --pcr-banks LIST    sha1,sha256,sha384,sha512 (default: all four)\n"
               "      --efi-arch x64|aa64 must match the kernel\n"
               "      --signtool sbsign   the only Secure Boot signing tool we use\n"
               "  -c --config PATH        ukify's configuration file (e.g. /etc/kernel/uki.conf); the command\n"
               "                          line wins (docs/ukify-options.md)\n"
               "      --measure           print the PCR 11 value (sha256) systemd-stub 257 and our stub\n"
               "                          measure for this UKI, as \"11:sha256=HEX\" on stdout (with\n"
               "                          profiles also \"11@N:sha256=HEX\" per profile N)\n"
               "  -o --output PATH\n"
               "  -h --help\n");
}

/* The command line, as parsed; config_args_load() values included. */
typedef struct {
        bool measure;
        const char *linux_path, *output, *stub_path, *cmdline, *osrel, *uname, *splash, *dtb, *sb_key, *sb_cert;
        const char *initrds[MAX_INITRD], *extra[MAX_EXTRA], *sbats[MAX_SBAT], *dtbautos[MAX_DTBAUTO];
        size_t n_initrd, n_extra, n_sbat, n_dtbauto;
        const char *hwids_dir;
        const char *efifws[MAX_EFIFW];
        size_t n_efifw;
        CompressionType ztype;
        const char *profile, *joins[MAX_JOIN];   /* profile.c */
        size_t n_joins;
        /* ukify's PCR signing options (pcrsig.c) */
        const char *pcr_priv[PCRSIG_MAX_KEYS], *pcr_pub[PCRSIG_MAX_KEYS], *pcr_phases[PCRSIG_MAX_KEYS];
        size_t n_pcr_priv, n_pcr_pub, n_pcr_phases;
        const char *pcr_banks, *pcrpkey, *efi_arch, *microcode;
} BuildArgs;

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, BuildArgs *a) {
        enum { A_LINUX = 0x100, A_ZBOOT, A_INITRD, A_CMDLINE, A_OSREL, A_UNAME, A_SBAT, A_SPLASH, A_DTB, A_SECTION,
               A_STUB, A_SB_KEY, A_SB_CERT, A_MEASURE, A_PROFILE, A_JOIN_PROFILE, A_CONFIG, A_PCR_PRIV, A_PCR_PUB, A_PHASES, A_PCR_BANKS,
               A_PCRPKEY, A_EFI_ARCH, A_SIGNTOOL, A_MICROCODE, A_DTBAUTO, A_HWIDS, A_EFIFW };
        static const struct option opts[] = {
                { "linux", required_argument, NULL, A_LINUX },
                { "zboot", optional_argument, NULL, A_ZBOOT },
                { "initrd", required_argument, NULL, A_INITRD },
                { "microcode", required_argument, NULL, A_MICROCODE },
                { "cmdline", required_argument, NULL, A_CMDLINE },
                { "os-release", required_argument, NULL, A_OSREL },
                { "uname", required_argument, NULL, A_UNAME },
                { "sbat", required_argument, NULL, A_SBAT },
                { "splash", required_argument, NULL, A_SPLASH },
                { "devicetree", required_argument, NULL, A_DTB },
                { "devicetree-auto", required_argument, NULL, A_DTBAUTO },
                { "hwids", required_argument, NULL, A_HWIDS },
                { "efifw", required_argument, NULL, A_EFIFW },
                { "section", required_argument, NULL, A_SECTION },
                { "stub", required_argument, NULL, A_STUB },
                { "secureboot-private-key", required_argument, NULL, A_SB_KEY },
                { "secureboot-certificate", required_argument, NULL, A_SB_CERT },
                { "measure", no_argument, NULL, A_MEASURE },
                { "profile", required_argument, NULL, A_PROFILE },
                { "join-profile", required_argument, NULL, A_JOIN_PROFILE },
                { "config", required_argument, NULL, A_CONFIG },
                { "secureboot-certificate-validity", required_argument, NULL, A_CONFIG }, /* genkey's; ignored */
                { "pcr-private-key", required_argument, NULL, A_PCR_PRIV },
                { "pcr-public-key", required_argument, NULL, A_PCR_PUB },
                { "phases", required_argument, NULL, A_PHASES },
                { "pcr-banks", required_argument, NULL, A_PCR_BANKS },
                { "pcrpkey", required_argument, NULL, A_PCRPKEY },
                { "efi-arch", required_argument, NULL, A_EFI_ARCH },
                { "signtool", required_argument, NULL, A_SIGNTOOL },
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        if (!options_given_in_full(argc, argv, "c:o:h", opts))
                return 2;
        while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) >= 0)
                switch (c) {
                case A_LINUX: a->linux_path = optarg; break;
                case A_ZBOOT:
                        a->ztype = COMPRESSION_ZSTD;
                        if (optarg && !compress_option_parse("--zboot", optarg, &a->ztype))
                                return 1;
                        break;
                case A_INITRD:
                        if (a->n_initrd == MAX_INITRD)
                                return error("--initrd: at most %d", MAX_INITRD);
                        a->initrds[a->n_initrd++] = optarg;
                        break;
                case A_CMDLINE: a->cmdline = optarg; break;
                case A_OSREL: a->osrel = optarg; break;
                case A_UNAME: a->uname = optarg; break;
                case A_SBAT:
                        if (a->n_sbat == MAX_SBAT)
                                return error("--sbat: at most %d", MAX_SBAT);
                        a->sbats[a->n_sbat++] = optarg;
                        break;
                case A_SB_KEY: a->sb_key = optarg; break;
                case A_SB_CERT: a->sb_cert = optarg; break;
                case A_SPLASH: a->splash = optarg; break;
                case A_DTB: a->dtb = optarg; break;
                case A_DTBAUTO:
                        if (a->n_dtbauto == MAX_DTBAUTO)
                                return error("--devicetree-auto: at most %d", MAX_DTBAUTO);
                        a->dtbautos[a->n_dtbauto++] = optarg;
                        break;
                case A_HWIDS: a->hwids_dir = optarg; break;
                case A_EFIFW:
                        if (a->n_efifw == MAX_EFIFW)
                                return error("--efifw: at most %d", MAX_EFIFW);
                        a->efifws[a->n_efifw++] = optarg;
                        break;
                case A_MICROCODE: a->microcode = optarg; break;
                case A_SECTION:
                        if (a->n_extra == MAX_EXTRA)
                                return error("--section: at most %d", MAX_EXTRA);
                        if (!strchr(optarg, ':') ||
                            !section_name_check(optarg, (size_t) (strchr(optarg, ':') - optarg)))
                                return error("--section: expected NAME:TEXT or NAME:@FILE with a name of 1..8 printable ASCII bytes, got \"%s\"",
                                             optarg);
                        a->extra[a->n_extra++] = optarg;
                        break;
                case A_STUB: a->stub_path = optarg; break;
                case A_MEASURE: a->measure = true; break;
                case A_PROFILE: a->profile = optarg; break;
                case A_JOIN_PROFILE:
                        if (a->n_joins == MAX_JOIN)
                                return error("--join-profile: at most %zu", (size_t) MAX_JOIN);
                        a->joins[a->n_joins++] = optarg;
                        break;
                case 'c':
                case A_CONFIG: break; /* read by config_expand() */
                case A_PCR_PRIV:
                case A_PCR_PUB:
                case A_PHASES: {
                        const char **v = c == A_PCR_PRIV ? a->pcr_priv : c == A_PCR_PUB ? a->pcr_pub : a->pcr_phases;
                        size_t *nv = c == A_PCR_PRIV ? &a->n_pcr_priv : c == A_PCR_PUB ? &a->n_pcr_pub : &a->n_pcr_phases;
                        if (*nv == PCRSIG_MAX_KEYS)
                                return error("--pcr-private-key/--pcr-public-key/--phases: at most %d", PCRSIG_MAX_KEYS);
                        if (c == A_PHASES && *optarg && !pcr_phases_check(optarg))
                                return 1;
                        v[(*nv)++] = optarg; /* "" (from --config): none given for this key */
                        break;
                }
                case A_PCR_BANKS:
                        if (!pcr_banks_check(optarg))
                                return 1;
                        a->pcr_banks = optarg;
                        break;
                case A_PCRPKEY: a->pcrpkey = optarg; break;
                case A_EFI_ARCH:
                        if (strcmp(optarg, "x64") != 0 && strcmp(optarg, "aa64") != 0)
                                return error("--efi-arch: \"%s\" is not supported: our stubs are x64 and aa64", optarg);
                        a->efi_arch = optarg;
                        break;
                case A_SIGNTOOL:
                        if (strcmp(optarg, "sbsign") != 0)
                                return error("--signtool: only sbsign is supported, not \"%s\"", optarg);
                        break;
                case 'o': a->output = optarg; break;
                case 'h': help(); return 0;
                default: return 2;
                }
        if (optind != argc)
                return error("build: unexpected argument \"%s\" (see --help)", argv[optind]);
        return -1;
}

typedef struct {
        const char *name;
        bool given;
} GivenOption;

/* Name the given options the PE being built has no use for, rather than drop them silently
 * (not an error: a shared configuration file may set them for the UKIs). */
#define report_unused(pe, ...) \
        report_unused_n((pe), (const GivenOption[]) { __VA_ARGS__ }, \
                        sizeof((const GivenOption[]) { __VA_ARGS__ }) / sizeof(GivenOption))
static void report_unused_n(const char *pe, const GivenOption *o, size_t n) {
        char list[256] = "";
        for (size_t i = 0; i < n; i++)
                if (o[i].given)
                        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", *list ? ", " : "", o[i].name);
        if (*list)
                info("%s has no use for %s: not used", pe, list);
}

/* Any non-empty value: a configuration file's [PCRSignature:NAME] without PCRPublicKey= or
 * Phases= adds an empty one of each, which was not given. */
static bool any_nonempty(const char *const *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (v[i] && *v[i])
                        return true;
        return false;
}

/* Options only a UKI (with --linux) uses: PCR 11 and its signatures, the kernel's compression. */
#define UKI_ONLY_OPTIONS(a) \
        { "--measure", (a)->measure }, { "--pcr-private-key", (a)->n_pcr_priv > 0 }, \
        { "--pcr-public-key", any_nonempty((a)->pcr_pub, (a)->n_pcr_pub) }, \
        { "--phases", any_nonempty((a)->pcr_phases, (a)->n_pcr_phases) }, \
        { "--pcr-banks", (a)->pcr_banks != NULL }, { "--pcrpkey", (a)->pcrpkey != NULL }, \
        { "--zboot", (a)->ztype != _COMPRESSION_INVALID }

/* ukify 257: without --linux, build makes a PE add-on (addon.c). */
static int build_addon(const BuildArgs *a) {
        if (!a->output)
                return error("build: --output is required");
        if (!sign_check_args(a->sb_key, a->sb_cert))
                return 1;
        report_unused("an add-on (no --linux)", UKI_ONLY_OPTIONS(a), { "--splash", a->splash != NULL });
        _cleanup_free_ char *cl = a->cmdline && a->cmdline[0] != '@' ? strdup(a->cmdline) : NULL;
        if (cl)
                cmdline_collapse_whitespace(cl);
        return addon_main(&(AddonArgs) { a->output, a->stub_path, a->efi_arch, a->osrel && *a->osrel ? a->osrel : NULL,
                                         cl ? cl : a->cmdline, a->dtb, a->uname, a->microcode, a->initrds, a->n_initrd,
                                         a->extra, a->n_extra, a->sbats, a->n_sbat, a->sb_key, a->sb_cert,
                                         a->dtbautos, a->n_dtbauto, a->hwids_dir });
}

/* The UKI's sections before .sbat, in ukify's order (.osrel .cmdline .dtb .dtbauto .hwids .uname
 * .splash .pcrpkey, the --section ones), each input checked as it is read. */
static bool uki_sections(const BuildArgs *a, const char *osrel, const char *cmdline, const char *uname,
                         SectionList *l) {
        Blob last;
        if (!section_list_add_arg(l, ".osrel", osrel, false) || !section_list_add_arg(l, ".cmdline", cmdline, false) ||
            !section_list_add_arg(l, ".dtb", a->dtb, true))
                return false;
        if (a->dtb && !dtb_check((last = section_list_last(l), &last), a->dtb))
                return false;
        if (!dtb_sections_add(l, a->dtbautos, a->n_dtbauto, a->hwids_dir))   /* .dtbauto, .hwids */
                return false;
        if (uname && !section_list_add(l, ".uname", uname, strlen(uname)))
                return false;
        if (!section_list_add_arg(l, ".splash", a->splash, true))
                return false;
        if (a->splash && !splash_check((last = section_list_last(l), &last), a->splash))
                return false;
        /* .pcrpkey as ukify picks it: --pcrpkey, the one public key, the one private key's public half */
        const char *pcrpkey = a->pcrpkey;
        if (!pcrpkey && a->n_pcr_pub == 1 && *a->pcr_pub[0])
                pcrpkey = a->pcr_pub[0];
        if (!section_list_add_arg(l, ".pcrpkey", pcrpkey, true))
                return false;
        if (!pcrpkey && a->n_pcr_priv == 1) {
                _cleanup_blob_ Blob k = {};
                if (!pcrpkey_from_private(a->pcr_priv[0], &k) || !section_list_add_blob(l, ".pcrpkey", &k))
                        return false;
        }
        for (size_t i = 0; i < a->n_extra; i++)
                if (!section_list_add_spec(l, a->extra[i]))
                        return false;
        return true;
}

static int build_uki(const BuildArgs *a) {
        PcrSignKey pcr_keys[PCRSIG_MAX_KEYS];
        for (size_t i = 0; i < a->n_pcr_priv; i++)
                pcr_keys[i] = (PcrSignKey) { a->pcr_priv[i], i < a->n_pcr_pub && *a->pcr_pub[i] ? a->pcr_pub[i] : NULL,
                                             i < a->n_pcr_phases && *a->pcr_phases[i] ? a->pcr_phases[i] : NULL };
        const char *osrel = a->osrel && *a->osrel ? a->osrel : NULL;  /* as ukify: --os-release= (empty) means no .osrel */
        const char *cmdline = a->cmdline, *uname = a->uname;
        _cleanup_free_ char *cmdline_buf = NULL, *detected = NULL;
        if (cmdline && cmdline[0] != '@') {
                /* as ukify: a literal command line's whitespace runs become one space */
                if (!(cmdline_buf = strdup(cmdline)))
                        return error("out of memory");
                cmdline_collapse_whitespace(cmdline_buf);
                cmdline = cmdline_buf;
        }

        _cleanup_blob_ Blob kernel = {}, payload = {}, stub = {}, initrd = {}, ucode = {}, out = {};
        _cleanup_section_list_ SectionList secs = {};
        if (!read_file(a->linux_path, &kernel))
                return 1;
        KernelKind kind = kernel_validate(&kernel, a->linux_path, &payload);
        if (kind == KERNEL_UNKNOWN)
                return 1;
        Arch arch = kernel_arch(&kernel);
        if (arch == ARCH_UNKNOWN)
                return error("%s: unsupported machine type (x86_64 and aarch64 only)", a->linux_path);
        if (a->efi_arch && strcmp(a->efi_arch, arch_efi_suffix(arch)) != 0)
                return error("--efi-arch=%s, but %s is %s (EFI arch %s)", a->efi_arch, a->linux_path, arch_name(arch),
                             arch_efi_suffix(arch));
        if (!uname) {
                /* from the kernel as given (a zboot payload is already unpacked) */
                uname = detected = kernel_uname(&kernel, &payload);
                if (!uname)
                        info("warning: could not detect the kernel version; no .uname (use --uname)");
        }
        if (a->ztype != _COMPRESSION_INVALID && kind != KERNEL_ZBOOT) {
                Blob z;
                if (!zboot_make(&kernel, &payload, a->linux_path, a->ztype, compress_default_level(a->ztype), ZBOOT_BCJ_DEFAULT,
                                arch, NULL, NULL, 0, NULL, NULL, &z))
                        return 1;
                blob_free(&kernel);
                kernel = z;
        }
        blob_free(&payload);

        /* initrds concatenated, each padded to 4 bytes like ukify */
        if (!initrds_concat(a->initrds, a->n_initrd, &initrd) || !uki_sections(a, osrel, cmdline, uname, &secs))
                return 1;

        char path[4096];
        const char *stub_path = a->stub_path;
        if (!stub_path) {
                snprintf(path, sizeof(path), "%s/linux%s.efi.stub", stub_dir(), arch_efi_suffix(arch));
                stub_path = path;
        }
        if (!read_stub(stub_path, !a->stub_path, &stub))
                return 1;
        if (a->microcode && !read_file(a->microcode, &ucode))
                return 1;
        _cleanup_section_list_ SectionList efifw = {};
        if (!efifw_sections_add(&efifw, a->efifws, a->n_efifw))
                return 1;
        if (!uki_assemble(&(UkiParts) { &stub, stub_path, &kernel, a->linux_path, a->sbats, a->n_sbat, &secs,
                                        a->n_initrd ? &initrd : NULL, &efifw, a->microcode ? &ucode : NULL },
                          &out))
                return 1;
        /* the base ends here: profile 0's .profile, then the joined profiles (profile.c) */
        if ((a->profile || a->n_joins) && !profile_join(&out, a->profile, a->joins, a->n_joins))
                return 1;
        if (a->n_pcr_priv && !pcrsig_append(&out, a->output, pcr_keys, a->n_pcr_priv, a->pcr_banks))
                return 1;
        uint8_t pcr11[MEASURE_DIGEST_SIZE];
        PeView of;
        if (a->measure && (pe_parse(out.data, out.size, &of) != PE_OK || !uki_pcr11_sha256(&of, pcr11)))
                return error("%s: cannot compute the PCR 11 value", a->output);
        if (!write_output(a->output, out.data, out.size, a->sb_key, a->sb_cert))
                return 1;
        /* per profile: "11:sha256=" for profile 0, "11@N:sha256=" for the others */
        if (a->measure && !profile_print_measure(&of))
                return 1;
        info("wrote %s: %zu bytes (%s .linux, %s)%s", a->output, out.size, kernel_kind_name(kernel_kind(&kernel)),
             arch_name(arch), a->sb_key ? ", signed" : "");
        return 0;
}

int verb_build(int argc, char **argv) {
        static ConfigArgs cfg; /* static: what getopt keeps pointers into lives to the end */
        BuildArgs a = { .ztype = _COMPRESSION_INVALID };

        if (!config_args_load(&argc, &argv, &cfg))
                return 1;
        int r = parse_args(argc, argv, &a);
        if (r >= 0)
                return r;
        if (a.n_efifw && !a.linux_path && !(a.profile && !a.n_joins))
                return error("--efifw: only for a UKI (with --linux) or a profile PE (with --profile)");
        if (!a.linux_path && a.profile && !a.n_joins) {
                /* ukify 257: a profile PE, to be joined into a UKI with --join-profile */
                if (!a.output)
                        return error("build: --output is required");
                if (!sign_check_args(a.sb_key, a.sb_cert))
                        return 1;
                /* as ukify 257: a profile PE has no .sbat, .pcrpkey or .pcrsig of its own (joining
                 * takes none of them), and no kernel */
                report_unused("a profile PE", UKI_ONLY_OPTIONS(&a), { "--sbat", a.n_sbat > 0 },
                              { "--stub", a.stub_path != NULL });
                return profile_pe_main(&(ProfilePeInputs) {
                        .profile = a.profile, .cmdline = a.cmdline, .osrel = a.osrel, .uname = a.uname, .dtb = a.dtb,
                        .splash = a.splash, .hwids_dir = a.hwids_dir, .microcode = a.microcode,
                        .initrds = a.initrds, .n_initrd = a.n_initrd, .extra = a.extra, .n_extra = a.n_extra,
                        .dtbautos = a.dtbautos, .n_dtbauto = a.n_dtbauto, .efifws = a.efifws, .n_efifw = a.n_efifw,
                        .output = a.output, .sb_key = a.sb_key, .sb_cert = a.sb_cert, .efi_arch = a.efi_arch });
        }
        if (!a.linux_path && !a.n_joins &&
            (a.cmdline || a.dtb || a.n_dtbauto || a.hwids_dir || a.n_initrd || a.microcode || a.n_extra))
                return build_addon(&a);
        if (!a.linux_path)
                return error("build: --linux is required");
        if (!a.output)
                return error("build: --output is required");
        if (!sign_check_args(a.sb_key, a.sb_cert))
                return 1;
        if (a.n_pcr_pub && a.n_pcr_pub != a.n_pcr_priv)
                return error("--pcr-public-key= specifications must match --pcr-private-key=");
        if (a.n_pcr_phases && a.n_pcr_phases != a.n_pcr_priv)
                return error("--phases= specifications must match --pcr-private-key=");
        return build_uki(&a);
}
