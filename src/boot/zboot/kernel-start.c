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

EFI_STATUS kernel_start(EFI_HANDLE parent, const LoadedKernel *k, const void *options, uint32_t options_size) {
        static const EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
        static const EFI_GUID fixed_guid = LINUX_EFI_LOADED_IMAGE_FIXED_GUID;
        EFI_LOADED_IMAGE_PROTOCOL *parent_image;
        EFI_STATUS err;

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
        err = entry(handle, ST);

        /* Only reached if the kernel's stub failed before ExitBootServices. */
        EFI_STATUS err2 = BS->UninstallMultipleProtocolInterfaces(handle, &loaded_image_guid, li, fixed, NULL, NULL);
        if (err2 == EFI_SUCCESS)
                BS->FreePool(li);
        else /* still installed: keep the memory valid rather than leave a dangling protocol */
                log_error_status(err2, "cannot uninstall the kernel's loaded image protocol");
        return log_error_status(EFI_ERROR(err) ? err : EFI_LOAD_ERROR, "the kernel returned");
}

void log_kernel_starting(const LoadedKernel *k, uint64_t t0) {
        uint64_t hz = cpu_ticks_per_sec();
        log_info("starting kernel at 0x%lx, %lu ms after entry (stack protector canary from %s)", k->base,
                 hz ? (cpu_ticks() - t0) * 1000 / hz : 0, random_sources_str(stack_protector_sources()));
}
