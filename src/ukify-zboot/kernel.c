/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decompress.h"
#include "kernel.h"
#include "pe.h"
#include "zboot.h"

KernelKind kernel_kind(const Blob *k) {
        if (zboot_has_magic(k->data, k->size))
                return KERNEL_ZBOOT;
        if (k->size >= 0x206 && memcmp(k->data + 0x202, "HdrS", 4) == 0)
                return KERNEL_BZIMAGE;
        if (k->size >= 0x40 && memcmp(k->data + 0x38, "ARM\x64", 4) == 0)
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
        PeFile f;
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

bool zboot_unpack(const Blob *k, const char *what, Blob *ret) {
        ZbootInfo z;
        ZbootResult zr = zboot_parse_header(k->data, k->size, &z);
        if (zr != ZBOOT_OK) {
                error("%s: invalid zboot header: %s", what, zboot_strerror(zr));
                return false;
        }
        CompressionType t = compression_from_string(z.comp_type);
        if (t < 0 || !compression_supported(t)) {
                error("%s: unsupported zboot compression \"%s\"", what, z.comp_type);
                return false;
        }
        uint64_t out_size;
        const uint8_t *payload = k->data + z.payload_offset;
        if (zboot_decompressed_size(&z, payload, k->size - z.payload_offset, &out_size) != ZBOOT_OK ||
            out_size == 0 || out_size > (UINT64_C(2) << 30)) {
                error("%s: implausible decompressed size in the zboot size trailer", what);
                return false;
        }
        size_t in_len = zboot_stream_length(&z);
        size_t ws = decompress_workspace_size(t, payload, in_len);
        void *work = ws ? aligned_alloc(64, (ws + 63) & ~(size_t) 63) : NULL;
        Blob out = { malloc(out_size), 0 };
        if (!out.data || (ws && !work)) {
                free(work);
                free(out.data);
                error("%s: out of memory", what);
                return false;
        }
        DecompressResult r = decompress(t, payload, in_len, out.data, out_size, &out.size, work, ws);
        free(work);
        if (r != DECOMPRESS_OK || out.size != out_size) {
                error("%s: cannot decompress the %s payload: %s", what, z.comp_type,
                      r != DECOMPRESS_OK ? decompress_strerror(r) : "size differs from the size trailer");
                free(out.data);
                return false;
        }
        *ret = out;
        return true;
}

char *kernel_uname(const Blob *k) {
        switch (kernel_kind(k)) {
        case KERNEL_BZIMAGE: {
                /* kernel_version (0x20e) points to a string at +0x200 in the setup code */
                uint16_t off;
                memcpy(&off, k->data + 0x20e, 2);
                if (off && (size_t) off + 0x200 < k->size)
                        return version_word(k->data + off + 0x200, k->size - off - 0x200);
                return NULL;
        }
        case KERNEL_ZBOOT: {
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
