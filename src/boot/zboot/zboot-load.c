/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shared loader step of both binaries: zboot payload → kernel in memory.
 *
 * Memory: the decompressed payload is the kernel's memory image (the producer padded an arm64
 * Image to its in-memory size, BSS included), so we allocate its decompressed size once at the
 * placed address and decompress into it; zstd, gzip and lz4 use the output as their window, so
 * their small workspace is the only other allocation (xz's workspace is its dictionary,
 * docs/decompression.md). A native x86 payload (docs/format.md §4) is placed by the copy of its
 * trailer in .zbx86 and finished by x86-load.c. If a PE payload turns out not to be usable in place (a PE whose file
 * layout differs from its memory layout), it is loaded from there into a second allocation
 * and the first is freed: the smallest extra copy.
 */
#include "bench.h"
#include "decompress.h"
#include "log.h"
#include "memory.h"
#include "pe.h"
#include "x86-load.h"
#include "zboot-decode.h"
#include "zboot-load.h"
#include "zboot.h"

/* A gzip payload failed to load by the kernel's size rule (docs/format.md §1): if the image was
 * made by the old rule (payload_size without ISIZE), say so. Returns err otherwise. Runs only
 * on this failure path; frees what it allocates. */
static EFI_STATUS refuse_old_gzip(const ZbootInfo *z, CompressionType type, const uint8_t *payload, size_t avail,
                                  EFI_STATUS err) {
        size_t len;
        uint64_t size;
        if (type != COMPRESSION_GZIP || zboot_old_gzip_layout(z, payload, avail, &len, &size) != ZBOOT_OK ||
            size > SIZE_MAX)
                return err;
        _cleanup_pages_ Pages out = {};
        _cleanup_pool_ void *work = NULL;
        size_t work_size = decompress_workspace_size(type, payload, len);
        if (BS->AllocatePool(EfiLoaderData, work_size, &work) != EFI_SUCCESS ||
            alloc_pages_below(size, UINT64_MAX, EfiLoaderData, &out) != EFI_SUCCESS)
                return err;
        if (zboot_gzip_old_rule(z, payload, avail, pages_ptr(&out), (size_t) size, work, work_size) !=
            ZBOOT_GZIP_OLD_RULE)
                return err;
        return log_error_status(EFI_LOAD_ERROR, "not a valid zboot image: %s", zboot_strerror(ZBOOT_GZIP_OLD_RULE));
}

/* The common part: z describes the payload at (payload, avail); zbx86 is the .zbx86 section
 * (NULL for a PE payload). */
static EFI_STATUS load_payload(const ZbootInfo *zi, const uint8_t *payload, size_t avail, const uint8_t *zbx86,
                               size_t zbx86_len, const Placement *p, Pages *ret_pages, LoadedKernel *ret) {
        _cleanup_pages_ Pages pages = {};
        _cleanup_pool_ void *work = NULL;
        const ZbootInfo z = *zi;
        ZbootResult zr;
        EFI_STATUS err;

        CompressionType type = compression_from_string(z.comp_type);
        if (type < 0)
                return log_error_status(EFI_UNSUPPORTED, "unknown compression \"%s\"", z.comp_type);

        uint64_t out_size;
        zr = zboot_decompressed_size(&z, payload, avail, &out_size);
        if (zr != ZBOOT_OK)
                return log_error_status(EFI_LOAD_ERROR, "zboot payload size: %s", zboot_strerror(zr));
        if (out_size == 0)
                return refuse_old_gzip(&z, type, payload, avail,
                                       log_error_status(EFI_LOAD_ERROR, "zboot size trailer says the kernel is 0 bytes"));

        size_t stream_len = zboot_stream_length(&z);
        if (!compression_supported(type)) {
                /* a one-decoder stub (docs/design.md "One stub per compression") names its decoder */
                const char *opt = compression_build_option(type);
                char list[64];
                size_t n = decoder_set_format(decoder_set_built(), list, sizeof(list));
                if (n > 0)
                        list[n - 1] = '\0';
                return log_error_status(EFI_UNSUPPORTED, "%s payloads are not supported by this build%s%s%s (this stub "
                                        "decodes %s)", z.comp_type, opt ? " (built without " : "", opt ?: "",
                                        opt ? ")" : "", n > 0 ? list : "nothing");
        }
        bench_phase(BENCH_LOCATE);
        size_t work_size = decompress_workspace_size(type, payload, stream_len);
        if (work_size > 0) {
                err = BS->AllocatePool(EfiLoaderData, work_size, &work);
                if (err != EFI_SUCCESS)
                        return log_error_status(err, "cannot allocate %lu bytes of decompression workspace",
                                                (uint64_t) work_size);
        }
        bench_alloc(work_size);
        _cleanup_(bench_freep) __attribute__((unused)) uint64_t bench_work = work_size; /* before work's FreePool */

        /* A native x86 payload says where it may live in an uncompressed copy of its trailer. */
        X86Hint x86;
        bool is_x86;
        err = x86_hint_read(zbx86, zbx86_len, out_size, &x86, &is_x86);
        if (err != EFI_SUCCESS)
                return refuse_old_gzip(&z, type, payload, avail, err);
        if (is_x86)
                err = x86_kernel_alloc(&x86, out_size, p, &pages);
        else
                err = kernel_alloc(out_size, KERNEL_PLACEMENT_ALIGN, p, &pages);
        if (err != EFI_SUCCESS)
                return refuse_old_gzip(&z, type, payload, avail, err);

        bench_phase(BENCH_ALLOC);
        bench_memcpy(pages_ptr(&pages), out_size);   /* only with "zboot.bench" */
        uint64_t t0 = cpu_ticks();
        size_t out_len = 0;
        /* Capacity = the size the header promised: a stream that decodes to more is refused
         * rather than allowed to fill the rest of the allocation. */
        DecompressResult dr = decompress(type, payload, stream_len, pages_ptr(&pages), out_size, &out_len, work,
                                         work_size);
        uint64_t t1 = cpu_ticks(), hz = cpu_ticks_per_sec();
        bench_phase(BENCH_DECOMPRESS);
        if (dr != DECOMPRESS_OK || out_len != out_size) {
                /* the failed allocation goes before a possible old-rule check needs memory */
                free_pagesp(&pages);
                if (dr != DECOMPRESS_OK)
                        err = log_error_status(EFI_LOAD_ERROR, "cannot decompress %s payload: %s", z.comp_type,
                                               decompress_strerror(dr));
                else
                        err = log_error_status(EFI_LOAD_ERROR, "payload decompressed to %lu bytes, header says %lu",
                                               (uint64_t) out_len, out_size);
                return refuse_old_gzip(&z, type, payload, avail, err);
        }
        bench_payload(z.payload_size, out_len);
        log_info("decompressed %s: %lu -> %lu bytes in %lu ms", z.comp_type, (uint64_t) z.payload_size,
                 (uint64_t) out_len, hz ? (t1 - t0) * 1000 / hz : 0);

        if (is_x86) {
                /* x86_kernel_prepare() zeroes what the kernel needs zeroed after the image
                 * (BSS the payload does not carry) and reads the relocation table first: no
                 * pass over the slack here. */
                err = x86_kernel_prepare(&pages, out_len, &x86, p, ret);
                if (err != EFI_SUCCESS)
                        return err;
                *ret_pages = take_pages(&pages);
                return EFI_SUCCESS;
        }

        /* Zero the slack between the payload and the end of the allocation. */
        memset((uint8_t *) pages_ptr(&pages) + out_len, 0, pages.n_pages * EFI_PAGE_SIZE - out_len);

        PeView v;
        if (pe_parse(pages_ptr(&pages), out_len, &v) != PE_OK)
                return log_error_status(EFI_UNSUPPORTED, "payload is neither a PE kernel nor a native x86 payload");

        if (pe_load_is_identity(&v)) {
                err = pe_kernel_adopt(&pages, &v, ret);
                if (err != EFI_SUCCESS)
                        return err;
                *ret_pages = take_pages(&pages);
                return EFI_SUCCESS;
        }

        log_info("payload is not laid out for in-place use: loading it from a copy");
        return pe_kernel_load(pages_ptr(&pages), out_len, p, ret_pages, ret);
}

EFI_STATUS zboot_load(const void *image, size_t size, const Placement *p, Pages *ret_pages, LoadedKernel *ret) {
        ZbootInfo z;
        ZbootResult zr = zboot_parse_header(image, size, &z);
        if (zr != ZBOOT_OK)
                return log_error_status(EFI_LOAD_ERROR, "not a valid zboot image: %s", zboot_strerror(zr));
        /* Payload plus, except for gzip, the 4-byte size appended after it (zboot.h). */
        if ((uint64_t) z.payload_offset + zboot_payload_extent(&z) > size)
                return log_error_status(EFI_LOAD_ERROR, "zboot payload runs past the end of the image");

        /* .zbx86 of the zboot image, a file here (e.g. a UKI's .linux) */
        const uint8_t *zbx86 = NULL;
        size_t zbx86_len = 0;
        PeView zv;
        if (pe_parse(image, size, &zv) != PE_OK || !pe_section_find(&zv, ".zbx86", &zbx86, &zbx86_len))
                zbx86 = NULL, zbx86_len = 0;
        EFI_STATUS err = load_payload(&z, (const uint8_t *) image + z.payload_offset, size - z.payload_offset, zbx86,
                                      zbx86_len, p, ret_pages, ret);
        if (err == EFI_SUCCESS)
                bench_phase(BENCH_RELOCATE);
        return err;
}

EFI_STATUS zboot_load_self(const void *image, size_t size, const ZbootSelfMap *map, const Placement *p,
                           Pages *ret_pages, LoadedKernel *ret) {
        ZbootSelf s;
        ZbootResult zr = zboot_self_parse(map, size, &s);
        if (zr != ZBOOT_OK)
                return log_error_status(EFI_LOAD_ERROR, "not a valid zboot image: %s", zboot_strerror(zr));
        /* loaded with our headers (firmware, sd-stub < 258): they must say what the map says */
        zr = zboot_self_check_base(map, image, size);
        if (zr != ZBOOT_OK)
                return log_error_status(EFI_SECURITY_VIOLATION, "refusing this zboot image: %s", zboot_strerror(zr));
        const uint8_t *base = image;
        EFI_STATUS err = load_payload(&s.z, base + s.payload_rva, (size_t) s.payload_avail,
                                      s.zbx86_size ? base + s.zbx86_rva : NULL, (size_t) s.zbx86_size, p, ret_pages, ret);
        if (err == EFI_SUCCESS)
                bench_phase(BENCH_RELOCATE);
        return err;
}
