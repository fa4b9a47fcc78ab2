/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel command line, parsed once per boot into what the loader itself acts on
 * (BootOptions), with the rules the kernel's own EFI stub applies to the same string, so that
 * we decide exactly as the stub we stand in for (or start) would:
 *
 *   - Flags (nokaslr, no5lvl, noinitrd, quiet) as the stub's option parser reads them: the UTF-16
 *     command line converted to UTF-8 as the kernel converts it (utf16_to_kernel_utf8() below),
 *     of which at most BOOT_OPTIONS_SCAN_MAX bytes are looked at (COMMAND_LINE_SIZE - 1), split
 *     into words at white space (the kernel's isspace(): \t \n \v \f \r, space, and the byte
 *     0xa0) except inside double quotes; a word opening with '"' has that quote and a closing
 *     one at its end dropped; the option's name is the word up to its first '=' (so
 *     "nokaslr=1" counts as nokaslr); a bare "--" ends the kernel's options, what follows is
 *     for init and is not looked at.
 *   - initrd= as the stub's file loader finds it, independently of the above: every
 *     "initrd=" in the UTF-16 string (also inside quotes and after "--"), the path after it with
 *     leading '/' and '\' skipped, up to a NUL, '\n' or space. We stop at the length given
 *     (callers pass the string up to its NUL); an empty path is not a file and is skipped.
 *
 * Pure: no allocation, every index checked against the length given.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel's EFI stub looks at this many bytes of the UTF-8 command line (x86 and arm64
 * COMMAND_LINE_SIZE 2048, minus the NUL). */
#define BOOT_OPTIONS_SCAN_MAX 2047u

/* initrd= words we keep (the EFI side refuses a command line with more). */
#define BOOT_OPTIONS_INITRD_MAX 16u

/* The kernel's stub reads file names of at most this many UTF-16 units (MAX_FILENAME_SIZE 256
 * with the NUL); a longer initrd= path is refused (the kernel would cut it). */
#define BOOT_OPTIONS_PATH_MAX 255u

typedef struct {
        uint32_t offset;   /* units (UTF-16) or bytes (UTF-8) into the parsed string */
        uint32_t len;
} BootOptionsRange;

typedef struct {
        bool nokaslr;    /* no physical or virtual randomization */
        bool no5lvl;     /* x86: stay in 4-level paging */
        bool noinitrd;   /* no initrd at all, from any source */
        bool quiet;      /* "quiet": only errors on the console, as the kernel's EFI stub */
        bool zboot_bench; /* "zboot.bench[=...]": our own option, log the boot's phase and memory lines */
        bool zboot_bench_memcpy; /* "zboot.bench=memcpy": also time the memcpy reference (bench.h) */
        bool zboot_debug; /* "zboot.debug": our own option, also log the lines of detail (log_debug()) */
        size_t n_initrd; /* initrd= paths found (may exceed BOOT_OPTIONS_INITRD_MAX) */
        BootOptionsRange initrd[BOOT_OPTIONS_INITRD_MAX];   /* the first ones, in order */
} BootOptions;

/* Parse a UTF-16 command line of len units (it may end earlier at a NUL; NULL/0 is an empty
 * one) into *ret. Never fails: what is not understood is ignored, as by the kernel. */
void boot_options_parse_utf16(const uint16_t *s, size_t len, BootOptions *ret);

/* The same for a UTF-8 command line (the CLI's kexec: --cmdline or /proc/cmdline); initrd=
 * ranges are then in bytes. */
void boot_options_parse_utf8(const char *s, size_t len, BootOptions *ret);

/* The i-th initrd= path of the UTF-16 string s (len units) that o was parsed from, with '/'
 * turned into '\', NUL-terminated in path[path_cap]. False if i is out of range or the path
 * needs more than path_cap units with its NUL. */
bool boot_options_initrd_path(const BootOptions *o, size_t i, const uint16_t *s, size_t len, uint16_t *path,
                              size_t path_cap);

/* UTF-16 → UTF-8 as the kernel's EFI stub converts LoadOptions for the x86 cmd_line_ptr
 * (efi_convert_cmdline): it ends at a NUL or '\n' (or after n units); a surrogate pair becomes
 * one 4-byte sequence, any other surrogate U+FFFD, except that a high surrogate in the very
 * last unit (n - 1) is dropped. Writes the NUL-terminated result into out[cap]; returns its
 * length without the NUL, or SIZE_MAX if it does not fit (n * 3 + 1 bytes always suffice). */
size_t utf16_to_kernel_utf8(const uint16_t *in, size_t n, char *out, size_t cap);
