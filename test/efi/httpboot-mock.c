/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in for the firmware's HTTP boot, for the boot tests: started as
 * \EFI\BOOT\BOOTX64.EFI, it installs on a new handle the device path edk2's HttpBootDxe gives
 * a booted NIC (a MAC node, an IPv4 node, then a URI node with the boot file's URL and its NUL),
 * reads \EFI\Linux\uki.efi from its own volume (standing in for the download) and starts it
 * from memory with LoadImage(that device path, the bytes), as edk2's boot manager starts what
 * HTTP boot fetched: the started image's DeviceHandle is then the handle with the URI node.
 * It says on the console:
 *
 *   httpboot-mock: installed
 *   httpboot-mock: <size> bytes read
 *   httpboot-mock: starting http://10.0.2.2:8000/EFI/Linux/uki.efi
 */
#include "log.h"
#include "mock-driver.h"
#include "proto/device-path.h"
#include "proto/loaded-image.h"
#include "proto/simple-file-system.h"
#include "util.h"

#define URL "http://10.0.2.2:8000/EFI/Linux/uki.efi"

/* MAC (type 3, subtype 11: 32-byte address, interface type), IPv4 (subtype 12), URI (subtype 24) */
static struct {
        uint8_t mac[4 + 33];
        uint8_t ipv4[4 + 23];
        uint8_t uri[4 + sizeof(URL)];
        uint8_t end[4];
} __attribute__((packed)) path = {
        .mac = { 0x03, 0x0b, 37, 0, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, [36] = 0x01 },
        .ipv4 = { 0x03, 0x0c, 27, 0, 10, 0, 2, 15, 10, 0, 2, 2 },
        .uri = { 0x03, 0x18, 4 + sizeof(URL), 0 },
        .end = { 0x7f, 0xff, 4, 0 },
};

/* The whole file at name on the volume of dev: pool memory (ours to free), its size in *ret_size. */
static EFI_STATUS read_whole(EFI_HANDLE dev, const char16_t *name, void **ret, size_t *ret_size) {
        static const EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
        EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs;
        _cleanup_file_ EFI_FILE_PROTOCOL *root = NULL, *f = NULL;
        uint64_t size, attr;
        EFI_STATUS err = BS->HandleProtocol(dev, &sfs_guid, (void **) &sfs);
        if (err == EFI_SUCCESS)
                err = sfs->OpenVolume(sfs, &root);
        if (err == EFI_SUCCESS)
                err = root->Open(root, &f, name, EFI_FILE_MODE_READ, 0);
        if (err == EFI_SUCCESS)
                err = file_size_attr(f, &size, &attr);
        if (err == EFI_SUCCESS && size == 0)
                err = EFI_BAD_BUFFER_SIZE;
        if (err == EFI_SUCCESS)
                err = file_read_pool(f, size, ret);
        if (err == EFI_SUCCESS)
                *ret_size = (size_t) size;
        return err;
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);
EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table) {
        static const EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID, li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
        EFI_HANDLE nic = NULL;
        memcpy(path.uri + 4, URL, sizeof(URL));
        EFI_STATUS err = mock_driver_start_handle(system_table, "httpboot-mock", &dp_guid, &path, NULL, NULL, &nic);
        if (err != EFI_SUCCESS)
                return err;
        EFI_LOADED_IMAGE_PROTOCOL *li;
        _cleanup_pool_ void *uki = NULL;
        size_t size = 0;
        err = BS->HandleProtocol(image, &li_guid, (void **) &li);
        if (err != EFI_SUCCESS)
                log_error_status(err, "no loaded image protocol");
        else if ((err = read_whole(li->DeviceHandle, u"\\EFI\\Linux\\uki.efi", &uki, &size)) != EFI_SUCCESS)
                log_error_status(err, "cannot read \\EFI\\Linux\\uki.efi");
        else {
                log_info("%zu bytes read", size);
                err = mock_start_image(image, (EFI_DEVICE_PATH_PROTOCOL *) &path, uki, size, URL);
        }
        /* our image (and the path in it) goes away when we return: so does the handle's protocol
         * when the UKI did not start (a started UKI does not return) */
        if (err != EFI_SUCCESS)
                (void) BS->UninstallProtocolInterface(nic, &dp_guid, &path);
        return err;
}
