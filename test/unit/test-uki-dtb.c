/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which device tree applies (src/fundamental/uki-dtb.c, sd-stub 257's rules): sections of a
 * loaded image made here (one page each), device trees and a .hwids built here. */
#include "pe-format.h"
#include "tests.h"
#include "uki-dtb.h"
#include "uki-profile.h"

static void be32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24), p[1] = (uint8_t) (v >> 16), p[2] = (uint8_t) (v >> 8), p[3] = (uint8_t) v;
}
static void le32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v, p[1] = (uint8_t) (v >> 8), p[2] = (uint8_t) (v >> 16), p[3] = (uint8_t) (v >> 24);
}

/* A device tree whose root has compatible = compat (NULL: no compatible property). */
static size_t make_dtb(uint8_t *out, const char *compat) {
        static const char strings[] = "compatible";
        uint8_t s[256];
        size_t n = 0;
        be32(s + n, 1), n += 4;          /* BEGIN_NODE "" */
        be32(s + n, 0), n += 4;
        if (compat) {
                size_t l = strlen(compat) + 1;
                be32(s + n, 3), n += 4;  /* PROP */
                be32(s + n, (uint32_t) l), n += 4;
                be32(s + n, 0), n += 4;
                memset(s + n, 0, (l + 3) & ~3u);
                memcpy(s + n, compat, l);
                n += (l + 3) & ~3u;
        }
        be32(s + n, 2), n += 4;          /* END_NODE */
        be32(s + n, 9), n += 4;          /* END */
        size_t off_struct = 56, off_strings = off_struct + n, total = off_strings + sizeof(strings);
        memset(out, 0, total);
        be32(out + 0, 0xd00dfeed);
        be32(out + 4, (uint32_t) total);
        be32(out + 8, (uint32_t) off_struct);
        be32(out + 12, (uint32_t) off_strings);
        be32(out + 16, 40);
        be32(out + 20, 17);
        be32(out + 24, 16);
        be32(out + 32, sizeof(strings));
        be32(out + 36, (uint32_t) n);
        memcpy(out + off_struct, s, n);
        memcpy(out + off_strings, strings, sizeof(strings));
        return total;
}

/* This machine's CHIDs: type t is 16 bytes of t + 1. */
static ChidGuid chids[CHID_TYPES];

/* .hwids with one device entry (chid of type t, name "dev", compatible compat), ended by a zero entry. */
static size_t make_hwids(uint8_t *out, unsigned t, const char *compat) {
        size_t strings = 2 * HWIDS_ENTRY_SIZE;
        memset(out, 0, strings);
        le32(out, HWIDS_DESCRIPTOR_DEVICETREE);
        memcpy(out + 4, chids[t].b, 16);
        le32(out + 20, (uint32_t) strings);
        le32(out + 24, (uint32_t) strings + 4);
        memcpy(out + strings, "dev", 4);
        memcpy(out + strings + 4, compat, strlen(compat) + 1);
        return strings + 4 + strlen(compat) + 1;
}

/* .hwids with two device entries (chids of types t1 and t2, in this order), ended by a zero entry. */
static size_t make_hwids2(uint8_t *out, unsigned t1, const char *c1, unsigned t2, const char *c2) {
        size_t strings = 3 * HWIDS_ENTRY_SIZE, o = strings + 4;
        memset(out, 0, strings);
        memcpy(out + strings, "dev", 4);
        const unsigned t[2] = { t1, t2 };
        const char *c[2] = { c1, c2 };
        for (size_t i = 0; i < 2; i++) {
                uint8_t *e = out + i * HWIDS_ENTRY_SIZE;
                le32(e, HWIDS_DESCRIPTOR_DEVICETREE);
                memcpy(e + 4, chids[t[i]].b, 16);
                le32(e + 20, (uint32_t) strings);
                le32(e + 24, (uint32_t) o);
                memcpy(out + o, c[i], strlen(c[i]) + 1);
                o += strlen(c[i]) + 1;
        }
        return o;
}

typedef struct {
        const char *name;
        const uint8_t *data;
        size_t size;
} Sec;

static uint8_t img[0x10000];
static size_t img_size;

/* headers page, then one page per section; returns the section table. */
static const void *image(const Sec *s, size_t n) {
        img_size = 0x1000 * (n + 1);
        memset(img, 0, img_size);
        for (size_t i = 0; i < n; i++) {
                PeSectionHeader h = {};
                memcpy(h.Name, s[i].name, strnlen(s[i].name, 8));
                h.VirtualAddress = 0x1000 * (uint32_t) (i + 1);
                h.VirtualSize = (uint32_t) s[i].size;
                memcpy(img + 0x200 + i * sizeof(h), &h, sizeof(h));
                memcpy(img + h.VirtualAddress, s[i].data, s[i].size);
        }
        return img + 0x200;
}

static uint8_t dtb_a[512], dtb_b[512], dtb_c[512], dtb_none[512], fw[512], fw_none[512], hw[256], junk[64];
static size_t la, lb, lc, lnone, lfw, lfwnone;

static void setup(void) {
        for (unsigned t = 0; t < CHID_TYPES; t++)
                memset(chids[t].b, (int) t + 1, 16);
        la = make_dtb(dtb_a, "vendor,board-a");
        lb = make_dtb(dtb_b, "vendor,board-b");
        lc = make_dtb(dtb_c, "vendor,board-c");
        lnone = make_dtb(dtb_none, NULL);
        lfw = make_dtb(fw, "vendor,board-b");
        lfwnone = make_dtb(fw_none, NULL);
        memset(junk, 0x5a, sizeof(junk));
}

/* The loaded image of image() (its first size bytes) as the stub sees it. */
static PeView view(size_t size, const void *t, size_t n) {
        return (PeView) { .data = img, .size = size, .layout = PE_LAYOUT_MEMORY,
                          .sections_offset = t ? (uint32_t) ((const uint8_t *) t - img) : 0x200, .n_sections = (uint16_t) n };
}

static UkiDtbKind choose_profile(size_t size, const void *t, size_t n, uint32_t profile, const UkiDtbMachine *m,
                                 UkiDtbChoice *c) {
        PeView v = view(size, t, n);
        return uki_dtb_choose_profile(&v, profile, m, c);
}

/* The device tree of sections without .profile (the base's rule; an add-on's too, then). */
static UkiDtbKind choose(size_t size, const void *t, size_t n, const UkiDtbMachine *m, UkiDtbChoice *c) {
        return choose_profile(size, t, n, UKI_PROFILE_BASE, m, c);
}

static size_t pickable(size_t size, const void *t, size_t n, uint32_t profile, UkiDtbPick *ret, size_t max) {
        PeView v = view(size, t, n);
        return uki_dtbauto_pickable(&v, profile, ret, max);
}

/* Whether the machine a pick names gets that section: a firmware tree of its compatible (the
 * section's own bytes), or no tree and the pick's CHIDs. */
static bool gets(size_t size, const void *t, size_t n, uint32_t profile, const UkiDtbPick *p) {
        PeView v = view(size, t, n);
        UkiDtbMachine m = {};
        static ChidGuid mc[CHID_TYPES];
        if (p->by_hwids) {
                for (size_t i = 0; i < CHID_TYPES; i++)
                        mc[i] = p->chid_rest;
                mc[chid_match_order[0]] = p->chid_first;
                m.chids = mc;
        } else
                m.fw_dtb = pe_section_data(&v, p->section, &m.fw_size);
        UkiDtbChoice c;
        return uki_dtb_choose_profile(&v, profile, &m, &c) == UKI_DTB_AUTO && c.section == p->section;
}

/* the firmware's device tree names the model: the .dtbauto with its first compatible */
static void test_firmware(void) {
        Sec s[] = { { ".dtbauto", dtb_a, la }, { ".dtbauto", dtb_b, lb }, { ".dtb", dtb_c, lc } };
        const void *t = image(s, 3);
        UkiDtbMachine m = { .fw_dtb = fw, .fw_size = lfw, .chids = chids };
        UkiDtbChoice c;
        ASSERT_EQ(choose(img_size, t, 3, &m, &c), UKI_DTB_AUTO);
        ASSERT_EQ(c.section, 1u);
        ASSERT_TRUE(c.data == img + 0x2000 && c.size == lb);
        ASSERT_TRUE(c.n_hwids == 0 && c.n_invalid == 0);
        /* another model: .dtb */
        m.fw_dtb = dtb_c, m.fw_size = lc;
        ASSERT_EQ(choose(img_size, t, 3, &m, &c), UKI_DTB_PLAIN);
        /* a firmware tree without compatible matches nothing (even with a .hwids: 257 reads
         * .hwids only when there is no firmware tree) */
        m.fw_dtb = fw_none, m.fw_size = lfwnone;
        ASSERT_EQ(choose(img_size, t, 3, &m, &c), UKI_DTB_PLAIN);
        /* a firmware table that is there but not valid (size 0 from devicetree_machine) matches
         * nothing, and .hwids is not read either (257 reads it only when there is no table) */
        m.fw_dtb = junk, m.fw_size = 0;
        ASSERT_EQ(choose(img_size, t, 3, &m, &c), UKI_DTB_PLAIN);
        ASSERT_TRUE(c.n_hwids == 0);
}

/* no firmware device tree: the .hwids entry for this machine names the compatible */
static void test_hwids(void) {
        size_t lh = make_hwids(hw, 3, "vendor,board-b");
        Sec s[] = { { ".dtb", dtb_c, lc }, { ".dtbauto", dtb_a, la }, { ".hwids", hw, lh }, { ".dtbauto", dtb_b, lb } };
        const void *t = image(s, 4);
        UkiDtbMachine m = { .chids = chids };
        UkiDtbChoice c;
        ASSERT_EQ(choose(img_size, t, 4, &m, &c), UKI_DTB_AUTO);
        ASSERT_EQ(c.section, 3u);
        ASSERT_TRUE(c.n_hwids == 1 && c.hwids[0].section == 2 && c.hwids[0].result == HWIDS_OK);
        ASSERT_TRUE(c.hwids[0].device.name && strcmp(c.hwids[0].device.name, "dev") == 0);
        /* a firmware table that is not valid: no .hwids either */
        m.fw_dtb = junk, m.fw_size = 0;
        ASSERT_EQ(choose(img_size, t, 4, &m, &c), UKI_DTB_PLAIN);
        ASSERT_TRUE(c.n_hwids == 0);
        m.fw_dtb = NULL, m.fw_size = 0;
        /* CHIDs not known: the .hwids cannot match, .dtb */
        m.chids = NULL;
        ASSERT_EQ(choose(img_size, t, 4, &m, &c), UKI_DTB_PLAIN);
        ASSERT_EQ(c.section, 0u);
        ASSERT_TRUE(c.n_hwids == 1 && c.hwids[0].result == HWIDS_NOT_FOUND);
        /* another machine */
        static ChidGuid other[CHID_TYPES];
        m.chids = other;
        ASSERT_EQ(choose(img_size, t, 4, &m, &c), UKI_DTB_PLAIN);
        ASSERT_EQ(c.hwids[0].result, HWIDS_NOT_FOUND);
        /* an entry naming a compatible no .dtbauto has */
        m.chids = chids;
        lh = make_hwids(hw, 5, "vendor,board-z");
        t = image(s, 4);
        ASSERT_EQ(choose(img_size, t, 4, &m, &c), UKI_DTB_PLAIN);
        ASSERT_TRUE(c.hwids[0].result == HWIDS_OK);
}

/* blobs that never match, sections outside the image, an empty .dtb */
static void test_bad(void) {
        Sec s[] = { { ".dtbauto", junk, sizeof(junk) }, { ".dtbauto", dtb_none, lnone }, { ".dtbauto", dtb_b, lb },
                    { ".dtb", dtb_c, 0 }, { ".dtb", dtb_a, la } };
        const void *t = image(s, 5);
        UkiDtbMachine m = { .fw_dtb = fw, .fw_size = lfw };
        UkiDtbChoice c;
        ASSERT_EQ(choose(img_size, t, 5, &m, &c), UKI_DTB_AUTO);
        ASSERT_EQ(c.section, 2u);
        /* the junk one was passed over as not a device tree (the one without compatible is valid) */
        ASSERT_TRUE(c.n_invalid == 1 && c.first_invalid == 0);
        /* the image ends before the matching .dtbauto: not taken (nor the .dtb sections) */
        ASSERT_EQ(choose(0x3000, t, 5, &m, &c), UKI_DTB_NONE);
        /* no .dtbauto matches and the first .dtb is empty: none, as 257 */
        m.fw_dtb = dtb_c, m.fw_size = lc;
        ASSERT_EQ(choose(img_size, t, 5, &m, &c), UKI_DTB_NONE);
        m.fw_dtb = fw, m.fw_size = lfw;
        /* a .dtb outside the image: none; the first .dtb is the one (257: the first section of a
         * name wins), a later one is not looked at */
        Sec s2[] = { { ".dtb", dtb_c, lc }, { ".dtb", dtb_a, la } };
        t = image(s2, 2);
        PeSectionHeader h;
        memcpy(&h, (const uint8_t *) t, sizeof(h));
        h.VirtualAddress = 0x100000;   /* past the image */
        memcpy(img + 0x200, &h, sizeof(h));
        ASSERT_EQ(choose(img_size, t, 2, &m, &c), UKI_DTB_NONE);
        ASSERT_EQ(choose_profile(img_size, t, 2, 0, &m, &c), UKI_DTB_NONE);
        /* the same for the first .hwids: one outside the image has no entry, the next is not read */
        size_t lh = make_hwids(hw, 3, "vendor,board-b");
        Sec s3[] = { { ".hwids", hw, lh }, { ".hwids", hw, lh }, { ".dtbauto", dtb_b, lb } };
        t = image(s3, 3);
        memcpy(&h, (const uint8_t *) t, sizeof(h));
        h.VirtualAddress = 0x100000;
        memcpy(img + 0x200, &h, sizeof(h));
        UkiDtbMachine mh = { .chids = chids };
        ASSERT_EQ(choose(img_size, t, 3, &mh, &c), UKI_DTB_NONE);
        ASSERT_TRUE(c.n_hwids == 1 && c.hwids[0].section == 0 && c.hwids[0].result == HWIDS_NOT_FOUND);
}

/* a UKI with profiles: the profile's .dtbauto, then the base's, then the effective .dtb */
static void test_profile(void) {
        static const uint8_t prof[] = "ID=p\n";
        size_t lh = make_hwids(hw, 3, "vendor,board-a");
        Sec s[] = { { ".dtbauto", dtb_a, la }, { ".dtb", dtb_c, lc }, { ".hwids", hw, lh },             /* base 0-2 */
                    { ".profile", prof, sizeof(prof) }, { ".dtbauto", dtb_b, lb }, { ".dtb", dtb_a, la }, /* 0: 3-5 */
                    { ".profile", prof, sizeof(prof) }, { ".dtb", dtb_b, 0 },                           /* 1: 6-7 */
                    { ".profile", prof, sizeof(prof) } };                                             /* 2: 8 */
        const void *t = image(s, 9);
        UkiDtbMachine m = { .fw_dtb = fw, .fw_size = lfw };   /* board-b */
        UkiDtbChoice c;
        /* profile 0's own .dtbauto matches */
        ASSERT_EQ(choose_profile(img_size, t, 9, 0, &m, &c), UKI_DTB_AUTO);
        ASSERT_EQ(c.section, 4u);
        /* profile 1 has none: the base's .dtbauto does not match either: profile 1's .dtb is empty,
         * which counts as absent for profile 1 (not the base's) */
        ASSERT_EQ(choose_profile(img_size, t, 9, 1, &m, &c), UKI_DTB_NONE);
        /* profile 2: the base's .dtb */
        ASSERT_EQ(choose_profile(img_size, t, 9, 2, &m, &c), UKI_DTB_PLAIN);
        ASSERT_EQ(c.section, 1u);
        /* the base only */
        ASSERT_EQ(choose_profile(img_size, t, 9, UKI_PROFILE_BASE, &m, &c), UKI_DTB_PLAIN);
        ASSERT_EQ(c.section, 1u);
        /* an add-on's rule: the whole table is one set (257: a .profile means nothing there), so
         * profile 0's .dtbauto of board-b is found; with no match, the first .dtb */
        PeView av = view(img_size, t, 9);
        ASSERT_EQ(uki_dtb_choose_addon(&av, &m, &c), UKI_DTB_AUTO);
        ASSERT_EQ(c.section, 4u);
        UkiDtbMachine mnone = { .fw_dtb = fw_none, .fw_size = lfwnone };
        ASSERT_EQ(uki_dtb_choose_addon(&av, &mnone, &c), UKI_DTB_PLAIN);
        ASSERT_EQ(c.section, 1u);
        {
                /* an add-on whose .hwids, .dtbauto and .dtb all follow a .profile: found through
                 * its CHIDs, else its .dtb; the base's rule sees nothing there */
                Sec sa[] = { { ".profile", prof, sizeof(prof) }, { ".hwids", hw, lh }, { ".dtbauto", dtb_a, la },
                             { ".dtb", dtb_c, lc } };
                const void *ta = image(sa, 4);
                PeView va = view(img_size, ta, 4);
                UkiDtbMachine mc = { .chids = chids };
                ASSERT_EQ(uki_dtb_choose_addon(&va, &mc, &c), UKI_DTB_AUTO);
                ASSERT_TRUE(c.section == 2 && c.n_hwids == 1 && c.hwids[0].section == 1 && c.hwids[0].result == HWIDS_OK);
                ASSERT_EQ(uki_dtb_choose_profile(&va, UKI_PROFILE_BASE, &mc, &c), UKI_DTB_NONE);
                static ChidGuid nobody[CHID_TYPES];
                mc.chids = nobody;
                ASSERT_EQ(uki_dtb_choose_addon(&va, &mc, &c), UKI_DTB_PLAIN);
                ASSERT_EQ(c.section, 3u);
                t = image(s, 9);   /* the table the rest of this test uses */
        }
        /* a firmware tree of the base's model: the base's .dtbauto wins over profile 0's .dtb */
        m.fw_dtb = dtb_a, m.fw_size = la;
        ASSERT_EQ(choose_profile(img_size, t, 9, 0, &m, &c), UKI_DTB_AUTO);
        ASSERT_EQ(c.section, 0u);
        /* no firmware tree: the base's .hwids names board-a; profile 0 has no .hwids of its own */
        UkiDtbMachine mh = { .chids = chids };
        ASSERT_EQ(choose_profile(img_size, t, 9, 0, &mh, &c), UKI_DTB_AUTO);
        ASSERT_EQ(c.section, 0u);
        ASSERT_TRUE(c.n_hwids == 1 && c.hwids[0].section == 2 && c.hwids[0].result == HWIDS_OK);
        /* another machine: both sets searched, profile 0's .dtb */
        static ChidGuid other[CHID_TYPES];
        mh.chids = other;
        ASSERT_EQ(choose_profile(img_size, t, 9, 0, &mh, &c), UKI_DTB_PLAIN);
        ASSERT_EQ(c.section, 5u);
        ASSERT_TRUE(c.n_hwids == 1 && c.hwids[0].result == HWIDS_NOT_FOUND);
        /* a profile with its own .hwids: consulted first, then the base's */
        Sec s2[] = { { ".hwids", hw, lh }, { ".dtbauto", dtb_b, lb },
                     { ".profile", prof, sizeof(prof) }, { ".hwids", junk, 8 }, { ".dtbauto", dtb_a, la } };
        t = image(s2, 5);
        mh.chids = chids;
        ASSERT_EQ(choose_profile(img_size, t, 5, 0, &mh, &c), UKI_DTB_NONE);
        ASSERT_TRUE(c.n_hwids == 2 && c.hwids[0].section == 3 && c.hwids[1].section == 0);
        ASSERT_TRUE(c.hwids[0].result != HWIDS_OK && c.hwids[1].result == HWIDS_OK);
        /* a .dtbauto that is not a device tree is counted on the way */
        Sec s3[] = { { ".dtbauto", junk, sizeof(junk) }, { ".dtbauto", junk, sizeof(junk) }, { ".dtb", dtb_c, lc } };
        t = image(s3, 3);
        ASSERT_EQ(choose_profile(img_size, t, 3, 0, &m, &c), UKI_DTB_PLAIN);
        ASSERT_TRUE(c.n_invalid == 2 && c.first_invalid == 0);
        /* no compatible to compare with (a firmware tree without one): nothing checked, as 257 */
        m.fw_dtb = fw_none, m.fw_size = lfwnone;
        ASSERT_EQ(choose_profile(img_size, t, 3, 0, &m, &c), UKI_DTB_PLAIN);
        ASSERT_TRUE(c.n_invalid == 0);
        ASSERT_EQ(choose_profile(img_size, NULL, 0, 0, &m, &c), UKI_DTB_NONE);
}

/* the .dtbauto sections some machine gets: one per first compatible, the profile's own first */
static void test_pickable(void) {
        static const uint8_t prof[] = "ID=p\n";
        Sec s[] = { { ".dtbauto", dtb_a, la }, { ".dtbauto", dtb_b, lb }, { ".dtbauto", dtb_a, la },   /* base 0-4 */
                    { ".dtbauto", dtb_none, lnone }, { ".dtbauto", junk, sizeof(junk) },
                    { ".profile", prof, sizeof(prof) }, { ".dtbauto", dtb_b, lb }, { ".dtbauto", dtb_c, lc }, /* 0: 5-7 */
                    { ".profile", prof, sizeof(prof) }, { ".dtbauto", dtb_c, 0 } };                       /* 1: 8-9 */
        const void *t = image(s, 10);
        UkiDtbPick p[8];
        /* profile 0: its own board-b and board-c, then the base's board-a (the base's board-b loses) */
        ASSERT_EQ(pickable(img_size, t, 10, 0, p, 8), 3u);
        ASSERT_TRUE(p[0].section == 6 && p[1].section == 7 && p[2].section == 0);
        /* profile 1's empty one never matches: the base's */
        ASSERT_EQ(pickable(img_size, t, 10, 1, p, 8), 2u);
        ASSERT_TRUE(p[0].section == 0 && p[1].section == 1);
        ASSERT_EQ(pickable(img_size, t, 10, UKI_PROFILE_BASE, p, 1), 2u);   /* counted past max */
        ASSERT_EQ(p[0].section, 0u);
        /* each is what a machine of its compatible gets */
        for (uint32_t prf = 0; prf < 2; prf++) {
                size_t k = pickable(img_size, t, 10, prf, p, 8);
                for (size_t i = 0; i < k; i++) {
                        ASSERT_TRUE(!p[i].by_hwids);
                        ASSERT_TRUE(gets(img_size, t, 10, prf, &p[i]));
                }
        }
        /* the image ends inside the base: only what lies inside counts */
        ASSERT_EQ(pickable(0x2000 + lb, t, 10, UKI_PROFILE_BASE, p, 8), 2u);
        ASSERT_EQ(pickable(0x2000, t, 10, UKI_PROFILE_BASE, p, 8), 1u);
        ASSERT_EQ(pickable(img_size, NULL, 0, 0, p, 8), 0u);
}

/* a base .dtbauto that the profile's own shadows for firmware trees, reached through .hwids */
static void test_pickable_hwids(void) {
        static const uint8_t prof[] = "ID=p\n";
        static uint8_t hb[256], hp[256];
        size_t lhb = make_hwids(hb, 3, "vendor,board-a");
        Sec s[] = { { ".hwids", hb, lhb }, { ".dtbauto", dtb_a, la },            /* base 0-1 */
                    { ".profile", prof, sizeof(prof) }, { ".dtbauto", dtb_a, la } }; /* 0: 2-3 */
        const void *t = image(s, 4);
        UkiDtbPick p[8];
        /* the profile has no .hwids: a machine the base's names board-a gets the base's */
        ASSERT_EQ(pickable(img_size, t, 4, 0, p, 8), 2u);
        ASSERT_TRUE(p[0].section == 3 && !p[0].by_hwids);
        ASSERT_TRUE(p[1].section == 1 && p[1].by_hwids);
        ASSERT_TRUE(memcmp(p[1].chid_first.b, chids[3].b, 16) == 0 && memcmp(p[1].chid_rest.b, chids[3].b, 16) == 0);
        ASSERT_TRUE(gets(img_size, t, 4, 0, &p[0]) && gets(img_size, t, 4, 0, &p[1]));
        /* the base's .hwids names a compatible no .dtbauto of the base has: nothing more */
        s[0].size = make_hwids(hb, 3, "vendor,board-z");
        t = image(s, 4);
        ASSERT_EQ(pickable(img_size, t, 4, 0, p, 8), 1u);
        /* the profile's .hwids resolves that CHID to its own board-a: the base's is out of reach */
        lhb = make_hwids(hb, 3, "vendor,board-a");
        size_t lhp = make_hwids(hp, 3, "vendor,board-a");
        Sec s2[] = { { ".hwids", hb, lhb }, { ".dtbauto", dtb_a, la },
                     { ".profile", prof, sizeof(prof) }, { ".hwids", hp, lhp }, { ".dtbauto", dtb_a, la } };
        t = image(s2, 5);
        ASSERT_EQ(pickable(img_size, t, 5, 0, p, 8), 1u);
        ASSERT_EQ(p[0].section, 4u);
        /* ... unless a more specific CHID leads the profile's .hwids nowhere and the base's lacks it */
        s2[3].size = make_hwids2(hp, 3, "vendor,board-a", 5, "vendor,board-z");
        t = image(s2, 5);
        ASSERT_EQ(pickable(img_size, t, 5, 0, p, 8), 2u);
        ASSERT_TRUE(p[1].section == 1 && p[1].by_hwids);
        ASSERT_TRUE(memcmp(p[1].chid_first.b, chids[5].b, 16) == 0 && memcmp(p[1].chid_rest.b, chids[3].b, 16) == 0);
        ASSERT_TRUE(gets(img_size, t, 5, 0, &p[1]));
        /* the base alone: no shadowing, the base's board-a by firmware tree */
        ASSERT_EQ(pickable(img_size, t, 5, UKI_PROFILE_BASE, p, 8), 1u);
        ASSERT_TRUE(p[0].section == 1 && !p[0].by_hwids);
}

/* An .efifw blob (ukify 258): header, the id with its NUL, a payload. */
static size_t make_efifw(uint8_t *out, const char *fwid) {
        size_t l = strlen(fwid) + 1;
        le32(out, 0xfeeddead);
        le32(out + 4, 16);
        le32(out + 8, (uint32_t) l);
        le32(out + 12, 8);
        memcpy(out + 16, fwid, l);
        memcpy(out + 16 + l, "firmware", 8);
        return 16 + l + 8;
}

static void test_efifw_header(void) {
        uint8_t b[64];
        const char *id;
        size_t idl, n = make_efifw(b, "fw-a");
        ASSERT_TRUE(efifw_fwid(b, n, &id, &idl));
        ASSERT_TRUE(id == (const char *) b + 16 && idl == 4);
        ASSERT_TRUE(!efifw_fwid(b, n - 1, &id, &idl));   /* the payload cut */
        ASSERT_TRUE(!efifw_fwid(b, 15, &id, &idl));
        ASSERT_TRUE(!efifw_fwid(NULL, 0, &id, &idl));
        b[0] ^= 1;                                         /* magic */
        ASSERT_TRUE(!efifw_fwid(b, n, &id, &idl));
        n = make_efifw(b, "fw-a");
        le32(b + 4, 15);                                   /* header shorter than itself */
        ASSERT_TRUE(!efifw_fwid(b, n, &id, &idl));
        n = make_efifw(b, "fw-a");
        le32(b + 8, 0);                                    /* no id */
        ASSERT_TRUE(!efifw_fwid(b, n, &id, &idl));
        n = make_efifw(b, "fw-a");
        le32(b + 8, 4);                                    /* the NUL not within the id length */
        ASSERT_TRUE(!efifw_fwid(b, n, &id, &idl));
        n = make_efifw(b, "fw-a");
        le32(b + 12, UINT32_MAX);                          /* sums past the blob (no overflow) */
        ASSERT_TRUE(!efifw_fwid(b, n, &id, &idl));
        n = make_efifw(b, "ab");
        b[17] = 0;                                         /* an earlier NUL ends the id */
        ASSERT_TRUE(efifw_fwid(b, n, &id, &idl) && idl == 1);
        /* a longer header: the id after it */
        n = make_efifw(b, "fw-a");
        memmove(b + 20, b + 16, n - 16);
        le32(b + 4, 20);
        ASSERT_TRUE(efifw_fwid(b, n + 4, &id, &idl) && id == (const char *) b + 20 && idl == 4);
}

/* .hwids with a uefi-fw entry (258) and a devicetree entry for the same CHID: each lookup
 * takes its own kind; the .efifw with the entry's id is picked and measured after .hwids */
static void test_efifw(void) {
        static uint8_t fa[64], fb[64], fbad[64], hw1[256];
        size_t lfa = make_efifw(fa, "fw-a"), lfb = make_efifw(fb, "fw-b"), lbad = make_efifw(fbad, "fw-b");
        fbad[3] = 0;
        size_t lh = make_hwids2(hw, 3, "fw-b", 3, "vendor,board-b");
        le32(hw, HWIDS_DESCRIPTOR_UEFI_FW);
        Sec s[] = { { ".dtbauto", dtb_b, lb }, { ".hwids", hw, lh }, { ".efifw", fa, lfa }, { ".efifw", fbad, lbad },
                    { ".efifw", fb, lfb } };
        const void *t = image(s, 5);
        PeView v = view(img_size, t, 5);
        UkiDtbMachine m = { .chids = chids };
        UkiEfifwChoice e;
        ASSERT_TRUE(uki_efifw_choose_profile(&v, UKI_PROFILE_BASE, &m, &e));
        ASSERT_EQ(e.section, 4);
        ASSERT_TRUE(e.fwid && strcmp(e.fwid, "fw-b") == 0);
        ASSERT_TRUE(e.n_hwids == 1 && e.hwids[0].result == HWIDS_OK && e.n_invalid == 1 && e.first_invalid == 3);
        UkiDtbChoice c;
        ASSERT_EQ(uki_dtb_choose_profile(&v, UKI_PROFILE_BASE, &m, &c), UKI_DTB_AUTO);
        ASSERT_EQ(c.section, 0u);
        UkiMeasuredSection sel[UKI_SECTION_COUNT];
        size_t n;
        ASSERT_TRUE(uki_profile_pcr11_select_picked(t, 5, 0, 0, 4, sel, &n));
        ASSERT_EQ(n, 3u);
        ASSERT_TRUE(sel[0].kind == UKI_SECTION_DTBAUTO && sel[1].kind == UKI_SECTION_HWIDS &&
                    sel[2].kind == UKI_SECTION_EFIFW && sel[2].index == 4);
        ASSERT_TRUE(!uki_profile_pcr11_select_picked(t, 5, 0, 0, 1, sel, &n));   /* not an .efifw */
        size_t pick[4];
        ASSERT_EQ(uki_efifw_pickable(&v, UKI_PROFILE_BASE, pick, 4), 1u);
        ASSERT_EQ(pick[0], 4u);
        /* the uefi-fw entry for a less specific CHID: still this machine's */
        lh = make_hwids2(hw, 11, "fw-a", 3, "vendor,board-b");
        le32(hw, HWIDS_DESCRIPTOR_UEFI_FW);
        t = image(s, 5);
        v = view(img_size, t, 5);
        ASSERT_TRUE(uki_efifw_choose_profile(&v, UKI_PROFILE_BASE, &m, &e) && e.section == 2);
        /* a firmware device tree: .hwids is not read, no .efifw */
        UkiDtbMachine mf = { .fw_dtb = fw, .fw_size = lfw, .chids = chids };
        ASSERT_TRUE(!uki_efifw_choose_profile(&v, UKI_PROFILE_BASE, &mf, &e));
        ASSERT_TRUE(e.section == -1 && e.n_hwids == 0);
        /* devicetree entries only: none */
        lh = make_hwids(hw1, 3, "vendor,board-b");
        Sec s2[] = { { ".hwids", hw1, lh }, { ".efifw", fb, lfb } };
        t = image(s2, 2);
        v = view(img_size, t, 2);
        ASSERT_TRUE(!uki_efifw_choose_profile(&v, UKI_PROFILE_BASE, &m, &e));
        ASSERT_TRUE(e.n_hwids == 1 && e.hwids[0].result == HWIDS_NOT_FOUND);
        ASSERT_EQ(uki_efifw_pickable(&v, UKI_PROFILE_BASE, pick, 4), 0u);
}

int main(void) {
        setup();
        TEST(test_firmware);
        TEST(test_hwids);
        TEST(test_bad);
        TEST(test_profile);
        TEST(test_pickable);
        TEST(test_pickable_hwids);
        TEST(test_efifw_header);
        TEST(test_efifw);
        return TESTS_END();
}
