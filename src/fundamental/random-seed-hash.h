/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boot loader random seed as systemd-stub 257 refreshes it (docs/stub.md "Random seed"):
 * the inputs (a seed table an earlier loader installed, EFI_RNG_PROTOCOL bytes, the
 * LoaderSystemToken variable, the ESP's \loader\random-seed file, the monotonic count, the
 * time) are hashed with SHA-256 into a key; SHA-256(key || 0x00) replaces the file's first 32
 * bytes, SHA-256(key || 0x01) becomes the LINUX_EFI_RANDOM_SEED table the kernel credits.
 * Pure: the EFI side (src/boot/zboot/random-seed.c) gathers the inputs. SHA-256 is libmd's.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RANDOM_SEED_SIZE 32u               /* what we hand the kernel and write back */
#define RANDOM_SEED_FILE_MIN 32u           /* \loader\random-seed size bounds (as 257) */
#define RANDOM_SEED_FILE_MAX (32u * 1024u)
#define RANDOM_SEED_TABLE_MAX 1024u        /* a previous table's seed bytes read at most (the kernel's own cap) */

/* LINUX_EFI_RANDOM_SEED_TABLE_GUID 1ce1e5bc-7ceb-42f2-81e5-8aadf180f57b: u32 size, then the seed. */
typedef struct {
        uint32_t size;
        uint8_t seed[];
} RandomSeedTable;

typedef struct {
        const void *previous;      /* the previous table's seed bytes, or NULL (none) */
        size_t previous_size;
        const void *rng;           /* EFI_RNG_PROTOCOL bytes, or NULL (none) */
        size_t rng_size;
        const void *token;         /* LoaderSystemToken, or NULL */
        size_t token_size;
        const void *file;          /* \loader\random-seed contents */
        size_t file_size;
        uint64_t monotonic;        /* GetNextMonotonicCount (0 when it failed) */
        const void *time;          /* EFI_TIME bytes, or NULL when GetTime failed */
        size_t time_size;
} RandomSeedInputs;

/* Whether a seed may be made, in 257's order of checks, given what is known at each step.
 * previous_size: seed bytes of a table already installed (0: none); an EFI_RNG result; Secure
 * Boot; the token's size (0: none). A previous table of at least 32 bytes or EFI_RNG counts as
 * "seeded by the firmware"; without either 257 gives up under Secure Boot (the ESP is not
 * authenticated) and when there is no token of at least 32 bytes. */
bool random_seed_may_proceed(size_t previous_size, bool have_rng, bool secure_boot, size_t token_size);

/* Whether the firmware seeded us (a previous table of at least 32 bytes or EFI_RNG bytes): then
 * a failed monotonic counter does not stop the refresh. */
bool random_seed_seeded_by_efi(size_t previous_size, bool have_rng);

/* The file's new first 32 bytes and the kernel's seed from the inputs. */
void random_seed_derive(const RandomSeedInputs *in, uint8_t ret_file[RANDOM_SEED_SIZE],
                        uint8_t ret_kernel[RANDOM_SEED_SIZE]);

/* How many seed bytes of a table whose size field says size to read (at most
 * RANDOM_SEED_TABLE_MAX). */
size_t random_seed_table_bytes(uint32_t size);
