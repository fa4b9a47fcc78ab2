/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "unaligned.h"
#include "x86-boot.h"
#include "x86-payload.h"

#define PT_LOAD 1u
#define SETUP_MIN (X86_SETUP_INIT_SIZE + 4 - X86_SETUP_HDR) /* through init_size */
/* a setup header field, given by its bzImage offset, in a copy of the header starting at X86_SETUP_HDR */
#define SETUP_FIELD(setup, off) ((setup) + ((off) - X86_SETUP_HDR))

typedef struct {
        uint64_t offset, paddr, vaddr, filesz, memsz;
        uint32_t flags;
} Load;

typedef struct {
        X86PayloadInfo info;
        Load loads[X86_MAX_LOADS];
        unsigned n_loads;
        size_t relocs_start;            /* in the input: right after the ELF file */
        size_t size;                    /* of the payload */
        X86RelocsScan scan;
} Plan;

X86RelocsLayout x86_relocs_layout_for_version(const char *s, size_t len) {
        unsigned v[2] = { 0, 0 };
        size_t i = 0;
        for (unsigned k = 0; k < 2; k++) {
                size_t digits = 0;
                while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
                        v[k] = v[k] * 10 + (unsigned) (s[i] - '0');
                        i++, digits++;
                }
                if (digits == 0 || (i < len && s[i] >= '0' && s[i] <= '9'))
                        return X86_RELOCS_ANY;
                if (k == 0) {
                        if (i >= len || s[i] != '.')
                                return X86_RELOCS_ANY;
                        i++;
                }
        }
        if (v[0] == 0)
                return X86_RELOCS_ANY;
        /* The inverse 32-bit list went with the zero-based per-CPU section: Linux 6.15,
         * "x86/boot/64: Remove inverse relocations" (docs/format.md §4). */
        return v[0] > 6 || (v[0] == 6 && v[1] >= 15) ? X86_RELOCS_TWO_LISTS : X86_RELOCS_THREE_LISTS;
}

const char *x86_relocs_layout_name(X86RelocsLayout l) {
        switch (l) {
        case X86_RELOCS_TWO_LISTS:      return "two lists (Linux 6.15+: 0, 64-bit, 0, 32-bit)";
        case X86_RELOCS_THREE_LISTS:    return "three lists (Linux up to 6.14: 0, 64-bit, 0, inverse 32-bit, 0, 32-bit)";
        default:                        return "two or three lists";
        }
}

/* The relocation table from elf_end to the end of the input, as arch/x86/tools/relocs writes
 * it: a 0, the 64-bit entries, [a 0, the inverse 32-bit entries,] a 0, the 32-bit entries. The
 * kernel's decompressor reads it backwards from the end, list by list up to each 0; read
 * forwards, the zero words are exactly the terminators (no entry is 0: each one is the low
 * half of an address inside the image, which lies in the top 2 GiB), so their number is the
 * number of lists. Every entry must point inside the image [virt_base, + image_size). */
static X86PayloadResult scan_relocs(const uint8_t *v, size_t len, uint64_t elf_end, uint64_t virt_base,
                                    uint32_t image_size, X86RelocsLayout expect, X86RelocsScan *sc) {
        memset(sc, 0, sizeof(*sc));
        sc->elf_end = elf_end;
        if (elf_end > len)
                return X86P_BAD_RELOCS;
        sc->tail_bytes = len - elf_end;
        if (sc->tail_bytes % 4 || sc->tail_bytes < 8 || sc->tail_bytes > (UINT64_C(1) << 30))
                return X86P_BAD_RELOCS;
        const uint8_t *t = v + elf_end;
        size_t n = (size_t) (sc->tail_bytes / 4);
        sc->first_word = get_le32(t);
        uint32_t prev = 0;
        for (size_t i = 0; i < n; i++) {
                uint32_t e = get_le32(t + 4 * i);
                if (e == 0) {
                        sc->n_zero++;
                        prev = 0;
                        continue;
                }
                /* stored as differences that must not wrap (x86_relocate()): ascending per list */
                if (e < prev && sc->n_zero >= 1 && sc->n_zero <= 3)
                        sc->n_unsorted++;
                prev = e;
                if (sc->n_zero == 0 || sc->n_zero > 3)
                        continue;   /* before the first terminator, or past a fourth list: counted as wrong below */
                unsigned list = sc->n_zero - 1;
                sc->counts[list]++;
                /* the 64-bit list patches 8 bytes, the others 4 */
                uint64_t va = (uint64_t) (int64_t) (int32_t) e, width = list == 0 ? 8 : 4;
                if (va < virt_base || va - virt_base > image_size || width > image_size - (va - virt_base))
                        sc->n_outside++;
        }
        if (sc->first_word != 0 || (sc->n_zero != 2 && sc->n_zero != 3) || sc->n_outside || sc->n_unsorted)
                return X86P_BAD_RELOCS;
        sc->layout = (X86RelocsLayout) sc->n_zero;
        if (expect != X86_RELOCS_ANY && expect != sc->layout)
                return X86P_RELOCS_LAYOUT;
        return X86P_OK;
}

bool x86_elf_sections(const uint8_t *v, size_t len, X86ElfSections *ret) {
        memset(ret, 0, sizeof(*ret));
        if (!v || len < 64 || memcmp(v, "\x7f" "ELF\x02\x01", 6) != 0)
                return false;
        X86ElfSections s = {
                .elf = v, .len = len, .shoff = get_le64(v + 0x28), .shentsize = get_le16(v + 0x3a),
                .shnum = get_le16(v + 0x3c), .shstrndx = get_le16(v + 0x3e),
        };
        if (s.shnum) {
                if (s.shoff > len || (uint64_t) s.shentsize * s.shnum > len - s.shoff)
                        return false;
                s.end = s.shoff + (uint64_t) s.shentsize * s.shnum;
                s.n = s.shentsize < 64 ? 0 : s.shnum < 4096 ? s.shnum : 4096;
        }
        *ret = s;
        return true;
}

X86ElfSection x86_elf_section(const X86ElfSections *s, unsigned i) {
        if (i >= s->n)
                return (X86ElfSection) {};
        const uint8_t *sh = s->elf + s->shoff + (size_t) i * s->shentsize;
        return (X86ElfSection) {
                .name = get_le32(sh), .type = get_le32(sh + 4), .flags = get_le64(sh + 8),
                .addr = get_le64(sh + 0x10), .offset = get_le64(sh + 0x18), .size = get_le64(sh + 0x20),
        };
}

bool x86_elf_section_in_file(const X86ElfSections *s, const X86ElfSection *sec) {
        return sec->offset <= s->len && sec->size <= s->len - sec->offset;
}

static X86PayloadResult plan(const uint8_t *v, size_t len, const uint8_t *setup, size_t setup_len,
                             X86RelocsLayout expect, Plan *p) {
        memset(p, 0, sizeof(*p));
        if (!v || len < 64 || memcmp(v, "\x7f" "ELF\x02\x01", 6) != 0 || get_le16(v + 0x12) != 62 /* EM_X86_64 */)
                return X86P_NOT_ELF;
        uint64_t entry = get_le64(v + 0x18), phoff = get_le64(v + 0x20);
        uint16_t phentsize = get_le16(v + 0x36), phnum = get_le16(v + 0x38);
        if (phentsize < 56 || phnum == 0 || phnum > 64 || phoff > len || (uint64_t) phentsize * phnum > len - phoff)
                return X86P_BAD_PHDRS;
        uint64_t elf_end = phoff + (uint64_t) phentsize * phnum;
        X86ElfSections s;
        if (!x86_elf_sections(v, len, &s))
                return X86P_BAD_PHDRS;
        if (s.end > elf_end)
                elf_end = s.end;
        /* section contents (not SHT_NULL, not SHT_NOBITS) are part of the ELF file too */
        for (unsigned i = 0; i < s.n; i++) {
                X86ElfSection sh = x86_elf_section(&s, i);
                if (sh.type == 0 || sh.type == 8 /* SHT_NOBITS */)
                        continue;
                if (!x86_elf_section_in_file(&s, &sh))
                        return X86P_BAD_PHDRS;
                if (sh.offset + sh.size > elf_end)
                        elf_end = sh.offset + sh.size;
        }

        uint64_t lo = UINT64_MAX, hi_file = 0, hi_mem = 0;
        for (unsigned i = 0; i < phnum; i++) {
                const uint8_t *ph = v + phoff + (size_t) i * phentsize;
                if (get_le32(ph) != PT_LOAD)
                        continue;
                if (p->n_loads == X86_MAX_LOADS)
                        return X86P_BAD_PHDRS;
                Load l = { get_le64(ph + 0x08), get_le64(ph + 0x18), get_le64(ph + 0x10), get_le64(ph + 0x20), get_le64(ph + 0x28),
                           get_le32(ph + 4) };
                if (l.offset > len || l.filesz > len - l.offset || l.memsz < l.filesz || l.paddr > (UINT64_C(1) << 40) ||
                    l.memsz > (UINT64_C(1) << 32))
                        return X86P_BAD_SEGMENT;
                for (unsigned j = 0; j < p->n_loads; j++)
                        if (l.memsz && p->loads[j].memsz && l.paddr < p->loads[j].paddr + p->loads[j].memsz &&
                            p->loads[j].paddr < l.paddr + l.memsz)
                                return X86P_BAD_SEGMENT;
                if (l.paddr < lo) {
                        lo = l.paddr;
                        p->info.virt_base = l.vaddr;
                }
                if (l.paddr + l.filesz > hi_file)
                        hi_file = l.paddr + l.filesz;
                if (l.paddr + l.memsz > hi_mem)
                        hi_mem = l.paddr + l.memsz;
                if (l.offset + l.filesz > elf_end)
                        elf_end = l.offset + l.filesz;
                p->loads[p->n_loads++] = l;
        }
        if (p->n_loads == 0)
                return X86P_NO_LOAD;
        if (hi_mem - lo > UINT32_MAX / 2 || entry < lo || entry >= hi_file)
                return X86P_BAD_SEGMENT;
        p->info.phys_base = lo;
        /* Kernel text: the lowest segment when it is executable (PF_X); otherwise no range is
         * treated as text and the loader maps nothing executable before the jump. */
        for (unsigned j = 0; j < p->n_loads; j++)
                if (p->loads[j].paddr == lo && (p->loads[j].flags & 1u))
                        p->info.text_size = (uint32_t) (p->loads[j].filesz);
        p->info.image_size = (uint32_t) (hi_file - lo);
        p->info.mem_size = (uint32_t) (hi_mem - lo);
        p->info.entry_offset = (uint32_t) (entry - lo);   /* e_entry is physical in vmlinux */

        X86PayloadResult r = scan_relocs(v, len, elf_end, p->info.virt_base, p->info.image_size, expect, &p->scan);
        if (r != X86P_OK)
                return r;
        p->relocs_start = (size_t) elf_end;
        uint64_t n_entries = (uint64_t) p->scan.counts[0] + p->scan.counts[1] + p->scan.counts[2];
        p->info.n_reloc64 = p->scan.counts[0];
        p->info.n_reloc_inv32 = p->scan.layout == X86_RELOCS_THREE_LISTS ? p->scan.counts[1] : 0;
        p->info.n_reloc32 = p->scan.counts[p->scan.layout == X86_RELOCS_THREE_LISTS ? 2 : 1];

        if (!setup || setup_len < SETUP_MIN || setup_len > 0x400)
                return X86P_BAD_SETUP;
        p->info.version = get_le16(SETUP_FIELD(setup, X86_SETUP_VERSION));
        p->info.kernel_alignment = get_le32(SETUP_FIELD(setup, X86_SETUP_KERNEL_ALIGNMENT));
        p->info.xloadflags = get_le16(SETUP_FIELD(setup, X86_SETUP_XLOADFLAGS));
        p->info.init_size = get_le32(SETUP_FIELD(setup, X86_SETUP_INIT_SIZE));
        if (p->info.version < 0x20c || p->info.kernel_alignment == 0 ||
            (p->info.kernel_alignment & (p->info.kernel_alignment - 1)) || p->info.init_size < p->info.mem_size)
                return X86P_BAD_SETUP;

        uint64_t off = p->info.image_size;
        p->info.relocs_offset = (uint32_t) off;
        p->info.relocs_size = (uint32_t) (sizeof(X86PayloadRelocsHeader) + 4 * n_entries);
        off += p->info.relocs_size;
        p->info.setup_offset = (uint32_t) off;
        p->info.setup_size = (uint32_t) setup_len;
        off = (off + setup_len + 7) & ~(uint64_t) 7;
        off += X86_PAYLOAD_TRAILER_SIZE;
        if (off > UINT32_MAX)
                return X86P_TOO_BIG;
        p->size = (size_t) off;
        return X86P_OK;
}

X86PayloadResult x86_payload_plan(const uint8_t *vmlinux, size_t len, const uint8_t *setup_hdr, size_t setup_len,
                                  X86RelocsLayout expect, X86PayloadInfo *ret, size_t *ret_size, X86RelocsScan *scan) {
        Plan p;   /* ~1 KiB, per call: the plan never outlives it (the EFI binaries do not plan) */
        X86PayloadResult r = plan(vmlinux, len, setup_hdr, setup_len, expect, &p);
        if (scan)
                *scan = p.scan;
        if (r == X86P_OK) {
                if (ret)
                        *ret = p.info;
                if (ret_size)
                        *ret_size = p.size;
        }
        return r;
}

X86PayloadResult x86_payload_build(const uint8_t *v, size_t len, const uint8_t *setup, size_t setup_len,
                                   X86RelocsLayout expect, uint8_t *out, size_t out_cap, size_t *ret_size) {
        Plan p;
        X86PayloadResult r = plan(v, len, setup, setup_len, expect, &p);
        if (r != X86P_OK)
                return r;
        if (out_cap < p.size)
                return X86P_BUFFER_TOO_SMALL;
        memset(out, 0, p.size);
        for (unsigned i = 0; i < p.n_loads; i++)
                memcpy(out + (p.loads[i].paddr - p.info.phys_base), v + p.loads[i].offset, (size_t) p.loads[i].filesz);

        uint8_t *rel = out + p.info.relocs_offset;
        X86PayloadRelocsHeader *rh = (X86PayloadRelocsHeader *) rel;
        put_le32(rh->n_reloc64, p.info.n_reloc64);
        put_le32(rh->n_reloc_inv32, p.info.n_reloc_inv32);
        put_le32(rh->n_reloc32, p.info.n_reloc32);
        /* the input lists, without their zero terminators, in the same order (a two-list table
         * has no inverse 32-bit list: that one stays empty), each entry stored as its
         * difference from the previous one in the list (mod 2^32): the relocs tool sorts them,
         * so the deltas are small and compress to less than half */
        size_t src = p.relocs_start + 4, dst = sizeof(X86PayloadRelocsHeader);
        const uint32_t *counts = p.scan.counts;
        for (unsigned list = 0; list < (unsigned) p.scan.layout; list++) {
                uint32_t prev = 0;
                for (uint32_t i = 0; i < counts[list]; i++, src += 4, dst += 4) {
                        uint32_t e = get_le32(v + src);
                        put_le32(rel + dst, e - prev);
                        prev = e;
                }
                src += 4;
        }
        memcpy(out + p.info.setup_offset, setup, setup_len);

        X86PayloadTrailer *t = (X86PayloadTrailer *) (out + p.size - X86_PAYLOAD_TRAILER_SIZE);
        memcpy(t->magic, X86_PAYLOAD_MAGIC, sizeof(t->magic));
        put_le32(t->image_size, p.info.image_size);
        put_le32(t->mem_size, p.info.mem_size);
        put_le32(t->entry_offset, p.info.entry_offset);
        put_le32(t->relocs_offset, p.info.relocs_offset);
        put_le32(t->relocs_size, p.info.relocs_size);
        put_le32(t->setup_offset, p.info.setup_offset);
        put_le32(t->setup_size, p.info.setup_size);
        put_le32(t->init_size, p.info.init_size);
        put_le32(t->kernel_alignment, p.info.kernel_alignment);
        put_le16(t->xloadflags, p.info.xloadflags);
        put_le16(t->version, p.info.version);
        put_le64(t->virt_base, p.info.virt_base);
        put_le64(t->phys_base, p.info.phys_base);
        put_le32(t->text_size, p.info.text_size);
        *ret_size = p.size;
        return X86P_OK;
}

bool x86_payload_filter_ok(const X86PayloadInfo *i, size_t body) {
        /* The filter (docs/format.md §4): none with an empty range, or the x86 BCJ over a
         * non-empty range inside the image (never the relocation table, setup header or
         * trailer, which the loader reads before or without unfiltering). */
        if (i->image_size > body)
                return false;
        if (i->filter == X86_FILTER_NONE)
                return i->filter_offset == 0 && i->filter_size == 0;
        return i->filter == X86_FILTER_BCJ_X86 && i->filter_size != 0 && i->filter_offset <= i->image_size &&
               i->filter_size <= i->image_size - i->filter_offset;
}

X86PayloadResult x86_payload_parse_trailer(const uint8_t *trailer, size_t len, X86PayloadInfo *ret) {
        const X86PayloadTrailer *t = (const X86PayloadTrailer *) trailer;
        if (!t || len < X86_PAYLOAD_TRAILER_SIZE || memcmp(t->magic, X86_PAYLOAD_MAGIC, sizeof(t->magic)) != 0)
                return X86P_BAD_TRAILER;
        X86PayloadInfo i = {
                .image_size = get_le32(t->image_size), .mem_size = get_le32(t->mem_size),
                .entry_offset = get_le32(t->entry_offset), .relocs_offset = get_le32(t->relocs_offset),
                .relocs_size = get_le32(t->relocs_size), .setup_offset = get_le32(t->setup_offset),
                .setup_size = get_le32(t->setup_size), .init_size = get_le32(t->init_size),
                .kernel_alignment = get_le32(t->kernel_alignment), .xloadflags = get_le16(t->xloadflags),
                .version = get_le16(t->version), .virt_base = get_le64(t->virt_base),
                .phys_base = get_le64(t->phys_base), .text_size = get_le32(t->text_size),
                .filter = get_le32(t->filter), .filter_offset = get_le32(t->filter_offset),
                .filter_size = get_le32(t->filter_size),
        };
        size_t body = len - X86_PAYLOAD_TRAILER_SIZE;
        if (i.image_size == 0 || i.image_size > body || i.entry_offset >= i.image_size || i.mem_size < i.image_size ||
            i.mem_size > i.init_size || i.text_size > i.image_size ||
            i.relocs_offset != i.image_size || i.relocs_size < sizeof(X86PayloadRelocsHeader) ||
            i.relocs_size > body - i.relocs_offset ||
            i.setup_offset != i.relocs_offset + i.relocs_size || i.setup_size < SETUP_MIN ||
            i.setup_size > body - i.setup_offset || i.kernel_alignment == 0 ||
            (i.kernel_alignment & (i.kernel_alignment - 1)) || i.phys_base > (UINT64_C(1) << 40))
                return X86P_BAD_TRAILER;
        if (!x86_payload_filter_ok(&i, body))
                return X86P_BAD_FILTER;
        if (ret)
                *ret = i;
        return X86P_OK;
}

X86PayloadResult x86_payload_parse(const uint8_t *p, size_t len, X86PayloadInfo *ret) {
        X86PayloadInfo i;
        if (!p || len < X86_PAYLOAD_TRAILER_SIZE)
                return X86P_BAD_TRAILER;
        X86PayloadResult r = x86_payload_parse_trailer(p + len - X86_PAYLOAD_TRAILER_SIZE, len, &i);
        if (r != X86P_OK)
                return r;
        const X86PayloadRelocsHeader *rh = (const X86PayloadRelocsHeader *) (p + i.relocs_offset);
        i.n_reloc64 = get_le32(rh->n_reloc64);
        i.n_reloc_inv32 = get_le32(rh->n_reloc_inv32);
        i.n_reloc32 = get_le32(rh->n_reloc32);
        uint64_t n = (uint64_t) i.n_reloc64 + i.n_reloc_inv32 + i.n_reloc32;
        if (sizeof(X86PayloadRelocsHeader) + 4 * n != i.relocs_size)
                return X86P_BAD_TRAILER;
        if (ret)
                *ret = i;
        return X86P_OK;
}

const char *x86_payload_strerror(X86PayloadResult r) {
        switch (r) {
        case X86P_OK:                   return "success";
        case X86P_NOT_ELF:              return "kernel is not an ELF64 x86-64 image";
        case X86P_BAD_PHDRS:            return "ELF program or section headers outside the file";
        case X86P_NO_LOAD:              return "ELF has no PT_LOAD segment";
        case X86P_BAD_SEGMENT:          return "ELF segment outside the file, overlapping another, or entry outside the image";
        case X86P_BAD_RELOCS:           return "relocation table after the ELF does not parse as two lists (Linux 6.15+: 0, 64-bit, 0, 32-bit) or three (up to 6.14: 0, 64-bit, 0, inverse 32-bit, 0, 32-bit) with every entry inside the image, each list ascending";
        case X86P_RELOCS_LAYOUT:        return "relocation table layout differs from the one the kernel version implies";
        case X86P_BAD_SETUP:            return "setup header too short, protocol < 2.12, bad kernel_alignment or init_size below the image";
        case X86P_BUFFER_TOO_SMALL:     return "output buffer too small";
        case X86P_BAD_TRAILER:          return "x86 payload trailer missing or inconsistent";
        case X86P_TOO_BIG:              return "x86 payload beyond 4 GiB";
        case X86P_BAD_FILTER:           return "x86 payload filter unknown (made by a newer ukify-zboot?) or its range not inside the kernel image";
        }
        return "unknown x86 payload error";
}
