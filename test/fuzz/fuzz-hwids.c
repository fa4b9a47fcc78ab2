/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer: `build --hwids DIR`'s reading of one JSON device description (src/ukify-zboot/
 * hwids.c: device_json(), member_string(), parse_uuid()) and the .hwids section made from it
 * (hwids_layout()). hwids.c is compiled into this file so its static functions are reachable;
 * the CLI helpers it calls are shimmed. The input is one file's contents (an exact-size copy).
 * Invariants when it is accepted: one device; its CHIDs distinct; reading the same file again
 * adds no device and no CHID (the union over files); the section re-reads with the core's
 * reader (chid.c, as sd-stub counts it) to one entry of the device's type per CHID, in
 * ascending order, each naming its name and its compatible or fwid (the other NULL); each
 * CHID in canonical text form parses back to the same bytes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ukify-zboot/hwids.c"
#define FUZZ_CLI_NO_READ_FILE
#include "fuzz-cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *copy = malloc(size ? size : 1);
        if (!copy)
                return 0;
        memcpy(copy, data, size);
        DeviceList l = {};
        if (!device_json("fuzz.json", copy, size, &l)) {
                device_list_free(&l);
                free(copy);
                return 0;
        }
        if (l.n != 1 || !l.d[0].name || !l.d[0].id ||
            (l.d[0].type != HWIDS_TYPE_DEVICETREE && l.d[0].type != HWIDS_TYPE_UEFI_FW))
                abort();
        const Device *dv = &l.d[0];
        size_t n = dv->n_uuids;
        for (size_t i = 0; i < n; i++)
                for (size_t k = i + 1; k < n; k++)
                        if (memcmp(dv->uuids[i], dv->uuids[k], 16) == 0)
                                abort();
        /* a second file with the same contents: the same device, no CHID added */
        if (!device_json("again.json", copy, size, &l) || l.n != 1 || l.d[0].n_uuids != n)
                abort();
        dv = &l.d[0];

        Blob sec = {};
        if (!hwids_layout(&l, &sec))
                abort();
        size_t count = SIZE_MAX;
        HwidsResult r = hwids_count(sec.data, sec.size, &count);
        if (r != (n ? HWIDS_OK : HWIDS_NOT_FOUND) || (n && count != n))
                abort();
        uint8_t prev[16] = {};
        for (size_t i = 0; i < n; i++) {
                HwidsDevice e;
                bool dt = dv->type == HWIDS_TYPE_DEVICETREE;
                const char *id;
                if (!hwids_entry(sec.data, sec.size, i, &e) ||
                    e.descriptor != (dt ? HWIDS_DESCRIPTOR_DEVICETREE : HWIDS_DESCRIPTOR_UEFI_FW) || !e.name ||
                    !(id = dt ? e.compatible : e.fwid) || (dt ? e.fwid : e.compatible) ||
                    strcmp(e.name, dv->name) != 0 || strcmp(id, dv->id) != 0)
                        abort();
                /* EFI byte order back to the UUID's big-endian bytes */
                static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
                const uint8_t *g = e.chid.b;
                uint8_t be[16];
                for (unsigned j = 0; j < 16; j++)
                        be[order[j]] = g[j];
                if (i > 0 && memcmp(prev, be, 16) >= 0)
                        abort();   /* sorted, each once */
                memcpy(prev, be, 16);
                bool known = false;
                for (size_t k = 0; k < n; k++)
                        known |= memcmp(dv->uuids[k], be, 16) == 0;
                if (!known)
                        abort();
                char text[37];
                snprintf(text, sizeof(text), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         be[0], be[1], be[2], be[3], be[4], be[5], be[6], be[7], be[8], be[9], be[10], be[11],
                         be[12], be[13], be[14], be[15]);
                uint8_t back[16];
                if (!parse_uuid(text, back) || memcmp(back, be, 16) != 0)
                        abort();
        }
        /* then the zero entry */
        static const uint8_t zero[HWIDS_ENTRY_SIZE];
        if (sec.size < (n + 1) * HWIDS_ENTRY_SIZE || memcmp(sec.data + n * HWIDS_ENTRY_SIZE, zero, sizeof(zero)) != 0)
                abort();
        blob_free(&sec);
        device_list_free(&l);
        free(copy);
        return 0;
}
