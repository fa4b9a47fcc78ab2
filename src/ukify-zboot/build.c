/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ukify-zboot build`: a UKI with ukify's option names. Sections are appended after the
 * stub's own in ukify's order (.osrel .cmdline .dtb .uname .splash, extra sections, .initrd,
 * .linux), each at SectionAlignment, read-only data, deterministic output.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"
#include "config.h"
#include "hwids.h"
#include "inputs.h"
#include "kernel.h"
#include "measure.h"
#include "pcrsig.h"
#include "pe.h"
#include "profile.h"
#include "sbat.h"
#include "sign.h"
#include "verbs.h"
#include "zboot.h"

#define MAX_EXTRA 16
#define MAX_DTBAUTO 16   /* --devicetree-auto */
#define MAX_INITRD 16
#define MAX_SBAT 16

static void help(void) {
        printf("ukify-zboot build --linux KERNEL -o OUTPUT [OPTIONS]\n\n"
               "Make a Unified Kernel Image with our UKI stub. Without --linux but with --cmdline,\n"
               "--devicetree, --initrd, --microcode or --section: a UKI add-on (*.addon.efi), as ukify.\n\n"
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
               "      --hwids DIR         .hwids from ukify's JSON files (*.json: name, compatible, hwids):\n"
               "                          without a firmware device tree the stub picks the .dtbauto by CHID\n"
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
               "                          measure for this UKI, as \"11:sha256=HEX\" on stdout\n"
               "  -o --output PATH\n"
               "  -h --help\n");
}

int verb_build(int argc, char **argv) {
        enum { A_LINUX = 0x100, A_ZBOOT, A_INITRD, A_CMDLINE, A_OSREL, A_UNAME, A_SBAT, A_SPLASH, A_DTB, A_SECTION,
               A_STUB, A_SB_KEY, A_SB_CERT, A_MEASURE, A_PROFILE, A_JOIN_PROFILE, A_CONFIG, A_PCR_PRIV, A_PCR_PUB, A_PHASES, A_PCR_BANKS,
               A_PCRPKEY, A_EFI_ARCH, A_SIGNTOOL, A_MICROCODE, A_DTBAUTO, A_HWIDS };
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
        bool measure = false;
        const char *linux_path = NULL, *output = NULL, *stub_path = NULL, *cmdline = NULL, *osrel = NULL,
                   *uname = NULL, *splash = NULL, *dtb = NULL, *sb_key = NULL, *sb_cert = NULL;
        const char *initrds[MAX_INITRD], *extra[MAX_EXTRA], *sbats[MAX_SBAT];
        size_t n_initrd = 0, n_extra = 0, n_sbat = 0;
        const char *dtbautos[MAX_DTBAUTO];
        size_t n_dtbauto = 0;
        const char *hwids_dir = NULL;
        CompressionType ztype = _COMPRESSION_INVALID;
        int c, ret = 1;
        const char *profile = NULL, *joins[16];   /* profile.c */
        size_t n_joins = 0;
        /* ukify's PCR signing options and config file (pcrsig.c, config.c) */
        static ConfigArgs cfg; /* static: what getopt keeps pointers into lives to the end */
        const char *pcr_priv[PCRSIG_MAX_KEYS], *pcr_pub[PCRSIG_MAX_KEYS], *pcr_phases[PCRSIG_MAX_KEYS];
        size_t n_pcr_priv = 0, n_pcr_pub = 0, n_pcr_phases = 0;
        const char *pcr_banks = NULL, *pcrpkey = NULL, *efi_arch = NULL, *microcode = NULL;

        if (!config_args_load(&argc, &argv, &cfg))
                return 1;
        while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) >= 0)
                switch (c) {
                case A_LINUX: linux_path = optarg; break;
                case A_ZBOOT:
                        ztype = optarg ? compression_from_string(optarg) : COMPRESSION_ZSTD;
                        if (ztype == COMPRESSION_LZO && !compression_supported(ztype))
                                return error("--zboot lzo: not supported by this build (configure with -Dlzo=enabled; "
                                             "the binaries are then GPL-2.0-or-later)");
                        if (ztype != COMPRESSION_ZSTD && ztype != COMPRESSION_GZIP && ztype != COMPRESSION_LZ4 &&
                            ztype != COMPRESSION_XZ && ztype != COMPRESSION_LZO)
                                return error("--zboot: unknown type \"%s\" (zstd, gzip, lz4, xz, lzo)", optarg);
                        break;
                case A_INITRD:
                        if (n_initrd == MAX_INITRD)
                                return error("--initrd: at most %d", MAX_INITRD);
                        initrds[n_initrd++] = optarg;
                        break;
                case A_CMDLINE: cmdline = optarg; break;
                case A_OSREL: osrel = optarg; break;
                case A_UNAME: uname = optarg; break;
                case A_SBAT:
                        if (n_sbat == MAX_SBAT)
                                return error("--sbat: at most %d", MAX_SBAT);
                        sbats[n_sbat++] = optarg;
                        break;
                case A_SB_KEY: sb_key = optarg; break;
                case A_SB_CERT: sb_cert = optarg; break;
                case A_SPLASH: splash = optarg; break;
                case A_DTB: dtb = optarg; break;
                case A_DTBAUTO:
                        if (n_dtbauto == MAX_DTBAUTO)
                                return error("--devicetree-auto: at most %d", MAX_DTBAUTO);
                        dtbautos[n_dtbauto++] = optarg;
                        break;
                case A_HWIDS: hwids_dir = optarg; break;
                case A_MICROCODE: microcode = optarg; break;
                case A_SECTION:
                        if (n_extra == MAX_EXTRA)
                                return error("--section: at most %d", MAX_EXTRA);
                        if (!strchr(optarg, ':') ||
                            !section_name_check(optarg, (size_t) (strchr(optarg, ':') - optarg)))
                                return error("--section: expected NAME:TEXT or NAME:@FILE with a name of 1..8 printable ASCII bytes, got \"%s\"",
                                             optarg);
                        extra[n_extra++] = optarg;
                        break;
                case A_STUB: stub_path = optarg; break;
                case A_MEASURE: measure = true; break;
                case A_PROFILE: profile = optarg; break;
                case A_JOIN_PROFILE:
                        if (n_joins == sizeof(joins) / sizeof(*joins))
                                return error("--join-profile: at most %zu", sizeof(joins) / sizeof(*joins));
                        joins[n_joins++] = optarg;
                        break;
                case 'c':
                case A_CONFIG: break; /* read by config_expand() */
                case A_PCR_PRIV:
                case A_PCR_PUB:
                case A_PHASES: {
                        const char **v = c == A_PCR_PRIV ? pcr_priv : c == A_PCR_PUB ? pcr_pub : pcr_phases;
                        size_t *nv = c == A_PCR_PRIV ? &n_pcr_priv : c == A_PCR_PUB ? &n_pcr_pub : &n_pcr_phases;
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
                        pcr_banks = optarg;
                        break;
                case A_PCRPKEY: pcrpkey = optarg; break;
                case A_EFI_ARCH:
                        if (strcmp(optarg, "x64") != 0 && strcmp(optarg, "aa64") != 0)
                                return error("--efi-arch: \"%s\" is not supported: our stubs are x64 and aa64", optarg);
                        efi_arch = optarg;
                        break;
                case A_SIGNTOOL:
                        if (strcmp(optarg, "sbsign") != 0)
                                return error("--signtool: only sbsign is supported, not \"%s\"", optarg);
                        break;
                case 'o': output = optarg; break;
                case 'h': help(); return 0;
                default: return 2;
                }
        if (optind != argc)
                return error("build: unexpected argument \"%s\" (see --help)", argv[optind]);
        if (!linux_path && !n_joins && (n_dtbauto || hwids_dir))
                return error("--devicetree-auto/--hwids: only in a UKI with --linux (not yet in profile PEs or add-ons)");
        if (!linux_path && profile && !n_joins) {
                /* ukify 257: a profile PE, to be joined into a UKI with --join-profile */
                if (!output)
                        return error("build: --output is required");
                return profile_pe_main(profile, cmdline, osrel, uname, dtb, splash, initrds, n_initrd, extra, n_extra,
                                       output);
        }
        if (!linux_path && !n_joins && (cmdline || dtb || n_initrd || microcode || n_extra)) {
                /* ukify 257: without --linux, build makes a PE add-on (addon.c) */
                if (!output)
                        return error("build: --output is required");
                if (!sign_check_args(sb_key, sb_cert))
                        return 1;
                char *cl = cmdline && cmdline[0] != '@' ? strdup(cmdline) : NULL;
                if (cl)
                        cmdline_collapse_whitespace(cl);
                ret = addon_main(&(AddonArgs) { output, stub_path, efi_arch, osrel && *osrel ? osrel : NULL,
                                                cl ? cl : cmdline, dtb, uname, microcode, initrds, n_initrd, extra,
                                                n_extra, sbats, n_sbat, sb_key, sb_cert });
                free(cl);
                return ret;
        }
        if (!linux_path)
                return error("build: --linux is required");
        if (!output)
                return error("build: --output is required");
        if (!sign_check_args(sb_key, sb_cert))
                return 1;
        if (n_pcr_pub && n_pcr_pub != n_pcr_priv)
                return error("--pcr-public-key= specifications must match --pcr-private-key=");
        if (n_pcr_phases && n_pcr_phases != n_pcr_priv)
                return error("--phases= specifications must match --pcr-private-key=");
        PcrSignKey pcr_keys[PCRSIG_MAX_KEYS];
        for (size_t i = 0; i < n_pcr_priv; i++)
                pcr_keys[i] = (PcrSignKey) { pcr_priv[i], i < n_pcr_pub && *pcr_pub[i] ? pcr_pub[i] : NULL,
                                             i < n_pcr_phases && *pcr_phases[i] ? pcr_phases[i] : NULL };
        if (osrel && !*osrel)
                osrel = NULL; /* as ukify: --os-release= (empty) means no .osrel */
        char *cmdline_buf = NULL;
        if (cmdline && cmdline[0] != '@') {
                /* as ukify: a literal command line's whitespace runs become one space */
                if (!(cmdline_buf = strdup(cmdline)))
                        return error("out of memory");
                cmdline_collapse_whitespace(cmdline_buf);
                cmdline = cmdline_buf;
        }

        Blob kernel = {}, payload = {}, stub = {}, initrd = {}, out = {}, stub_sbat = {}, pcrpkey_blob = {};
        SbatList sl = {};
        char *sbat_text = NULL;
        size_t sbat_size = 0;
        Blob texts[13 + MAX_EXTRA + MAX_DTBAUTO] = {}, ucode = {};
        PeNewSection secs[13 + MAX_EXTRA + MAX_DTBAUTO];
        size_t n = 0, nt = 0;
        char *detected = NULL;
        char names[MAX_EXTRA][9];

        if (!read_file(linux_path, &kernel))
                goto out;
        KernelKind kind = kernel_validate(&kernel, linux_path, &payload);
        if (kind == KERNEL_UNKNOWN)
                goto out;
        Arch arch = kernel_arch(&kernel);
        if (arch == ARCH_UNKNOWN) {
                error("%s: unsupported machine type (x86_64 and aarch64 only)", linux_path);
                goto out;
        }
        if (efi_arch && strcmp(efi_arch, arch_efi_suffix(arch)) != 0) {
                error("--efi-arch=%s, but %s is %s (EFI arch %s)", efi_arch, linux_path, arch_name(arch),
                      arch_efi_suffix(arch));
                goto out;
        }
        if (!uname) {
                /* from the kernel as given (a zboot payload is already unpacked) */
                uname = detected = kernel_uname(&kernel, &payload);
                if (!uname)
                        info("warning: could not detect the kernel version; no .uname (use --uname)");
        }
        if (ztype != _COMPRESSION_INVALID && kind != KERNEL_ZBOOT) {
                Blob z;
                if (!make_zboot(&kernel, &payload, linux_path, ztype, compress_default_level(ztype), arch, NULL, NULL, 0,
                                &z))
                        goto out;
                blob_free(&kernel);
                kernel = z;
        }
        blob_free(&payload);

        /* initrds concatenated, each padded to 4 bytes like ukify */
        if (!initrds_concat(initrds, n_initrd, &initrd))
                goto out;

#define TEXT(arg, secname) do { \
                if (!section_add(arg, secname, false, texts, &nt, secs, &n)) goto out; \
        } while (0)
#define FILESEC(path, secname) do { \
                if (!section_add(path, secname, true, texts, &nt, secs, &n)) goto out; \
        } while (0)
        TEXT(osrel, ".osrel");
        TEXT(cmdline, ".cmdline");
        FILESEC(dtb, ".dtb");
        if (dtb && !dtb_check(&texts[nt - 1], dtb))
                goto out;
        for (size_t i = 0; i < n_dtbauto; i++) {   /* after .dtb, in the order given, as ukify 257 */
                FILESEC(dtbautos[i], ".dtbauto");
                if (!dtb_check(&texts[nt - 1], dtbautos[i]))
                        goto out;
        }
        if (hwids_dir) {   /* after .dtbauto, before .uname, as ukify 257 */
                if (!hwids_pack_dir(hwids_dir, &texts[nt]))
                        goto out;
                secs[n++] = (PeNewSection) { ".hwids", texts[nt].data, texts[nt].size, 0, false };
                nt++;
        }
        if (uname)
                secs[n++] = (PeNewSection) { ".uname", uname, strlen(uname), 0, false };
        FILESEC(splash, ".splash");
        if (splash && !splash_check(&texts[nt - 1], splash))
                goto out;
        /* .pcrpkey as ukify picks it: --pcrpkey, the one public key, the one private key's public half */
        if (!pcrpkey && n_pcr_pub == 1 && *pcr_pub[0])
                pcrpkey = pcr_pub[0];
        FILESEC(pcrpkey, ".pcrpkey");
        if (!pcrpkey && n_pcr_priv == 1) {
                if (!pcrpkey_from_private(pcr_priv[0], &pcrpkey_blob))
                        goto out;
                secs[n++] = (PeNewSection) { ".pcrpkey", pcrpkey_blob.data, pcrpkey_blob.size, 0, false };
        }
        for (size_t i = 0; i < n_extra; i++) {
                size_t l = (size_t) (strchr(extra[i], ':') - extra[i]);
                memcpy(names[i], extra[i], l);
                names[i][l] = '\0';
                TEXT(extra[i] + l + 1, names[i]);
        }

        char path[4096];
        bool defaulted = !stub_path;
        if (!stub_path) {
                snprintf(path, sizeof(path), "%s/linux%s.efi.stub", stub_dir(), arch_efi_suffix(arch));
                stub_path = path;
        }
        if (!read_stub(stub_path, defaulted, &stub))
                goto out;
        PeFile sf;
        PeResult r = pe_parse(stub.data, stub.size, &sf);
        if (r != PE_OK) {
                error("%s: %s", stub_path, pe_strerror(r));
                goto out;
        }
        /* .sbat as ukify makes it: the stub's, the kernel's (the .linux as embedded: for a zboot
         * image ours carries the wrapped kernel's entries too), the user's; replaces the stub's */
        if (!sbat_add_pe(&sl, &stub, stub_path) || !sbat_add_pe(&sl, &kernel, linux_path))
                goto out;
        for (size_t i = 0; i < n_sbat; i++)
                if (!sbat_add_text(&sl, sbats[i]))
                        goto out;
        if (n_sbat == 0 && !sbat_add_text(&sl, UKI_SBAT_DEFAULT)) /* as ukify: a UKI can always be revoked */
                goto out;
        sbat_text = sbat_format(&sl, &sbat_size);
        if (!sbat_text)
                goto out;
        int sr = sbat_replace(&stub, stub_path, sbat_text, sbat_size, &stub_sbat);
        if (sr < 0)
                goto out;
        if (sr > 0) {
                r = pe_parse(stub_sbat.data, stub_sbat.size, &sf);
                if (r != PE_OK) {
                        error("%s: internal error after replacing .sbat: %s", stub_path, pe_strerror(r));
                        goto out;
                }
        } else if (sl.n > 0)
                secs[n++] = (PeNewSection) { ".sbat", sbat_text, sbat_size, 0, false };
        for (size_t i = 0; i < n; i++)
                if (pe_find_section(&sf, secs[i].name) >= 0) {
                        error("%s: the stub already has a %s section", stub_path, secs[i].name);
                        goto out;
                }
        if (n_initrd)
                secs[n++] = (PeNewSection) { ".initrd", initrd.data, initrd.size, 0, false };
        /* .ucode after .initrd, as ukify 257 orders them (the stub puts it first in the initrd) */
        if (microcode) {
                if (!read_file(microcode, &ucode))
                        goto out;
                secs[n++] = (PeNewSection) { ".ucode", ucode.data, ucode.size, 0, false };
        }
        secs[n++] = (PeNewSection) { ".linux", kernel.data, kernel.size, 0, false };

        size_t total;
        r = pe_append_size(&sf, secs, n, &total);
        if (r == PE_OK) {
                out.data = malloc(total);
                r = out.data ? pe_append_sections(&sf, secs, n, out.data, total, &out.size) : PE_BUFFER_TOO_SMALL;
        }
        if (r != PE_OK) {
                error("%s: cannot add sections: %s", stub_path, pe_strerror(r));
                goto out;
        }
        if (profile || n_joins) {
                /* the base ends here: profile 0's .profile, then the joined profiles (profile.c) */
                if (!profile_join(&out, profile, joins, n_joins))
                        goto out;
        }
        if (n_pcr_priv && !pcrsig_append(&out, output, pcr_keys, n_pcr_priv, pcr_banks))
                goto out;
        uint8_t pcr11[MEASURE_DIGEST_SIZE];
        PeFile of;
        if (measure && (pe_parse(out.data, out.size, &of) != PE_OK || !uki_pcr11_sha256(&of, pcr11))) {
                error("%s: cannot compute the PCR 11 value", output);
                goto out;
        }
        if (!write_output(output, out.data, out.size, sb_key, sb_cert))
                goto out;
        if (measure) {
                /* per profile: "11:sha256=" for profile 0, "11@N:sha256=" for the others */
                if (!profile_print_measure(&of))
                        goto out;
        }
        info("wrote %s: %zu bytes (%s .linux, %s)%s", output, out.size, kernel_kind_name(kernel_kind(&kernel)),
             arch_name(arch), sb_key ? ", signed" : "");
        ret = 0;
out:
        for (size_t i = 0; i < nt; i++)
                blob_free(&texts[i]);
        blob_free(&kernel);
        blob_free(&payload);
        blob_free(&stub);
        blob_free(&initrd);
        blob_free(&ucode);
        blob_free(&out);
        blob_free(&stub_sbat);
        blob_free(&pcrpkey_blob);
        free(cmdline_buf);
        sbat_free(&sl);
        free(sbat_text);
        free(detected);
        return ret;
}
