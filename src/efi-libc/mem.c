/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memcpy/memmove/memset/memcmp for freestanding builds. The compiler emits calls to these
 * even where the source never names them (struct copies, zeroing), and the upstream
 * decompressors call them directly. Only linked into EFI binaries; host builds use libc's.
 *
 * The copy loops move 8 bytes at a time when both pointers allow; decompressors copy
 * large literal runs and match-copies through their own fast paths, so this stays simple.
 *
 * aarch64 keeps the plain loops, which clang turns into ldp/stp of q registers (32 bytes per
 * iteration). Two alternatives were measured under QEMU's TCG in our boots and left out
 * (docs/benchmarks.md, "aarch64 memcpy/memset"): DC ZVA for zero fills (64-byte blocks on
 * QEMU's CPU) was 6-76 % slower per MiB than the loop, a 64-byte copy step no faster; and
 * the zstd decoder sends only 4-6 % of an arm64 kernel's bytes through memset (RLE blocks),
 * ~0.05 % of the decompression time.
 */
#include <stddef.h>
#include <stdint.h>


void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
        uint8_t *d = dst;
        const uint8_t *s = src;
#if defined(__x86_64__)
        /* The 8-byte body with rep movsq, the tail with rep movsb: on hardware as fast as one
         * rep movsb (fast strings), and under QEMU's TCG, which runs a rep string instruction
         * one element per iteration, 8x fewer iterations (docs/benchmarks.md: ~7x faster
         * copies and fills in a boot). */
        size_t q = n >> 3;
        n &= 7;
        __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
        __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
#else
        while (n >= 8) {
                uint64_t v;
                __builtin_memcpy_inline(&v, s, 8);
                __builtin_memcpy_inline(d, &v, 8);
                d += 8, s += 8, n -= 8;
        }
        while (n--)
                *d++ = *s++;
#endif
        return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
        uint8_t *d = dst;
        const uint8_t *s = src;
        if (d == s || n == 0)
                return dst;
        if (d < s || d >= s + n)
                return memcpy(dst, src, n);
        /* overlapping with dst above src: copy backwards */
        while (n--)
                d[n] = s[n];
        return dst;
}

void *memset(void *dst, int c, size_t n) {
        uint8_t *d = dst;
#if defined(__x86_64__)
        /* as memcpy: rep stosq for the body, rep stosb for the tail */
        size_t q = n >> 3;
        uint64_t v = (uint8_t) c * UINT64_C(0x0101010101010101);
        n &= 7;
        __asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
        __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(v) : "memory");
#else
        uint64_t v = (uint8_t) c * UINT64_C(0x0101010101010101);
        while (n >= 8) {
                __builtin_memcpy_inline(d, &v, 8);
                d += 8, n -= 8;
        }
        while (n--)
                *d++ = (uint8_t) c;
#endif
        return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
        const uint8_t *x = a, *y = b;
        for (; n > 0; n--, x++, y++)
                if (*x != *y)
                        return *x < *y ? -1 : 1;
        return 0;
}
