/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: `build --config`'s reader of ukify's configuration format (src/ukify-zboot/config.c,
 * compiled into this file so its static parser is reachable; the CLI's message helpers are
 * shimmed). Input: the file's text. It is parsed from memory and expanded around a fixed command
 * line, as build does.
 * Invariants: the command line's arguments come through unchanged and in order; every added
 * argument is "--OPTION=VALUE"; [PCRSignature:NAME] groups add as many --pcr-public-key and
 * --phases as --pcr-private-key; a refused file prints an error and returns nothing; the command
 * line whitespace collapse is idempotent and leaves no leading, trailing or double space.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ukify-zboot/config.c"
#include "fuzz-cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_prefix(const ConfigArgs *a, const char *prefix) {
        int n = 0;
        for (int i = 0; i < a->argc; i++)
                if (strncmp(a->argv[i], prefix, strlen(prefix)) == 0)
                        n++;
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *argv[] = { "build", "--linux", "k", "--sbat=x", "-o", "out", NULL };
        const int argc = 6;
        Entries es = {};
        ConfigArgs a = {};

        FILE *f = fmemopen((void *) data, size, "r");
        if (!f)
                return 0;
        n_errors = 0;
        bool ok = parse_stream(f, "fuzz.conf", &es);
        fclose(f);
        if (!ok) {
                if (n_errors == 0)
                        abort();
                entries_free(&es);
                return 0;
        }
        n_errors = 0;
        if (!expand_entries(&es, argc, argv, &a)) {
                if (n_errors == 0 || a.argv || a.owned)
                        abort();
                return 0;
        }
        if (es.e || a.argc < argc || a.argv[a.argc] != NULL || strcmp(a.argv[0], "build") != 0)
                abort();
        /* the command line, in order, as one run */
        int at = -1;
        for (int i = 1; i < a.argc; i++)
                if (a.argv[i] == argv[1]) {
                        at = i;
                        break;
                }
        if (at < 0 || at + argc - 1 > a.argc)
                abort();
        for (int j = 1; j < argc; j++)
                if (a.argv[at + j - 1] != argv[j])
                        abort();
        for (int i = 1; i < a.argc; i++) {
                if (i >= at && i < at + argc - 1)
                        continue;
                if (strncmp(a.argv[i], "--", 2) != 0 || !strchr(a.argv[i], '=') || a.argv[i][2] == '=')
                        abort();
                if (strncmp(a.argv[i], "--sbat=", 7) == 0)
                        abort(); /* the command line has --sbat: SBAT= must not be added */
        }
        int n_priv = count_prefix(&a, "--pcr-private-key="), n_pub = count_prefix(&a, "--pcr-public-key="),
            n_ph = count_prefix(&a, "--phases=");
        if (n_priv > 0 && (n_pub != n_priv || n_ph != n_priv))
                abort();
        config_args_free(&a);

        /* the --cmdline collapse on the raw text */
        char *s = malloc(size + 1), *t = NULL;
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        cmdline_collapse_whitespace(s);
        size_t n = strlen(s);
        if (n > 0 && (s[0] == ' ' || s[n - 1] == ' ' || strstr(s, "  ")))
                abort();
        for (size_t i = 0; i < n; i++)
                if (isspace((unsigned char) s[i]) && s[i] != ' ')
                        abort();
        t = strdup(s);
        if (t) {
                cmdline_collapse_whitespace(t);
                if (strcmp(s, t) != 0)
                        abort();
        }
        free(t);
        free(s);
        return 0;
}
