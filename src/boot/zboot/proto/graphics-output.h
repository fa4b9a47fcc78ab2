/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EFI_GRAPHICS_OUTPUT_PROTOCOL: only the mode description (we never draw). */
#pragma once

#include "../efi.h"

#define EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID \
        EFI_GUID_INIT(0x9042a9de, 0x23dc, 0x4a38, 0x96, 0xfb, 0x7a, 0xde, 0xd0, 0x80, 0x51, 0x6a)

typedef struct {
        uint32_t Version;
        uint32_t HorizontalResolution;
        uint32_t VerticalResolution;
        uint32_t PixelFormat;           /* 0 RGBX8, 1 BGRX8, 2 PixelBitMask, 3 PixelBltOnly */
        uint32_t RedMask, GreenMask, BlueMask, ReservedMask;
        uint32_t PixelsPerScanLine;
} EFI_GRAPHICS_OUTPUT_MODE_INFORMATION;

typedef struct {
        uint32_t MaxMode;
        uint32_t Mode;
        EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *Info;
        size_t SizeOfInfo;
        EFI_PHYSICAL_ADDRESS FrameBufferBase;
        size_t FrameBufferSize;
} EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE;

typedef struct {
        void *QueryMode;
        void *SetMode;
        void *Blt;
        EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE *Mode;
} EFI_GRAPHICS_OUTPUT_PROTOCOL;
