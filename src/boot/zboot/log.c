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
        bool hold;   /* a debug line kept until log_set_debug() decides: never flushed, cut when full */
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

static bool log_quiet, log_debug_on, log_debug_known;

/* log_debug() lines from before the command line is parsed (the UKI stub measures and reads
 * its random seed first): kept here until log_set_debug() prints or drops them. */
#define LOG_HELD 4
static LineBuf held[LOG_HELD];
static size_t n_held;

void log_set_quiet(bool quiet) {
        log_quiet = quiet;
}

void log_set_debug(bool debug) {
        log_debug_on = debug;
        log_debug_known = true;
        for (size_t i = 0; debug && i < n_held; i++) {
                LineBuf *b = &held[i];
                /* a line cut when its buffer filled still ends the line */
                if (b->n >= 2 && b->buf[b->n - 1] != '\n') {
                        b->buf[b->n - 2] = '\r';
                        b->buf[b->n - 1] = '\n';
                }
                b->hold = false;
                flush(b);
        }
        n_held = 0;
}

void log_debug(const char *fmt, ...) {
        va_list ap;
        if (log_debug_known && !log_debug_on)
                return;
        va_start(ap, fmt);
        if (log_debug_known)
                vlog(fmt, ap, NULL);
        else if (n_held < LOG_HELD) {
                held[n_held] = (LineBuf) { .hold = true };
                vlog_to(&held[n_held++], fmt, ap, NULL);
        }
        va_end(ap);
}

void log_info(const char *fmt, ...) {
        va_list ap;
        if (log_quiet && !log_debug_on)
                return;
        va_start(ap, fmt);
        vlog(fmt, ap, NULL);
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
        va_start(ap, fmt);
        vlog(fmt, ap, &status);
        va_end(ap);
        return status;
}
