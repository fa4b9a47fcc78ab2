/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Placing a PE kernel ourselves instead of LoadImage(): a nested LoadImage would copy the
 * image again, would be refused under Secure Boot for an unsigned inner kernel, and gives us
 * no say over the address. The kernel's EFI stub needs only what LoadImage provides: the
 * image at a suitable address with sections in place, and a loaded-image protocol
 * (kernel-start.c).
 */
#include "arm64-image.h"
#include "log.h"
#include "memattr.h"
#include "memory.h"
#include "pe-kernel.h"
#include "pe.h"

/* W^X for the kernel image in pages (headers RO+NX, code sections RX, the rest RW+NX), while
 * it is still ours: the memory was allocated as EfiLoaderData, made RW+NX (kernel_alloc()),
 * written and relocated, and only now gets execute permission. A section that asks to be
 * writable and executable at once cannot have both under W^X: such a kernel is refused (the
 * kernels we boot have none; their PE headers declare NX_COMPAT), rather than mapped W+X or
 * mapped without the permission it asked for. */
static EFI_STATUS protect(Pages *pages, const LoadedKernel *k, const PeView *v) {
        EFI_STATUS err;
        uint32_t hdr = v->opt.SizeOfHeaders, salign = v->opt.SectionAlignment;

        if (!memattr_available())
                return EFI_SUCCESS;   /* logged once by memattr.c; EfiLoaderCode, as LoadImage would */
        if (salign < EFI_PAGE_SIZE)
                return log_error_status(EFI_UNSUPPORTED,
                                        "kernel SectionAlignment 0x%x is below the page size: no W^X possible", salign);
        for (size_t i = 0; i < v->n_sections; i++) {
                PeSectionHeader s = pe_section(v, i);
                if ((s.Characteristics & (PE_SCN_MEM_EXECUTE | PE_SCN_CNT_CODE)) && (s.Characteristics & PE_SCN_MEM_WRITE))
                        return log_error_status(EFI_UNSUPPORTED,
                                                "kernel section %.8s is writable and executable: refused under W^X",
                                                s.Name);
        }
        /* Everything is RW+NX already (kernel_alloc()): the headers RO, then code RO+X. */
        uint64_t off = k->base - pages->addr;
        err = memattr_pages(pages, off, align_up64(hdr, EFI_PAGE_SIZE), MEMATTR_RO);
        if (err != EFI_SUCCESS)
                return err;
        for (size_t i = 0; i < v->n_sections; i++) {
                PeSectionHeader s = pe_section(v, i);
                if (!(s.Characteristics & (PE_SCN_MEM_EXECUTE | PE_SCN_CNT_CODE)))
                        continue;
                uint64_t start = s.VirtualAddress & ~(uint64_t) (EFI_PAGE_SIZE - 1);
                uint64_t len = align_up64((uint64_t) s.VirtualSize + (s.VirtualAddress & (EFI_PAGE_SIZE - 1)),
                                          EFI_PAGE_SIZE);
                if (start > k->size || len > k->size - start)
                        return log_error_status(EFI_LOAD_ERROR, "kernel section %.8s lies outside the image", s.Name);
                err = memattr_pages(pages, off + start, len, MEMATTR_RX);
                if (err != EFI_SUCCESS)
                        return err;
        }
        return EFI_SUCCESS;
}

#if defined(__aarch64__)
/* Whether to tell the arm64 kernel's EFI stub to run the image where we put it. It copies
 * itself elsewhere unless told so (when it has an EFI_RNG_PROTOCOL): one more copy of the whole
 * kernel and its own randomization instead of ours. The rule it applies is in arm64-image.h;
 * our placement meets it by construction (2 MiB aligned, below 2^48, one allocation that holds
 * image_size, i.e. one memory map entry), and we check it rather than assume it. */
static bool arm64_run_in_place(const Pages *pages) {
        Arm64FixedResult r = arm64_fixed_placement(pages_ptr(pages), pages->n_pages * EFI_PAGE_SIZE, pages->addr,
                                                   pages->n_pages * EFI_PAGE_SIZE);
        if (r != ARM64_FIXED_OK) {
                log_info("kernel at 0x%lx may be moved by its own stub: not installing "
                         "LINUX_EFI_LOADED_IMAGE_FIXED_GUID (%s)", pages->addr, arm64_fixed_strerror(r));
                return false;
        }
        log_info("kernel runs in place: LINUX_EFI_LOADED_IMAGE_FIXED_GUID on its image handle");
        return true;
}
#endif

static EFI_STATUS finish(Pages *pages, const PeView *v, LoadedKernel *ret) {
        uint8_t *img = pages_ptr(pages);
        uint64_t size = pages->n_pages * EFI_PAGE_SIZE;

        PeResult r = pe_load_relocate(img, size, v, pages->addr - v->opt.ImageBase);
        if (r != PE_OK)
                return log_error_status(EFI_LOAD_ERROR, "kernel image: %s", pe_strerror(r));

        LoadedKernel k = {
                .base = pages->addr,
                .size = align_up64(v->opt.SizeOfImage, EFI_PAGE_SIZE),
                .entry_rva = v->opt.AddressOfEntryPoint,
        };
        if (k.entry_rva >= k.size || k.size > size)
                return log_error_status(EFI_LOAD_ERROR, "kernel entry point or size outside the image");
        EFI_STATUS err = protect(pages, &k, v);
        if (err != EFI_SUCCESS)
                return err;
#if defined(__aarch64__)
        k.arch.pe.placement_fixed = arm64_run_in_place(pages);
#endif
        *ret = k;
        return EFI_SUCCESS;
}

static EFI_STATUS check_machine(const PeView *v) {
        uint16_t machine = v->file.Machine;
#if defined(__x86_64__)
        if (machine != PE_MACHINE_X86_64)
#else
        if (machine != PE_MACHINE_ARM64)
#endif
                return log_error_status(EFI_UNSUPPORTED, "kernel image is for another machine (0x%x)", machine);
        return EFI_SUCCESS;
}

/* The kernel's headers, read by the one strict reader (pe.h) in the given layout. */
static EFI_STATUS check_view(const void *image, size_t size, PeLayout layout, PeView *v) {
        PeResult r = pe_parse_layout(image, size, layout, v);
        if (r != PE_OK)
                return log_error_status(EFI_LOAD_ERROR, "kernel image: PE headers are malformed (%s)", pe_strerror(r));
        return check_machine(v);
}

/* An arm64 Image whose header contradicts the Image as given (image_size below its size or
 * absurd) is refused, as ukify-zboot refuses it: its own EFI stub would trust that header. */
static EFI_STATUS check_arm64_header(const void *image, size_t size) {
        uint64_t image_size = 0;
        if (!arm64_image_size_ok(image, size, &image_size))
                return log_error_status(EFI_LOAD_ERROR,
                                        "arm64 Image header image_size %lu is smaller than the image (%lu bytes) or absurd",
                                        image_size, (uint64_t) size);
        return EFI_SUCCESS;
}

EFI_STATUS pe_kernel_load(const void *file, size_t file_size, const Placement *p, Pages *ret_pages,
                          LoadedKernel *ret) {
        _cleanup_pages_ Pages pages = {};
        PeView v;
        EFI_STATUS err;

        err = check_view(file, file_size, PE_LAYOUT_FILE, &v);
        if (err == EFI_SUCCESS)
                err = check_arm64_header(file, file_size);
        if (err != EFI_SUCCESS)
                return err;
        err = kernel_alloc(v.opt.SizeOfImage, v.opt.SectionAlignment, p, &pages);
        if (err != EFI_SUCCESS)
                return err;
        PeResult r = pe_load_copy(&v, pages_ptr(&pages), pages.n_pages * EFI_PAGE_SIZE);
        if (r != PE_OK)
                return log_error_status(EFI_LOAD_ERROR, "kernel image: %s", pe_strerror(r));
        /* From here on, headers are read from the copy (memory layout). */
        err = check_view(pages_ptr(&pages), pages.n_pages * EFI_PAGE_SIZE, PE_LAYOUT_MEMORY, &v);
        if (err != EFI_SUCCESS)
                return err;
        err = finish(&pages, &v, ret);
        if (err != EFI_SUCCESS)
                return err;
        *ret_pages = take_pages(&pages);
        return EFI_SUCCESS;
}

EFI_STATUS pe_kernel_adopt(Pages *pages, const PeView *v, LoadedKernel *ret) {
        EFI_STATUS err;

        if (v->layout != PE_LAYOUT_FILE || v->data != pages_ptr(pages) || v->size > pages->n_pages * EFI_PAGE_SIZE)
                return log_error_status(EFI_INVALID_PARAMETER, "kernel image view does not describe its pages");
        err = check_machine(v);
        if (err == EFI_SUCCESS)
                err = check_arm64_header(v->data, v->size);
        if (err != EFI_SUCCESS)
                return err;
        if (!pe_load_is_identity(v))
                return log_error_status(EFI_LOAD_ERROR, "kernel image is not laid out for in-place use");
        return finish(pages, v, ret);
}
