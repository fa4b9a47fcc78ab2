/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util.h"

bool efi_boot_services_gone;   /* efi.h */

void boot_services_crc_update(void) {
        uint32_t crc = 0;
        BS->Hdr.CRC32 = 0;
        (void) BS->CalculateCrc32(BS, BS->Hdr.HeaderSize, &crc);
        BS->Hdr.CRC32 = crc;
}

size_t strnlen16(const char16_t *s, size_t max) {
        size_t n = 0;
        while (n < max && s[n])
                n++;
        return n;
}

void utf16_to_log_ascii(const char16_t *s, char *out, size_t cap) {
        size_t n = strnlen16(s, cap - 1);
        for (size_t i = 0; i < n; i++)
                out[i] = s[i] < 0x80 ? (char) s[i] : '?';
        out[n] = 0;
}

size_t utf16_decimal(uint32_t v, char16_t out[11]) {
        char16_t tmp[10];
        size_t n = 0, k = 0;
        do {
                tmp[n++] = (char16_t) ('0' + v % 10);
                v /= 10;
        } while (v);
        while (n)
                out[k++] = tmp[--n];
        out[k++] = 0;
        return k * sizeof(char16_t);
}

uint64_t cpu_ticks(void) {
#if defined(__x86_64__)
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        return (uint64_t) hi << 32 | lo;
#elif defined(__aarch64__)
        uint64_t v;
        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
        return v;
#else
        return 0;
#endif
}

uint64_t cpu_ticks_per_sec(void) {
#if defined(__aarch64__)
        uint64_t f;
        __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
        return f;
#elif defined(__x86_64__)
        /* The TSC frequency is not architecturally discoverable everywhere: calibrate it once
         * against the firmware's Stall() (1 ms, good to a few percent, enough for logs). */
        static uint64_t freq;
        if (!freq) {
                uint64_t a = cpu_ticks();
                BS->Stall(1000);
                freq = (cpu_ticks() - a) * 1000;
        }
        return freq;
#else
        return 0;
#endif
}
