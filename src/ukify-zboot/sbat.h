/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SBAT (.sbat) merging for `build` and `zboot`: the stub's entries, those of the kernel it
 * carries, and the user's --sbat lines, one "sbat,1,..." header first, each component once.
 */
#pragma once

#include "util.h"

typedef struct {
        char *line;             /* the whole entry, without newline */
        size_t name_len;        /* component name = line[0..name_len) */
        unsigned long generation;
} SbatEntry;

typedef struct {
        SbatEntry *entries;
        size_t n;
} SbatList;

/* A PE file's .sbat section, if it has one (true when it has none). The section must start with
 * the "sbat," header line: a malformed .sbat is an error, never silently dropped. */
bool sbat_add_pe(SbatList *l, const Blob *pe, const char *what);
/* The user's --sbat TEXT|@FILE: SBAT entries, with or without the header line. */
bool sbat_add_text(SbatList *l, const char *arg);
/* "sbat,1,...\n" + the entries + "\n\0" (like ukify), malloc'd; ret_size counts the NUL. */
char *sbat_format(const SbatList *l, size_t *ret_size);
void sbat_free(SbatList *l);
#define _cleanup_sbat_ _cleanup_(sbat_free)

/* Put the merged .sbat into a stub (a copy in *ret): replaces the stub's .sbat section.
 * Returns 1 when done, 0 when the stub has no .sbat (the caller appends one), -1 on error. */
int sbat_replace(const Blob *stub, const char *what, const char *text, size_t size, Blob *ret);
