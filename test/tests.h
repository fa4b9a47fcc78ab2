/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Minimal unit-test helpers. A test program is a main() calling TEST(fn) for each case;
 * every ASSERT failure prints file:line and the expression, and the program exits 1 at the
 * end (so one run reports every failing case). meson test counts the program as one test.
 */
#pragma once

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tests_failed_;
static int tests_run_;

/* A whole input file (a kernel, one of our binaries) into malloc'd memory; exits on failure:
 * a missing input fails the test program. */
static inline uint8_t *test_read_file(const char *path, size_t *ret_size) {
        FILE *f = fopen(path, "rb");
        if (!f) {
                perror(path);
                exit(1);
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        uint8_t *b = n >= 0 ? malloc((size_t) n ? (size_t) n : 1) : NULL;
        if (!b || fread(b, 1, (size_t) n, f) != (size_t) n) {
                fprintf(stderr, "%s: cannot read\n", path);
                exit(1);
        }
        fclose(f);
        *ret_size = (size_t) n;
        return b;
}

#define ASSERT_TRUE(expr)                                                                  \
        do {                                                                               \
                if (!(expr)) {                                                             \
                        fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__,         \
                                __LINE__, #expr);                                          \
                        tests_failed_++;                                                   \
                        return;                                                            \
                }                                                                          \
        } while (0)

#define ASSERT_EQ(a, b)                                                                    \
        do {                                                                               \
                intmax_t a_ = (intmax_t) (a), b_ = (intmax_t) (b);                         \
                if (a_ != b_) {                                                            \
                        fprintf(stderr, "%s:%d: %s == %s failed: %jd != %jd\n", __FILE__,  \
                                __LINE__, #a, #b, a_, b_);                                 \
                        tests_failed_++;                                                   \
                        return;                                                            \
                }                                                                          \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                 \
        do {                                                                               \
                const char *a_ = (a), *b_ = (b);                                           \
                if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                   \
                        fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n",      \
                                __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)",            \
                                b_ ? b_ : "(null)");                                       \
                        tests_failed_++;                                                   \
                        return;                                                            \
                }                                                                          \
        } while (0)

#define TEST(fn)                                                                           \
        do {                                                                               \
                int before_ = tests_failed_;                                               \
                tests_run_++;                                                              \
                fn();                                                                      \
                fprintf(stderr, "%s %s\n", tests_failed_ == before_ ? "ok  " : "FAIL", #fn); \
        } while (0)

#define TESTS_END() (tests_failed_ ? (fprintf(stderr, "%d of %d failed\n", tests_failed_, tests_run_), 1) : 0)
