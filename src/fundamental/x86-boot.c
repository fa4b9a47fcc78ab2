/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "slots.h"
#include "x86-boot.h"

bool x86_bp_init(uint8_t bp[BP_SIZE], const uint8_t *payload, const X86PayloadInfo *info) {
        memset(bp, 0, BP_SIZE);
        if (info->setup_size > X86_SETUP_HDR_END - BP_HDR)
                return false;
        memcpy(bp + BP_HDR, payload + info->setup_offset, info->setup_size);
        return true;
}

/* screen_info field offsets (struct screen_info in the kernel's uapi) */
#define SI_ISVGA        0x0f
#define SI_LFB_WIDTH    0x12
#define SI_LFB_HEIGHT   0x14
#define SI_LFB_DEPTH    0x16
#define SI_LFB_BASE     0x18
#define SI_LFB_SIZE     0x1c
#define SI_LINELENGTH   0x24
#define SI_RED_SIZE     0x26    /* then red_pos, green size/pos, blue size/pos, rsvd size/pos */
#define SI_CAPABILITIES 0x36
#define SI_EXT_LFB_BASE 0x3a
#define VIDEO_TYPE_EFI  0x70
#define VIDEO_CAPABILITY_64BIT_BASE 2u

/* A contiguous mask's (size, position); false if it has holes. */
static bool mask_field(uint32_t m, uint8_t *size, uint8_t *pos) {
        if (m == 0) {
                *size = *pos = 0;
                return true;
        }
        unsigned p = (unsigned) __builtin_ctz(m), n = (unsigned) __builtin_popcount(m);
        if (p + n < 32 && (m >> (p + n)) != 0)
                return false;
        *size = (uint8_t) n;
        *pos = (uint8_t) p;
        return true;
}

bool x86_screen_info(uint8_t si[0x40], const X86Gop *g) {
        static const uint32_t rgbx[4] = { 0x000000ff, 0x0000ff00, 0x00ff0000, 0xff000000 };
        static const uint32_t bgrx[4] = { 0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000 };
        const uint32_t *m = g->format == 0 ? rgbx : g->format == 1 ? bgrx : g->format == 2 ? g->masks : NULL;

        memset(si, 0, 0x40);
        if (!m || g->width == 0 || g->width > 0xffff || g->height == 0 || g->height > 0xffff ||
            g->pixels_per_line < g->width || g->fb_base == 0)
                return false;
        uint8_t f[8];
        for (unsigned i = 0; i < 4; i++)
                if (!mask_field(m[i], &f[2 * i], &f[2 * i + 1]))
                        return false;
        uint32_t all = m[0] | m[1] | m[2] | m[3];
        unsigned depth = all ? 32 - (unsigned) __builtin_clz(all) : 0;
        if (depth == 0 || (uint64_t) g->pixels_per_line * ((depth + 7) / 8) > 0xffff)
                return false;
        si[SI_ISVGA] = VIDEO_TYPE_EFI;
        put_le16(si + SI_LFB_WIDTH, (uint16_t) g->width);
        put_le16(si + SI_LFB_HEIGHT, (uint16_t) g->height);
        put_le16(si + SI_LFB_DEPTH, (uint16_t) depth);
        put_le32(si + SI_LFB_BASE, (uint32_t) g->fb_base);
        put_le32(si + SI_EXT_LFB_BASE, (uint32_t) (g->fb_base >> 32));
        if (g->fb_base >> 32)
                put_le32(si + SI_CAPABILITIES, VIDEO_CAPABILITY_64BIT_BASE);
        put_le32(si + SI_LFB_SIZE, g->fb_size > UINT32_MAX ? UINT32_MAX : (uint32_t) g->fb_size);
        put_le16(si + SI_LINELENGTH, (uint16_t) (g->pixels_per_line * ((depth + 7) / 8)));
        memcpy(si + SI_RED_SIZE, f, 8);
        return true;
}

/* ---- e820 -------------------------------------------------------------------------------- */

#define EFI_MEMORY_SP UINT64_C(0x40000) /* "specific purpose": the kernel keeps it for drivers */

uint32_t x86_e820_type(uint32_t efi_type, uint64_t attribute) {
        switch (efi_type) {
        case 0:  /* EfiReservedMemoryType */
        case 5:  /* EfiRuntimeServicesCode */
        case 6:  /* EfiRuntimeServicesData */
        case 11: /* EfiMemoryMappedIO */
        case 12: /* EfiMemoryMappedIOPortSpace */
        case 13: /* EfiPalCode */
                return E820_RESERVED;
        case 8:  /* EfiUnusableMemory */
                return E820_UNUSABLE;
        case 9:  /* EfiACPIReclaimMemory */
                return E820_ACPI;
        case 1:  /* EfiLoaderCode: the kernel, its zero page, command line, initrd, our tables */
        case 2:  /* EfiLoaderData */
        case 3:  /* EfiBootServicesCode: free once boot services are gone */
        case 4:  /* EfiBootServicesData */
        case 7:  /* EfiConventionalMemory */
                return (attribute & EFI_MEMORY_SP) ? E820_SOFT_RESERVED : E820_RAM;
        case 10: /* EfiACPIMemoryNVS */
                return E820_NVS;
        case 14: /* EfiPersistentMemory */
                return E820_PMEM;
        default: /* EfiUnacceptedMemoryType and anything newer: not ours to describe */
                return 0;
        }
}

size_t x86_e820_from_efi(const uint8_t *map, size_t map_size, size_t stride, uint8_t *out, size_t cap) {
        size_t count = 0;
        uint64_t last_end = 0;
        uint32_t last_type = 0;

        if (stride < EFI_DESC_MIN_SIZE)
                return 0;
        size_t n = map_size / stride;
        for (size_t i = 0; i < n; i++) {
                const X86EfiMemoryDescriptor *d = (const X86EfiMemoryDescriptor *) (map + i * stride);
                uint64_t start = get_le64(d->physical_start), pages = get_le64(d->number_of_pages);
                uint32_t type = x86_e820_type(get_le32(d->type), get_le64(d->attribute));
                if (type == 0 || pages == 0 || pages > (UINT64_MAX - start) >> 12)
                        continue;
                uint64_t size = pages << 12;
                if (count > 0 && type == last_type && start == last_end) {
                        if (count <= cap) {
                                X86E820Entry *e = (X86E820Entry *) out + (count - 1);
                                put_le64(e->size, get_le64(e->size) + size);
                        }
                } else {
                        if (count < cap) {
                                X86E820Entry *e = (X86E820Entry *) out + count;
                                put_le64(e->addr, start);
                                put_le64(e->size, size);
                                put_le32(e->type, type);
                        }
                        count++;
                }
                last_end = start + size;
                last_type = type;
        }
        return count;
}

/* ---- virtual KASLR and relocation -------------------------------------------------------- */

uint64_t x86_virt_offset(const X86PayloadInfo *info, uint64_t seed, bool randomize) {
        if (!randomize)
                return 0;
        uint64_t align = info->kernel_alignment, size = info->init_size;
        if (align < 4096 || size > X86_KERNEL_IMAGE_WINDOW)
                return 0;
        size = (size + align - 1) & ~(align - 1);
        SlotRegion window = { 0, X86_KERNEL_IMAGE_WINDOW };
        uint64_t addr;
        if (!slots_choose(&window, 1, size, align, info->phys_base, X86_KERNEL_IMAGE_WINDOW, seed, true, &addr) ||
            addr < info->phys_base)
                return 0;
        return addr - info->phys_base;
}

/* The highest offset a relocation of `width` bytes may patch: [0, image_size - width]. The
 * entry's sign-extended address minus virt_base must be at most this (and the address must not
 * lie below virt_base). */
static bool reloc_limit(const X86PayloadInfo *info, unsigned width, uint64_t *ret) {
        if (info->image_size < width)
                return false;
        *ret = (uint64_t) info->image_size - width;
        return true;
}

/* An entry (the low 32 bits of a link-time virtual address) as an offset into the image: the
 * kernel lives in the top 2 GiB, so sign extension gives the full address back. True when a
 * patch of the list's width there lies inside the image. */
static bool reloc_inside(uint32_t entry, uint64_t virt_base, uint64_t limit) {
        uint64_t va = (uint64_t) (int64_t) (int32_t) entry;
        return va >= virt_base && va - virt_base <= limit;
}

/* Pass 1 for one list (entries stored as their differences from the previous one): every entry
 * must be at least the one before it (the relocs tool sorts each list; the sum of the
 * differences never wraps past 2^32) and point inside the image. Returns the number of good
 * entries before the first bad one (= n when all are good), *ret_why what is wrong with it.
 *
 * The fast path sums the differences (one add per entry, no branch) and checks only the first
 * and the last entry: if the sum stays below 2^32, the entries rise from the first to the last;
 * two entries whose addresses lie inside the image (less than 4 GiB) sign-extend from the same
 * half of the 32-bit range, where sign extension keeps the order, so every entry in between is
 * inside too. Only a list that fails it is walked entry by entry, to name the bad entry. */
static uint32_t reloc_check_list(const uint8_t *e, uint32_t n, uint64_t virt_base, bool have_limit, uint64_t limit,
                                 X86RelocResult *ret_why) {
        *ret_why = X86R_OUT_OF_IMAGE;
        if (n == 0)
                return 0;
        if (!have_limit)
                return 0;
        uint64_t sum = 0;
        for (uint32_t i = 0; i < n; i++)
                sum += get_le32(e + 4 * (size_t) i);
        uint32_t first = get_le32(e);
        if (sum <= UINT32_MAX && ((first ^ (uint32_t) sum) & UINT32_C(0x80000000)) == 0 &&
            reloc_inside(first, virt_base, limit) && reloc_inside((uint32_t) sum, virt_base, limit))
                return n;

        uint64_t entry = 0;
        for (uint32_t i = 0; i < n; i++) {
                entry += get_le32(e + 4 * (size_t) i);
                if (entry > UINT32_MAX) {
                        *ret_why = X86R_UNSORTED;
                        return i;
                }
                if (!reloc_inside((uint32_t) entry, virt_base, limit))
                        return i;
        }
        return n;   /* not reached: the fast path accepts every list this walk accepts */
}

/* Pass 2 for one checked list: the image offset of each entry is the previous one's plus the
 * stored difference (the entries rise within one half of the 32-bit range, where sign extension
 * adds the same to both), so a patch costs one load of the difference, one add and the
 * read-modify-write of the target. off = the offset of "entry 0" (first entry - its difference). */
#define RELOC_PATCH_LOOP(e, n, off, type, op)                                                          \
        for (uint32_t i = 0; i < (n); i++) {                                                           \
                (off) += get_le32((e) + 4 * (size_t) i);                                               \
                uint8_t *p_ = image + (off);                                                           \
                put_le##type(p_, get_le##type(p_) op);                                                 \
        }

X86RelocResult x86_relocate(uint8_t *image, size_t len, const X86PayloadInfo *info, uint64_t delta,
                            size_t *ret_bad) {
        if (info->relocs_offset > len || info->relocs_size < sizeof(X86PayloadRelocsHeader) ||
            info->relocs_size > len - info->relocs_offset ||
            info->image_size > info->relocs_offset)
                return X86R_BAD_TABLE;
        const uint8_t *rel = image + info->relocs_offset;
        const X86PayloadRelocsHeader *rh = (const X86PayloadRelocsHeader *) rel;
        uint32_t counts[3] = { get_le32(rh->n_reloc64), get_le32(rh->n_reloc_inv32), get_le32(rh->n_reloc32) };
        if (sizeof(*rh) + 4 * ((uint64_t) counts[0] + counts[1] + counts[2]) != info->relocs_size)
                return X86R_BAD_TABLE;
        const uint8_t *lists[3];
        lists[0] = rel + sizeof(*rh);
        lists[1] = lists[0] + 4 * (size_t) counts[0];
        lists[2] = lists[1] + 4 * (size_t) counts[1];

        /* Pass 1 checks the whole table, pass 2 patches: a bad table leaves the image untouched.
         * The table lies after image_size, so patches never touch it. */
        uint64_t virt_base = info->virt_base, lim8 = 0, lim4 = 0;
        bool have8 = reloc_limit(info, 8, &lim8), have4 = reloc_limit(info, 4, &lim4);
        size_t index = 0;
        for (unsigned list = 0; list < 3; list++) {
                X86RelocResult why;
                uint32_t good = reloc_check_list(lists[list], counts[list], virt_base, list == 0 ? have8 : have4,
                                                 list == 0 ? lim8 : lim4, &why);
                if (good != counts[list]) {
                        if (ret_bad)
                                *ret_bad = index + good;
                        return why;
                }
                index += counts[list];
        }
        if (delta == 0)
                return X86R_OK;

        /* Every target is now known to lie in [0, image_size - width], in rising order: the patch
         * loops need no checks. Offsets wrap modulo 2^64 only before the first add. */
        uint32_t d32 = (uint32_t) delta;
        uint64_t off[3];
        for (unsigned list = 0; list < 3; list++) {
                uint32_t first = counts[list] ? get_le32(lists[list]) : 0;
                off[list] = ((uint64_t) (int64_t) (int32_t) first - virt_base) - first;
        }
        RELOC_PATCH_LOOP(lists[0], counts[0], off[0], 64, + delta)
        RELOC_PATCH_LOOP(lists[1], counts[1], off[1], 32, - d32)
        RELOC_PATCH_LOOP(lists[2], counts[2], off[2], 32, + d32)
        return X86R_OK;
}

/* ---- identity page tables ---------------------------------------------------------------- */

#define PT_PRESENT_RW UINT64_C(0x003)
#define PT_LARGE UINT64_C(0x080)

static bool gib_page(const uint8_t *gib_map, uint64_t g) {
        return gib_map && g >= X86_PGTABLE_2M_END / GIB && (gib_map[g / 8] >> (g % 8)) & 1;
}

/* GiBs mapped, PDPT pages, and page-directory pages (the GiBs mapped with 2 MiB pages). */
static void counts(uint64_t map_end, const uint8_t *gib_map, uint64_t *n_gib, uint64_t *n_pdpt, uint64_t *n_pd) {
        *n_gib = (map_end + GIB - 1) / GIB;
        *n_pdpt = (*n_gib + 511) / 512;
        *n_pd = 0;
        for (uint64_t g = 0; g < *n_gib; g++)
                *n_pd += !gib_page(gib_map, g);
}

size_t x86_pgtable_size(uint64_t map_end, bool la57, const uint8_t *gib_map) {
        uint64_t n_gib, n_pdpt, n_pd;
        if (map_end == 0 || map_end > (UINT64_C(1) << 48) - GIB)
                return 0;
        counts(map_end, gib_map, &n_gib, &n_pdpt, &n_pd);
        return (size_t) ((la57 ? 1 : 0) + 1 + n_pdpt + n_pd) * 4096;
}

/* EFI memory types that are RAM (EfiLoaderCode .. EfiConventionalMemory, EfiACPIReclaimMemory,
 * EfiACPIMemoryNVS, EfiPersistentMemory), and the EFI_MEMORY_WB attribute. */
static bool ram_type(uint32_t type) {
        return (type >= 1 && type <= 7) || type == 9 || type == 10 || type == 14;
}
#define EFI_MAP_ATTR_WB UINT64_C(0x8)

/* The part of descriptor d that is write-back RAM below lim, as [*s, *e); false if none. */
static bool wb_ram(const uint8_t *d, uint64_t lim, uint64_t *s, uint64_t *e) {
        uint64_t start = get_le64(d + 8), pages = get_le64(d + 24);
        if (!ram_type(get_le32(d)) || !(get_le64(d + 32) & EFI_MAP_ATTR_WB) || pages == 0 || start >= lim)
                return false;
        *s = start;
        *e = pages > (lim - start) / EFI_MAP_PAGE_SIZE ? lim : start + pages * EFI_MAP_PAGE_SIZE;
        return true;
}

bool x86_gib_cover(const void *map, size_t map_size, size_t desc_size, uint8_t *gib_map, uint64_t n_gib) {
        if (n_gib > (UINT64_C(1) << 48) / GIB)
                return false;
        memset(gib_map, 0, (size_t) ((n_gib + 7) / 8));
        if (efi_map_check(map, map_size, desc_size, NULL) != EFI_MAP_OK)
                return false;
        const uint8_t *m = map;
        size_t n = map_size / desc_size;
        uint64_t lo = X86_PGTABLE_2M_END / GIB, lim = n_gib * GIB, s, e;
        /* GiBs inside one descriptor */
        for (size_t i = 0; i < n; i++) {
                if (!wb_ram(m + i * desc_size, lim, &s, &e))
                        continue;
                uint64_t first = (s + GIB - 1) / GIB, end = e / GIB;
                for (uint64_t g = first > lo ? first : lo; g < end; g++)
                        gib_map[g / 8] |= (uint8_t) (1u << (g % 8));
        }
        /* GiBs a descriptor covers only in part: covered if the pieces add up (descriptors do not
         * overlap: efi_map_check). At most two per descriptor, each summed over the map. */
        for (size_t i = 0; i < n; i++) {
                if (!wb_ram(m + i * desc_size, lim, &s, &e))
                        continue;
                uint64_t edges[2] = { s / GIB, (e - 1) / GIB };
                for (size_t k = 0; k < 2; k++) {
                        uint64_t g = edges[k], gs = g * GIB, sum = 0;
                        if (g < lo || (gib_map[g / 8] >> (g % 8)) & 1)
                                continue;
                        for (size_t j = 0; j < n; j++) {
                                uint64_t s2, e2;
                                if (!wb_ram(m + j * desc_size, lim, &s2, &e2) || e2 <= gs || s2 >= gs + GIB)
                                        continue;
                                sum += (e2 < gs + GIB ? e2 : gs + GIB) - (s2 > gs ? s2 : gs);
                        }
                        if (sum == GIB)
                                gib_map[g / 8] |= (uint8_t) (1u << (g % 8));
                }
        }
        return true;
}

uint64_t x86_pgtable_build(uint8_t *buf, size_t size, uint64_t buf_phys, uint64_t map_end, bool la57,
                           const uint8_t *gib_map) {
        size_t need = x86_pgtable_size(map_end, la57, gib_map);
        /* Entries hold physical addresses in bits 12..51; bits 52..63 are flags (63 = NX). */
        if (need == 0 || size < need || (buf_phys & 4095) || buf_phys > X86_PHYS_ADDR_LIMIT - need)
                return 0;
        uint64_t n_gib, n_pdpt, n_pd;
        counts(map_end, gib_map, &n_gib, &n_pdpt, &n_pd);
        memset(buf, 0, need);

        size_t page = 0;
        uint64_t root = buf_phys;
        if (la57) {
                /* PML5[0] → PML4: the low 256 TiB, which is all we map. */
                put_le64(buf, (buf_phys + 4096) | PT_PRESENT_RW);
                page = 1;
        }
        uint8_t *pml4 = buf + page * 4096;
        uint64_t pdpt_phys = buf_phys + (page + 1) * 4096;
        uint64_t pd_phys = pdpt_phys + n_pdpt * 4096;
        uint8_t *pdpt = pml4 + 4096, *pd = pdpt + n_pdpt * 4096;

        for (uint64_t i = 0; i < n_pdpt; i++)
                put_le64(pml4 + i * 8, (pdpt_phys + i * 4096) | PT_PRESENT_RW);
        for (uint64_t g = 0, p = 0; g < n_gib; g++) {
                if (gib_page(gib_map, g)) {   /* a 1 GiB page (PS in the PDPT entry) */
                        put_le64(pdpt + g * 8, (g * GIB) | PT_PRESENT_RW | PT_LARGE);
                        continue;
                }
                put_le64(pdpt + g * 8, (pd_phys + p * 4096) | PT_PRESENT_RW);
                for (uint64_t j = 0; j < 512; j++)
                        put_le64(pd + p * 4096 + j * 8, (g * GIB + (j << 21)) | PT_PRESENT_RW | PT_LARGE);
                p++;
        }
        return root;
}
