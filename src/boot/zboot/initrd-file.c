/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "initrd=PATH" words on the command line: files on the volume our image was loaded from,
 * concatenated in order. The kernel's own EFI stub still honours them for boot entries that
 * predate LoadFile2 (firmware Boot#### options, the UEFI Shell, older boot managers); on the
 * native x86 path we are that stub, so we do the same. Paths use '\' or '/'. Which words count
 * is the kernel stub's rule, applied once per boot by the pure parser (boot-options.h).
 */
#include "initrd-place.h"
#include "initrd.h"
#include "log.h"
#include "proto/simple-file-system.h"
#include "util.h"

#define MAX_PATH (BOOT_OPTIONS_PATH_MAX + 1)

/* Open one file and learn its size. */
static EFI_STATUS open_sized(EFI_FILE_PROTOCOL *root, const char16_t *path, EFI_FILE_PROTOCOL **ret, uint64_t *ret_len) {
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
        if (len > UINT32_MAX)
                return EFI_BAD_BUFFER_SIZE;
        *ret = f;
        f = NULL;
        *ret_len = len;
        return EFI_SUCCESS;
}

static EFI_STATUS read_all(EFI_FILE_PROTOCOL *f, void *buf, uint64_t len) {
        size_t want = (size_t) len;
        EFI_STATUS err = f->Read(f, &want, buf);
        if (err != EFI_SUCCESS)
                return err;
        return want == len ? EFI_SUCCESS : EFI_DEVICE_ERROR;   /* short read */
}

typedef struct {
        EFI_FILE_PROTOCOL *f[BOOT_OPTIONS_INITRD_MAX];
        uint64_t len[BOOT_OPTIONS_INITRD_MAX];
        size_t n;
} Opened;

static void opened_close(Opened *o) {
        for (size_t i = 0; i < o->n; i++)
                o->f[i]->Close(o->f[i]);
        o->n = 0;
}

/* The path of initrd= word i, for the error message: relative to the volume's root (leading
 * slashes were skipped, as the kernel's stub does), so it is printed with one '\'. A named
 * file that cannot be read fails the boot, as in the kernel's stub. */
static EFI_STATUS path_error(const char16_t *path, EFI_STATUS err) {
        char ascii[MAX_PATH];
        utf16_to_log_ascii(path, ascii, sizeof(ascii));
        return log_error_status(err, "cannot read initrd \\%s", ascii);
}

EFI_STATUS initrd_read_cmdline(EFI_HANDLE device, const char16_t *cmdline, size_t len, const BootOptions *opts,
                               uint64_t max, Pages *ret_pages, size_t *ret_size) {
        static const EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
        _cleanup_file_ EFI_FILE_PROTOCOL *root = NULL;
        _cleanup_(opened_close) Opened o = {};
        char16_t path[MAX_PATH];
        EFI_STATUS err;

        *ret_pages = (Pages) {};
        *ret_size = 0;
        if (opts->n_initrd == 0)
                return EFI_SUCCESS;
        if (opts->n_initrd > BOOT_OPTIONS_INITRD_MAX)
                return log_error_status(EFI_INVALID_PARAMETER, "more than %u initrd= files on the command line",
                                        BOOT_OPTIONS_INITRD_MAX);
        /* Open every file first: their sizes give the one allocation they are read into, in
         * order, each straight into its place (docs/x86-boot.md "Initrd"). */
        uint64_t total = 0;
        for (size_t i = 0; i < opts->n_initrd; i++) {
                /* where the words are was found once, by the pure parser (boot-options.c) */
                if (!boot_options_initrd_path(opts, i, cmdline, len, path, MAX_PATH))
                        return log_error_status(EFI_INVALID_PARAMETER, "initrd= path too long");
                if (!root) {
                        EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
                        err = BS->HandleProtocol(device, &sfs_guid, (void **) &fs);
                        if (err == EFI_SUCCESS)
                                err = fs->OpenVolume(fs, &root);
                        if (err != EFI_SUCCESS)
                                return log_error_status(err, "initrd= given, but our volume cannot be opened");
                }
                err = open_sized(root, path, &o.f[i], &o.len[i]);
                if (err != EFI_SUCCESS)
                        return path_error(path, err);
                o.n = i + 1;
                total += o.len[i];   /* <= 16 files of < 4 GiB each: no overflow */
        }
        /* the zero page's ramdisk_size is 32 bits (and the pages end below 4 GiB anyway) */
        if (total > UINT32_MAX)
                return log_error_status(EFI_UNSUPPORTED, "initrd= files larger than 4 GiB");
        if (total == 0)
                return EFI_SUCCESS;

        _cleanup_pages_ Pages pages = {};
        err = initrd_place_alloc((size_t) total, max, &pages);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate %lu bytes for the initrd below 0x%lx", total, max);
        uint8_t *p = pages_ptr(&pages);
        for (size_t i = 0; i < o.n; p += o.len[i], i++) {
                err = read_all(o.f[i], p, o.len[i]);
                if (err != EFI_SUCCESS) {
                        /* the path again, for the message: it parsed the first time */
                        (void) boot_options_initrd_path(opts, i, cmdline, len, path, MAX_PATH);
                        return path_error(path, err);
                }
        }
        *ret_pages = take_pages(&pages);
        *ret_size = (size_t) total;
        return EFI_SUCCESS;
}
