/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure half of `ukify-zboot kexec` on x86_64 (src/ukify-zboot/kexec.c): the running
 * system's memory map as e820 entries (from /sys/firmware/memmap's per-entry text files or
 * from /proc/iomem), a hole finder for the kexec segments, and a key=value reader for
 * /sys/firmware/efi/systab. Every function takes (pointer, length) and checks every offset.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86-boot.h"

/* The e820 type for a /sys/firmware/memmap "type" text or a top-level /proc/iomem name
 * ("System RAM", "Reserved", "ACPI Tables", "ACPI Non-volatile Storage", "Unusable memory",
 * "Persistent Memory (legacy)", "Soft Reserved"; a trailing newline is ignored); 0 when unknown. */
uint32_t x86_e820_type_from_name(const char *s, size_t len);

/* A hexadecimal number with or without "0x", optionally followed by whitespace/newline. */
bool x86_parse_hex(const char *s, size_t len, uint64_t *ret);

/* One /sys/firmware/memmap/N entry (its start, end — inclusive — and type files) as an e820
 * entry (E820_ENTRY_SIZE bytes). Unknown types become E820_RESERVED; false when a number is
 * malformed or end < start. */
bool x86_memmap_entry(const char *start, size_t start_len, const char *end, size_t end_len, const char *type,
                      size_t type_len, uint8_t out[E820_ENTRY_SIZE]);

/* The top-level (unindented) lines of /proc/iomem ("00100000-7ffdffff : System RAM") whose
 * name is a memory type (x86_e820_type_from_name() != 0), as e820 entries. Writes at most cap
 * entries and returns how many the text has; malformed lines are skipped. */
size_t x86_e820_from_iomem(const char *text, size_t len, uint8_t *out, size_t cap);

/* Sort n e820 entries by start address (in place). */
void x86_e820_sort(uint8_t *e820, size_t n);

typedef struct {
        uint64_t start, size;
} X86Range;

/* Where to put size bytes aligned to align (a power of two) inside a RAM (E820_RAM) entry of
 * the n-entry table, within [min, max), overlapping none of the used ranges: the lowest such
 * address, or the highest with top_down. False when there is none. */
bool x86_kexec_find_hole(const uint8_t *e820, size_t n, const X86Range *used, size_t n_used, uint64_t size,
                         uint64_t align, uint64_t min, uint64_t max, bool top_down, uint64_t *ret);

/* The value of a "KEY=0x..." line of /sys/firmware/efi/systab (e.g. "ACPI20"); false when absent. */
bool x86_systab_value(const char *text, size_t len, const char *key, uint64_t *ret);
