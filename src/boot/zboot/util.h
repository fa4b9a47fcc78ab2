/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers for the EFI shell: cleanup attributes, alignment, GUID compare, strings. */
#pragma once

#include <string.h>

#include "cmdline.h"   /* cmdline_utf8_to_ucs2(), the LoadOptions rules: pure, in src/fundamental */
#include "efi.h"

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

static inline uint64_t align_up64(uint64_t v, uint64_t a) {
        return (v + a - 1) & ~(a - 1);
}

static inline bool guid_equal(const EFI_GUID *a, const EFI_GUID *b) {
        return memcmp(a, b, sizeof(EFI_GUID)) == 0;
}

/* Pool memory freed at scope exit. */
static inline void free_poolp(void *p) {
        void *q = *(void **) p;
        if (q)
                BS->FreePool(q);
}
#define _cleanup_pool_ _cleanup_(free_poolp)

/* A page allocation owned by the current scope unless taken with take_pages(). attrs_orig
 * holds what the firmware reported for the allocation before we changed anything (RO/XP bits,
 * or UINT64_MAX if it could not say), read once (attrs_known) by memattr.h's functions. When
 * memattr_pages() changed the attributes of any of its pages, attrs_changed is set:
 * free_pagesp() puts attrs_orig back before FreePages, so no page goes back to the firmware
 * read-only or executable because of us. */
typedef struct {
        EFI_PHYSICAL_ADDRESS addr;
        size_t n_pages;
        bool attrs_known, attrs_changed;
        uint64_t attrs_orig;
} Pages;

/* Free the pages (restoring their attributes first, see above); a no-op for an empty Pages.
 * In memory.c. */
void free_pagesp(Pages *p);
#define _cleanup_pages_ _cleanup_(free_pagesp)

static inline Pages take_pages(Pages *p) {
        Pages r = *p;
        *p = (Pages) {};
        return r;
}

static inline void *pages_ptr(const Pages *p) {
        return (void *) (uintptr_t) p->addr;
}

/* Length of a NUL-terminated UCS-2 string, at most max characters. */
size_t strnlen16(const char16_t *s, size_t max);

/* A UCS-2 string as ASCII for a log message: at most cap - 1 characters, '?' for each one
 * beyond ASCII, always NUL-terminated (cap > 0). */
void utf16_to_log_ascii(const char16_t *s, char *out, size_t cap);
/* After changing a boot services function pointer: the table's header CRC32 over its new
 * contents (UEFI: a table's CRC32 is computed with the field itself 0). */
void boot_services_crc_update(void);

/* v as UTF-16 decimal digits with a NUL (the form of sd-stub's numeric variables and of the
 * profile number it measures); returns the size in bytes, NUL included. */
size_t utf16_decimal(uint32_t v, char16_t out[11]);

/* Current CPU counter and its frequency in Hz (0 if unknown), for timing logs. */
uint64_t cpu_ticks(void);
uint64_t cpu_ticks_per_sec(void);

#if defined(__x86_64__)
/* CPUID leaf/subleaf into r[0..3] = EAX, EBX, ECX, EDX. */
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
        __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* Bit `bit` of register `reg` (0..3 = EAX..EDX) of CPUID leaf/subleaf, false when the leaf is
 * beyond the highest one of its range (basic, or extended from 0x80000000). */
static inline bool cpuid_bit(uint32_t leaf, uint32_t sub, unsigned reg, unsigned bit) {
        uint32_t r[4];
        cpuid(leaf & UINT32_C(0x80000000), 0, r);
        if (r[0] < leaf)
                return false;
        cpuid(leaf, sub, r);
        return r[reg & 3] & (UINT32_C(1) << (bit & 31));
}
#endif
