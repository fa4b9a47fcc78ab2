/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The zboot image in memory (zboot-assemble.h). Layout (docs/format.md): our
 * zboot<arch>.efi.stub, then the appended read-only sections .zbx86 (x86: the native payload's
 * trailer, uncompressed, so the EFI side can place the kernel before decompressing straight into
 * place), .zsig (the payload signature, if any) and .zdata, which must stay the last one: the
 * compressed payload followed by its 4-byte decompressed size (not for gzip: its own ISIZE ends
 * the stream); the Linux zboot header written into the DOS header points at it, with the
 * kernel's payload size rule (zboot.h, docs/format.md §1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm64-image.h"
#include "pe.h"
#include "sbat.h"
#include "uki-assemble.h"
#include "unaligned.h"
#include "x86-boot.h"
#include "xz-bcj-x86.h"
#include "zboot-assemble.h"
#include "zboot-stub.h"
#include "zboot.h"
#include "zsig.h"

void zboot_payload_free(ZbootPayload *p) {
        blob_free(&p->data);
}

/* The native x86 payload (docs/format.md §4) from a bzImage: its setup header plus the
 * vmlinux ELF and relocations its own payload decompressed to. The trailer goes into hint. */
static bool x86_payload(const Blob *bz, const Blob *vmlinux, const char *what, Blob *ret,
                        uint8_t hint[X86_PAYLOAD_TRAILER_SIZE]) {
        /* the header runs from X86_SETUP_HDR to the end of the jump at X86_SETUP_JUMP, which skips it */
        size_t setup_len = X86_SETUP_MAGIC + (size_t) bz->data[X86_SETUP_JUMP + 1] - X86_SETUP_HDR;
        X86PayloadInfo info;
        X86RelocsScan scan;
        size_t size;
        /* The relocation table's layout changed in Linux 6.15 (docs/format.md §4). The table
         * itself says which one it has (its zero terminators); the release in the setup
         * header's kernel_version string must agree, so a table we misread is refused rather
         * than turned into a wrong image. */
        _cleanup_free_ char *release = kernel_uname(bz, NULL);
        X86RelocsLayout expect = release ? x86_relocs_layout_for_version(release, strlen(release)) : X86_RELOCS_ANY;
        X86PayloadResult r = x86_payload_plan(vmlinux->data, vmlinux->size, bz->data + X86_SETUP_HDR, setup_len, expect, &info,
                                              &size, &scan);
        if (r == X86P_BAD_RELOCS || r == X86P_RELOCS_LAYOUT) {
                error("%s: cannot make the native x86 payload: %s", what, x86_payload_strerror(r));
                error("%s: found %llu bytes after the ELF (which ends at %llu): first word 0x%x, %u zero terminators, "
                      "lists of %u/%u/%u entries, %u entries outside the image, %u out of order; expected for Linux %s: %s",
                      what, (unsigned long long) scan.tail_bytes, (unsigned long long) scan.elf_end, scan.first_word,
                      scan.n_zero, scan.counts[0], scan.counts[1], scan.counts[2], scan.n_outside, scan.n_unsorted,
                      release ? release : "(no version string)", x86_relocs_layout_name(expect));
                return false;
        }
        if (r != X86P_OK)
                return error("%s: cannot make the native x86 payload: %s", what, x86_payload_strerror(r)), false;
        if (!(info.xloadflags & XLF_KERNEL_64))
                return error("%s: kernel has no 64-bit entry point (xloadflags 0x%x)", what, info.xloadflags), false;
        _cleanup_blob_ Blob b = { malloc(size), 0 };
        if (!b.data)
                return error("out of memory"), false;
        r = x86_payload_build(vmlinux->data, vmlinux->size, bz->data + X86_SETUP_HDR, setup_len, scan.layout, b.data, size,
                              &b.size);
        if (r != X86P_OK)
                return error("%s: cannot make the native x86 payload: %s", what, x86_payload_strerror(r)), false;
        memcpy(hint, b.data + b.size - X86_PAYLOAD_TRAILER_SIZE, X86_PAYLOAD_TRAILER_SIZE);
        *ret = blob_take(&b);
        return true;
}

bool zboot_payload_make(const Blob *kernel, const Blob *unpacked, const char *what, Arch arch, ZbootPayload *ret) {
        *ret = (ZbootPayload) {};
        switch (kernel_kind(kernel)) {
        case KERNEL_ARM64_IMAGE: {
                /* header and image_size were checked by kernel_validate() */
                uint64_t image_size = get_le64(kernel->data + ARM64_IMAGE_IMAGE_SIZE);
                if (arch != ARCH_UNKNOWN && arch != ARCH_AARCH64)
                        return error("%s: this is an arm64 Image, not %s", what, arch_name(arch)), false;
                ret->data.data = calloc(1, image_size);
                if (!ret->data.data)
                        return error("out of memory"), false;
                memcpy(ret->data.data, kernel->data, kernel->size);
                ret->data.size = image_size;
                ret->arch = ARCH_AARCH64;
                return true;
        }
        case KERNEL_BZIMAGE:
                if (arch != ARCH_UNKNOWN && arch != ARCH_X86_64)
                        return error("%s: this is an x86 bzImage, not %s", what, arch_name(arch)), false;
                if (!unpacked || !unpacked->data)
                        return error("%s: internal error: bzImage payload not unpacked", what), false;
                if (!x86_payload(kernel, unpacked, what, &ret->data, ret->hint))
                        return false;
                ret->arch = ARCH_X86_64;
                ret->x86 = true;
                return true;
        case KERNEL_ZBOOT:
                return error("%s: already a zboot image (extract its payload first)", what), false;
        case KERNEL_PE:
                return error("%s: a PE image, but not an arm64 Image (no \"ARM\\x64\" magic at 0x38)", what), false;
        default:
                return error("%s: not a kernel image (neither an arm64 Image nor an x86 bzImage)", what), false;
        }
}

bool zboot_payload_filter(ZbootPayload *p, const Blob *unpacked, const char *what) {
        if (!p->x86)
                return true;
        X86PayloadInfo info;
        X86PayloadResult r = x86_payload_parse(p->data.data, p->data.size, &info);
        uint32_t off, size;
        if (r == X86P_OK) {
                x86_payload_filter_range(unpacked ? unpacked->data : NULL, unpacked ? unpacked->size : 0, &info,
                                         X86_FILTER_BCJ_X86, &off, &size);
                if (size == 0)
                        return true;   /* no executable first segment: nothing to filter */
                /* the loaders' own liblzma filter object (src/upstream/xz-bcj-x86.c), encoding */
                (void) zb_bcj_x86_encode(off, p->data.data + off, size);
                r = x86_payload_set_filter(p->data.data, p->data.size, X86_FILTER_BCJ_X86, off, size);
        }
        if (r != X86P_OK)
                return error("%s: cannot filter the native x86 payload: %s", what, x86_payload_strerror(r)), false;
        memcpy(p->hint, p->data.data + p->data.size - X86_PAYLOAD_TRAILER_SIZE, X86_PAYLOAD_TRAILER_SIZE);
        return true;
}

bool zboot_stub_sbat(const Blob *stub, const char *stub_name, const Blob *kernel, const char *what,
                     const char *const *sbat_args, size_t n_sbat, Blob *ret) {
        _cleanup_sbat_ SbatList sl = {};
        if (!sbat_add_pe(&sl, stub, stub_name) || !sbat_add_pe(&sl, kernel, what))
                return false;
        for (size_t i = 0; i < n_sbat; i++)
                if (!sbat_add_text(&sl, sbat_args[i]))
                        return false;
        size_t sbat_size = 0;
        _cleanup_free_ char *text = sbat_format(&sl, &sbat_size);
        if (!text)
                return false;
        /* NUL-padded to the stub's 512-byte FileAlignment, so the section's raw data never
         * exceeds its virtual size: sd-stub >= 258 refuses such a section in a .linux */
        size_t padded = (sbat_size + 511) & ~(size_t) 511;
        char *p = realloc(text, padded);
        if (!p)
                return error("out of memory"), false;
        text = p;
        memset(text + sbat_size, 0, padded - sbat_size);
        int sr = sbat_replace(stub, stub_name, text, padded, ret);
        if (sr < 0)
                return false;
        if (sr == 0 && sl.n > 0)
                return error("%s: the stub has no .sbat section to put the SBAT entries in", stub_name), false;
        if (sr == 0) {
                /* no .sbat and nothing to put in one: the stub as it is */
                ret->data = malloc(stub->size ? stub->size : 1);
                if (!ret->data)
                        return error("out of memory"), false;
                memcpy(ret->data, stub->data, stub->size);
                ret->size = stub->size;
        }
        return true;
}

bool zboot_image_assemble(const Blob *stub, const char *stub_name, const ZbootPayload *p, const Blob *zsig,
                          CompressionType t, int level, const char *what, Blob *ret) {
        _cleanup_blob_ Blob stream = {};
        if (!compress_payload(t, level, p->arch, &p->data, &stream))
                return false;
        if (p->data.size > UINT32_MAX)
                return error("%s: kernel too large for the 32-bit size trailer", what), false;

        /* The kernel's size rule (zboot.h): payload_size is the stream; gzip's ISIZE already
         * ends it, the others get the size appended after it (size_len 4). */
        const char *label = compression_to_string(t);
        uint32_t size_len = zboot_size_len(label);
        if (stream.size > UINT32_MAX - size_len)
                return error("%s: compressed kernel too large for the 32-bit payload size", what), false;
        size_t zlen = stream.size + size_len;
        _cleanup_free_ uint8_t *zdata = malloc(zlen);
        if (!zdata)
                return error("out of memory"), false;
        memcpy(zdata, stream.data, stream.size);
        if (size_len == ZBOOT_SIZE_LEN_APPENDED)
                put_le32(zdata + stream.size, (uint32_t) p->data.size);

        /* x86: the trailer again, uncompressed, so the loader can place the kernel before it
         * decompresses it. It comes first, then the payload signature if any: the payload must
         * stay the last section. pad_virtual: sd-stub >= 258 loads a .linux itself and refuses
         * raw data > virtual size. */
        PeView sf;
        PeResult r = pe_parse(stub->data, stub->size, &sf);
        PeNewSection sec[3];
        size_t n_sec = 0;
        if (p->x86)
                sec[n_sec++] = (PeNewSection) { ".zbx86", p->hint, sizeof(p->hint), 0, true };
        if (zsig && zsig->data)
                sec[n_sec++] = (PeNewSection) { ".zsig", zsig->data, zsig->size, 0, true };
        sec[n_sec++] = (PeNewSection) { ".zdata", zdata, zlen, 0, true };
        _cleanup_blob_ Blob out = {};
        if (r == PE_OK)
                r = pe_append_blob(&sf, sec, n_sec, &out);
        if (r != PE_OK)
                return error("%s: %s", stub_name, pe_strerror(r)), false;

        /* The payload's file offset: the raw data of the section just appended. */
        PeView of;
        pe_parse(out.data, out.size, &of);
        PeSectionHeader last = pe_section(&of, of.n_sections - 1);
        ZbootInfo z = { .payload_offset = last.PointerToRawData, .payload_size = (uint32_t) stream.size,
                        .pe_header_offset = of.pe_offset };
        strcpy(z.comp_type, label);
        if (zboot_write_header(out.data, out.size, &z) != ZBOOT_OK)
                return error("internal error writing the zboot header"), false;
        /* The stub's self map: where the payload (and .zbx86) are without our headers (zboot.h). */
        size_t zmapped = 0, xmapped = 0;
        pe_section_data(&of, of.n_sections - 1, &zmapped);
        PeSectionHeader xs = {};
        if (p->x86) {
                int xi = pe_find_section(&of, ".zbx86");
                xs = pe_section(&of, (size_t) xi);
                pe_section_data(&of, (size_t) xi, &xmapped);
        }
        ZbootResult zr = zboot_self_fill(out.data, out.size, of.opt.SizeOfImage, last.PointerToRawData,
                                         last.VirtualAddress, (uint32_t) zmapped, p->x86 ? xs.VirtualAddress : 0,
                                         (uint32_t) xmapped);
        if (zr != ZBOOT_OK || pe_update_checksum(out.data, out.size) != PE_OK)
                return error("%s: %s", stub_name, zr != ZBOOT_OK ? zboot_strerror(zr) : "cannot update the PE checksum"),
                       false;
        *ret = blob_take(&out);
        return true;
}

bool zboot_make(const Blob *kernel, const Blob *unpacked, const char *what, CompressionType t, int level, bool bcj,
                Arch arch, const char *stub_path, const char *const *sbat_args, size_t n_sbat, const char *sig_key,
                const char *sig_cert, Blob *ret) {
        _cleanup_zboot_payload_ ZbootPayload p = {};
        if (!zboot_payload_make(kernel, unpacked, what, arch, &p))
                return false;

        char path[4096];
        bool defaulted = !stub_path;
        if (!stub_path) {
                zboot_stub_default_path(t, p.arch, path, sizeof(path));  /* the one-decoder stub for t */
                stub_path = path;
        }
        _cleanup_blob_ Blob stub = {}, merged = {}, zsig = {};
        if (!read_stub(stub_path, defaulted, &stub) || !zboot_stub_check(&stub, stub_path, t, p.arch) ||
            !zboot_stub_sbat(&stub, stub_path, kernel, what, sbat_args, n_sbat, &merged))
                return false;
        /* The payload signature (.zsig) is over exactly these bytes: what `extract` writes and
         * the loader boots, after decompression and undoing the x86 BCJ stage, made next. */
        if (sig_key && !zsig_make(p.data.data, p.data.size, sig_key, sig_cert, &zsig))
                return false;
        if (bcj && !zboot_payload_filter(&p, unpacked, what))
                return false;
        return zboot_image_assemble(&merged, stub_path, &p, &zsig, t, level, what, ret);
}
