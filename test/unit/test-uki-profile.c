/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Multi-profile UKI section lookup and the "@N" selector (src/fundamental/uki-profile.c). */
#include "tests.h"
#include "uki-profile.h"

typedef struct {
        const char *name;
        uint32_t vsize;
} Sec;

static size_t table(const Sec *s, PeSectionHeader *out) {
        size_t n = 0;
        for (; s[n].name; n++) {
                memset(&out[n], 0, sizeof(out[n]));
                memcpy(out[n].Name, s[n].name, strnlen(s[n].name, 8));
                out[n].VirtualSize = s[n].vsize;
                out[n].VirtualAddress = 0x1000 * (uint32_t) (n + 1);
        }
        return n;
}

/* A ukify 257 layout: base (stub, .osrel .cmdline .uname .linux .initrd .sbat), profile 0's
 * .profile, profile 1 (.profile .cmdline), profile 2 (.profile .cmdline of size 0 .initrd). */
static const Sec uki[] = {
        { ".text", 10 },  { ".sbat", 5 },     { ".osrel", 5 },    { ".cmdline", 5 }, { ".uname", 5 },
        { ".linux", 9 },  { ".initrd", 9 },   { ".profile", 7 },  /* 7: profile 0 */
        { ".profile", 7 }, { ".cmdline", 6 }, /* 8, 9: profile 1 */
        { ".profile", 7 }, { ".cmdline", 0 }, { ".initrd", 3 }, /* 10..12: profile 2 */
        {},
};

static void test_ranges(void) {
        PeSectionHeader t[32];
        size_t n = table(uki, t), s, e;
        ASSERT_EQ(uki_profile_count(t, n), 3u);
        ASSERT_TRUE(uki_profile_range(t, n, UKI_PROFILE_BASE, &s, &e));
        ASSERT_EQ(s, 0u);
        ASSERT_EQ(e, 7u);
        ASSERT_TRUE(uki_profile_range(t, n, 0, &s, &e));
        ASSERT_EQ(s, 7u);
        ASSERT_EQ(e, 8u);
        ASSERT_TRUE(uki_profile_range(t, n, 2, &s, &e));
        ASSERT_EQ(s, 10u);
        ASSERT_EQ(e, 13u);
        ASSERT_TRUE(!uki_profile_range(t, n, 3, &s, &e));
        ASSERT_TRUE(uki_profile_valid(t, n, 2));
        ASSERT_TRUE(!uki_profile_valid(t, n, 3));
}

static void test_find(void) {
        PeSectionHeader t[32];
        size_t n = table(uki, t);
        ASSERT_EQ(uki_profile_find(t, n, 0, ".cmdline"), 3);
        ASSERT_EQ(uki_profile_find(t, n, 0, ".profile"), 7);
        ASSERT_EQ(uki_profile_find(t, n, 1, ".cmdline"), 9);
        ASSERT_EQ(uki_profile_find(t, n, 1, ".profile"), 8);
        ASSERT_EQ(uki_profile_find(t, n, 1, ".linux"), 5);      /* shared from the base */
        ASSERT_EQ(uki_profile_find(t, n, 2, ".cmdline"), -1);   /* profile's own, empty: absent */
        ASSERT_EQ(uki_profile_find(t, n, 2, ".initrd"), 12);
        ASSERT_EQ(uki_profile_find(t, n, 3, ".linux"), -1);     /* no such profile */
        ASSERT_EQ(uki_profile_find(t, n, UKI_PROFILE_BASE, ".profile"), -1);
        ASSERT_EQ(uki_profile_find(t, n, UKI_PROFILE_BASE, ".cmdline"), 3);
        ASSERT_EQ(uki_profile_find(t, n, 0, ".dtb"), -1);
}

static void test_no_profiles(void) {
        static const Sec plain[] = { { ".text", 1 }, { ".cmdline", 2 }, { ".linux", 3 }, { ".cmdline", 4 }, {} };
        PeSectionHeader t[8];
        size_t n = table(plain, t);
        ASSERT_EQ(uki_profile_count(t, n), 0u);
        ASSERT_TRUE(uki_profile_valid(t, n, 0));   /* implied */
        ASSERT_TRUE(!uki_profile_valid(t, n, 1));
        ASSERT_EQ(uki_profile_find(t, n, 0, ".cmdline"), 1);   /* the first wins */
        ASSERT_EQ(uki_profile_find(t, n, 1, ".cmdline"), -1);
}

static void test_pcr11_select(void) {
        PeSectionHeader t[32];
        size_t n = table(uki, t), m;
        UkiMeasuredSection sel[UKI_SECTION_COUNT];
        ASSERT_TRUE(uki_profile_pcr11_select(t, n, 1, sel, &m));
        /* canonical order: .linux .osrel .cmdline .initrd .uname .sbat .profile */
        ASSERT_EQ(m, 7u);
        ASSERT_EQ(sel[0].index, 5);
        ASSERT_EQ(sel[1].index, 2);
        ASSERT_EQ(sel[2].index, 9);
        ASSERT_EQ(sel[3].index, 6);
        ASSERT_EQ(sel[4].index, 4);
        ASSERT_EQ(sel[5].index, 1);
        ASSERT_EQ(sel[6].index, 8);
        ASSERT_TRUE(uki_profile_pcr11_select(t, n, 2, sel, &m));
        ASSERT_EQ(m, 6u);   /* no .cmdline */
        ASSERT_TRUE(!uki_profile_pcr11_select(t, n, 5, sel, &m));
        /* the default-profile selector agrees with profile 0 */
        UkiMeasuredSection d[UKI_SECTION_COUNT];
        ASSERT_TRUE(uki_profile_pcr11_select(t, n, 0, sel, &m));
        ASSERT_EQ(uki_pcr11_select(t, n, d), m);
        ASSERT_TRUE(memcmp(d, sel, m * sizeof(*d)) == 0);
}

/* The chosen .dtbauto goes between .profile and .hwids (sd-stub 257's order); nothing else moves. */
static void test_pcr11_select_dtbauto(void) {
        static const Sec dt[] = {
                { ".text", 1 },    { ".osrel", 2 },   { ".dtbauto", 3 }, { ".dtbauto", 4 }, { ".dtbauto", 0 },
                { ".hwids", 5 },   { ".linux", 6 },   { ".profile", 7 }, {},
        };
        PeSectionHeader t[16];
        size_t n = table(dt, t), m, m0;
        UkiMeasuredSection sel[UKI_SECTION_COUNT], plain[UKI_SECTION_COUNT];
        ASSERT_TRUE(uki_profile_pcr11_select(t, n, 0, plain, &m0));
        /* .linux .osrel .profile .hwids; no .dtbauto by name */
        ASSERT_EQ(m0, 4u);
        ASSERT_TRUE(uki_profile_pcr11_select_dtbauto(t, n, 0, -1, sel, &m));
        ASSERT_EQ(m, m0);
        ASSERT_TRUE(memcmp(sel, plain, m * sizeof(*sel)) == 0);
        ASSERT_TRUE(uki_profile_pcr11_select_dtbauto(t, n, 0, 3, sel, &m));
        ASSERT_EQ(m, 5u);
        ASSERT_EQ(sel[0].index, 6);   /* .linux */
        ASSERT_EQ(sel[1].index, 1);   /* .osrel */
        ASSERT_EQ(sel[2].index, 7);   /* .profile */
        ASSERT_EQ(sel[3].kind, (unsigned) UKI_SECTION_DTBAUTO);
        ASSERT_EQ(sel[3].index, 3);
        ASSERT_EQ(sel[4].index, 5);   /* .hwids */
        ASSERT_TRUE(!uki_profile_pcr11_select_dtbauto(t, n, 0, 4, sel, &m));   /* empty */
        ASSERT_TRUE(!uki_profile_pcr11_select_dtbauto(t, n, 0, 5, sel, &m));   /* not a .dtbauto */
        ASSERT_TRUE(!uki_profile_pcr11_select_dtbauto(t, n, 0, (int) n, sel, &m));
        ASSERT_TRUE(!uki_profile_pcr11_select_dtbauto(t, n, 1, 2, sel, &m));   /* no profile 1 */
}

static bool opt(const char *a, uint32_t *p, size_t *skip) {
        uint16_t s[64];
        size_t n = strlen(a);
        for (size_t i = 0; i < n; i++)
                s[i] = (uint8_t) a[i];
        return uki_profile_from_options(s, n, p, skip);
}

static void test_options(void) {
        uint32_t p;
        size_t k;
        ASSERT_TRUE(opt("@1", &p, &k));
        ASSERT_EQ(p, 1u);
        ASSERT_EQ(k, 2u);
        ASSERT_TRUE(opt("@12 quiet", &p, &k));
        ASSERT_EQ(p, 12u);
        ASSERT_EQ(k, 4u);
        ASSERT_TRUE(opt("@0  x", &p, &k));   /* exactly one space is dropped */
        ASSERT_EQ(k, 3u);
        ASSERT_TRUE(opt("@4294967295", &p, &k));
        ASSERT_EQ(p, UKI_PROFILE_BASE);
        ASSERT_TRUE(!opt("@4294967296", &p, &k));
        ASSERT_TRUE(!opt("@1x", &p, &k));
        ASSERT_EQ(p, 0u);
        ASSERT_EQ(k, 0u);
        ASSERT_TRUE(!opt("@", &p, &k));
        ASSERT_TRUE(!opt("@ 1", &p, &k));
        ASSERT_TRUE(!opt("@-1", &p, &k));
        ASSERT_TRUE(!opt("quiet @1", &p, &k));
        ASSERT_TRUE(!opt("", &p, &k));
        ASSERT_TRUE(!opt("@1\t", &p, &k));
        uint16_t nul[] = { '@', '3', 0, 'x' };
        ASSERT_TRUE(uki_profile_from_options(nul, 4, &p, &k));
        ASSERT_EQ(p, 3u);
        ASSERT_EQ(k, 2u);
}

static void test_field(void) {
        static const char prof[] = "# c\nID=storage\n TITLE=\"Storage Target\" \nTITLE2=x\nEMPTY=\n";
        char out[32];
        ASSERT_TRUE(uki_profile_field(prof, sizeof(prof) - 1, "ID", out, sizeof(out)));
        ASSERT_STREQ(out, "storage");
        ASSERT_TRUE(uki_profile_field(prof, sizeof(prof) - 1, "TITLE", out, sizeof(out)));
        ASSERT_STREQ(out, "Storage Target");
        ASSERT_TRUE(uki_profile_field(prof, sizeof(prof) - 1, "EMPTY", out, sizeof(out)));
        ASSERT_STREQ(out, "");
        ASSERT_TRUE(!uki_profile_field(prof, sizeof(prof) - 1, "NAME", out, sizeof(out)));
        ASSERT_TRUE(uki_profile_field(prof, sizeof(prof) - 1, "ID", out, 4));
        ASSERT_STREQ(out, "sto");
}

int main(void) {
        TEST(test_ranges);
        TEST(test_find);
        TEST(test_no_profiles);
        TEST(test_pcr11_select);
        TEST(test_pcr11_select_dtbauto);
        TEST(test_options);
        TEST(test_field);
        return TESTS_END();
}
