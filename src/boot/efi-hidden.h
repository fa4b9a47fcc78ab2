/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Force-included into every object of our EFI binaries (efi_c_args: -include). Hidden
 * visibility for every declaration, not only for definitions (-fvisibility=hidden covers only
 * those): the compiler then addresses every symbol PC-relative and the static-PIE link needs
 * no GOT. That matters for the self-relocation (src/boot/zboot/self-reloc.c), which must run
 * before any pointer in data is valid; tools/elf2efi.c refuses a GOT.
 */
#pragma GCC visibility push(hidden)
