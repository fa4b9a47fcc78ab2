/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"
#include "dtb-sections.h"
#include "inputs.h"
#include "kernel.h"
#include "pe.h"
#include "uki-addon.h"
#include "util.h"
#include "sbat.h"
#include "sign.h"
#include "uki-assemble.h"

#define ADDON_SBAT_DEFAULT \
        "uki-addon,1,UKI Addon,addon,1,https://www.freedesktop.org/software/systemd/man/latest/systemd-stub.html\n"
#define MAX_SECS 48

int addon_main(const AddonArgs *a) {
        if (a->n_extra > MAX_SECS)
                return error("--section: at most %d", MAX_SECS);
        Arch ar = arch_or_host(a->efi_arch);
        uint16_t machine = arch_pe_machine(ar);
        const char *arch = arch_efi_suffix(ar);
        if (!machine)
                return error("--efi-arch=%s: an add-on is made for x64 or aa64", a->efi_arch);

        /* ukify 257's order: .osrel .cmdline .dtb .dtbauto .hwids .uname .initrd .ucode, the --section ones */
        _cleanup_section_list_ SectionList l = {};
        if (!section_list_add_arg(&l, ".osrel", a->osrel, false) || !section_list_add_arg(&l, ".cmdline", a->cmdline, false) ||
            !section_list_add_arg(&l, ".dtb", a->dtb, true))
                return 1;
        Blob last = section_list_last(&l);
        if (a->dtb && !dtb_check(&last, a->dtb))
                return 1;
        if (!dtb_sections_add(&l, a->dtbautos, a->n_dtbauto, a->hwids_dir))
                return 1;
        if (a->uname && !section_list_add(&l, ".uname", a->uname, strlen(a->uname)))
                return 1;
        if (a->n_initrd) {
                _cleanup_blob_ Blob initrd = {};
                if (!initrds_concat(a->initrds, a->n_initrd, &initrd) || !section_list_add_blob(&l, ".initrd", &initrd))
                        return 1;
        }
        if (!section_list_add_arg(&l, ".ucode", a->microcode, true))
                return 1;
        for (size_t i = 0; i < a->n_extra; i++)
                if (!section_list_add_spec(&l, a->extra[i]))
                        return 1;

        /* .sbat: the user's entries, else ukify's add-on default (no stub or kernel entries:
         * ukify merges none for an add-on either) */
        _cleanup_sbat_ SbatList sl = {};
        for (size_t i = 0; i < a->n_sbat; i++)
                if (!sbat_add_text(&sl, a->sbats[i]))
                        return 1;
        if (a->n_sbat == 0 && !sbat_add_text(&sl, ADDON_SBAT_DEFAULT))
                return 1;
        size_t sbat_size = 0;
        _cleanup_free_ char *sbat_text = sbat_format(&sl, &sbat_size);
        if (!sbat_text)
                return 1;

        _cleanup_blob_ Blob stub = {}, out = {};
        if (a->stub && !read_file(a->stub, &stub))
                return 1;
        if (!addon_assemble(a->stub ? &stub : NULL, a->stub, machine, arch, &l, sbat_text, sbat_size, &out))
                return 1;
        if (!write_output(a->output, out.data, out.size, a->sb_key, a->sb_cert))
                return 1;
        info("wrote %s: PE add-on, %zu bytes (%s)%s", a->output, out.size, arch, a->sb_key ? ", signed" : "");
        return 0;
}

void addon_inspect(const PeView *f, bool json) {
        static const char *const used[] = { ".cmdline", ".dtb", ".dtbauto", ".initrd", ".ucode" };
        bool any = false;
        for (size_t i = 0; i < sizeof(used) / sizeof(*used); i++)
                any |= uki_addon_section(f, used[i]) >= 0;
        if (!any)
                return;
        printf(json ? ", \"addon\": {\"sections\": [" : "UKI add-on (no .linux), sections the stub takes:");
        bool first = true;
        for (size_t i = 0; i < sizeof(used) / sizeof(*used); i++)
                if (uki_addon_section(f, used[i]) >= 0) {
                        printf(json ? "%s\"%s\"" : "%s%s", json ? (first ? "" : ", ") : " ", used[i]);
                        first = false;
                }
        printf(json ? "]}" : "\n");
}
