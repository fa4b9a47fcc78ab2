/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"

/* Boot step (stub-variables.c calls it): the language tag of the firmware's current keyboard
 * layout ("en-US"), as sd-stub 262 exports it in LoaderKeyboardLayout: pool memory holding a
 * UTF-16 string with its NUL (*ret_size bytes, the NUL included), or NULL when the firmware has
 * no HII database, no current layout or one sd-stub 262 would not take (hii-keyboard.h). */
char16_t *keyboard_layout_language(size_t *ret_size);
