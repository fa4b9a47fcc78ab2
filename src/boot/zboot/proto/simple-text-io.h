/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "../efi.h"

struct EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL {
        void *Reset;
        EFI_STATUS (EFIAPI *OutputString)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, const char16_t *String);
        void *TestString;
        void *QueryMode;
        void *SetMode;
        void *SetAttribute;
        void *ClearScreen;
        void *SetCursorPosition;
        void *EnableCursor;
        void *Mode;
};
