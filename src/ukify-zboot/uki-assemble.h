/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A UKI assembled in memory from a list of sections (what `build --linux` makes): the section
 * list the verb fills from the command line, and the assembly — stub, merged .sbat, sections in
 * ukify's order at SectionAlignment — as a function of bytes in memory, so host tests run it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pe.h"
#include "util.h"

#define SECTION_LIST_MAX 64

/* Sections to append, in order; what was read for them (files, texts) is owned by the list and
 * freed with it. Used by address only: secs[].name may point into names[]. */
typedef struct {
        PeNewSection secs[SECTION_LIST_MAX];
        size_t n;
        Blob owned[SECTION_LIST_MAX];
        size_t n_owned;
        char names[SECTION_LIST_MAX][PE_SECTION_NAME_LEN + 1];
} SectionList;

void section_list_free(SectionList *l);
#define _cleanup_section_list_ _cleanup_(section_list_free)

/* Append a section whose bytes the caller keeps alive (not copied). */
bool section_list_add(SectionList *l, const char *name, const void *data, size_t size);
/* Append a section made of *b, which the list takes over (*b is left empty). */
bool section_list_add_blob(SectionList *l, const char *name, Blob *b);
/* ukify 257's rule (UKI.add_section): a section name once per UKI or profile (a .profile
 * section starts a new one), .dtbauto and .efifw excepted (one per device tree or firmware,
 * ukify 258); section_names_unique()
 * says which one came twice. */
bool section_name_repeats_ok(const char *name);
bool section_names_unique(const PeNewSection *s, size_t n);
/* When arg is not NULL: read it (a file when file, else ukify's TEXT or @FILE) and append it.
 * False (after an error message) when it cannot be read. */
bool section_list_add_arg(SectionList *l, const char *name, const char *arg, bool file);
/* --section "NAME:TEXT|@FILE" (the name checked by the option parser). */
bool section_list_add_spec(SectionList *l, const char *spec);
/* The last section's bytes (after an add), as a Blob for the input checks (inputs.h). */
Blob section_list_last(const SectionList *l);

/* The PE f with s[0..n) appended (pe_append_size() + pe_append_sections() in a buffer of ours):
 * PE_OK and the new image in *ret, else the reason (PE_BUFFER_TOO_SMALL: out of memory) and *ret
 * left empty. The one place the CLI grows a PE by whole sections. */
PeResult pe_append_blob(const PeView *f, const PeNewSection *s, size_t n, Blob *ret);

typedef struct {
        const Blob *stub;
        const char *stub_name;
        const Blob *kernel;                     /* .linux, as embedded */
        const char *kernel_name;
        const char *const *sbat_args;           /* --sbat; none: ukify's UKI default entry */
        size_t n_sbat;
        const SectionList *secs;                /* ukify's order, before .sbat: .osrel ... --section ones */
        const Blob *initrd;                     /* NULL: no .initrd */
        const SectionList *efifw;               /* .efifw sections (ukify 258); NULL or empty: none */
        const Blob *ucode;                      /* NULL: no .ucode */
} UkiParts;

/* The UKI: the stub with .sbat made as ukify makes it (the stub's entries, the kernel's, the
 * --sbat ones or the default; in place of the stub's .sbat, else appended after secs), then
 * secs, .initrd, the .efifw ones, .ucode, .linux (ukify 258's order). Refuses a section the
 * stub already has. */
bool uki_assemble(const UkiParts *p, Blob *ret);

/* A UKI add-on (build without --linux): secs, then .sbat (sbat_text, sbat_size) in place of the
 * stub's or appended, on stub (e.g. systemd's addon<arch>.efi.stub; refused when it already has
 * one of secs or its machine is not machine) or, when stub is NULL, on a PE32+ header page with
 * no section, no code and no entry point for machine (an add-on is loaded by the firmware for
 * its signature check and read by the stub, never started). arch names machine in errors. */
bool addon_assemble(const Blob *stub, const char *stub_name, uint16_t machine, const char *arch,
                    const SectionList *secs, const char *sbat_text, size_t sbat_size, Blob *ret);
