/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench.h"
#include "log.h"

/* Zero-initialised statics only: the EFI binaries have no base relocations. */
static uint64_t entry_ticks, mark_ticks, phase_ticks[_BENCH_PHASE_MAX];
static uint64_t cur_bytes, peak_bytes, total_bytes, copied_bytes, payload_in, payload_out;
static bool bench_lines, bench_memcpy_word, reported;

void bench_begin(uint64_t t0) {
        entry_ticks = mark_ticks = t0;
}

void bench_options(const BootOptions *o) {
        bench_lines = o->zboot_bench || o->zboot_debug;
        bench_memcpy_word = o->zboot_bench_memcpy;
}

void bench_phase(BenchPhase ph) {
        uint64_t now = cpu_ticks();
        if (ph < _BENCH_PHASE_MAX && mark_ticks)
                phase_ticks[ph] += now - mark_ticks;
        mark_ticks = now;
}

void bench_alloc(uint64_t bytes) {
        cur_bytes += bytes;
        total_bytes += bytes;
        if (cur_bytes > peak_bytes)
                peak_bytes = cur_bytes;
}

void bench_free(uint64_t bytes) {
        cur_bytes = bytes > cur_bytes ? 0 : cur_bytes - bytes;
}

void bench_payload(uint64_t compressed, uint64_t decompressed) {
        payload_in = compressed;
        payload_out = decompressed;
}

void bench_copied(uint64_t bytes) {
        copied_bytes += bytes;
}

static uint64_t ticks_us(uint64_t t) {
        uint64_t hz = cpu_ticks_per_sec();
        return hz ? t * 1000000 / hz : 0;
}

void bench_memcpy(const void *src, uint64_t size) {
        if (!bench_memcpy_word || size == 0 || size > SIZE_MAX)
                return;
        size_t n = EFI_SIZE_TO_PAGES(size);
        EFI_PHYSICAL_ADDRESS a = 0;
        if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, n, &a) != EFI_SUCCESS) {
                log_notice("bench: no memory for the memcpy reference");
                return;
        }
        void *dst = (void *) (uintptr_t) a;
        uint64_t t0 = cpu_ticks();
        memcpy(dst, src, (size_t) size);
        uint64_t t1 = cpu_ticks();
        memcpy(dst, src, (size_t) size);
        uint64_t t2 = cpu_ticks();
        memset(dst, 0, (size_t) size);
        uint64_t t3 = cpu_ticks();
        BS->FreePages(a, n);
        log_notice("bench: memcpy %lu bytes: %lu us first, %lu us again, memset %lu us", size, ticks_us(t1 - t0),
                 ticks_us(t2 - t1), ticks_us(t3 - t2));
        mark_ticks = cpu_ticks();   /* the reference belongs to no phase */
}

void bench_report(void) {
        if (reported || !entry_ticks || !bench_lines)
                return;
        reported = true;
        uint64_t now = cpu_ticks();
        uint64_t *t = phase_ticks;
        log_notice("phases us: locate %lu alloc %lu decompress %lu unfilter %lu relocate %lu initrd %lu other %lu "
                 "params %lu handoff %lu total %lu",
                 ticks_us(t[BENCH_LOCATE]), ticks_us(t[BENCH_ALLOC]), ticks_us(t[BENCH_DECOMPRESS]),
                 ticks_us(t[BENCH_UNFILTER]), ticks_us(t[BENCH_RELOCATE]), ticks_us(t[BENCH_INITRD]), ticks_us(t[BENCH_OTHER]),
                 ticks_us(t[BENCH_PARAMS]), ticks_us(t[BENCH_HANDOFF]), ticks_us(now - entry_ticks));
        if (payload_out)
                log_notice("memory: peak %lu allocated %lu copied %lu bytes, payload %lu -> %lu bytes", peak_bytes,
                           total_bytes, copied_bytes, payload_in, payload_out);
        else
                log_notice("memory: peak %lu allocated %lu copied %lu bytes", peak_bytes, total_bytes, copied_bytes);
}
