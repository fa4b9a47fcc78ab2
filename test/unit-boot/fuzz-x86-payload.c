/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: the x86 payload reader (whole payload and trailer alone), and the builder on arbitrary ELF + relocations input
 * (with a fixed plausible setup header); whatever builds must parse back identically. */
#include <stdlib.h>
#include <string.h>

#include "x86-payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        X86PayloadInfo a, b;
        (void) x86_payload_parse(data, size, &a);

        /* The trailer alone, as the EFI side reads the .zbx86 copy: the payload length comes
         * from elsewhere (the zboot header), here from the 8 bytes after the trailer. Whatever
         * it accepts must lie inside that length. */
        if (size >= X86_PAYLOAD_TRAILER_SIZE + 8) {
                uint64_t len;
                memcpy(&len, data + X86_PAYLOAD_TRAILER_SIZE, sizeof(len));
                if (len <= SIZE_MAX && x86_payload_parse_trailer(data, (size_t) len, &a) == X86P_OK &&
                    (uint64_t) a.setup_offset + a.setup_size + X86_PAYLOAD_TRAILER_SIZE > len)
                        __builtin_trap();
        }

        uint8_t setup[0x80] = {};
        setup[0x206 - 0x1f1] = 0x0f, setup[0x207 - 0x1f1] = 0x02;    /* 2.15 */
        setup[0x230 - 0x1f1 + 2] = 0x20;                              /* kernel_alignment 2 MiB */
        setup[0x260 - 0x1f1 + 3] = 0x10;                              /* init_size 256 MiB */
        size_t n;
        if (x86_payload_plan(data, size, setup, sizeof(setup), &a, &n) != X86P_OK || n > (64u << 20))
                return 0;
        uint8_t *out = malloc(n);
        size_t got;
        if (!out)
                return 0;
        if (x86_payload_build(data, size, setup, sizeof(setup), out, n, &got) != X86P_OK || got != n ||
            x86_payload_parse(out, got, &b) != X86P_OK || memcmp(&a, &b, sizeof(a)) != 0)
                __builtin_trap();
        free(out);
        return 0;
}
