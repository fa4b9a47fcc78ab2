/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Linux initrd handover (LINUX_EFI_INITRD_MEDIA_GUID): the kernel's EFI stub locates the
 * device path below with LocateDevicePath() and calls LoadFile() on the LoadFile2 protocol
 * of that handle, first with a NULL buffer to learn the size. One initrd handle at a time may
 * exist, so a boot manager's registration and ours exclude each other.
 */
#include "initrd.h"
#include "log.h"
#include "proto/load-file.h"
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

bool initrd_is_registered(void) {
        EFI_DEVICE_PATH_PROTOCOL *dp = (EFI_DEVICE_PATH_PROTOCOL *) &initrd_device_path;
        EFI_HANDLE h;
        return BS->LocateDevicePath(&load_file2_guid, &dp, &h) == EFI_SUCCESS &&
               dp->Type == END_DEVICE_PATH_TYPE;
}

EFI_STATUS initrd_read_registered(void **ret_data, size_t *ret_size) {
        EFI_DEVICE_PATH_PROTOCOL *dp = (EFI_DEVICE_PATH_PROTOCOL *) &initrd_device_path;
        EFI_LOAD_FILE2_PROTOCOL *lf;
        EFI_HANDLE h;
        EFI_STATUS err;

        err = BS->LocateDevicePath(&load_file2_guid, &dp, &h);
        if (err != EFI_SUCCESS)
                return err;
        err = BS->HandleProtocol(h, &load_file2_guid, (void **) &lf);
        if (err != EFI_SUCCESS)
                return err;
        size_t size = 0;
        err = lf->LoadFile(lf, (EFI_DEVICE_PATH_PROTOCOL *) &initrd_device_path, false, &size, NULL);
        if (err != EFI_BUFFER_TOO_SMALL)
                return err == EFI_SUCCESS ? EFI_LOAD_ERROR : err;
        void *data;
        err = BS->AllocatePool(EfiLoaderData, size ? size : 1, &data);
        if (err != EFI_SUCCESS)
                return err;
        err = lf->LoadFile(lf, (EFI_DEVICE_PATH_PROTOCOL *) &initrd_device_path, false, &size, data);
        if (err != EFI_SUCCESS) {
                BS->FreePool(data);
                return err;
        }
        *ret_data = data;
        *ret_size = size;
        return EFI_SUCCESS;
}

EFI_STATUS initrd_register(const void *data, size_t size, InitrdLoader **ret) {
        InitrdLoader *l;
        EFI_STATUS err;

        *ret = NULL;
        if (size == 0)
                return EFI_SUCCESS;
        if (initrd_is_registered())
                return log_error_status(EFI_ACCESS_DENIED, "another initrd is registered already");

        err = BS->AllocatePool(EfiLoaderData, sizeof(*l), (void **) &l);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate initrd loader");
        *l = (InitrdLoader) {
                .load_file.LoadFile = initrd_load_file,
                .data = data,
                .size = size,
        };
        err = BS->InstallMultipleProtocolInterfaces(&l->handle, &device_path_guid, &initrd_device_path,
                                                    &load_file2_guid, &l->load_file, NULL);
        if (err != EFI_SUCCESS) {
                BS->FreePool(l);
                return log_error_status(err, "cannot register initrd");
        }
        *ret = l;
        return EFI_SUCCESS;
}

void initrd_unregister(InitrdLoader *l) {
        if (!l)
                return;
        EFI_STATUS err = BS->UninstallMultipleProtocolInterfaces(l->handle, &device_path_guid, &initrd_device_path,
                                                                 &load_file2_guid, &l->load_file, NULL);
        if (err != EFI_SUCCESS) {
                /* Still installed: freeing it would leave firmware with a dangling protocol. */
                log_error_status(err, "cannot unregister initrd, leaking it");
                return;
        }
        BS->FreePool(l);
}
