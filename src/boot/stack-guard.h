/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Force-included into our own EFI objects after efi-hidden.h (efi_c_args: -include), which are
 * built with -fstack-protector-strong -mstack-protector-guard=global. The compiler loads the
 * canary from __stack_chk_guard; declaring it here, hidden and referenced, makes every object
 * address it PC-relative. Without this, clang 14 for aarch64 reaches it through a GOT slot,
 * which the self-relocation must not depend on (tools/elf2efi.c refuses a GOT). The one pointer
 * per object sits in .data.rel.ro (relocated at entry with the rest, never read).
 * The guard itself: src/boot/zboot/stack-protector.c.
 */
#ifndef __ASSEMBLER__
#include <stdint.h>

extern uintptr_t __stack_chk_guard;
__attribute__((used)) static uintptr_t *const stack_guard_ref_ = &__stack_chk_guard;
#endif
