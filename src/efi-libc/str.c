/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The few NUL-terminated string helpers the core uses (compression names, section names). */
#include <stdint.h>
#include <string.h>

size_t strlen(const char *s) {
        size_t n = 0;
        while (s[n])
                n++;
        return n;
}

size_t strnlen(const char *s, size_t max) {
        size_t n = 0;
        while (n < max && s[n])
                n++;
        return n;
}

int strncmp(const char *a, const char *b, size_t n) {
        for (; n > 0; n--, a++, b++) {
                if (*a != *b)
                        return (unsigned char) *a < (unsigned char) *b ? -1 : 1;
                if (*a == '\0')
                        return 0;
        }
        return 0;
}

int strcmp(const char *a, const char *b) {
        return strncmp(a, b, SIZE_MAX);
}
