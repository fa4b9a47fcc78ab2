/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The native x86 payload builder and reader (docs/format.md §4) on the Debian kernel:
 * argv[1] = vmlinux.bin (the bzImage's payload: ELF + relocations), argv[2] = the bzImage
 * (for its setup header). Checks the flattened image against the ELF segments, the
 * relocation lists against the input, the trailer round trip, and the refusals.
 */
#include <lzma.h>
#include <time.h>

#include "tests.h"
#include "x86-boot.h"
#include "x86-payload.h"

static uint8_t *vm, *bz, *out;
static size_t vm_len, bz_len, out_len;

static const uint8_t *setup(size_t *n) {
        *n = 0x202 + bz[0x201] - 0x1f1;   /* the jump at 0x200 skips exactly the header */
        return bz + 0x1f1;
}

static uint32_t rd32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void test_debian_kernel(void) {
        size_t sn, size;
        const uint8_t *s = setup(&sn);
        X86PayloadInfo plan, got;
        ASSERT_EQ(x86_payload_plan(vm, vm_len, s, sn, X86_RELOCS_ANY, &plan, &size, NULL), X86P_OK);
        ASSERT_EQ(plan.phys_base, 0x1000000);
        ASSERT_EQ(plan.virt_base, 0xffffffff81000000ull);
        ASSERT_EQ(plan.entry_offset, 0);
        ASSERT_TRUE(plan.init_size >= plan.mem_size && plan.kernel_alignment == 0x200000);
        ASSERT_TRUE(plan.n_reloc64 > 1000 && plan.n_reloc32 > 1000);
        fprintf(stderr, "image %u, mem %u, init_size %u, relocs 64:%u inv32:%u 32:%u, payload %zu\n",
                plan.image_size, plan.mem_size, plan.init_size, plan.n_reloc64, plan.n_reloc_inv32, plan.n_reloc32,
                size);
        /* the whole payload fits in what the kernel asks for at its address */
        ASSERT_TRUE(size <= plan.init_size);

        out = malloc(size);
        ASSERT_EQ(x86_payload_build(vm, vm_len, s, sn, X86_RELOCS_ANY, out, size - 1, &out_len), X86P_BUFFER_TOO_SMALL);
        ASSERT_EQ(x86_payload_build(vm, vm_len, s, sn, X86_RELOCS_ANY, out, size, &out_len), X86P_OK);
        ASSERT_EQ(out_len, size);
        ASSERT_EQ(x86_payload_parse(out, out_len, &got), X86P_OK);
        ASSERT_TRUE(memcmp(&got, &plan, sizeof(got)) == 0);

        /* every PT_LOAD's bytes at paddr - phys_base */
        uint64_t phoff;
        memcpy(&phoff, vm + 0x20, 8);
        for (unsigned i = 0; i < vm[0x38]; i++) {
                const uint8_t *ph = vm + phoff + i * 56;
                uint64_t off, pa, fs;
                memcpy(&off, ph + 8, 8);
                memcpy(&pa, ph + 0x18, 8);
                memcpy(&fs, ph + 0x20, 8);
                if (rd32(ph) == 1)
                        ASSERT_TRUE(memcmp(out + (pa - plan.phys_base), vm + off, fs) == 0);
        }
        /* the relocation lists are the input's, terminators dropped, delta-encoded: summing
         * the 32-bit list's deltas gives the input's tail */
        size_t n32 = plan.n_reloc32;
        const uint8_t *d32 = out + plan.relocs_offset + plan.relocs_size - 4 * n32, *in32 = vm + vm_len - 4 * n32;
        uint32_t sum = 0;
        for (size_t k = 0; k < n32; k++) {
                sum += rd32(d32 + 4 * k);
                ASSERT_EQ(sum, rd32(in32 + 4 * k));
        }
        ASSERT_TRUE(memcmp(out + plan.setup_offset, s, sn) == 0);

        /* deterministic */
        uint8_t *again = malloc(size);
        size_t n2;
        ASSERT_EQ(x86_payload_build(vm, vm_len, s, sn, X86_RELOCS_ANY, again, size, &n2), X86P_OK);
        ASSERT_TRUE(memcmp(out, again, size) == 0);

        /* text: the first PT_LOAD (R+X) of this kernel */
        ASSERT_TRUE(plan.text_size > (8u << 20) && plan.text_size < plan.image_size);

        /* every relocation of the real kernel is inside the image; relocating by a KASLR
         * offset changes the image, relocating back restores every byte */
        size_t bad = 0;
        uint64_t d = x86_virt_offset(&plan, UINT64_C(0x123456789abcdef0), true);
        ASSERT_TRUE(d != 0 && d % plan.kernel_alignment == 0);
        ASSERT_EQ(x86_relocate(again, size, &got, d, &bad), X86R_OK);
        ASSERT_TRUE(memcmp(out, again, size) != 0);
        ASSERT_EQ(x86_relocate(again, size, &got, (uint64_t) -d, &bad), X86R_OK);
        ASSERT_TRUE(memcmp(out, again, size) == 0);
        fprintf(stderr, "text %u bytes, relocated by 0x%llx and back\n", plan.text_size, (unsigned long long) d);
        free(again);
}

static void test_refusals(void) {
        size_t sn, size;
        const uint8_t *s = setup(&sn);
        X86PayloadInfo i, ok;
        X86RelocsScan scan;
        ASSERT_EQ(x86_payload_plan(vm, vm_len, s, sn, X86_RELOCS_ANY, &ok, &size, &scan), X86P_OK);
        /* Debian 12's 6.1 has the three-list table; read as a 6.15+ kernel it is refused */
        ASSERT_EQ(scan.layout, X86_RELOCS_THREE_LISTS);
        ASSERT_TRUE(ok.n_reloc_inv32 > 0);
        ASSERT_EQ(x86_payload_plan(vm, vm_len, s, sn, X86_RELOCS_THREE_LISTS, &i, &size, NULL), X86P_OK);
        ASSERT_EQ(x86_payload_plan(vm, vm_len, s, sn, X86_RELOCS_TWO_LISTS, &i, &size, NULL), X86P_RELOCS_LAYOUT);
        ASSERT_EQ(x86_payload_plan(bz, bz_len, s, sn, X86_RELOCS_ANY, &i, &size, NULL), X86P_NOT_ELF);
        ASSERT_EQ(x86_payload_plan(vm, 63, s, sn, X86_RELOCS_ANY, &i, &size, NULL), X86P_NOT_ELF);
        ASSERT_EQ(x86_payload_plan(vm, 4096, s, sn, X86_RELOCS_ANY, &i, &size, NULL), X86P_BAD_PHDRS);
        /* cut inside the 64-bit list: the other two lists are missing */
        ASSERT_EQ(x86_payload_plan(vm, vm_len - 4 * ((size_t) ok.n_reloc32 + ok.n_reloc_inv32 + 3), s, sn, X86_RELOCS_ANY, &i, &size, NULL),
                  X86P_BAD_RELOCS);
        ASSERT_EQ(x86_payload_plan(vm, vm_len - 2, s, sn, X86_RELOCS_ANY, &i, &size, NULL), X86P_BAD_RELOCS);
        ASSERT_EQ(x86_payload_plan(vm, vm_len, s, 16, X86_RELOCS_ANY, &i, &size, NULL), X86P_BAD_SETUP);
        uint8_t bad[0x100];
        memcpy(bad, s, sn);
        memset(bad + (0x260 - 0x1f1), 0, 4);     /* init_size 0 */
        ASSERT_EQ(x86_payload_plan(vm, vm_len, bad, sn, X86_RELOCS_ANY, &i, &size, NULL), X86P_BAD_SETUP);

        /* reader: every trailer field matters */
        ASSERT_EQ(x86_payload_parse(out, out_len - 1, &i), X86P_BAD_TRAILER);
        ASSERT_EQ(x86_payload_parse(out, 10, &i), X86P_BAD_TRAILER);
        uint8_t *t = out + out_len - X86_PAYLOAD_TRAILER_SIZE;
        for (unsigned f = 0x08; f < 0x2c; f += 4) {
                uint8_t save[4];
                memcpy(save, t + f, 4);
                memset(t + f, 0xff, 4);
                if (f != 0x24) /* init_size is informational for the reader */
                        ASSERT_EQ(x86_payload_parse(out, out_len, &i), X86P_BAD_TRAILER);
                memcpy(t + f, save, 4);
        }
        ASSERT_EQ(x86_payload_parse(out, out_len, &i), X86P_OK);
        for (unsigned f = 0x40; f < 0x50; f += 4) {   /* text_size past the image, a filter field set alone */
                uint8_t save[4];
                memcpy(save, t + f, 4);
                memset(t + f, 0xff, 4);
                ASSERT_EQ(x86_payload_parse(out, out_len, &i), f == 0x40 ? X86P_BAD_TRAILER : X86P_BAD_FILTER);
                memset(t + f, 0, 4);
                t[f] = 1;   /* filter 1 without a range; a range without a filter */
                ASSERT_EQ(x86_payload_parse(out, out_len, &i), f == 0x40 ? X86P_OK : X86P_BAD_FILTER);
                memcpy(t + f, save, 4);
        }
        ASSERT_EQ(x86_payload_parse_trailer(t, out_len, &i), X86P_OK);
        ASSERT_EQ(x86_payload_parse_trailer(t, X86_PAYLOAD_TRAILER_SIZE, &i), X86P_BAD_TRAILER);
        for (int r = X86P_BAD_FILTER; r < 0; r++)
                ASSERT_TRUE(strcmp(x86_payload_strerror((X86PayloadResult) r), "unknown x86 payload error") != 0);
}

/* liblzma's x86 BCJ encoder from the system library's streaming chain (as the CLI on liblzma <
 * 5.7.1): [X86, LZMA2] encoded, LZMA2 alone decoded. Independent of the single-call decoder
 * under test (upstream-src's simple/x86.c through src/upstream/xz-bcj-x86.c). */
static void bcj_encode_stream(uint8_t *buf, size_t size, uint32_t start) {
        lzma_options_bcj b = { .start_offset = start };
        lzma_options_lzma lz;
        ASSERT_TRUE(!lzma_lzma_preset(&lz, 0));
        const lzma_filter enc[] = { { LZMA_FILTER_X86, &b }, { LZMA_FILTER_LZMA2, &lz }, { LZMA_VLI_UNKNOWN, NULL } };
        const lzma_filter dec[] = { { LZMA_FILTER_LZMA2, &lz }, { LZMA_VLI_UNKNOWN, NULL } };
        size_t cap = size + size / 8 + 65536, clen = 0, ipos = 0, opos = 0;
        uint8_t *c = malloc(cap);
        ASSERT_TRUE(c != NULL);
        ASSERT_EQ(lzma_raw_buffer_encode(enc, NULL, buf, size, c, &clen, cap), LZMA_OK);
        ASSERT_EQ(lzma_raw_buffer_decode(dec, NULL, c, &ipos, clen, buf, &opos, size), LZMA_OK);
        ASSERT_EQ(opos, size);
        free(c);
}

/* The BCJ stage (x86-filter.c) on the Debian kernel: the range is .text, the system encoder
 * followed by x86_payload_unfilter() gives back the plain payload byte for byte, and every
 * range or filter the trailer may not have is refused. */
static void test_filter(void) {
        X86PayloadInfo plain, i;
        ASSERT_EQ(x86_payload_parse(out, out_len, &plain), X86P_OK);
        ASSERT_EQ(plain.filter, X86_FILTER_NONE);
        uint32_t off, size;
        x86_payload_filter_range(vm, vm_len, &plain, X86_FILTER_NONE, &off, &size);
        ASSERT_EQ(size, 0);
        /* Debian 12's .text: 0xe01d32 bytes at _text (readelf -S vmlinux.bin) */
        x86_payload_filter_range(vm, vm_len, &plain, X86_FILTER_BCJ_X86, &off, &size);
        ASSERT_EQ(off, 0);
        ASSERT_EQ(size, 0xe01d32);
        /* without section headers: the whole text segment */
        x86_payload_filter_range(NULL, 0, &plain, X86_FILTER_BCJ_X86, &off, &size);
        ASSERT_TRUE(off == 0 && size == plain.text_size);
        x86_payload_filter_range(vm, vm_len, &plain, X86_FILTER_BCJ_X86, &off, &size);

        uint8_t *f = malloc(out_len);
        ASSERT_TRUE(f != NULL);
        memcpy(f, out, out_len);
        bcj_encode_stream(f + off, size, off);
        ASSERT_TRUE(memcmp(f, out, out_len) != 0);
        ASSERT_TRUE(memcmp(f + off + size, out + off + size, out_len - off - size) == 0);
        /* refused: past the image (into the relocation table), empty, unknown filter */
        ASSERT_EQ(x86_payload_set_filter(f, out_len, X86_FILTER_BCJ_X86, plain.image_size - 4, 8), X86P_BAD_FILTER);
        ASSERT_EQ(x86_payload_set_filter(f, out_len, X86_FILTER_BCJ_X86, plain.image_size + 1, 0), X86P_BAD_FILTER);
        ASSERT_EQ(x86_payload_set_filter(f, out_len, X86_FILTER_BCJ_X86, 0, 0), X86P_BAD_FILTER);
        ASSERT_EQ(x86_payload_set_filter(f, out_len, (X86PayloadFilter) 2, off, size), X86P_BAD_FILTER);
        ASSERT_EQ(x86_payload_set_filter(f, out_len, X86_FILTER_BCJ_X86, 0, plain.image_size), X86P_OK);
        ASSERT_EQ(x86_payload_set_filter(f, out_len, X86_FILTER_BCJ_X86, off, size), X86P_BAD_FILTER);   /* once */
        uint8_t *t = f + out_len - X86_PAYLOAD_TRAILER_SIZE;
        memset(t + 0x44, 0, 12);
        ASSERT_TRUE(memcmp(f + off + size, out + off + size, out_len - off - size) == 0);   /* refusals left it */
        ASSERT_EQ(x86_payload_set_filter(f, out_len, X86_FILTER_BCJ_X86, off, size), X86P_OK);
        ASSERT_EQ(rd32(t + 0x44), 1);
        ASSERT_EQ(rd32(t + 0x48), off);
        ASSERT_EQ(rd32(t + 0x4c), size);
        ASSERT_EQ(x86_payload_parse_trailer(t, out_len, &i), X86P_OK);
        ASSERT_TRUE(i.filter == X86_FILTER_BCJ_X86 && i.filter_offset == off && i.filter_size == size);

        /* unfilter refuses an info that does not fit the buffer */
        X86PayloadInfo bogus = i;
        bogus.filter_size = bogus.image_size;
        bogus.filter_offset = 1;
        ASSERT_EQ(x86_payload_unfilter(f, out_len, &bogus), X86P_BAD_FILTER);
        bogus = i;
        bogus.filter = 7;
        ASSERT_EQ(x86_payload_unfilter(f, out_len, &bogus), X86P_BAD_FILTER);

        ASSERT_EQ(x86_payload_parse(f, out_len, &i), X86P_OK);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ASSERT_EQ(x86_payload_unfilter(f, out_len, &i), X86P_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ASSERT_TRUE(memcmp(f, out, out_len) == 0);   /* image and trailer: the plain payload */
        ASSERT_EQ(i.filter, X86_FILTER_NONE);
        ASSERT_EQ(x86_payload_unfilter(f, out_len, &i), X86P_OK);   /* none: nothing changes */
        ASSERT_TRUE(memcmp(f, out, out_len) == 0);
        fprintf(stderr, "BCJ over .text: %u bytes at %u, undone in %.1f ms (sanitized build)\n", size, off,
                (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6);
        free(f);
}

/* ---- synthetic kernels: one R+X PT_LOAD of SEG bytes at 16 MiB / 0xffffffff81000000, then
 * a relocation table built from lists given here (docs/format.md §4) ---- */

#define SEG 0x2000u
#define VBASE UINT64_C(0xffffffff81000000)

static void wr32(uint8_t *p, uint32_t v) {
        for (unsigned i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> 8 * i);
}
static void wr64(uint8_t *p, uint64_t v) {
        wr32(p, (uint32_t) v);
        wr32(p + 4, (uint32_t) (v >> 32));
}

/* words: the table as written after the ELF (terminators included); returns the length */
static size_t synth(uint8_t *buf, const uint32_t *words, size_t n_words) {
        size_t elf = 0x1000 + SEG;
        memset(buf, 0, elf);
        memcpy(buf, "\x7f" "ELF\x02\x01\x01", 7);
        buf[0x10] = 2;                            /* ET_EXEC */
        buf[0x12] = 62;                           /* EM_X86_64 */
        wr64(buf + 0x18, 0x1000000);              /* e_entry: physical, as in vmlinux */
        wr64(buf + 0x20, 64);                     /* e_phoff */
        buf[0x36] = 56, buf[0x38] = 1;            /* e_phentsize, e_phnum */
        uint8_t *ph = buf + 64;
        wr32(ph, 1), wr32(ph + 4, 5);             /* PT_LOAD, R+X */
        wr64(ph + 0x08, 0x1000), wr64(ph + 0x10, VBASE), wr64(ph + 0x18, 0x1000000);
        wr64(ph + 0x20, SEG), wr64(ph + 0x28, SEG);
        for (size_t i = 0; i < SEG; i++)
                buf[0x1000 + i] = (uint8_t) (i * 7);
        for (size_t i = 0; i < n_words; i++)
                wr32(buf + elf + 4 * i, words[i]);
        return elf + 4 * n_words;
}

static uint8_t synth_setup[0x80];

static const uint8_t *fake_setup(void) {
        memset(synth_setup, 0, sizeof(synth_setup));
        synth_setup[0x206 - 0x1f1] = 0x0f, synth_setup[0x207 - 0x1f1] = 0x02;   /* 2.15 */
        wr32(synth_setup + (0x230 - 0x1f1), 0x200000);                          /* kernel_alignment */
        synth_setup[0x236 - 0x1f1] = 0x7f;                                    /* xloadflags */
        wr32(synth_setup + (0x260 - 0x1f1), 0x1000000);                         /* init_size */
        return synth_setup;
}

#define A(off) ((uint32_t) (VBASE + (off)))   /* the table's entry for image offset off */

/* Builds, reads back, and relocates by 2 MiB: the patched words are exactly the listed ones. */
static void check_layout(const uint32_t *words, size_t n, X86RelocsLayout layout, uint32_t n64, uint32_t ninv,
                         uint32_t n32) {
        static uint8_t in[0x1000 + SEG + 4096], out[1 << 16];
        size_t len = synth(in, words, n), size, got;
        X86PayloadInfo info, back;
        X86RelocsScan scan;
        ASSERT_EQ(x86_payload_plan(in, len, fake_setup(), sizeof(synth_setup), X86_RELOCS_ANY, &info, &size, &scan),
                  X86P_OK);
        ASSERT_EQ(scan.layout, layout);
        ASSERT_EQ(scan.n_zero, (uint32_t) layout);
        ASSERT_EQ(info.n_reloc64, n64);
        ASSERT_EQ(info.n_reloc_inv32, ninv);
        ASSERT_EQ(info.n_reloc32, n32);
        ASSERT_EQ(info.relocs_size, 12 + 4 * (n64 + ninv + n32));
        /* the table names its own layout; asking for it works, asking for the other is refused */
        ASSERT_EQ(x86_payload_plan(in, len, fake_setup(), sizeof(synth_setup), layout, &info, &size, NULL), X86P_OK);
        X86RelocsLayout other = layout == X86_RELOCS_TWO_LISTS ? X86_RELOCS_THREE_LISTS : X86_RELOCS_TWO_LISTS;
        ASSERT_EQ(x86_payload_plan(in, len, fake_setup(), sizeof(synth_setup), other, &info, &size, &scan),
                  X86P_RELOCS_LAYOUT);
        ASSERT_EQ(scan.layout, layout);   /* and says what it found */
        ASSERT_EQ(x86_payload_build(in, len, fake_setup(), sizeof(synth_setup), other, out, sizeof(out), &got),
                  X86P_RELOCS_LAYOUT);
        ASSERT_TRUE(size <= sizeof(out));
        ASSERT_EQ(x86_payload_build(in, len, fake_setup(), sizeof(synth_setup), layout, out, sizeof(out), &got), X86P_OK);
        ASSERT_EQ(x86_payload_parse(out, got, &back), X86P_OK);
        ASSERT_TRUE(memcmp(&back, &info, sizeof(info)) == 0);

        static uint8_t moved[1 << 16];
        memcpy(moved, out, got);
        const uint64_t d = 0x200000;
        ASSERT_EQ(x86_relocate(moved, got, &back, d, NULL), X86R_OK);
        /* expected: walk the input lists in table order (64-bit, [inverse 32-bit,] 32-bit) */
        static uint8_t want[SEG];
        memcpy(want, out, SEG);
        size_t i = 1;
        for (unsigned list = 0; list < (unsigned) layout; list++, i++)
                for (; i < n && words[i] != 0; i++) {
                        uint8_t *p = want + (uint32_t) (words[i] - (uint32_t) VBASE);
                        if (list == 0)
                                wr64(p, rd32(p) + ((uint64_t) rd32(p + 4) << 32) + d);
                        else if (list == 1 && layout == X86_RELOCS_THREE_LISTS)
                                wr32(p, rd32(p) - (uint32_t) d);
                        else
                                wr32(p, rd32(p) + (uint32_t) d);
                }
        ASSERT_TRUE(memcmp(moved, want, SEG) == 0);
}

static void test_synthetic_layouts(void) {
        /* Linux 6.15+: 0, 64-bit, 0, 32-bit */
        const uint32_t two[] = { 0, A(0x10), A(0x100), A(0x1ff8), 0, A(0x20), A(0x1ffc) };
        check_layout(two, 7, X86_RELOCS_TWO_LISTS, 3, 0, 2);
        /* up to Linux 6.14: 0, 64-bit, 0, inverse 32-bit, 0, 32-bit */
        const uint32_t three[] = { 0, A(0x10), A(0x100), 0, A(0x40), A(0x44), A(0x48), 0, A(0x20) };
        check_layout(three, 9, X86_RELOCS_THREE_LISTS, 2, 3, 1);
        /* empty lists are lists */
        const uint32_t two_empty[] = { 0, 0 }, three_empty[] = { 0, 0, 0 }, only32[] = { 0, 0, A(8) };
        check_layout(two_empty, 2, X86_RELOCS_TWO_LISTS, 0, 0, 0);
        check_layout(three_empty, 3, X86_RELOCS_THREE_LISTS, 0, 0, 0);
        check_layout(only32, 3, X86_RELOCS_TWO_LISTS, 0, 0, 1);
}

static X86PayloadResult plan_words(const uint32_t *w, size_t n, X86RelocsScan *scan) {
        static uint8_t in[0x1000 + SEG + 4096];
        size_t len = synth(in, w, n), size;
        X86PayloadInfo info;
        return x86_payload_plan(in, len, fake_setup(), sizeof(synth_setup), X86_RELOCS_ANY, &info, &size, scan);
}

static void test_synthetic_refusals(void) {
        X86RelocsScan sc;
        const uint32_t one[] = { 0, A(0x10), A(0x20) };                        /* one list */
        ASSERT_EQ(plan_words(one, 3, &sc), X86P_BAD_RELOCS);
        ASSERT_EQ(sc.n_zero, 1);
        ASSERT_EQ(sc.layout, X86_RELOCS_ANY);
        const uint32_t four[] = { 0, A(0x10), 0, A(0x20), 0, A(0x30), 0, A(0x40) };   /* four lists */
        ASSERT_EQ(plan_words(four, 8, &sc), X86P_BAD_RELOCS);
        ASSERT_EQ(sc.n_zero, 4);
        const uint32_t no_lead[] = { A(0x10), 0, A(0x20), 0, A(0x30) };           /* no leading terminator */
        ASSERT_EQ(plan_words(no_lead, 5, &sc), X86P_BAD_RELOCS);
        ASSERT_EQ(sc.first_word, A(0x10));
        ASSERT_EQ(plan_words(NULL, 0, &sc), X86P_BAD_RELOCS);                   /* no table at all */
        ASSERT_EQ(sc.tail_bytes, 0);
        const uint32_t single[] = { 0 };
        ASSERT_EQ(plan_words(single, 1, &sc), X86P_BAD_RELOCS);
        /* entries outside the image: below it, at its end, a 64-bit patch crossing its end,
         * and an address that is not in the top 2 GiB at all */
        const uint32_t below[] = { 0, 0, (uint32_t) VBASE - 4 }, past[] = { 0, 0, A(SEG) },
                       cross[] = { 0, A(SEG - 4), 0 }, low[] = { 0, 0, 0x1000 };
        ASSERT_EQ(plan_words(below, 3, &sc), X86P_BAD_RELOCS);
        ASSERT_EQ(sc.n_outside, 1);
        ASSERT_EQ(plan_words(past, 3, &sc), X86P_BAD_RELOCS);
        ASSERT_EQ(plan_words(cross, 3, &sc), X86P_BAD_RELOCS);
        ASSERT_EQ(sc.n_outside, 1);
        ASSERT_EQ(plan_words(low, 3, &sc), X86P_BAD_RELOCS);
        /* the same 4 bytes as a 32-bit entry fit */
        const uint32_t fits[] = { 0, 0, A(SEG - 4) };
        ASSERT_EQ(plan_words(fits, 3, &sc), X86P_OK);
        ASSERT_EQ(sc.n_unsorted, 0);
        /* a list that does not rise (the loader relies on it, x86_relocate()): refused; equal
         * neighbours and a lower first entry in the next list are in order */
        const uint32_t down[] = { 0, A(0x20), A(0x10), 0, A(0x30), 0, A(0x40) },
                       down32[] = { 0, A(0x20), 0, A(0x30), 0, A(0x40), A(0x3c) },
                       level[] = { 0, A(0x20), A(0x20), 0, A(0x10), 0, A(0x08), A(0x40) };
        ASSERT_EQ(plan_words(down, 7, &sc), X86P_BAD_RELOCS);
        ASSERT_EQ(sc.n_unsorted, 1);
        ASSERT_EQ(sc.n_outside, 0);
        ASSERT_EQ(plan_words(down32, 7, &sc), X86P_BAD_RELOCS);
        ASSERT_EQ(sc.n_unsorted, 1);
        ASSERT_EQ(plan_words(level, 8, &sc), X86P_OK);
        ASSERT_EQ(sc.n_unsorted, 0);
        /* a table whose length is not a whole number of words */
        static uint8_t in[0x1000 + SEG + 64];
        const uint32_t ok[] = { 0, 0 };
        size_t len = synth(in, ok, 2), size;
        X86PayloadInfo info;
        ASSERT_EQ(x86_payload_plan(in, len + 2, fake_setup(), sizeof(synth_setup), X86_RELOCS_ANY, &info, &size, &sc),
                  X86P_BAD_RELOCS);
        ASSERT_EQ(sc.tail_bytes, 10);
}

static void test_versions(void) {
        static const struct {
                const char *s;
                X86RelocsLayout l;
        } v[] = {
                { "6.1.0-47-amd64", X86_RELOCS_THREE_LISTS },
                { "6.12.117+deb13-amd64 (debian-kernel@lists.debian.org) #1 SMP", X86_RELOCS_THREE_LISTS },
                { "6.14.11", X86_RELOCS_THREE_LISTS },
                { "5.10.0-30-amd64", X86_RELOCS_THREE_LISTS },
                { "6.15", X86_RELOCS_TWO_LISTS },
                { "6.15.0-rc1", X86_RELOCS_TWO_LISTS },
                { "6.16-rc3+", X86_RELOCS_TWO_LISTS },
                { "7.2.13+deb14-amd64", X86_RELOCS_TWO_LISTS },
                { "10.0", X86_RELOCS_TWO_LISTS },
                { "", X86_RELOCS_ANY },
                { "6", X86_RELOCS_ANY },
                { "6.", X86_RELOCS_ANY },
                { "6.x", X86_RELOCS_ANY },
                { "v6.15", X86_RELOCS_ANY },
                { ".15", X86_RELOCS_ANY },
                { "0.15", X86_RELOCS_ANY },
                { "123456.1", X86_RELOCS_ANY },
                { "6.123456", X86_RELOCS_ANY },
        };
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                X86RelocsLayout l = x86_relocs_layout_for_version(v[i].s, strlen(v[i].s));
                if (l != v[i].l)
                        fprintf(stderr, "version \"%s\": got %d, want %d\n", v[i].s, l, v[i].l);
                ASSERT_EQ(l, v[i].l);
        }
        /* only len bytes count */
        ASSERT_EQ(x86_relocs_layout_for_version("6.15", 3), X86_RELOCS_THREE_LISTS);
        ASSERT_EQ(x86_relocs_layout_for_version("6.15", 2), X86_RELOCS_ANY);
        ASSERT_EQ(x86_relocs_layout_for_version(NULL, 0), X86_RELOCS_ANY);
        ASSERT_TRUE(strstr(x86_relocs_layout_name(X86_RELOCS_TWO_LISTS), "6.15") != NULL);
        ASSERT_TRUE(strstr(x86_relocs_layout_name(X86_RELOCS_THREE_LISTS), "inverse") != NULL);
}

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: test-x86-payload VMLINUX.BIN BZIMAGE (run tools/fetch-test-assets)\n");
                return 1;
        }
        vm = test_read_file(argv[1], &vm_len);
        bz = test_read_file(argv[2], &bz_len);
        TEST(test_synthetic_layouts);
        TEST(test_synthetic_refusals);
        TEST(test_versions);
        TEST(test_debian_kernel);
        TEST(test_refusals);
        TEST(test_filter);
        free(out);
        free(vm);
        free(bz);
        return TESTS_END();
}
