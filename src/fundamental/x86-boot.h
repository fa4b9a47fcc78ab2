/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure half of the native x86 boot path (the EFI half is src/boot/zboot/x86-*.c):
 * virtual KASLR and relocation of the decompressed kernel, the zero page (boot_params) and
 * its e820 table, and the identity page tables the kernel is entered with. No EFI calls;
 * every function works on caller-provided memory and checks every offset, so the host tests
 * can run each one on synthetic input. Field offsets are the x86 boot protocol's
 * (Documentation/arch/x86/zero-page.rst and boot.rst); docs/x86-boot.md lists the ones we set.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unaligned.h"
#include "x86-payload.h"

/* ---- the setup header (boot.rst) ------------------------------------------------------------
 * The same offsets in the bzImage file and in the zero page: the header starts at 0x1f1 in both
 * and the zero page has room for it up to 0x290. */

#define X86_SETUP_HDR           0x1f1u  /* setup_sects, the header's first field */
#define X86_SETUP_HDR_END       0x290u  /* the header's room in the zero page ends here */
#define X86_SETUP_JUMP          0x200u  /* 2-byte jump over the header; its second byte is the length from 0x202 */
#define X86_SETUP_MAGIC         0x202u  /* "HdrS" */
#define X86_SETUP_VERSION       0x206u  /* boot protocol version */
#define X86_SETUP_KERNEL_VERSION 0x20eu /* u16 pointer to the version string, minus 0x200 */
#define X86_SETUP_KERNEL_ALIGNMENT 0x230u
#define X86_SETUP_XLOADFLAGS    0x236u
#define X86_SETUP_PAYLOAD_OFFSET 0x248u
#define X86_SETUP_PAYLOAD_LENGTH 0x24cu
#define X86_SETUP_INIT_SIZE     0x260u

#define GIB                     (UINT64_C(1) << 30)

/* ---- boot_params (the "zero page") ------------------------------------------------------- */

#define BP_SIZE                 4096u
#define BP_SCREEN_INFO          0x000u  /* struct screen_info, 0x40 bytes */
#define BP_EXT_RAMDISK_IMAGE    0x0c0u
#define BP_EXT_RAMDISK_SIZE     0x0c4u
#define BP_EXT_CMD_LINE_PTR     0x0c8u
#define BP_EFI_INFO             0x1c0u  /* X86EfiInfo: loader signature, systab, memdesc size/version, memmap */
#define BP_E820_ENTRIES         0x1e8u
#define BP_SECURE_BOOT          0x1ecu
#define BP_SENTINEL             0x1efu
#define BP_HDR                  X86_SETUP_HDR /* the setup header, copied from the payload */
#define BP_TYPE_OF_LOADER       0x210u
#define BP_LOADFLAGS            0x211u
#define BP_RAMDISK_IMAGE        0x218u
#define BP_RAMDISK_SIZE         0x21cu
#define BP_CMD_LINE_PTR         0x228u
#define BP_INITRD_ADDR_MAX      0x22cu
#define BP_CMDLINE_SIZE         0x238u
#define BP_SETUP_DATA           0x250u
#define BP_E820_TABLE           0x2d0u
#define BP_E820_MAX             128u    /* entries in the zero page; more go to SETUP_E820_EXT */

#define LOADFLAG_KASLR          0x02u   /* KASLR_FLAG: the loader randomized the kernel */
#define XLF_KERNEL_64           0x0001u
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x0002u
#define XLF_5LEVEL              0x0020u /* the kernel can be entered with 5-level paging */

#define SETUP_E820_EXT          1u
#define SETUP_RNG_SEED          9u
#define SETUP_DATA_HDR          16u     /* u64 next, u32 type, u32 len */

#define E820_RAM                1u
#define E820_RESERVED           2u
#define E820_ACPI               3u
#define E820_NVS                4u
#define E820_UNUSABLE           5u
#define E820_PMEM               7u
#define E820_SOFT_RESERVED      0xefffffffu
#define E820_ENTRY_SIZE         20u     /* u64 addr, u64 size, u32 type (packed) */

/* KERNEL_IMAGE_SIZE: the kernel's virtual image window above __START_KERNEL_map is 1 GiB when
 * the kernel was built with CONFIG_RANDOMIZE_BASE and 512 MiB otherwise. The payload does not
 * say which, so virtual KASLR stays inside the smaller one: every placement we choose is one
 * the kernel's own decompressor could have chosen. */
#define X86_KERNEL_IMAGE_WINDOW (UINT64_C(512) << 20)

/* Zero the page and copy the payload's setup header (payload + info->setup_offset) into it.
 * Returns false if the header would not fit the zero page. */
bool x86_bp_init(uint8_t bp[BP_SIZE], const uint8_t *payload, const X86PayloadInfo *info);

/* efi_info at BP_EFI_INFO (struct efi_info in the kernel's uapi bootparam.h): little-endian
 * byte arrays, written with put_le32() (unaligned.h). */
typedef struct {
        char    loader_signature[4];    /* 0x00: "EL64" */
        uint8_t systab[4];              /* 0x04: low half */
        uint8_t memdesc_size[4];        /* 0x08 */
        uint8_t memdesc_version[4];     /* 0x0c */
        uint8_t memmap[4];              /* 0x10: low half */
        uint8_t memmap_size[4];         /* 0x14 */
        uint8_t systab_hi[4];           /* 0x18 */
        uint8_t memmap_hi[4];           /* 0x1c */
} X86EfiInfo;

_Static_assert(sizeof(X86EfiInfo) == 0x20, "efi_info size");
_Static_assert(offsetof(X86EfiInfo, systab) == 0x04, "efi_info systab");
_Static_assert(offsetof(X86EfiInfo, memdesc_size) == 0x08, "efi_info memdesc_size");
_Static_assert(offsetof(X86EfiInfo, memdesc_version) == 0x0c, "efi_info memdesc_version");
_Static_assert(offsetof(X86EfiInfo, memmap) == 0x10, "efi_info memmap");
_Static_assert(offsetof(X86EfiInfo, memmap_size) == 0x14, "efi_info memmap_size");
_Static_assert(offsetof(X86EfiInfo, systab_hi) == 0x18, "efi_info systab_hi");
_Static_assert(offsetof(X86EfiInfo, memmap_hi) == 0x1c, "efi_info memmap_hi");
_Static_assert(BP_EFI_INFO + sizeof(X86EfiInfo) <= BP_E820_ENTRIES, "efi_info inside the zero page");

/* One e820 entry (struct boot_e820_entry, packed), in the zero page, SETUP_E820_EXT and kexec's
 * tables: little-endian byte arrays. */
typedef struct {
        uint8_t addr[8];
        uint8_t size[8];
        uint8_t type[4];        /* E820_* */
} X86E820Entry;

_Static_assert(sizeof(X86E820Entry) == E820_ENTRY_SIZE, "e820 entry size");
_Static_assert(offsetof(X86E820Entry, size) == 8 && offsetof(X86E820Entry, type) == 16, "e820 entry fields");

/* The header of a setup_data node (struct setup_data); its len bytes of data follow. */
typedef struct {
        uint8_t next[8];        /* physical address of the next node, 0 ends the list */
        uint8_t type[4];        /* SETUP_* */
        uint8_t len[4];
} X86SetupData;

_Static_assert(sizeof(X86SetupData) == SETUP_DATA_HDR, "setup_data header size");
_Static_assert(offsetof(X86SetupData, type) == 8 && offsetof(X86SetupData, len) == 12, "setup_data fields");

/* An EFI_MEMORY_DESCRIPTOR (version 1) as the pure core reads and writes it; a firmware map's
 * stride may be larger than this. */
typedef struct {
        uint8_t type[4];
        uint8_t pad[4];
        uint8_t physical_start[8];
        uint8_t virtual_start[8];
        uint8_t number_of_pages[8];
        uint8_t attribute[8];
} X86EfiMemoryDescriptor;

_Static_assert(sizeof(X86EfiMemoryDescriptor) == 40, "EFI memory descriptor size");
_Static_assert(offsetof(X86EfiMemoryDescriptor, physical_start) == 8, "EFI memory descriptor PhysicalStart");
_Static_assert(offsetof(X86EfiMemoryDescriptor, virtual_start) == 16, "EFI memory descriptor VirtualStart");
_Static_assert(offsetof(X86EfiMemoryDescriptor, number_of_pages) == 24, "EFI memory descriptor NumberOfPages");
_Static_assert(offsetof(X86EfiMemoryDescriptor, attribute) == 32, "EFI memory descriptor Attribute");

/* The graphics mode as EFI's GOP reports it, and its conversion to the zero page's screen_info
 * (VIDEO_TYPE_EFI) the kernel's efifb/simplefb read. Returns false (screen_info left zero)
 * for a mode without a linear framebuffer (PixelBltOnly) or with nonsense masks. */
typedef struct {
        uint32_t format;        /* EFI_GRAPHICS_PIXEL_FORMAT: 0 RGBX8, 1 BGRX8, 2 bit mask, 3 blt only */
        uint32_t masks[4];      /* red, green, blue, reserved (format 2 only) */
        uint32_t width, height, pixels_per_line;
        uint64_t fb_base, fb_size;
} X86Gop;
bool x86_screen_info(uint8_t si[0x40], const X86Gop *g);

/* ---- e820 from the EFI memory map ------------------------------------------------------- */

/* EFI_MEMORY_DESCRIPTOR as UEFI lays it out (Type u32 at 0, PhysicalStart at 8, NumberOfPages
 * at 24, Attribute at 32); the map's stride is the firmware's DescriptorSize. */
#define EFI_DESC_MIN_SIZE ((unsigned) sizeof(X86EfiMemoryDescriptor))

/* The e820 type for an EFI memory type (boot services memory becomes RAM: the kernel owns it
 * after ExitBootServices), or 0 for descriptors that are left out (unaccepted memory). */
uint32_t x86_e820_type(uint32_t efi_type, uint64_t attribute);

/* Convert the map_size / stride descriptors of a map of map_size bytes (stride bytes apart,
 * stride >= EFI_DESC_MIN_SIZE; a partial descriptor at the end is ignored), merging neighbours
 * that touch and share a type (in map order, as the firmware gives it); descriptors that wrap
 * around the address space are left out. Writes at most cap entries (E820_ENTRY_SIZE bytes
 * each) and returns how many the whole map needs, so the caller can put the rest in
 * SETUP_E820_EXT; 0 if stride is too small. The EFI side checks the map with efi_map_check()
 * (slots.h) before it relies on it. */
size_t x86_e820_from_efi(const uint8_t *map, size_t map_size, size_t stride, uint8_t *out, size_t cap);

/* ---- virtual KASLR and relocation -------------------------------------------------------- */

/* The virtual address offset (added to every link-time virtual address): a kernel_alignment-
 * aligned slot for [virt, virt + mem_size) inside X86_KERNEL_IMAGE_WINDOW, at or above
 * phys_base as the kernel's decompressor chooses it, uniform over slots from seed; 0 without
 * randomize or without room. */
uint64_t x86_virt_offset(const X86PayloadInfo *info, uint64_t seed, bool randomize);

typedef enum {
        X86R_OK = 0,
        X86R_BAD_TABLE = -1,     /* counts do not match relocs_size */
        X86R_OUT_OF_IMAGE = -2,  /* an entry points outside [0, image_size - width] */
        X86R_UNSORTED = -3,      /* an entry lies below the one before it in its list */
} X86RelocResult;

/* Check every relocation entry of the payload (image at `image`, of info->image_size bytes,
 * relocation table at image + info->relocs_offset), then, if all are inside the image and each
 * list rises (every entry >= the one before it, as the relocs tool sorts them: docs/format.md
 * §4), add delta to the 64-bit and 32-bit targets and subtract it from the inverse 32-bit ones.
 * Nothing is patched when any entry is bad; *ret_bad gets its index. */
X86RelocResult x86_relocate(uint8_t *image, size_t len, const X86PayloadInfo *info, uint64_t delta,
                            size_t *ret_bad);

/* ---- identity page tables ---------------------------------------------------------------- */

/* Page sizes per GiB: bit g of gib_map (byte g / 8, bit g % 8) asks for GiB g to be one 1 GiB
 * page, honoured only at or above X86_PGTABLE_2M_END; every other GiB, and every GiB when gib_map
 * is NULL (the CPU lacks 1 GiB pages: CPUID 0x80000001 EDX bit 26), gets 2 MiB pages. The map
 * holds one bit per GiB up to map_end rounded up; x86_gib_cover() computes it. */

/* Bytes of page tables x86_pgtable_build needs to identity-map [0, map_end) (rounded up to
 * 1 GiB), 4- or 5-level, with the page sizes gib_map asks for. 0 if map_end is beyond what one
 * PML4 covers (256 TiB) or zero. */
size_t x86_pgtable_size(uint64_t map_end, bool la57, const uint8_t *gib_map);

/* Below 4 GiB the firmware's MTRRs draw the finest boundaries (legacy ranges, the 32-bit PCI
 * hole): 2 MiB pages there, whatever gib_map says. */
#define X86_PGTABLE_2M_END (UINT64_C(4) << 30)

/* The GiBs that may be one 1 GiB page: a large page spanning more than one MTRR memory type is
 * undefined (Intel SDM), and a write-back large page over reserved or MMIO ranges invites
 * speculative accesses there. So GiB g (at or above X86_PGTABLE_2M_END, below n_gib) gets its bit
 * only if descriptors of the firmware's memory map (map_size bytes, desc_size apart, any order)
 * of RAM types (loader, boot and runtime services code/data, conventional, ACPI reclaim/NVS,
 * persistent) with EFI_MEMORY_WB cover all of it, together. Zeroes gib_map ((n_gib + 7) / 8
 * bytes) first; false (all zero) if the map fails efi_map_check() or n_gib is beyond 256 TiB. */
bool x86_gib_cover(const void *map, size_t map_size, size_t desc_size, uint8_t *gib_map, uint64_t n_gib);

/* The architectural limit of physical addresses (MAXPHYADDR <= 52): page table entries hold
 * bits 12..51 of an address, the bits above are flags. */
#define X86_PHYS_ADDR_LIMIT (UINT64_C(1) << 52)

/* Build those tables in buf (page aligned, at physical address buf_phys, size from
 * x86_pgtable_size, ending at or below X86_PHYS_ADDR_LIMIT). Every page is mapped present +
 * writable + executable, cacheable (the
 * MTRRs the firmware set still make MMIO uncached). Returns the CR3 value (the root), or 0 if
 * the buffer is unsuitable. */
uint64_t x86_pgtable_build(uint8_t *buf, size_t size, uint64_t buf_phys, uint64_t map_end, bool la57,
                           const uint8_t *gib_map);

/* Enter with 5-level paging? Only if the CPU has LA57, the kernel says it can (XLF_5LEVEL)
 * and the command line does not ask for 4-level ("no5lvl"). */
static inline bool x86_use_la57(bool cpu_la57, uint16_t xloadflags, bool no5lvl) {
        return cpu_la57 && (xloadflags & XLF_5LEVEL) && !no5lvl;
}
