/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: the loader's use of an untrusted decompressed x86 payload — trailer, relocation
 * table (checked, then applied with a delta from the input), virtual slot choice — and the e820
 * conversion, sanity check and slot choice of an arbitrary memory map. Must never touch memory outside the buffer. */
#include <stdlib.h>
#include <string.h>

#include "slots.h"
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
        if (x86_e820_from_efi(data, size, stride, out, 8) > n)
                __builtin_trap();
        /* The same bytes as a firmware memory map: the sanity check must agree with itself on
         * every accepted map (no descriptor wraps, none overlaps another), and a slot chosen in
         * an accepted map lies in one conventional descriptor. */
        size_t bad, mstride = EFI_MAP_DESC_MIN_SIZE + 8 * ((delta >> 4) & 3), mn = size / mstride;
        if (efi_map_check(data, mn * mstride, mstride, &bad) == EFI_MAP_OK) {
                for (size_t i = 0; i < mn; i++) {
                        uint64_t s = get_le64(data + i * mstride + 8), p = get_le64(data + i * mstride + 24);
                        if ((s & 4095) || (p && (p > (UINT64_MAX >> 12) || (p << 12) - 1 > UINT64_MAX - s)))
                                __builtin_trap();
                }
                uint64_t addr, want = (delta & 0xffff) << 12;
                if (slots_choose_efi(data, mn * mstride, mstride, EFI_MAP_CONVENTIONAL, want ? want : 4096, 1u << 21, 0,
                                     UINT64_MAX, delta, delta & 1, &addr)) {
                        bool inside = false;
                        for (size_t i = 0; i < mn && !inside; i++) {
                                const uint8_t *d = data + i * mstride;
                                uint64_t s = get_le64(d + 8), len = get_le64(d + 24) << 12;
                                inside = get_le32(d) == EFI_MAP_CONVENTIONAL && addr >= s && addr - s < len &&
                                         len - (addr - s) >= (want ? want : 4096);
                        }
                        if (!inside || addr % (1u << 21))
                                __builtin_trap();
                }
        } else if (bad >= (mn ? mn : 1))
                __builtin_trap();
        (void) x86_pgtable_size(delta, delta & 1);
        return 0;
}
