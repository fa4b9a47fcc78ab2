/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See random-seed-hash.h. SHA-256 is libmd's sha2.c (src/upstream), never our own. */
#include <sha2.h>
#include <string.h>

#include "random-seed-hash.h"

/* systemd-boot's domain separation label, hashed first and without a length. */
static const char label[] = "systemd-boot random seed label v1";

/* Each input as its length (a 64-bit little-endian word, the size_t 257 hashes on 64-bit
 * machines), then its bytes. */
static void hash_input(SHA2_CTX *ctx, const void *data, size_t size) {
        uint64_t n = size;
        uint8_t le[8];
        for (unsigned i = 0; i < 8; i++)
                le[i] = (uint8_t) (n >> (8 * i));
        SHA256Update(ctx, le, sizeof(le));
        if (size > 0)
                SHA256Update(ctx, data, size);
}

bool random_seed_seeded_by_efi(size_t previous_size, bool have_rng) {
        return previous_size >= RANDOM_SEED_SIZE || have_rng;
}

bool random_seed_may_proceed(size_t previous_size, bool have_rng, bool secure_boot, size_t token_size) {
        bool seeded = random_seed_seeded_by_efi(previous_size, have_rng);
        if (!have_rng && !seeded && secure_boot)
                return false;
        if (token_size < RANDOM_SEED_SIZE && !seeded)
                return false;
        return true;
}

size_t random_seed_table_bytes(uint32_t size) {
        return size > RANDOM_SEED_TABLE_MAX ? RANDOM_SEED_TABLE_MAX : size;
}

static void finish_with(const uint8_t key[RANDOM_SEED_SIZE], uint8_t suffix, uint8_t out[RANDOM_SEED_SIZE]) {
        SHA2_CTX ctx;
        SHA256Init(&ctx);
        SHA256Update(&ctx, key, RANDOM_SEED_SIZE);
        SHA256Update(&ctx, &suffix, 1);
        SHA256Final(out, &ctx);
        memset(&ctx, 0, sizeof(ctx));
}

void random_seed_derive(const RandomSeedInputs *in, uint8_t ret_file[RANDOM_SEED_SIZE],
                        uint8_t ret_kernel[RANDOM_SEED_SIZE]) {
        SHA2_CTX ctx;
        uint8_t key[SHA256_DIGEST_LENGTH], mono[8];

        SHA256Init(&ctx);
        SHA256Update(&ctx, (const uint8_t *) label, sizeof(label) - 1);
        hash_input(&ctx, in->previous, in->previous ? in->previous_size : 0);
        hash_input(&ctx, in->rng, in->rng ? in->rng_size : 0);
        hash_input(&ctx, in->token, in->token ? in->token_size : 0);
        hash_input(&ctx, in->file, in->file_size);
        for (unsigned i = 0; i < 8; i++)
                mono[i] = (uint8_t) (in->monotonic >> (8 * i));
        hash_input(&ctx, mono, sizeof(mono));
        hash_input(&ctx, in->time, in->time ? in->time_size : 0);
        SHA256Final(key, &ctx);

        finish_with(key, 0, ret_file);
        finish_with(key, 1, ret_kernel);
        memset(key, 0, sizeof(key));
        memset(&ctx, 0, sizeof(ctx));
}
