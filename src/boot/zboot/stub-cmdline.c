/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot step: the UKI stub's kernel command line. The pure rules (when LoadOptions may replace
 * .cmdline, the normalisation, UTF-8 → UTF-16) are in src/fundamental (cmdline.c,
 * uki-measure.c); this file applies them to what the firmware, the UEFI Shell, the UKI, its
 * add-ons and SMBIOS give us, and keeps count of the PCR 12 measurements on the way.
 */
#include "log.h"
#include "smbios-efi.h"
#include "stub-cmdline.h"
#include "uki-measure.h"
#include "util.h"

#define EFI_SHELL_PARAMETERS_PROTOCOL_GUID \
        EFI_GUID_INIT(0x752f3136, 0x4e16, 0x4fdc, 0xa2, 0x2a, 0xe5, 0xf4, 0x68, 0x12, 0xf4, 0xca)
typedef struct {
        char16_t **Argv;
        size_t Argc;
        void *StdIn, *StdOut, *StdErr;
} EFI_SHELL_PARAMETERS_PROTOCOL;

/* Started by the UEFI Shell, LoadOptions begin with our program name; sd-stub takes the command
 * line from Argv[1..] joined by spaces instead. True if the Shell started us: *ret is then a
 * pool string (NULL with no arguments) and *ret_size its size with the NUL (0 without). */
static bool shell_cmdline(EFI_HANDLE image, char16_t **ret, uint32_t *ret_size) {
        static const EFI_GUID guid = EFI_SHELL_PARAMETERS_PROTOCOL_GUID;
        EFI_SHELL_PARAMETERS_PROTOCOL *sp;
        if (BS->HandleProtocol(image, &guid, (void **) &sp) != EFI_SUCCESS || !sp || !sp->Argv || sp->Argc < 1)
                return false;
        *ret = NULL;
        *ret_size = 0;
        size_t units = 0;
        for (size_t i = 1; i < sp->Argc; i++)
                units += (sp->Argv[i] ? strnlen16(sp->Argv[i], 65536) : 0) + 1;
        if (units == 0)
                return true;
        EFI_STATUS err = units > UINT32_MAX / sizeof(char16_t) ? EFI_BAD_BUFFER_SIZE : EFI_SUCCESS;
        char16_t *buf = NULL;
        if (err == EFI_SUCCESS)
                err = BS->AllocatePool(EfiLoaderData, units * sizeof(char16_t), (void **) &buf);
        if (err != EFI_SUCCESS) {
                /* as with no arguments: .cmdline, or none */
                log_error_status(err, "cannot take the UEFI Shell's arguments as the command line, ignored");
                return true;
        }
        size_t k = 0;
        for (size_t i = 1; i < sp->Argc; i++) {
                size_t n = sp->Argv[i] ? strnlen16(sp->Argv[i], 65536) : 0;
                if (k > 0)
                        buf[k++] = ' ';
                memcpy(buf + k, sp->Argv[i], n * sizeof(char16_t));
                k += n;
        }
        buf[k] = 0;
        *ret = buf;
        *ret_size = (uint32_t) ((k + 1) * sizeof(char16_t));
        return true;
}

void stub_cmdline_passed(EFI_HANDLE image, const EFI_LOADED_IMAGE_PROTOCOL *li, StubCmdline *c) {
        c->lo = li->LoadOptions;
        c->lo_size = li->LoadOptionsSize;
        if (shell_cmdline(image, &c->shell_buf, &c->lo_size)) {
                c->lo = c->shell_buf;
                c->from_shell = true;
                log_info("started by the UEFI Shell: command line from its arguments");
        }
}

/* A pool buffer of units characters and a NUL for the command line. */
static EFI_STATUS cmdline_alloc(StubCmdline *c, size_t units) {
        EFI_STATUS err = BS->AllocatePool(EfiLoaderData, (units + 1) * sizeof(char16_t), (void **) &c->buf);
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate command line");
        return EFI_SUCCESS;
}

EFI_STATUS stub_cmdline_choose(const EFI_LOADED_IMAGE_PROTOCOL *li, const uint8_t *embedded, size_t embedded_size,
                               bool secure_boot, StubCmdline *c, MeasuredSet *pcr12) {
        EFI_STATUS err;

        /* sd-stub 257's rule: a blank command line (only spaces and control characters) is no
         * command line; the Shell's arguments are used unless empty (cmdline.h). */
        bool lo_ok = cmdline_stub_load_options_usable(li->LoadOptions, li->LoadOptionsSize, c->lo, c->lo_size,
                                                      c->from_shell);
        /* Under Secure Boot the boot manager's command line is ignored when the UKI has its own,
         * and in a confidential VM even without one: the host is not trusted to choose it
         * (sd-stub 257, settle_command_line()). */
        bool embedded_wins = (embedded && embedded_size > 0) || confidential_vm();
        if (cmdline_prefer_load_options(secure_boot, embedded_wins, lo_ok)) {
                /* Normalised as sd-stub does (257 leaves the Shell's arguments as they are), and
                 * that exact string (UTF-16 with its NUL) is measured into PCR 12 and passed on. */
                size_t units = c->lo_size / sizeof(char16_t);
                err = cmdline_alloc(c, units);
                if (err != EFI_SUCCESS)
                        return err;
                memcpy(c->buf, c->lo, units * sizeof(char16_t));
                size_t n = c->from_shell ? strnlen16(c->buf, units) : measure_mangle_cmdline(c->buf, units);
                c->buf[n] = 0;
                c->size = (uint32_t) ((n + 1) * sizeof(char16_t));
                measured_set_add(pcr12, measure_load_options(c->buf, c->size));
        } else if (embedded) {
                if (lo_ok && secure_boot)
                        log_warning("Secure Boot: ignoring the boot manager's command line, using .cmdline");
                err = cmdline_alloc(c, embedded_size);
                if (err != EFI_SUCCESS)
                        return err;
                size_t n = cmdline_utf8_to_ucs2((const char *) embedded, embedded_size, c->buf, embedded_size + 1);
                if (n == SIZE_MAX)
                        return log_error_status(EFI_BUFFER_TOO_SMALL, "cannot convert .cmdline");
                n = measure_mangle_cmdline(c->buf, n);   /* also drops leading spaces, as sd-stub does */
                c->size = (uint32_t) ((n + 1) * sizeof(char16_t));
        }
        return EFI_SUCCESS;
}

void stub_cmdline_append_extras(StubCmdline *c, const Addons *addons, MeasuredSet *pcr12) {
        bool measured;

        /* Add-ons (addons.c): their command line after the UKI's or the boot manager's, before
         * the SMBIOS extra, as sd-stub 257 orders them. */
        if (addons_cmdline_append(addons, &c->buf, &c->size, &measured))
                measured_set_add(pcr12, measured);
        /* SMBIOS type 11 io.systemd.stub.kernel-cmdline-extra (smbios-efi.c), appended last and
         * measured on its own (PCR 12 then counts as measured only if every part was). */
        if (smbios_cmdline_extra(&c->buf, &c->size, &measured))
                measured_set_add(pcr12, measured);
}

size_t stub_cmdline_len(const StubCmdline *c) {
        return c->buf ? strnlen16(c->buf, c->size / sizeof(char16_t)) : 0;
}

void stub_cmdline_free(StubCmdline *c) {
        if (c->buf)
                BS->FreePool(c->buf);
        if (c->shell_buf)
                BS->FreePool(c->shell_buf);
        *c = (StubCmdline) {};
}
