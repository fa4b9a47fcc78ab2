/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "efivars.h"
#include "log.h"
#include "util.h"

bool efivar_get_exact(const EFI_GUID *vendor, const char16_t *name, void *buf, size_t size) {
        size_t n = size;
        return RT->GetVariable(name, vendor, NULL, &n, buf) == EFI_SUCCESS && n == size;
}

EFI_STATUS efivar_get_pool(const EFI_GUID *vendor, const char16_t *name, size_t max, void **ret, size_t *ret_size) {
        size_t size = 0;
        void *buf = NULL;
        *ret = NULL;
        *ret_size = 0;
        EFI_STATUS err = RT->GetVariable(name, vendor, NULL, &size, NULL);
        if (err == EFI_SUCCESS)   /* an empty variable */
                return EFI_BAD_BUFFER_SIZE;
        if (err != EFI_BUFFER_TOO_SMALL)
                return err;
        if (size == 0 || size > max)
                return EFI_BAD_BUFFER_SIZE;
        err = BS->AllocatePool(EfiLoaderData, size, &buf);
        if (err != EFI_SUCCESS)
                return err;
        size_t n = size;
        err = RT->GetVariable(name, vendor, NULL, &n, buf);
        if (err != EFI_SUCCESS || n != size) {   /* changed in between: take neither value */
                BS->FreePool(buf);
                return err != EFI_SUCCESS ? err : EFI_BAD_BUFFER_SIZE;
        }
        *ret = buf;
        *ret_size = size;
        return EFI_SUCCESS;
}

bool efivar_exists(const EFI_GUID *vendor, const char16_t *name) {
        uint8_t buf[1];
        size_t size = 0;
        EFI_STATUS err = RT->GetVariable(name, vendor, NULL, &size, buf);
        return err == EFI_SUCCESS || err == EFI_BUFFER_TOO_SMALL;
}

bool efivar_set_volatile(const EFI_GUID *vendor, const char16_t *name, const void *data, size_t size) {
        EFI_STATUS err = RT->SetVariable(name, vendor, EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS,
                                         size, data);
        if (err != EFI_SUCCESS) {
                char ascii[64];   /* variable names we set are short ASCII */
                utf16_to_log_ascii(name, ascii, sizeof(ascii));
                log_error_status(err, "cannot set variable %s", ascii);
                return false;
        }
        return true;
}
