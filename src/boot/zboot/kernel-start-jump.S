/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kernel_jump_save() / kernel_jump_back(): the one non-local return the stub needs (see
 * kernel-start.c "The kernel's Exit"). kernel_jump_save() stores the registers the C calling
 * convention (System V on x86_64, AAPCS64) keeps across a call, plus the stack pointer and the
 * return address, and returns 0; kernel_jump_back() puts them back and returns 1 from that
 * kernel_jump_save() call. The buffer is KernelJump (kernel-start.h): 22 64-bit words.
 */
        .text

#if defined(__x86_64__)
        .globl kernel_jump_save, kernel_jump_back
        .hidden kernel_jump_save, kernel_jump_back

/* int kernel_jump_save(KernelJump *j) — j in %rdi */
        .type kernel_jump_save, @function
kernel_jump_save:
        movq    %rbx, 0(%rdi)
        movq    %rbp, 8(%rdi)
        movq    %r12, 16(%rdi)
        movq    %r13, 24(%rdi)
        movq    %r14, 32(%rdi)
        movq    %r15, 40(%rdi)
        leaq    8(%rsp), %rax           /* the caller's stack pointer after our ret */
        movq    %rax, 48(%rdi)
        movq    (%rsp), %rax            /* our return address */
        movq    %rax, 56(%rdi)
        xorl    %eax, %eax
        ret
        .size kernel_jump_save, . - kernel_jump_save

/* _Noreturn void kernel_jump_back(const KernelJump *j) — j in %rdi */
        .type kernel_jump_back, @function
kernel_jump_back:
        movq    0(%rdi), %rbx
        movq    8(%rdi), %rbp
        movq    16(%rdi), %r12
        movq    24(%rdi), %r13
        movq    32(%rdi), %r14
        movq    40(%rdi), %r15
        movq    48(%rdi), %rsp
        movl    $1, %eax
        jmpq    *56(%rdi)
        .size kernel_jump_back, . - kernel_jump_back

#elif defined(__aarch64__)
        .globl kernel_jump_save, kernel_jump_back
        .hidden kernel_jump_save, kernel_jump_back

/* int kernel_jump_save(KernelJump *j) — j in x0 */
        .type kernel_jump_save, %function
kernel_jump_save:
        stp     x19, x20, [x0, #0]
        stp     x21, x22, [x0, #16]
        stp     x23, x24, [x0, #32]
        stp     x25, x26, [x0, #48]
        stp     x27, x28, [x0, #64]
        stp     x29, x30, [x0, #80]     /* frame pointer, return address */
        mov     x16, sp
        str     x16, [x0, #96]
        stp     d8, d9, [x0, #104]
        stp     d10, d11, [x0, #120]
        stp     d12, d13, [x0, #136]
        stp     d14, d15, [x0, #152]
        mov     w0, #0
        ret
        .size kernel_jump_save, . - kernel_jump_save

/* _Noreturn void kernel_jump_back(const KernelJump *j) — j in x0 */
        .type kernel_jump_back, %function
kernel_jump_back:
        ldp     x19, x20, [x0, #0]
        ldp     x21, x22, [x0, #16]
        ldp     x23, x24, [x0, #32]
        ldp     x25, x26, [x0, #48]
        ldp     x27, x28, [x0, #64]
        ldp     x29, x30, [x0, #80]
        ldr     x16, [x0, #96]
        mov     sp, x16
        ldp     d8, d9, [x0, #104]
        ldp     d10, d11, [x0, #120]
        ldp     d12, d13, [x0, #136]
        ldp     d14, d15, [x0, #152]
        mov     w0, #1
        ret                             /* to x30: kernel_jump_save()'s caller */
        .size kernel_jump_back, . - kernel_jump_back

#else
#error "kernel-start-jump.S: x86_64 and aarch64 only"
#endif

        .section .note.GNU-stack, "", %progbits
