/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "secure-boot.h"

#define EFI_GLOBAL_VARIABLE_GUID \
        EFI_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c)

static bool read_bool_var(const char16_t *name) {
        static const EFI_GUID global = EFI_GLOBAL_VARIABLE_GUID;
        uint8_t v = 0;
        size_t size = sizeof(v);
        return RT->GetVariable(name, &global, NULL, &size, &v) == EFI_SUCCESS && size == 1 && v == 1;
}

bool secure_boot_enabled(void) {
        return read_bool_var(u"SecureBoot") && !read_bool_var(u"SetupMode");
}
