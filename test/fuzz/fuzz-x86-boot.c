/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: the loader's use of an untrusted decompressed x86 payload — trailer, relocation
 * table (checked, then applied with a delta from the input), virtual slot choice — and the e820
 * conversion, sanity check and slot choice of an arbitrary memory map. Must never touch memory outside the buffer;
 * the relocation must agree with an entry-by-entry reference (verdict, bad index, bytes). */
#include <stdlib.h>
#include <string.h>

#include "slots.h"
#include "x86-boot.h"

/* x86_relocate() as its contract reads (x86-boot.h), entry by entry with no shortcut: every
 * entry of each list at least the one before it (the running sum of the differences never
 * passes 2^32) and inside the image for its width; then every patch. */
static X86RelocResult reloc_reference(uint8_t *image, size_t len, const X86PayloadInfo *info, uint64_t delta,
                                      size_t *ret_bad) {
        if (info->relocs_offset > len || info->relocs_size < 12 || info->relocs_size > len - info->relocs_offset ||
            info->image_size > info->relocs_offset)
                return X86R_BAD_TABLE;
        const uint8_t *rel = image + info->relocs_offset;
        uint64_t n[3] = { get_le32(rel), get_le32(rel + 4), get_le32(rel + 8) };
        if (12 + 4 * (n[0] + n[1] + n[2]) != info->relocs_size)
                return X86R_BAD_TABLE;
        for (int pass = 0; pass < 2; pass++) {
                const uint8_t *e = rel + 12;
                size_t index = 0;
                for (unsigned list = 0; list < 3; list++) {
                        uint64_t entry = 0, width = list == 0 ? 8 : 4;
                        for (uint64_t i = 0; i < n[list]; i++, e += 4, index++) {
                                entry += get_le32(e);
                                if (entry > UINT32_MAX) {
                                        *ret_bad = index;
                                        return X86R_UNSORTED;
                                }
                                uint64_t va = (uint64_t) (int64_t) (int32_t) (uint32_t) entry;
                                if (va < info->virt_base || va - info->virt_base > info->image_size ||
                                    width > info->image_size - (va - info->virt_base)) {
                                        *ret_bad = index;
                                        return X86R_OUT_OF_IMAGE;
                                }
                                if (pass == 0)
                                        continue;
                                uint8_t *p = image + (va - info->virt_base);
                                if (list == 0)
                                        put_le64(p, get_le64(p) + delta);
                                else if (list == 1)
                                        put_le32(p, get_le32(p) - (uint32_t) delta);
                                else
                                        put_le32(p, get_le32(p) + (uint32_t) delta);
                        }
                }
                if (delta == 0)
                        break;
        }
        return X86R_OK;
}

/* Does the write-back RAM of the map cover [a, a + GIB)? Walked from a, descriptor after
 * descriptor (the reference for x86_gib_cover(), which sums pieces instead). */
static bool covered_reference(const uint8_t *map, size_t n, size_t stride, uint64_t a) {
        uint64_t cur = a;
        for (size_t step = 0; step <= n && cur - a < GIB; step++) {
                bool moved = false;
                for (size_t i = 0; i < n && !moved; i++) {
                        const uint8_t *d = map + i * stride;
                        uint32_t t = get_le32(d);
                        uint64_t s = get_le64(d + 8), p = get_le64(d + 24);
                        bool ram = (t >= 1 && t <= 7) || t == 9 || t == 10 || t == 14;
                        if (!ram || !(get_le64(d + 32) & 8) || p == 0 || cur < s || (cur - s) >> 12 >= p)
                                continue;
                        cur = s + ((p - 1) << 12) + 4096 - 1 >= a + GIB - 1 ? a + GIB : s + (p << 12);
                        moved = true;
                }
                if (!moved)
                        return false;
        }
        return cur - a >= GIB;
}

/* x86_gib_cover() on an accepted map: a GiB gets its bit exactly when it is at or above 4 GiB
 * and covered; the page tables it asks for have the size that says. */
static void gib_cover_check(const uint8_t *map, size_t n, size_t stride, uint64_t n_gib, bool la57) {
        uint8_t bits[9];
        if (!x86_gib_cover(map, n * stride, stride, bits, n_gib))
                __builtin_trap();
        uint64_t n_2m = 0;
        for (uint64_t g = 0; g < n_gib; g++) {
                bool want = g >= X86_PGTABLE_2M_END / GIB && covered_reference(map, n, stride, g * GIB);
                if (((bits[g / 8] >> (g % 8)) & 1) != want)
                        __builtin_trap();
                n_2m += !want;
        }
        if (x86_pgtable_size(n_gib * GIB, la57, bits) != (la57 + 1 + 1 + n_2m) * 4096)
                __builtin_trap();
}

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
                uint8_t *want = malloc(size);
                if (!want) {
                        free(copy);
                        return 0;
                }
                memcpy(want, data, size);
                size_t bad = SIZE_MAX, want_bad = SIZE_MAX;
                X86RelocResult r = x86_relocate(copy, size, &info, delta, &bad);
                X86RelocResult w = reloc_reference(want, size, &info, delta, &want_bad);
                /* the same verdict, the same bad entry, the same bytes (untouched when refused) */
                if (r != w || (r != X86R_OK && r != X86R_BAD_TABLE && bad != want_bad) || memcmp(copy, want, size) != 0)
                        __builtin_trap();
                free(want);
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
                gib_cover_check(data, mn, mstride, 5 + ((delta >> 8) & 63), delta & 1);
        } else if (bad >= (mn ? mn : 1))
                __builtin_trap();
        (void) x86_pgtable_size(delta, delta & 1, NULL);
        return 0;
}
