/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Console output through ConOut. Firmware consoles take UCS-2 and translate "\n" literally,
 * so we convert ASCII to UCS-2 and emit "\r\n". Formatting is a small subset of printf,
 * enough for addresses, sizes and status codes.
 */
#include <stdarg.h>

#include "log.h"
#include "proto/simple-text-io.h"

static const char *log_program; /* NULL until log_init(): no pointer initialiser, no relocation */

void log_init(const char *program) {
        log_program = program;
}

/* A line on its way out: to the console in pieces of up to 255 units (a longer line is
 * flushed as it fills, so nothing is cut), or, with text set, as ASCII into text[0..cap) for a
 * held line (len counts every character, also those that did not fit: len > cap = too long). */
typedef struct {
        char16_t buf[256];
        size_t n;
        char *text;
        size_t cap, len;
} LineBuf;

static void flush(LineBuf *b) {
        if (b->n == 0 || b->text)
                return;
        b->buf[b->n] = 0;
        if (ST && ST->ConOut && !efi_boot_services_gone)   /* efi.h: no console then */
                ST->ConOut->OutputString(ST->ConOut, b->buf);
        b->n = 0;
}

static void put(LineBuf *b, char c) {
        if (b->text) {
                if (b->len < b->cap)
                        b->text[b->len] = c;
                b->len++;
                return;
        }
        if (c == '\n')
                put(b, '\r');
        if (b->n + 1 >= sizeof(b->buf) / sizeof(b->buf[0]))
                flush(b);
        b->buf[b->n++] = (char16_t) (uint8_t) c;
}

static void puts_(LineBuf *b, const char *s) {
        for (; s && *s; s++)
                put(b, *s);
}

static void putnum(LineBuf *b, uint64_t v, unsigned base) {
        char tmp[24];
        int i = 0;
        do {
                tmp[i++] = "0123456789abcdef"[v % base];
                v /= base;
        } while (v);
        while (i)
                put(b, tmp[--i]);
}

const char *efi_status_str(EFI_STATUS s) {
        switch (s) {
        case EFI_SUCCESS: return "success";
        case EFI_LOAD_ERROR: return "load error";
        case EFI_INVALID_PARAMETER: return "invalid parameter";
        case EFI_UNSUPPORTED: return "unsupported";
        case EFI_BAD_BUFFER_SIZE: return "bad buffer size";
        case EFI_BUFFER_TOO_SMALL: return "buffer too small";
        case EFI_OUT_OF_RESOURCES: return "out of resources";
        case EFI_VOLUME_CORRUPTED: return "volume corrupted";
        case EFI_NOT_FOUND: return "not found";
        case EFI_ACCESS_DENIED: return "access denied";
        case EFI_SECURITY_VIOLATION: return "security violation";
        case EFI_COMPROMISED_DATA: return "compromised data";
        case EFI_CRC_ERROR: return "CRC error";
        default: return NULL;
        }
}

/* The line without its end: vlog() ends and flushes it, a held line gets its end when released. */
static void vlog_to(LineBuf *bp, const char *fmt, va_list ap, const EFI_STATUS *status) {
        LineBuf b = *bp;
        puts_(&b, log_program ? log_program : "zboot");
        puts_(&b, ": ");
        for (const char *p = fmt; *p; p++) {
                if (*p != '%') {
                        put(&b, *p);
                        continue;
                }
                p++;
                int longs = 0;
                while (*p == 'l')
                        longs++, p++;
                switch (*p) {
                case 's':
                        puts_(&b, va_arg(ap, const char *));
                        break;
                case 'u':
                        putnum(&b, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10);
                        break;
                case 'x':
                        putnum(&b, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16);
                        break;
                case 'p':
                        puts_(&b, "0x");
                        putnum(&b, (uintptr_t) va_arg(ap, void *), 16);
                        break;
                case '%':
                        put(&b, '%');
                        break;
                default:
                        put(&b, '?');
                        break;
                }
        }
        if (status) {
                puts_(&b, ": ");
                const char *str = efi_status_str(*status);
                if (str)
                        puts_(&b, str);
                else {
                        puts_(&b, "status 0x");
                        putnum(&b, *status, 16);
                }
        }
        *bp = b;
}

static void vlog(const char *fmt, va_list ap, const EFI_STATUS *status) {
        LineBuf b = {};
        vlog_to(&b, fmt, ap, status);
        put(&b, '\n');
        flush(&b);
}

typedef enum {
        LEVEL_DEBUG = 1,   /* nonzero: the level byte starts a held line */
        LEVEL_INFO,
        LEVEL_WARNING,
        LEVEL_PRINTED,     /* a held warning an error printed early */
} Level;

static bool log_quiet, log_debug_on, log_decided, log_info_detail;

/* Lines from before the command line is parsed (log.h): each a level byte, its whole ASCII
 * text (no line end), a NUL; kept until log_set_debug() prints or drops them. When full, a
 * warning makes room by dropping the held info and debug lines (counted in held_dropped,
 * reported with zboot.debug), else it prints the held warnings and itself at once: a warning is
 * never lost. An info or debug line that does not fit is dropped and counted. */
static char held[4096];
static size_t held_n, held_dropped;

void log_set_quiet(bool quiet) {
        log_quiet = quiet;
}

void log_set_info_detail(bool detail) {
        log_info_detail = detail;
}

/* Before the decision neither quiet nor debug is known: only warnings pass (an error's). */
static bool shown(Level level) {
        switch (level) {
        case LEVEL_DEBUG:
                return log_debug_on;
        case LEVEL_INFO:
                return log_debug_on || (!log_info_detail && !log_quiet);
        case LEVEL_WARNING:
                return log_debug_on || !log_quiet;
        default:
                return false;
        }
}

/* The entry at i: its level byte, text up to its NUL (never past held_n); returns the next. */
static size_t held_next(size_t i) {
        for (i++; i < held_n && held[i]; i++)
                ;
        return i + 1;
}

/* Print the held lines the settings show, each through the console LineBuf in pieces (uncut).
 * Not final (an error before the decision, a warning with no room): only the warnings, marked
 * printed; the rest stay held for log_set_debug(). */
static void release_held(bool final) {
        for (size_t i = 0; i < held_n;) {
                size_t next = held_next(i);
                Level level = (Level) held[i];
                if (shown(level) && (final || level == LEVEL_WARNING)) {
                        LineBuf b = {};
                        for (size_t k = i + 1; k < next - 1 && k < held_n; k++)
                                put(&b, held[k]);
                        put(&b, '\n');
                        flush(&b);
                        held[i] = (char) LEVEL_PRINTED;
                }
                i = next;
        }
        if (!final)
                return;
        size_t dropped = held_dropped;
        held_n = held_dropped = 0;
        if (dropped && log_debug_on)   /* decided by now: log_notice() prints at once */
                log_notice("%lu held lines dropped (no room before the command line was parsed)", (uint64_t) dropped);
}

/* Drop the held info and debug lines (counted) and the warnings printed already; keep the
 * other warnings in order. */
static void drop_held_detail(void) {
        size_t out = 0;
        for (size_t i = 0; i < held_n;) {
                size_t next = held_next(i);
                Level level = (Level) held[i];
                if (level == LEVEL_WARNING) {
                        for (size_t k = i; k < next && k < held_n; k++)
                                held[out++] = held[k];
                } else if (level != LEVEL_PRINTED)
                        held_dropped++;
                i = next;
        }
        held_n = out;
}

/* Format the line into the free end of held[]; keep it if it fits whole. */
static bool hold_line(Level level, const char *fmt, va_list ap) {
        if (held_n + 2 > sizeof(held))
                return false;
        LineBuf b = { .text = held + held_n + 1, .cap = sizeof(held) - held_n - 2 };
        vlog_to(&b, fmt, ap, NULL);
        if (b.len > b.cap)
                return false;
        held[held_n] = (char) level;
        held[held_n + 1 + b.len] = 0;
        held_n += b.len + 2;
        return true;
}

void log_set_debug(bool debug) {
        log_debug_on = debug;
        log_decided = true;
        release_held(true);
}

static void vlog_level(Level level, const char *fmt, va_list ap) {
        /* Held only where the decision is pending: debug lines, and in the UKI stub (its info
         * and warnings wait for "quiet" too); vmlinuz.efi and the test drivers print at once. */
        if (!log_decided && !log_info_detail && level != LEVEL_DEBUG) {
                vlog(fmt, ap, NULL);
                return;
        }
        if (log_decided) {
                if (shown(level))
                        vlog(fmt, ap, NULL);
                return;
        }
        va_list aq;
        va_copy(aq, ap);
        bool kept = hold_line(level, fmt, aq);
        va_end(aq);
        if (kept)
                return;
        if (level != LEVEL_WARNING) {
                held_dropped++;
                return;
        }
        drop_held_detail();
        va_copy(aq, ap);
        kept = hold_line(level, fmt, aq);
        va_end(aq);
        if (kept)
                return;
        release_held(false);   /* the held warnings first, in order, then this one */
        drop_held_detail();
        vlog(fmt, ap, NULL);
}

void log_debug(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog_level(LEVEL_DEBUG, fmt, ap);
        va_end(ap);
}

void log_info(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog_level(LEVEL_INFO, fmt, ap);
        va_end(ap);
}

void log_warning(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog_level(LEVEL_WARNING, fmt, ap);
        va_end(ap);
}

void log_notice(const char *fmt, ...) {
        va_list ap;
        if (!log_decided)
                release_held(false);   /* e.g. "returning to the boot manager": the warnings before it */
        va_start(ap, fmt);
        vlog(fmt, ap, NULL);
        va_end(ap);
}

EFI_STATUS log_error_status(EFI_STATUS status, const char *fmt, ...) {
        va_list ap;
        if (!log_decided)
                release_held(false);   /* the warnings that led here, before the error */
        va_start(ap, fmt);
        vlog(fmt, ap, &status);
        va_end(ap);
        return status;
}
