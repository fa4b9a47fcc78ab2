/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the UKI stub's device path walkers (src/fundamental/device-path.c), which read the
 * firmware's device paths for StubDevicePartUUID/LoaderDevicePartUUID and StubImageIdentifier.
 * The input is a device path of exactly its size (unaligned, like firmware may hand it over).
 * Invariants: a partition UUID is 36 characters of uppercase hex and dashes at 8-13-18-23 and a
 * NUL; the file text is NUL-terminated inside the buffer, has no NUL inside, fits a buffer of
 * exactly its length + 1, and one unit less is refused (0) without writing past it; the disk
 * prefix (up to the last hard drive node) ends at such a node inside the path; the URL
 * (StubDeviceURL) is NUL-terminated, has no NUL inside, takes at most one unit per input byte,
 * fits a buffer of exactly its length + 1 and one unit less is refused.
 */
#include <stdlib.h>
#include <string.h>

#include "device-path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A text walker's result text[0..n] (n > 0) comes back the same in a buffer of exactly n + 1
 * units, and one unit less is refused (0). */
static void fits_exactly(size_t (*walk)(const void *, size_t, uint16_t *, size_t), const uint8_t *dp, size_t size,
                         const uint16_t *text, size_t n) {
        if (n == 0)
                return;
        uint16_t *exact = malloc((n + 1) * sizeof(uint16_t));
        if (!exact)
                return;
        if (walk(dp, size, exact, n + 1) != n || memcmp(exact, text, (n + 1) * sizeof(uint16_t)) != 0 ||
            walk(dp, size, exact, n) != 0)
                abort();
        free(exact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* a copy of exactly size bytes, so ASan sees any read past the path's bound */
        uint8_t *dp = malloc(size ? size : 1);
        if (!dp)
                return 0;
        memcpy(dp, data, size);

        uint16_t uuid[DEVICE_PATH_UUID_LEN + 1];
        if (device_path_partition_uuid(dp, size, uuid)) {
                for (size_t i = 0; i < DEVICE_PATH_UUID_LEN; i++) {
                        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                        uint16_t c = uuid[i];
                        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
                                abort();
                }
                if (uuid[DEVICE_PATH_UUID_LEN] != 0)
                        abort();
        }

        /* the disk prefix ends where a hard drive node starts, with its 4 header bytes inside */
        size_t prefix = device_path_disk_prefix(dp, size);
        if (prefix > 0) {
                if (prefix + 4 > size || dp[prefix] != 0x04 || dp[prefix + 1] != 0x01)
                        abort();
        }

        /* each text unit takes 2 input bytes, each node at most one separator: size + 1 suffices */
        size_t cap = size + 1;
        uint16_t *text = malloc(cap * sizeof(uint16_t));
        if (!text) {
                free(dp);
                return 0;
        }
        size_t n = device_path_file_text(dp, size, text, cap);
        if (n >= cap || (n > 0 && text[n] != 0))
                abort();
        for (size_t i = 0; i < n; i++)
                if (text[i] == 0)
                        abort();
        fits_exactly(device_path_file_text, dp, size, text, n);
        /* the URL: at most one unit per input byte, so size + 1 units suffice */
        n = device_path_uri_text(dp, size, text, cap);
        if (n >= cap || text[n] != 0)
                abort();
        for (size_t i = 0; i < n; i++)
                if (text[i] == 0)
                        abort();
        fits_exactly(device_path_uri_text, dp, size, text, n);
        free(text);
        free(dp);
        return 0;
}
