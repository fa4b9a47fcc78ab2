/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Freestanding <stdlib.h> for the upstream decompressors. They are always handed an explicit
 * allocator (or a static workspace) by decompress.c; the default malloc/free they reference
 * exist only to link and fail every allocation (src/efi-libc/alloc.c).
 */
#pragma once

#include <stddef.h>

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void free(void *p);
void abort(void) __attribute__((noreturn));
