/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ukify-zboot extract FILE -o OUT`: the non-EFI loader path. Validate the zboot header and
 * write the decompressed payload (for arm64: the Image, padded to its memory size, that
 * kexec or QEMU would boot). A UKI's .linux is unwrapped first. */
#include <getopt.h>
#include <stdio.h>

#include "kernel.h"
#include "pe.h"
#include "verbs.h"

int verb_extract(int argc, char **argv) {
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *output = NULL;
        int c;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0)
                switch (c) {
                case 'o': output = optarg; break;
                case 'h':
                        printf("ukify-zboot extract FILE -o OUTPUT\n\n"
                               "Write the decompressed payload of a zboot image (or of the zboot .linux of a UKI).\n");
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
        if (kind == KERNEL_PE) {
                /* a UKI: its .linux */
                if (!uki_linux_validate(&in, argv[optind], &out, &kind))
                        return error("%s: a PE image without a .linux section: not a zboot image or UKI", argv[optind]);
                if (kind == KERNEL_UNKNOWN)
                        return 1;
        }
        if (kind != KERNEL_ZBOOT)
                return error("%s: %s, not a zboot image: nothing to extract", argv[optind], kernel_kind_name(kind));
        if (!write_file_atomic(output, out.data, out.size))
                return 1;
        info("wrote %s: %zu bytes", output, out.size);
        return 0;
}
