/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ukify's configuration file format (config.h), as ukify(1) 257 documents it and Python's
 * configparser reads it with ukify's settings: "[SECTION]" headers, "Key=Value" with only '='
 * as delimiter, keys case-sensitive and stripped, values stripped; whole-line comments start
 * with '#' (or ';'), an inline comment is " #..." (whitespace, then '#'); an indented line
 * continues the value before it (joined with a newline); a blank line ends a value; a repeated
 * key or section replaces or extends the earlier one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

typedef enum {
        K_SINGLE,       /* one value: before the command line, which wins */
        K_LIST,         /* whitespace-separated list, before the command line's and kept with them */
        K_SBAT,         /* only when the command line has no --sbat */
        K_IGNORED,      /* accepted, no effect on build (reported) */
        K_REFUSED,      /* an option we do not take */
        K_BOOL_REFUSED, /* a boolean whose "yes" we do not take; "no" is fine */
} KeyKind;

static const struct {
        const char *key;        /* in [UKI] */
        const char *option;     /* long option */
        KeyKind kind;
} uki_keys[] = {
        { "Linux", "linux", K_SINGLE },
        { "OSRelease", "os-release", K_SINGLE },
        { "Cmdline", "cmdline", K_SINGLE },
        { "Initrd", "initrd", K_LIST },
        { "Microcode", "microcode", K_SINGLE },
        { "Splash", "splash", K_SINGLE },
        { "DeviceTree", "devicetree", K_SINGLE },
        { "DeviceTreeAuto", "devicetree-auto", K_LIST },
        { "HWIDs", "hwids", K_SINGLE },
        { "Firmware", "efifw", K_LIST },
        { "Uname", "uname", K_SINGLE },
        { "SBAT", "sbat", K_SBAT },
        { "PCRPKey", "pcrpkey", K_SINGLE },
        { "Profile", "profile", K_SINGLE },
        { "EFIArch", "efi-arch", K_SINGLE },
        { "Stub", "stub", K_SINGLE },
        { "PCRBanks", "pcr-banks", K_SINGLE },
        { "SecureBootSigningTool", "signtool", K_SINGLE },
        { "SecureBootPrivateKey", "secureboot-private-key", K_SINGLE },
        { "SecureBootCertificate", "secureboot-certificate", K_SINGLE },
        { "SecureBootCertificateDir", NULL, K_IGNORED },      /* pesign only */
        { "SecureBootCertificateValidity", "secureboot-certificate-validity", K_SINGLE }, /* genkey's */
        { "SecureBootCertificateName", NULL, K_REFUSED },     /* pesign */
        { "SigningEngine", NULL, K_REFUSED },
        { "SigningProvider", NULL, K_REFUSED },
        { "CertificateProvider", NULL, K_REFUSED },
        { "SignKernel", NULL, K_BOOL_REFUSED },
};

#define MAX_GROUPS 8

typedef struct {
        char *name;
        char *priv, *pub, *phases;
} Group;

typedef struct {
        char *section;          /* "UKI", "PCRSignature:NAME", ... */
        char *key;
        char *value;
} Entry;

typedef struct {
        Entry *e;
        size_t n;
} Entries;

static char *strip(char *s) {
        while (*s && isspace((unsigned char) *s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char) s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* configparser's inline comment: '#' at the start or after whitespace ends the value */
static void cut_inline_comment(char *s) {
        for (char *p = s; *p; p++)
                if (*p == '#' && (p == s || isspace((unsigned char) p[-1]))) {
                        *p = '\0';
                        return;
                }
}

static void entries_free(Entries *es) {
        for (size_t i = 0; i < es->n; i++) {
                free(es->e[i].section);
                free(es->e[i].key);
                free(es->e[i].value);
        }
        free(es->e);
        es->e = NULL;
        es->n = 0;
}

/* Sets section/key (a later one replaces an earlier one, keeping its place, like a dict). */
static bool entries_set(Entries *es, const char *section, const char *key, const char *value, size_t *ret_idx) {
        for (size_t i = 0; i < es->n; i++)
                if (strcmp(es->e[i].section, section) == 0 && strcmp(es->e[i].key, key) == 0) {
                        char *v = strdup(value);
                        if (!v)
                                return false;
                        free(es->e[i].value);
                        es->e[i].value = v;
                        *ret_idx = i;
                        return true;
                }
        Entry *p = realloc(es->e, (es->n + 1) * sizeof(*p));
        if (!p)
                return false;
        es->e = p;
        Entry *e = &es->e[es->n];
        e->section = strdup(section);
        e->key = strdup(key);
        e->value = strdup(value);
        if (!e->section || !e->key || !e->value) {
                free(e->section), free(e->key), free(e->value);
                return false;
        }
        *ret_idx = es->n++;
        return true;
}

static bool append_line(Entries *es, size_t idx, const char *line) {
        Entry *e = &es->e[idx];
        size_t a = strlen(e->value), b = strlen(line);
        char *v = realloc(e->value, a + b + 2);
        if (!v)
                return false;
        v[a] = '\n';
        memcpy(v + a + 1, line, b + 1);
        e->value = v;
        return true;
}

/* The file's settings into es (path only names it in messages). */
static bool parse_stream(FILE *f, const char *path, Entries *es) {
        _cleanup_free_ char *line = NULL, *section = NULL;
        size_t cap = 0, lineno = 0, cur = SIZE_MAX;
        ssize_t r;
        while ((r = getline(&line, &cap, f)) >= 0) {
                lineno++;
                if (memchr(line, '\0', (size_t) r)) {
                        return error("--config: %s:%zu: NUL byte", path, lineno), false;
                }
                bool indented = line[0] == ' ' || line[0] == '\t';
                char *s = strip(line);
                if (*s == '#' || *s == ';')
                        continue; /* a comment line never ends a value */
                if (*s == '\0') {
                        cur = SIZE_MAX; /* a blank line ends the value */
                        continue;
                }
                cut_inline_comment(s);
                s = strip(s);
                if (indented && cur != SIZE_MAX) {
                        if (*s && !append_line(es, cur, s))
                                return error("out of memory"), false;
                        continue;
                }
                cur = SIZE_MAX;
                if (*s == '[') {
                        char *end = strchr(s, ']');
                        if (!end || end == s + 1) {
                                return error("--config: %s:%zu: bad section header", path, lineno), false;
                        }
                        *end = '\0';
                        free(section);
                        section = strdup(s + 1);
                        if (!section)
                                return error("out of memory"), false;
                        char *colon = strchr(section, ':');
                        if (colon && (colon == section || colon[1] == '\0' || strchr(colon + 1, ':'))) {
                                return error("--config: %s:%zu: section [%s]: NAME:GROUP, both non-empty, one ':'", path,
                                      lineno, section), false;
                        }
                        continue;
                }
                char *eq = strchr(s, '=');
                if (!eq) {
                        return error("--config: %s:%zu: expected Key=Value", path, lineno), false;
                }
                if (!section) {
                        return error("--config: %s:%zu: Key=Value before any [SECTION]", path, lineno), false;
                }
                *eq = '\0';
                char *key = strip(s), *value = strip(eq + 1);
                if (!*key) {
                        return error("--config: %s:%zu: empty key", path, lineno), false;
                }
                if (!entries_set(es, section, key, value, &cur))
                        return error("out of memory"), false;
        }
        return true;
}

static bool parse_file(const char *path, Entries *es) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return error("--config: %s: %s", path, strerror(errno)), false;
        return parse_stream(f, path, es);
}

/* ---- the command line: what it already has ---- */

/* Does argv[1..argc) have the long option --name (as "--name", "--name=...")? */
static int count_option(int argc, char **argv, const char *name) {
        size_t n = strlen(name);
        int c = 0;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0)
                        break;
                if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, name, n) == 0 &&
                    (argv[i][2 + n] == '\0' || argv[i][2 + n] == '='))
                        c++;
        }
        return c;
}

/* The --config/-c value, or NULL. */
/* Is a ("--name", no "=") one of build's or genkey's options that take the next argument as
 * their value? (An option not listed here is taken as a flag: at worst a value that looks like
 * -c is then read as --config, never a --config missed.) */
static bool takes_value(const char *a) {
        static const char *const with_value[] = {
                "linux", "initrd", "microcode", "cmdline", "os-release", "uname", "sbat", "splash", "devicetree",
                "devicetree-auto", "hwids", "section", "stub", "profile", "join-profile", "pcrpkey", "pcr-banks",
                "pcr-private-key", "pcr-public-key", "phases", "efi-arch", "signtool", "secureboot-private-key",
                "secureboot-certificate", "secureboot-certificate-validity", "output", NULL,
        };
        if (strncmp(a, "--", 2) != 0 || strchr(a, '='))
                return false;
        for (size_t i = 0; with_value[i]; i++)
                if (strcmp(a + 2, with_value[i]) == 0)
                        return true;
        return false;
}

static const char *find_config(int argc, char **argv) {
        const char *v = NULL;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--") == 0)
                        break;
                if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0)
                        v = i + 1 < argc ? argv[++i] : "";
                else if (strncmp(a, "--config=", 9) == 0)
                        v = a + 9;
                else if (strncmp(a, "-c", 2) == 0)
                        v = a + 2;
                else if (strcmp(a, "-o") == 0 || takes_value(a))
                        i++; /* its value, e.g. --cmdline -c, is no option */
        }
        return v;
}

/* ---- building the new argv ---- */

typedef struct {
        char **v;
        int n, cap;
} Vec;

static void vec_free(Vec *vec) {
        free(vec->v);
}

static bool vec_push(Vec *vec, char *s) {
        if (vec->n + 2 > vec->cap) {
                int cap = vec->cap ? vec->cap * 2 : 32;
                char **p = realloc(vec->v, (size_t) cap * sizeof(*p));
                if (!p)
                        return false;
                vec->v = p, vec->cap = cap;
        }
        vec->v[vec->n++] = s;
        vec->v[vec->n] = NULL;
        return true;
}

static char *opt(const char *name, const char *value, size_t len) {
        char *s;
        if (asprintf(&s, "--%s=%.*s", name, (int) len, value) < 0)
                return NULL;
        return s;
}

static bool own(ConfigArgs *a, Vec *vec, char *s) {
        if (!s)
                return false;
        char **p = realloc(a->owned, (size_t) (a->n_owned + 1) * sizeof(*p));
        if (!p) {
                free(s);
                return false;
        }
        a->owned = p;
        a->owned[a->n_owned++] = s;
        return vec_push(vec, s);
}

static bool parse_bool(const char *s, bool *ret) {
        static const char *const yes[] = { "1", "true", "yes", "y", "t", "on" }, *const no[] = { "0", "false", "no", "n", "f", "off" };
        for (size_t i = 0; i < 6; i++) {
                if (strcasecmp(s, yes[i]) == 0)
                        return *ret = true, true;
                if (strcasecmp(s, no[i]) == 0)
                        return *ret = false, true;
        }
        return false;
}

void config_args_free(ConfigArgs *a) {
        for (int i = 0; i < a->n_owned; i++)
                free(a->owned[i]);
        free(a->owned);
        free(a->argv);
        *a = (ConfigArgs) {};
}

static bool oom(void) {
        return error("out of memory"), false;
}

/* expand_entries() into vec, the strings it made owned by ret. */
static bool expand_into(const Entries *es_ptr, int argc, char **argv, ConfigArgs *ret, Vec *vec) {
        const Entries es = *es_ptr;
        Group groups[MAX_GROUPS] = {};
        size_t n_groups = 0;

        if (!vec_push(vec, argv[0]))
                return oom();
        /* [UKI] settings first; [PCRSignature:NAME] grouped */
        for (size_t i = 0; i < es.n; i++) {
                Entry *e = &es.e[i];
                const char *colon = strchr(e->section, ':');
                if (colon && strncmp(e->section, "PCRSignature:", 13) == 0) {
                        size_t g;
                        for (g = 0; g < n_groups; g++)
                                if (strcmp(groups[g].name, colon + 1) == 0)
                                        break;
                        if (g == n_groups) {
                                if (n_groups == MAX_GROUPS) {
                                        return error("--config: at most %d [PCRSignature:NAME] sections", MAX_GROUPS), false;
                                }
                                groups[n_groups++].name = (char *) colon + 1;
                        }
                        if (strcmp(e->key, "PCRPrivateKey") == 0)
                                groups[g].priv = e->value;
                        else if (strcmp(e->key, "PCRPublicKey") == 0)
                                groups[g].pub = e->value;
                        else if (strcmp(e->key, "Phases") == 0)
                                groups[g].phases = e->value;
                        else
                                info("Unknown config setting [%s] %s=", e->section, e->key);
                        continue;
                }
                if (strcmp(e->section, "UKI") != 0) {
                        info("Unknown config setting [%s] %s=", e->section, e->key);
                        continue;
                }
                size_t k;
                for (k = 0; k < sizeof(uki_keys) / sizeof(*uki_keys); k++)
                        if (strcmp(uki_keys[k].key, e->key) == 0)
                                break;
                if (k == sizeof(uki_keys) / sizeof(*uki_keys)) {
                        info("Unknown config setting [UKI] %s=", e->key);
                        continue;
                }
                bool b;
                switch (uki_keys[k].kind) {
                case K_SINGLE:
                        if (!own(ret, vec, opt(uki_keys[k].option, e->value, strlen(e->value))))
                                return oom();
                        break;
                case K_SBAT:
                        if (count_option(argc, argv, "sbat") == 0 &&
                            !own(ret, vec, opt(uki_keys[k].option, e->value, strlen(e->value))))
                                return oom();
                        break;
                case K_LIST:
                        for (const char *s = e->value; *s;) {
                                while (*s && isspace((unsigned char) *s))
                                        s++;
                                const char *t = s;
                                while (*s && !isspace((unsigned char) *s))
                                        s++;
                                if (s > t && !own(ret, vec, opt(uki_keys[k].option, t, (size_t) (s - t))))
                                        return oom();
                        }
                        break;
                case K_IGNORED:
                        info("config: [UKI] %s= has no effect here (ignored)", e->key);
                        break;
                case K_BOOL_REFUSED:
                        if (!parse_bool(e->value, &b)) {
                                return error("--config: [UKI] %s=%s: not a boolean", e->key, e->value), false;
                        }
                        if (!b)
                                break;
                        __attribute__((fallthrough));
                case K_REFUSED:
                        return error("--config: [UKI] %s= is not supported (see docs/ukify-options.md)", e->key), false;
                }
        }
        for (int i = 1; i < argc; i++)
                if (!vec_push(vec, argv[i]))
                        return oom();
        if (n_groups > 0) {
                /* after the command line's keys; pad the command line's missing public keys and
                 * phases with "none" so the n-th of each belongs to the n-th private key */
                int n_priv = count_option(argc, argv, "pcr-private-key");
                for (int i = count_option(argc, argv, "pcr-public-key"); i < n_priv; i++)
                        if (!own(ret, vec, opt("pcr-public-key", "", 0)))
                                return oom();
                for (int i = count_option(argc, argv, "phases"); i < n_priv; i++)
                        if (!own(ret, vec, opt("phases", "", 0)))
                                return oom();
                for (size_t g = 0; g < n_groups; g++) {
                        if (!groups[g].priv) {
                                return error("--config: [PCRSignature:%s] has no PCRPrivateKey=", groups[g].name), false;
                        }
                        const char *pub = groups[g].pub ? groups[g].pub : "", *ph = groups[g].phases ? groups[g].phases : "";
                        if (!own(ret, vec, opt("pcr-private-key", groups[g].priv, strlen(groups[g].priv))) ||
                            !own(ret, vec, opt("pcr-public-key", pub, strlen(pub))) ||
                            !own(ret, vec, opt("phases", ph, strlen(ph))))
                                return oom();
                }
        }
        return true;
}

/* The file's settings (es, freed here) as options around the command line (config.h). */
static bool expand_entries(Entries *es_in, int argc, char **argv, ConfigArgs *ret) {
        _cleanup_(entries_free) Entries es = *es_in;
        _cleanup_(vec_free) Vec vec = {};
        *es_in = (Entries) {};
        if (!expand_into(&es, argc, argv, ret, &vec)) {
                config_args_free(ret);   /* the strings made so far */
                return false;
        }
        ret->argc = vec.n;
        ret->argv = TAKE_PTR(vec.v);
        return true;
}

bool config_expand(int argc, char **argv, ConfigArgs *ret) {
        *ret = (ConfigArgs) {};
        const char *path = find_config(argc, argv);
        Entries es = {};

        if (!path) {
                /* nothing to do: the command line as it is (a copy, so freeing is uniform) */
                Vec vec = {};
                for (int i = 0; i < argc; i++)
                        if (!vec_push(&vec, argv[i])) {
                                free(vec.v);
                                return error("out of memory"), false;
                        }
                ret->argc = vec.n;
                ret->argv = vec.v;
                return true;
        }
        if (!*path)
                return error("--config: a PATH is required"), false;
        if (!parse_file(path, &es)) {
                entries_free(&es);
                return false;
        }
        return expand_entries(&es, argc, argv, ret);
}

void cmdline_collapse_whitespace(char *s) {
        char *o = s;
        bool space = false;
        for (char *p = s; *p; p++) {
                if (isspace((unsigned char) *p)) {
                        space = o != s;
                        continue;
                }
                if (space)
                        *o++ = ' ';
                space = false;
                *o++ = *p;
        }
        *o = '\0';
}

bool config_args_load(int *argc, char ***argv, ConfigArgs *cfg) {
        config_args_free(cfg);
        if (!config_expand(*argc, *argv, cfg))
                return false;
        *argc = cfg->argc;
        *argv = cfg->argv;
        return true;
}
