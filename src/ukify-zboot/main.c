/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ukify-zboot: make and inspect zboot images and UKIs. One file per verb. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verbs.h"
#include "version.h"

static void help(void) {
        printf("ukify-zboot VERB [OPTIONS] ARGS\n\n"
               "Compressed Linux kernels (EFI zboot images) as a first-class kernel for systemd-boot and UKIs.\n\n"
               "Verbs:\n"
               "  zboot KERNEL -o OUT     wrap a kernel in our zboot self-decompressor (vmlinuz.efi)\n"
               "  build --linux K -o OUT  make a UKI (ukify's options)\n"
               "  inspect FILE [--json]   show PE sections, W^X verdict, zboot header, UKI sections\n"
               "  extract FILE -o OUT     write the decompressed payload of a zboot image\n"
               "  kexec FILE [--exec]     load an x86_64 zboot image with kexec_load(2) (our own loader)\n"
               "  genkey [--config PATH]  make the Secure Boot and PCR signing keys build uses (ukify's genkey)\n\n"
               "  -h --help               this help (VERB --help for each verb)\n"
               "     --version            print the version\n\n"
               "Signing: zboot and build take --secureboot-private-key KEY --secureboot-certificate CERT\n"
               "and sign their output with sbsign (sbsigntool).\n\n"
               "Stubs: --stub PATH, else $UKIFY_ZBOOT_STUB_DIR, else the installed directory\n"
               "  " STUB_DIR_INSTALL "\n"
               "(the build tree's stubs only for the build tree's own binary).\n\n"
               "Exit status: 0 success, 1 error (a \"ukify-zboot: error:\" line says which),\n"
               "2 command line not understood (no or unknown verb, unknown option, an option without its value).\n"
               "See ukify-zboot(1).\n");
}

/* What a verb printed on stdout (inspect's report and JSON, build --measure's PCR values) is
 * what scripts read: a write that failed (a full disk, a closed pipe) fails the run. */
static int stdout_flushed(int r) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
                error("standard output: %s", errno ? strerror(errno) : "write failed");
                return r == 0 ? 1 : r;
        }
        return r;
}

int main(int argc, char **argv) {
        if (argc < 2) {
                error("no VERB given (zboot, build, inspect, extract, kexec, genkey; see --help)");
                return 2;
        }
        const char *verb = argv[1];
        if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "help") == 0) {
                help();
                return stdout_flushed(0);
        }
        if (strcmp(verb, "--version") == 0) {
                printf("ukify-zboot %s\n", PROJECT_VERSION);
                return stdout_flushed(0);
        }
        static const struct {
                const char *name;
                int (*fn)(int, char **);
        } verbs[] = {
                { "zboot", verb_zboot },
                { "build", verb_build },
                { "inspect", verb_inspect },
                { "extract", verb_extract },
                { "kexec", verb_kexec },
                { "genkey", verb_genkey },
        };
        for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
                if (strcmp(verb, verbs[i].name) == 0)
                        return stdout_flushed(verbs[i].fn(argc - 1, argv + 1));
        error("unknown verb \"%s\" (zboot, build, inspect, extract, kexec, genkey; see --help)", verb);
        return 2;
}
