/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading UEFI device paths as the UKI stub reports them to userspace (StubDevicePartUUID,
 * LoaderDevicePartUUID, StubImageIdentifier, StubDeviceURL). A device path is a list of nodes: u8 Type,
 * u8 SubType, u16 Length (little-endian, header included), node data; the End node (Type 0x7f)
 * closes it. The walkers take (pointer, length): a node whose length is below the 4-byte header
 * or runs past what is left stops the walk with a failure. The EFI side passes a fixed bound
 * (firmware memory, no length known); the fuzzer passes the input's size. Nodes may be unaligned.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEVICE_PATH_UUID_LEN 36 /* "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" without the NUL */

/* The GPT partition GUID of the first hard drive media node (Type 4, SubType 1) as uppercase
 * text with its NUL in out[37] (the first three fields little-endian, as GUIDs are stored).
 * False if the path ends without one, the node is shorter than 42 bytes is skipped, a node's
 * length is bad, or the first such node's signature is not a GUID (an MBR partition). */
bool device_path_partition_uuid(const void *dp, size_t max, uint16_t out[DEVICE_PATH_UUID_LEN + 1]);

/* The length in bytes of the path up to its last hard drive media node (the disk the partition
 * is on): two partitions of one disk have equal prefixes. 0 when there is no such node, or a
 * node's length is bad, or the path does not end with an End node within max. */
size_t device_path_disk_prefix(const void *dp, size_t max);

/* The text of the file path nodes (Type 4, SubType 4), joined with one '\' where neither side
 * has one ("\EFI\Linux\uki.efi"), NUL-terminated in out[cap]. Each node's text ends at its
 * first NUL or at the node's end. Returns the number of units without the NUL, 0 when there is
 * no text, a node's length is bad or the text needs more than cap units with its NUL. */
size_t device_path_file_text(const void *dp, size_t max, uint16_t *out, size_t cap);

/* The URL of the first URI node (Type 3, SubType 24: an HTTP boot's device path ends with one)
 * for StubDeviceURL: the node's bytes up to their first NUL or the node's end (262 reads a
 * node without a NUL up to 4 bytes past its end; edk2's nodes have one), decoded from UTF-8
 * with 262's rules (an invalid or cut-off sequence is skipped, a code point beyond U+FFFF or a
 * surrogate dropped, a decoded NUL ending it), NUL-terminated in out[cap]. Returns the number
 * of units without the NUL; 0 when the path has no URI node before its end or a bad node (or
 * one past max: the EFI side reads at most 4096 bytes), the first URI node has no text (262
 * then sets an empty variable, we none), or the text needs more than cap units with its NUL
 * (out[0] is then 0 when cap > 0). */
size_t device_path_uri_text(const void *dp, size_t max, uint16_t *out, size_t cap);
