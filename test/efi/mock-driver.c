/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "mock-driver.h"
#include "self-reloc.h"

EFI_SYSTEM_TABLE *ST;
EFI_BOOT_SERVICES *BS;

EFI_STATUS mock_driver_start_handle(EFI_SYSTEM_TABLE *system_table, const char *name, const EFI_GUID *guid,
                                    void *interface, EFI_STATUS (*setup)(void), void (*undo)(void),
                                    EFI_HANDLE *ret_handle) {
        EFI_HANDLE handle = NULL;
        /* first: the protocol tables hold our function pointers */
        if (!efi_self_relocate())
                return EFI_LOAD_ERROR;
        ST = system_table;
        BS = system_table->BootServices;
        log_init(name);
        if (setup) {
                EFI_STATUS err = setup();
                if (err != EFI_SUCCESS)
                        return err;
        }
        EFI_STATUS err = BS->InstallProtocolInterface(&handle, guid, EFI_NATIVE_INTERFACE, interface);
        if (err != EFI_SUCCESS) {
                if (undo)
                        undo();
                return log_error_status(err, "cannot install the protocol");
        }
        log_info("installed");
        if (ret_handle)
                *ret_handle = handle;
        return EFI_SUCCESS;
}

EFI_STATUS mock_driver_start(EFI_SYSTEM_TABLE *system_table, const char *name, const EFI_GUID *guid, void *interface,
                             EFI_STATUS (*setup)(void), void (*undo)(void)) {
        return mock_driver_start_handle(system_table, name, guid, interface, setup, undo, NULL);
}

EFI_STATUS mock_start_image(EFI_HANDLE parent, EFI_DEVICE_PATH_PROTOCOL *dp, void *buffer, size_t size,
                            const char *what) {
        EFI_HANDLE h = NULL;
        EFI_STATUS err = BS->LoadImage(false, parent, dp, buffer, size, &h);
        if (err != EFI_SUCCESS) {
                if (h)   /* a refused image still has a handle (UEFI spec) */
                        (void) BS->UnloadImage(h);
                return log_error_status(err, "cannot load %s", what);
        }
        log_info("starting %s", what);
        err = BS->StartImage(h, NULL, NULL);
        if (err != EFI_SUCCESS) {
                (void) BS->UnloadImage(h);
                return log_error_status(err, "%s failed", what);
        }
        return EFI_SUCCESS;
}
