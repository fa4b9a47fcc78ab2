/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "fdt.h"
#include "pe.h"
#include "uki-dtb.h"

/* Section i's name equals name (up to 8 bytes, NUL-padded) and its bytes are inside the image. */
static bool section_at(const void *image, size_t image_size, const void *table, size_t i, const char *name,
                       const uint8_t **ret, size_t *ret_size) {
        PeSectionHeader s = pe_section_header_read((const uint8_t *) table + i * sizeof(s));
        size_t l = strlen(name);
        if (l > sizeof(s.Name) || memcmp(s.Name, name, l) != 0 || (l < sizeof(s.Name) && s.Name[l] != 0))
                return false;
        if ((uint64_t) s.VirtualAddress + s.VirtualSize > image_size)
                return false;
        *ret = (const uint8_t *) image + s.VirtualAddress;
        *ret_size = s.VirtualSize;
        return true;
}

bool uki_dtbauto_find(const void *image, size_t image_size, const void *table, size_t n, size_t start, size_t end,
                      const UkiDtbMachine *m, UkiDtbChoice *ret) {
        *ret = (UkiDtbChoice) { .hwids = HWIDS_NOT_FOUND };
        if (!image || !table)
                return false;
        if (end > n)
                end = n;

        /* what the first compatible must be */
        const char *want = NULL;
        size_t want_len = 0;
        if (m->fw_dtb)
                want = fdt_first_compatible(m->fw_dtb, m->fw_size, &want_len);
        else
                for (size_t i = start; i < end; i++) {
                        const uint8_t *h;
                        size_t hs;
                        if (!section_at(image, image_size, table, i, ".hwids", &h, &hs))
                                continue;
                        ret->hwids_tried = true;
                        ret->hwids = m->chids ? hwids_match(h, hs, m->chids, &ret->device) : HWIDS_NOT_FOUND;
                        if (ret->hwids == HWIDS_OK && ret->device.compatible) {
                                want = ret->device.compatible;
                                want_len = strlen(want);
                        }
                        break;   /* the first .hwids only */
                }
        if (!want)
                return false;

        for (size_t i = start; i < end; i++) {
                const uint8_t *d;
                size_t ds, cl;
                if (!section_at(image, image_size, table, i, ".dtbauto", &d, &ds) || ds == 0)
                        continue;
                const char *c = fdt_first_compatible(d, ds, &cl);
                if (c && cl == want_len && memcmp(c, want, cl) == 0) {
                        ret->kind = UKI_DTB_AUTO;
                        ret->section = i;
                        ret->data = d;
                        ret->size = ds;
                        return true;
                }
        }
        return false;
}

UkiDtbKind uki_dtb_choose(const void *image, size_t image_size, const void *table, size_t n, size_t start, size_t end,
                          const UkiDtbMachine *m, UkiDtbChoice *ret) {
        if (uki_dtbauto_find(image, image_size, table, n, start, end, m, ret))
                return ret->kind;
        if (!image || !table)
                return UKI_DTB_NONE;
        if (end > n)
                end = n;
        /* the first .dtb inside the image, as 257 takes it (an empty one: none) */
        for (size_t i = start; i < end; i++) {
                const uint8_t *d;
                size_t ds;
                if (!section_at(image, image_size, table, i, ".dtb", &d, &ds))
                        continue;
                if (ds > 0) {
                        ret->kind = UKI_DTB_PLAIN;
                        ret->section = i;
                        ret->data = d;
                        ret->size = ds;
                        return ret->kind;
                }
                break;
        }
        return UKI_DTB_NONE;
}
