/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The entry stub ("purgatory") of `ukify-zboot kexec` on x86_64, loaded by kexec_load(2) as a
 * segment of its own: the kernel's relocate_kernel copies the segments into place and jumps
 * here in 64-bit mode, interrupts off, on its identity mapping of RAM. We load our own GDT
 * (the running kernel's is gone), put the boot protocol's selectors in place (__BOOT_CS 0x10,
 * __BOOT_DS 0x18: flat 4 GiB), point RSI at boot_params and jump to the kernel's 64-bit
 * entry. Position independent (RIP-relative only), so it runs wherever the CLI places it.
 *
 * The CLI copies the bytes between ukz_purgatory_start and ukz_purgatory_end into a page and
 * fills the two parameters (ukz_purgatory_params: boot_params address, entry address).
 * It is data for this program (.rodata), never executed in the CLI.
 */
#define SEL_CODE64      0x10
#define SEL_DATA        0x18

        .section .rodata.ukz_purgatory, "a"
        .code64
        .balign 16
        .globl ukz_purgatory_start, ukz_purgatory_end, ukz_purgatory_params
        .hidden ukz_purgatory_start, ukz_purgatory_end, ukz_purgatory_params

ukz_purgatory_start:
        cli
        cld
        leaq    gdt(%rip), %rax
        movq    %rax, (gdt_desc + 2)(%rip)
        lgdt    gdt_desc(%rip)
        movl    $SEL_DATA, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    %eax, %fs
        movl    %eax, %gs
        leaq    stack_top(%rip), %rsp
        leaq    1f(%rip), %rax
        pushq   $SEL_CODE64
        pushq   %rax
        lretq
1:
        movq    ukz_purgatory_params(%rip), %rsi        /* boot_params */
        movq    (ukz_purgatory_params + 8)(%rip), %rax  /* the kernel's 64-bit entry */
        xorl    %ebx, %ebx
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        xorl    %edi, %edi
        xorl    %ebp, %ebp
        jmpq    *%rax

        .balign 16
gdt:
        .quad   0                       /* null */
        .quad   0                       /* unused */
        .quad   0x00af9a000000ffff      /* 0x10: 64-bit code, flat */
        .quad   0x00cf92000000ffff      /* 0x18: data, flat 4 GiB */
gdt_end:
        .balign 8
gdt_desc:
        .word   gdt_end - gdt - 1
        .quad   0
        .balign 8
ukz_purgatory_params:
        .quad   0                       /* boot_params */
        .quad   0                       /* entry */
        .balign 16
stack:
        .fill   256, 1, 0
stack_top:
ukz_purgatory_end:
        .section .note.GNU-stack, "", @progbits
