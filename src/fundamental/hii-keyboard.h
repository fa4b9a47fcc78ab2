/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The firmware's current keyboard layout, the pure part (docs/stub.md, LoaderKeyboardLayout):
 * systemd-stub 262 exports the language tag of the layout EFI_HII_DATABASE_PROTOCOL's
 * GetKeyboardLayout() returns as LoaderKeyboardLayout, so the OS can pick a console keymap.
 *
 * EFI_HII_KEYBOARD_LAYOUT (UEFI 2.10 section 34.8, packed, little-endian): LayoutLength (u16,
 * the whole layout), the layout's GUID, LayoutDescriptorStringOffset (u32, from the start of
 * the layout), DescriptorCount (u8), the key descriptors; at the offset an
 * EFI_DESCRIPTION_STRING_BUNDLE: DescriptionCount (u16), then for each description an RFC 4646
 * language tag, a space (U+0020) and the description with its NUL, all UTF-16 (edk2's USB
 * keyboard driver: "en-US English Keyboard"). Nothing in it is aligned.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define HII_KEYBOARD_LAYOUT_HEADER_SIZE 23u    /* up to and with DescriptorCount */
#define HII_KEYBOARD_STRING_OFFSET_AT 18u      /* LayoutDescriptorStringOffset */
#define HII_DESCRIPTION_BUNDLE_HEADER_SIZE 2u  /* DescriptionCount */

/* The language tag of the first description of a layout of len bytes, as sd-stub 262 takes it:
 * *ret_offset is the tag's offset in bytes from the layout's start, *ret_units its length in
 * UTF-16 units: up to the first space, or to a NUL before it (262's variable ends there too,
 * so it can be 0: an empty tag). False (nothing to export) when len is shorter than the header, LayoutLength is not len, the
 * string offset leaves no room for the bundle's count, the count is 0, or no space follows a
 * non-empty tag within the layout. */
bool hii_keyboard_layout_language(const void *layout, size_t len, size_t *ret_offset, size_t *ret_units);
