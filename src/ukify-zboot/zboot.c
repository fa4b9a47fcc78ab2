/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ukify-zboot zboot KERNEL -o OUT`: wrap a kernel in our zboot self-decompressor.
 *
 * Layout of the result (docs/format.md): our zboot<arch>.efi.stub, one appended read-only
 * section ".zdata" holding the compressed payload followed by its 4-byte decompressed size
 * (not for gzip: its own ISIZE ends the stream), and the Linux zboot header written into the
 * DOS header, pointing at it, with the kernel's payload size rule (zboot.h, docs/format.md §1).
 * The payload is the kernel as it must lie in memory: an arm64 Image padded with zeros to its
 * in-memory size (Image header field image_size at offset 16), or for a bzImage the native x86
 * payload (§4) with its trailer also stored uncompressed in a ".zbx86" section before .zdata,
 * so the EFI side can decompress straight into place.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "pe.h"
#include "sbat.h"
#include "sign.h"
#include "verbs.h"
#include "x86-boot.h"
#include "x86-payload.h"
#include "zboot.h"
#include "zsig.h"

/* The native x86 payload (docs/format.md §4) from a bzImage: its setup header plus the
 * vmlinux ELF and relocations its own payload decompressed to. The trailer goes into hint. */
static bool x86_payload(const Blob *bz, const Blob *vmlinux, const char *what, Blob *ret,
                        uint8_t hint[X86_PAYLOAD_TRAILER_SIZE]) {
        size_t setup_len = 0x202 + (size_t) bz->data[0x201] - 0x1f1;   /* the jump at 0x200 skips the header */
        X86PayloadInfo info;
        X86RelocsScan scan;
        size_t size;
        /* The relocation table's layout changed in Linux 6.15 (docs/format.md §4). The table
         * itself says which one it has (its zero terminators); the release in the setup
         * header's kernel_version string must agree, so a table we misread is refused rather
         * than turned into a wrong image. */
        char *release = kernel_uname(bz, NULL);
        X86RelocsLayout expect = release ? x86_relocs_layout_for_version(release, strlen(release)) : X86_RELOCS_ANY;
        X86PayloadResult r = x86_payload_plan(vmlinux->data, vmlinux->size, bz->data + 0x1f1, setup_len, expect, &info,
                                              &size, &scan);
        if (r == X86P_BAD_RELOCS || r == X86P_RELOCS_LAYOUT) {
                error("%s: cannot make the native x86 payload: %s", what, x86_payload_strerror(r));
                error("%s: found %llu bytes after the ELF (which ends at %llu): first word 0x%x, %u zero terminators, "
                      "lists of %u/%u/%u entries, %u entries outside the image; expected for Linux %s: %s", what,
                      (unsigned long long) scan.tail_bytes, (unsigned long long) scan.elf_end, scan.first_word,
                      scan.n_zero, scan.counts[0], scan.counts[1], scan.counts[2], scan.n_outside,
                      release ? release : "(no version string)", x86_relocs_layout_name(expect));
                free(release);
                return false;
        }
        free(release);
        if (r != X86P_OK)
                return error("%s: cannot make the native x86 payload: %s", what, x86_payload_strerror(r)), false;
        if (!(info.xloadflags & XLF_KERNEL_64))
                return error("%s: kernel has no 64-bit entry point (xloadflags 0x%x)", what, info.xloadflags), false;
        ret->data = malloc(size);
        if (!ret->data)
                return error("out of memory"), false;
        r = x86_payload_build(vmlinux->data, vmlinux->size, bz->data + 0x1f1, setup_len, scan.layout, ret->data, size,
                              &ret->size);
        if (r != X86P_OK) {
                blob_free(ret);
                return error("%s: cannot make the native x86 payload: %s", what, x86_payload_strerror(r)), false;
        }
        memcpy(hint, ret->data + ret->size - X86_PAYLOAD_TRAILER_SIZE, X86_PAYLOAD_TRAILER_SIZE);
        return true;
}

bool make_zboot(const Blob *kernel, const Blob *unpacked, const char *what, CompressionType t, int level, Arch arch,
                const char *stub_path, const char *const *sbat_args, size_t n_sbat, Blob *ret) {
        return make_zboot_signed(kernel, unpacked, what, t, level, arch, stub_path, sbat_args, n_sbat, NULL, NULL, ret);
}

bool make_zboot_signed(const Blob *kernel, const Blob *unpacked, const char *what, CompressionType t, int level,
                       Arch arch, const char *stub_path, const char *const *sbat_args, size_t n_sbat,
                       const char *sig_key, const char *sig_cert, Blob *ret) {
        KernelKind kind = kernel_kind(kernel);
        Blob payload = {};
        uint8_t hint[X86_PAYLOAD_TRAILER_SIZE];
        bool x86 = false;

        switch (kind) {
        case KERNEL_ARM64_IMAGE: {
                /* header and image_size were checked by kernel_validate() */
                uint64_t image_size;
                memcpy(&image_size, kernel->data + 16, 8);
                if (arch != ARCH_UNKNOWN && arch != ARCH_AARCH64)
                        return error("%s: this is an arm64 Image, not %s", what, arch_name(arch)), false;
                arch = ARCH_AARCH64;
                payload.data = calloc(1, image_size);
                if (!payload.data)
                        return error("out of memory"), false;
                memcpy(payload.data, kernel->data, kernel->size);
                payload.size = image_size;
                break;
        }
        case KERNEL_BZIMAGE:
                if (arch != ARCH_UNKNOWN && arch != ARCH_X86_64)
                        return error("%s: this is an x86 bzImage, not %s", what, arch_name(arch)), false;
                arch = ARCH_X86_64;
                if (!unpacked || !unpacked->data)
                        return error("%s: internal error: bzImage payload not unpacked", what), false;
                if (!x86_payload(kernel, unpacked, what, &payload, hint))
                        return false;
                x86 = true;
                break;
        case KERNEL_ZBOOT:
                return error("%s: already a zboot image (extract its payload first)", what), false;
        case KERNEL_PE:
                return error("%s: a PE image, but not an arm64 Image (no \"ARM\\x64\" magic at 0x38)", what), false;
        default:
                return error("%s: not a kernel image (neither an arm64 Image nor an x86 bzImage)", what), false;
        }

        char path[4096];
        bool defaulted = !stub_path;
        if (!stub_path) {
                snprintf(path, sizeof(path), "%s/zboot%s.efi.stub", stub_dir(), arch_efi_suffix(arch));
                stub_path = path;
        }
        _cleanup_blob_ Blob stub = {}, stream = {};
        if (!read_stub(stub_path, defaulted, &stub)) {
                blob_free(&payload);
                return false;
        }
        /* .sbat: the stub's, the kernel's own (a PE kernel may carry one; the image we make
         * replaces it, so revoking that kernel by SBAT must keep working), the user's */
        {
                SbatList sl = {};
                size_t sbat_size = 0;
                char *text = NULL;
                Blob merged = {};
                bool ok = sbat_add_pe(&sl, &stub, stub_path) && sbat_add_pe(&sl, kernel, what);
                for (size_t i = 0; ok && i < n_sbat; i++)
                        ok = sbat_add_text(&sl, sbat_args[i]);
                if (ok)
                        ok = (text = sbat_format(&sl, &sbat_size)) != NULL;
                /* NUL-padded to the stub's 512-byte FileAlignment, so the section's raw data never
                 * exceeds its virtual size: sd-stub >= 258 refuses such a section in a .linux */
                size_t padded = (sbat_size + 511) & ~(size_t) 511;
                char *p = ok ? realloc(text, padded) : NULL;
                if (p) {
                        memset(p + sbat_size, 0, padded - sbat_size);
                        text = p;
                        sbat_size = padded;
                } else
                        ok = false;
                int sr = ok ? sbat_replace(&stub, stub_path, text, sbat_size, &merged) : -1;
                if (sr == 0 && sl.n > 0) {
                        error("%s: the stub has no .sbat section to put the SBAT entries in", stub_path);
                        sr = -1;
                }
                sbat_free(&sl);
                free(text);
                if (sr < 0) {
                        blob_free(&payload);
                        return false;
                }
                if (sr > 0) {
                        blob_free(&stub);
                        stub = merged;
                }
        }
        /* The payload signature (.zsig) is over exactly these bytes: what the loader (and
         * `extract`) gets back after decompression. */
        _cleanup_blob_ Blob zsig = {};
        if (sig_key && !zsig_make(payload.data, payload.size, sig_key, sig_cert, &zsig)) {
                blob_free(&payload);
                return false;
        }
        bool ok = compress_payload(t, level, arch, &payload, &stream);
        uint64_t out_size = payload.size;
        blob_free(&payload);
        if (!ok)
                return false;
        if (out_size > UINT32_MAX)
                return error("%s: kernel too large for the 32-bit size trailer", what), false;

        /* The kernel's size rule (zboot.h): payload_size is the stream; gzip's ISIZE already
         * ends it, the others get the size appended after it (size_len 4). */
        const char *label = compression_to_string(t);
        uint32_t size_len = zboot_size_len(label);
        if (stream.size > UINT32_MAX - size_len)
                return error("%s: compressed kernel too large for the 32-bit payload size", what), false;
        size_t zlen = stream.size + size_len;
        uint8_t *zdata = malloc(zlen);
        if (!zdata)
                return error("out of memory"), false;
        memcpy(zdata, stream.data, stream.size);
        if (size_len == ZBOOT_SIZE_LEN_APPENDED) {
                uint32_t le = (uint32_t) out_size;
                memcpy(zdata + stream.size, &le, ZBOOT_SIZE_FIELD);
        }

        /* x86: the trailer again, uncompressed, so the loader can place the kernel before it
         * decompresses it. It comes first, then the payload signature if any: the payload must
         * stay the last section. */
        PeFile sf;
        PeResult r = pe_parse(stub.data, stub.size, &sf);
        /* pad_virtual: sd-stub >= 258 loads a .linux itself and refuses raw data > virtual size */
        PeNewSection sec[3];
        size_t n_sec = 0, total = 0;
        if (x86)
                sec[n_sec++] = (PeNewSection) { ".zbx86", hint, sizeof(hint), 0, true };
        if (zsig.data)
                sec[n_sec++] = (PeNewSection) { ".zsig", zsig.data, zsig.size, 0, true };
        sec[n_sec++] = (PeNewSection) { ".zdata", zdata, zlen, 0, true };
        if (r == PE_OK)
                r = pe_append_size(&sf, sec, n_sec, &total);
        Blob out = { r == PE_OK ? malloc(total) : NULL, 0 };
        if (r == PE_OK && out.data)
                r = pe_append_sections(&sf, sec, n_sec, out.data, total, &out.size);
        free(zdata);
        if (r != PE_OK || !out.data) {
                blob_free(&out);
                return error("%s: %s", stub_path, r != PE_OK ? pe_strerror(r) : "out of memory"), false;
        }

        /* The payload's file offset: the raw data of the section just appended. */
        PeFile of;
        pe_parse(out.data, out.size, &of);
        PeSectionHeader last = pe_section(&of, of.n_sections - 1);
        ZbootInfo z = { .payload_offset = last.PointerToRawData, .payload_size = (uint32_t) stream.size,
                        .pe_header_offset = of.pe_offset };
        strcpy(z.comp_type, label);
        if (zboot_write_header(out.data, out.size, &z) != ZBOOT_OK) {
                blob_free(&out);
                return error("internal error writing the zboot header"), false;
        }
        /* The stub's self map: where the payload (and .zbx86) are without our headers (zboot.h). */
        size_t zmapped = 0, xmapped = 0;
        pe_section_data(&of, of.n_sections - 1, &zmapped);
        PeSectionHeader xs = {};
        if (x86) {
                int xi = pe_find_section(&of, ".zbx86");
                xs = pe_section(&of, (size_t) xi);
                pe_section_data(&of, (size_t) xi, &xmapped);
        }
        ZbootResult zr = zboot_self_fill(out.data, out.size, of.opt.SizeOfImage, last.PointerToRawData,
                                         last.VirtualAddress, (uint32_t) zmapped, x86 ? xs.VirtualAddress : 0,
                                         (uint32_t) xmapped);
        if (zr != ZBOOT_OK || pe_update_checksum(out.data, out.size) != PE_OK) {
                blob_free(&out);
                return error("%s: %s", stub_path, zr != ZBOOT_OK ? zboot_strerror(zr) : "cannot update the PE checksum"),
                       false;
        }
        *ret = out;
        return true;
}

static void help(void) {
        printf("ukify-zboot zboot KERNEL -o OUTPUT [OPTIONS]\n\n"
               "Wrap a kernel in the zboot self-decompressor: the result is a Linux EFI zboot image\n"
               "(vmlinuz.efi) bootable by firmware, systemd-boot (Type #1 `linux` entries) or as a\n"
               "UKI's .linux.\n\n"
               "  -o --output PATH       where to write the image (required)\n"
               "  -c --compress TYPE     zstd (default), gzip, lz4, xz, lzo (-Dlzo=enabled builds)\n"
               "  -l --level N           compression level (default: zstd 19, gzip 12, lz4 12, xz 9)\n"
               "     --arch ARCH         x86_64 or aarch64 (default: detected from KERNEL)\n"
               "     --stub PATH         self-decompressor to use (default: ours for the arch, from\n"
               "                         $UKIFY_ZBOOT_STUB_DIR, else the installed stub directory)\n"
               "     --sbat TEXT|@FILE   SBAT entries (repeatable) merged into the image's .sbat with the\n"
               "                         stub's and the kernel's (header line once, each component once)\n"
               "     --secureboot-private-key KEY\n"
               "     --secureboot-certificate CERT\n"
               "                         sign the image for Secure Boot with sbsign (both or neither)\n"
               "     --sign-payload KEY\n"
               "     --sign-payload-cert CERT\n"
               "                         store a detached PKCS#7 signature over the decompressed payload\n"
               "                         in a .zsig section (kernel module-signature format; made before\n"
               "                         the Secure Boot signature, which then covers it)\n"
               "  -h --help              this help\n");
}

int verb_zboot(int argc, char **argv) {
        enum { ARG_ARCH = 0x100, ARG_STUB, ARG_SBAT, ARG_SB_KEY, ARG_SB_CERT, ARG_SIG_KEY, ARG_SIG_CERT };
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "compress", required_argument, NULL, 'c' },
                { "level", required_argument, NULL, 'l' },
                { "arch", required_argument, NULL, ARG_ARCH },
                { "stub", required_argument, NULL, ARG_STUB },
                { "sbat", required_argument, NULL, ARG_SBAT },
                { "secureboot-private-key", required_argument, NULL, ARG_SB_KEY },
                { "secureboot-certificate", required_argument, NULL, ARG_SB_CERT },
                { "sign-payload", required_argument, NULL, ARG_SIG_KEY },
                { "sign-payload-cert", required_argument, NULL, ARG_SIG_CERT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *output = NULL, *stub = NULL, *sb_key = NULL, *sb_cert = NULL, *sig_key = NULL, *sig_cert = NULL,
                   *sbats[16];
        size_t n_sbat = 0;
        CompressionType t = COMPRESSION_ZSTD;
        Arch arch = ARCH_UNKNOWN;
        int level = -1, c;

        while ((c = getopt_long(argc, argv, "o:c:l:h", opts, NULL)) >= 0)
                switch (c) {
                case 'o': output = optarg; break;
                case 'c':
                        t = compression_from_string(optarg);
                        if (t == COMPRESSION_LZO && !compression_supported(t))
                                return error("--compress lzo: not supported by this build (configure with -Dlzo=enabled; "
                                             "the binaries are then GPL-2.0-or-later)");
                        if (t != COMPRESSION_ZSTD && t != COMPRESSION_GZIP && t != COMPRESSION_LZ4 && t != COMPRESSION_XZ &&
                            t != COMPRESSION_LZO)
                                return error("--compress: unknown type \"%s\" (zstd, gzip, lz4, xz, lzo)", optarg);
                        break;
                case 'l': {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (*end || v < 0 || v > 22)
                                return error("--level: \"%s\" is not a level", optarg);
                        level = (int) v;
                        break;
                }
                case ARG_ARCH:
                        arch = arch_from_string(optarg);
                        if (arch == ARCH_UNKNOWN)
                                return error("--arch: unknown architecture \"%s\" (x86_64, aarch64)", optarg);
                        break;
                case ARG_STUB: stub = optarg; break;
                case ARG_SBAT:
                        if (n_sbat == sizeof(sbats) / sizeof(*sbats))
                                return error("--sbat: at most %zu", sizeof(sbats) / sizeof(*sbats));
                        sbats[n_sbat++] = optarg;
                        break;
                case ARG_SB_KEY: sb_key = optarg; break;
                case ARG_SB_CERT: sb_cert = optarg; break;
                case ARG_SIG_KEY: sig_key = optarg; break;
                case ARG_SIG_CERT: sig_cert = optarg; break;
                case 'h': help(); return 0;
                default: return 2;
                }
        if (optind + 1 != argc)
                return error("zboot: expected exactly one KERNEL argument (see --help)");
        if (!output)
                return error("zboot: --output is required");
        if (!sign_check_args(sb_key, sb_cert))
                return 1;
        if (!sig_key != !sig_cert)
                return error("zboot: --sign-payload and --sign-payload-cert go together");
        if (level < 0)
                level = compress_default_level(t);

        _cleanup_blob_ Blob kernel = {}, unpacked = {}, out = {};
        if (!read_file(argv[optind], &kernel))
                return 1;
        if (kernel_validate(&kernel, argv[optind], &unpacked) == KERNEL_UNKNOWN)
                return 1;
        if (!make_zboot_signed(&kernel, &unpacked, argv[optind], t, level, arch, stub, sbats, n_sbat, sig_key, sig_cert,
                               &out))
                return 1;
        if (!write_output(output, out.data, out.size, sb_key, sb_cert))
                return 1;
        info("wrote %s: %zu bytes (%s, %.1f%% of %s)%s%s", output, out.size, compression_to_string(t),
             100.0 * (double) out.size / (double) kernel.size, argv[optind], sb_key ? ", signed" : "",
             sig_key ? ", payload signed" : "");
        return 0;
}
