/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *t, size_t size, const char *s) {
        if (!s)
                return;
        if ((const uint8_t *) s <= t || (const uint8_t *) s >= t + size || strnlen(s, t + size - (const uint8_t *) s) ==
                                                                                   (size_t) (t + size - (const uint8_t *) s))
                abort();
}

/* The input is a .hwids section (an exact-size copy) and, read the other way, an SMBIOS
 * table. Every entry counted is a devicetree or uefi-fw entry with its strings inside the
 * section and NUL-terminated (a compatible only for the one, a fwid only for the other); a
 * match is a devicetree entry and has one of the CHIDs offered; the SMBIOS fields point into the
 * table; CHIDs of all-present fields are version 5 UUIDs. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *t = malloc(size ? size : 1);
        if (!t)
                return 0;
        memcpy(t, data, size);
        size_t n;
        HwidsResult r = hwids_count(t, size, &n);
        if ((r == HWIDS_OK) != (n > 0) || (n && n * HWIDS_ENTRY_SIZE >= size))
                abort();
        ChidGuid chids[CHID_TYPES] = {};
        for (size_t i = 0; i < n; i++) {
                HwidsDevice d;
                if (!hwids_entry(t, size, i, &d) ||
                    (d.descriptor >> 28 == HWIDS_TYPE_DEVICETREE ? d.fwid != NULL
                     : d.descriptor >> 28 != HWIDS_TYPE_UEFI_FW || d.compatible != NULL))
                        abort();
                inside(t, size, d.name);
                inside(t, size, d.compatible);
                inside(t, size, d.fwid);
                if (i < CHID_MATCH_ORDER_LEN)
                        chids[chid_match_order[CHID_MATCH_ORDER_LEN - 1 - i]] = d.chid;
        }
        HwidsDevice m;
        if (hwids_match(t, size, chids, &m) == HWIDS_OK) {
                if (n == 0 || m.descriptor >> 28 != HWIDS_TYPE_DEVICETREE || m.fwid)
                        abort();
                bool found = false;
                for (unsigned k = 0; k < CHID_MATCH_ORDER_LEN; k++)
                        found |= memcmp(&m.chid, &chids[chid_match_order[k]], 16) == 0;
                if (!found)
                        abort();
                inside(t, size, m.compatible);
        }
        /* the uefi-fw lookup (258, for .efifw): a uefi-fw entry with one of the CHIDs offered */
        if (hwids_match_type(t, size, chids, HWIDS_TYPE_UEFI_FW, &m) == HWIDS_OK) {
                bool found = false;
                for (unsigned k = 0; k < CHID_MATCH_ORDER_LEN; k++)
                        found |= memcmp(&m.chid, &chids[chid_match_order[k]], 16) == 0;
                if (n == 0 || !found || m.descriptor >> 28 != HWIDS_TYPE_UEFI_FW || m.compatible)
                        abort();
                inside(t, size, m.fwid);
        }

        ChidFields f;
        chid_fields_from_smbios(t, size, &f);
        for (unsigned i = 0; i < CHID_FIELDS; i++)
                if (f.s[i] && f.len[i] && ((const uint8_t *) f.s[i] < t || (const uint8_t *) f.s[i] + f.len[i] > t + size))
                        abort();
        ChidGuid g[CHID_TYPES];
        chid_compute(&f, g);
        if ((g[3].b[7] & 0xf0) != 0x50 || (g[3].b[8] & 0xc0) != 0x80)
                abort();
        free(t);
        return 0;
}
