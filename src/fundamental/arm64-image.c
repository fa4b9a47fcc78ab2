/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "arm64-image.h"
#include "unaligned.h"

bool arm64_image_parse(const void *image, size_t len, Arm64ImageHeader *ret) {
        const uint8_t *p = image;

        if (!p || len < ARM64_IMAGE_HEADER_SIZE || get_le32(p + ARM64_IMAGE_MAGIC_OFFSET) != ARM64_IMAGE_MAGIC)
                return false;
        *ret = (Arm64ImageHeader) {
                .text_offset = get_le64(p + ARM64_IMAGE_TEXT_OFFSET),
                .image_size = get_le64(p + ARM64_IMAGE_IMAGE_SIZE),
                .flags = get_le64(p + ARM64_IMAGE_FLAGS),
        };
        return true;
}

Arm64FixedResult arm64_fixed_placement(const void *image, size_t len, uint64_t base, uint64_t alloc_size) {
        Arm64ImageHeader h;

        if (!arm64_image_parse(image, len, &h))
                return ARM64_NOT_AN_IMAGE;
        if (h.text_offset != 0)
                return ARM64_TEXT_OFFSET;
        if (h.image_size == 0)
                return ARM64_NO_IMAGE_SIZE;
        if (base & (ARM64_MIN_KIMG_ALIGN - 1))
                return ARM64_MISALIGNED;
        if (h.image_size > alloc_size)
                return ARM64_BSS_OUTSIDE;
        /* _end = base + image_size must stay below the stub's allocation limit. */
        if (base >= ARM64_EFI_ALLOC_LIMIT || h.image_size >= ARM64_EFI_ALLOC_LIMIT - base)
                return ARM64_ABOVE_LIMIT;
        return ARM64_FIXED_OK;
}

bool arm64_image_size_ok(const void *image, size_t len, uint64_t *ret_image_size) {
        Arm64ImageHeader h;

        if (!arm64_image_parse(image, len, &h))
                return true;
        if (ret_image_size)
                *ret_image_size = h.image_size;
        return h.image_size >= len && h.image_size <= ARM64_IMAGE_SIZE_MAX;
}

const char *arm64_fixed_strerror(Arm64FixedResult r) {
        switch (r) {
        case ARM64_FIXED_OK:
                return "placement meets the stub's in-place rule";
        case ARM64_NOT_AN_IMAGE:
                return "no arm64 Image header";
        case ARM64_TEXT_OFFSET:
                return "Image header text_offset is not 0 (kernel older than 5.8)";
        case ARM64_NO_IMAGE_SIZE:
                return "Image header has no image_size (BSS size unknown)";
        case ARM64_MISALIGNED:
                return "base is not 2 MiB aligned";
        case ARM64_BSS_OUTSIDE:
                return "image_size (BSS included) runs past our allocation";
        case ARM64_ABOVE_LIMIT:
                return "_end is not below 2^48 - 1";
        }
        return "unknown";
}
