/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The zboot stub for a compression, and the check that a stub can decode its payload
 * (zboot-stub.h). */
#include <stdio.h>

#include "pe.h"
#include "zboot-stub.h"

const char *zboot_stub_variant(CompressionType t) {
        switch (t) {
        case COMPRESSION_GZIP: return "gzip";
        case COMPRESSION_ZSTD: return "zstd";
        case COMPRESSION_LZ4:  return "lz4";
        case COMPRESSION_XZ:
        case COMPRESSION_LZMA: return "xz";
        case COMPRESSION_LZO:  return "lzo";
        default:               return NULL;
        }
}

void zboot_stub_default_path(CompressionType t, Arch arch, char *buf, size_t size) {
        const char *v = zboot_stub_variant(t);
        if (v)
                snprintf(buf, size, "%s/zboot%s-%s.efi.stub", stub_dir(), arch_efi_suffix(arch), v);
        else
                snprintf(buf, size, "%s/zboot%s.efi.stub", stub_dir(), arch_efi_suffix(arch));
}

int zboot_stub_decoders(const Blob *stub, const char *stub_name, DecoderSet *ret) {
        PeView f;
        PeResult r = pe_parse(stub->data, stub->size, &f);
        if (r != PE_OK)
                return error("%s: %s", stub_name, pe_strerror(r)), -1;
        int i = pe_find_section(&f, ".zdec");
        if (i < 0)
                return 0;
        size_t n = 0;
        const uint8_t *d = pe_section_data(&f, (size_t) i, &n);
        if (!d || !decoder_set_parse(d, n, ret))
                return error("%s: its .zdec section is not a decoder list", stub_name), -1;
        return 1;
}

bool zboot_stub_check(const Blob *stub, const char *stub_name, CompressionType t, Arch arch) {
        DecoderSet s;
        int r = zboot_stub_decoders(stub, stub_name, &s);
        if (r < 0)
                return false;
        if (r == 0 || (s & DECODER_SET(t)))
                return true;
        char list[64];
        if (decoder_set_format(s, list, sizeof(list)) == 0)
                list[0] = '\0';
        for (char *p = list; *p; p++)
                if (*p == '\n')
                        *p = '\0';
        const char *v = zboot_stub_variant(t);
        return error("%s: this stub decodes only %s, not a %s payload (use zboot%s-%s.efi.stub, or zboot%s.efi.stub "
                     "which has every decoder)", stub_name, list, compression_to_string(t), arch_efi_suffix(arch),
                     v ? v : "?", arch_efi_suffix(arch)), false;
}
