/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "mock-driver.h"
#include "self-reloc.h"

EFI_SYSTEM_TABLE *ST;
EFI_BOOT_SERVICES *BS;

EFI_STATUS mock_driver_start(EFI_SYSTEM_TABLE *system_table, const char *name, const EFI_GUID *guid, void *interface,
                             EFI_STATUS (*setup)(void), void (*undo)(void)) {
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
        return EFI_SUCCESS;
}
