/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: the arm64 Image header reader and the in-place rule on arbitrary bytes. The first
 * 16 input bytes are the base and the allocation size; an accepted placement must really be
 * 2 MiB aligned, hold image_size and end below the stub's limit.
 */
#include <stdint.h>
#include <string.h>

#include "arm64-image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint64_t base, alloc;
        if (size < 16)
                return 0;
        memcpy(&base, data, 8);
        memcpy(&alloc, data + 8, 8);
        data += 16;
        size -= 16;
        Arm64FixedResult r = arm64_fixed_placement(data, size, base, alloc);
        (void) arm64_fixed_strerror(r);
        Arm64ImageHeader h;
        bool parsed = arm64_image_parse(data, size, &h);
        if (r != ARM64_NOT_AN_IMAGE && !parsed)
                __builtin_trap();
        if (r == ARM64_FIXED_OK &&
            (h.text_offset != 0 || h.image_size == 0 || h.image_size > alloc || base % ARM64_MIN_KIMG_ALIGN ||
             base + h.image_size < base || base + h.image_size >= ARM64_EFI_ALLOC_LIMIT))
                __builtin_trap();
        /* the image_size sanity rule: accepted only without a header or with a sane image_size */
        uint64_t image_size = 0;
        if (arm64_image_size_ok(data, size, &image_size) && parsed &&
            (h.image_size < size || h.image_size > ARM64_IMAGE_SIZE_MAX))
                __builtin_trap();
        return 0;
}
