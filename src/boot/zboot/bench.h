/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Measurement for bench/ (docs/benchmarks.md): the loader's phase times (CPU counter), the
 * memory it allocates and the bytes it copies, logged as two short lines right before the
 * kernel is entered, only when asked for with "zboot.bench" or "zboot.debug" on the command
 * line (a normal boot prints none of them: nothing of ours over a splash):
 *   phases us: locate N alloc N decompress N unfilter N relocate N initrd N other N params N handoff N total N
 *   memory: peak N allocated N copied N bytes[, payload C -> D bytes]
 * (the zboot payload's compressed and decompressed sizes, when there was one: the UKI stub's
 * "decompressed" line is printed only with "zboot.debug").
 * A phase is the time since the previous mark; logging is outside every phase. The phases are
 * always counted (a few counter reads); with "zboot.bench=memcpy" the loader also times a
 * plain memcpy of the kernel's size in the same firmware before decompressing
 * (bench_memcpy()); without it nothing else runs.
 * Nothing here changes what the loader does.
 */
#pragma once

#include "boot-options.h"
#include "efi.h"
#include "util.h"

typedef enum {
        BENCH_LOCATE,     /* entry .. the kernel allocation: headers, sections, command line */
        BENCH_ALLOC,      /* placement (memory map, slot) and the decoder workspace */
        BENCH_DECOMPRESS, /* the decoder writing the kernel */
        BENCH_UNFILTER,   /* x86: the payload's BCJ stage undone (x86-filter.c): part of decompression */
        BENCH_RELOCATE,   /* zeroing the slack, relocations, W^X; arm64: adopting the PE */
        BENCH_INITRD,     /* reading, combining and placing the initrd */
        BENCH_OTHER,      /* the UKI stub's exports, device tree, splash, measurements */
        BENCH_PARAMS,     /* x86: boot_params (setup header, command line, seed) */
        BENCH_HANDOFF,    /* x86: page tables, trampoline, memory map buffers (before ExitBootServices) */
        _BENCH_PHASE_MAX,
} BenchPhase;

/* At entry: t0 = cpu_ticks() there. */
void bench_begin(uint64_t t0);
/* Once the command line is settled and parsed: notes "zboot.bench", "zboot.bench=memcpy" and
 * "zboot.debug" (boot-options.h). */
void bench_options(const BootOptions *o);
/* Add the time since the previous mark to phase ph and set the mark. */
void bench_phase(BenchPhase ph);

/* Allocation accounting: every page allocation (memory.c) and the large pools (decoder
 * workspace, initrd buffers) go through these. */
void bench_alloc(uint64_t bytes);
void bench_free(uint64_t bytes);
/* The zboot payload decompressed: compressed and decompressed bytes, for the memory line. */
void bench_payload(uint64_t compressed, uint64_t decompressed);
/* Bytes of kernel or initrd data copied from one buffer to another (not the decoder's output). */
void bench_copied(uint64_t bytes);

/* With "zboot.bench=memcpy": time memcpy(fresh pages, src, size) twice (first touch, then again)
 * and a memset of the same pages, log the times, free the pages. Not counted in any phase. */
void bench_memcpy(const void *src, uint64_t size);

/* Log the two lines with "zboot.bench" or "zboot.debug" (once; later calls do nothing). */
void bench_report(void);

/* For `_cleanup_(bench_freep) uint64_t n = size;` next to a pool freed at scope exit. */
static inline void bench_freep(uint64_t *bytes) {
        bench_free(*bytes);
}
