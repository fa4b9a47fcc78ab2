/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dtb-sections.h"
#include "hwids.h"
#include "inputs.h"

bool dtb_sections_add(SectionList *l, const char *const *dtbautos, size_t n_dtbauto, const char *hwids_dir) {
        for (size_t i = 0; i < n_dtbauto; i++) {
                if (!section_list_add_arg(l, ".dtbauto", dtbautos[i], true))
                        return false;
                Blob last = section_list_last(l);
                if (!dtb_check(&last, dtbautos[i]))
                        return false;
        }
        if (hwids_dir) {
                _cleanup_blob_ Blob h = {};
                if (!hwids_pack_dir(hwids_dir, &h) || !section_list_add_blob(l, ".hwids", &h))
                        return false;
        }
        return true;
}
