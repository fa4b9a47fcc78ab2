/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ukify-zboot extract FILE -o OUT`: the non-EFI loader path. Validate the zboot header and
 * write the decompressed payload (for arm64: the Image, padded to its memory size, that
 * kexec or QEMU would boot). A UKI's .linux is unwrapped first. With --verify-cert the payload
 * signature (.zsig, zsig.h) must verify over the decompressed bytes before anything is written. */
#include <getopt.h>
#include <stdio.h>

#include "kernel.h"
#include "pe.h"
#include "verbs.h"
#include "zsig.h"

int verb_extract(int argc, char **argv) {
        enum { ARG_VERIFY_CERT = 0x100 };
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "verify-cert", required_argument, NULL, ARG_VERIFY_CERT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *output = NULL, *verify_cert = NULL;
        int c;
        if (!options_given_in_full(argc, argv, "o:h", opts))
                return 2;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0)
                switch (c) {
                case 'o': output = optarg; break;
                case ARG_VERIFY_CERT: verify_cert = optarg; break;
                case 'h':
                        printf("ukify-zboot extract FILE -o OUTPUT [--verify-cert CERT]\n\n"
                               "Write the decompressed payload of a zboot image (or of the zboot .linux of a UKI).\n\n"
                               "  -o --output PATH       where to write the payload (required)\n"
                               "     --verify-cert CERT  refuse unless the image's payload signature (.zsig, made by\n"
                               "                         the zboot verb's payload signing) verifies with CERT\n"
                               "                         over the decompressed bytes\n"
                               "  -h --help              this help\n");
                        return 0;
                default: return 2;
                }
        if (optind + 1 != argc)
                return error("extract: expected exactly one FILE argument (see --help)");
        if (!output)
                return error("extract: --output is required");

        _cleanup_blob_ Blob in = {}, out = {};
        if (!read_file(argv[optind], &in))
                return 1;
        KernelKind kind = kernel_validate(&in, argv[optind], &out);
        if (kind == KERNEL_UNKNOWN)
                return 1;
        const uint8_t *zimg = in.data;  /* the zboot image: the file, or a UKI's .linux */
        size_t zimg_len = in.size;
        if (kind == KERNEL_PE) {
                /* a UKI: its .linux */
                if (!uki_linux_validate(&in, argv[optind], &out, &kind))
                        return error("%s: a PE image without a .linux section: not a zboot image or UKI", argv[optind]);
                if (kind == KERNEL_UNKNOWN)
                        return 1;
                PeView f;
                int li = pe_parse(in.data, in.size, &f) == PE_OK ? pe_find_section(&f, ".linux") : -1;
                zimg = li >= 0 ? pe_section_data(&f, (size_t) li, &zimg_len) : NULL;
        }
        if (kind != KERNEL_ZBOOT)
                return error("%s: %s, not a zboot image: nothing to extract", argv[optind], kernel_kind_name(kind));
        if (verify_cert) {
                const uint8_t *sec = NULL;
                size_t sec_len = 0;
                if (!zimg || !zsig_find(zimg, zimg_len, &sec, &sec_len))
                        sec = NULL;
                if (!zsig_verify(out.data, out.size, sec, sec_len, verify_cert, argv[optind]))
                        return 1;
                info("%s: payload signature verified with %s", argv[optind], verify_cert);
        }
        if (!write_file_atomic(output, out.data, out.size))
                return 1;
        info("wrote %s: %zu bytes", output, out.size);
        return 0;
}
