/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "addons.h"
#include "efi.h"
#include "measure.h"
#include "proto/loaded-image.h"

/* Boot step: the kernel command line of the UKI stub, chosen and measured as sd-stub 257 does
 * (docs/stub.md "Command line"). Freed by stub_cmdline_free(). */
typedef struct {
        /* what we were started with: LoadOptions, or the UEFI Shell's arguments joined by spaces
         * (shell_buf, pool); the caller drops a leading "@N" profile selector from lo/lo_size
         * (profile_from_load_options()) */
        const void *lo;
        uint32_t lo_size;
        bool from_shell;
        char16_t *shell_buf;
        /* the command line the kernel gets: pool UTF-16 with its NUL (size bytes, NUL
         * included), NULL and 0 for none */
        char16_t *buf;
        uint32_t size;
} StubCmdline;

/* What we were started with (above). From the UEFI Shell, LoadOptions begin with our own
 * program name: sd-stub then takes Argv[1..] joined by spaces instead, and so do we. */
void stub_cmdline_passed(EFI_HANDLE image, const EFI_LOADED_IMAGE_PROTOCOL *li, StubCmdline *c);

/* Choose the command line: the one we were started with (normalised as sd-stub does, except
 * the Shell's arguments, and measured into PCR 12, which pcr12 records) unless it is blank or
 * the UKI's own .cmdline wins (embedded: the section, NULL when there is none; under Secure
 * Boot, or always in a confidential VM); else .cmdline (UTF-8 → UTF-16, normalised, measured
 * with the sections in PCR 11, not here). Fails only when out of memory or the conversion
 * does not fit (logged). */
EFI_STATUS stub_cmdline_choose(const EFI_LOADED_IMAGE_PROTOCOL *li, const uint8_t *embedded, size_t embedded_size,
                               bool secure_boot, StubCmdline *c, MeasuredSet *pcr12);

/* Append the add-ons' .cmdline and then SMBIOS type 11's io.systemd.stub.kernel-cmdline-extra,
 * each measured into PCR 12 on its own (recorded in pcr12), in sd-stub 257's order. */
void stub_cmdline_append_extras(StubCmdline *c, const Addons *addons, MeasuredSet *pcr12);

/* The command line's length in characters, without the NUL (0 for none). */
size_t stub_cmdline_len(const StubCmdline *c);

void stub_cmdline_free(StubCmdline *c);
