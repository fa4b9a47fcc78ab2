/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boot secret of systemd-stub 262, the pure part (docs/stub.md "Boot secret"): a 32-byte
 * secret for the OS in /.extra/boot-secret, SHA-256 over a label, a per-machine secret kept in a
 * boot-services-only EFI variable (LoaderBootSecret), a per-disk "mixin" file on the ESP
 * (\loader\boot-secret-mixin) and an OS id from the UKI's .osrel; the variable and the mixin
 * are made, when missing, from the LINUX_EFI_RANDOM_SEED table, whose seed is then evolved so
 * that it is never used twice. The EFI side (src/boot/zboot/boot-secret.c) reads and writes
 * them. SHA-256 is libmd's.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_SECRET_SIZE 32u
/* The OS id in os-release text (p, len; it ends at the first NUL): the first IMAGE_ID=, else
 * the last ID=, else "linux", with systemd-boot's line rules: lines end at \n or \r, spaces and
 * tabs around a line are dropped, a line starting with '#' and one without '=' are skipped, the
 * key is what comes before the first '=', the value what follows the run of '=', and a value
 * that starts with '"' while the line ends with '"' loses both quotes (the key and value are not
 * trimmed otherwise). *ret points into the text (or at a static "linux"), *ret_len is its
 * length, whatever it is: the whole value is hashed, as sd-stub does. */
void boot_secret_os_id(const char *p, size_t len, const char **ret, size_t *ret_len);

/* A new secret from the random seed table's bytes (seed, size = the table's u32 size field,
 * which is hashed too): SHA-256("systemd-stub random seed make secret label v1" || size (u32,
 * little-endian) || seed). */
void boot_secret_from_seed(const uint8_t *seed, uint32_t size, uint8_t out[BOOT_SECRET_SIZE]);

/* The seed evolved after each secret taken from it: its first 32 bytes become SHA-256("systemd-
 * stub random seed evolve label v1" || size || seed). size >= 32. */
void boot_secret_seed_evolve(uint8_t *seed, uint32_t size);

/* The secret for the OS: SHA-256("systemd-stub derive secret label v1" || variable || mixin ||
 * the id's length (u64, little-endian) || id). */
void boot_secret_derive(const uint8_t variable[BOOT_SECRET_SIZE], const uint8_t mixin[BOOT_SECRET_SIZE], const char *id,
                        size_t id_len, uint8_t out[BOOT_SECRET_SIZE]);
