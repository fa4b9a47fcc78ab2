/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UKI add-on sections and sd-stub 257's verdict (src/fundamental/uki-addon.c), on a loaded
 * image made here: headers page, then each section at its RVA. */
#include <stddef.h>

#include "tests.h"
#include "pe.h"
#include "uki-addon.h"
#include "unaligned.h"

typedef struct {
        const char *name;
        const char *text;     /* contents (VirtualSize = strlen) */
} Sec;

/* A loaded image of 4 KiB headers and one page per section; returns its size. */
static size_t image(const Sec *s, uint8_t *buf, size_t cap) {
        size_t n = 0;
        while (s[n].name)
                n++;
        size_t size = 0x1000 * (n + 1);
        if (size > cap)
                abort();
        memset(buf, 0, size);
        /* written field by field (pe.c's encoders), so the image is the same on any host */
        put_le16(buf + offsetof(DosHeader, e_magic), DOS_MAGIC);
        put_le32(buf + offsetof(DosHeader, e_lfanew), 0x40);
        put_le32(buf + 0x40 + offsetof(PeHeader64, Signature), PE_MAGIC);
        pe_file_header_write(buf + 0x40 + offsetof(PeHeader64, FileHeader),
                             &(PeFileHeader) { .Machine = 0x8664, .NumberOfSections = (uint16_t) n,
                                               .SizeOfOptionalHeader = sizeof(PeOptionalHeader64) });
        pe_optional_header_write(buf + 0x40 + offsetof(PeHeader64, OptionalHeader),
                                 &(PeOptionalHeader64) { .Magic = PE_OPT_MAGIC_PE32PLUS, .SectionAlignment = 0x1000,
                                                         .FileAlignment = 0x200, .SizeOfImage = (uint32_t) size,
                                                         .SizeOfHeaders = 0x1000 });
        for (size_t i = 0; i < n; i++) {
                PeSectionHeader h = {};
                memcpy(h.Name, s[i].name, strnlen(s[i].name, 8));
                h.VirtualAddress = 0x1000 * (uint32_t) (i + 1);
                h.VirtualSize = (uint32_t) strlen(s[i].text);
                pe_section_header_write(buf + 0x40 + sizeof(PeHeader64) + i * sizeof(h), &h);
                memcpy(buf + h.VirtualAddress, s[i].text, h.VirtualSize);
        }
        return size;
}

static uint8_t buf[0x10000];

/* As the stub does: the headers parsed once in memory layout, then the add-on's verdict. */
static UkiAddonResult parse_image(const uint8_t *b, size_t size, const char *uname, size_t uname_len, UkiAddon *a) {
        PeView v;
        if (pe_parse_layout(b, size, PE_LAYOUT_MEMORY, &v) != PE_OK)
                return UKI_ADDON_BAD_PE;
        return uki_addon_parse(&v, uname, uname_len, a);
}

static UkiAddonResult parse(const Sec *s, const char *uname, UkiAddon *a) {
        size_t size = image(s, buf, sizeof(buf));
        return parse_image(buf, size, uname, uname ? strlen(uname) : 0, a);
}

static void test_cmdline(void) {
        UkiAddon a;
        ASSERT_EQ(parse((const Sec[]) { { ".sbat", "sbat" }, { ".cmdline", "quiet" }, {} }, "6.1", &a), UKI_ADDON_OK);
        ASSERT_EQ(a.size[UKI_ADDON_CMDLINE], 5u);
        ASSERT_TRUE(memcmp(a.data[UKI_ADDON_CMDLINE], "quiet", 5) == 0);
        ASSERT_TRUE(!a.data[UKI_ADDON_INITRD] && !a.data[UKI_ADDON_UNAME]);
        ASSERT_EQ(parse((const Sec[]) { { ".initrd", "x" }, { ".ucode", "u" }, {} }, NULL, &a), UKI_ADDON_OK);
        ASSERT_EQ(parse((const Sec[]) { { ".dtbauto", "d" }, {} }, NULL, &a), UKI_ADDON_OK);
}

static void test_refused(void) {
        UkiAddon a;
        ASSERT_EQ(parse((const Sec[]) { { ".sbat", "sbat" }, { ".osrel", "ID=x" }, {} }, NULL, &a), UKI_ADDON_EMPTY);
        /* a VirtualSize 0 section counts as absent, as in sd-stub */
        ASSERT_EQ(parse((const Sec[]) { { ".cmdline", "" }, {} }, NULL, &a), UKI_ADDON_EMPTY);
        ASSERT_EQ(parse((const Sec[]) { { ".cmdline", "x" }, { ".linux", "MZ" }, {} }, NULL, &a), UKI_ADDON_IS_UKI);
        /* the whole table counts, as in 257 (an add-on has no profiles): the first of each name */
        ASSERT_EQ(parse((const Sec[]) { { ".profile", "ID=a" }, { ".cmdline", "x" }, { ".cmdline", "y" }, {} }, NULL, &a),
                  UKI_ADDON_OK);
        ASSERT_TRUE(a.size[UKI_ADDON_CMDLINE] == 1 && a.data[UKI_ADDON_CMDLINE][0] == 'x');
        ASSERT_EQ(parse((const Sec[]) { { ".cmdline", "x" }, { ".profile", "ID=a" }, { ".linux", "MZ" }, {} }, NULL, &a),
                  UKI_ADDON_IS_UKI);
        /* the first of a name wins even when it is empty, which then counts as absent (257) */
        ASSERT_EQ(parse((const Sec[]) { { ".cmdline", "" }, { ".cmdline", "y" }, {} }, NULL, &a), UKI_ADDON_EMPTY);
        ASSERT_EQ(parse_image(buf, 0x40, NULL, 0, &a), UKI_ADDON_BAD_PE);
        /* a section beyond the loaded image */
        size_t size = image((const Sec[]) { { ".cmdline", "quiet" }, {} }, buf, sizeof(buf));
        ASSERT_EQ(parse_image(buf, size - 0x1000 + 2, NULL, 0, &a), UKI_ADDON_BAD_PE);
}

static void test_uname(void) {
        UkiAddon a;
        const Sec s[] = { { ".cmdline", "x" }, { ".uname", "6.12.0-1" }, {} };
        ASSERT_EQ(parse(s, "6.12.0-1", &a), UKI_ADDON_OK);
        ASSERT_EQ(parse(s, "6.12.0-2", &a), UKI_ADDON_UNAME_MISMATCH);
        ASSERT_EQ(parse(s, "6.12.0", &a), UKI_ADDON_UNAME_MISMATCH);
        ASSERT_EQ(parse(s, NULL, &a), UKI_ADDON_OK);       /* the UKI has no .uname */
        /* sd-stub compares the add-on's VirtualSize bytes with strncmp: a shorter add-on .uname
         * matches a UKI .uname it begins */
        ASSERT_EQ(parse((const Sec[]) { { ".cmdline", "x" }, { ".uname", "6.12" }, {} }, "6.12.0-1", &a), UKI_ADDON_OK);
        ASSERT_EQ(parse((const Sec[]) { { ".cmdline", "x" }, {} }, "6.12.0-1", &a), UKI_ADDON_OK);
}

int main(void) {
        TEST(test_cmdline);
        TEST(test_refused);
        TEST(test_uname);
        return TESTS_END();
}
