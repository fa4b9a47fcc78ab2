/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PE entry point shared by our binaries: keep the firmware tables in globals, start the
 * console log, run the binary's job and hand its status back to whoever started us (the
 * firmware boot manager or sd-boot), which then goes on to its next option.
 */
#include "bench.h"
#include "efi-main.h"
#include "log.h"
#include "self-reloc.h"
#include "random.h"
#include "stack-protector.h"

EFI_SYSTEM_TABLE *ST;
EFI_BOOT_SERVICES *BS;
EFI_RUNTIME_SERVICES *RT;

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);

/* The start every binary's run() shares: the entry time for the logs and bench/, our loaded
 * image. */
static EFI_STATUS start(EFI_HANDLE image) {
        static const EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
        EFI_LOADED_IMAGE_PROTOCOL *li;

        uint64_t t0 = cpu_ticks();
        bench_begin(t0);
        EFI_STATUS err = BS->HandleProtocol(image, &loaded_image_guid, (void **) &li);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot get our loaded image protocol");
        return run(image, li, t0);
}

/* Not protected by the stack protector: the canary changes while this frame is live. */
__attribute__((no_stack_protector)) EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table) {
        /* First: until this ran, every pointer stored in data holds its link-time value. */
        if (!efi_self_relocate())
                return EFI_LOAD_ERROR;
        ST = system_table;
        BS = system_table->BootServices;
        RT = system_table->RuntimeServices;
        /* Second: the canary, before any protected function starts that will return. */
        stack_protector_init(image);   /* its sources are logged with the kernel start */
        log_init(program_name);

        EFI_STATUS err = start(image);
        if (EFI_ERROR(err))
                log_notice("returning to the boot manager");   /* after an error: printed under quiet too */
        return err;
}
