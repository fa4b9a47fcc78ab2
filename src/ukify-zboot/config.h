/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `build --config FILE`: ukify 257's configuration file (/etc/kernel/uki.conf), turned into the
 * command-line options it stands for, so one getopt loop applies both with ukify's precedence.
 * docs/ukify-options.md "--config FILE".
 */
#pragma once

#include <stdbool.h>

typedef struct {
        int argc;
        char **argv;            /* argv[0], the file's options that go first, the command line, the file's
                                 * [PCRSignature:NAME] options; NULL-terminated */
        char **owned;           /* strings made here */
        int n_owned;
} ConfigArgs;

/* Finds --config/-c in argv[1..argc) (the build verb's arguments). Without one, *ret is argv as
 * it is. With one, the file's settings become options:
 *   - single-valued settings go before the command line (a command-line option, parsed later,
 *     wins);
 *   - Initrd= and DeviceTreeAuto= (whitespace-separated lists) go before the command line's and
 *     are kept with them, as ukify does;
 *   - SBAT= applies only when the command line has no --sbat;
 *   - each [PCRSignature:NAME] section becomes one --pcr-private-key, --pcr-public-key and
 *     --phases triple after the command line's keys (an empty value: none given);
 *   - unknown keys are reported and ignored (as ukify does); keys of options we do not take are
 *     an error, except SecureBootCertificateDir= (pesign's, no effect here): reported, ignored.
 * False (after an error message) when the file cannot be read or parsed. */
bool config_expand(int argc, char **argv, ConfigArgs *ret);
void config_args_free(ConfigArgs *a);

/* A verb's start (build, genkey): frees what an earlier call put in *cfg (static in the caller:
 * getopt keeps pointers into it), config_expand()s (*argc, *argv) into it and points them at the
 * result. False (after an error message) as config_expand(). */
bool config_args_load(int *argc, char ***argv, ConfigArgs *cfg);

/* ukify's treatment of a literal (non-@) --cmdline: runs of whitespace become one space, none
 * at either end. In place. */
void cmdline_collapse_whitespace(char *s);
