/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ukify-zboot inspect FILE [--json]`: PE sections and flags, the W^X/NX/alignment verdict,
 * the zboot header, UKI text sections, and the same for a nested .linux. */
#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decompress.h"
#include "kernel.h"
#include "measure.h"
#include "profile.h"
#include "pe.h"
#include "sign.h"
#include "uki-profile.h"
#include "addon.h"
#include "verbs.h"
#include "x86-payload.h"
#include "zboot.h"
#include "zboot-stub.h"
#include "zsig.h"

static void jstr(const char *s) {
        json_print_string(s, strlen(s));
}

static const char *text_sections[] = { ".osrel", ".cmdline", ".uname", ".sbat", ".pcrpkey", ".pcrsig" };

static void flags_str(uint32_t c, char out[4]) {
        out[0] = (c & PE_SCN_MEM_READ) ? 'r' : '-';
        out[1] = (c & PE_SCN_MEM_WRITE) ? 'w' : '-';
        out[2] = (c & PE_SCN_MEM_EXECUTE) ? 'x' : '-';
        out[3] = '\0';
}

/* A native x86 payload's trailer copy (.zbx86): what the loader places the kernel by. */
static void inspect_x86_hint(const Blob *b, uint64_t payload_size, bool json) {
        PeView f;
        if (pe_parse(b->data, b->size, &f) != PE_OK)
                return;
        int i = pe_find_section(&f, ".zbx86");
        if (i < 0)
                return;
        size_t n;
        const uint8_t *t = pe_section_data(&f, (size_t) i, &n);
        X86PayloadInfo x;
        X86PayloadResult r = t && n >= X86_PAYLOAD_TRAILER_SIZE ?
                x86_payload_parse_trailer(t, (size_t) payload_size, &x) : X86P_BAD_TRAILER;
        if (json) {
                printf(", \"x86\": {");
                if (r != X86P_OK) {
                        printf("\"error\": ");
                        jstr(x86_payload_strerror(r));
                } else
                        printf("\"image_size\": %u, \"mem_size\": %u, \"init_size\": %u, \"text_size\": %u, "
                               "\"entry_offset\": %u, \"relocs_size\": %u, \"kernel_alignment\": %u, "
                               "\"xloadflags\": %u, \"version\": %u, \"phys_base\": %llu, \"virt_base\": %llu",
                               x.image_size, x.mem_size, x.init_size, x.text_size, x.entry_offset, x.relocs_size,
                               x.kernel_alignment, x.xloadflags, x.version, (unsigned long long) x.phys_base,
                               (unsigned long long) x.virt_base);
                if (r == X86P_OK) {
                        printf(", \"filter\": ");
                        jstr(x86_payload_filter_name(x.filter));
                        printf(", \"filter_offset\": %u, \"filter_size\": %u", x.filter_offset, x.filter_size);
                }
                printf("}");
        } else if (r != X86P_OK)
                printf("x86 payload (.zbx86): INVALID: %s\n", x86_payload_strerror(r));
        else
                printf("x86 payload (.zbx86): boot protocol %u.%02u, kernel at 0x%llx / 0x%llx (phys / virt), image %u "
                       "bytes (text %u), init_size %u, alignment 0x%x, xloadflags 0x%x, relocation table %u bytes\n",
                       x.version >> 8, x.version & 0xff, (unsigned long long) x.phys_base,
                       (unsigned long long) x.virt_base, x.image_size, x.text_size, x.init_size, x.kernel_alignment,
                       x.xloadflags, x.relocs_size);
        if (!json && r == X86P_OK && x.filter != X86_FILTER_NONE)
                printf("x86 payload filter: %s over %u bytes at offset %u (undone after decompression)\n",
                       x86_payload_filter_name(x.filter), x.filter_size, x.filter_offset);
}

/* A bzImage's payload compression, read from the payload's magic bytes (the setup header
 * records no type: Debian 12's is xz, Debian 13's zstd). */
static void inspect_bzimage_payload(const Blob *b, bool json) {
        CompressionType t;
        size_t n;
        if (kernel_kind(b) != KERNEL_BZIMAGE || !bzimage_compression(b, "bzImage", &t, &n))
                return;
        const char *name = t == COMPRESSION_XZ ? "xz" : t >= 0 ? compression_to_string(t) : "unknown";
        if (json) {
                printf(", \"bzimage\": {\"compression\": ");
                jstr(name);
                printf(", \"payload_size\": %zu}", n);
        } else
                printf("bzImage payload: %s, %zu bytes\n", name, n);
}

static void inspect_zboot_header(const Blob *b, bool json) {
        ZbootInfo z;
        if (!zboot_has_magic(b->data, b->size))
                return;
        ZbootResult r = zboot_parse_header(b->data, b->size, &z);
        uint64_t out = 0;
        if (r == ZBOOT_OK)
                zboot_decompressed_size(&z, b->data + z.payload_offset, b->size - z.payload_offset, &out);
        if (json) {
                printf(", \"zboot\": {");
                if (r != ZBOOT_OK) {
                        printf("\"error\": ");
                        jstr(zboot_strerror(r));
                } else {
                        printf("\"payload_offset\": %u, \"payload_size\": %u, \"compression\": ", z.payload_offset,
                               z.payload_size);
                        jstr(z.comp_type);
                        printf(", \"decompressed_size\": %llu, \"supported\": %s", (unsigned long long) out,
                               compression_supported(compression_from_string(z.comp_type)) ? "true" : "false");
                }
                printf("}");
        } else if (r != ZBOOT_OK)
                printf("zboot header: INVALID: %s\n", zboot_strerror(r));
        else
                printf("zboot header: compression %s, payload at 0x%x, %u bytes (%s), decompressed %llu bytes\n",
                       z.comp_type, z.payload_offset, z.payload_size,
                       zboot_size_len(z.comp_type) == ZBOOT_SIZE_LEN_GZIP ? "gzip member, ISIZE inside" :
                                                                           "+4-byte size after it",
                       (unsigned long long) out);
        if (r == ZBOOT_OK)
                inspect_x86_hint(b, out, json);
        zsig_inspect(b->data, b->size, json);
}

/* A zboot stub's (or image's) .zdec: the decoders it carries (zboot-stub.h). */
static void inspect_stub_decoders(const Blob *b, const char *what, bool json) {
        DecoderSet s;
        if (zboot_stub_decoders(b, what, &s) <= 0)
                return;
        char list[64];
        size_t n = decoder_set_format(s, list, sizeof(list));
        if (n > 0)
                list[n - 1] = '\0';    /* the "\n" */
        if (json) {
                printf(", \"decoders\": [");
                bool first = true;
                for (int t = COMPRESSION_NONE + 1; t < _COMPRESSION_MAX; t++)
                        if (s & DECODER_SET(t)) {
                                printf("%s", first ? "" : ", ");
                                jstr(compression_to_string((CompressionType) t));
                                first = false;
                        }
                printf("]");
        } else
                printf("zboot stub decoders (.zdec): %s\n", n > 0 ? list : "?");
}

static int inspect_blob(const Blob *b, const char *what, bool json, int depth) {
        PeView f;
        PeResult r = pe_parse(b->data, b->size, &f);
        KernelKind kind = kernel_kind(b);
        if (r != PE_OK) {
                if (depth > 0 && kind == KERNEL_BZIMAGE) {
                        /* old bzImages are not PE32+; say what it is */
                        if (json)
                                printf("{\"kind\": \"x86 bzImage\"}");
                        else
                                printf("%*sx86 bzImage (no PE32+ header)\n", depth * 2, "");
                        return 0;
                }
                if (json && depth > 0) {
                        printf("{\"error\": ");
                        jstr(pe_strerror(r));
                        printf("}");
                        return 0;
                }
                return error("%s: not a valid PE image: %s", what, pe_strerror(r));
        }
        PeVerdict v = pe_verdict(&f);
        char fl[4], name[PE_SECTION_NAME_LEN + 1];
        const char *pad = depth ? "    " : "";

        if (json) {
                printf("{\"kind\": ");
                jstr(kernel_kind_name(kind));
                printf(", \"machine\": %u, \"entry\": %u, \"size_of_image\": %u, \"section_alignment\": %u, "
                       "\"file_alignment\": %u, \"major_image_version\": %u, \"dll_characteristics\": %u, "
                       "\"nx_compat\": %s, \"checksum\": %u, \"sections\": [",
                       f.file.Machine, f.opt.AddressOfEntryPoint, f.opt.SizeOfImage, f.opt.SectionAlignment,
                       f.opt.FileAlignment, f.opt.MajorImageVersion, f.opt.DllCharacteristics,
                       v.nx_compat ? "true" : "false", f.opt.CheckSum);
        } else {
                printf("%s%s: %s, machine 0x%x, entry 0x%x, SizeOfImage 0x%x\n", pad, what, kernel_kind_name(kind),
                       f.file.Machine, f.opt.AddressOfEntryPoint, f.opt.SizeOfImage);
                printf("%sSectionAlignment 0x%x, FileAlignment 0x%x, MajorImageVersion %u, DllCharacteristics 0x%x%s\n",
                       pad, f.opt.SectionAlignment, f.opt.FileAlignment, f.opt.MajorImageVersion,
                       f.opt.DllCharacteristics, v.nx_compat ? " (NX_COMPAT)" : "");
                printf("%s%-8s %10s %10s %10s %10s %s\n", pad, "section", "rva", "vsize", "rawsize", "offset", "flags");
        }
        for (size_t i = 0; i < f.n_sections; i++) {
                PeSectionHeader s = pe_section(&f, i);
                pe_section_name(&s, name);
                flags_str(s.Characteristics, fl);
                if (json) {
                        printf("%s{\"name\": ", i ? ", " : "");
                        jstr(name);
                        printf(", \"rva\": %u, \"virtual_size\": %u, \"raw_size\": %u, \"file_offset\": %u, "
                               "\"flags\": \"%s\", \"characteristics\": %u",
                               s.VirtualAddress, s.VirtualSize, s.SizeOfRawData, s.PointerToRawData, fl,
                               s.Characteristics);
                        /* as ukify's inspect: size and SHA-256 of min(VirtualSize, SizeOfRawData) bytes */
                        size_t raw;
                        const uint8_t *d = pe_section_data(&f, i, &raw);
                        size_t sz = raw < s.VirtualSize ? raw : s.VirtualSize;
                        uint8_t dg[MEASURE_DIGEST_SIZE];
                        char hex[2 * MEASURE_DIGEST_SIZE + 1];
                        unsigned dl = 0;
                        if (d && EVP_Digest(d, sz, dg, &dl, EVP_sha256(), NULL) == 1 && dl == MEASURE_DIGEST_SIZE) {
                                digest_hex(dg, hex);
                                printf(", \"size\": %zu, \"sha256\": \"%s\"", sz, hex);
                        }
                        printf("}");
                } else {
                        for (char *c = name; *c; c++)   /* names are ASCII: nothing else reaches the terminal */
                                if (*c < 0x20 || *c > 0x7e)
                                        *c = '?';
                        printf("%s%-8s 0x%08x 0x%08x 0x%08x 0x%08x %s\n", pad, name, s.VirtualAddress, s.VirtualSize,
                               s.SizeOfRawData, s.PointerToRawData, fl);
                }
        }
        if (json) {
                printf("], \"verdict\": {\"nx_compat\": %s, \"section_alignment_4k\": %s, \"wx_sections\": [",
                       v.nx_compat ? "true" : "false", v.section_alignment_4k ? "true" : "false");
                bool first = true;
                for (size_t i = 0; i < f.n_sections; i++) {
                        PeSectionHeader s = pe_section(&f, i);
                        if ((s.Characteristics & PE_SCN_MEM_WRITE) && (s.Characteristics & PE_SCN_MEM_EXECUTE)) {
                                pe_section_name(&s, name);
                                printf("%s", first ? "" : ", ");
                                jstr(name);
                                first = false;
                        }
                }
                printf("], \"base_relocations\": {\"count\": %u, \"directory_size\": %u, \"malformed\": %s, \"why\": ",
                       v.n_base_relocs, v.base_reloc_dir_size, v.base_relocs_malformed ? "true" : "false");
                jstr(PE_BASE_RELOC_REASON);
                printf("}, \"ok\": %s}", v.ok ? "true" : "false");
        } else {
                printf("%sverdict: NX_COMPAT %s, 4K section alignment %s, W+X sections %u, base relocations %u => %s\n",
                       pad, v.nx_compat ? "yes" : "NO", v.section_alignment_4k ? "yes" : "NO", v.n_wx,
                       v.n_base_relocs, v.ok ? "ok" : "NOT ok");
                if (v.base_reloc_dir_size)
                        printf("%s  base relocation directory %u bytes%s: %s\n", pad, v.base_reloc_dir_size,
                               v.base_relocs_malformed ? " (malformed)" : "", PE_BASE_RELOC_REASON);
        }

        inspect_zboot_header(b, json);
        inspect_stub_decoders(b, what, json);
        inspect_bzimage_payload(b, json);

        if (depth == 0) {
                SignatureInfo si;
                signature_info(b, &si);
                if (json) {
                        printf(", \"signature\": {\"signed\": %s, \"certificate_table\": %s, \"malformed\": %s, "
                               "\"pkcs7\": %u, \"signer\": ", si.table && !si.malformed && si.n_pkcs7 ? "true" : "false",
                               si.table ? "true" : "false", si.malformed ? "true" : "false", si.n_pkcs7);
                        if (si.signer[0])
                                jstr(si.signer);
                        else
                                printf("null");
                        printf("}");
                } else if (!si.table)
                        printf("signature: none (no certificate table)\n");
                else if (si.malformed)
                        printf("signature: certificate table MALFORMED\n");
                else
                        printf("signature: Authenticode, %u PKCS#7 signature%s, signer %s (not verified here: use "
                               "sbverify)\n", si.n_pkcs7, si.n_pkcs7 == 1 ? "" : "s", si.signer[0] ? si.signer : "unknown");
        }

        /* UKI text sections */
        if (json)
                printf(", \"text\": {");
        bool first = true;
        for (size_t t = 0; t < sizeof(text_sections) / sizeof(*text_sections); t++) {
                int i = pe_find_section(&f, text_sections[t]);
                if (i < 0)
                        continue;
                size_t n;
                const uint8_t *d = pe_section_data(&f, (size_t) i, &n);
                while (n > 0 && (d[n - 1] == '\0' || d[n - 1] == '\n'))
                        n--;
                if (json) {
                        printf("%s", first ? "" : ", ");
                        jstr(text_sections[t]);
                        printf(": ");
                        json_print_string(d, n);
                } else {
                        printf("%s%s:\n%s  ", pad, text_sections[t], pad);
                        text_print(d, n);
                        putchar('\n');
                }
                first = false;
        }
        if (json)
                printf("}");

        int li = depth == 0 ? pe_find_section(&f, ".linux") : -1;
        if (depth == 0 && li < 0)
                addon_inspect(&f, json);   /* addon.c */
        /* the device-tree rule judges sections as the firmware places them */
        _cleanup_free_ uint8_t *placed_buf = NULL;
        PeView placed_view;
        const PeView *placed = li >= 0 && uki_placed_view(&f, &placed_buf, &placed_view) ? &placed_view : &f;
        uint8_t pcr11[MEASURE_DIGEST_SIZE];
        if (li >= 0 && uki_pcr11_sha256(&f, pcr11)) {
                /* what systemd-stub 257 (and our stub) measure into PCR 11 for this UKI */
                char hex[2 * MEASURE_DIGEST_SIZE + 1];
                digest_hex(pcr11, hex);
                if (json)
                        printf(", \"pcr11\": {\"sha256\": \"%s\"", hex);
                else
                        printf("%sPCR 11 (sha256, as systemd-stub 257 measures the sections): %s\n", pad, hex);
                profile_pcr11_dtbauto_inspect(&f, placed, 0, json, pad);
                profile_pcr11_efifw_inspect(&f, placed, 0, json, pad);
                if (json)
                        printf("}");
        }
        if (li >= 0)
                profile_inspect(&f, placed, json, pad);   /* profile.c: per profile, when there are .profile sections */
        if (li >= 0) {
                size_t n;
                Blob inner = { (uint8_t *) pe_section_data(&f, (size_t) li, &n), 0 };
                inner.size = n;
                if (json)
                        printf(", \"linux\": ");
                else
                        printf(".linux (%zu bytes):\n", n);
                inspect_blob(&inner, ".linux", json, depth + 1);
        }
        if (json)
                printf("}");
        return 0;
}

int verb_inspect(int argc, char **argv) {
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool json = false;
        int c;
        if (!options_given_in_full(argc, argv, "h", opts))
                return 2;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'j': json = true; break;
                case 'h':
                        printf("ukify-zboot inspect FILE [--json]\n\n"
                               "Show PE sections, the NX/W^X/alignment verdict, the zboot header, UKI sections and\n"
                               "whether the file is signed (certificate table, signer; verify with sbverify).\n");
                        return 0;
                default: return 2;
                }
        if (optind + 1 != argc)
                return error("inspect: expected exactly one FILE argument (see --help)");
        _cleanup_blob_ Blob b = {};
        if (!read_file(argv[optind], &b))
                return 1;
        /* validate fully before printing anything, so errors never come with half a report */
        if (kernel_validate(&b, argv[optind], NULL) == KERNEL_UNKNOWN)
                return 1;
        KernelKind linux_kind;
        if (uki_linux_validate(&b, argv[optind], NULL, &linux_kind) && linux_kind == KERNEL_UNKNOWN)
                return 1;
        int ret = inspect_blob(&b, argv[optind], json, 0);
        if (json)
                printf("\n");
        return ret;
}
