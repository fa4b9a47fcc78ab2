/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "sbat.h"
#include "uki-assemble.h"

void section_list_free(SectionList *l) {
        for (size_t i = 0; i < l->n_owned; i++)
                blob_free(&l->owned[i]);
        l->n_owned = 0;
        l->n = 0;
}

bool section_list_add(SectionList *l, const char *name, const void *data, size_t size) {
        if (l->n == SECTION_LIST_MAX)
                return error("too many sections (at most %d)", SECTION_LIST_MAX), false;
        l->secs[l->n++] = (PeNewSection) { name, data, size, 0, false };
        return true;
}

bool section_list_add_blob(SectionList *l, const char *name, Blob *b) {
        if (!section_list_add(l, name, b->data, b->size))
                return false;
        l->owned[l->n_owned++] = blob_take(b);   /* n_owned <= n */
        return true;
}

bool section_list_add_arg(SectionList *l, const char *name, const char *arg, bool file) {
        if (!arg)
                return true;
        _cleanup_blob_ Blob b = {};
        if (!(file ? read_file(arg, &b) : read_text_or_file(arg, &b)))
                return false;
        return section_list_add_blob(l, name, &b);
}

bool section_list_add_spec(SectionList *l, const char *spec) {
        if (l->n == SECTION_LIST_MAX)
                return error("too many sections (at most %d)", SECTION_LIST_MAX), false;
        size_t len = (size_t) (strchr(spec, ':') - spec);
        char *name = l->names[l->n];
        memcpy(name, spec, len);
        name[len] = '\0';
        return section_list_add_arg(l, name, spec + len + 1, false);
}

bool section_name_repeats_ok(const char *name) {
        return strcmp(name, ".dtbauto") == 0 || strcmp(name, ".efifw") == 0;   /* ukify 258's two */
}

bool section_names_unique(const PeNewSection *s, size_t n) {
        size_t start = 0;   /* a .profile begins a new scope, as in ukify */
        for (size_t i = 0; i < n; i++) {
                for (size_t j = start; j < i && !section_name_repeats_ok(s[i].name); j++)
                        if (strcmp(s[i].name, s[j].name) == 0)
                                return error("section %s given twice (--section with the name of another option's "
                                             "section?)", s[i].name), false;
                if (strcmp(s[i].name, ".profile") == 0)
                        start = i + 1;
        }
        return true;
}

Blob section_list_last(const SectionList *l) {
        if (l->n == 0)
                return (Blob) {};
        return (Blob) { (uint8_t *) l->secs[l->n - 1].data, l->secs[l->n - 1].size };
}

PeResult pe_append_blob(const PeView *f, const PeNewSection *s, size_t n, Blob *ret) {
        size_t total;
        PeResult r = pe_append_size(f, s, n, &total);
        if (r != PE_OK)
                return r;
        _cleanup_blob_ Blob out = { malloc(total), 0 };
        if (!out.data)
                return PE_BUFFER_TOO_SMALL;
        r = pe_append_sections(f, s, n, out.data, total, &out.size);
        if (r == PE_OK)
                *ret = blob_take(&out);
        return r;
}

bool uki_assemble(const UkiParts *p, Blob *ret) {
        PeView sf;
        PeResult r = pe_parse(p->stub->data, p->stub->size, &sf);
        if (r != PE_OK)
                return error("%s: %s", p->stub_name, pe_strerror(r)), false;

        /* .sbat as ukify makes it: the stub's, the kernel's (the .linux as embedded: for a zboot
         * image ours carries the wrapped kernel's entries too), the user's; replaces the stub's */
        _cleanup_sbat_ SbatList sl = {};
        if (!sbat_add_pe(&sl, p->stub, p->stub_name) || !sbat_add_pe(&sl, p->kernel, p->kernel_name))
                return false;
        for (size_t i = 0; i < p->n_sbat; i++)
                if (!sbat_add_text(&sl, p->sbat_args[i]))
                        return false;
        if (p->n_sbat == 0 && !sbat_add_text(&sl, UKI_SBAT_DEFAULT)) /* as ukify: a UKI can always be revoked */
                return false;
        size_t sbat_size = 0;
        _cleanup_free_ char *sbat_text = sbat_format(&sl, &sbat_size);
        if (!sbat_text)
                return false;
        _cleanup_blob_ Blob stub_sbat = {};
        int sr = sbat_replace(p->stub, p->stub_name, sbat_text, sbat_size, &stub_sbat);
        if (sr < 0)
                return false;

        PeNewSection secs[2 * SECTION_LIST_MAX + 4];
        size_t n = p->secs->n;
        memcpy(secs, p->secs->secs, n * sizeof(*secs));
        if (sr > 0) {
                r = pe_parse(stub_sbat.data, stub_sbat.size, &sf);
                if (r != PE_OK)
                        return error("%s: internal error after replacing .sbat: %s", p->stub_name, pe_strerror(r)),
                               false;
        } else if (sl.n > 0)
                secs[n++] = (PeNewSection) { ".sbat", sbat_text, sbat_size, 0, false };
        for (size_t i = 0; i < n; i++)
                if (pe_find_section(&sf, secs[i].name) >= 0)
                        return error("%s: the stub already has a %s section", p->stub_name, secs[i].name), false;
        if (p->initrd)
                secs[n++] = (PeNewSection) { ".initrd", p->initrd->data, p->initrd->size, 0, false };
        /* .efifw after .initrd, as ukify 258 orders them */
        for (size_t i = 0; p->efifw && i < p->efifw->n; i++)
                secs[n++] = p->efifw->secs[i];
        /* .ucode after .initrd, as ukify 257 orders them (the stub puts it first in the initrd) */
        if (p->ucode)
                secs[n++] = (PeNewSection) { ".ucode", p->ucode->data, p->ucode->size, 0, false };
        secs[n++] = (PeNewSection) { ".linux", p->kernel->data, p->kernel->size, 0, false };
        if (!section_names_unique(secs, n))
                return false;

        r = pe_append_blob(&sf, secs, n, ret);
        if (r != PE_OK)
                return error("%s: cannot add sections: %s", p->stub_name, pe_strerror(r)), false;
        return true;
}

bool addon_assemble(const Blob *stub, const char *stub_name, uint16_t machine, const char *arch,
                    const SectionList *l, const char *sbat_text, size_t sbat_size, Blob *ret) {
        PeNewSection secs[SECTION_LIST_MAX + 2];
        size_t n = l->n;
        memcpy(secs, l->secs, n * sizeof(*secs));
        uint8_t hdr[PE_EMPTY_SIZE];
        _cleanup_blob_ Blob stub_sbat = {};
        PeView sf;
        PeResult r;
        if (stub) {
                r = pe_parse(stub->data, stub->size, &sf);
                if (r != PE_OK)
                        return error("%s: %s", stub_name, pe_strerror(r)), false;
                int sr = sbat_replace(stub, stub_name, sbat_text, sbat_size, &stub_sbat);
                if (sr < 0)
                        return false;
                if (sr > 0 && (r = pe_parse(stub_sbat.data, stub_sbat.size, &sf)) != PE_OK)
                        return error("%s: internal error after replacing .sbat: %s", stub_name, pe_strerror(r)), false;
                if (sr == 0)
                        secs[n++] = (PeNewSection) { ".sbat", sbat_text, sbat_size, 0, false };
                for (size_t i = 0; i < n; i++)
                        if (pe_find_section(&sf, secs[i].name) >= 0)
                                return error("%s: the stub already has a %s section", stub_name, secs[i].name), false;
        } else {
                /* no stub: a header page and, first at RVA PE_EMPTY_SIZE, a .text that is only an
                 * entry point returning EFI_UNSUPPORTED (pe_entry_unsupported(): shim 16 loads
                 * nothing without one); then the sections and .sbat. The firmware (or shim) loads
                 * an add-on to check its signature, the stub reads its sections. */
                size_t code_size;
                const uint8_t *code = pe_entry_unsupported(machine, &code_size);
                if (!code)
                        return error("cannot make an add-on for machine 0x%04x without --stub", machine), false;
                for (size_t i = 0; i < n; i++)
                        if (strcmp(secs[i].name, ".text") == 0)
                                return error("--section .text: an add-on made without --stub has its own .text (its "
                                             "entry point)"), false;
                memmove(secs + 1, secs, n * sizeof(*secs));
                secs[0] = (PeNewSection) { ".text", code, code_size, PE_SCN_CNT_CODE | PE_SCN_MEM_READ | PE_SCN_MEM_EXECUTE,
                                           false };
                n++;
                pe_empty_make(hdr, machine, PE_FILE_EXECUTABLE_IMAGE | PE_FILE_LARGE_ADDRESS_AWARE, PE_EMPTY_SIZE);
                if ((r = pe_parse(hdr, sizeof(hdr), &sf)) != PE_OK)
                        return error("cannot make the add-on: %s", pe_strerror(r)), false;
                secs[n++] = (PeNewSection) { ".sbat", sbat_text, sbat_size, 0, false };
        }
        if (sf.file.Machine != machine)
                return error("%s: machine 0x%04x, but --efi-arch=%s", stub_name, sf.file.Machine, arch), false;
        if (!section_names_unique(secs, n))
                return false;

        r = pe_append_blob(&sf, secs, n, ret);
        if (r != PE_OK)
                return error("cannot make the add-on: %s", pe_strerror(r)), false;
        return true;
}
