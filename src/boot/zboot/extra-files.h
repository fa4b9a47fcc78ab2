/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "efi.h"
#include "proto/loaded-image.h"

/* The files systemd-stub side-loads from the ESP (257, and the global extensions of 258), each
 * kind packed as one cpio initrd under /.extra/ (extra-files.c has the table: directory,
 * suffix, target, modes, PCR). In sd-stub's order, which is also the order they are measured
 * and placed in the initrd. */
typedef enum {
        EXTRA_CREDENTIALS,         /* <uki>.extra.d: *.cred       -> /.extra/credentials/ */
        EXTRA_GLOBAL_CREDENTIALS,  /* \loader\credentials: *.cred -> /.extra/global_credentials/ */
        EXTRA_SYSEXT,              /* <uki>.extra.d: *.raw, not *.confext.raw -> /.extra/sysext/ */
        EXTRA_GLOBAL_SYSEXT,       /* \loader\extensions: likewise -> /.extra/global_sysext/ (258) */
        EXTRA_CONFEXT,             /* <uki>.extra.d: *.confext.raw -> /.extra/confext/ */
        EXTRA_GLOBAL_CONFEXT,      /* \loader\extensions: *.confext.raw -> /.extra/global_confext/ (258) */
        _EXTRA_MAX,
} ExtraKind;

/* A cpio archive in pool memory (the caller frees data), or {NULL, 0} for none. */
typedef struct {
        void *data;
        size_t size;
} ExtraCpio;

/* Read the files of `kind` from the volume we were loaded from, in name order, pack them and
 * measure the archive as sd-stub does. *ret = {} when there are none (no directory, no
 * matching file, no file system). *ret_measured: -1 when nothing was measured because there was
 * nothing, else whether the TPM/CC protocol took the measurement. Errors reading the directory
 * are logged and give no archive, as in sd-stub (a file that cannot be read is left out). */
void extra_files_pack(EFI_LOADED_IMAGE_PROTOCOL *li, ExtraKind kind, ExtraCpio *ret, int *ret_measured);

/* The PCR each kind is measured into (12 or 13). */
uint32_t extra_files_pcr(ExtraKind kind);

/* One file /.extra/<name> (mode 0444, /.extra 0555) holding data: what sd-stub makes of
 * .pcrsig, .pcrpkey, .osrel and .profile. Not measured (sd-stub measures none of these cpios).
 * *ret = {} on failure (logged). */
void extra_literal_pack(const void *data, size_t size, const char *name, ExtraCpio *ret);
/* The same with the file's mode (0400: the boot secret, sd-stub 262). */
void extra_literal_pack_mode(const void *data, size_t size, const char *name, uint32_t mode, ExtraCpio *ret);

/* The names (ASCII, sorted) of the files in dir (NULL: <uki>.extra.d) that match suffix with
 * the same name rules, at most max (pool array in *ret, NULL when none). *ret_dir gets the
 * directory's path (dir_cap units with the NUL). No directory or no file system: none. */
typedef struct {
        char name[256];
} ExtraName;
EFI_STATUS extra_list_names(EFI_LOADED_IMAGE_PROTOCOL *li, const char16_t *dir, const char *suffix, size_t max,
                            ExtraName **ret, size_t *ret_n, char16_t *ret_dir, size_t dir_cap);
