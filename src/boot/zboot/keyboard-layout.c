/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot step: the firmware's current keyboard layout for LoaderKeyboardLayout (sd-stub 262,
 * docs/stub.md, LoaderKeyboardLayout). edk2 has a current layout only once a keyboard driver that
 * registers one ran (its USB keyboard driver does; QEMU's PS/2 keyboard under OVMF gave none),
 * so absence is normal and only logged at debug level, as sd-stub does.
 */
#include "hii-keyboard.h"
#include "keyboard-layout.h"
#include "log.h"
#include "proto/hii-database.h"
#include "util.h"

char16_t *keyboard_layout_language(size_t *ret_size) {
        static const EFI_GUID hii_guid = EFI_HII_DATABASE_PROTOCOL_GUID;
        EFI_HII_DATABASE_PROTOCOL *hii = NULL;
        _cleanup_pool_ uint8_t *layout = NULL;
        char16_t *out = NULL;
        uint16_t len = 0;
        size_t off, units;

        if (BS->LocateProtocol(&hii_guid, NULL, (void **) &hii) != EFI_SUCCESS || !hii)
                return NULL;
        EFI_STATUS err = hii->GetKeyboardLayout(hii, NULL, &len, NULL);
        if (err != EFI_BUFFER_TOO_SMALL || len == 0) {
                log_debug("keyboard layout: none current (%s)", efi_status_str(err));
                return NULL;
        }
        if (BS->AllocatePool(EfiLoaderData, len, (void **) &layout) != EFI_SUCCESS)
                return NULL;
        err = hii->GetKeyboardLayout(hii, NULL, &len, layout);
        if (err != EFI_SUCCESS || !hii_keyboard_layout_language(layout, len, &off, &units)) {
                log_debug("keyboard layout: not readable (%s), not exported", efi_status_str(err));
                return NULL;
        }
        if (BS->AllocatePool(EfiLoaderData, (units + 1) * sizeof(char16_t), (void **) &out) != EFI_SUCCESS)
                return NULL;
        memcpy(out, layout + off, units * sizeof(char16_t));   /* the layout's tag need not be aligned */
        out[units] = 0;
        *ret_size = (units + 1) * sizeof(char16_t);
        return out;
}
