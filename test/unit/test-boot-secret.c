/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The boot secret (src/fundamental/boot-secret.c, systemd-stub 262): the OS id of .osrel with
 * systemd-boot's line rules, the three hashes against values computed with Python's hashlib,
 * and the derivation against the secret sd-stub 262.1 gave on QEMU for a known variable
 * (read from the firmware's variable store after the boot), mixin and IMAGE_ID. */
#include "boot-secret.h"
#include "tests.h"

static void hex(const char *s, uint8_t *out, size_t n) {
        for (size_t i = 0; i < n; i++) {
                unsigned v;
                ASSERT_TRUE(sscanf(s + 2 * i, "%2x", &v) == 1);
                out[i] = (uint8_t) v;
        }
}

/* The id of text (to its first NUL, or len bytes) is want. */
static void id_is(const char *text, size_t len, const char *want) {
        const char *id;
        size_t n;
        boot_secret_os_id(text, len, &id, &n);
        ASSERT_EQ(n, strlen(want));
        ASSERT_TRUE(memcmp(id, want, n) == 0);
}
#define os_id_is(text, want) id_is(text, sizeof(text) - 1, want)

static void test_os_id(void) {
        os_id_is("NAME=\"Test\"\nID=debian\nIMAGE_ID=\"zboot-image\"\n", "zboot-image");
        os_id_is("ID=debian\n", "debian");
        os_id_is("NAME=x\n", "linux");
        os_id_is("", "linux");
        /* the first IMAGE_ID, the last ID */
        os_id_is("IMAGE_ID=a\nIMAGE_ID=b\n", "a");
        os_id_is("ID=a\r\nID=b\r\n", "b");
        /* blanks around the line go, a comment and a line without '=' are skipped */
        os_id_is("  \tID=spaced \t\n# ID=comment\nID\n", "spaced");
        os_id_is("ID=a\n#ID=b\n", "a");
        /* not trimmed inside: "ID =" is another key, a blank after '=' stays */
        os_id_is("ID =x\n", "linux");
        os_id_is("ID= x\n", " x");
        /* a run of '=' is skipped, quotes only as a pair around the value */
        os_id_is("ID==x\n", "x");
        os_id_is("ID=\"x\n", "\"x");
        os_id_is("ID=x\"\n", "x\"");
        os_id_is("ID=\"\n", "");
        os_id_is("ID='x'\n", "'x'");
        os_id_is("IMAGE_ID=\n", "");
        /* the text ends at a NUL; (NULL, 0) is empty */
        os_id_is("ID=a\0ID=b", "a");
        id_is(NULL, 0, "linux");
        /* a long value is taken whole (sd-stub hashes all of it) and points into the text */
        char long_text[600] = "IMAGE_ID=";
        memset(long_text + 9, 'x', 500);
        const char *id;
        size_t n;
        boot_secret_os_id(long_text, strlen(long_text), &id, &n);
        ASSERT_EQ(n, 500u);
        ASSERT_TRUE(id == long_text + 9);
}

static void test_hashes(void) {
        uint8_t seed[64], out[BOOT_SECRET_SIZE], want[BOOT_SECRET_SIZE];
        for (unsigned i = 0; i < sizeof(seed); i++)
                seed[i] = (uint8_t) i;
        boot_secret_from_seed(seed, sizeof(seed), out);
        hex("4816c2d479884c5fac3e5a9423b7192efd4565a5ff530104747817188298a102", want, sizeof(want));
        ASSERT_TRUE(memcmp(out, want, sizeof(want)) == 0);
        boot_secret_seed_evolve(seed, sizeof(seed));
        hex("b19eb776391c0fc4cd3d4f8fd9e425c637b784a025501839ba4419c7afff95e8", want, sizeof(want));
        ASSERT_TRUE(memcmp(seed, want, sizeof(want)) == 0);
        ASSERT_EQ(seed[32], 32);   /* only the first 32 bytes change */

        /* sd-stub 262.1 on QEMU: this LoaderBootSecret, mixin bytes 100..131, IMAGE_ID="zboot-image" */
        uint8_t var[BOOT_SECRET_SIZE], mixin[BOOT_SECRET_SIZE];
        hex("4ab31d0ef54f7277d01ef607322e7feb013de4b851f3c1e39966132132f94a04", var, sizeof(var));
        for (unsigned i = 0; i < sizeof(mixin); i++)
                mixin[i] = (uint8_t) (100 + i);
        boot_secret_derive(var, mixin, "zboot-image", 11, out);
        hex("4d1151a55a02b45de3d72be57e9ee6a749b1c4f19e39a304d2f74a22038117c1", want, sizeof(want));
        ASSERT_TRUE(memcmp(out, want, sizeof(want)) == 0);
        boot_secret_derive(var, mixin, "", 0, out);
        hex("4f8708ffe96158fc3c6d98f53392073fa34e8eb979778ef358f9834fb1241d84", want, sizeof(want));
        ASSERT_TRUE(memcmp(out, want, sizeof(want)) == 0);
}

int main(void) {
        TEST(test_os_id);
        TEST(test_hashes);
        return TESTS_END();
}
