/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The random seed derivation of systemd-stub 257 (random-seed-hash.c): outputs against values
 * computed independently with Python's hashlib over the same construction (label, then each
 * input as a 64-bit little-endian length and its bytes; key; SHA-256(key||0), SHA-256(key||1)),
 * and 257's decision rules (EFI_RNG / previous table / LoaderSystemToken / Secure Boot). */
#include "random-seed-hash.h"
#include "tests.h"

static void hex(const uint8_t *b, size_t n, char *out) {
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_derive_all_inputs(void) {
        uint8_t prev[32], rng[32], tok[32], file[64], time[16], f[32], k[32];
        char hf[65], hk[65];
        for (unsigned i = 0; i < 32; i++)
                prev[i] = (uint8_t) i, rng[i] = 0xa5, tok[i] = 'T';
        for (unsigned i = 0; i < 64; i++)
                file[i] = (uint8_t) i;
        for (unsigned i = 0; i < 16; i++)
                time[i] = (uint8_t) (100 + i);
        RandomSeedInputs in = {
                .previous = prev, .previous_size = 32, .rng = rng, .rng_size = 32, .token = tok,
                .token_size = 32, .file = file, .file_size = 64, .monotonic = UINT64_C(0x0102030405060708),
                .time = time, .time_size = 16,
        };
        random_seed_derive(&in, f, k);
        hex(f, 32, hf);
        hex(k, 32, hk);
        ASSERT_STREQ(hf, "9438d7eb77cc39546c225dd44b9a6a1d63681caf83d6e3f035bdf28c57bd0277");
        ASSERT_STREQ(hk, "f052423d05de04deb99e50ba4e0f3a1e79be077ccb83b429a0da48d9ed805d0b");
}

static void test_derive_missing_inputs(void) {
        /* no previous table, no token, no time: each still contributes its zero length */
        uint8_t rng[32], file[32] = {}, f[32], k[32];
        char hf[65], hk[65];
        memset(rng, 0xa5, sizeof(rng));
        RandomSeedInputs in = { .rng = rng, .rng_size = 32, .file = file, .file_size = 32,
                                .token_size = 99 /* ignored without a token */ };
        random_seed_derive(&in, f, k);
        hex(f, 32, hf);
        hex(k, 32, hk);
        ASSERT_STREQ(hf, "453ad4513c79ac5a7ef735f3744ae608526da4526e528b38b89fda2d59926f41");
        ASSERT_STREQ(hk, "795c1cbc5aaf3cc0056a3f3173bec65a889aa4713769f6cb679dcb4777086b59");
        /* any input changes both outputs, and the two outputs differ */
        uint8_t f2[32], k2[32];
        in.monotonic = 1;
        random_seed_derive(&in, f2, k2);
        ASSERT_TRUE(memcmp(f, f2, 32) != 0 && memcmp(k, k2, 32) != 0 && memcmp(f2, k2, 32) != 0);
}

static void test_rules(void) {
        /* EFI_RNG alone is enough, Secure Boot or not, with or without a token */
        ASSERT_TRUE(random_seed_may_proceed(0, true, true, 0));
        ASSERT_TRUE(random_seed_may_proceed(0, true, false, 0));
        /* a previous table of at least 32 bytes counts as seeded by the firmware */
        ASSERT_TRUE(random_seed_may_proceed(32, false, true, 0));
        ASSERT_TRUE(!random_seed_may_proceed(31, false, false, 0));
        /* without either: never under Secure Boot; otherwise only with a token of 32+ bytes */
        ASSERT_TRUE(!random_seed_may_proceed(0, false, true, 32));
        ASSERT_TRUE(random_seed_may_proceed(0, false, false, 32));
        ASSERT_TRUE(!random_seed_may_proceed(0, false, false, 31));
        ASSERT_TRUE(random_seed_seeded_by_efi(0, true) && random_seed_seeded_by_efi(32, false));
        ASSERT_TRUE(!random_seed_seeded_by_efi(31, false));
        /* a table's size field is read up to the kernel's 1 KiB cap */
        ASSERT_EQ(random_seed_table_bytes(32), 32u);
        ASSERT_EQ(random_seed_table_bytes(UINT32_MAX), (size_t) RANDOM_SEED_TABLE_MAX);
}

int main(void) {
        TEST(test_derive_all_inputs);
        TEST(test_derive_missing_inputs);
        TEST(test_rules);
        return TESTS_END();
}
