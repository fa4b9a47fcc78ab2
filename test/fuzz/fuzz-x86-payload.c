/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: the x86 payload reader (whole payload and trailer alone) and its BCJ stage, and the builder on arbitrary ELF + relocations input
 * (with a fixed plausible setup header); whatever builds must parse back identically. Also the
 * relocation table alone (the input after a fixed valid ELF, so random bytes reach the layout
 * detection) and the kernel-version-to-layout parser. */
#include <stdlib.h>
#include <string.h>

#include "x86-payload.h"
#include "xz-bcj-x86.h"

/* The BCJ stage (x86-filter.c) on a payload that parsed: undoing it must succeed (the trailer's
 * range was checked), touch nothing outside the range but the trailer's filter fields, and
 * leave a plain payload. */
static void fuzz_unfilter(const uint8_t *data, size_t size, X86PayloadInfo *a) {
        uint8_t *c = malloc(size);
        if (!c)
                return;
        memcpy(c, data, size);
        X86PayloadInfo b;
        uint32_t off = a->filter_offset, n = a->filter_size, f = a->filter;
        if (x86_payload_unfilter(c, size, a) != X86P_OK || a->filter != X86_FILTER_NONE ||
            x86_payload_parse(c, size, &b) != X86P_OK || b.filter != X86_FILTER_NONE || b.filter_size != 0)
                __builtin_trap();
        if (f == X86_FILTER_NONE && memcmp(c, data, size) != 0)
                __builtin_trap();
        if (memcmp(c, data, off) != 0 ||
            memcmp(c + off + n, data + off + n, size - X86_PAYLOAD_TRAILER_SIZE + 0x44 - off - n) != 0)
                __builtin_trap();
        free(c);
}

/* A payload the builder made from the input ELF: the range x86_payload_filter_range() picks from
 * the ELF's section headers must be accepted by x86_payload_set_filter(), and encoding then
 * undoing it must give back the built payload. */
static void fuzz_filter_built(const uint8_t *elf, size_t elf_len, const uint8_t *out, size_t n, const X86PayloadInfo *a) {
        uint32_t off, fsz;
        x86_payload_filter_range(elf, elf_len, a, X86_FILTER_BCJ_X86, &off, &fsz);
        if (fsz == 0)
                return;
        uint8_t *c = malloc(n);
        if (!c)
                return;
        memcpy(c, out, n);
        X86PayloadInfo b;
        (void) zb_bcj_x86_encode(off, c + off, fsz);
        if (x86_payload_set_filter(c, n, X86_FILTER_BCJ_X86, off, fsz) != X86P_OK || x86_payload_parse(c, n, &b) != X86P_OK ||
            b.filter != X86_FILTER_BCJ_X86 || x86_payload_unfilter(c, n, &b) != X86P_OK || memcmp(c, out, n) != 0)
                __builtin_trap();
        free(c);
}

static void put32(uint8_t *p, uint32_t v) {
        for (unsigned i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> 8 * i);
}
static void put64(uint8_t *p, uint64_t v) {
        put32(p, (uint32_t) v);
        put32(p + 4, (uint32_t) (v >> 32));
}

#define SEG 0x1000u

/* The input as the relocation table of a minimal kernel: one R+X PT_LOAD of SEG bytes at
 * 16 MiB / 0xffffffff81000000. Whatever plans must build and parse back with the same counts,
 * honour the expected layout, and decode to the input's entries. */
static void fuzz_table(const uint8_t *data, size_t size, const uint8_t *setup, size_t setup_len) {
        if (size < 1 || size > 4096)
                return;
        X86RelocsLayout expect = (X86RelocsLayout) (data[0] % 4 == 1 ? 0 : data[0] % 4);
        data++, size--;
        size_t elf = 0x200, len = elf + SEG + size;
        uint8_t *in = calloc(1, len);
        if (!in)
                return;
        memcpy(in, "\x7f" "ELF\x02\x01\x01", 7);
        in[0x10] = 2, in[0x12] = 62;
        put64(in + 0x18, 0x1000000);
        put64(in + 0x20, 64);
        in[0x36] = 56, in[0x38] = 1;
        put32(in + 64, 1), put32(in + 68, 5);
        put64(in + 64 + 0x08, elf), put64(in + 64 + 0x10, UINT64_C(0xffffffff81000000));
        put64(in + 64 + 0x18, 0x1000000), put64(in + 64 + 0x20, SEG), put64(in + 64 + 0x28, SEG);
        memcpy(in + elf + SEG, data, size);

        X86PayloadInfo a, b;
        X86RelocsScan sc;
        size_t n, got;
        X86PayloadResult r = x86_payload_plan(in, len, setup, setup_len, expect, &a, &n, &sc);
        if (r == X86P_OK) {
                if ((expect != X86_RELOCS_ANY && sc.layout != expect) || sc.n_outside || sc.n_unsorted || sc.first_word != 0 ||
                    sc.n_zero != (uint32_t) sc.layout || a.n_reloc64 + a.n_reloc_inv32 + a.n_reloc32 != size / 4 - sc.n_zero ||
                    (sc.layout == X86_RELOCS_TWO_LISTS && a.n_reloc_inv32 != 0))
                        __builtin_trap();
                uint8_t *out = malloc(n);
                if (out) {
                        if (x86_payload_build(in, len, setup, setup_len, expect, out, n, &got) != X86P_OK ||
                            x86_payload_parse(out, got, &b) != X86P_OK || memcmp(&a, &b, sizeof(a)) != 0)
                                __builtin_trap();
                        /* the stored entries, delta-decoded, are the input's without terminators */
                        const uint8_t *rel = out + b.relocs_offset + 12, *src = data + 4;
                        uint32_t cnt[3] = { b.n_reloc64, b.n_reloc_inv32, b.n_reloc32 };
                        for (unsigned l = 0; l < 3; l++) {
                                uint32_t e = 0;
                                if (l == 1 && sc.layout == X86_RELOCS_TWO_LISTS)
                                        continue;   /* a two-list table has no inverse list (nor its 0) */
                                for (uint32_t k = 0; k < cnt[l]; k++, rel += 4, src += 4) {
                                        e += (uint32_t) rel[0] | (uint32_t) rel[1] << 8 | (uint32_t) rel[2] << 16 |
                                             (uint32_t) rel[3] << 24;
                                        if (memcmp(&e, src, 4) != 0)
                                                __builtin_trap();
                                }
                                src += 4;
                        }
                        free(out);
                }
        } else if (r != X86P_BAD_RELOCS && r != X86P_RELOCS_LAYOUT)
                __builtin_trap();   /* the ELF and setup are fixed and valid: only the table can fail */
        free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        X86PayloadInfo a, b;
        if (x86_payload_parse(data, size, &a) == X86P_OK)
                fuzz_unfilter(data, size, &a);

        /* the kernel version string: never reads past size */
        X86RelocsLayout l = x86_relocs_layout_for_version((const char *) data, size);
        if (l != X86_RELOCS_ANY && l != X86_RELOCS_TWO_LISTS && l != X86_RELOCS_THREE_LISTS)
                __builtin_trap();

        /* The trailer alone, as the EFI side reads the .zbx86 copy: the payload length comes
         * from elsewhere (the zboot header), here from the 8 bytes after the trailer. Whatever
         * it accepts must lie inside that length. */
        if (size >= X86_PAYLOAD_TRAILER_SIZE + 8) {
                uint64_t len;
                memcpy(&len, data + X86_PAYLOAD_TRAILER_SIZE, sizeof(len));
                if (len <= SIZE_MAX && x86_payload_parse_trailer(data, (size_t) len, &a) == X86P_OK &&
                    (uint64_t) a.setup_offset + a.setup_size + X86_PAYLOAD_TRAILER_SIZE > len)
                        __builtin_trap();
        }

        uint8_t setup[0x80] = {};
        setup[0x206 - 0x1f1] = 0x0f, setup[0x207 - 0x1f1] = 0x02;    /* 2.15 */
        setup[0x230 - 0x1f1 + 2] = 0x20;                              /* kernel_alignment 2 MiB */
        setup[0x260 - 0x1f1 + 3] = 0x10;                              /* init_size 256 MiB */
        fuzz_table(data, size, setup, sizeof(setup));
        size_t n;
        if (x86_payload_plan(data, size, setup, sizeof(setup), X86_RELOCS_ANY, &a, &n, NULL) != X86P_OK || n > (64u << 20))
                return 0;
        uint8_t *out = malloc(n);
        size_t got;
        if (!out)
                return 0;
        if (x86_payload_build(data, size, setup, sizeof(setup), X86_RELOCS_ANY, out, n, &got) != X86P_OK || got != n ||
            x86_payload_parse(out, got, &b) != X86P_OK || memcmp(&a, &b, sizeof(a)) != 0)
                __builtin_trap();
        fuzz_filter_built(data, size, out, got, &b);
        free(out);
        return 0;
}
