/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* uki_dtb_choose_profile(), uki_dtb_choose_addon(), uki_dtbauto_pickable(), uki_efifw_choose_profile() and
 * efifw_fwid() (src/fundamental/uki-dtb.c) on arbitrary
 * loaded images. Input: byte 0 picks the machine and the profile (bit 0: a firmware device
 * tree, the next input bytes; bit 1: CHIDs known, every type the next 16 input bytes, with bit 4
 * the 16 after them for the first type tried; bits 2-3: profile 0-2, 3 the base), bytes 1-2 the firmware tree's length (little-endian), then that tree and 16 or 32 CHID
 * bytes as chosen, then the image. A chosen blob must be a section's bytes inside the image; a
 * .dtbauto must be a valid device tree, one the PCR 11 selection accepts, and one of the
 * pickable ones (unless a zero CHID led to it: the stub's are never zero); each pickable one is
 * what the machine uki_dtbauto_pickable() names for it gets (a firmware tree of its compatible,
 * or no tree and two CHIDs through the base's .hwids). An add-on's choice (the whole table) is
 * such a blob too, and the base's choice of the same image with every .profile renamed. A picked
 * .efifw is an .efifw inside the image whose header names the id a consulted .hwids gave. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"
#include "pe.h"
#include "uki-dtb.h"
#include "uki-profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, const PeView *v, UkiDtbKind k, const UkiDtbChoice *c) {
        if (k == UKI_DTB_NONE)
                return;
        if (k != c->kind || c->section >= v->n_sections || c->size == 0 || c->data < data ||
            c->data + c->size > data + size)
                __builtin_trap();
        /* the blob installed is the section measured: its bytes, its name */
        PeSectionHeader h = pe_section(v, c->section);
        char name[PE_SECTION_NAME_LEN + 1];
        pe_section_name(&h, name);
        if (c->data != data + h.VirtualAddress || c->size != h.VirtualSize ||
            strcmp(name, k == UKI_DTB_AUTO ? ".dtbauto" : ".dtb") != 0)
                __builtin_trap();
        if (k == UKI_DTB_AUTO && !fdt_check(c->data, c->size))
                __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 3)
                return 0;
        uint8_t flags = data[0];
        size_t fw_len = (size_t) data[1] | (size_t) data[2] << 8;
        data += 3, size -= 3;
        UkiDtbMachine m = {};
        if (flags & 1) {
                if (fw_len > size)
                        return 0;
                m.fw_dtb = data, m.fw_size = fw_len;
                data += fw_len, size -= fw_len;
        }
        static ChidGuid chids[CHID_TYPES];
        bool chid_zero = false;
        if (flags & 2) {
                /* bit 4: a second CHID for the most specific type tried (so that the .hwids of
                 * a profile and of the base can end their lookups at different CHIDs) */
                size_t len = flags & 0x10 ? 32 : 16;
                if (size < len)
                        return 0;
                static const uint8_t zero[16];
                for (size_t t = 0; t < CHID_TYPES; t++)
                        memcpy(chids[t].b, data, 16);
                memcpy(chids[chid_match_order[0]].b, data + len - 16, 16);
                chid_zero = memcmp(data, zero, 16) == 0 || memcmp(data + len - 16, zero, 16) == 0;
                m.chids = chids;
                data += len, size -= len;
        }
        PeView v;
        if (pe_parse_layout(data, size, PE_LAYOUT_MEMORY, &v) != PE_OK)
                return 0;
        UkiDtbChoice c;
        uint32_t profile = (flags >> 2 & 3) == 3 ? UKI_PROFILE_BASE : (uint32_t) (flags >> 2 & 3);
        UkiDtbKind k = uki_dtb_choose_profile(&v, profile, &m, &c);
        check(data, size, &v, k, &c);

        /* the same image as an add-on: the base's choice once no section is a .profile */
        UkiDtbChoice ca, cb;
        UkiDtbKind ka = uki_dtb_choose_addon(&v, &m, &ca);
        check(data, size, &v, ka, &ca);
        uint8_t *copy = malloc(size);
        if (!copy)
                return 0;
        memcpy(copy, data, size);
        PeView vc = v;
        vc.data = copy;
        for (size_t i = 0; i < vc.n_sections; i++)
                if (pe_section_is(&vc, i, ".profile"))
                        copy[vc.sections_offset + i * sizeof(PeSectionHeader) + 1] = 'q';
        UkiDtbKind kb = uki_dtb_choose_profile(&vc, UKI_PROFILE_BASE, &m, &cb);
        free(copy);
        if (kb != ka || (ka != UKI_DTB_NONE && cb.section != ca.section))
                __builtin_trap();

        /* the stub then measures a picked .dtbauto: the PCR 11 selection must take it (else
         * nothing would be measured) */
        UkiMeasuredSection sel[UKI_SECTION_COUNT];
        size_t n;
        if (k == UKI_DTB_AUTO &&
            uki_profile_pcr11_select(pe_section_table(&v), v.n_sections, profile, sel, &n) &&
            !uki_profile_pcr11_select_dtbauto(pe_section_table(&v), v.n_sections, profile, (int) c.section, sel, &n))
                __builtin_trap();

        /* what inspect lists: the pick is among them, and each is exactly what its machine gets
         * (a firmware tree of its compatible, or no tree and the pick's CHIDs) */
        UkiDtbPick p[PE_MAX_SECTIONS];
        size_t np = uki_dtbauto_pickable(&v, profile, p, PE_MAX_SECTIONS);
        bool listed = false;
        for (size_t i = 0; i < np && i < PE_MAX_SECTIONS; i++) {
                listed |= p[i].section == c.section;
                if (i >= 8)
                        continue;   /* each check is a full choice: a few suffice */
                UkiDtbMachine mp = {};
                static ChidGuid mc[CHID_TYPES];
                if (p[i].by_hwids) {
                        for (size_t t = 0; t < CHID_TYPES; t++)
                                mc[t] = p[i].chid_rest;
                        mc[chid_match_order[0]] = p[i].chid_first;
                        mp.chids = mc;
                } else
                        mp.fw_dtb = pe_section_data(&v, p[i].section, &mp.fw_size);
                UkiDtbChoice cp;
                if (uki_dtb_choose_profile(&v, profile, &mp, &cp) != UKI_DTB_AUTO || cp.section != p[i].section)
                        __builtin_trap();
        }
        /* (a zero CHID is left out of the list: the stub's are never zero) */
        if (np > v.n_sections || (k == UKI_DTB_AUTO && !listed && !(chid_zero && !m.fw_dtb)))
                __builtin_trap();

        /* the .efifw for the same machine (258): never with a firmware tree; a pick is an .efifw
         * inside the image, with contents, whose header's id is the one returned and the one a
         * consulted .hwids named; the PCR 11 selection takes it with the .dtbauto picked */
        UkiEfifwChoice e;
        bool picked = uki_efifw_choose_profile(&v, profile, &m, &e);
        if (picked != (e.section >= 0) || (picked && m.fw_dtb) || e.n_hwids > 2)
                __builtin_trap();
        if (picked) {
                size_t fs;
                const uint8_t *fd = pe_section_data(&v, (size_t) e.section, &fs);
                const char *id;
                size_t idl;
                bool named = false;
                for (size_t i = 0; i < e.n_hwids; i++)
                        named |= e.hwids[i].result == HWIDS_OK && e.hwids[i].device.fwid == e.fwid;
                if (!pe_section_is(&v, (size_t) e.section, ".efifw") || !fd || fs == 0 || !efifw_fwid(fd, fs, &id, &idl) ||
                    !e.fwid || strlen(e.fwid) != idl || memcmp(id, e.fwid, idl) != 0 || !named ||
                    (uki_profile_valid(pe_section_table(&v), v.n_sections, profile) &&
                     !uki_profile_pcr11_select_picked(pe_section_table(&v), v.n_sections, profile,
                                                      k == UKI_DTB_AUTO ? (int) c.section : -1, e.section, sel, &n)))
                        __builtin_trap();
        }
        /* without profiles every pick is listed for inspect (a zero CHID aside: the stub's are
         * never zero), and the one listed first is what a machine of its entry's CHID gets */
        size_t fwl[PE_MAX_SECTIONS];
        size_t nfw = uki_efifw_pickable(&v, profile, fwl, PE_MAX_SECTIONS);
        if (nfw > v.n_sections)
                __builtin_trap();
        if (picked && !chid_zero && uki_profile_count(pe_section_table(&v), v.n_sections) == 0 &&
            v.size < 1024 * HWIDS_ENTRY_SIZE) {   /* (pickable tries 1024 distinct CHIDs per .hwids) */
                bool in = false;
                for (size_t i = 0; i < nfw && i < PE_MAX_SECTIONS; i++)
                        in |= fwl[i] == (size_t) e.section;
                if (!in)
                        __builtin_trap();
        }
        for (size_t i = 0; i < nfw && i < PE_MAX_SECTIONS; i++)
                if (!pe_section_is(&v, fwl[i], ".efifw"))
                        __builtin_trap();
        /* the header reader alone, on the whole input: the id inside and before a NUL */
        const char *id;
        size_t idl;
        if (efifw_fwid(data, size, &id, &idl) && (id < (const char *) data || id + idl >= (const char *) data + size || id[idl] != 0))
                __builtin_trap();
        return 0;
}
