/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm64-image.h"
#include "decompress.h"
#include "kernel.h"
#include "pe.h"
#include "unaligned.h"
#include "x86-boot.h"
#include "x86-payload.h"
#include "zboot-decode.h"
#include "zboot.h"

KernelKind kernel_kind(const Blob *k) {
        if (zboot_has_magic(k->data, k->size))
                return KERNEL_ZBOOT;
        if (k->size >= X86_SETUP_MAGIC + 4 && memcmp(k->data + X86_SETUP_MAGIC, "HdrS", 4) == 0)
                return KERNEL_BZIMAGE;
        if (k->size >= ARM64_IMAGE_HEADER_SIZE && get_le32(k->data + ARM64_IMAGE_MAGIC_OFFSET) == ARM64_IMAGE_MAGIC)
                return KERNEL_ARM64_IMAGE;
        if (pe_parse(k->data, k->size, NULL) == PE_OK)
                return KERNEL_PE;
        return KERNEL_UNKNOWN;
}

const char *kernel_kind_name(KernelKind k) {
        static const char *const n[] = { "unknown", "arm64 Image", "x86 bzImage", "zboot image", "PE image" };
        return n[k];
}

Arch kernel_arch(const Blob *k) {
        if (kernel_kind(k) == KERNEL_BZIMAGE)
                return ARCH_X86_64;
        PeView f;
        if (pe_parse(k->data, k->size, &f) != PE_OK)
                return ARCH_UNKNOWN;
        switch (f.file.Machine) {
        case PE_MACHINE_X86_64: return ARCH_X86_64;
        case PE_MACHINE_ARM64:  return ARCH_AARCH64;
        default:                return ARCH_UNKNOWN;
        }
}

const char *arch_name(Arch a) {
        return a == ARCH_X86_64 ? "x86_64" : a == ARCH_AARCH64 ? "aarch64" : "unknown";
}

const char *arch_efi_suffix(Arch a) {
        return a == ARCH_X86_64 ? "x64" : "aa64";
}

Arch arch_from_string(const char *s) {
        if (strcmp(s, "x86_64") == 0 || strcmp(s, "x64") == 0 || strcmp(s, "amd64") == 0)
                return ARCH_X86_64;
        if (strcmp(s, "aarch64") == 0 || strcmp(s, "arm64") == 0 || strcmp(s, "aa64") == 0)
                return ARCH_AARCH64;
        return ARCH_UNKNOWN;
}

uint16_t arch_pe_machine(Arch a) {
        return a == ARCH_X86_64 ? PE_MACHINE_X86_64 : a == ARCH_AARCH64 ? PE_MACHINE_ARM64 : 0;
}

Arch arch_or_host(const char *efi_arch) {
        if (efi_arch)
                return arch_from_string(efi_arch);
#if defined(__aarch64__)
        return ARCH_AARCH64;
#else
        return ARCH_X86_64;
#endif
}

static char *version_word(const uint8_t *p, size_t avail) {
        size_t n = 0;
        while (n < avail && n < 128 && p[n] > ' ' && p[n] < 0x7f)
                n++;
        if (n == 0)
                return NULL;
        char *s = malloc(n + 1);
        memcpy(s, p, n);
        s[n] = '\0';
        return s;
}

static char *banner_uname(const uint8_t *d, size_t size) {
        static const char needle[] = "Linux version ";
        const size_t nl = sizeof(needle) - 1;
        for (const uint8_t *p = d; size >= nl && p <= d + size - nl;) {
                p = memmem(p, (size_t) (d + size - p), needle, nl);
                if (!p)
                        break;
                /* the banner is "Linux version X (builder) ..."; skip format strings */
                if (p + nl < d + size && p[nl] >= '0' && p[nl] <= '9')
                        return version_word(p + nl, (size_t) (d + size - p - nl));
                p += nl;
        }
        return NULL;
}

#define MAX_KERNEL_SIZE (UINT64_C(2) << 30)

/* Decompress in[0..in_len) to exactly out_size bytes (the size trailer's claim) into a new
 * Blob. NULL on success, else why not (static text). */
static const char *decode_exact(CompressionType t, const uint8_t *in, size_t in_len, uint64_t out_size, Blob *ret) {
        size_t ws = decompress_workspace_size(t, in, in_len);
        void *work = ws ? aligned_alloc(64, (ws + 63) & ~(size_t) 63) : NULL;
        Blob out = { malloc(out_size), 0 };
        if (!out.data || (ws && !work)) {
                free(work);
                free(out.data);
                return "out of memory";
        }
        DecompressResult r = decompress(t, in, in_len, out.data, out_size, &out.size, work, ws);
        free(work);
        if (r != DECOMPRESS_OK || out.size != out_size) {
                free(out.data);
                return r != DECOMPRESS_OK ? decompress_strerror(r) : "size differs from the size trailer";
        }
        *ret = out;
        return NULL;
}

/* The same, errors naming the payload as "the NAME payload". */
static bool unpack_exact(CompressionType t, const uint8_t *in, size_t in_len, uint64_t out_size, const char *what,
                         const char *name, Blob *ret) {
        const char *why = decode_exact(t, in, in_len, out_size, ret);
        if (why)
                return error("%s: cannot decompress the %s payload: %s", what, name, why), false;
        return true;
}

/* Was this gzip payload, which failed by the kernel's rule, made by the old one (ISIZE left
 * out of payload_size)? Decodes what that rule would mean (zboot-decode.h). */
static bool zboot_old_gzip_rule(const ZbootInfo *z, const uint8_t *payload, size_t avail) {
        size_t len;
        uint64_t size;
        if (zboot_old_gzip_layout(z, payload, avail, &len, &size) != ZBOOT_OK || size > MAX_KERNEL_SIZE)
                return false;
        size_t ws = decompress_workspace_size(COMPRESSION_GZIP, payload, len);
        void *work = aligned_alloc(64, (ws + 63) & ~(size_t) 63), *out = malloc(size);
        bool old = work && out && zboot_gzip_old_rule(z, payload, avail, out, size, work, ws) == ZBOOT_GZIP_OLD_RULE;
        free(work);
        free(out);
        return old;
}

bool zboot_unpack(const Blob *k, const char *what, Blob *ret) {
        ZbootInfo z;
        ZbootResult zr = zboot_parse_header(k->data, k->size, &z);
        if (zr != ZBOOT_OK) {
                error("%s: invalid zboot header: %s", what, zboot_strerror(zr));
                return false;
        }
        CompressionType t = compression_from_string(z.comp_type);
        if (t < 0 || !compression_supported(t)) {
                const char *opt = compression_build_option(t);
                if (opt)   /* lzo: liblzo2 is GPL-2.0-or-later, built in only on request */
                        error("%s: %s zboot payloads are not supported by this build (configure with %s; the "
                              "binaries are then GPL-2.0-or-later)", what, z.comp_type, opt);
                else
                        error("%s: unsupported zboot compression \"%s\"", what, z.comp_type);
                return false;
        }
        uint64_t out_size;
        const uint8_t *payload = k->data + z.payload_offset;
        size_t avail = k->size - z.payload_offset;
        const char *why = NULL;
        if (zboot_decompressed_size(&z, payload, avail, &out_size) != ZBOOT_OK || out_size == 0 ||
            out_size > MAX_KERNEL_SIZE)
                out_size = 0;
        else
                why = decode_exact(t, payload, zboot_stream_length(&z), out_size, ret);
        if (out_size != 0 && !why) {
                /* a native x86 payload's BCJ stage undone (docs/format.md §4): callers get the
                 * plain payload, as the loader boots it */
                X86PayloadInfo xi;
                X86PayloadResult xr = x86_payload_parse(ret->data, ret->size, &xi);
                if (xr == X86P_OK)
                        xr = x86_payload_unfilter(ret->data, ret->size, &xi);
                if (xr == X86P_OK || xr == X86P_BAD_TRAILER)   /* BAD_TRAILER: not an x86 payload */
                        return true;
                blob_free(ret);
                error("%s: x86 payload: %s", what, x86_payload_strerror(xr));
                return false;
        }
        /* A failing gzip payload may be an image made by the old size rule: say so. */
        if (t == COMPRESSION_GZIP && zboot_old_gzip_rule(&z, payload, avail))
                error("%s: invalid zboot header: %s", what, zboot_strerror(ZBOOT_GZIP_OLD_RULE));
        else if (out_size == 0)
                error("%s: implausible decompressed size in the zboot size trailer", what);
        else
                error("%s: cannot decompress the %s payload: %s", what, z.comp_type, why);
        return false;
}

/* The payload compression of a bzImage, from its magic bytes (the kernel records no type). */
static CompressionType sniff_compression(const uint8_t *p, size_t n) {
        if (n >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
                return COMPRESSION_GZIP;
        if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
                return COMPRESSION_XZ;
        if (n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0)
                return COMPRESSION_ZSTD;
        if (n >= 4 && memcmp(p, "\x02\x21\x4c\x18", 4) == 0)
                return COMPRESSION_LZ4;
        if (n >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
                return COMPRESSION_LZMA;
        return _COMPRESSION_INVALID;
}

static bool bzimage_payload(const Blob *k, const char *what, const uint8_t **ret, size_t *ret_len) {
        if (k->size < 0x400)
                return error("%s: bzImage shorter than its two setup sectors", what), false;
        uint16_t version = get_le16(k->data + X86_SETUP_VERSION);
        if (version < 0x208)
                return error("%s: boot protocol %u.%02u has no payload fields (2.08+ needed)", what, version >> 8,
                             version & 0xff), false;
        /* setup_sects is the setup header's first byte */
        uint64_t setup = ((uint64_t) (k->data[X86_SETUP_HDR] ? k->data[X86_SETUP_HDR] : 4) + 1) * 512;
        uint64_t off = get_le32(k->data + X86_SETUP_PAYLOAD_OFFSET), len = get_le32(k->data + X86_SETUP_PAYLOAD_LENGTH);
        if (setup > k->size || len < 8 || setup + off + len > k->size)
                return error("%s: bzImage payload (offset %llu, %llu bytes after %llu bytes of setup) runs past the "
                             "end of the file", what, (unsigned long long) off, (unsigned long long) len,
                             (unsigned long long) setup), false;
        *ret = k->data + setup + off;
        *ret_len = (size_t) len;
        return true;
}

bool bzimage_compression(const Blob *k, const char *what, CompressionType *ret, size_t *ret_len) {
        const uint8_t *p;
        if (!bzimage_payload(k, what, &p, ret_len))
                return false;
        *ret = sniff_compression(p, *ret_len);
        return true;
}

bool bzimage_unpack(const Blob *k, const char *what, Blob *ret) {
        const uint8_t *p;
        size_t n;
        if (!bzimage_payload(k, what, &p, &n))
                return false;
        CompressionType t = sniff_compression(p, n);
        if (t < 0 || !compression_supported(t))
                return error("%s: bzImage payload compression not recognised (magic %02x %02x %02x %02x)", what, p[0],
                             p[1], p[2], p[3]), false;
        /* The build appends the decompressed size (for gzip it is the stream's ISIZE). */
        uint64_t out_size = get_le32(p + n - 4);
        size_t in_len = t == COMPRESSION_GZIP ? n : n - 4;
        if (out_size < 64 || out_size > MAX_KERNEL_SIZE)
                return error("%s: implausible decompressed size %llu at the end of the bzImage payload", what,
                             (unsigned long long) out_size), false;
        char name[64];
        snprintf(name, sizeof(name), "bzImage's %s", compression_to_string(t));
        Blob out;
        if (!unpack_exact(t, p, in_len, out_size, what, name, &out))
                return false;
        if (memcmp(out.data, "\x7f" "ELF", 4) != 0) {
                error("%s: cannot decompress the %s payload: result is not an ELF kernel", what, name);
                blob_free(&out);
                return false;
        }
        *ret = out;
        return true;
}

/* Give an unpacked payload to a caller that asked for it, free it otherwise. */
static KernelKind hand_back(Blob *inner, Blob *ret, KernelKind kind) {
        if (ret)
                *ret = *inner;
        else
                blob_free(inner);
        return kind;
}

KernelKind kernel_validate(const Blob *k, const char *what, Blob *ret_payload) {
        KernelKind kind = kernel_kind(k);
        PeResult r;

        switch (kind) {
        case KERNEL_ZBOOT: {
                ZbootInfo z;
                ZbootResult zr = zboot_parse_header(k->data, k->size, &z);
                if (zr != ZBOOT_OK)
                        return error("%s: invalid zboot header: %s", what, zboot_strerror(zr)), KERNEL_UNKNOWN;
                r = pe_parse(k->data, k->size, NULL);
                if (r != PE_OK)
                        return error("%s: zboot image with a broken PE header: %s", what, pe_strerror(r)),
                               KERNEL_UNKNOWN;
                Blob inner;
                if (!zboot_unpack(k, what, &inner))
                        return KERNEL_UNKNOWN;
                return hand_back(&inner, ret_payload, kind);
        }
        case KERNEL_ARM64_IMAGE: {
                r = pe_parse(k->data, k->size, NULL);
                if (r != PE_OK)
                        return error("%s: arm64 Image with a broken PE header: %s", what, pe_strerror(r)),
                               KERNEL_UNKNOWN;
                uint64_t image_size = get_le64(k->data + ARM64_IMAGE_IMAGE_SIZE);
                if (image_size < k->size || image_size > (UINT64_C(1) << 31))
                        return error("%s: arm64 Image header image_size %llu is smaller than the file or absurd",
                                     what, (unsigned long long) image_size), KERNEL_UNKNOWN;
                return kind;
        }
        case KERNEL_BZIMAGE: {
                Blob inner;
                if (!bzimage_unpack(k, what, &inner))
                        return KERNEL_UNKNOWN;
                return hand_back(&inner, ret_payload, kind);
        }
        case KERNEL_PE:
                return kind;
        default:
                if (k->size < 64)
                        return error("%s: %zu bytes: too short to be a kernel image", what, k->size), KERNEL_UNKNOWN;
                if (k->data[0] == 'M' && k->data[1] == 'Z')
                        return error("%s: not a valid PE image: %s", what,
                                     pe_strerror(pe_parse(k->data, k->size, NULL))), KERNEL_UNKNOWN;
                return error("%s: not a kernel image (no MZ, \"zimg\", \"HdrS\" or \"ARM\\x64\" signature)", what),
                       KERNEL_UNKNOWN;
        }
}

bool uki_linux_validate(const Blob *uki, const char *what, Blob *ret_payload, KernelKind *ret_kind) {
        PeView f;
        int i = pe_parse(uki->data, uki->size, &f) == PE_OK ? pe_find_section(&f, ".linux") : -1;
        if (i < 0)
                return false;
        size_t n;
        Blob linux_sec = { (uint8_t *) pe_section_data(&f, (size_t) i, &n), 0 };
        linux_sec.size = n;
        char name[4096];
        snprintf(name, sizeof(name), "%s: .linux", what);
        *ret_kind = kernel_validate(&linux_sec, name, ret_payload);
        return true;
}

char *kernel_uname(const Blob *k, const Blob *payload) {
        switch (kernel_kind(k)) {
        case KERNEL_BZIMAGE: {
                /* kernel_version (0x20e) points to a string at +0x200 in the setup code; a file
                 * can be a bzImage by its "HdrS" (0x202) and still end before that field */
                if (k->size < X86_SETUP_KERNEL_VERSION + 2)
                        return NULL;
                uint16_t off = get_le16(k->data + X86_SETUP_KERNEL_VERSION);
                if (off && (size_t) off + X86_SETUP_JUMP < k->size)
                        return version_word(k->data + off + X86_SETUP_JUMP, k->size - off - X86_SETUP_JUMP);
                return NULL;
        }
        case KERNEL_ZBOOT: {
                if (payload && payload->data)
                        return banner_uname(payload->data, payload->size);
                Blob inner;
                if (!zboot_unpack(k, "zboot payload", &inner))
                        return NULL;
                char *s = banner_uname(inner.data, inner.size);
                blob_free(&inner);
                return s;
        }
        default:
                return banner_uname(k->data, k->size);
        }
}
