/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "splash.h"

#include "bmp.h"
#include "efi.h"
#include "log.h"
#include "proto/graphics-output.h"
#include "proto/simple-text-io.h"

typedef enum {
        BLT_VIDEO_FILL = 0,
        BLT_VIDEO_TO_BUFFER = 1,
        BLT_BUFFER_TO_VIDEO = 2,
} BltOperation;

/* EFI_GRAPHICS_OUTPUT_PROTOCOL.Blt (the protocol header keeps it untyped). */
typedef EFI_STATUS (EFIAPI *GopBlt)(EFI_GRAPHICS_OUTPUT_PROTOCOL *This, BmpPixel *BltBuffer, BltOperation Op,
                                    size_t SourceX, size_t SourceY, size_t DestinationX, size_t DestinationY,
                                    size_t Width, size_t Height, size_t Delta);

/* EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL.ClearScreen (untyped in the protocol header). */
typedef EFI_STATUS (EFIAPI *ConClear)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This);

void splash_show(const void *data, size_t size) {
        static const EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
        EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
        BmpInfo info;

        if (!data || size == 0)
                return;
        if (BS->LocateProtocol(&gop_guid, NULL, (void **) &gop) != EFI_SUCCESS || !gop || !gop->Mode ||
            !gop->Mode->Info || !gop->Blt)
                return;   /* no screen to draw on: silently, as 257 */
        if (!bmp_parse(data, size, &info)) {
                log_warning(".splash: not a BMP systemd-stub 257 draws, not shown");
                return;
        }
        GopBlt blt = (GopBlt) gop->Blt;
        uint32_t hres = gop->Mode->Info->HorizontalResolution, vres = gop->Mode->Info->VerticalResolution;
        size_t x = info.width < hres ? (hres - info.width) / 2 : 0;
        size_t y = info.height < vres ? (vres - info.height) / 2 : 0;
        size_t n = (size_t) info.width * info.height;   /* <= BMP_MAX_PIXELS */
        BmpPixel black = {}, *buf = NULL;

        /* Our log lines after this go through the firmware's text console onto the same screen:
         * clearing it puts the cursor at the top, so the few lines before the kernel starts do
         * not scroll or paint over the centred image (257 logs nothing there). */
        if (ST->ConOut && ST->ConOut->ClearScreen)
                (void) ((ConClear) ST->ConOut->ClearScreen)(ST->ConOut);
        EFI_STATUS err = blt(gop, &black, BLT_VIDEO_FILL, 0, 0, 0, 0, hres, vres, 0);
        if (err == EFI_SUCCESS)
                err = BS->AllocatePool(EfiLoaderData, n * sizeof(BmpPixel), (void **) &buf);
        if (err == EFI_SUCCESS) {
                /* what is underneath (black), for the alpha of 16/32-bit images */
                err = blt(gop, buf, BLT_VIDEO_TO_BUFFER, x, y, 0, 0, info.width, info.height, 0);
                if (err == EFI_SUCCESS && !bmp_to_blt(data, size, &info, buf, n))
                        err = EFI_INVALID_PARAMETER;
                if (err == EFI_SUCCESS)
                        err = blt(gop, buf, BLT_BUFFER_TO_VIDEO, 0, 0, x, y, info.width, info.height, 0);
                BS->FreePool(buf);
        }
        if (err != EFI_SUCCESS)
                log_warning(".splash: %ux%u not drawn (EFI status 0x%lx)", info.width, info.height, (uint64_t) err);
        else
                log_info(".splash: %ux%u %u-bit BMP drawn at %lu,%lu of %ux%u", info.width, info.height, info.depth,
                         (uint64_t) x, (uint64_t) y, hres, vres);
}
