/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "efivars.h"
#include "secure-boot.h"

static bool read_bool_var(const char16_t *name) {
        static const EFI_GUID global = EFI_GLOBAL_VARIABLE_GUID;
        uint8_t v = 0;
        return efivar_get_exact(&global, name, &v, sizeof(v)) && v == 1;
}

bool secure_boot_enabled(void) {
        return read_bool_var(u"SecureBoot") && !read_bool_var(u"SetupMode");
}
