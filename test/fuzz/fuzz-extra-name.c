/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The side-loaded file rules (extra-name.c) on arbitrary input: as a FilePath device path, as a
 * UCS-2 path and file name; a name that passes is packed by the cpio writer (cpio.c), which must
 * count and write the same size, stay inside its buffer and give a 4-aligned archive. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpio.h"
#include "extra-name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint16_t dir[300];
        size_t k = extra_dir_from_device_path(data, size, dir, 300);
        if (k >= 300 || (k > 0 && dir[k] != 0))
                abort();

        size_t units = size / 2;
        uint16_t *u = malloc((units ? units : 1) * sizeof(uint16_t));
        if (!u)
                return 0;
        for (size_t i = 0; i < units; i++)
                u[i] = (uint16_t) (data[2 * i] | data[2 * i + 1] << 8);
        k = extra_dir_name(u, units, dir, 300);
        if (k >= 300 || (k > 0 && dir[k] != 0))
                abort();
        (void) extra_name_match(u, units, ".raw", ".confext.raw");

        char name[EXTRA_NAME_MAX + 1];
        size_t n = extra_name_ascii(u, units, name, sizeof(name));
        free(u);
        if (n > EXTRA_NAME_MAX || (n > 0 && (name[n] != 0 || name[0] == '.' || strchr(name, '/'))))
                abort();
        if (n == 0)
                return 0;
        CpioWriter w;
        size_t need = 0, got = 0;
        cpio_writer_init(&w, NULL, 0);
        cpio_add_dirs(&w, ".extra/credentials", 0500);
        cpio_add_file(&w, ".extra/credentials", name, n, data, size, 0400);
        cpio_add_trailer(&w);
        if (!cpio_writer_done(&w, &need) || need % 4 != 0)
                abort();
        uint8_t *buf = malloc(need);
        if (!buf)
                return 0;
        cpio_writer_init(&w, buf, need);
        cpio_add_dirs(&w, ".extra/credentials", 0500);
        cpio_add_file(&w, ".extra/credentials", name, n, data, size, 0400);
        cpio_add_trailer(&w);
        if (!cpio_writer_done(&w, &got) || got != need || memcmp(buf, "070701", 6) != 0)
                abort();
        /* one byte short must fail, not overflow */
        cpio_writer_init(&w, buf, need - 1);
        cpio_add_dirs(&w, ".extra/credentials", 0500);
        cpio_add_file(&w, ".extra/credentials", name, n, data, size, 0400);
        cpio_add_trailer(&w);
        if (cpio_writer_done(&w, NULL))
                abort();
        free(buf);
        return 0;
}
