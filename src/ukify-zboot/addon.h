/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `build` without --linux: a PE add-on, as ukify 257 makes one (addon.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pe.h"

typedef struct {
        const char *output, *stub, *efi_arch;
        const char *osrel, *cmdline, *dtb, *uname, *microcode;
        const char *const *initrds;
        size_t n_initrd;
        const char *const *extra;     /* "NAME:TEXT|@FILE" */
        size_t n_extra;
        const char *const *sbats;
        size_t n_sbat;
        const char *sb_key, *sb_cert;
        const char *const *dtbautos;  /* --devicetree-auto */
        size_t n_dtbauto;
        const char *hwids_dir;        /* --hwids */
} AddonArgs;

/* Build the add-on: the sections in ukify 257's order (.osrel .cmdline .dtb .dtbauto .hwids .uname .initrd
 * .ucode, the --section ones, .sbat: the --sbat entries or ukify's "uki-addon" default) appended
 * to --stub (e.g. systemd's addon<arch>.efi.stub, its .sbat replaced) or, without --stub, to a
 * PE with no code of our own (an add-on is loaded by the firmware for its signature check,
 * never started). Signed like a UKI with --secureboot-private-key/--secureboot-certificate.
 * Returns the exit status. */
int addon_main(const AddonArgs *a);

/* inspect: a PE without .linux that has sections the stub takes from add-ons is listed as one. */
void addon_inspect(const PeView *f, bool json);
