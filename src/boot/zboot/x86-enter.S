/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Trampoline into the kernel, copied as one blob into a page below 4 GiB (see x86-enter.h).
 * Position independent: every absolute address it needs (the GDT base, the far-jump targets)
 * is computed from its own location at run time. Register use across the 32-bit part sticks
 * to the low halves (the upper halves of general registers are undefined after a trip
 * through compatibility mode), and all parameters are re-read from memory in 64-bit mode.
 *
 * Layout of the blob (offsets from x86_tramp_start):
 *   code | gdt (4 descriptors) | gdt descriptor | params (X86EnterParams)
 */
#define CR0_PG          (1 << 31)
#define CR4_LA57        (1 << 12)
#define CR4_PCIDE       (1 << 17)
#define SEL_CODE32      0x08
#define SEL_CODE64      0x10    /* __BOOT_CS as the x86 boot protocol names it */
#define SEL_DATA        0x18    /* __BOOT_DS */

        .section .text.x86_enter, "ax"
        .code64
        .globl x86_tramp_start, x86_tramp_end, x86_tramp_gdt_desc, x86_tramp_params
        .hidden x86_tramp_start, x86_tramp_end, x86_tramp_gdt_desc, x86_tramp_params

/* void trampoline(void) — entered with the blob's address reachable via %rip. */
x86_tramp_start:
        cli
        cld
        /* PCIDE must be off before paging is turned off (MOV CR0 would fault). */
        movq    %cr4, %rax
        andq    $~CR4_PCIDE, %rax
        movq    %rax, %cr4

        lgdt    x86_tramp_gdt_desc(%rip)
        movq    (x86_tramp_params + 32)(%rip), %rsp    /* low stack */

        /* Far return into 32-bit compatibility mode. */
        leaq    1f(%rip), %rax
        pushq   $SEL_CODE32
        pushq   %rax
        lretq

        .code32
1:      /* %ebp = address of the blob (call/pop: no RIP-relative addressing in 32-bit code) */
        call    2f
2:      popl    %ebp
        subl    $(2b - x86_tramp_start), %ebp

        movl    $SEL_DATA, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss

        /* Paging off: long mode becomes inactive, we run in 32-bit protected mode at the
         * same (identity-mapped, below 4 GiB) address. */
        movl    %cr0, %eax
        andl    $~CR0_PG, %eax
        movl    %eax, %cr0

        /* CR4.LA57 as asked. */
        movl    %cr4, %eax
        andl    $~CR4_LA57, %eax
        cmpl    $0, (x86_tramp_params - x86_tramp_start + 24)(%ebp)
        je      3f
        orl     $CR4_LA57, %eax
3:      movl    %eax, %cr4

        /* Our page tables (below 4 GiB, so 32 bits suffice). */
        movl    (x86_tramp_params - x86_tramp_start + 16)(%ebp), %eax
        movl    %eax, %cr3

        /* Paging on: EFER.LME is still set, so long mode is active again (compat mode). */
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0

        /* Far return into 64-bit mode. */
        leal    (4f - x86_tramp_start)(%ebp), %eax
        pushl   $SEL_CODE64
        pushl   %eax
        lretl

        .code64
4:      movl    $SEL_DATA, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    %eax, %fs
        movl    %eax, %gs
        leaq    x86_tramp_params(%rip), %rax
        movq    8(%rax), %rsi           /* boot_params */
        movq    0(%rax), %rax           /* entry */
        xorl    %ebp, %ebp
        xorl    %edi, %edi
        xorl    %ebx, %ebx
        jmpq    *%rax

        .balign 16
x86_tramp_gdt:
        .quad   0                       /* null */
        .quad   0x00cf9b000000ffff      /* 0x08: 32-bit code, flat, accessed */
        .quad   0x00af9b000000ffff      /* 0x10: 64-bit code (L=1), accessed */
        .quad   0x00cf93000000ffff      /* 0x18: data, flat, writable, accessed */
        /* The accessed bits are preset so the CPU never writes to the GDT: the page is
         * read-only once the loader has made it RX. */
x86_tramp_gdt_desc:
        .word   x86_tramp_gdt_desc - x86_tramp_gdt - 1
        .quad   0                       /* base: filled in by x86_enter_prepare() */
        .balign 8
x86_tramp_params:
        .skip   40                      /* X86EnterParams */
x86_tramp_end:
