/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default allocator the upstream decoders reference. decompress.c always hands them an
 * explicit allocator over the caller's workspace, so these exist only to link, and fail.
 */
#include <stdlib.h>

void *malloc(size_t size) {
        (void) size;
        return NULL;
}

void *calloc(size_t n, size_t size) {
        (void) n, (void) size;
        return NULL;
}

void free(void *p) {
        (void) p;
}

void abort(void) {
        for (;;)
                __asm__ volatile("" ::: "memory");
}
