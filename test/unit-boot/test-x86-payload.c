/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The native x86 payload builder and reader (docs/format.md §4) on the Debian kernel:
 * argv[1] = vmlinux.bin (the bzImage's payload: ELF + relocations), argv[2] = the bzImage
 * (for its setup header). Checks the flattened image against the ELF segments, the
 * relocation lists against the input, the trailer round trip, and the refusals.
 */
#include "tests.h"
#include "x86-boot.h"
#include "x86-payload.h"

static uint8_t *vm, *bz, *out;
static size_t vm_len, bz_len, out_len;

static uint8_t *slurp(const char *path, size_t *ret) {
        FILE *f = fopen(path, "rb");
        if (!f) {
                perror(path);
                exit(1);
        }
        fseek(f, 0, SEEK_END);
        *ret = (size_t) ftell(f);
        rewind(f);
        uint8_t *b = malloc(*ret);
        if (!b || fread(b, 1, *ret, f) != *ret)
                exit(1);
        fclose(f);
        return b;
}

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
        ASSERT_EQ(x86_payload_plan(vm, vm_len, s, sn, &plan, &size), X86P_OK);
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
        ASSERT_EQ(x86_payload_build(vm, vm_len, s, sn, out, size - 1, &out_len), X86P_BUFFER_TOO_SMALL);
        ASSERT_EQ(x86_payload_build(vm, vm_len, s, sn, out, size, &out_len), X86P_OK);
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
        ASSERT_EQ(x86_payload_build(vm, vm_len, s, sn, again, size, &n2), X86P_OK);
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
        ASSERT_EQ(x86_payload_plan(vm, vm_len, s, sn, &ok, &size), X86P_OK);
        ASSERT_EQ(x86_payload_plan(bz, bz_len, s, sn, &i, &size), X86P_NOT_ELF);
        ASSERT_EQ(x86_payload_plan(vm, 63, s, sn, &i, &size), X86P_NOT_ELF);
        ASSERT_EQ(x86_payload_plan(vm, 4096, s, sn, &i, &size), X86P_BAD_PHDRS);
        /* cut inside the 64-bit list: the other two lists are missing */
        ASSERT_EQ(x86_payload_plan(vm, vm_len - 4 * ((size_t) ok.n_reloc32 + ok.n_reloc_inv32 + 3), s, sn, &i, &size),
                  X86P_BAD_RELOCS);
        ASSERT_EQ(x86_payload_plan(vm, vm_len - 2, s, sn, &i, &size), X86P_BAD_RELOCS);
        ASSERT_EQ(x86_payload_plan(vm, vm_len, s, 16, &i, &size), X86P_BAD_SETUP);
        uint8_t bad[0x100];
        memcpy(bad, s, sn);
        memset(bad + (0x260 - 0x1f1), 0, 4);     /* init_size 0 */
        ASSERT_EQ(x86_payload_plan(vm, vm_len, bad, sn, &i, &size), X86P_BAD_SETUP);

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
        for (unsigned f = 0x40; f < 0x50; f += 4) {   /* text_size past the image, reserved != 0 */
                uint8_t save[4];
                memcpy(save, t + f, 4);
                memset(t + f, 0xff, 4);
                ASSERT_EQ(x86_payload_parse(out, out_len, &i), X86P_BAD_TRAILER);
                memcpy(t + f, save, 4);
        }
        ASSERT_EQ(x86_payload_parse_trailer(t, out_len, &i), X86P_OK);
        ASSERT_EQ(x86_payload_parse_trailer(t, X86_PAYLOAD_TRAILER_SIZE, &i), X86P_BAD_TRAILER);
        for (int r = X86P_TOO_BIG; r < 0; r++)
                ASSERT_TRUE(strcmp(x86_payload_strerror((X86PayloadResult) r), "unknown x86 payload error") != 0);
}

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: test-x86-payload VMLINUX.BIN BZIMAGE (run tools/fetch-test-assets)\n");
                return 1;
        }
        vm = slurp(argv[1], &vm_len);
        bz = slurp(argv[2], &bz_len);
        TEST(test_debian_kernel);
        TEST(test_refusals);
        free(out);
        free(vm);
        free(bz);
        return TESTS_END();
}
