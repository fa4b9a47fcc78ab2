/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "addons.h"
#include "boot-secret.h"
#include "efi.h"
#include "extra-files.h"
#include "measure.h"
#include "proto/loaded-image.h"
#include "util.h"

typedef struct {
        const void *data;
        size_t size;
} InitrdPart;

/* Everything that goes into the one initrd the kernel gets, in systemd-stub 257's order
 * (initrd-list.c). The caller fills the UKI's sections (of the selected profile); the rest is
 * ours, freed by initrd_list_free(). */
typedef struct {
        /* in: the UKI's sections ({NULL, 0} when absent) */
        InitrdPart ucode, initrd, pcrsig, pcrpkey, osrel, profile;
        /* in: add-ons (addons.c; NULL: none): their .ucode go in front of everything (last
         * add-on first), their .initrd after everything, each measured into PCR 12 */
        const Addons *addons;
        /* in: the boot secret (BOOT_SECRET_SIZE bytes, boot-secret-efi.h; NULL: none), packed as
         * /.extra/boot-secret, mode 0400, after the other /.extra files */
        const uint8_t *boot_secret;
        /* in: 0, or the highest address the combined initrd may end at (native x86:
         * initrd_place_limit()); it is then built in pages there (initrd-place.h) */
        uint64_t place_below;
        /* out: the initrd for the kernel; size 0 when the UKI gives none of its own (the boot
         * manager's initrd, if any, then passes through as before) */
        const void *data;
        size_t size;
        /* out: the PCR 12 measurements that count for StubPcrKernelParameters (credentials,
         * add-ons' initrds), and whether side-loaded sysexts (PCR 13) and confexts (PCR 12)
         * were measured (StubPcrInitRDSysExts/ConfExts, set by stub-variables.c) */
        MeasuredSet params_measured;
        bool sysexts_measured, confexts_measured;
        /* what we picked up, for StubFeatures; ours to free */
        ExtraCpio extra[_EXTRA_MAX], literal[5];
        bool had_boot_secret; /* the combined initrd holds the boot secret (wiped when freed) */
        void *combined;       /* pool (place_below 0) */
        Pages pages;          /* the combined initrd below place_below */
} InitrdList;

/* Side-load the ESP's files, pack the sections that become /.extra files, and put every part
 * together (each 4-byte aligned). The boot manager's initrd (LoadFile2) goes before .initrd
 * (sd-stub 262's place), except under Secure Boot when the UKI has an .initrd, where it is left
 * out (docs/security.md). */
EFI_STATUS initrd_list_build(EFI_LOADED_IMAGE_PROTOCOL *li, bool secure_boot, InitrdList *l);
void initrd_list_free(InitrdList *l);
/* For a list whose data a LoadFile2 that could not be unregistered still serves: the boot
 * secret's copies are wiped (as initrd_list_free() does), nothing is freed. */
void initrd_list_keep(InitrdList *l);
