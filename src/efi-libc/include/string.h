/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Freestanding <string.h>: only what our code and the upstream decompressors use. */
#pragma once

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* -ffreestanding implies -fno-builtin, which would turn every small fixed-size memcpy() the
 * upstream decoders use for unaligned loads and stores into a real call (libdeflate ran at
 * 0.4x of the system build that way). The __builtin_ forms are still expanded inline where
 * the size allows and fall back to the functions above otherwise. */
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memmove(d, s, n) __builtin_memmove(d, s, n)
#define memset(d, c, n) __builtin_memset(d, c, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
