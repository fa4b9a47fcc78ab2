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
