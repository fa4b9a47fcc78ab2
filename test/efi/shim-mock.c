/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in for shim before version 16, for the boot tests: started by the firmware as
 * \EFI\BOOT\BOOTX64.EFI (signed like any first stage), it installs the SHIM_LOCK protocol and
 * starts the next stage, \EFI\BOOT\grubx64.efi, through the firmware (LoadImage + StartImage),
 * as shim 15 does. Like shim 15 it hooks no boot service: whoever wants its verdict on an image
 * the firmware's db does not allow must ask it through the firmware's security protocols
 * (src/boot/zboot/shim.c; sd-stub 257 does the same).
 *
 * Its Verify accepts exactly the images that contain the bytes "shim-mock-accepts" (the test
 * puts them in an add-on's .cmdline) and reports every call on the console:
 *
 *   shim-mock: verify <size> bytes: accepted|refused
 */
#include "file-path.h"
#include "log.h"
#include "mock-driver.h"
#include "proto/loaded-image.h"
#include "proto/shim-lock.h"
#include "util.h"

static const char marker[] = "shim-mock-accepts";

static EFI_STATUS SHIMAPI mock_verify(const void *buffer, uint32_t size) {
        const uint8_t *p = buffer;
        size_t m = sizeof(marker) - 1;
        bool found = false;
        for (uint32_t i = 0; p && !found && size >= m && i <= size - m; i++)
                found = memcmp(p + i, marker, m) == 0;
        log_info("verify %u bytes: %s", size, found ? "accepted" : "refused");
        return found ? EFI_SUCCESS : EFI_SECURITY_VIOLATION;
}

static SHIM_LOCK_PROTOCOL mock = {
        .Verify = mock_verify,
};

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);
EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table) {
        static const EFI_GUID guid = SHIM_LOCK_GUID, li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
        static const char16_t next[] = u"\\EFI\\BOOT\\grubx64.efi";
        EFI_STATUS err = mock_driver_start(system_table, "shim-mock", &guid, &mock, NULL, NULL);
        if (err != EFI_SUCCESS)
                return err;
        EFI_LOADED_IMAGE_PROTOCOL *li;
        err = BS->HandleProtocol(image, &li_guid, (void **) &li);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "no loaded image protocol");
        _cleanup_pool_ EFI_DEVICE_PATH_PROTOCOL *dp = NULL;
        err = file_device_path(li->DeviceHandle, next, ELEMENTSOF(next), &dp);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot make the next stage's device path");
        return mock_start_image(image, dp, NULL, 0, "the next stage");
}
