/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Names for the files the UKI stub side-loads from the ESP (credentials, system and
 * configuration extensions), with systemd-stub 257's rules: the per-UKI directory is the UKI's
 * own path with ".extra.d" appended (a boot counter "+LEFT[-DONE]" removed first), and a file
 * is taken when its name matches a suffix (case-insensitively), does not start with '.', is
 * ASCII and has at most 255 characters. The names become cpio names under /.extra/: we also
 * refuse '/', '\' and control characters, which no FAT name holds but a file system driver
 * could hand us (a '/' would place the file outside its directory).
 *
 * Pure, on UCS-2 as the firmware gives it (pointer and length in units; a NUL ends early).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXTRA_NAME_MAX 255   /* Linux's longest file name */

/* The name as ASCII (NUL-terminated, cap >= EXTRA_NAME_MAX + 1 always suffices): its length,
 * or 0 if the name is not one we pack. */
size_t extra_name_ascii(const uint16_t *name, size_t len, char *out, size_t cap);

/* Does the name end in `suffix` (ASCII, case-insensitively) and, with exclude non-NULL, not in
 * `exclude`? (sd-stub takes "*.raw" but not "*.confext.raw" as system extensions.) */
bool extra_name_match(const uint16_t *name, size_t len, const char *suffix, const char *exclude);

/* The per-UKI drop-in directory for the UKI at `path` (the text of its file path: '\' or '/'
 * separated): '/' becomes '\', runs of '\' become one, a boot counter "+N" or "+N-M" right
 * before the first '.' after the first '+' (or at the end) is removed, ".extra.d" is appended.
 * Writes at most cap units with the NUL; returns the units without the NUL, or 0 if it does not
 * fit or the path is empty. */
size_t extra_dir_name(const uint16_t *path, size_t len, uint16_t *out, size_t cap);

/* The same from the UKI's own FilePath device path (at most max bytes): only when every node
 * before the End node is a file path node (Type 4, SubType 4), as systemd-stub 257 requires;
 * the nodes' texts (each up to its NUL or the node's end) are joined with '\'. 0 when there is
 * none (no node, another node type, a bad node length, or it does not fit). */
size_t extra_dir_from_device_path(const void *dp, size_t max, uint16_t *out, size_t cap);
