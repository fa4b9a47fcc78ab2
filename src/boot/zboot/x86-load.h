/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "pe-kernel.h"
#include "x86-payload.h"

/* The copy of the x86 payload's trailer that `ukify-zboot zboot` stores uncompressed in the
 * .zbx86 section, so the kernel can be placed before it is decompressed. */
typedef struct {
        uint8_t raw[X86_PAYLOAD_TRAILER_SIZE];
        X86PayloadInfo info;
} X86Hint;

/* Read the .zbx86 section (sec, len) of a zboot image. *ret_found = false if there is none
 * (sec NULL: a PE payload); an error if it does not describe a payload of out_size bytes. */
EFI_STATUS x86_hint_read(const uint8_t *sec, size_t len, uint64_t out_size, X86Hint *ret, bool *ret_found);

/* Place the kernel (physical KASLR): max(out_size, init_size) bytes, kernel_alignment
 * aligned, at or above LOAD_PHYSICAL_ADDR, below 4 GiB unless the kernel may live above. */
EFI_STATUS x86_kernel_alloc(const X86Hint *hint, uint64_t out_size, const Placement *p, Pages *ret);

/* After the payload was decompressed into pages (out_len bytes): check it against the hint,
 * relocate it for a random virtual offset (virtual KASLR; none with nokaslr), keep the setup
 * header, zero everything after the image, map text RX and the rest RW+NX (recorded in *pages:
 * free_pagesp() restores the attributes if the boot fails later). */
EFI_STATUS x86_kernel_prepare(Pages *pages, size_t out_len, const X86Hint *hint, const Placement *p,
                              LoadedKernel *ret);
