/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SBAT merging. ukify (systemd) builds a UKI's .sbat from the stub's .sbat, the kernel's .sbat
 * and its --sbat arguments: every input's header line is dropped and one header written first.
 * We do the same and also keep each component once: our UKI stub and our zboot image carry
 * the same component ("ukify-zboot"), and shim checks every entry against its revocation
 * policy, so of several entries for one component only the lowest generation matters. That one
 * is kept, at the place where the component first appeared. Entries are checked: a component
 * name and a decimal generation (SBAT.md's CSV has no quoting, so a comma ends every field).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pe.h"
#include "sbat.h"

#define SBAT_HEADER "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md"
#define SBAT_MAX_ENTRIES 256

static bool add_line(SbatList *l, const char *p, size_t n, const char *what, size_t lineno) {
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
        if (n == 0)
                return true;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) p[i] < 0x20 || (unsigned char) p[i] == 0x7f)
                        return error("%s: SBAT line %zu: control character in \"%.*s\"", what, lineno, (int) n, p),
                               false;
        const char *c1 = memchr(p, ',', n);
        if (!c1 || c1 == p)
                return error("%s: SBAT line %zu: expected component_name,generation,... got \"%.*s\"", what, lineno,
                             (int) n, p), false;
        size_t name_len = (size_t) (c1 - p);
        const char *g = c1 + 1, *end = p + n;
        const char *c2 = memchr(g, ',', (size_t) (end - g));
        const char *gend = c2 ? c2 : end;
        unsigned long gen = 0;
        if (gend == g || gend - g > 9)
                return error("%s: SBAT line %zu: generation of \"%.*s\" is not a number", what, lineno, (int) n, p),
                       false;
        for (const char *q = g; q < gend; q++) {
                if (*q < '0' || *q > '9')
                        return error("%s: SBAT line %zu: generation of \"%.*s\" is not a number", what, lineno,
                                     (int) n, p), false;
                gen = gen * 10 + (unsigned long) (*q - '0');
        }
        if (gen == 0)
                return error("%s: SBAT line %zu: generation 0 in \"%.*s\" (generations start at 1)", what, lineno,
                             (int) n, p), false;
        /* the header: written once, first, by sbat_format() */
        if (name_len == 4 && memcmp(p, "sbat", 4) == 0)
                return true;
        for (size_t i = 0; i < l->n; i++) {
                SbatEntry *e = &l->entries[i];
                if (e->name_len != name_len || memcmp(e->line, p, name_len) != 0)
                        continue;
                if (gen < e->generation) {
                        char *s = strndup(p, n);
                        if (!s)
                                return error("out of memory"), false;
                        free(e->line);
                        e->line = s;
                        e->generation = gen;
                }
                return true;
        }
        if (l->n == SBAT_MAX_ENTRIES)
                return error("%s: more than %d SBAT entries", what, SBAT_MAX_ENTRIES), false;
        SbatEntry *a = realloc(l->entries, (l->n + 1) * sizeof(*a));
        if (!a)
                return error("out of memory"), false;
        l->entries = a;
        char *s = strndup(p, n);
        if (!s)
                return error("out of memory"), false;
        a[l->n++] = (SbatEntry) { s, name_len, gen };
        return true;
}

static bool add_lines(SbatList *l, const char *p, size_t n, const char *what) {
        size_t lineno = 1;
        while (n > 0) {
                const char *nl = memchr(p, '\n', n);
                size_t len = nl ? (size_t) (nl - p) : n;
                if (!add_line(l, p, len, what, lineno++))
                        return false;
                p += len + (nl ? 1 : 0);
                n -= len + (nl ? 1 : 0);
        }
        return true;
}

/* The .sbat of f: its index, -1 for none, -2 (after an error) for one that shim would not see.
 * shim compares all 8 name bytes with ".sbat\0\0\0"; the stub's rule (pe_section_name_is) stops
 * at the NUL. A header ".sbat\0" with more bytes after it is a .sbat for one and not for the
 * other: refused rather than guessed. */
static int find_sbat(const PeView *f, const char *what) {
        int i = pe_find_section(f, ".sbat");
        if (i < 0)
                return -1;
        PeSectionHeader h = pe_section(f, (size_t) i);
        if (memcmp(h.Name, ".sbat\0\0\0", PE_SECTION_NAME_LEN) != 0)
                return error("%s: section %d is named .sbat with bytes after the name's NUL: shim would not read it "
                             "as .sbat", what, i), -2;
        return i;
}

bool sbat_add_pe(SbatList *l, const Blob *b, const char *what) {
        PeView f;
        if (pe_parse(b->data, b->size, &f) != PE_OK)
                return true;    /* an old bzImage (no PE32+ header) has no .sbat */
        int i = find_sbat(&f, what);
        if (i < 0)
                return i == -1;
        size_t n;
        const char *d = (const char *) pe_section_data(&f, (size_t) i, &n);
        while (n > 0 && d[n - 1] == '\0')
                n--;
        if (n < 5 || memcmp(d, "sbat,", 5) != 0)
                return error("%s: its .sbat section does not start with the \"sbat,\" header line", what), false;
        if (memchr(d, '\0', n))
                return error("%s: its .sbat section has a NUL byte inside the text", what), false;
        char label[512];
        snprintf(label, sizeof(label), "%s: .sbat", what);
        return add_lines(l, d, n, label);
}

bool sbat_add_text(SbatList *l, const char *arg) {
        _cleanup_blob_ Blob b = {};
        if (!read_text_or_file(arg, &b))
                return false;
        /* errors name the file for --sbat @FILE */
        char label[512];
        snprintf(label, sizeof(label), "--sbat%s%s", arg[0] == '@' ? " " : "", arg[0] == '@' ? arg : "");
        if (memchr(b.data, '\0', b.size))
                return error("%s: NUL byte in the text", label), false;
        return add_lines(l, (const char *) b.data, b.size, label);
}

char *sbat_format(const SbatList *l, size_t *ret_size) {
        size_t n = strlen(SBAT_HEADER) + 3;
        for (size_t i = 0; i < l->n; i++)
                n += strlen(l->entries[i].line) + 1;
        char *s = malloc(n), *p = s;
        if (!s)
                return error("out of memory"), NULL;
        p = stpcpy(p, SBAT_HEADER "\n");
        for (size_t i = 0; i < l->n; i++) {
                p = stpcpy(p, l->entries[i].line);
                *p++ = '\n';
        }
        *p++ = '\0';
        *ret_size = (size_t) (p - s);
        return s;
}

void sbat_free(SbatList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->entries[i].line);
        free(l->entries);
        *l = (SbatList) {};
}

int sbat_replace(const Blob *stub, const char *what, const char *text, size_t size, Blob *ret) {
        PeView f;
        PeResult r = pe_parse(stub->data, stub->size, &f);
        if (r != PE_OK)
                return error("%s: %s", what, pe_strerror(r)), -1;
        int i = find_sbat(&f, what);
        if (i < 0)
                return i == -1 ? 0 : -1;
        size_t total;
        r = pe_replace_size(&f, (size_t) i, size, &total);
        if (r == PE_OK) {
                ret->data = malloc(total);
                if (!ret->data)
                        return error("out of memory"), -1;
                r = pe_replace_section(&f, (size_t) i, text, size, ret->data, total, &ret->size);
        }
        if (r != PE_OK) {
                blob_free(ret);
                return error("%s: cannot replace its .sbat with the merged one (%zu bytes): %s", what, size,
                             pe_strerror(r)), -1;
        }
        return 1;
}
