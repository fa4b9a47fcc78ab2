/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A firmware whose ExitBootServices fails, for the boot tests: loaded as a boot service driver
 * from the UEFI Shell (`load`), it puts its own ExitBootServices into the boot services table
 * (CRC32 recomputed). The next three calls are refused with EFI_INVALID_PARAMETER (as for a
 * stale map key; our x86 hand-off tries three times), each reported on the console:
 *
 *   ebs-mock: ExitBootServices refused (1 of 3)
 *
 * and every later call goes to the firmware's own. Nothing is shut down, so the test can see
 * what the loader does after its last attempt failed: after the first call only memory
 * allocation services are allowed (UEFI 2.10, ExitBootServices()), so no line of the loader's
 * and no memory attribute protocol call (memattr-mock's lines) may follow before the Shell's
 * next command; the status must reach the Shell.
 */
#include "log.h"
#include "mock-driver.h"
#include "util.h"

#define REFUSE 3

/* a GUID of its own, so the driver keeps a handle like the other mocks */
#define EBS_MOCK_GUID { 0x6f1d4c2e, 0x93a7, 0x4b5e, { 0x8d, 0x21, 0x5a, 0xc3, 0x0e, 0x77, 0x14, 0xb9 } }

typedef EFI_STATUS (EFIAPI *EfiExitBootServices)(EFI_HANDLE image, size_t map_key);

static EfiExitBootServices firmware_ebs;
static unsigned refused;
static uint8_t marker;

static EFI_STATUS EFIAPI mock_ebs(EFI_HANDLE image, size_t map_key) {
        if (refused >= REFUSE)
                return firmware_ebs(image, map_key);
        refused++;
        log_info("ExitBootServices refused (%u of %u)", refused, REFUSE);
        return EFI_INVALID_PARAMETER;
}

static void set_ebs(EfiExitBootServices fn) {
        BS->ExitBootServices = fn;
        boot_services_crc_update();
}

static EFI_STATUS setup(void) {
        firmware_ebs = BS->ExitBootServices;
        set_ebs(mock_ebs);
        return EFI_SUCCESS;
}

static void undo(void) {
        set_ebs(firmware_ebs);
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);
EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table) {
        static const EFI_GUID guid = EBS_MOCK_GUID;
        (void) image;
        return mock_driver_start(system_table, "ebs-mock", &guid, &marker, setup, undo);
}
