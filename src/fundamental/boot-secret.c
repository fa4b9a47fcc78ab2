/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See boot-secret.h. SHA-256 is libmd's sha2.c (src/upstream), never our own. */
#include <sha2.h>
#include <string.h>

#include "boot-secret.h"
#include "unaligned.h"

static bool blank(char c) {
        return c == ' ' || c == '\t';
}

void boot_secret_os_id(const char *p, size_t len, const char **ret, size_t *ret_len) {
        size_t end = p ? strnlen(p, len) : 0, pos = 0;
        *ret = "linux";
        *ret_len = 5;
        while (pos < end) {
                /* one line: up to \n or \r */
                size_t s = pos;
                while (pos < end && p[pos] != '\n' && p[pos] != '\r')
                        pos++;
                size_t e = pos;
                if (pos < end)
                        pos++;
                while (s < e && blank(p[s]))
                        s++;
                while (e > s && blank(p[e - 1]))
                        e--;
                if (s == e || p[s] == '#')
                        continue;
                size_t k = s;
                while (k < e && p[k] != '=')
                        k++;
                if (k == e)
                        continue;   /* no '=' */
                size_t key_len = k - s, v = k;
                while (v < e && p[v] == '=')
                        v++;
                size_t vend = e;
                if (v < e && p[v] == '"' && p[e - 1] == '"') {
                        v++;
                        vend = e - 1 < v ? v : e - 1;
                }
                bool image_id = key_len == 8 && memcmp(p + s, "IMAGE_ID", 8) == 0;
                if (image_id || (key_len == 2 && memcmp(p + s, "ID", 2) == 0)) {
                        *ret = p + v;
                        *ret_len = vend - v;
                        if (image_id)
                                return;   /* the first IMAGE_ID wins; the last ID otherwise */
                }
        }
}

static void seed_hash(const char *label, const uint8_t *seed, uint32_t size, uint8_t out[BOOT_SECRET_SIZE]) {
        SHA2_CTX ctx;
        uint8_t le[4];
        put_le32(le, size);
        SHA256Init(&ctx);
        SHA256Update(&ctx, (const uint8_t *) label, strlen(label));
        SHA256Update(&ctx, le, sizeof(le));
        if (size > 0)
                SHA256Update(&ctx, seed, size);
        SHA256Final(out, &ctx);
        memset(&ctx, 0, sizeof(ctx));
        __asm__ volatile("" : : "r"(&ctx) : "memory");
}

void boot_secret_from_seed(const uint8_t *seed, uint32_t size, uint8_t out[BOOT_SECRET_SIZE]) {
        seed_hash("systemd-stub random seed make secret label v1", seed, size, out);
}

void boot_secret_seed_evolve(uint8_t *seed, uint32_t size) {
        uint8_t d[BOOT_SECRET_SIZE];
        seed_hash("systemd-stub random seed evolve label v1", seed, size, d);
        memcpy(seed, d, sizeof(d));
        memset(d, 0, sizeof(d));
        __asm__ volatile("" : : "r"(d) : "memory");
}

void boot_secret_derive(const uint8_t variable[BOOT_SECRET_SIZE], const uint8_t mixin[BOOT_SECRET_SIZE], const char *id,
                        size_t id_len, uint8_t out[BOOT_SECRET_SIZE]) {
        static const char label[] = "systemd-stub derive secret label v1";
        SHA2_CTX ctx;
        uint8_t le[8];
        put_le64(le, id_len);
        SHA256Init(&ctx);
        SHA256Update(&ctx, (const uint8_t *) label, sizeof(label) - 1);
        SHA256Update(&ctx, variable, BOOT_SECRET_SIZE);
        SHA256Update(&ctx, mixin, BOOT_SECRET_SIZE);
        SHA256Update(&ctx, le, sizeof(le));
        if (id_len > 0)
                SHA256Update(&ctx, (const uint8_t *) id, id_len);
        SHA256Final(out, &ctx);
        memset(&ctx, 0, sizeof(ctx));
        __asm__ volatile("" : : "r"(&ctx) : "memory");
}
