/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Multi-profile UKIs on the host: joining profile PEs into a UKI as ukify 257 does, profile PEs
 * of our own, and what inspect and build --measure print per profile. The rules of which
 * section belongs to which profile are the core's (src/fundamental/uki-profile.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb-sections.h"
#include "fdt.h"
#include "inputs.h"
#include "kernel.h"
#include "measure.h"
#include "profile.h"
#include "sign.h"
#include "uki-assemble.h"
#include "uki-dtb.h"
#include "uki-profile.h"

#define MAX_JOIN_SECTIONS 64
#define MAX_JOIN 16

/* The sections ukify 257 copies from a joined profile PE (and .efifw, ukify 258). */
static bool importable(const char *name, bool with_osrel) {
        static const char *const names[] = { ".linux", ".cmdline", ".initrd", ".efifw", ".ucode", ".splash",
                                             ".dtb",   ".uname",   ".sbat",   ".profile" };
        if (strcmp(name, ".osrel") == 0)
                return with_osrel;
        for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
                if (strcmp(name, names[i]) == 0)
                        return true;
        return false;
}

bool profile_join_assemble(Blob *uki, const Blob *text, const Blob *pes, const char *const *names_in, size_t n_joins) {
        PeView f;
        PeResult r = pe_parse(uki->data, uki->size, &f);
        if (r != PE_OK)
                return error("cannot read the UKI: %s", pe_strerror(r)), false;
        if (uki_profile_count(uki->data + f.sections_offset, f.n_sections) > 0)
                return error("--profile/--join-profile: the UKI already has .profile sections"), false;

        PeNewSection secs[MAX_JOIN_SECTIONS];
        char names[MAX_JOIN_SECTIONS][PE_SECTION_NAME_LEN + 1];
        size_t n = 0;
        bool with_osrel = pe_find_section(&f, ".osrel") >= 0;
        secs[n++] = (PeNewSection) { ".profile", text->data, text->size, 0, false };

        for (size_t j = 0; j < n_joins; j++) {
                PeView p;
                r = pe_parse(pes[j].data, pes[j].size, &p);
                if (r != PE_OK)
                        return error("%s: %s", names_in[j], pe_strerror(r)), false;
                size_t first = n, profiles = 0;
                for (size_t i = 0; i < p.n_sections; i++) {
                        PeSectionHeader s = pe_section(&p, i);
                        char name[PE_SECTION_NAME_LEN + 1];
                        pe_section_name(&s, name);
                        if (!importable(name, with_osrel))
                                continue;
                        if (n == first && strcmp(name, ".profile") != 0)
                                return error("%s: expected .profile as the first UKI section of a profile PE, got %s",
                                             names_in[j], name), false;
                        if (strcmp(name, ".profile") == 0 && ++profiles > 1)
                                return error("%s: more than one .profile section", names_in[j]), false;
                        for (size_t k = first; k < n && !section_name_repeats_ok(name); k++)
                                if (strcmp(secs[k].name, name) == 0)
                                        return error("%s: duplicate section %s", names_in[j], name), false;
                        if (n == MAX_JOIN_SECTIONS)
                                return error("--join-profile: too many sections"), false;
                        size_t size;
                        const uint8_t *d = pe_section_data(&p, i, &size);
                        memcpy(names[n], name, sizeof(name));
                        secs[n] = (PeNewSection) { names[n], d, size, 0, false };
                        n++;
                        info("copying section %s from %s: %zu bytes", name, names_in[j], size);
                }
                if (n == first)
                        return error("%s: no UKI sections (a profile PE starts with .profile)", names_in[j]), false;
        }

        _cleanup_blob_ Blob out = {};
        r = pe_append_blob(&f, secs, n, &out);
        if (r != PE_OK)
                return error("cannot add the profile sections: %s", pe_strerror(r)), false;
        blob_free(uki);
        *uki = blob_take(&out);
        return true;
}

/* The pes[] of profile_join(), freed at scope exit. */
typedef struct {
        Blob b[MAX_JOIN];
} JoinedPEs;

static void joined_pes_free(JoinedPEs *p) {
        for (size_t j = 0; j < MAX_JOIN; j++)
                blob_free(&p->b[j]);
}

bool profile_join(Blob *uki, const char *profile_arg, const char *const *joins, size_t n_joins) {
        if (n_joins > MAX_JOIN)
                return error("--join-profile: at most %zu", (size_t) MAX_JOIN), false;
        _cleanup_blob_ Blob text = {};
        if (profile_arg) {
                if (!read_text_or_file(profile_arg, &text))
                        return false;
        } else {
                static const char def[] = "ID=main";
                text.data = (uint8_t *) strdup(def);
                text.size = strlen(def);
                if (!text.data)
                        return error("out of memory"), false;
        }
        _cleanup_(joined_pes_free) JoinedPEs pes = {};
        for (size_t j = 0; j < n_joins; j++)
                if (!read_file(joins[j], &pes.b[j]))
                        return false;
        return profile_join_assemble(uki, &text, pes.b, joins, n_joins);
}

bool profile_pe_build(uint16_t machine, const char *profile_arg, const PeNewSection *in, size_t n_in, Blob *ret) {
        /* a header page with no code and no entry point (it is never started), a DLL as ukify's */
        uint8_t hdr[PE_EMPTY_SIZE];
        pe_empty_make(hdr, machine, PE_FILE_EXECUTABLE_IMAGE | PE_FILE_LARGE_ADDRESS_AWARE | PE_FILE_DLL, 0);

        Blob text = {};
        PeNewSection secs[1 + 32];
        bool ok = false;
        if (n_in > 32)
                return error("profile PE: too many sections"), false;
        if (!read_text_or_file(profile_arg, &text))
                return false;
        secs[0] = (PeNewSection) { ".profile", text.data, text.size, 0, false };
        memcpy(secs + 1, in, n_in * sizeof(*in));
        if (!section_names_unique(secs, n_in + 1)) {
                blob_free(&text);
                return false;
        }

        PeView f;
        PeResult r = pe_parse(hdr, sizeof(hdr), &f);
        if (r == PE_OK)
                r = pe_append_blob(&f, secs, n_in + 1, ret);
        if (r != PE_OK)
                error("cannot make the profile PE: %s", pe_strerror(r));
        else
                ok = true;
        blob_free(&text);
        return ok;
}

static void text_field(const PeView *f, int idx, const char *key, char *out, size_t cap) {
        size_t n;
        out[0] = 0;
        if (idx < 0)
                return;
        const uint8_t *d = pe_section_data(f, (size_t) idx, &n);
        (void) uki_profile_field((const char *) d, n, key, out, cap);
}

bool uki_placed_view(const PeView *f, uint8_t **ret_buf, PeView *ret) {
        bool differs = false;
        for (size_t i = 0; i < f->n_sections; i++) {
                PeSectionHeader h = pe_section(f, i);
                if ((pe_section_name_is(&h, ".dtbauto") || pe_section_name_is(&h, ".hwids") ||
                     pe_section_name_is(&h, ".efifw")) &&
                    h.SizeOfRawData < h.VirtualSize)
                        differs = true;
        }
        size_t size = f->opt.SizeOfImage;
        if (!differs || size == 0 || size > 2 * f->size + ((size_t) 64 << 20))
                return false;
        _cleanup_free_ uint8_t *buf = malloc(size);
        if (!buf || pe_load_copy(f, buf, size) != PE_OK || pe_parse_layout(buf, size, PE_LAYOUT_MEMORY, ret) != PE_OK)
                return false;
        *ret_buf = TAKE_PTR(buf);
        return true;
}

void profile_pcr11_dtbauto_inspect(const PeView *f, const PeView *placed, uint32_t profile, bool json,
                                   const char *pad) {
        const PeView *v = placed;
        UkiDtbPick pick[PE_MAX_SECTIONS];
        size_t n = uki_dtbauto_pickable(v, profile, pick, ELEMENTSOF(pick)), shown = 0;
        for (size_t k = 0; k < n && k < ELEMENTSOF(pick); k++) {
                char hex[2 * MEASURE_DIGEST_SIZE + 1];
                uint8_t pcr[MEASURE_DIGEST_SIZE];
                size_t i = pick[k].section, dn = 0, cn = 0;
                const uint8_t *d = pe_section_data(v, i, &dn);
                const char *c = d ? fdt_first_compatible(d, dn, &cn) : NULL;
                if (!c || i > INT16_MAX || !uki_pcr11_sha256_dtbauto(f, profile, (int) i, pcr))
                        continue;   /* not reached: pickable ones have a compatible and are measured */
                digest_hex(pcr, hex);
                if (json) {
                        printf("%s{\"section\": %zu, \"compatible\": ", shown++ == 0 ? ", \"dtbauto\": [" : ", ", i);
                        json_print_string(c, cn);
                        printf(", \"hwids_only\": %s, \"sha256\": \"%s\"}", pick[k].by_hwids ? "true" : "false", hex);
                } else {
                        printf("%s  when section %zu (.dtbauto, compatible \"", pad, i);
                        text_print(c, cn);
                        printf("\"%s) is picked for the machine: %s\n",
                               pick[k].by_hwids ? ", only through the base's .hwids" : "", hex);
                }
        }
        if (json && shown > 0)
                printf("]");
}

void profile_pcr11_efifw_inspect(const PeView *f, const PeView *placed, uint32_t profile, bool json, const char *pad) {
        const PeView *v = placed;
        size_t fw[PE_MAX_SECTIONS];
        size_t n = uki_efifw_pickable(v, profile, fw, ELEMENTSOF(fw)), shown = 0;
        UkiDtbPick pick[PE_MAX_SECTIONS];
        size_t nd = uki_dtbauto_pickable(v, profile, pick, ELEMENTSOF(pick));
        _cleanup_free_ PcrDigestCache *cache = calloc(1, sizeof(*cache));   /* NULL: each value hashes anew */
        for (size_t k = 0; k < n && k < ELEMENTSOF(fw); k++) {
                char hex[2 * MEASURE_DIGEST_SIZE + 1];
                uint8_t pcr[MEASURE_DIGEST_SIZE];
                size_t dn = 0, idl = 0;
                const uint8_t *d = pe_section_data(v, fw[k], &dn);
                const char *id;
                if (!d || !efifw_fwid(d, dn, &id, &idl) || fw[k] > INT16_MAX ||
                    !uki_pcr11_sha256_picked_cached(f, profile, -1, (int) fw[k], cache, pcr))
                        continue;   /* not reached: pickable ones have an id and are measured */
                digest_hex(pcr, hex);
                if (json) {
                        printf("%s{\"section\": %zu, \"fwid\": ", shown++ == 0 ? ", \"efifw\": [" : ", ", fw[k]);
                        json_print_string(id, idl);
                        printf(", \"sha256\": \"%s\"", hex);
                } else {
                        printf("%s  when section %zu (.efifw, firmware id \"", pad, fw[k]);
                        text_print(id, idl);
                        printf("\") is picked for the machine: %s\n", hex);
                }
                /* and with each .dtbauto the same machine may pick too */
                size_t shown_d = 0;
                for (size_t j = 0; j < nd && j < ELEMENTSOF(pick); j++) {
                        if (pick[j].section > INT16_MAX ||
                            !uki_pcr11_sha256_picked_cached(f, profile, (int) pick[j].section, (int) fw[k], cache, pcr))
                                continue;
                        digest_hex(pcr, hex);
                        if (json)
                                printf("%s{\"section\": %zu, \"sha256\": \"%s\"}", shown_d++ == 0 ? ", \"dtbauto\": [" : ", ",
                                       pick[j].section, hex);
                        else
                                printf("%s    and section %zu (.dtbauto) too: %s\n", pad, pick[j].section, hex);
                }
                if (json)
                        printf("%s}", shown_d > 0 ? "]" : "");
        }
        if (json && shown > 0)
                printf("]");
}

void profile_inspect(const PeView *f, const PeView *placed, bool json, const char *pad) {
        const uint8_t *table = f->data + f->sections_offset;
        unsigned count = uki_profile_count(table, f->n_sections);
        if (count == 0)
                return;
        if (json)
                printf(", \"profiles\": [");
        else
                printf("%sprofiles: %u (\"@N\" in LoadOptions selects profile N; default 0)\n", pad, count);
        for (uint32_t p = 0; p < count; p++) {
                size_t s, e;
                if (!uki_profile_range(table, f->n_sections, p, &s, &e))
                        continue;
                int pi = uki_profile_find(table, f->n_sections, p, ".profile");
                char id[128], title[256], hex[2 * MEASURE_DIGEST_SIZE + 1] = "";
                text_field(f, pi, "ID", id, sizeof(id));
                text_field(f, pi, "TITLE", title, sizeof(title));
                uint8_t pcr[MEASURE_DIGEST_SIZE];
                bool have_pcr = uki_pcr11_sha256_profile(f, p, pcr);
                if (have_pcr)
                        digest_hex(pcr, hex);
                if (json) {
                        printf("%s{\"profile\": %u, \"id\": ", p ? ", " : "", p);
                        json_print_string(id, strlen(id));
                        printf(", \"title\": ");
                        json_print_string(title, strlen(title));
                        printf(", \"sections\": [");
                } else {
                        printf("%s  @%u: ID=", pad, p);
                        text_print(id[0] ? id : "(none)", strlen(id[0] ? id : "(none)"));
                        printf(" TITLE=");
                        text_print(title[0] ? title : "(none)", strlen(title[0] ? title : "(none)"));
                        printf("\n%s      own sections:", pad);
                }
                for (size_t i = s; i < e; i++) {
                        PeSectionHeader h = pe_section(f, i);
                        char name[PE_SECTION_NAME_LEN + 1];
                        pe_section_name(&h, name);
                        if (json) {
                                printf("%s", i > s ? ", " : "");
                                json_print_string(name, strlen(name));
                        } else {
                                putchar(' ');
                                text_print(name, strlen(name));
                        }
                }
                char sub[64];
                snprintf(sub, sizeof(sub), "%s    ", pad);
                if (json) {
                        printf("]");
                        if (have_pcr) {
                                printf(", \"pcr11\": {\"sha256\": \"%s\"", hex);
                                profile_pcr11_dtbauto_inspect(f, placed, p, json, sub);
                                profile_pcr11_efifw_inspect(f, placed, p, json, sub);
                                printf("}");
                        }
                        printf("}");
                } else {
                        printf("\n");
                        if (have_pcr) {
                                printf("%s      PCR 11 (sha256, as systemd-stub 257 measures profile %u): %s\n", pad, p,
                                       hex);
                                profile_pcr11_dtbauto_inspect(f, placed, p, json, sub);
                                profile_pcr11_efifw_inspect(f, placed, p, json, sub);
                        }
                }
        }
        if (json)
                printf("]");
}

bool profile_print_measure(const PeView *f) {
        unsigned count = uki_profile_count(f->data + f->sections_offset, f->n_sections);
        for (uint32_t p = 0; p == 0 || p < count; p++) {
                uint8_t pcr[MEASURE_DIGEST_SIZE];
                char hex[2 * MEASURE_DIGEST_SIZE + 1];
                if (!uki_pcr11_sha256_profile(f, p, pcr))
                        return error("--measure: cannot compute PCR 11 of profile %u", p), false;
                digest_hex(pcr, hex);
                if (p == 0)
                        printf("11:sha256=%s\n", hex);
                else
                        printf("11@%u:sha256=%s\n", p, hex);
        }
        return true;
}

int profile_pe_main(const ProfilePeInputs *in) {
        const uint16_t machine = arch_pe_machine(arch_or_host(in->efi_arch));
        if (!machine)
                return error("--efi-arch=%s: a profile PE is made for x64 or aa64", in->efi_arch);

        if (in->n_extra > 32)
                return error("--section: at most 32");
        _cleanup_section_list_ SectionList l = {};
        if (!section_list_add_arg(&l, ".osrel", in->osrel, false) ||
            !section_list_add_arg(&l, ".cmdline", in->cmdline, false) || !section_list_add_arg(&l, ".dtb", in->dtb, true))
                return 1;
        Blob last = section_list_last(&l);
        if (in->dtb && !dtb_check(&last, in->dtb))
                return 1;
        if (!dtb_sections_add(&l, in->dtbautos, in->n_dtbauto, in->hwids_dir))   /* after .dtb, as ukify 257 */
                return 1;
        if (in->uname && !section_list_add(&l, ".uname", in->uname, strlen(in->uname)))
                return 1;
        if (!section_list_add_arg(&l, ".splash", in->splash, true))
                return 1;
        for (size_t i = 0; i < in->n_extra; i++)
                if (!section_list_add_spec(&l, in->extra[i]))
                        return 1;
        _cleanup_blob_ Blob initrd = {}, out = {};
        /* concatenated, each 4-byte aligned, as build does */
        if (!initrds_concat(in->initrds, in->n_initrd, &initrd))
                return 1;
        if (in->n_initrd && !section_list_add(&l, ".initrd", initrd.data, initrd.size))
                return 1;
        if (!efifw_sections_add(&l, in->efifws, in->n_efifw))   /* after .initrd, before .ucode, as ukify 262 */
                return 1;
        if (!section_list_add_arg(&l, ".ucode", in->microcode, true))   /* after .initrd, as ukify 257 */
                return 1;
        if (!profile_pe_build(machine, in->profile, l.secs, l.n, &out) ||
            !write_output(in->output, out.data, out.size, in->sb_key, in->sb_cert))
                return 1;
        info("wrote %s: profile PE, %zu bytes%s (join it with --join-profile)", in->output, out.size,
             in->sb_key ? ", signed" : "");
        return 0;
}
