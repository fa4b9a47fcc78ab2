/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the CLI's kernel reader (src/ukify-zboot/kernel.c) on arbitrary files: the kind
 * sniffing, the bzImage setup header and payload location (bzimage_payload), the payload's
 * compression sniffing, the version string readers, and kernel_validate() on what it accepts
 * (bzImage, zboot, arm64 Image, UKI .linux). kernel.c is compiled into this file so its static
 * helpers are reachable; error()/info()/blob_free() are shimmed (errors are counted, not
 * printed). Decompressed sizes above 16 MiB are skipped (the CLI allows 2 GiB). Invariants:
 * an accepted payload lies inside the file; every validation failure prints an error, every
 * success prints none and hands back an ELF for bzImages and a non-empty payload for zboot;
 * a uname is a short printable word.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ukify-zboot/kernel.c"
#include "fuzz-cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FUZZ_OUT (16u << 20)

static void check_uname(char *s) {
        if (!s)
                return;
        size_t n = strlen(s);
        if (n == 0 || n > 128)
                __builtin_trap();
        for (size_t i = 0; i < n; i++)
                if (s[i] <= ' ' || s[i] >= 0x7f)
                        __builtin_trap();
        free(s);
}

/* Would kernel_validate() decode at most MAX_FUZZ_OUT bytes for this file? */
static bool small_enough(const Blob *k) {
        switch (kernel_kind(k)) {
        case KERNEL_BZIMAGE: {
                const uint8_t *p;
                size_t n;
                unsigned e = n_errors;
                if (!bzimage_payload(k, "fuzz", &p, &n)) {
                        if (n_errors == e)
                                __builtin_trap();
                        return true;
                }
                if (p < k->data || n > k->size || p > k->data + k->size - n || n < 8)
                        __builtin_trap();
                return get_le32(p + n - 4) <= MAX_FUZZ_OUT;
        }
        case KERNEL_ZBOOT: {
                ZbootInfo z;
                uint64_t out, old = 0;
                size_t len;
                if (zboot_parse_header(k->data, k->size, &z) != ZBOOT_OK)
                        return true;
                const uint8_t *payload = k->data + z.payload_offset;
                size_t avail = k->size - z.payload_offset;
                if (zboot_decompressed_size(&z, payload, avail, &out) != ZBOOT_OK)
                        out = 0;
                if (zboot_old_gzip_layout(&z, payload, avail, &len, &old) != ZBOOT_OK)
                        old = 0;
                return out <= MAX_FUZZ_OUT && old <= MAX_FUZZ_OUT;
        }
        default:
                return true;
        }
}

static void validate(const Blob *k) {
        if (!small_enough(k))
                return;
        Blob payload = {};
        unsigned e = n_errors;
        KernelKind kind = kernel_validate(k, "fuzz", &payload);
        if ((kind == KERNEL_UNKNOWN) != (n_errors != e))
                __builtin_trap();   /* an error exactly when refused */
        if (kind == KERNEL_BZIMAGE && (payload.size < 4 || memcmp(payload.data, "\x7f" "ELF", 4) != 0))
                __builtin_trap();
        if (kind == KERNEL_ZBOOT && payload.size == 0)
                __builtin_trap();
        if ((kind == KERNEL_ARM64_IMAGE || kind == KERNEL_PE) && payload.data)
                __builtin_trap();
        if (kind == KERNEL_ZBOOT || kind == KERNEL_BZIMAGE)
                check_uname(kernel_uname(k, &payload));
        blob_free(&payload);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Blob k = { malloc(size ? size : 1), size };   /* exact size for ASan */
        if (!k.data)
                return 0;
        memcpy(k.data, data, size);

        KernelKind kind = kernel_kind(&k);
        (void) kernel_kind_name(kind);
        (void) arch_name(kernel_arch(&k));
        if (kind == KERNEL_BZIMAGE || kind == KERNEL_ARM64_IMAGE || kind == KERNEL_PE || kind == KERNEL_UNKNOWN)
                check_uname(kernel_uname(&k, NULL));   /* no decompression for these */
        if (size >= 1) {
                CompressionType t = sniff_compression(k.data, size);
                if (t != _COMPRESSION_INVALID && compression_to_string(t) == NULL)
                        __builtin_trap();
        }
        validate(&k);

        /* the same file as a UKI: its .linux section, if any */
        PeView f;
        int i = pe_parse(k.data, k.size, &f) == PE_OK ? pe_find_section(&f, ".linux") : -1;
        if (i >= 0) {
                size_t n;
                const uint8_t *sec = pe_section_data(&f, (size_t) i, &n);
                Blob inner = { (uint8_t *) sec, n };
                if (small_enough(&inner)) {
                        Blob payload = {};
                        KernelKind ik;
                        if (!uki_linux_validate(&k, "fuzz", &payload, &ik))
                                __builtin_trap();
                        blob_free(&payload);
                }
        }
        free(k.data);
        return 0;
}
