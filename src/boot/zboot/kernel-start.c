/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench.h"
#include "kernel-start.h"
#include "log.h"
#include "proto/linux-fixed-placement.h"
#include "proto/loaded-image.h"
#include "random.h"
#include "stack-protector.h"
#include "util.h"

typedef EFI_STATUS (EFIAPI *EfiEntry)(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
typedef EFI_STATUS (EFIAPI *EfiExit)(EFI_HANDLE image, EFI_STATUS status, size_t data_size, char16_t *data);
typedef EFI_STATUS (EFIAPI *EfiExitBootServices)(EFI_HANDLE image, size_t map_key);

/*
 * The kernel's Exit. A kernel's EFI stub that fails either returns its status (arm64, riscv) or,
 * on x86, calls BS->Exit(its own handle, status) and halts the CPU if Exit returns (efi_exit()
 * in drivers/firmware/efi/libstub/x86-stub.c, every failure of efi_main(), e.g. an initrd= file
 * that cannot be read). Exit only works for a handle that LoadImage made: edk2 takes the loaded
 * image protocol on the handle as a field of its private image record and reads that record;
 * ours is a bare pool copy, so Exit fails and the machine would hang until the boot manager's
 * watchdog fires, with nothing of ours cleaned up. So while the entry point runs, BS->Exit is
 * ours: for the kernel's handle it keeps the status and jumps back into kernel_start() as if
 * the entry point had returned (kernel_jump_back(), kernel-start-jump.S); for any other handle
 * it calls the firmware's Exit.
 *
 * The stub may fail after it called ExitBootServices (x86: "exit_boot() failed!", then Exit;
 * arm64: it returns). From that call on only memory services are allowed (efi.h), so
 * ExitBootServices is ours too while the entry point runs: it sets efi_boot_services_gone and
 * calls the firmware's. Both pointers go back before kernel_start() returns, with the table's
 * CRC32 as it was: no firmware call to compute it (we set the CRC32 with CalculateCrc32 when
 * hooking, as for any change to the table).
 */
typedef struct {
        uint64_t regs[22];   /* kernel-start-jump.S: callee-saved registers, stack pointer, return address */
} KernelJump;

/* Returns 0, and 1 when kernel_jump_back() comes back to it (kernel-start-jump.S). */
__attribute__((returns_twice)) int kernel_jump_save(KernelJump *j);
_Noreturn void kernel_jump_back(const KernelJump *j);

static struct {
        EFI_HANDLE handle;        /* the kernel's; NULL when nothing is hooked */
        EFI_STATUS status;        /* what it gave Exit */
        EfiExit firmware_exit;
        EfiExitBootServices firmware_ebs;
        uint32_t firmware_crc;    /* the table's CRC32 before we changed it */
        KernelJump jump;
} kernel_exit;

static EFI_STATUS EFIAPI kernel_exit_hook(EFI_HANDLE image, EFI_STATUS status, size_t data_size, char16_t *data) {
        if (image != kernel_exit.handle)
                return kernel_exit.firmware_exit(image, status, data_size, data);
        /* ExitData stays the caller's (edk2's Exit copies it and frees nothing): Linux passes none. */
        (void) data_size, (void) data;
        kernel_exit.status = status;
        kernel_jump_back(&kernel_exit.jump);
}

static EFI_STATUS EFIAPI kernel_ebs_hook(EFI_HANDLE image, size_t map_key) {
        efi_boot_services_gone = true;   /* from the first call on, even if it fails (efi.h) */
        return kernel_exit.firmware_ebs(image, map_key);
}

static void kernel_start_hook(EFI_HANDLE handle) {
        kernel_exit.handle = handle;
        kernel_exit.firmware_exit = BS->Exit;
        kernel_exit.firmware_ebs = BS->ExitBootServices;
        kernel_exit.firmware_crc = BS->Hdr.CRC32;
        BS->Exit = kernel_exit_hook;
        BS->ExitBootServices = kernel_ebs_hook;
        boot_services_crc_update();
        stack_protector_undo_set(STACK_UNDO_KERNEL_EXIT, kernel_start_unhook);
}

void kernel_start_unhook(void) {
        if (!kernel_exit.handle)
                return;
        BS->Exit = kernel_exit.firmware_exit;
        BS->ExitBootServices = kernel_exit.firmware_ebs;
        BS->Hdr.CRC32 = kernel_exit.firmware_crc;   /* the table is as it was: so is its CRC32 */
        kernel_exit.handle = NULL;
        stack_protector_undo_set(STACK_UNDO_KERNEL_EXIT, NULL);
}

EFI_STATUS kernel_start(EFI_HANDLE parent, const LoadedKernel *k, const void *options, uint32_t options_size,
                        bool *ret_keep) {
        static const EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
        static const EFI_GUID fixed_guid = LINUX_EFI_LOADED_IMAGE_FIXED_GUID;
        EFI_LOADED_IMAGE_PROTOCOL *parent_image;
        EFI_STATUS err;

        *ret_keep = false;
        err = BS->HandleProtocol(parent, &loaded_image_guid, (void **) &parent_image);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot get our own loaded image protocol");

        EFI_LOADED_IMAGE_PROTOCOL *li;
        err = BS->AllocatePool(EfiLoaderData, sizeof(*li), (void **) &li);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate loaded image protocol");
        *li = (EFI_LOADED_IMAGE_PROTOCOL) {
                .Revision = 0x1000,
                .ParentHandle = parent,
                .SystemTable = ST,
                .DeviceHandle = parent_image->DeviceHandle,
                .FilePath = parent_image->FilePath,
                .LoadOptionsSize = options ? options_size : 0,
                .LoadOptions = (void *) options,
                .ImageBase = (void *) (uintptr_t) k->base,
                .ImageSize = k->size,
                .ImageCodeType = EfiLoaderCode,
                .ImageDataType = EfiLoaderData,
        };

        /* The fixed-placement GUID goes on the same handle in the same call (its interface is
         * NULL); without it the list simply ends after the loaded image protocol. */
        EFI_HANDLE handle = NULL;
        const EFI_GUID *fixed = !k->x86 && k->arch.pe.placement_fixed ? &fixed_guid : NULL;
        err = BS->InstallMultipleProtocolInterfaces(&handle, &loaded_image_guid, li, fixed, NULL, NULL);
        if (err != EFI_SUCCESS) {
                BS->FreePool(li);
                return log_error_status(err, "cannot install loaded image protocol for the kernel");
        }

        EfiEntry entry = (EfiEntry) (uintptr_t) (k->base + k->entry_rva);
        bench_phase(BENCH_OTHER);
        bench_report();
        bool exited = false;
        if (kernel_jump_save(&kernel_exit.jump) == 0) {
                kernel_start_hook(handle);
                err = entry(handle, ST);
        } else {   /* the kernel's stub called Exit on its handle */
                err = kernel_exit.status;
                exited = true;
        }
        kernel_start_unhook();
        if (!EFI_ERROR(err))
                err = EFI_LOAD_ERROR;

        /* The kernel's stub failed. If it had called ExitBootServices, only memory services
         * from here (efi.h): the protocol stays installed, its memory with it (and the kernel's
         * pages and the options it points at: *ret_keep), and the log is silent. */
        if (efi_boot_services_gone) {
                *ret_keep = true;
                return err;
        }
        EFI_STATUS err2 = BS->UninstallMultipleProtocolInterfaces(handle, &loaded_image_guid, li, fixed, NULL, NULL);
        if (err2 == EFI_SUCCESS)
                BS->FreePool(li);
        else { /* still installed: keep the memory valid rather than leave a dangling protocol */
                *ret_keep = true;
                log_error_status(err2, "cannot uninstall the kernel's loaded image protocol, keeping its memory");
        }
        return log_error_status(err, exited ? "the kernel's EFI stub exited" : "the kernel returned");
}

void log_kernel_starting(const LoadedKernel *k, uint64_t t0) {
        uint64_t hz = cpu_ticks_per_sec();
        log_info("starting kernel at 0x%lx, %lu ms after entry (stack protector canary from %s)", k->base,
                 hz ? (cpu_ticks() - t0) * 1000 / hz : 0, random_sources_str(stack_protector_sources()));
}
