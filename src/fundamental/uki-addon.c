/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "pe.h"
#include "uki-addon.h"

static const char *const names[_UKI_ADDON_MAX] = {
        [UKI_ADDON_CMDLINE] = ".cmdline", [UKI_ADDON_DTB] = ".dtb",     [UKI_ADDON_DTBAUTO] = ".dtbauto",
        [UKI_ADDON_INITRD] = ".initrd",   [UKI_ADDON_UCODE] = ".ucode", [UKI_ADDON_UNAME] = ".uname",
        [UKI_ADDON_LINUX] = ".linux",
};

/* strncmp(a, b, n) == 0 with a of a_len bytes (a ends at a_len as if a NUL followed). */
static bool prefix_equal(const char *a, size_t a_len, const uint8_t *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                uint8_t ca = i < a_len ? (uint8_t) a[i] : 0;
                if (ca != b[i])
                        return false;
                if (ca == 0)
                        return true;
        }
        return true;
}

int uki_addon_section(const PeView *v, const char *name) {
        int i = pe_find_section(v, name);
        return i >= 0 && pe_section(v, (size_t) i).VirtualSize > 0 ? i : -1;
}

UkiAddonResult uki_addon_parse(const PeView *v, const char *uki_uname, size_t uname_len, UkiAddon *ret) {
        *ret = (UkiAddon) {};
        if (!v || v->layout != PE_LAYOUT_MEMORY)
                return UKI_ADDON_BAD_PE;
        for (size_t k = 0; k < _UKI_ADDON_MAX; k++) {
                int i = uki_addon_section(v, names[k]);
                if (i < 0)
                        continue;
                if (!pe_section_get(v, i, &ret->data[k], &ret->size[k]))
                        return UKI_ADDON_BAD_PE;
        }
        if (!ret->data[UKI_ADDON_CMDLINE] && !ret->data[UKI_ADDON_DTB] && !ret->data[UKI_ADDON_DTBAUTO] &&
            !ret->data[UKI_ADDON_INITRD] && !ret->data[UKI_ADDON_UCODE])
                return UKI_ADDON_EMPTY;
        if (ret->data[UKI_ADDON_LINUX])
                return UKI_ADDON_IS_UKI;
        if (uki_uname && ret->data[UKI_ADDON_UNAME] &&
            !prefix_equal(uki_uname, uname_len, ret->data[UKI_ADDON_UNAME], ret->size[UKI_ADDON_UNAME]))
                return UKI_ADDON_UNAME_MISMATCH;
        return UKI_ADDON_OK;
}

const char *uki_addon_strerror(UkiAddonResult r) {
        switch (r) {
        case UKI_ADDON_OK: return "ok";
        case UKI_ADDON_BAD_PE: return "not a PE image with sections inside the loaded image";
        case UKI_ADDON_EMPTY: return "no .cmdline, .dtb, .dtbauto, .initrd or .ucode section";
        case UKI_ADDON_IS_UKI: return "it has a .linux section: a UKI, not an add-on";
        case UKI_ADDON_UNAME_MISMATCH: return "its .uname does not match the UKI's";
        }
        return "unknown";
}
