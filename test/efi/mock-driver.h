/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What every stand-in protocol driver of the boot tests does at load (memattr-mock.c,
 * cc-mock.c): relocate itself, set the globals the shared EFI code uses, start the log with
 * the driver's name, run its own setup, install its protocol on a new handle and say
 * "<name>: installed". The shell library's efi-main.c (which has the globals too) is not linked.
 */
#include "efi.h"

/* setup (may be NULL) runs before the install; undo (may be NULL) frees what it allocated
 * when the install fails. Returns the driver's status for efi_main(). */
EFI_STATUS mock_driver_start(EFI_SYSTEM_TABLE *system_table, const char *name, const EFI_GUID *guid, void *interface,
                             EFI_STATUS (*setup)(void), void (*undo)(void));
/* The same, with the new handle in *ret_handle (for an application that must uninstall the
 * protocol again before it returns an error: httpboot-mock.c). */
EFI_STATUS mock_driver_start_handle(EFI_SYSTEM_TABLE *system_table, const char *name, const EFI_GUID *guid,
                                    void *interface, EFI_STATUS (*setup)(void), void (*undo)(void),
                                    EFI_HANDLE *ret_handle);

/* The next stage of a stand-in application (shim-mock.c, httpboot-mock.c): LoadImage(dp, and
 * the buffer when not NULL) through the firmware, say "starting <what>", StartImage; an image
 * refused or failed is unloaded, the error logged and returned. */
EFI_STATUS mock_start_image(EFI_HANDLE parent, EFI_DEVICE_PATH_PROTOCOL *dp, void *buffer, size_t size,
                            const char *what);
