/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"
#include "inputs.h"
#include "pe.h"
#include "util.h"
#include "sbat.h"
#include "sign.h"

#define ADDON_SBAT_DEFAULT \
        "uki-addon,1,UKI Addon,addon,1,https://www.freedesktop.org/software/systemd/man/latest/systemd-stub.html\n"
#define MAX_SECS 48

/* A PE32+ header page with no section, no code and no entry point (the firmware loads an
 * add-on to check its signature and the stub reads its sections; nothing runs it): EFI
 * application, NX_COMPAT, 4 KiB SectionAlignment, no base relocations needed (nothing to
 * relocate), so the strict-NX firmware builds load it. */
static void empty_pe(uint16_t machine, uint8_t hdr[0x1000]) {
        memset(hdr, 0, 0x1000);
        DosHeader dos = { .e_magic = DOS_MAGIC, .e_lfanew = 0x40 };
        PeHeader64 pe = {
                .Signature = PE_MAGIC,
                .FileHeader = { .Machine = machine, .SizeOfOptionalHeader = sizeof(PeOptionalHeader64),
                                .Characteristics = 0x0002 | 0x0020 /* executable image, large address aware */ },
                .OptionalHeader = { .Magic = PE_OPT_MAGIC_PE32PLUS, .SectionAlignment = 0x1000, .FileAlignment = 0x200,
                                    .MajorSubsystemVersion = 1, .SizeOfImage = 0x1000, .SizeOfHeaders = 0x1000,
                                    .Subsystem = 10 /* EFI application */,
                                    .DllCharacteristics = 0x0100 | 0x0040 /* NX_COMPAT, DYNAMIC_BASE */,
                                    .NumberOfRvaAndSizes = PE_DIR_COUNT },
        };
        memcpy(hdr, &dos, sizeof(dos));
        memcpy(hdr + 0x40, &pe, sizeof(pe));
}

int addon_main(const AddonArgs *a) {
        Blob texts[8 + MAX_SECS] = {}, stub = {}, stub_sbat = {}, out = {};
        PeNewSection secs[MAX_SECS + 8];
        char names[MAX_SECS][PE_SECTION_NAME_LEN + 1];
        uint8_t hdr[0x1000];
        SbatList sl = {};
        char *sbat_text = NULL;
        size_t n = 0, nt = 0, sbat_size = 0;
        int ret = 1;

        if (a->n_extra > MAX_SECS)
                return error("--section: at most %d", MAX_SECS);
        uint16_t machine;
        const char *arch = a->efi_arch;
        if (!arch)
#if defined(__aarch64__)
                arch = "aa64";
#else
                arch = "x64";
#endif
        if (strcmp(arch, "x64") == 0)
                machine = 0x8664;
        else if (strcmp(arch, "aa64") == 0)
                machine = 0xaa64;
        else
                return error("--efi-arch=%s: an add-on is made for x64 or aa64", arch);

#define TEXT(arg, secname) do { \
                if (!section_add(arg, secname, false, texts, &nt, secs, &n)) goto out; \
        } while (0)
#define FILESEC(path, secname) do { \
                if (!section_add(path, secname, true, texts, &nt, secs, &n)) goto out; \
        } while (0)
        TEXT(a->osrel, ".osrel");
        TEXT(a->cmdline, ".cmdline");
        FILESEC(a->dtb, ".dtb");
        if (a->dtb && !dtb_check(&texts[nt - 1], a->dtb))
                goto out;
        if (a->uname)
                secs[n++] = (PeNewSection) { ".uname", a->uname, strlen(a->uname), 0, false };
        if (a->n_initrd) {
                if (!initrds_concat(a->initrds, a->n_initrd, &texts[nt]))
                        goto out;
                secs[n++] = (PeNewSection) { ".initrd", texts[nt].data, texts[nt].size, 0, false };
                nt++;
        }
        FILESEC(a->microcode, ".ucode");
        for (size_t i = 0; i < a->n_extra; i++) {
                size_t l = (size_t) (strchr(a->extra[i], ':') - a->extra[i]);
                memcpy(names[i], a->extra[i], l);
                names[i][l] = '\0';
                TEXT(a->extra[i] + l + 1, names[i]);
        }
#undef TEXT
#undef FILESEC

        /* .sbat: the user's entries, else ukify's add-on default (no stub or kernel entries:
         * ukify merges none for an add-on either) */
        for (size_t i = 0; i < a->n_sbat; i++)
                if (!sbat_add_text(&sl, a->sbats[i]))
                        goto out;
        if (a->n_sbat == 0 && !sbat_add_text(&sl, ADDON_SBAT_DEFAULT))
                goto out;
        if (!(sbat_text = sbat_format(&sl, &sbat_size)))
                goto out;

        PeFile sf;
        PeResult r;
        if (a->stub) {
                if (!read_file(a->stub, &stub))
                        goto out;
                r = pe_parse(stub.data, stub.size, &sf);
                if (r != PE_OK) {
                        error("%s: %s", a->stub, pe_strerror(r));
                        goto out;
                }
                int sr = sbat_replace(&stub, a->stub, sbat_text, sbat_size, &stub_sbat);
                if (sr < 0)
                        goto out;
                if (sr > 0 && (r = pe_parse(stub_sbat.data, stub_sbat.size, &sf)) != PE_OK) {
                        error("%s: internal error after replacing .sbat: %s", a->stub, pe_strerror(r));
                        goto out;
                }
                if (sr == 0)
                        secs[n++] = (PeNewSection) { ".sbat", sbat_text, sbat_size, 0, false };
                for (size_t i = 0; i < n; i++)
                        if (pe_find_section(&sf, secs[i].name) >= 0) {
                                error("%s: the stub already has a %s section", a->stub, secs[i].name);
                                goto out;
                        }
        } else {
                empty_pe(machine, hdr);
                if ((r = pe_parse(hdr, sizeof(hdr), &sf)) != PE_OK) {
                        error("cannot make the add-on: %s", pe_strerror(r));
                        goto out;
                }
                secs[n++] = (PeNewSection) { ".sbat", sbat_text, sbat_size, 0, false };
        }
        if (sf.file.Machine != machine) {
                error("%s: machine 0x%04x, but --efi-arch=%s", a->stub, sf.file.Machine, arch);
                goto out;
        }

        size_t total;
        r = pe_append_size(&sf, secs, n, &total);
        if (r == PE_OK) {
                out.data = malloc(total);
                r = out.data ? pe_append_sections(&sf, secs, n, out.data, total, &out.size) : PE_BUFFER_TOO_SMALL;
        }
        if (r != PE_OK) {
                error("cannot make the add-on: %s", pe_strerror(r));
                goto out;
        }
        if (!write_output(a->output, out.data, out.size, a->sb_key, a->sb_cert))
                goto out;
        info("wrote %s: PE add-on, %zu bytes (%s)%s", a->output, out.size, arch, a->sb_key ? ", signed" : "");
        ret = 0;
out:
        for (size_t i = 0; i < nt; i++)
                blob_free(&texts[i]);
        blob_free(&stub);
        blob_free(&stub_sbat);
        blob_free(&out);
        sbat_free(&sl);
        free(sbat_text);
        return ret;
}

void addon_inspect(const PeFile *f, bool json) {
        static const char *const used[] = { ".cmdline", ".dtb", ".dtbauto", ".initrd", ".ucode" };
        bool any = false;
        for (size_t i = 0; i < sizeof(used) / sizeof(*used); i++)
                any |= pe_find_section(f, used[i]) >= 0;
        if (!any)
                return;
        printf(json ? ", \"addon\": {\"sections\": [" : "UKI add-on (no .linux), sections the stub takes:");
        bool first = true;
        for (size_t i = 0; i < sizeof(used) / sizeof(*used); i++)
                if (pe_find_section(f, used[i]) >= 0) {
                        printf(json ? "%s\"%s\"" : "%s%s", json ? (first ? "" : ", ") : " ", used[i]);
                        first = false;
                }
        printf(json ? "]}" : "\n");
}
