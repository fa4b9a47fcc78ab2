/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "initrd=PATH" words on the command line: files on the volume our image was loaded from,
 * concatenated in order. The kernel's own EFI stub still honours them for boot entries that
 * predate LoadFile2 (firmware Boot#### options, the UEFI Shell, older boot managers); on the
 * native x86 path we are that stub, so we do the same. Paths use '\' or '/'. Which words count
 * is the kernel stub's rule, applied once per boot by the pure parser (boot-options.h).
 */
#include "initrd.h"
#include "log.h"
#include "proto/simple-file-system.h"
#include "util.h"

#define MAX_PATH (BOOT_OPTIONS_PATH_MAX + 1)

/* Append one file to *buf (pool, *size bytes so far). */
static EFI_STATUS append_file(EFI_FILE_PROTOCOL *root, const char16_t *path, void **buf, size_t *size) {
        _cleanup_file_ EFI_FILE_PROTOCOL *f = NULL;
        uint64_t len = 0;
        EFI_STATUS err;

        err = root->Open(root, &f, path, EFI_FILE_MODE_READ, 0);
        if (err != EFI_SUCCESS)
                return err;
        err = f->SetPosition(f, UINT64_MAX);   /* to the end: the position is the size */
        if (err == EFI_SUCCESS)
                err = f->GetPosition(f, &len);
        if (err == EFI_SUCCESS)
                err = f->SetPosition(f, 0);
        if (err != EFI_SUCCESS)
                return err;
        if (len > SIZE_MAX - *size || len > UINT32_MAX)
                return EFI_BAD_BUFFER_SIZE;

        void *nbuf;
        err = BS->AllocatePool(EfiLoaderData, *size + (size_t) len + 1, &nbuf);
        if (err != EFI_SUCCESS)
                return err;
        if (*buf) {
                memcpy(nbuf, *buf, *size);
                BS->FreePool(*buf);
        }
        *buf = nbuf;
        size_t want = (size_t) len;
        err = f->Read(f, &want, (uint8_t *) nbuf + *size);
        if (err != EFI_SUCCESS)
                return err;
        if (want != len)
                return EFI_DEVICE_ERROR;   /* short read */
        *size += want;
        return EFI_SUCCESS;
}

EFI_STATUS initrd_read_cmdline(EFI_HANDLE device, const char16_t *cmdline, size_t len, const BootOptions *opts,
                               void **ret_data, size_t *ret_size) {
        static const EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
        _cleanup_file_ EFI_FILE_PROTOCOL *root = NULL;
        _cleanup_pool_ void *buf = NULL;
        size_t size = 0;
        EFI_STATUS err;

        if (opts->n_initrd == 0)
                return EFI_NOT_FOUND;
        if (opts->n_initrd > BOOT_OPTIONS_INITRD_MAX)
                return log_error_status(EFI_INVALID_PARAMETER, "more than %u initrd= files on the command line",
                                        BOOT_OPTIONS_INITRD_MAX);
        for (size_t i = 0; i < opts->n_initrd; i++) {
                /* where the words are was found once, by the pure parser (boot-options.c) */
                char16_t path[MAX_PATH];
                if (!boot_options_initrd_path(opts, i, cmdline, len, path, MAX_PATH))
                        return log_error_status(EFI_INVALID_PARAMETER, "initrd= path too long");
                size_t plen = strnlen16(path, MAX_PATH);

                if (!root) {
                        EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
                        err = BS->HandleProtocol(device, &sfs_guid, (void **) &fs);
                        if (err == EFI_SUCCESS)
                                err = fs->OpenVolume(fs, &root);
                        if (err != EFI_SUCCESS)
                                return log_error_status(err, "initrd= given, but our volume cannot be opened");
                }
                err = append_file(root, path, &buf, &size);
                if (err != EFI_SUCCESS) {
                        char ascii[MAX_PATH];
                        for (size_t j = 0; j <= plen; j++)
                                ascii[j] = path[j] < 0x80 ? (char) path[j] : '?';
                        /* the path is relative to the volume's root (leading slashes were
                         * skipped, as the kernel's stub does): say so with one '\' */
                        log_error_status(err, "cannot read initrd \\%s", ascii);
                        /* EFI_NOT_FOUND tells the caller there are no initrd= paths at all; a
                         * named file that is missing is an error (the kernel's stub fails too). */
                        return err == EFI_NOT_FOUND ? EFI_LOAD_ERROR : err;
                }
        }
        *ret_data = buf;
        buf = NULL;
        *ret_size = size;
        return EFI_SUCCESS;
}
