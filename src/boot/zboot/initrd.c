/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Linux initrd handover (LINUX_EFI_INITRD_MEDIA_GUID): the kernel's EFI stub locates the
 * device path below with LocateDevicePath() and calls LoadFile() on the LoadFile2 protocol
 * of that handle, first with a NULL buffer to learn the size. One initrd handle at a time may
 * exist: when a boot manager has registered one, we stand in for its LoadFile2 interface on
 * its handle (ReinstallProtocolInterface) and put it back if the kernel returns, so the
 * kernel only ever sees the initrd we decided on (stub-main.c says which).
 */
#include "bench.h"
#include "initrd.h"
#include "log.h"
#include "proto/load-file.h"
#include "stack-protector.h"
#include "util.h"

#define LINUX_INITRD_MEDIA_GUID \
        EFI_GUID_INIT(0x5568e427, 0x68fc, 0x4f3d, 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68)

typedef struct {
        VENDOR_DEVICE_PATH vendor;
        EFI_DEVICE_PATH_PROTOCOL end;
} __attribute__((packed)) InitrdDevicePath;

static const InitrdDevicePath initrd_device_path = {
        .vendor = {
                .Header = { MEDIA_DEVICE_PATH, MEDIA_VENDOR_DP, sizeof(VENDOR_DEVICE_PATH) },
                .Guid = LINUX_INITRD_MEDIA_GUID,
        },
        .end = { END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, sizeof(EFI_DEVICE_PATH_PROTOCOL) },
};

static const EFI_GUID device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static const EFI_GUID load_file2_guid = EFI_LOAD_FILE2_PROTOCOL_GUID;

struct InitrdLoader {
        EFI_LOAD_FILE2_PROTOCOL load_file; /* first: the protocol pointer is our object */
        EFI_HANDLE handle;
        EFI_LOAD_FILE2_PROTOCOL *displaced; /* the boot manager's interface on handle, or NULL */
        const void *data;
        size_t size;
};

static EFI_STATUS EFIAPI initrd_load_file(EFI_LOAD_FILE2_PROTOCOL *this, EFI_DEVICE_PATH_PROTOCOL *file_path,
                                          bool boot_policy, size_t *buffer_size, void *buffer) {
        InitrdLoader *l = (InitrdLoader *) this;
        (void) file_path;

        if (!this || !buffer_size)
                return EFI_INVALID_PARAMETER;
        if (boot_policy) /* LoadFile2 never does boot-policy loads */
                return EFI_UNSUPPORTED;
        if (!buffer || *buffer_size < l->size) {
                *buffer_size = l->size;
                return EFI_BUFFER_TOO_SMALL;
        }
        memcpy(buffer, l->data, l->size);
        *buffer_size = l->size;
        return EFI_SUCCESS;
}

/* The handle and LoadFile2 interface registered on exactly the initrd media path. */
static EFI_STATUS locate_registered(EFI_HANDLE *ret_handle, EFI_LOAD_FILE2_PROTOCOL **ret_lf) {
        EFI_DEVICE_PATH_PROTOCOL *dp = (EFI_DEVICE_PATH_PROTOCOL *) &initrd_device_path;
        EFI_STATUS err;

        err = BS->LocateDevicePath(&load_file2_guid, &dp, ret_handle);
        if (err != EFI_SUCCESS)
                return err;
        if (dp->Type != END_DEVICE_PATH_TYPE) /* only a prefix matched */
                return EFI_NOT_FOUND;
        return BS->HandleProtocol(*ret_handle, &load_file2_guid, (void **) ret_lf);
}

bool initrd_is_registered(void) {
        EFI_LOAD_FILE2_PROTOCOL *lf;
        EFI_HANDLE h;
        return locate_registered(&h, &lf) == EFI_SUCCESS;
}

EFI_STATUS initrd_registered_size(size_t *ret_size) {
        EFI_LOAD_FILE2_PROTOCOL *lf;
        EFI_HANDLE h;
        EFI_STATUS err;

        err = locate_registered(&h, &lf);
        if (err != EFI_SUCCESS)
                return err;
        size_t size = 0;
        err = lf->LoadFile(lf, (EFI_DEVICE_PATH_PROTOCOL *) &initrd_device_path, false, &size, NULL);
        if (err != EFI_BUFFER_TOO_SMALL)
                return err == EFI_SUCCESS ? EFI_LOAD_ERROR : err;
        *ret_size = size;
        return EFI_SUCCESS;
}

EFI_STATUS initrd_registered_read(void *buf, size_t size) {
        EFI_LOAD_FILE2_PROTOCOL *lf;
        EFI_HANDLE h;
        EFI_STATUS err;

        err = locate_registered(&h, &lf);
        if (err != EFI_SUCCESS)
                return err;
        size_t got = size;
        err = lf->LoadFile(lf, (EFI_DEVICE_PATH_PROTOCOL *) &initrd_device_path, false, &got, buf);
        if (err != EFI_SUCCESS)
                return err;
        if (got != size)   /* the file changed size between the two calls */
                return EFI_LOAD_ERROR;
        bench_copied(size);   /* LoadFile2 copied the boot manager's initrd into our buffer */
        return EFI_SUCCESS;
}

/* The one registered loader, for __stack_chk_fail(): its LoadFile is code in our image. */
static InitrdLoader *registered;

static void initrd_undo(void) {
        (void) initrd_unregister(registered);
}

EFI_STATUS initrd_register(const void *data, size_t size, InitrdLoader **ret) {
        InitrdLoader *l;
        EFI_STATUS err;

        *ret = NULL;
        if (size == 0)
                return EFI_SUCCESS;

        err = BS->AllocatePool(EfiLoaderData, sizeof(*l), (void **) &l);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate initrd loader");
        *l = (InitrdLoader) {
                .load_file.LoadFile = initrd_load_file,
                .data = data,
                .size = size,
        };
        if (locate_registered(&l->handle, &l->displaced) == EFI_SUCCESS)
                err = BS->ReinstallProtocolInterface(l->handle, &load_file2_guid, l->displaced, &l->load_file);
        else {
                l->handle = NULL;
                l->displaced = NULL;
                err = BS->InstallMultipleProtocolInterfaces(&l->handle, &device_path_guid, &initrd_device_path,
                                                            &load_file2_guid, &l->load_file, NULL);
        }
        if (err != EFI_SUCCESS) {
                BS->FreePool(l);
                return log_error_status(err, "cannot register initrd");
        }
        registered = l;
        stack_protector_undo_set(STACK_UNDO_INITRD, initrd_undo);
        *ret = l;
        return EFI_SUCCESS;
}

bool initrd_unregister(InitrdLoader *l) {
        if (!l)
                return true;
        if (l == registered) {
                registered = NULL;
                stack_protector_undo_set(STACK_UNDO_INITRD, NULL);
        }
        /* also after a failed ExitBootServices (the exception efi.h names): a protocol whose
         * code is unloaded with our image must not stay installed */
        EFI_STATUS err = l->displaced ?
                BS->ReinstallProtocolInterface(l->handle, &load_file2_guid, &l->load_file, l->displaced) :
                BS->UninstallMultipleProtocolInterfaces(l->handle, &device_path_guid, &initrd_device_path,
                                                        &load_file2_guid, &l->load_file, NULL);
        if (err != EFI_SUCCESS) {
                /* Still installed: freeing it would leave firmware with a dangling protocol. */
                log_error_status(err, "cannot unregister initrd, leaking it");
                return false;
        }
        BS->FreePool(l);
        return true;
}
