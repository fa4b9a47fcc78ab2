/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Self-relocation, so that our PE images carry no base relocations (docs/design.md,
 * "Relocation"). systemd-stub >= 258 loads an inner .linux with its own PE loader, which copies
 * the sections to wherever it allocated and applies no relocations; it refuses an image whose
 * base relocation directory is not empty. Firmware and sd-boot (LoadImage) also load us at an
 * arbitrary address. So the image relocates itself:
 *
 * The link (src/boot/efi.lds) keeps the ELF's RELA table inside the read-only .rodata, between
 * __self_reloc_start and __self_reloc_end. Each entry says "the 8-byte word at link address
 * `offset` holds link address `addend`"; linked at 0, so at runtime the word must be
 * image base + addend. Every target lies in .data (__data_start..__data_end), which is
 * writable from the first instruction under every loader. tools/elf2efi.c checks all of this at
 * build time (also that each addend points into the image); we check the table again here
 * (two passes: nothing is written unless every entry is well-formed).
 *
 * This code itself must need no relocation: every symbol is hidden (src/boot/efi-hidden.h),
 * so the compiler reaches the table and the image base PC-relative, and it reads no pointer
 * from data. Re-entry is safe: the value is computed from the read-only addend, never from the
 * word's previous contents.
 */
#include <stddef.h>
#include <stdint.h>

#include "self-reloc.h"

typedef struct {
        uint64_t offset;        /* link address (= RVA) of the 8-byte word to set */
        uint64_t info;          /* relocation type; symbol index 0 */
        uint64_t addend;        /* link address (= RVA) the word points to */
} SelfReloc;

#if defined(__x86_64__)
#  define RELOC_RELATIVE 8u     /* R_X86_64_RELATIVE */
#elif defined(__aarch64__)
#  define RELOC_RELATIVE 1027u  /* R_AARCH64_RELATIVE */
#else
#  error "unsupported architecture"
#endif

/* Defined by src/boot/efi.lds; hidden (efi-hidden.h), so PC-relative. */
extern const uint8_t __ImageBase[];
extern const SelfReloc __self_reloc_start[], __self_reloc_end[];
extern uint8_t __data_start[], __data_end[];

bool efi_self_relocate(void) {
        uintptr_t base = (uintptr_t) __ImageBase;
        uintptr_t start = (uintptr_t) __self_reloc_start, end = (uintptr_t) __self_reloc_end;
        uintptr_t data_lo = (uintptr_t) __data_start, data_hi = (uintptr_t) __data_end;

        if (end < start || (end - start) % sizeof(SelfReloc) != 0 || data_lo < base || data_hi < data_lo)
                return false;
        size_t n = (end - start) / sizeof(SelfReloc);
        const SelfReloc *r = __self_reloc_start;
        data_lo -= base;
        data_hi -= base;

        for (size_t i = 0; i < n; i++)
                if (r[i].info != RELOC_RELATIVE || r[i].offset % 8 != 0 || r[i].offset < data_lo ||
                    r[i].offset > data_hi || data_hi - r[i].offset < 8 || r[i].addend > UINT32_MAX /* an RVA */)
                        return false;

        for (size_t i = 0; i < n; i++)
                *(uint64_t *) (base + (uintptr_t) r[i].offset) = (uint64_t) base + r[i].addend;
        return true;
}
