/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The /sys and /proc text parsers of `ukify-zboot kexec` (src/fundamental/x86-kexec.c) and the
 * hole finder on what they produce. The input is read as /proc/iomem text and as
 * /sys/firmware/memmap entry files and /sys/firmware/efi/systab. Invariants: the iomem count is
 * the same with and without an output buffer, every entry has a size and does not wrap, and a
 * hole found lies inside one RAM entry, is aligned, within the limits and overlaps no used range.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x86-kexec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *t = (const char *) data;
        size_t n = x86_e820_from_iomem(t, size, NULL, 0);
        uint8_t *e = malloc((n + 1) * E820_ENTRY_SIZE);
        if (!e)
                return 0;
        assert(x86_e820_from_iomem(t, size, e, n) == n);
        for (size_t i = 0; i < n; i++) {
                uint64_t a = get_le64(e + i * E820_ENTRY_SIZE), l = get_le64(e + i * E820_ENTRY_SIZE + 8);
                assert(l > 0 && a <= UINT64_MAX - (l - 1));
                assert(get_le32(e + i * E820_ENTRY_SIZE + 16) != 0);
        }
        x86_e820_sort(e, n);
        for (size_t i = 1; i < n; i++)
                assert(get_le64(e + (i - 1) * E820_ENTRY_SIZE) <= get_le64(e + i * E820_ENTRY_SIZE));

        /* limits from the first bytes */
        uint64_t w[4] = {};
        memcpy(w, data, size < sizeof(w) ? size : sizeof(w));
        uint64_t hsize = (w[0] % (UINT64_C(1) << 34)) + 1, align = UINT64_C(1) << (w[1] % 31);
        uint64_t min = w[2] % (UINT64_C(1) << 36), max = min + (w[3] % (UINT64_C(1) << 40));
        X86Range used[2] = { { w[2] ^ w[3], w[0] % (UINT64_C(1) << 32) }, { w[1], w[3] % (UINT64_C(1) << 30) } };
        for (int td = 0; td <= 1; td++) {
                uint64_t a;
                if (!x86_kexec_find_hole(e, n, used, 2, hsize, align, min, max, td, &a))
                        continue;
                assert(a % align == 0 && a >= min && a <= max && hsize <= max - a);
                bool in_ram = false;
                for (size_t i = 0; i < n; i++) {
                        const uint8_t *x = e + i * E820_ENTRY_SIZE;
                        uint64_t s = get_le64(x), l = get_le64(x + 8);
                        if (get_le32(x + 16) == E820_RAM && a >= s && a - s <= l && hsize <= l - (a - s))
                                in_ram = true;
                        if (get_le32(x + 16) != E820_RAM)
                                assert(a < s ? s - a >= hsize : a - s >= l);
                }
                assert(in_ram);
                for (size_t i = 0; i < 2; i++)
                        assert(used[i].size == 0 ||
                               (a < used[i].start ? used[i].start - a >= hsize : a - used[i].start >= used[i].size));
        }
        free(e);

        /* the input as three NUL-separated memmap files, and as systab */
        const char *p[3] = { t, NULL, NULL };
        size_t l[3] = { size, 0, 0 }, k = 0;
        for (size_t i = 0; i < size && k < 2; i++)
                if (data[i] == 0) {
                        l[k] = (size_t) (t + i - p[k]);
                        k++;
                        p[k] = t + i + 1;
                        l[k] = size - i - 1;
                }
        uint8_t one[E820_ENTRY_SIZE];
        if (k == 2 && x86_memmap_entry(p[0], l[0], p[1], l[1], p[2], l[2], one))
                assert(get_le64(one + 8) > 0);
        uint64_t v;
        (void) x86_systab_value(t, size, "ACPI20", &v);
        (void) x86_parse_hex(t, size, &v);
        return 0;
}
