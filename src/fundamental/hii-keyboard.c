/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hii-keyboard.h"
#include "unaligned.h"

bool hii_keyboard_layout_language(const void *layout, size_t len, size_t *ret_offset, size_t *ret_units) {
        const uint8_t *p = layout;
        if (!p || len < HII_KEYBOARD_LAYOUT_HEADER_SIZE || get_le16(p) != len)
                return false;
        uint32_t off = get_le32(p + HII_KEYBOARD_STRING_OFFSET_AT);
        if (off > len || len - off < HII_DESCRIPTION_BUNDLE_HEADER_SIZE || get_le16(p + off) == 0)
                return false;
        size_t start = off + HII_DESCRIPTION_BUNDLE_HEADER_SIZE, units = (len - start) / 2;
        for (size_t n = 0; n < units; n++)
                if (get_le16(p + start + 2 * n) == 0x20) {   /* the space after the tag */
                        if (n == 0)
                                return false;   /* an empty tag */
                        size_t text = 0;   /* the tag as text: to its first NUL */
                        while (text < n && get_le16(p + start + 2 * text) != 0)
                                text++;
                        *ret_offset = start;
                        *ret_units = text;
                        return true;
                }
        return false;
}
