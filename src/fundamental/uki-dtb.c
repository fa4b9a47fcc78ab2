/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "fdt.h"
#include "pe.h"
#include "uki-dtb.h"
#include "uki-profile.h"
#include "unaligned.h"

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

/* The index of the first .hwids among sections [start, end), or -1: only that one counts, as in
 * 257 (the first section of a name wins). */
static int first_hwids(const PeView *v, size_t start, size_t end) {
        for (size_t i = start; i < end && i < v->n_sections; i++)
                if (pe_section_is(v, i, ".hwids"))
                        return (int) i;
        return -1;
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
        else {
                int i = first_hwids(v, start, end);
                if (i >= 0 && ret->n_hwids < sizeof(ret->hwids) / sizeof(ret->hwids[0])) {
                        UkiDtbHwids *h = &ret->hwids[ret->n_hwids++];
                        *h = (UkiDtbHwids) { .section = (size_t) i, .result = HWIDS_NOT_FOUND };
                        const uint8_t *d;
                        size_t ds;
                        if (m->chids && section_bytes(v, (size_t) i, &d, &ds))
                                h->result = hwids_match(d, ds, m->chids, &h->device);
                        if (h->result == HWIDS_OK && h->device.compatible) {
                                want = h->device.compatible;
                                want_len = strlen(want);
                        }
                }
        }
        if (!want)
                return false;

        for (size_t i = start; i < end; i++) {
                const uint8_t *d;
                size_t ds, cl;
                if (!pe_section_is(v, i, ".dtbauto") || !section_bytes(v, i, &d, &ds) ||
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

UkiDtbKind uki_dtb_choose_addon(const PeView *v, const UkiDtbMachine *m, UkiDtbChoice *ret) {
        *ret = (UkiDtbChoice) {};
        if (dtbauto_find(v, 0, v->n_sections, m, ret))
                return ret->kind;
        int i = pe_find_section(v, ".dtb");
        return i < 0 ? UKI_DTB_NONE : plain(v, (size_t) i, ret);
}

/* Section i's first compatible, when it is a .dtbauto that can match (inside the image, not
 * empty, a valid device tree with a compatible); else NULL. */
static const char *dtbauto_compatible(const PeView *v, size_t i, size_t *ret_len) {
        const uint8_t *d;
        size_t ds;
        if (!pe_section_is(v, i, ".dtbauto") || !section_bytes(v, i, &d, &ds) || ds == 0 ||
            !fdt_check(d, ds))
                return NULL;
        return fdt_first_compatible(d, ds, ret_len);
}

/* What uki_dtbauto_pickable() works from: the sets of sections searched (r[0] the profile's,
 * r[1] the base's when k == 2; r[0] the base's when k == 1), each section's first compatible
 * when it is a .dtbauto that can match (dtbauto_compatible(), read once: fdt_check() is
 * linear), and with k == 2 the first .hwids of each set (hp, hb: NULL when there is none or its
 * lookups never match, as dtbauto_find() reads it) and an escape CHID (below). */
typedef struct {
        const PeView *v;
        size_t r[2][2], k;
        const char *compat[PE_MAX_SECTIONS];
        size_t compat_len[PE_MAX_SECTIONS];
        HwidsTable hp_, hb_;
        const HwidsTable *hp, *hb;
        bool have_escape;
        ChidGuid escape;
} Pickable;

/* Whether a .dtbauto that can match in [start, end), before section `before`, has first compatible c. */
static bool has_dtbauto(const Pickable *p, size_t start, size_t end, size_t before, const char *c, size_t cl) {
        for (size_t i = start; i < end && i < before && i < p->v->n_sections && i < PE_MAX_SECTIONS; i++)
                if (p->compat[i] && p->compat_len[i] == cl && memcmp(p->compat[i], c, cl) == 0)
                        return true;
        return false;
}

/* The first .hwids of [start, end) when hwids_match() can match in it. */
static const HwidsTable *hwids_first(const PeView *v, size_t start, size_t end, HwidsTable *t) {
        int i = first_hwids(v, start, end);
        const uint8_t *d;
        size_t ds;
        return i >= 0 && section_bytes(v, (size_t) i, &d, &ds) && hwids_table(d, ds, t) == HWIDS_OK ? t : NULL;
}

/* Whether entry i is the one a lookup of its CHID finds (hwids_match() takes the first). */
static bool first_of_chid(const HwidsTable *t, size_t i, HwidsDevice *ret) {
        size_t fi;
        return hwids_table_entry(t, i, ret) && hwids_table_find(t, &ret->chid, &fi) && fi == i;
}

/* The stub's CHIDs are never all zero (the SMBIOS fields it hashes are there, if empty), so an
 * entry for the zero GUID never matches a real machine. */
static bool chid_zero(const ChidGuid *c) {
        static const ChidGuid zero;
        return memcmp(c->b, zero.b, 16) == 0;
}

/* Whether the profile's sections pick one of their own .dtbauto through their .hwids for a
 * machine whose lookup there ends at CHID c. */
static bool profile_resolves(const Pickable *p, const ChidGuid *c) {
        size_t i;
        HwidsDevice d;
        return p->hp && hwids_table_find(p->hp, c, &i) && hwids_table_entry(p->hp, i, &d) && d.compatible &&
               has_dtbauto(p, p->r[0][0], p->r[0][1], SIZE_MAX, d.compatible, strlen(d.compatible));
}

/* A machine without a firmware device tree for which the profile's sections pick nothing and
 * the base's pick their .dtbauto of compatible c. Any machine's lookup ends at one CHID in each
 * .hwids, so two CHIDs describe every case: the base's entry for c alone, or, when the profile
 * resolves that one, before it a more specific CHID (the escape) that the profile's .hwids
 * does not resolve and the base's lacks. */
static bool hwids_witness(const Pickable *p, const char *c, size_t cl, UkiDtbPick *ret) {
        HwidsDevice d;
        for (size_t i = 0; p->hb && i < p->hb->n; i++) {
                if (!first_of_chid(p->hb, i, &d) || chid_zero(&d.chid) || !d.compatible || strlen(d.compatible) != cl ||
                    memcmp(d.compatible, c, cl) != 0)
                        continue;
                if (!profile_resolves(p, &d.chid)) {
                        *ret = (UkiDtbPick) { .by_hwids = true, .chid_first = d.chid, .chid_rest = d.chid };
                        return true;
                }
                if (p->have_escape) {
                        *ret = (UkiDtbPick) { .by_hwids = true, .chid_first = p->escape, .chid_rest = d.chid };
                        return true;
                }
        }
        return false;
}

size_t uki_dtbauto_pickable(const PeView *v, uint32_t profile, UkiDtbPick *ret, size_t max) {
        Pickable p = { .v = v };
        p.k = search_ranges(v, profile, p.r);
        for (size_t i = 0; i < v->n_sections && i < PE_MAX_SECTIONS; i++)
                p.compat[i] = dtbauto_compatible(v, i, &p.compat_len[i]);
        if (p.k == 2) {
                p.hp = hwids_first(v, p.r[0][0], p.r[0][1], &p.hp_);
                p.hb = hwids_first(v, p.r[1][0], p.r[1][1], &p.hb_);
                HwidsDevice d;
                size_t x;
                for (size_t i = 0; p.hp && p.hb && i < p.hp->n && !p.have_escape; i++)
                        if (first_of_chid(p.hp, i, &d) && !chid_zero(&d.chid) && !hwids_table_find(p.hb, &d.chid, &x) &&
                            !profile_resolves(&p, &d.chid))
                                p.escape = d.chid, p.have_escape = true;
        }
        size_t count = 0;
        for (size_t j = 0; j < p.k; j++)
                for (size_t i = p.r[j][0]; i < p.r[j][1] && i < v->n_sections && i < PE_MAX_SECTIONS; i++) {
                        const char *c = p.compat[i];
                        size_t cl = p.compat_len[i];
                        /* an earlier one of this compatible in the same set wins either way */
                        if (!c || has_dtbauto(&p, p.r[j][0], p.r[j][1], i, c, cl))
                                continue;
                        UkiDtbPick pick = {};
                        /* a base one whose compatible the profile's own sections also have: only
                         * through .hwids */
                        if (j == 1 && has_dtbauto(&p, p.r[0][0], p.r[0][1], SIZE_MAX, c, cl) &&
                            !hwids_witness(&p, c, cl, &pick))
                                continue;
                        pick.section = i;
                        if (count < max)
                                ret[count] = pick;
                        count++;
                }
        return count;
}

/* ---- .efifw (ukify 258, sd-stub 262) ---------------------------------------------------------- */

#define EFIFW_MAGIC UINT32_C(0xfeeddead)
#define EFIFW_PICKABLE_CHIDS 1024u   /* uki_efifw_pickable(): uefi-fw CHIDs tried per .hwids */
#define EFIFW_HEADER_MIN 16u

bool efifw_fwid(const void *p, size_t len, const char **ret, size_t *ret_len) {
        const uint8_t *b = p;
        if (!p || len < EFIFW_HEADER_MIN || get_le32(b) != EFIFW_MAGIC)
                return false;
        uint64_t header = get_le32(b + 4), fwid = get_le32(b + 8), payload = get_le32(b + 12);
        /* 32-bit fields, 64-bit sums: no overflow */
        if (header < EFIFW_HEADER_MIN || fwid == 0 || header + fwid + payload > len)
                return false;
        const char *s = (const char *) b + header;
        size_t n = strnlen(s, (size_t) fwid);
        if (n == fwid)
                return false;   /* no NUL within the id length */
        *ret = s;
        *ret_len = n;
        return true;
}

/* The first .efifw among sections [start, end) whose firmware id is the one the first .hwids
 * of the same sections names for this machine (a uefi-fw entry), without resetting ret. */
static bool efifw_find(const PeView *v, size_t start, size_t end, const UkiDtbMachine *m, UkiEfifwChoice *ret) {
        if (end > v->n_sections)
                end = v->n_sections;
        int h = first_hwids(v, start, end);
        if (h < 0 || ret->n_hwids >= sizeof(ret->hwids) / sizeof(ret->hwids[0]))
                return false;
        UkiDtbHwids *hw = &ret->hwids[ret->n_hwids++];
        *hw = (UkiDtbHwids) { .section = (size_t) h, .result = HWIDS_NOT_FOUND };
        const uint8_t *d;
        size_t ds;
        if (m->chids && section_bytes(v, (size_t) h, &d, &ds))
                hw->result = hwids_match_type(d, ds, m->chids, HWIDS_TYPE_UEFI_FW, &hw->device);
        if (hw->result != HWIDS_OK || !hw->device.fwid)
                return false;
        size_t want_len = strlen(hw->device.fwid);
        for (size_t i = start; i < end; i++) {
                const char *id;
                size_t idl;
                if (!pe_section_is(v, i, ".efifw") || !section_bytes(v, i, &d, &ds))
                        continue;
                if (!efifw_fwid(d, ds, &id, &idl)) {   /* empty too: sd-stub reports it as a bad blob */
                        if (ret->n_invalid++ == 0)
                                ret->first_invalid = i;
                        continue;
                }
                if (idl == want_len && memcmp(id, hw->device.fwid, idl) == 0) {
                        ret->section = (int) i;
                        ret->fwid = hw->device.fwid;
                        return true;
                }
        }
        return false;
}

bool uki_efifw_choose_profile(const PeView *v, uint32_t profile, const UkiDtbMachine *m, UkiEfifwChoice *ret) {
        *ret = (UkiEfifwChoice) { .section = -1 };
        /* sd-stub reads .hwids only when the firmware has no device tree table */
        if (m->fw_dtb)
                return false;
        size_t r[2][2], k = search_ranges(v, profile, r);
        for (size_t j = 0; j < k; j++)
                if (efifw_find(v, r[j][0], r[j][1], m, ret))
                        return true;
        return false;
}

size_t uki_efifw_pickable(const PeView *v, uint32_t profile, size_t *ret, size_t max) {
        size_t r[2][2], k = search_ranges(v, profile, r), count = 0;
        static const ChidGuid zero;
        for (size_t j = 0; j < k; j++) {
                HwidsTable t;
                if (!hwids_first(v, r[j][0], r[j][1], &t))
                        continue;
                /* one machine per distinct CHID (a lookup ends at the first entry of it), and at most
                 * EFIFW_PICKABLE_CHIDS of them: each costs a full choice, linear in the table */
                size_t tried = 0;
                for (size_t i = 0; i < t.n && tried < EFIFW_PICKABLE_CHIDS; i++) {
                        HwidsDevice d;
                        size_t first;
                        if (!hwids_table_entry(&t, i, &d) || !d.fwid || memcmp(&d.chid, &zero, sizeof(zero)) == 0 ||
                            !hwids_table_find_type(&t, &d.chid, HWIDS_TYPE_UEFI_FW, &first) || first != i)
                                continue;
                        tried++;
                        /* a machine all of whose CHIDs are this entry's */
                        ChidGuid chids[CHID_TYPES];
                        for (size_t c = 0; c < CHID_TYPES; c++)
                                chids[c] = d.chid;
                        UkiDtbMachine m = { .chids = chids };
                        UkiEfifwChoice e;
                        if (!uki_efifw_choose_profile(v, profile, &m, &e))
                                continue;
                        bool seen = false;
                        for (size_t s = 0; s < count && s < max; s++)
                                seen |= ret[s] == (size_t) e.section;
                        if (seen)
                                continue;
                        if (count < max)
                                ret[count] = (size_t) e.section;
                        count++;
                }
        }
        return count;
}
