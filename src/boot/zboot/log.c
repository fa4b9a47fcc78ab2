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

typedef struct {
        char16_t buf[256];
        size_t n;
        bool hold;   /* a line to be held (vlog_level()): never flushed, cut when full */
} LineBuf;

static void flush(LineBuf *b) {
        if (b->n == 0 || b->hold)
                return;
        b->buf[b->n] = 0;
        if (ST && ST->ConOut)
                ST->ConOut->OutputString(ST->ConOut, b->buf);
        b->n = 0;
}

static void put(LineBuf *b, char c) {
        if (c == '\n')
                put(b, '\r');
        if (b->n + 1 >= sizeof(b->buf) / sizeof(b->buf[0])) {
                if (b->hold)
                        return;
                flush(b);
        }
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
        put(&b, '\n');
        flush(&b);
        *bp = b;
}

static void vlog(const char *fmt, va_list ap, const EFI_STATUS *status) {
        LineBuf b = {};
        vlog_to(&b, fmt, ap, status);
}

typedef enum {
        LEVEL_DEBUG = 1,   /* nonzero: the level byte starts a held line */
        LEVEL_INFO,
        LEVEL_WARNING,
        LEVEL_PRINTED,     /* a held warning an error printed early */
} Level;

static bool log_quiet, log_debug_on, log_decided, log_info_detail;

/* Lines from before the command line is parsed (log.h): each a level byte, its ASCII text with
 * "\r\n", a NUL; kept until log_set_debug() prints or drops them. Dropped when full. */
static char held[4096];
static size_t held_n;

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

/* Print the held lines the settings show. Not final (an error before the decision): only the
 * warnings, marked printed; the rest stay held for log_set_debug(). */
static void release_held(bool final) {
        for (size_t i = 0; i < held_n;) {
                LineBuf b = { .n = 0 };
                size_t at = i;
                Level level = (Level) held[i++];
                for (; held[i]; i++)
                        b.buf[b.n++] = (char16_t) (uint8_t) held[i];
                i++;
                if (shown(level) && (final || level == LEVEL_WARNING)) {
                        flush(&b);
                        held[at] = (char) LEVEL_PRINTED;
                }
        }
        if (final)
                held_n = 0;
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
        LineBuf b = { .hold = true };
        vlog_to(&b, fmt, ap, NULL);
        /* a line cut when its buffer filled still ends the line */
        if (b.n >= 2 && b.buf[b.n - 1] != '\n') {
                b.buf[b.n - 2] = '\r';
                b.buf[b.n - 1] = '\n';
        }
        if (held_n + b.n + 2 > sizeof(held))
                return;
        held[held_n++] = (char) level;
        for (size_t i = 0; i < b.n; i++)
                held[held_n++] = (char) b.buf[i];
        held[held_n++] = 0;
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
