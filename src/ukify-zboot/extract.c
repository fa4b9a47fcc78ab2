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
        Blob k = in;
        if (kernel_kind(&in) != KERNEL_ZBOOT) {
                PeFile f;
                int i;
                size_t n;
                if (pe_parse(in.data, in.size, &f) == PE_OK && (i = pe_find_section(&f, ".linux")) >= 0) {
                        k.data = (uint8_t *) pe_section_data(&f, (size_t) i, &n);
                        k.size = n;
                }
                if (kernel_kind(&k) != KERNEL_ZBOOT)
                        return error("%s: not a zboot image (no MZ/\"zimg\" header), nor a UKI with one as .linux",
                                     argv[optind]);
        }
        if (!zboot_unpack(&k, argv[optind], &out))
                return 1;
        if (!write_file_atomic(output, out.data, out.size))
                return 1;
        info("wrote %s: %zu bytes", output, out.size);
        return 0;
}
