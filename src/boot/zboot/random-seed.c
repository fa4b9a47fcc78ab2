/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The random seed step of the UKI stub, as systemd-stub 257 does it, with 262's handling of a
 * missing or short file and of a read-only ESP (facts from its documented behaviour and source;
 * docs/stub.md "Random seed"). The hashing and the decisions are pure
 * (src/fundamental/random-seed-hash.c); this file gathers the inputs, rewrites the seed file and
 * installs the table.
 */
#include "device-path.h"
#include "efivars.h"
#include "log.h"
#include "measure.h"
#include "proto/device-path.h"
#include "proto/partition-info.h"
#include "proto/rng.h"
#include "proto/simple-file-system.h"
#include "random-seed-hash.h"
#include "random-seed.h"
#include "secure-boot.h"
#include "smbios-efi.h"   /* config_table_find() */
#include "util.h"

#define DP_MAX 4096u                       /* bound for a device path the firmware hands us */
#define LOADER_FEATURE_RANDOM_SEED (UINT64_C(1) << 6)
#define TOKEN_MAX 4096u                    /* LoaderSystemToken is 32 bytes as bootctl writes it */

#define LINUX_EFI_RANDOM_SEED_TABLE_GUID \
        EFI_GUID_INIT(0x1ce1e5bc, 0x7ceb, 0x42f2, 0x81, 0xe5, 0x8a, 0xad, 0xf1, 0x80, 0xf5, 0x7b)

/* Secrets are wiped before their memory is given back; the barrier keeps the compiler from
 * dropping a memset of memory that is not read again. */
static void wipe(void *p, size_t n) {
        memset(p, 0, n);
        __asm__ volatile("" : : "r"(p) : "memory");
}

/* Cleanup for secrets: wiped when they go out of scope, and freed if they are pool memory (a
 * result handed on, the installed table, is taken out of its variable first). */
typedef struct {
        void *data;
        size_t size;
} PoolSecret;

static void pool_secret_free(PoolSecret *s) {
        if (!s->data)
                return;
        wipe(s->data, s->size);
        BS->FreePool(s->data);
}

static void seed_table_freep(RandomSeedTable **t) {
        if (!*t)
                return;
        wipe(*t, sizeof(**t) + RANDOM_SEED_SIZE);
        BS->FreePool(*t);
}

static void seed_bytes_wipe(uint8_t (*p)[RANDOM_SEED_SIZE]) {
        wipe(*p, sizeof(*p));
}

/* The root of the ESP on the disk our device handle is a partition of (sd-stub 257 looks the
 * ESP up in that disk's GPT; we ask the firmware's partition driver through
 * EFI_PARTITION_INFO_PROTOCOL, which gives the same GPT entries). */
static EFI_STATUS esp_open(EFI_HANDLE device, EFI_FILE_PROTOCOL **ret) {
        static const EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
        static const EFI_GUID pi_guid = EFI_PARTITION_INFO_PROTOCOL_GUID;
        static const EFI_GUID sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
        static const EFI_GUID esp_guid = ESP_PARTITION_TYPE_GUID;
        _cleanup_pool_ EFI_HANDLE *handles = NULL;
        const void *dp;
        size_t n = 0;

        if (BS->HandleProtocol(device, &dp_guid, (void **) &dp) != EFI_SUCCESS)
                return EFI_NOT_FOUND;
        size_t prefix = device_path_disk_prefix(dp, DP_MAX);
        if (prefix == 0)
                return EFI_NOT_FOUND;   /* not a partition (a bare FAT image, a network boot) */
        if (BS->LocateHandleBuffer(ByProtocol, &pi_guid, NULL, &n, &handles) != EFI_SUCCESS)
                return EFI_NOT_FOUND;
        for (size_t i = 0; i < n; i++) {
                EFI_PARTITION_INFO_PROTOCOL *pi;
                const void *other;
                EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
                EFI_GUID type;
                if (BS->HandleProtocol(handles[i], &pi_guid, (void **) &pi) != EFI_SUCCESS || pi->Type != PARTITION_TYPE_GPT)
                        continue;
                memcpy(&type, (const uint8_t *) pi + offsetof(EFI_PARTITION_INFO_PROTOCOL, Info), sizeof(type));
                if (!guid_equal(&type, &esp_guid))
                        continue;
                if (BS->HandleProtocol(handles[i], &dp_guid, (void **) &other) != EFI_SUCCESS ||
                    device_path_disk_prefix(other, DP_MAX) != prefix || memcmp(other, dp, prefix) != 0)
                        continue;
                if (BS->HandleProtocol(handles[i], &sfs_guid, (void **) &fs) != EFI_SUCCESS)
                        continue;
                return fs->OpenVolume(fs, ret);
        }
        return EFI_NOT_FOUND;
}

/* LoaderSystemToken (LoaderInfo GUID, written once by bootctl): pool memory or NULL. */
static void *system_token(size_t *ret_size) {
        static const EFI_GUID loader_guid = LOADER_INFO_GUID;
        void *buf;
        if (efivar_get_pool(&loader_guid, u"LoaderSystemToken", TOKEN_MAX, &buf, ret_size) != EFI_SUCCESS)
                return NULL;
        return buf;
}

static bool boot_manager_did_it(void) {
        static const EFI_GUID loader_guid = LOADER_INFO_GUID;
        uint64_t features = 0;   /* little-endian, as every EFI target */
        if (!efivar_get_exact(&loader_guid, u"LoaderFeatures", &features, sizeof(features)))
                return false;
        return (features & LOADER_FEATURE_RANDOM_SEED) != 0;
}

/* Write n bytes at pos and flush. */
static EFI_STATUS write_at(EFI_FILE_PROTOCOL *f, uint64_t pos, const void *data, size_t n) {
        EFI_STATUS err = f->SetPosition(f, pos);
        if (err != EFI_SUCCESS)
                return err;
        size_t w = n;
        err = f->Write(f, &w, data);
        if (err == EFI_SUCCESS && w != n)
                err = EFI_PROTOCOL_ERROR;
        if (err == EFI_SUCCESS)
                err = f->Flush(f);
        return err;
}

static void refresh(EFI_LOADED_IMAGE_PROTOCOL *li) {
        static const EFI_GUID table_guid = LINUX_EFI_RANDOM_SEED_TABLE_GUID;
        static const EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;
        _cleanup_file_ EFI_FILE_PROTOCOL *root = NULL, *file = NULL;
        _cleanup_pool_ uint8_t *seed = NULL;
        _cleanup_(pool_secret_free) PoolSecret token = {};
        _cleanup_(seed_bytes_wipe) uint8_t rng_bytes[RANDOM_SEED_SIZE] = {}, new_file[RANDOM_SEED_SIZE] = {};
        _cleanup_(seed_table_freep) RandomSeedTable *table = NULL;
        EFI_STATUS err;

        if (!li->DeviceHandle)
                return;
        if (boot_manager_did_it()) {
                log_debug("random seed: the boot manager passed one already");
                return;
        }
        if (esp_open(li->DeviceHandle, &root) != EFI_SUCCESS)
                return;   /* no ESP on our disk: nothing to do, as sd-stub */

        RandomSeedTable *previous = config_table_find(&table_guid);
        size_t previous_size = previous ? random_seed_table_bytes(previous->size) : 0;

        EFI_RNG_PROTOCOL *rng = NULL;
        bool have_rng = BS->LocateProtocol(&rng_guid, NULL, (void **) &rng) == EFI_SUCCESS && rng &&
                        rng->GetRNG(rng, NULL, sizeof(rng_bytes), rng_bytes) == EFI_SUCCESS;

        token.data = system_token(&token.size);
        if (!random_seed_may_proceed(previous_size, have_rng, secure_boot_enabled(), token.size)) {
                log_warning("random seed: no EFI_RNG_PROTOCOL, no seed table and no LoaderSystemToken "
                         "(or Secure Boot): the seed file alone is not trusted");
                return;
        }

        /* A seed on a read-only volume would be the same on every boot: not used (262). */
        if (volume_read_only(root)) {
                log_debug("random seed: the ESP is read-only, not updating the random seed");
                return;
        }
        /* A missing file is made when the firmware seeded us (a previous table or EFI_RNG), and
         * one shorter than 32 bytes (made, and the power cut before it was filled) taken as
         * new: its contents are not hashed (sd-stub 262; 257 left both alone). */
        bool created = false;
        err = root->Open(root, &file, u"\\loader\\random-seed", EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, 0);
        if (err == EFI_NOT_FOUND && random_seed_seeded_by_efi(previous_size, have_rng)) {
                err = root->Open(root, &file, u"\\loader\\random-seed",
                                 EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE, 0);
                created = true;
        }
        if (err != EFI_SUCCESS) {
                if (err != EFI_NOT_FOUND && err != EFI_WRITE_PROTECTED && err != EFI_ACCESS_DENIED)
                        log_error_status(err, "random seed: cannot open \\loader\\random-seed");
                return;
        }
        uint64_t fsize = 0;
        if (!created) {
                uint64_t attr;
                err = file_size_attr(file, &fsize, &attr);
                if (err != EFI_SUCCESS) {
                        log_error_status(err, "random seed: cannot read the seed file's size");
                        return;
                }
                if (attr & EFI_FILE_READ_ONLY) {
                        log_debug("random seed: \\loader\\random-seed is read-only, not updating the random seed");
                        return;
                }
                if (fsize > RANDOM_SEED_FILE_MAX) {
                        log_error_status(EFI_INVALID_PARAMETER, "random seed: \\loader\\random-seed has %lu bytes (at most %u taken)",
                                         fsize, RANDOM_SEED_FILE_MAX);
                        return;
                }
                created = fsize < RANDOM_SEED_FILE_MIN;
        }
        if (!created) {
                if (BS->AllocatePool(EfiLoaderData, fsize, (void **) &seed) != EFI_SUCCESS) {
                        log_error_status(EFI_OUT_OF_RESOURCES, "random seed: cannot allocate");
                        return;
                }
                size_t rsize = fsize;
                err = file->Read(file, &rsize, seed);
                if (err == EFI_SUCCESS && rsize != fsize)
                        err = EFI_PROTOCOL_ERROR;
                if (err != EFI_SUCCESS) {
                        log_error_status(err, "random seed: cannot read \\loader\\random-seed");
                        return;
                }
        }

        uint64_t mono = 0;
        if (BS->GetNextMonotonicCount(&mono) != EFI_SUCCESS &&
            !random_seed_seeded_by_efi(previous_size, have_rng)) {
                log_error_status(EFI_DEVICE_ERROR, "random seed: no monotonic count");
                return;
        }
        EFI_TIME now;
        bool have_time = RT->GetTime(&now, NULL) == EFI_SUCCESS;

        if (BS->AllocatePool(EfiACPIReclaimMemory, sizeof(RandomSeedTable) + RANDOM_SEED_SIZE,
                             (void **) &table) != EFI_SUCCESS) {
                log_error_status(EFI_OUT_OF_RESOURCES, "random seed: cannot allocate the table");
                return;
        }
        RandomSeedInputs in = {
                .previous = previous ? previous->seed : NULL, .previous_size = previous_size,
                .rng = have_rng ? rng_bytes : NULL, .rng_size = sizeof(rng_bytes),
                .token = token.data, .token_size = token.size,
                .file = seed, .file_size = created ? 0 : fsize,
                .monotonic = mono,
                .time = have_time ? &now : NULL, .time_size = sizeof(now),
        };
        table->size = RANDOM_SEED_SIZE;
        random_seed_derive(&in, new_file, table->seed);

        /* The file first (its old contents must never be used twice): the bytes after the
         * first 32 zeroed, then the new seed at the start, each flushed. */
        if (seed)
                wipe(seed, fsize);
        if (!created && fsize > RANDOM_SEED_SIZE) {
                err = write_at(file, RANDOM_SEED_SIZE, seed, fsize - RANDOM_SEED_SIZE);
                if (err != EFI_SUCCESS) {
                        log_error_status(err, "random seed: cannot write \\loader\\random-seed");
                        return;
                }
        }
        err = write_at(file, 0, new_file, sizeof(new_file));
        if (err != EFI_SUCCESS) {
                log_error_status(err, "random seed: cannot write \\loader\\random-seed");
                return;
        }

        err = BS->InstallConfigurationTable(&table_guid, table);
        if (err != EFI_SUCCESS) {
                log_error_status(err, "random seed: cannot install the seed table");
                return;
        }
        table = NULL;   /* the kernel's now */
        if (previous) {
                /* replaced: wipe and free it, as sd-stub does */
                wipe(previous->seed, previous_size);
                wipe(previous, sizeof(*previous));
                BS->FreePool(previous);
        }
        log_info("random seed: \\loader\\random-seed %s, LINUX_EFI_RANDOM_SEED table installed (%s%s%s)",
                 created ? "made" : "refreshed", have_rng ? "EFI_RNG_PROTOCOL" : "no EFI_RNG_PROTOCOL",
                 previous ? ", previous table" : "", token.size ? ", LoaderSystemToken" : "");
}

void random_seed_refresh(EFI_LOADED_IMAGE_PROTOCOL *li) {
        refresh(li);
}
