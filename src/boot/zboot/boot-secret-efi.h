/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "boot-secret.h"   /* src/fundamental: BOOT_SECRET_SIZE and the hashes */
#include "efi.h"
#include "proto/loaded-image.h"

/* Boot step (UKI stub), as systemd-stub 262 (docs/stub.md "Boot secret"): the secret for
 * /.extra/boot-secret from LoaderBootSecret (NV|BS, never visible to the OS; made from the
 * LINUX_EFI_RANDOM_SEED table when missing), \loader\boot-secret-mixin on the volume we were
 * loaded from (made likewise when it is empty or new) and the OS id of osrel (the UKI's .osrel,
 * size bytes; NULL: none). Needs the random seed table (random_seed_refresh() before). False,
 * with ret zeroed, when there is none to give (logged at debug level: sd-stub is silent too);
 * the caller wipes ret after use. */
bool boot_secret_prepare(EFI_LOADED_IMAGE_PROTOCOL *li, const void *osrel, size_t osrel_size,
                         uint8_t ret[BOOT_SECRET_SIZE]);

/* The secret as run() keeps it until the kernel has it: wiped when it goes out of scope. */
typedef struct {
        uint8_t b[BOOT_SECRET_SIZE];
        bool have;
} BootSecret;

static inline void boot_secret_wipe(BootSecret *s) {
        memset(s->b, 0, sizeof(s->b));
        __asm__ volatile("" : : "r"(s->b) : "memory");
        s->have = false;
}
