/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Side-loaded files (systemd-stub's "sidecar" initrds): credentials, system and
 * configuration extensions read from the ESP and packed as cpio archives under /.extra/,
 * where systemd in the initrd looks for them. The rules are sd-stub 257's, plus the global
 * extensions sd-stub 258 added (docs/stub.md):
 *   kind                directory                suffix (no case)   target                    dir   file  PCR
 *   credentials         <uki>.extra.d            .cred              .extra/credentials        0500  0400  12
 *   global credentials  \loader\credentials      .cred              .extra/global_credentials 0500  0400  12
 *   system extensions   <uki>.extra.d            .raw, not .confext.raw  .extra/sysext        0555  0444  13
 *   global sysexts      \loader\extensions       .raw, not .confext.raw  .extra/global_sysext 0555  0444  13
 *   config extensions   <uki>.extra.d            .confext.raw       .extra/confext            0555  0444  12
 *   global confexts     \loader\extensions       .confext.raw       .extra/global_confext     0555  0444  12
 * Entries that are directories, start with '.', are not ASCII or are longer than 255
 * characters are skipped (extra-name.c, which also refuses '/', '\' and control characters).
 * The names are sorted (byte order) so the archive and its measurement do not depend on the
 * order the file system lists them in. Secure Boot does not change any of this, as in sd-stub:
 * what is in these files is for userspace to verify (credentials are encrypted or signed,
 * extension images carry dm-verity signatures), and each archive is measured before use.
 */
#include "cpio.h"
#include "extra-files.h"
#include "extra-name.h"
#include "log.h"
#include "measure.h"
#include "proto/simple-file-system.h"
#include "util.h"

#define MAX_FILES 256u               /* per directory; more are left out (logged) */
#define DIR_PATH_MAX 1024u           /* units, the drop-in directory's path */
#define DP_MAX 4096u                 /* bound for reading our FilePath device path */

typedef struct {
        const char16_t *dir;         /* NULL: <uki>.extra.d */
        const char *suffix, *exclude;
        const char *target;
        uint32_t dir_mode, file_mode, pcr;
        const char *description;     /* the measurement's event text */
        const char *what;            /* for our log */
} ExtraRule;

static const ExtraRule rules[_EXTRA_MAX] = {
        [EXTRA_CREDENTIALS] = { NULL, ".cred", NULL, ".extra/credentials", 0500, 0400, PCR_KERNEL_CONFIG,
                                "Credentials initrd", "credentials" },
        [EXTRA_GLOBAL_CREDENTIALS] = { u"\\loader\\credentials", ".cred", NULL, ".extra/global_credentials", 0500,
                                       0400, PCR_KERNEL_CONFIG, "Global credentials initrd", "global credentials" },
        [EXTRA_SYSEXT] = { NULL, ".raw", ".confext.raw", ".extra/sysext", 0555, 0444, PCR_SYSEXTS, "System extension initrd",
                           "system extensions" },
        [EXTRA_GLOBAL_SYSEXT] = { u"\\loader\\extensions", ".raw", ".confext.raw", ".extra/global_sysext", 0555, 0444,
                                  PCR_SYSEXTS, "Global system extension initrd", "global system extensions" },
        [EXTRA_CONFEXT] = { NULL, ".confext.raw", NULL, ".extra/confext", 0555, 0444, PCR_KERNEL_CONFIG,
                            "Configuration extension initrd", "configuration extensions" },
        [EXTRA_GLOBAL_CONFEXT] = { u"\\loader\\extensions", ".confext.raw", NULL, ".extra/global_confext", 0555, 0444,
                                   PCR_KERNEL_CONFIG, "Global configuration extension initrd",
                                   "global configuration extensions" },
};

uint32_t extra_files_pcr(ExtraKind kind) {
        return rules[kind].pcr;
}

typedef struct {
        char name[EXTRA_NAME_MAX + 1];
        size_t name_len;
        void *data;
        size_t size;
} ExtraFile;

static void free_files(ExtraFile *files, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (files[i].data)
                        BS->FreePool(files[i].data);
        BS->FreePool(files);
}

/* The next directory entry into *buf (pool, grown as needed); *ret NULL at the end. */
static EFI_STATUS read_dirent(EFI_FILE_PROTOCOL *dir, EFI_FILE_INFO **buf, size_t *cap, EFI_FILE_INFO **ret) {
        size_t size = *cap;
        EFI_STATUS err = dir->Read(dir, &size, *buf);
        if (err == EFI_BUFFER_TOO_SMALL) {
                if (*buf)
                        BS->FreePool(*buf);
                *buf = NULL;
                *cap = 0;
                err = BS->AllocatePool(EfiLoaderData, size, (void **) buf);
                if (err != EFI_SUCCESS)
                        return err;
                *cap = size;
                err = dir->Read(dir, &size, *buf);
        }
        if (err != EFI_SUCCESS)
                return err;
        if (size == 0) {
                *ret = NULL;
                return EFI_SUCCESS;
        }
        if (size < sizeof(EFI_FILE_INFO) + sizeof(char16_t))
                return EFI_VOLUME_CORRUPTED;
        /* a name the firmware forgot to terminate ends at the buffer */
        ((char16_t *) ((uint8_t *) *buf + (size & ~(size_t) 1)))[-1] = 0;
        *ret = *buf;
        return EFI_SUCCESS;
}

static EFI_STATUS read_file(EFI_FILE_PROTOCOL *dir, const char16_t *name, uint64_t size, void **ret) {
        _cleanup_file_ EFI_FILE_PROTOCOL *f = NULL;
        EFI_STATUS err = dir->Open(dir, &f, name, EFI_FILE_MODE_READ, 0);
        if (err != EFI_SUCCESS)
                return err;
        return file_read_pool(f, size, ret);
}

/* Insertion sort by name (ASCII, byte order: sd-stub sorts the UCS-2 names the same way). */
static void sort_files(ExtraFile *files, size_t n) {
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && strcmp(files[j - 1].name, files[j].name) > 0; j--) {
                        ExtraFile t = files[j];
                        files[j] = files[j - 1];
                        files[j - 1] = t;
                }
}

/* Directories the volume does not have, as the firmware answered their Open: one boot looks up
 * the UKI's drop-in directory four times (add-ons, credentials, system and configuration
 * extensions) and \loader\extensions twice, and each lookup is a path walk in the firmware's FAT driver (~1 ms under QEMU
 * TCG), while nothing we do in between writes to the ESP. A later lookup of a remembered path
 * gives EFI_NOT_FOUND without asking again: the same answer. Zero-initialised statics (no base
 * relocations); paths too long for a slot are not remembered. */
#define MISSING_SLOTS 6u
#define MISSING_PATH_MAX 256u
static struct {
        EFI_HANDLE device;
        char16_t path[MISSING_PATH_MAX];
} missing[MISSING_SLOTS];
static unsigned missing_n;

static bool missing_known(EFI_HANDLE device, const char16_t *p) {
        size_t l = strnlen16(p, MISSING_PATH_MAX);
        if (l >= MISSING_PATH_MAX)
                return false;
        /* l + 1 units: the stored path's NUL must be where p's is */
        for (unsigned i = 0; i < missing_n; i++)
                if (missing[i].device == device && memcmp(missing[i].path, p, (l + 1) * sizeof(char16_t)) == 0)
                        return true;
        return false;
}

static void missing_note(EFI_HANDLE device, const char16_t *p) {
        size_t l = strnlen16(p, MISSING_PATH_MAX);
        if (missing_n == MISSING_SLOTS || l >= MISSING_PATH_MAX)
                return;
        missing[missing_n].device = device;
        memcpy(missing[missing_n].path, p, (l + 1) * sizeof(char16_t));
        missing_n++;
}

/* Open the directory the rule names, or the UKI's drop-in directory. EFI_NOT_FOUND: none. */
static EFI_STATUS open_dir(EFI_LOADED_IMAGE_PROTOCOL *li, const ExtraRule *r, EFI_FILE_PROTOCOL **ret) {
        static const EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
        _cleanup_file_ EFI_FILE_PROTOCOL *root = NULL, *dir = NULL;
        EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
        char16_t path[DIR_PATH_MAX];
        EFI_STATUS err;

        if (!li->DeviceHandle)
                return EFI_NOT_FOUND;
        const char16_t *p = r->dir;
        if (!p) {
                /* FilePath may be NULL (some boot managers pass none): then no drop-in directory */
                if (!li->FilePath || extra_dir_from_device_path(li->FilePath, DP_MAX, path, ELEMENTSOF(path)) == 0)
                        return EFI_NOT_FOUND;
                p = path;
        }
        if (missing_known(li->DeviceHandle, p))
                return EFI_NOT_FOUND;
        err = BS->HandleProtocol(li->DeviceHandle, &sfs_guid, (void **) &fs);
        if (err == EFI_UNSUPPORTED)
                return EFI_NOT_FOUND;   /* loaded from something that is not a file system */
        if (err == EFI_SUCCESS)
                err = fs->OpenVolume(fs, &root);
        if (err != EFI_SUCCESS)
                return err;
        err = root->Open(root, &dir, p, EFI_FILE_MODE_READ, 0);
        if (err == EFI_NOT_FOUND)
                missing_note(li->DeviceHandle, p);
        if (err != EFI_SUCCESS)
                return err;
        /* a file of that name is not a directory: nothing to read */
        uint64_t size, attr;
        err = file_size_attr(dir, &size, &attr);
        if (err != EFI_SUCCESS)
                return err;
        if (!(attr & EFI_FILE_DIRECTORY))
                return EFI_NOT_FOUND;
        *ret = dir;
        dir = NULL;
        return EFI_SUCCESS;
}

/* The matching files of the rule's directory, read, sorted. *ret_n 0: none. */
static EFI_STATUS collect(EFI_LOADED_IMAGE_PROTOCOL *li, const ExtraRule *r, ExtraFile **ret, size_t *ret_n) {
        _cleanup_file_ EFI_FILE_PROTOCOL *dir = NULL;
        _cleanup_pool_ EFI_FILE_INFO *ent_buf = NULL;
        size_t ent_cap = 0, n = 0;
        ExtraFile *files = NULL;
        EFI_STATUS err;

        *ret = NULL;
        *ret_n = 0;
        err = open_dir(li, r, &dir);
        if (err == EFI_NOT_FOUND)
                return EFI_SUCCESS;
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot open the directory of %s", r->what);

        for (;;) {
                EFI_FILE_INFO *e;
                err = read_dirent(dir, &ent_buf, &ent_cap, &e);
                if (err != EFI_SUCCESS) {
                        /* as sd-stub 257: a directory that cannot be read gives no archive */
                        if (files)
                                free_files(files, n);
                        return log_error_status(err, "cannot read the directory of %s", r->what);
                }
                if (!e)
                        break;
                if (e->Attribute & EFI_FILE_DIRECTORY)
                        continue;
                size_t len = strnlen16(e->FileName, (e->Size - sizeof(EFI_FILE_INFO)) / sizeof(char16_t));
                if (!extra_name_match(e->FileName, len, r->suffix, r->exclude))
                        continue;
                ExtraFile f = {};
                f.name_len = extra_name_ascii(e->FileName, len, f.name, sizeof(f.name));
                if (f.name_len == 0)
                        continue;   /* hidden, not ASCII, too long or a name we cannot place */
                if (e->FileSize > UINT32_MAX) {
                        log_warning("%s: %s is 4 GiB or larger (more than cpio holds), left out", r->what, f.name);
                        continue;
                }
                if (n == MAX_FILES) {
                        log_warning("%s: more than %u files, the rest are left out", r->what, MAX_FILES);
                        break;
                }
                if (!files) {
                        err = BS->AllocatePool(EfiLoaderData, MAX_FILES * sizeof(ExtraFile), (void **) &files);
                        if (err != EFI_SUCCESS)
                                return log_error_status(err, "cannot allocate the list of %s", r->what);
                }
                err = read_file(dir, e->FileName, e->FileSize, &f.data);
                if (err != EFI_SUCCESS) {
                        log_error_status(err, "%s: cannot read %s, left out", r->what, f.name);
                        continue;
                }
                f.size = (size_t) e->FileSize;
                files[n++] = f;
        }
        if (n == 0) {
                if (files)
                        BS->FreePool(files);
                return EFI_SUCCESS;
        }
        sort_files(files, n);
        *ret = files;
        *ret_n = n;
        return EFI_SUCCESS;
}

/* The archive of the files (or one file) in pool memory: the writer runs twice, counting, then
 * writing into a buffer of exactly that size. */
static EFI_STATUS pack(const char *target, uint32_t dir_mode, uint32_t file_mode, const ExtraFile *files, size_t n,
                       ExtraCpio *ret) {
        void *buf = NULL;
        size_t size = 0;
        for (int pass = 0; pass < 2; pass++) {
                CpioWriter w;
                cpio_writer_init(&w, buf, size);
                cpio_add_dirs(&w, target, dir_mode);
                for (size_t i = 0; i < n; i++)
                        cpio_add_file(&w, target, files[i].name, files[i].name_len, files[i].data, files[i].size,
                                      file_mode);
                cpio_add_trailer(&w);
                size_t got;
                if (!cpio_writer_done(&w, &got) || (pass == 1 && got != size)) {
                        if (buf) {
                                memset(buf, 0, size);   /* it may hold part of a secret (the boot secret) */
                                BS->FreePool(buf);
                        }
                        return EFI_BAD_BUFFER_SIZE;
                }
                if (pass == 0) {
                        size = got;
                        EFI_STATUS err = BS->AllocatePool(EfiLoaderData, size, &buf);
                        if (err != EFI_SUCCESS)
                                return err;
                }
        }
        *ret = (ExtraCpio) { buf, size };
        return EFI_SUCCESS;
}

void extra_files_pack(EFI_LOADED_IMAGE_PROTOCOL *li, ExtraKind kind, ExtraCpio *ret, int *ret_measured) {
        const ExtraRule *r = &rules[kind];
        ExtraFile *files;
        size_t n;

        *ret = (ExtraCpio) {};
        *ret_measured = -1;
        if (collect(li, r, &files, &n) != EFI_SUCCESS || n == 0)
                return;
        size_t bytes = 0;
        for (size_t i = 0; i < n; i++)
                bytes += files[i].size;
        EFI_STATUS err = pack(r->target, r->dir_mode, r->file_mode, files, n, ret);
        free_files(files, n);
        if (err != EFI_SUCCESS) {
                log_error_status(err, "cannot pack the %s", r->what);
                return;
        }
        /* measured as one EV_IPL event of the whole archive, before it is used (sd-stub) */
        *ret_measured = measure_ipl(r->pcr, ret->data, ret->size, r->description);
        log_info("%s: %lu file(s), %lu bytes, as /%s (cpio %lu bytes, PCR %u%s)", r->what, (uint64_t) n,
                 (uint64_t) bytes, r->target, (uint64_t) ret->size, r->pcr, *ret_measured ? "" : ", not measured");
}

void extra_literal_pack(const void *data, size_t size, const char *name, ExtraCpio *ret) {
        extra_literal_pack_mode(data, size, name, 0444, ret);
}

void extra_literal_pack_mode(const void *data, size_t size, const char *name, uint32_t mode, ExtraCpio *ret) {
        ExtraFile f = { .data = (void *) data, .size = size };
        f.name_len = strlen(name);
        if (f.name_len >= sizeof(f.name) || size > UINT32_MAX) {
                *ret = (ExtraCpio) {};
                return;
        }
        memcpy(f.name, name, f.name_len + 1);
        EFI_STATUS err = pack(".extra", 0555, mode, &f, 1, ret);
        if (err != EFI_SUCCESS) {
                *ret = (ExtraCpio) {};
                log_error_status(err, "cannot pack /.extra/%s", name);
        }
}

/* Add-ons (addons.c) reuse the directory walk: the sorted names only. */
EFI_STATUS extra_list_names(EFI_LOADED_IMAGE_PROTOCOL *li, const char16_t *dir, const char *suffix, size_t max,
                            ExtraName **ret, size_t *ret_n, char16_t *ret_dir, size_t dir_cap) {
        const ExtraRule r = { .dir = dir, .suffix = suffix, .what = "add-ons" };
        _cleanup_file_ EFI_FILE_PROTOCOL *d = NULL;
        _cleanup_pool_ EFI_FILE_INFO *ent_buf = NULL;
        size_t ent_cap = 0, n = 0;
        ExtraName *names = NULL;

        *ret = NULL;
        *ret_n = 0;
        if (dir) {
                size_t l = strnlen16(dir, dir_cap);
                if (l >= dir_cap)
                        return EFI_BUFFER_TOO_SMALL;
                memcpy(ret_dir, dir, (l + 1) * sizeof(char16_t));
        } else if (!li->FilePath || extra_dir_from_device_path(li->FilePath, DP_MAX, ret_dir, dir_cap) == 0)
                return EFI_SUCCESS;
        EFI_STATUS err = open_dir(li, &r, &d);
        if (err == EFI_NOT_FOUND)
                return EFI_SUCCESS;
        if (err != EFI_SUCCESS)
                return err;
        for (;;) {
                EFI_FILE_INFO *e;
                err = read_dirent(d, &ent_buf, &ent_cap, &e);
                if (err != EFI_SUCCESS || !e)
                        break;
                if (e->Attribute & EFI_FILE_DIRECTORY)
                        continue;
                size_t len = strnlen16(e->FileName, (e->Size - sizeof(EFI_FILE_INFO)) / sizeof(char16_t));
                if (!extra_name_match(e->FileName, len, suffix, NULL))
                        continue;
                ExtraName nm;
                if (extra_name_ascii(e->FileName, len, nm.name, sizeof(nm.name)) == 0)
                        continue;
                if (n == max) {
                        log_warning("%s: more than %lu files, the rest are left out", r.what, (uint64_t) max);
                        break;
                }
                if (!names && BS->AllocatePool(EfiLoaderData, max * sizeof(ExtraName), (void **) &names) != EFI_SUCCESS)
                        return EFI_OUT_OF_RESOURCES;
                names[n++] = nm;
        }
        for (size_t i = 1; i < n; i++)   /* byte order, as sort_files */
                for (size_t j = i; j > 0 && strcmp(names[j - 1].name, names[j].name) > 0; j--) {
                        ExtraName t = names[j];
                        names[j] = names[j - 1];
                        names[j - 1] = t;
                }
        *ret = names;
        *ret_n = n;
        return err;
}
