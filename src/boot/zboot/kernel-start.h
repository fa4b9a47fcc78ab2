/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "x86-boot.h"
#include "x86-payload.h"

/* What only a native x86 payload has (x86-load.c fills it; x86-params.c, x86-exit.c read it). */
typedef struct {
        bool kaslr;                 /* placed and relocated at random (KASLR_FLAG for the kernel) */
        uint64_t virt_offset;       /* added to every link-time virtual address */
        X86PayloadInfo info;
        uint8_t setup[X86_SETUP_HDR_END - X86_SETUP_HDR]; /* the setup header, kept before BSS is zeroed */
} LoadedKernelX86;

/* What only a PE kernel started through its EFI entry point has (pe-kernel.c, kernel-start.c). */
typedef struct {
        bool placement_fixed;       /* arm64: install LINUX_EFI_LOADED_IMAGE_FIXED_GUID (run in place) */
} LoadedKernelPe;

/* A kernel placed in memory by us (not by LoadImage), ready to start: a PE kernel (started
 * through its EFI entry point, kernel_start()) or, with x86 set, a native x86 payload
 * (started by x86_boot() after ExitBootServices). Generic code reads base/size/entry_rva and
 * the tag; the arch part belongs to the path the tag names. */
typedef struct {
        EFI_PHYSICAL_ADDRESS base;  /* image base: headers at offset 0, sections at their RVAs */
        uint64_t size;              /* SizeOfImage, page aligned */
        uint32_t entry_rva;
        bool x86;                   /* a native x86 payload: arch.x86, else a PE kernel: arch.pe */
        union {
                LoadedKernelPe pe;
                LoadedKernelX86 x86;
        } arch;
} LoadedKernel;

/* The last line before the hand-off: where the kernel is and how long we took since t0
 * (cpu_ticks() at our entry). */
void log_kernel_starting(const LoadedKernel *k, uint64_t t0);

/* Start the kernel's EFI entry point the way LoadImage+StartImage would, without a nested
 * LoadImage: a new handle carries an EFI_LOADED_IMAGE_PROTOCOL that points at our copy, with
 * the command line (UCS-2, options_size bytes, may be NULL/0) as LoadOptions and our own device
 * handle and file path (the kernel stub only reads ImageBase/ImageSize/LoadOptions, and may
 * use DeviceHandle to find files), plus LINUX_EFI_LOADED_IMAGE_FIXED_GUID (NULL interface)
 * when k->arch.pe.placement_fixed. Returns only if the kernel's stub fails: it returned, or it
 * called BS->Exit() on its handle (taken by us, kernel-start.c "The kernel's Exit"); the
 * protocols are uninstalled again then and the status is an error. *ret_keep says they are
 * still installed (the kernel's stub had called ExitBootServices, or the uninstall failed):
 * then the kernel's pages and the options stay allocated, as the protocol points at them. */
EFI_STATUS kernel_start(EFI_HANDLE parent, const LoadedKernel *k, const void *options, uint32_t options_size,
                        bool *ret_keep);
/* Put the firmware's Exit back if kernel_start() has it replaced (nothing otherwise): what
 * kernel_start() does itself when the kernel's stub comes back, and what __stack_chk_fail()
 * does before it leaves through Exit (stack_protector_undo_set()). */
void kernel_start_unhook(void);
