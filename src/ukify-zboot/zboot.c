/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ukify-zboot zboot KERNEL -o OUT`: wrap a kernel in our zboot self-decompressor. This file
 * parses the command line; the image is made by zboot_make() (zboot-assemble.c, its layout
 * described there and in docs/format.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "sign.h"
#include "verbs.h"
#include "zboot-assemble.h"

static void help(void) {
        printf("ukify-zboot zboot KERNEL -o OUTPUT [OPTIONS]\n\n"
               "Wrap a kernel in the zboot self-decompressor: the result is a Linux EFI zboot image\n"
               "(vmlinuz.efi) bootable by firmware, systemd-boot (Type #1 `linux` entries) or as a\n"
               "UKI's .linux.\n\n"
               "  -o --output PATH       where to write the image (required)\n"
               "  -c --compress TYPE     zstd (default), gzip, lz4, xz, lzo (-Dlzo=enabled builds)\n"
               "  -l --level N           compression level (default: zstd 19, gzip 12, lz4 12, xz 9)\n"
               "     --arch ARCH         x86_64 or aarch64 (default: detected from KERNEL)\n"
               "     --bcj, --no-bcj     x86: filter the kernel text with the x86 BCJ filter before\n"
               "                         compressing (~7%% smaller with zstd; undone by the loader in\n"
               "                         ~30 ms native, so default: off; xz's stream has its own)\n"
               "     --stub PATH         self-decompressor to use (default: ours for the arch, from\n"
               "                         $UKIFY_ZBOOT_STUB_DIR, else the installed stub directory)\n"
               "     --sbat TEXT|@FILE   SBAT entries (repeatable) merged into the image's .sbat with the\n"
               "                         stub's and the kernel's (header line once, each component once)\n"
               "     --secureboot-private-key KEY\n"
               "     --secureboot-certificate CERT\n"
               "                         sign the image for Secure Boot with sbsign (both or neither)\n"
               "     --sign-payload KEY\n"
               "     --sign-payload-cert CERT\n"
               "                         store a detached PKCS#7 signature over the decompressed payload\n"
               "                         in a .zsig section (kernel module-signature format; made before\n"
               "                         the Secure Boot signature, which then covers it)\n"
               "  -h --help              this help\n");
}

int verb_zboot(int argc, char **argv) {
        enum { ARG_ARCH = 0x100, ARG_STUB, ARG_SBAT, ARG_SB_KEY, ARG_SB_CERT, ARG_SIG_KEY, ARG_SIG_CERT, ARG_BCJ,
               ARG_NO_BCJ };
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "compress", required_argument, NULL, 'c' },
                { "level", required_argument, NULL, 'l' },
                { "arch", required_argument, NULL, ARG_ARCH },
                { "bcj", no_argument, NULL, ARG_BCJ },
                { "no-bcj", no_argument, NULL, ARG_NO_BCJ },
                { "stub", required_argument, NULL, ARG_STUB },
                { "sbat", required_argument, NULL, ARG_SBAT },
                { "secureboot-private-key", required_argument, NULL, ARG_SB_KEY },
                { "secureboot-certificate", required_argument, NULL, ARG_SB_CERT },
                { "sign-payload", required_argument, NULL, ARG_SIG_KEY },
                { "sign-payload-cert", required_argument, NULL, ARG_SIG_CERT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *output = NULL, *stub = NULL, *sb_key = NULL, *sb_cert = NULL, *sig_key = NULL, *sig_cert = NULL,
                   *sbats[16];
        size_t n_sbat = 0;
        CompressionType t = COMPRESSION_ZSTD;
        Arch arch = ARCH_UNKNOWN;
        int level = -1, c;
        bool bcj = ZBOOT_BCJ_DEFAULT;

        if (!options_given_in_full(argc, argv, "o:c:l:h", opts))
                return 2;
        while ((c = getopt_long(argc, argv, "o:c:l:h", opts, NULL)) >= 0)
                switch (c) {
                case 'o': output = optarg; break;
                case 'c':
                        if (!compress_option_parse("--compress", optarg, &t))
                                return 1;
                        break;
                case 'l': {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (end == optarg || *end || v < 0 || v > 22)
                                return error("--level: \"%s\" is not a level", optarg);
                        level = (int) v;
                        break;
                }
                case ARG_ARCH:
                        arch = arch_from_string(optarg);
                        if (arch == ARCH_UNKNOWN)
                                return error("--arch: unknown architecture \"%s\" (x86_64, aarch64)", optarg);
                        break;
                case ARG_BCJ: bcj = true; break;
                case ARG_NO_BCJ: bcj = false; break;
                case ARG_STUB: stub = optarg; break;
                case ARG_SBAT:
                        if (n_sbat == sizeof(sbats) / sizeof(*sbats))
                                return error("--sbat: at most %zu", sizeof(sbats) / sizeof(*sbats));
                        sbats[n_sbat++] = optarg;
                        break;
                case ARG_SB_KEY: sb_key = optarg; break;
                case ARG_SB_CERT: sb_cert = optarg; break;
                case ARG_SIG_KEY: sig_key = optarg; break;
                case ARG_SIG_CERT: sig_cert = optarg; break;
                case 'h': help(); return 0;
                default: return 2;
                }
        if (optind + 1 != argc)
                return error("zboot: expected exactly one KERNEL argument (see --help)");
        if (!output)
                return error("zboot: --output is required");
        if (!sign_check_args(sb_key, sb_cert))
                return 1;
        if (!sig_key != !sig_cert)
                return error("zboot: --sign-payload and --sign-payload-cert go together");
        if (level < 0)
                level = compress_default_level(t);

        _cleanup_blob_ Blob kernel = {}, unpacked = {}, out = {};
        if (!read_file(argv[optind], &kernel))
                return 1;
        if (kernel_validate(&kernel, argv[optind], &unpacked) == KERNEL_UNKNOWN)
                return 1;
        if (!zboot_make(&kernel, &unpacked, argv[optind], t, level, bcj, arch, stub, sbats, n_sbat, sig_key, sig_cert, &out))
                return 1;
        if (!write_output(output, out.data, out.size, sb_key, sb_cert))
                return 1;
        info("wrote %s: %zu bytes (%s, %.1f%% of %s)%s%s", output, out.size, compression_to_string(t),
             100.0 * (double) out.size / (double) kernel.size, argv[optind], sb_key ? ", signed" : "",
             sig_key ? ", payload signed" : "");
        return 0;
}
