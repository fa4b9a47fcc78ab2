/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The EFI console log (src/boot/zboot/log.c) on the host, with a fake ConOut that records what
 * reaches it: lines held before the command line is parsed (the UKI stub), released by
 * log_set_debug() as the settings ask, uncut, in pieces of at most 255 units; warnings never
 * lost when the held buffer is full; the dropped detail lines counted. */
#include "tests.h"

#include "../../src/boot/zboot/log.c"

EFI_SYSTEM_TABLE *ST;
bool efi_boot_services_gone;

static char out[1 << 17];
static size_t out_n, pieces, longest_piece;

static EFI_STATUS EFIAPI fake_output(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *this, const char16_t *s) {
        (void) this;
        size_t n = 0;
        for (; s[n]; n++)
                if (out_n + 1 < sizeof(out))
                        out[out_n++] = s[n] < 0x80 ? (char) s[n] : '?';
        out[out_n] = 0;
        pieces++;
        if (n > longest_piece)
                longest_piece = n;
        return EFI_SUCCESS;
}

static EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL con = { .OutputString = fake_output };
static EFI_SYSTEM_TABLE st = { .ConOut = &con };

/* A fresh log as the UKI stub sets it up at entry (info_detail: info and warnings held too). */
static void reset(bool info_detail) {
        ST = &st;
        efi_boot_services_gone = false;
        out_n = pieces = longest_piece = 0;
        out[0] = 0;
        log_quiet = log_debug_on = log_decided = log_info_detail = false;
        held_n = held_dropped = 0;
        log_init("zboot-stub");
        log_set_info_detail(info_detail);
}

static size_t count(const char *needle) {
        size_t c = 0;
        for (const char *p = out; (p = strstr(p, needle)); p += strlen(needle))
                c++;
        return c;
}

static void test_held_until_decided(void) {
        reset(true);
        log_info("placed %u", 1u);
        log_warning("ignored %s", "x");
        log_debug("detail");
        ASSERT_EQ(out_n, 0);
        log_set_quiet(false);
        log_set_debug(true);
        ASSERT_TRUE(strcmp(out, "zboot-stub: placed 1\r\nzboot-stub: ignored x\r\nzboot-stub: detail\r\n") == 0);
        log_info("after");   /* decided: printed at once */
        ASSERT_EQ(count("zboot-stub: after\r\n"), 1);

        reset(true);
        log_info("placed");
        log_warning("ignored");
        log_debug("detail");
        log_set_quiet(false);
        log_set_debug(false);
        ASSERT_TRUE(strcmp(out, "zboot-stub: ignored\r\n") == 0);   /* the UKI stub's default: warnings */

        reset(true);
        log_warning("ignored");
        log_set_quiet(true);
        log_set_debug(false);
        ASSERT_EQ(out_n, 0);
}

/* vmlinuz.efi and the test drivers (no info_detail): info and warnings at once, debug held */
static void test_not_held_without_detail(void) {
        reset(false);
        log_info("now");
        log_debug("later");
        ASSERT_TRUE(strcmp(out, "zboot-stub: now\r\n") == 0);
        log_set_debug(true);
        ASSERT_TRUE(strcmp(out, "zboot-stub: now\r\nzboot-stub: later\r\n") == 0);
}

/* A held line longer than the console buffer is kept whole and printed in pieces */
static void test_long_line_uncut(void) {
        static char arg[1001];
        memset(arg, 'a', 1000);
        arg[999] = 'z';
        reset(true);
        log_warning("long %s end", arg);
        log_set_debug(true);
        ASSERT_EQ(out_n, strlen("zboot-stub: long ") + 1000 + strlen(" end\r\n"));
        ASSERT_TRUE(strstr(out, "az end\r\n") != NULL);
        ASSERT_TRUE(pieces >= 4);
        ASSERT_TRUE(longest_piece <= 255);
}

/* Info lines fill the buffer; later warnings evict them and are all printed, the dropped lines
 * are counted and reported with zboot.debug */
static void test_full_warnings_kept(void) {
        reset(true);
        for (unsigned i = 0; i < 200; i++)
                log_info("info line number %u with some padding text", i);
        for (unsigned i = 0; i < 10; i++)
                log_warning("warning %u", i);
        ASSERT_EQ(out_n, 0);
        log_set_debug(true);
        ASSERT_EQ(count("zboot-stub: warning "), 10);
        ASSERT_TRUE(strstr(out, "zboot-stub: warning 9\r\n") != NULL);
        size_t infos = count("zboot-stub: info line");
        char msg[96];
        snprintf(msg, sizeof(msg), "zboot-stub: %zu held lines dropped", 200 - infos);
        ASSERT_TRUE(infos < 200);
        ASSERT_TRUE(strstr(out, msg) != NULL);

        /* without zboot.debug: the warnings, no count */
        reset(true);
        for (unsigned i = 0; i < 200; i++)
                log_info("info line number %u with some padding text", i);
        log_warning("the warning");
        log_set_debug(false);
        ASSERT_TRUE(strcmp(out, "zboot-stub: the warning\r\n") == 0);
}

/* More warnings than the buffer holds: each printed exactly once, in order */
static void test_warnings_overflow(void) {
        reset(true);
        for (unsigned i = 0; i < 300; i++)
                log_warning("warning %u padded to make it a fairly long line of text", i);
        log_set_quiet(false);
        log_set_debug(false);
        ASSERT_EQ(count("zboot-stub: warning "), 300);
        char cur[64];
        const char *p = out;
        for (unsigned i = 0; i < 300; i++) {
                snprintf(cur, sizeof(cur), "zboot-stub: warning %u padded", i);
                const char *q = strstr(p, cur);
                ASSERT_TRUE(q != NULL);   /* in order: found after the previous one */
                p = q + 1;
        }
}

/* An error before the decision prints the held warnings first, which are not repeated later;
 * info lines stay held for log_set_debug() */
static void test_early_error(void) {
        reset(true);
        log_info("info");
        log_warning("addon ignored");
        ASSERT_EQ(log_error_status(EFI_LOAD_ERROR, "bad %s", "thing"), EFI_LOAD_ERROR);
        ASSERT_TRUE(strcmp(out, "zboot-stub: addon ignored\r\nzboot-stub: bad thing: load error\r\n") == 0);
        log_set_debug(true);
        ASSERT_EQ(count("addon ignored"), 1);
        ASSERT_EQ(count("zboot-stub: info\r\n"), 1);
}

/* A notice before the decision (the entry returning to the boot manager after a failure that
 * did not go through log_error_status()) prints the held warnings first, too */
static void test_early_notice(void) {
        reset(true);
        log_info("info");
        log_warning("addon ignored");
        log_notice("returning to the boot manager");
        ASSERT_TRUE(strcmp(out, "zboot-stub: addon ignored\r\nzboot-stub: returning to the boot manager\r\n") == 0);
        log_set_debug(false);
        ASSERT_EQ(count("addon ignored"), 1);
        ASSERT_EQ(count("zboot-stub: info"), 0);
}

/* After ExitBootServices was called (x86-exit.c), even a failed one: nothing reaches the
 * console, errors and the held lines included (efi.h). */
static void test_silent_after_exit_boot_services(void) {
        reset(false);
        log_set_quiet(false);
        log_set_debug(false);
        log_info("before");
        ASSERT_EQ(count("zboot-stub: before\r\n"), 1);
        efi_boot_services_gone = true;
        size_t n = out_n, p = pieces;
        log_error_status(EFI_INVALID_PARAMETER, "exit failed");
        log_warning("keeping pages");
        log_notice("returning to the boot manager");
        ASSERT_EQ(out_n, n);
        ASSERT_EQ(pieces, p);
}

int main(void) {
        TEST(test_held_until_decided);
        TEST(test_not_held_without_detail);
        TEST(test_long_line_uncut);
        TEST(test_full_warnings_kept);
        TEST(test_warnings_overflow);
        TEST(test_early_error);
        TEST(test_early_notice);
        TEST(test_silent_after_exit_boot_services);
        return TESTS_END();
}
