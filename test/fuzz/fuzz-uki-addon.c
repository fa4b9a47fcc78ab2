/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* uki_addon_parse() on arbitrary loaded images (parsed first as the stub does). Input: byte 0 picks the UKI's .uname (bit 0:
 * none; bits 1-3: how many bytes of "6.12.0-1-amd64" it has), the rest is the loaded image.
 * Every section it returns must lie inside the image; the verdict must be one of the five. */
#include <stdint.h>
#include <string.h>

#include "uki-addon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char uname[] = "6.12.0-1-amd64";
        if (size < 1)
                return 0;
        const uint8_t *image = data + 1;
        size_t image_size = size - 1;
        size_t uname_len = (size_t) ((data[0] >> 1) & 7) * 2;
        UkiAddon a;
        PeView v;
        UkiAddonResult r = UKI_ADDON_BAD_PE;
        if (pe_parse_layout(image, image_size, PE_LAYOUT_MEMORY, &v) == PE_OK)
                r = uki_addon_parse(&v, (data[0] & 1) ? NULL : uname, uname_len, &a);
        if (r != UKI_ADDON_OK && r != UKI_ADDON_BAD_PE && r != UKI_ADDON_EMPTY && r != UKI_ADDON_IS_UKI &&
            r != UKI_ADDON_UNAME_MISMATCH)
                __builtin_trap();
        if (strlen(uki_addon_strerror(r)) == 0)
                __builtin_trap();
        if (r == UKI_ADDON_BAD_PE)
                return 0;
        for (size_t k = 0; k < _UKI_ADDON_MAX; k++) {
                if (!a.data[k])
                        continue;
                if (a.data[k] < image || a.size[k] > image_size ||
                    (size_t) (a.data[k] - image) > image_size - a.size[k])
                        __builtin_trap();
                volatile uint8_t sink = 0;
                for (size_t i = 0; i < a.size[k]; i++)   /* ASan checks every byte is readable */
                        sink ^= a.data[k][i];
                (void) sink;
        }
        return 0;
}
