/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the CLI's SBAT merge (src/ukify-zboot/sbat.c) — the CSV parse of each input's
 * lines, the per-component merge (lowest generation kept), the formatter and the .sbat
 * replacement in a stub. sbat.c is compiled into this file so its static line parser is
 * reachable; the CLI helpers are shimmed (errors are counted, not printed).
 * Input: the first byte selects the mode. Even: the rest is up to three SBAT texts separated by
 * 0xff bytes (the stub's, the kernel's, the user's --sbat), merged in order. Odd: the rest is a
 * PE file whose .sbat is merged (sbat_add_pe), and whose .sbat is then replaced by the result.
 * Invariants: a refused input prints an error; each component appears once, with a generation
 * from 1; the output starts with the one "sbat," header line, every line ends with '\n', the
 * size counts the final NUL; re-reading the output gives the same entries (a fixed point); a
 * replaced .sbat re-parses as a PE whose .sbat is exactly the merged text.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ukify-zboot/sbat.c"
#include "fuzz-cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

bool read_text_or_file(const char *arg, Blob *ret) {
        size_t n = strlen(arg);
        ret->data = malloc(n + 1);
        if (!ret->data)
                return false;
        memcpy(ret->data, arg, n + 1);
        ret->size = n;
        return true;
}

static void check_list(const SbatList *l) {
        for (size_t i = 0; i < l->n; i++) {
                const SbatEntry *e = &l->entries[i];
                if (e->generation < 1 || e->name_len == 0 || e->line[e->name_len] != ',')
                        abort();
                if (e->name_len == 4 && memcmp(e->line, "sbat", 4) == 0)
                        abort();        /* the header is written by sbat_format only */
                for (size_t j = 0; j < i; j++)
                        if (l->entries[j].name_len == e->name_len &&
                            memcmp(l->entries[j].line, e->line, e->name_len) == 0)
                                abort();
        }
}

/* Format, check the text, re-read it: the same entries must come back. */
static char *check_format(const SbatList *l, size_t *ret_size) {
        size_t n;
        char *s = sbat_format(l, &n);
        if (!s)
                abort();
        if (n == 0 || s[n - 1] != '\0' || strlen(s) != n - 1 || strncmp(s, "sbat,", 5) != 0 || s[n - 2] != '\n')
                abort();
        SbatList again = {};
        unsigned e = n_errors;
        if (!add_lines(&again, s, n - 1, "re-read") || n_errors != e || again.n != l->n)
                abort();
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(again.entries[i].line, l->entries[i].line) != 0 ||
                    again.entries[i].generation != l->entries[i].generation)
                        abort();
        sbat_free(&again);
        *ret_size = n;
        return s;
}

static void merge_texts(const uint8_t *data, size_t size) {
        SbatList l = {};
        bool ok = true;
        for (unsigned k = 0; k < 3 && ok; k++) {
                const uint8_t *sep = memchr(data, 0xff, size);
                size_t len = sep ? (size_t) (sep - data) : size;
                unsigned e = n_errors;
                if (memchr(data, '\0', len)) {
                        /* sbat_add_text takes a C string: stop at the NUL like the CLI's argv */
                        char *arg = strndup((const char *) data, len);
                        if (!arg)
                                break;
                        ok = sbat_add_text(&l, arg);
                        free(arg);
                } else
                        ok = add_lines(&l, (const char *) data, len, "fuzz");
                if (!ok && n_errors == e)
                        abort();
                if (!sep)
                        break;
                data = sep + 1;
                size -= len + 1;
        }
        check_list(&l);
        if (ok) {
                size_t n;
                free(check_format(&l, &n));
        }
        sbat_free(&l);
}

static void merge_pe(const uint8_t *data, size_t size) {
        Blob pe = { .data = malloc(size ? size : 1), .size = size };
        if (!pe.data)
                return;
        memcpy(pe.data, data, size);
        SbatList l = {};
        unsigned e = n_errors;
        bool ok = sbat_add_pe(&l, &pe, "fuzz");
        if (!ok && n_errors == e)
                abort();
        check_list(&l);
        if (ok) {
                size_t n;
                char *s = check_format(&l, &n);
                Blob out = {};
                e = n_errors;
                int r = sbat_replace(&pe, "fuzz", s, n, &out);
                if (r < 0 && n_errors == e)
                        abort();
                if (r > 0) {
                        PeView f;
                        if (pe_parse(out.data, out.size, &f) != PE_OK)
                                abort();
                        int i = pe_find_section(&f, ".sbat");
                        size_t got;
                        const uint8_t *d = i < 0 ? NULL : pe_section_data(&f, (size_t) i, &got);
                        if (!d || got < n || memcmp(d, s, n) != 0)
                                abort();
                        for (size_t j = n; j < got; j++)
                                if (d[j] != 0)
                                        abort();
                }
                blob_free(&out);
                free(s);
        }
        sbat_free(&l);
        blob_free(&pe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        if (data[0] & 1)
                merge_pe(data + 1, size - 1);
        else
                merge_texts(data + 1, size - 1);
        return 0;
}
