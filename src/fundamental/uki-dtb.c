/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "fdt.h"
#include "pe.h"
#include "uki-dtb.h"
#include "uki-profile.h"

/* Whether section i is named name (up to 8 bytes, NUL-padded), as sd-stub compares names. */
static bool section_named(const PeView *v, size_t i, const char *name) {
        PeSectionHeader s = pe_section(v, i);
        size_t l = strlen(name);
        return l <= sizeof(s.Name) && memcmp(s.Name, name, l) == 0 && (l == sizeof(s.Name) || s.Name[l] == 0);
}

/* Section i's bytes in the view's layout, if they are inside the buffer. VirtualSize 0 is empty
 * in either layout (what the stub sees in memory; in a file it would mean SizeOfRawData). */
static bool section_bytes(const PeView *v, size_t i, const uint8_t **ret, size_t *ret_size) {
        if (!pe_section_get(v, (int) i, ret, ret_size))
                return false;
        if (pe_section(v, i).VirtualSize == 0)
                *ret_size = 0;
        return true;
}

static void take(UkiDtbChoice *ret, UkiDtbKind kind, size_t i, const uint8_t *d, size_t ds) {
        ret->kind = kind;
        ret->section = i;
        ret->data = d;
        ret->size = ds;
}

/* The first .dtbauto among sections [start, end) that matches the machine (uki-dtb.h), without
 * resetting ret: what it learns is added (hwids, invalid). */
static bool dtbauto_find(const PeView *v, size_t start, size_t end, const UkiDtbMachine *m, UkiDtbChoice *ret) {
        if (end > v->n_sections)
                end = v->n_sections;

        /* what the first compatible must be */
        const char *want = NULL;
        size_t want_len = 0;
        if (m->fw_dtb)
                want = fdt_first_compatible(m->fw_dtb, m->fw_size, &want_len);
        else
                for (size_t i = start; i < end; i++) {
                        if (!section_named(v, i, ".hwids"))
                                continue;
                        /* the first .hwids only, as 257 (first section of a name wins) */
                        if (ret->n_hwids >= sizeof(ret->hwids) / sizeof(ret->hwids[0]))
                                break;
                        UkiDtbHwids *h = &ret->hwids[ret->n_hwids++];
                        *h = (UkiDtbHwids) { .section = i, .result = HWIDS_NOT_FOUND };
                        const uint8_t *d;
                        size_t ds;
                        if (m->chids && section_bytes(v, i, &d, &ds))
                                h->result = hwids_match(d, ds, m->chids, &h->device);
                        if (h->result == HWIDS_OK && h->device.compatible) {
                                want = h->device.compatible;
                                want_len = strlen(want);
                        }
                        break;
                }
        if (!want)
                return false;

        for (size_t i = start; i < end; i++) {
                const uint8_t *d;
                size_t ds, cl;
                if (!section_named(v, i, ".dtbauto") || !section_bytes(v, i, &d, &ds) ||
                    ds == 0)
                        continue;
                if (!fdt_check(d, ds)) {
                        if (ret->n_invalid++ == 0)
                                ret->first_invalid = i;
                        continue;
                }
                const char *c = fdt_first_compatible(d, ds, &cl);
                if (c && cl == want_len && memcmp(c, want, cl) == 0) {
                        take(ret, UKI_DTB_AUTO, i, d, ds);
                        return true;
                }
        }
        return false;
}

/* Section i as the .dtb, when it is usable (not empty, inside the image). */
static UkiDtbKind plain(const PeView *v, size_t i, UkiDtbChoice *ret) {
        const uint8_t *d;
        size_t ds;
        if (!section_bytes(v, i, &d, &ds) || ds == 0)
                return UKI_DTB_NONE;
        take(ret, UKI_DTB_PLAIN, i, d, ds);
        return UKI_DTB_PLAIN;
}

/* The sets of sections whose .dtbauto a profile's choice searches, in order: the profile's own
 * (a real profile of a UKI that has profiles), then the base's. Returns how many (0-2). */
static size_t search_ranges(const PeView *v, uint32_t profile, size_t r[2][2]) {
        const void *table = pe_section_table(v);
        size_t n = v->n_sections, k = 0;
        if (profile != UKI_PROFILE_BASE && uki_profile_count(table, n) > 0 &&
            uki_profile_range(table, n, profile, &r[k][0], &r[k][1]))
                k++;
        if (uki_profile_range(table, n, UKI_PROFILE_BASE, &r[k][0], &r[k][1]))
                k++;
        return k;
}

UkiDtbKind uki_dtb_choose_profile(const PeView *v, uint32_t profile, const UkiDtbMachine *m, UkiDtbChoice *ret) {
        *ret = (UkiDtbChoice) {};
        size_t r[2][2], k = search_ranges(v, profile, r);
        for (size_t j = 0; j < k; j++)
                if (dtbauto_find(v, r[j][0], r[j][1], m, ret))
                        return ret->kind;
        /* the effective .dtb, as every other section of a profile */
        int i = uki_profile_find(pe_section_table(v), v->n_sections, profile, ".dtb");
        return i < 0 ? UKI_DTB_NONE : plain(v, (size_t) i, ret);
}

/* Section i's first compatible, when it is a .dtbauto that can match (inside the image, not
 * empty, a valid device tree with a compatible); else NULL. */
static const char *dtbauto_compatible(const PeView *v, size_t i, size_t *ret_len) {
        const uint8_t *d;
        size_t ds;
        if (!section_named(v, i, ".dtbauto") || !section_bytes(v, i, &d, &ds) || ds == 0 ||
            !fdt_check(d, ds))
                return NULL;
        return fdt_first_compatible(d, ds, ret_len);
}

size_t uki_dtbauto_pickable(const PeView *v, uint32_t profile, size_t *ret, size_t max) {
        size_t r[2][2], k = search_ranges(v, profile, r), count = 0, n = v->n_sections;
        for (size_t j = 0; j < k; j++)
                for (size_t i = r[j][0]; i < r[j][1] && i < n; i++) {
                        size_t cl;
                        const char *c = dtbauto_compatible(v, i, &cl);
                        if (!c)
                                continue;
                        /* an earlier one of this compatible, in the same search order, wins */
                        bool earlier = false;
                        for (size_t jj = 0; jj <= j && !earlier; jj++)
                                for (size_t e = r[jj][0]; e < (jj == j ? i : r[jj][1]) && e < n && !earlier; e++) {
                                        size_t el;
                                        const char *ec = dtbauto_compatible(v, e, &el);
                                        earlier = ec && el == cl && memcmp(ec, c, cl) == 0;
                                }
                        if (earlier)
                                continue;
                        if (count < max)
                                ret[count] = i;
                        count++;
                }
        return count;
}
