/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Placing a PE image (file layout) into memory the way a loader does: headers at offset 0,
 * each section at its RVA, everything else zero, base relocations applied. Pure: the caller
 * owns the destination memory. Inputs are re-checked here (cheaply) so a caller that skipped
 * validation still cannot make us write outside dst.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pe-format.h"

typedef enum {
        PE_LOAD_OK = 0,
        PE_LOAD_BAD_HEADERS = -1,   /* headers / section table outside the file */
        PE_LOAD_BAD_SECTION = -2,   /* section raw data outside the file or beyond SizeOfImage */
        PE_LOAD_DST_TOO_SMALL = -3, /* dst_size < SizeOfImage */
        PE_LOAD_BAD_RELOC = -4,     /* malformed base relocation block or target outside the image */
} PeLoadResult;

typedef struct {
        const PeHeader64 *pe;             /* inside file */
        const PeSectionHeader *sections;  /* inside file */
        uint16_t n_sections;
} PeLoadView;

/* Locate the headers of a PE32+ file (minimal checks: magic, offsets inside the file). */
PeLoadResult pe_load_view(const void *file, size_t file_size, PeLoadView *ret);

/* True if every section's raw data sits at file offset == RVA with raw size >= virtual size
 * or is zero-filled by construction, i.e. the file can be used in place as the memory image
 * (arm64 Image padded to its memory size is such a file). */
bool pe_load_is_identity(const PeLoadView *v, size_t file_size);

/* Copy headers and sections of file into dst (memory layout) and zero the rest of
 * [0, SizeOfImage). dst must not overlap file. */
PeLoadResult pe_load_copy(const void *file, size_t file_size, const PeLoadView *v, void *dst, size_t dst_size);

/* Apply DIR64 base relocations of a loaded image for load address delta (actual - ImageBase). */
PeLoadResult pe_load_relocate(void *image, size_t image_size, const PeLoadView *v, uint64_t delta);

/* Find a section by name (up to 8 bytes, compared NUL-padded) in a PE image of size bytes:
 * in_memory = a loaded image (sections at their RVAs, VirtualSize bytes), else a file-layout
 * copy (sections at PointerToRawData, min(VirtualSize, SizeOfRawData) bytes). The first
 * section of that name wins; false if absent or if it does not lie inside [image, image + size). */
bool pe_load_find_section(const void *image, size_t size, bool in_memory, const char *name, const uint8_t **ret,
                          size_t *ret_size);

const char *pe_load_strerror(PeLoadResult r);
