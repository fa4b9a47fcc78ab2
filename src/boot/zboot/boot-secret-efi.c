/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boot secret step of the UKI stub, as systemd-stub 262 does it (its behaviour measured on
 * QEMU, its labels and log strings; docs/stub.md "Boot secret"). The hashing and the .osrel
 * rule are pure (src/fundamental/boot-secret.c); this file reads and, when missing, makes the
 * two stored parts. Every secret on our stack is wiped before we return.
 */
#include "boot-secret-efi.h"
#include "efivars.h"
#include "log.h"
#include "proto/simple-file-system.h"
#include "smbios-efi.h"   /* config_table_find() */
#include "util.h"

#define LINUX_EFI_RANDOM_SEED_TABLE_GUID \
        EFI_GUID_INIT(0x1ce1e5bc, 0x7ceb, 0x42f2, 0x81, 0xe5, 0x8a, 0xad, 0xf1, 0x80, 0xf5, 0x7b)
#define SEED_TABLE_MAX (UINT32_C(1) << 20)   /* a larger table is taken for garbage (262 takes any size) */
#define MIXIN_PATH u"\\loader\\boot-secret-mixin"

static void wipe(void *p, size_t n) {
        memset(p, 0, n);
        __asm__ volatile("" : : "r"(p) : "memory");
}

typedef struct {
        uint8_t b[BOOT_SECRET_SIZE];
} Secret;

static void secret_wipe(Secret *s) {
        wipe(s->b, sizeof(s->b));
}

/* The random seed table (an earlier loader's or random_seed_refresh()'s), when its seed has at
 * least 32 bytes: the source of a new variable or mixin, evolved after each use. */
typedef struct {
        uint32_t size;
        uint8_t seed[];
} SeedTable;

static SeedTable *seed_table(void) {
        static const EFI_GUID guid = LINUX_EFI_RANDOM_SEED_TABLE_GUID;
        SeedTable *t = config_table_find(&guid);
        if (!t || t->size < BOOT_SECRET_SIZE || t->size > SEED_TABLE_MAX)
                return NULL;
        return t;
}

/* A new secret from the seed, which is then evolved (never used twice). */
static void secret_from_seed(SeedTable *t, uint8_t out[BOOT_SECRET_SIZE]) {
        boot_secret_from_seed(t->seed, t->size, out);
        boot_secret_seed_evolve(t->seed, t->size);
}

/* LoaderBootSecret: read it (32 bytes, non-volatile and boot-services only, else not used),
 * or make it when it does not exist. */
static EFI_STATUS variable_secret(SeedTable *t, uint8_t out[BOOT_SECRET_SIZE]) {
        static const EFI_GUID loader_guid = LOADER_INFO_GUID;
        const uint32_t want = EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS;
        uint32_t attrs = 0;
        size_t n = BOOT_SECRET_SIZE;
        EFI_STATUS err = RT->GetVariable((char16_t *) u"LoaderBootSecret", &loader_guid, &attrs, &n, out);
        if (err == EFI_SUCCESS) {
                if (n != BOOT_SECRET_SIZE)
                        return log_debug("boot secret: LoaderBootSecret has %lu bytes, not used", (uint64_t) n),
                               EFI_PROTOCOL_ERROR;
                if ((attrs & (want | EFI_VARIABLE_RUNTIME_ACCESS)) != want)
                        return log_debug("boot secret: LoaderBootSecret has attributes 0x%x, not used", attrs),
                               EFI_PROTOCOL_ERROR;
                return EFI_SUCCESS;
        }
        if (err != EFI_NOT_FOUND)   /* EFI_BUFFER_TOO_SMALL too: not 32 bytes */
                return log_debug("boot secret: cannot read LoaderBootSecret (0x%lx)", (uint64_t) err), err;
        /* without EFI_VARIABLE_RUNTIME_ACCESS: gone for the OS after ExitBootServices() */
        _cleanup_(secret_wipe) Secret s = {};
        secret_from_seed(t, s.b);
        err = RT->SetVariable((char16_t *) u"LoaderBootSecret", &loader_guid, want, sizeof(s.b), s.b);
        if (err != EFI_SUCCESS)
                return log_debug("boot secret: cannot set LoaderBootSecret (0x%lx)", (uint64_t) err), err;
        memcpy(out, s.b, sizeof(s.b));
        return EFI_SUCCESS;
}

/* \loader\boot-secret-mixin on our volume (root): its first 32 bytes, or a new one written
 * into an empty (or new) writable file. A file shorter than 32 bytes is left alone and not used. */
static EFI_STATUS mixin_secret(EFI_FILE_PROTOCOL *root, SeedTable *t, uint8_t out[BOOT_SECRET_SIZE]) {
        _cleanup_file_ EFI_FILE_PROTOCOL *f = NULL;
        bool writable = true;
        EFI_STATUS err = root->Open(root, &f, (char16_t *) MIXIN_PATH, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE,
                         0);
        if (err == EFI_WRITE_PROTECTED) {
                writable = false;
                err = root->Open(root, &f, (char16_t *) MIXIN_PATH, EFI_FILE_MODE_READ, 0);
        }
        if (err != EFI_SUCCESS)
                return log_debug("boot secret: cannot open \\loader\\boot-secret-mixin (0x%lx)", (uint64_t) err), err;
        uint64_t fsize, attr;
        err = file_size_attr(f, &fsize, &attr);
        if (err != EFI_SUCCESS)
                return log_debug("boot secret: cannot read the mixin's size (0x%lx)", (uint64_t) err), err;
        if (fsize == 0) {
                if (!writable)
                        return log_debug("boot secret: the mixin file is empty and read-only"), EFI_WRITE_PROTECTED;
                _cleanup_(secret_wipe) Secret s = {};
                secret_from_seed(t, s.b);
                size_t w = sizeof(s.b);
                err = f->Write(f, &w, s.b);
                if (err == EFI_SUCCESS && w != sizeof(s.b))
                        err = EFI_PROTOCOL_ERROR;
                if (err == EFI_SUCCESS)
                        err = f->Flush(f);
                if (err != EFI_SUCCESS)
                        return log_debug("boot secret: cannot write the mixin (0x%lx)", (uint64_t) err), err;
                memcpy(out, s.b, sizeof(s.b));
                return EFI_SUCCESS;
        }
        if (fsize < BOOT_SECRET_SIZE)
                return log_debug("boot secret: the mixin has %lu bytes, fewer than %u", fsize, BOOT_SECRET_SIZE),
                       EFI_PROTOCOL_ERROR;
        size_t r = BOOT_SECRET_SIZE;
        err = f->Read(f, &r, out);
        if (err == EFI_SUCCESS && r != BOOT_SECRET_SIZE)
                err = EFI_PROTOCOL_ERROR;
        if (err != EFI_SUCCESS)
                return log_debug("boot secret: cannot read the mixin (0x%lx)", (uint64_t) err), err;
        return EFI_SUCCESS;
}

bool boot_secret_prepare(EFI_LOADED_IMAGE_PROTOCOL *li, const void *osrel, size_t osrel_size,
                         uint8_t ret[BOOT_SECRET_SIZE]) {
        static const EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
        _cleanup_(secret_wipe) Secret var = {}, mixin = {};
        _cleanup_file_ EFI_FILE_PROTOCOL *root = NULL;
        EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
        wipe(ret, BOOT_SECRET_SIZE);
        if (!li->DeviceHandle)
                return false;
        /* our volume first, as sd-stub: without one nothing is made (no variable, no seed used) */
        EFI_STATUS err = BS->HandleProtocol(li->DeviceHandle, &sfs_guid, (void **) &fs);
        if (err == EFI_SUCCESS)
                err = fs->OpenVolume(fs, &root);
        if (err != EFI_SUCCESS) {
                log_debug("boot secret: cannot open our volume (0x%lx)", (uint64_t) err);
                return false;
        }
        SeedTable *t = seed_table();
        if (!t) {
                log_debug("boot secret: no random seed table of 32 bytes or more: none");
                return false;
        }
        /* sd-stub's order: the variable, then the mixin (each may take from the seed) */
        if (variable_secret(t, var.b) != EFI_SUCCESS || mixin_secret(root, t, mixin.b) != EFI_SUCCESS)
                return false;
        const char *id;
        size_t id_len;
        boot_secret_os_id(osrel, osrel_size, &id, &id_len);
        boot_secret_derive(var.b, mixin.b, id, id_len, ret);
        char shown[64];
        size_t k = id_len < sizeof(shown) - 1 ? id_len : sizeof(shown) - 1;
        memcpy(shown, id, k);
        shown[k] = 0;
        log_debug("boot secret: made for OS id \"%s\"%s", shown, k < id_len ? "..." : "");
        return true;
}
