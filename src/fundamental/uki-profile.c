/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "pe.h"
#include "uki-profile.h"

static PeSectionHeader header_at(const void *table, size_t i) {
        return pe_section_header_read((const uint8_t *) table + i * sizeof(PeSectionHeader));
}

static bool is_profile(const void *table, size_t i) {
        PeSectionHeader s = header_at(table, i);
        return pe_section_name_is(&s, ".profile");
}

unsigned uki_profile_count(const void *table, size_t n) {
        unsigned c = 0;
        if (!table)
                return 0;
        for (size_t i = 0; i < n; i++)
                c += is_profile(table, i);
        return c;
}

bool uki_profile_range(const void *table, size_t n, uint32_t profile, size_t *ret_start, size_t *ret_end) {
        size_t start = 0, i = 0;
        if (!table && n > 0)
                return false;
        if (profile != UKI_PROFILE_BASE) {
                uint32_t seen = 0;
                for (; i < n; i++)
                        if (is_profile(table, i) && seen++ == profile)
                                break;
                if (i == n)
                        return false;
                start = i++;   /* its own .profile is part of it */
        }
        for (; i < n && !is_profile(table, i); i++)
                ;
        *ret_start = start;
        *ret_end = i;
        return true;
}

bool uki_profile_valid(const void *table, size_t n, uint32_t profile) {
        size_t s, e;
        return profile == 0 || uki_profile_range(table, n, profile, &s, &e);
}

static int first_in(const void *table, size_t start, size_t end, const char *name) {
        for (size_t i = start; i < end; i++) {
                PeSectionHeader s = header_at(table, i);
                if (pe_section_name_is(&s, name))
                        return (int) i;
        }
        return -1;
}

/* The section for name ignoring VirtualSize: profile's, else the base's; -2: invalid profile. */
static int effective(const void *table, size_t n, uint32_t profile, const char *name) {
        size_t bs, be, ps, pe;
        if (!table || n > UINT16_MAX || !name)
                return -2;
        if (!uki_profile_range(table, n, UKI_PROFILE_BASE, &bs, &be))
                return -2;
        if (profile != UKI_PROFILE_BASE) {
                if (uki_profile_range(table, n, profile, &ps, &pe)) {
                        int i = first_in(table, ps, pe, name);
                        if (i >= 0)
                                return i;
                } else if (profile != 0)
                        return -2;
        }
        return first_in(table, bs, be, name);
}

int uki_profile_find(const void *table, size_t n, uint32_t profile, const char *name) {
        int i = effective(table, n, profile, name);
        if (i < 0)
                return -1;
        return header_at(table, (size_t) i).VirtualSize == 0 ? -1 : i;
}

bool uki_profile_pcr11_select(const void *table, size_t n, uint32_t profile, UkiMeasuredSection out[UKI_SECTION_COUNT],
                              size_t *ret_n) {
        size_t m = 0;
        if (!table || n > UINT16_MAX || !uki_profile_valid(table, n, profile))
                return false;
        for (unsigned k = 0; k < UKI_SECTION_COUNT; k++) {
                if (!uki_section_measured(k))
                        continue;
                int i = uki_profile_find(table, n, profile, uki_section_name(k));
                if (i >= 0)
                        out[m++] = (UkiMeasuredSection) { .kind = k, .index = (uint16_t) i };
        }
        *ret_n = m;
        return true;
}

/* Put the picked section i (-1: none) of kind into its canonical place among out's m entries;
 * false if i is not a section of that name with contents. */
static bool insert_picked(const void *table, size_t n, unsigned kind, int i, UkiMeasuredSection *out, size_t *m) {
        if (i < 0)
                return true;
        if ((size_t) i >= n)
                return false;
        PeSectionHeader h = header_at(table, (size_t) i);
        if (!pe_section_name_is(&h, uki_section_name(kind)) || h.VirtualSize == 0)
                return false;
        size_t at = 0;
        while (at < *m && out[at].kind < kind)
                at++;
        memmove(out + at + 1, out + at, (*m - at) * sizeof(*out));
        out[at] = (UkiMeasuredSection) { .kind = kind, .index = (uint16_t) i };
        (*m)++;
        return true;
}

bool uki_profile_pcr11_select_picked(const void *table, size_t n, uint32_t profile, int dtbauto, int efifw,
                                     UkiMeasuredSection out[UKI_SECTION_COUNT], size_t *ret_n) {
        size_t m = 0;
        /* .dtbauto and .efifw are never among the selected (uki_section_measured()): room for both */
        if (!uki_profile_pcr11_select(table, n, profile, out, &m) ||
            !insert_picked(table, n, UKI_SECTION_DTBAUTO, dtbauto, out, &m) ||
            !insert_picked(table, n, UKI_SECTION_EFIFW, efifw, out, &m))
                return false;
        *ret_n = m;
        return true;
}

bool uki_profile_pcr11_select_dtbauto(const void *table, size_t n, uint32_t profile, int dtbauto,
                                      UkiMeasuredSection out[UKI_SECTION_COUNT], size_t *ret_n) {
        return uki_profile_pcr11_select_picked(table, n, profile, dtbauto, -1, out, ret_n);
}

size_t uki_pcr11_select(const void *table, size_t n, UkiMeasuredSection out[UKI_SECTION_COUNT]) {
        size_t m = 0;
        return uki_profile_pcr11_select(table, n, 0, out, &m) ? m : 0;
}

bool uki_profile_from_options(const uint16_t *s, size_t len, uint32_t *ret_profile, size_t *ret_skip) {
        uint64_t v = 0;
        size_t i = 1;

        *ret_profile = 0;
        *ret_skip = 0;
        if (!s || len < 2 || s[0] != '@' || s[1] < '0' || s[1] > '9')
                return false;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
                v = v * 10 + (s[i] - '0');
                if (v > UINT32_MAX)
                        return false;
        }
        if (i < len && s[i] == ' ')
                i++;
        else if (i < len && s[i] != 0)
                return false;
        *ret_profile = (uint32_t) v;
        *ret_skip = i;
        return true;
}

bool uki_profile_field(const char *text, size_t len, const char *key, char *out, size_t cap) {
        size_t klen = strlen(key), pos = 0;
        bool found = false;

        if (!text || cap == 0)
                return false;
        while (pos < len) {
                size_t end = pos;
                while (end < len && text[end] != '\n' && text[end] != 0)
                        end++;
                size_t a = pos, b = end;
                while (a < b && (text[a] == ' ' || text[a] == '\t'))
                        a++;
                while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
                        b--;
                if (b - a > klen && memcmp(text + a, key, klen) == 0 && text[a + klen] == '=') {
                        a += klen + 1;
                        if (b - a >= 2 && (text[a] == '"' || text[a] == '\'') && text[b - 1] == text[a]) {
                                a++;
                                b--;
                        }
                        size_t k = b - a < cap - 1 ? b - a : cap - 1;
                        memcpy(out, text + a, k);
                        out[k] = 0;
                        found = true;   /* the last one wins, as sd-boot reads it */
                }
                if (end < len && text[end] == 0)
                        break;
                pos = end + 1;
        }
        return found;
}
