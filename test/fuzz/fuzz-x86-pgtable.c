/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the identity page tables the x86 kernel is entered with and the screen_info
 * conversion of a GOP mode (src/fundamental/x86-boot.c). Input: map_end, buf_phys, flags,
 * an X86Gop, then addresses to translate. Invariants: the tables fit the size
 * x86_pgtable_size() gives (an exact allocation, and one byte less is refused); a software
 * page walk of every probed address below the mapped end finds a present identity mapping
 * through tables inside the buffer -- a 2 MiB page below 4 GiB, above it a 1 GiB page where
 * the fuzzed per-GiB map (with flag 4) asks for one, else 2 MiB -- and nothing is mapped at or
 * above it; accepted
 * screen_info fields read back as the mode (masks = size/position pairs), refused ones stay
 * all zero.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x86-boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The table page an entry points to, as an offset into buf; traps if outside. */
static size_t next_table(uint64_t entry, uint64_t buf_phys, size_t need) {
        if ((entry & 0x3) != 0x3)
                __builtin_trap();   /* not present + writable */
        uint64_t phys = entry & ~UINT64_C(0xfff) & ((UINT64_C(1) << 52) - 1);
        if (phys < buf_phys || phys - buf_phys > need - 4096 || (phys - buf_phys) % 4096)
                __builtin_trap();
        return (size_t) (phys - buf_phys);
}

static void fuzz_pgtable(const uint8_t *data, size_t size) {
        uint64_t raw_end, buf_phys;
        memcpy(&raw_end, data, 8);
        memcpy(&buf_phys, data + 8, 8);
        bool la57 = data[16] & 1;
        data += 17;
        size -= 17;
        /* the per-GiB page sizes: two bytes (map_end <= 8 GiB + 1 is at most 9 GiBs) */
        const uint8_t gib_bits[2] = { data[0], data[1] }, *gib = data[-1] & 4 ? gib_bits : NULL;

        (void) x86_pgtable_size(raw_end, la57, NULL);   /* any value: no overflow */
        uint64_t map_end = raw_end % (8 * GIB + 1);   /* keep the tables small enough to walk */
        size_t need = x86_pgtable_size(map_end, la57, gib);
        if (map_end == 0) {
                if (need != 0)
                        __builtin_trap();
                return;
        }
        if (need == 0 || need % 4096)
                __builtin_trap();
        if (data[-1] & 2)
                buf_phys &= ~UINT64_C(0xfff);
        uint8_t *buf = aligned_alloc(4096, need);
        if (!buf)
                return;
        if (x86_pgtable_build(buf, need - 1, buf_phys & ~UINT64_C(0xfff), map_end, la57, gib) != 0)
                __builtin_trap();   /* too small */
        uint64_t root = x86_pgtable_build(buf, need, buf_phys, map_end, la57, gib);
        if ((buf_phys & 0xfff) || buf_phys > X86_PHYS_ADDR_LIMIT - need) {
                if (root != 0)
                        __builtin_trap();
                free(buf);
                return;
        }
        if (root != buf_phys)
                __builtin_trap();
        uint64_t mapped = (map_end + GIB - 1) / GIB * GIB;
        uint64_t probes[64];
        size_t n = 0;
        probes[n++] = 0;
        probes[n++] = mapped - 1;
        probes[n++] = mapped;
        for (; n < 64 && size >= 8; data += 8, size -= 8) {
                uint64_t a;
                memcpy(&a, data, 8);
                probes[n++] = a % (mapped + 4 * GIB);
        }
        for (size_t i = 0; i < n; i++) {
                uint64_t a = probes[i];
                size_t t = 0;
                if (la57)
                        t = next_table(get_le64(buf + 8 * ((a >> 48) & 511)), buf_phys, need);
                if ((a >> 48) != 0)
                        continue;
                uint64_t e4 = get_le64(buf + t + 8 * ((a >> 39) & 511));
                if (!e4) {
                        if (a < mapped)
                                __builtin_trap();
                        continue;
                }
                size_t p3 = next_table(e4, buf_phys, need);
                uint64_t e3 = get_le64(buf + p3 + 8 * ((a >> 30) & 511));
                if (!e3) {
                        if (a < mapped)
                                __builtin_trap();
                        continue;
                }
                if (a >= mapped)
                        __builtin_trap();   /* mapped beyond the end */
                uint64_t g = a / GIB;
                bool want_gib = gib && a >= X86_PGTABLE_2M_END && ((gib[g / 8] >> (g % 8)) & 1);
                if (!!(e3 & 0x80) != want_gib)
                        __builtin_trap();   /* the wrong page size */
                if (want_gib) {
                        if ((e3 & 0x83) != 0x83 ||
                            (e3 & ~UINT64_C(0x3fffffff) & ((UINT64_C(1) << 52) - 1)) != (a & ~UINT64_C(0x3fffffff)))
                                __builtin_trap();   /* not a present 1 GiB identity page */
                        continue;
                }
                size_t p2 = next_table(e3, buf_phys, need);
                uint64_t e2 = get_le64(buf + p2 + 8 * ((a >> 21) & 511));
                if ((e2 & 0x83) != 0x83 || (e2 & ~UINT64_C(0x1fffff) & ((UINT64_C(1) << 52) - 1)) != (a & ~UINT64_C(0x1fffff)))
                        __builtin_trap();   /* not a present 2 MiB identity page */
        }
        free(buf);
}

static void fuzz_screen_info(const uint8_t *data) {
        X86Gop g;
        memcpy(&g, data, sizeof(g));
        uint8_t si[0x40];
        memset(si, 0xa5, sizeof(si));
        bool ok = x86_screen_info(si, &g);
        if (!ok) {
                for (size_t i = 0; i < sizeof(si); i++)
                        if (si[i])
                                __builtin_trap();
                return;
        }
        uint16_t w = (uint16_t) (si[0x12] | si[0x13] << 8), h = (uint16_t) (si[0x14] | si[0x15] << 8);
        uint16_t depth = (uint16_t) (si[0x16] | si[0x17] << 8), line = (uint16_t) (si[0x24] | si[0x25] << 8);
        uint64_t base = get_le32(si + 0x18) | (uint64_t) get_le32(si + 0x3a) << 32;
        if (si[0x0f] != 0x70 || w != g.width || h != g.height || base != g.fb_base || depth == 0 || depth > 32 ||
            line != g.pixels_per_line * ((depth + 7u) / 8u) || g.pixels_per_line < g.width || g.format > 2)
                __builtin_trap();
        uint32_t lfb_size = get_le32(si + 0x1c);
        if (lfb_size != (g.fb_size > UINT32_MAX ? UINT32_MAX : g.fb_size))
                __builtin_trap();
        /* each colour: size/position describe a contiguous mask, inside depth */
        for (unsigned c = 0; c < 4; c++) {
                unsigned sz = si[0x26 + 2 * c], pos = si[0x27 + 2 * c];
                if (sz > 32 || pos > 32 || sz + pos > depth)
                        __builtin_trap();
                if (g.format == 2) {
                        uint64_t m = ((UINT64_C(1) << sz) - 1) << pos;
                        if (sz && m != g.masks[c])
                                __builtin_trap();
                        if (!sz && g.masks[c])
                                __builtin_trap();
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 17 + sizeof(X86Gop))
                return 0;
        fuzz_screen_info(data + 17);
        fuzz_pgtable(data, size);
        return 0;
}
