/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: the loader's use of an untrusted decompressed x86 payload — trailer, relocation
 * table (checked, then applied with a delta from the input), virtual slot choice — and the e820
 * conversion of an arbitrary memory map. Must never touch memory outside the buffer. */
#include <stdlib.h>
#include <string.h>

#include "x86-boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 8)
                return 0;
        uint64_t delta;
        memcpy(&delta, data, 8);
        data += 8;
        size -= 8;

        X86PayloadInfo info;
        if (x86_payload_parse(data, size, &info) == X86P_OK) {
                uint8_t *copy = malloc(size);
                if (!copy)
                        return 0;
                memcpy(copy, data, size);
                size_t bad;
                (void) x86_relocate(copy, size, &info, delta, &bad);
                uint64_t off = x86_virt_offset(&info, delta, true);
                if (off % info.kernel_alignment || info.phys_base + off > X86_KERNEL_IMAGE_WINDOW)
                        __builtin_trap();
                static uint8_t bp[BP_SIZE];
                (void) x86_bp_init(bp, copy, &info);
                free(copy);
        }

        size_t stride = EFI_DESC_MIN_SIZE + (delta & 15), n = size / stride;
        uint8_t out[8 * E820_ENTRY_SIZE];
        if (x86_e820_from_efi(data, n, stride, out, 8) > n)
                __builtin_trap();
        (void) x86_pgtable_size(delta, delta & 1);
        return 0;
}
