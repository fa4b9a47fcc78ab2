/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "fdt.h"
#include "pe.h"
#include "uki-dtb.h"
#include "uki-profile.h"

/* Whether section i is named name (up to 8 bytes, NUL-padded), as sd-stub compares names. */
static bool section_named(const void *table, size_t i, const char *name) {
        PeSectionHeader s = pe_section_header_read((const uint8_t *) table + i * sizeof(s));
        size_t l = strlen(name);
        return l <= sizeof(s.Name) && memcmp(s.Name, name, l) == 0 && (l == sizeof(s.Name) || s.Name[l] == 0);
}

/* Section i's bytes, if they are inside the image. */
static bool section_bytes(const void *image, size_t image_size, const void *table, size_t i, const uint8_t **ret,
                          size_t *ret_size) {
        PeSectionHeader s = pe_section_header_read((const uint8_t *) table + i * sizeof(s));
        if ((uint64_t) s.VirtualAddress + s.VirtualSize > image_size)
                return false;
        *ret = (const uint8_t *) image + s.VirtualAddress;
        *ret_size = s.VirtualSize;
        return true;
}

static void take(UkiDtbChoice *ret, UkiDtbKind kind, size_t i, const uint8_t *d, size_t ds) {
        ret->kind = kind;
        ret->section = i;
        ret->data = d;
        ret->size = ds;
}

/* uki_dtbauto_find without resetting ret: what it learns is added (hwids, invalid). */
static bool dtbauto_find(const void *image, size_t image_size, const void *table, size_t n, size_t start, size_t end,
                         const UkiDtbMachine *m, UkiDtbChoice *ret) {
        if (end > n)
                end = n;

        /* what the first compatible must be */
        const char *want = NULL;
        size_t want_len = 0;
        if (m->fw_dtb)
                want = fdt_first_compatible(m->fw_dtb, m->fw_size, &want_len);
        else
                for (size_t i = start; i < end; i++) {
                        if (!section_named(table, i, ".hwids"))
                                continue;
                        /* the first .hwids only, as 257 (first section of a name wins) */
                        if (ret->n_hwids >= sizeof(ret->hwids) / sizeof(ret->hwids[0]))
                                break;
                        UkiDtbHwids *h = &ret->hwids[ret->n_hwids++];
                        *h = (UkiDtbHwids) { .section = i, .result = HWIDS_NOT_FOUND };
                        const uint8_t *d;
                        size_t ds;
                        if (m->chids && section_bytes(image, image_size, table, i, &d, &ds))
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
                if (!section_named(table, i, ".dtbauto") || !section_bytes(image, image_size, table, i, &d, &ds) ||
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

bool uki_dtbauto_find(const void *image, size_t image_size, const void *table, size_t n, size_t start, size_t end,
                      const UkiDtbMachine *m, UkiDtbChoice *ret) {
        *ret = (UkiDtbChoice) {};
        if (!image || !table)
                return false;
        return dtbauto_find(image, image_size, table, n, start, end, m, ret);
}

/* Section i as the .dtb, when it is usable (not empty, inside the image). */
static UkiDtbKind plain(const void *image, size_t image_size, const void *table, size_t i, UkiDtbChoice *ret) {
        const uint8_t *d;
        size_t ds;
        if (!section_bytes(image, image_size, table, i, &d, &ds) || ds == 0)
                return UKI_DTB_NONE;
        take(ret, UKI_DTB_PLAIN, i, d, ds);
        return UKI_DTB_PLAIN;
}

UkiDtbKind uki_dtb_choose(const void *image, size_t image_size, const void *table, size_t n, size_t start, size_t end,
                          const UkiDtbMachine *m, UkiDtbChoice *ret) {
        if (uki_dtbauto_find(image, image_size, table, n, start, end, m, ret))
                return ret->kind;
        if (!image || !table)
                return UKI_DTB_NONE;
        if (end > n)
                end = n;
        /* the first .dtb, as 257 takes it (first section of a name wins) */
        for (size_t i = start; i < end; i++)
                if (section_named(table, i, ".dtb"))
                        return plain(image, image_size, table, i, ret);
        return UKI_DTB_NONE;
}

UkiDtbKind uki_dtb_choose_profile(const void *image, size_t image_size, const void *table, size_t n,
                                  uint32_t profile, const UkiDtbMachine *m, UkiDtbChoice *ret) {
        *ret = (UkiDtbChoice) {};
        if (!image || !table)
                return UKI_DTB_NONE;
        size_t s, e;
        /* the profile's own .dtbauto sections, then the base's */
        if (profile != UKI_PROFILE_BASE && uki_profile_count(table, n) > 0 && uki_profile_range(table, n, profile, &s, &e) &&
            dtbauto_find(image, image_size, table, n, s, e, m, ret))
                return ret->kind;
        if (uki_profile_range(table, n, UKI_PROFILE_BASE, &s, &e) && dtbauto_find(image, image_size, table, n, s, e, m, ret))
                return ret->kind;
        /* the effective .dtb, as every other section of a profile */
        int i = uki_profile_find(table, n, profile, ".dtb");
        return i < 0 ? UKI_DTB_NONE : plain(image, image_size, table, (size_t) i, ret);
}
