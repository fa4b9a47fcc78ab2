/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UKI add-ons as systemd-stub 257 takes them (addons.c, docs/stub.md "Add-ons"). */
#pragma once

#include "devicetree.h"
#include "efi.h"
#include "proto/loaded-image.h"

#define ADDONS_MAX 64u   /* per directory; more are left out (logged) */

typedef struct {
        char name[256];                  /* file name, for the measurement and the log */
        void *initrd, *ucode;            /* pool copies of the sections, NULL when absent */
        size_t initrd_size, ucode_size;
        void *dtb;                       /* pool copy of the device tree that applies, NULL: none */
        size_t dtb_size;
        bool dtb_auto;                   /* it is a .dtbauto that matched (else a .dtb) */
} AddonBlobs;

typedef struct {
        char16_t *cmdline;               /* the add-ons' .cmdline joined (pool, NULL: none) */
        size_t cmdline_len;              /* units, without the NUL */
        AddonBlobs *items;               /* pool, n entries: global add-ons, then the UKI's */
        size_t n;
        unsigned n_dtb;                  /* add-ons with a device tree that applies */
} Addons;

/* Find the add-ons (\loader\addons\*.addon.efi, then <uki>.extra.d\*.addon.efi, each directory
 * in name order), have the firmware load each one (LoadImage: under Secure Boot the firmware
 * verifies it and refuses an unsigned one; never started), take what sd-stub takes from the
 * loaded image and unload it. uname: the UKI's .uname (NULL: none), for sd-stub's check. A bad
 * add-on is logged and left out. Always returns with *ret valid (possibly empty). */
void addons_load(EFI_HANDLE image, EFI_LOADED_IMAGE_PROTOCOL *li, const uint8_t *uname, size_t uname_size,
                 Addons *ret);
void addons_free(Addons *a);

/* Append the add-ons' command line to the command line (*buf of *size bytes with its NUL, pool,
 * NULL for none) with one space, after measuring it into PCR 12 as one EV_IPL event (UTF-16
 * with its NUL), as sd-stub 257 does. True if something was appended; *measured then says if
 * the measurement was taken. */
bool addons_cmdline_append(const Addons *a, char16_t **buf, uint32_t *size, bool *measured);

/* Measure the .ucode add-ons (in reverse order, as sd-stub puts them into the initrd) and then
 * the .initrd add-ons into PCR 12 (EV_EVENT_TAG, the file name as description). Returns -1 if
 * there were none, else whether every measurement was taken. */
int addons_measure_initrds(const Addons *a);

/* After the UKI's own device tree (devicetree_install_choice): each add-on's device tree in
 * order (global, then the UKI's), each replacing the one before as sd-stub 257 does, and measured
 * into PCR 12 (EV_EVENT_TAG 0x6c46f751, the file name) once installed. A failed install is
 * logged and skipped. Returns -1 if nothing was measured, else whether every measurement was
 * taken. */
int addons_install_devicetrees(const Addons *a, DtState *st);
