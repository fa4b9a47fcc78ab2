/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "uki-measure.h"

/* Fixed-size names, no pointer table: nothing here needs a relocation. */
static const char section_names[UKI_SECTION_COUNT][PE_SECTION_NAME_LEN + 1] = {
        [UKI_SECTION_LINUX] = ".linux",     [UKI_SECTION_OSREL] = ".osrel",   [UKI_SECTION_CMDLINE] = ".cmdline",
        [UKI_SECTION_INITRD] = ".initrd",   [UKI_SECTION_UCODE] = ".ucode",   [UKI_SECTION_SPLASH] = ".splash",
        [UKI_SECTION_DTB] = ".dtb",         [UKI_SECTION_UNAME] = ".uname",   [UKI_SECTION_SBAT] = ".sbat",
        [UKI_SECTION_PCRSIG] = ".pcrsig",   [UKI_SECTION_PCRPKEY] = ".pcrpkey", [UKI_SECTION_PROFILE] = ".profile",
        [UKI_SECTION_DTBAUTO] = ".dtbauto", [UKI_SECTION_HWIDS] = ".hwids",   [UKI_SECTION_EFIFW] = ".efifw",
};

const char *uki_section_name(unsigned kind) {
        return kind < UKI_SECTION_COUNT ? section_names[kind] : NULL;
}

bool uki_section_measured(unsigned kind) {
        return kind < UKI_SECTION_COUNT && kind != UKI_SECTION_PCRSIG && kind != UKI_SECTION_DTBAUTO &&
               kind != UKI_SECTION_EFIFW;
}

bool measure_extend(uint8_t pcr[MEASURE_DIGEST_SIZE], const uint8_t digest[MEASURE_DIGEST_SIZE], MeasureSha256 h,
                    void *userdata) {
        uint8_t buf[2 * MEASURE_DIGEST_SIZE];
        memcpy(buf, pcr, MEASURE_DIGEST_SIZE);
        memcpy(buf + MEASURE_DIGEST_SIZE, digest, MEASURE_DIGEST_SIZE);
        return h(buf, sizeof(buf), pcr, userdata);
}

bool uki_pcr11_predict(const UkiSectionDigest *s, size_t n, MeasureSha256 h, void *userdata,
                       uint8_t pcr[MEASURE_DIGEST_SIZE]) {
        memset(pcr, 0, MEASURE_DIGEST_SIZE);
        for (size_t i = 0; i < n; i++) {
                const char *name = uki_section_name(s[i].kind);
                uint8_t d[MEASURE_DIGEST_SIZE];
                if (!name || !h(name, strlen(name) + 1, d, userdata) || !measure_extend(pcr, d, h, userdata) ||
                    !measure_extend(pcr, s[i].digest, h, userdata))
                        return false;
        }
        return true;
}

static bool mangle_space(uint16_t c) {
        return c <= 0x20 || c == 0x7f;
}

size_t measure_mangle_cmdline(uint16_t *s, size_t len) {
        size_t i = 0, o = 0, end = 0;
        while (i < len && s[i] && mangle_space(s[i]))
                i++;
        for (; i < len && s[i]; i++) {
                if (mangle_space(s[i]))
                        s[o++] = ' ';
                else {
                        s[o++] = s[i];
                        end = o;
                }
        }
        s[end] = 0;
        return end;
}
