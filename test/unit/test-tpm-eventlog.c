/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event log size (tpm-eventlog.c) on a synthetic crypto-agile log with two banks (SHA-1,
 * SHA-256), a TCG 1.2-format log and a final events table, and every way each can be cut or
 * lie about itself; and a confidential VM's (TDX-shaped) log. */
#include "tests.h"
#include "tpm-eventlog.h"
#include "unaligned.h"

#define SHA1 0x0004
#define SHA256 0x000b

static uint8_t log_buf[1024];
static size_t log_len;

static size_t put(const void *p, size_t n) {
        size_t at = log_len;
        memcpy(log_buf + log_len, p, n);
        log_len += n;
        return at;
}
static size_t put32(uint32_t v) {
        uint8_t b[4];
        put_le32(b, v);
        return put(b, 4);
}
static void put16(uint16_t v) {
        uint8_t b[2];
        put_le16(b, v);
        put(b, 2);
}
static void fill(uint8_t v, size_t n) {
        memset(log_buf + log_len, v, n);
        log_len += n;
}

/* The Spec ID event with algs (alg, size) pairs. */
static void spec_id(const uint16_t *algs, uint32_t n) {
        log_len = 0;
        put32(0);   /* PCR */
        put32(3);   /* EV_NO_ACTION */
        fill(0, 20);
        put32(TPM_SPEC_ID_HDR + 4 * n + 1);
        put(TPM_SPEC_ID_SIGNATURE, 16);
        put32(0);                              /* platform class */
        put((const uint8_t[]) { 0, 2, 0, 2 }, 4);   /* version 2.0 errata 0, uintn 2 */
        put32(n);
        for (uint32_t i = 0; i < 2 * n; i++)
                put16(algs[i]);
        fill(0, 1);   /* vendor info size 0 */
}

/* A crypto-agile event with a SHA-1 and a SHA-256 digest and data_size bytes of data. */
static size_t event2(uint32_t pcr, uint32_t type, uint32_t data_size) {
        size_t at = put32(pcr);
        put32(type);
        put32(2);
        put16(SHA1);
        fill(0x11, 20);
        put16(SHA256);
        fill(0x22, 32);
        put32(data_size);
        fill(0x33, data_size);
        return at;
}

static const uint16_t two_banks[] = { SHA1, 20, SHA256, 32 };
#define EV2_SIZE(d) (12 + 2 + 20 + 2 + 32 + 4 + (d))

static void test_tcg2_log(void) {
        spec_id(two_banks, 2);
        size_t spec_size = log_len;
        ASSERT_EQ(spec_size, 32 + 28 + 8 + 1);
        TpmSpecId spec;
        ASSERT_TRUE(tpm_spec_id(log_buf, log_len, &spec));
        ASSERT_EQ(spec.n_algs, 2);
        event2(0, 0x80000008, 7);
        size_t last = event2(11, 0xd, 100);
        size_t size;
        ASSERT_TRUE(tpm_eventlog_size(log_buf, log_len, TPM_EVENTLOG_FORMAT_TCG_2, true, last, &size));
        ASSERT_EQ(size, spec_size + EV2_SIZE(7) + EV2_SIZE(100));
        ASSERT_EQ(size, log_len);
        /* more memory after the log: the size does not change */
        ASSERT_TRUE(tpm_eventlog_size(log_buf, sizeof(log_buf), TPM_EVENTLOG_FORMAT_TCG_2, true, last, &size));
        ASSERT_EQ(size, log_len);
        /* the Spec ID event as the only one */
        ASSERT_TRUE(tpm_eventlog_size(log_buf, log_len, TPM_EVENTLOG_FORMAT_TCG_2, true, 0, &size));
        ASSERT_EQ(size, spec_size);
        /* an empty log (no last entry) */
        ASSERT_TRUE(tpm_eventlog_size(log_buf, log_len, TPM_EVENTLOG_FORMAT_TCG_2, false, 0, &size));
        ASSERT_EQ(size, 0);
        /* the last event cut anywhere */
        for (size_t cut = last; cut < log_len; cut++)
                ASSERT_TRUE(!tpm_eventlog_size(log_buf, cut, TPM_EVENTLOG_FORMAT_TCG_2, true, last, &size));
        ASSERT_TRUE(!tpm_eventlog_size(log_buf, log_len, 7, true, last, &size));
        ASSERT_TRUE(!tpm_eventlog_size(NULL, 0, TPM_EVENTLOG_FORMAT_TCG_2, true, 0, &size));
}

static void test_tcg2_malformed(void) {
        spec_id(two_banks, 2);
        size_t last = event2(9, 6, 4);
        size_t end = log_len, size;
        TpmSpecId spec;
        ASSERT_TRUE(tpm_spec_id(log_buf, end, &spec));
        ASSERT_EQ(tpm_tcg2_event_size(&spec, log_buf + last, end - last), EV2_SIZE(4));
        /* more digests than banks */
        put_le32(log_buf + last + 8, 3);
        ASSERT_EQ(tpm_tcg2_event_size(&spec, log_buf + last, end - last), 0);
        ASSERT_TRUE(!tpm_eventlog_size(log_buf, end, TPM_EVENTLOG_FORMAT_TCG_2, true, last, &size));
        put_le32(log_buf + last + 8, 2);
        /* an algorithm the Spec ID does not list */
        put_le16(log_buf + last + 12, 0x0012);
        ASSERT_EQ(tpm_tcg2_event_size(&spec, log_buf + last, end - last), 0);
        put_le16(log_buf + last + 12, SHA1);
        /* a data size past the end */
        put_le32(log_buf + last + EV2_SIZE(0) - 4, 0xfffffff0);
        ASSERT_EQ(tpm_tcg2_event_size(&spec, log_buf + last, end - last), 0);
        ASSERT_TRUE(!tpm_eventlog_size(log_buf, end, TPM_EVENTLOG_FORMAT_TCG_2, true, last, &size));
        put_le32(log_buf + last + EV2_SIZE(0) - 4, 4);
        /* the terminator: type 0 with no data */
        log_len = end;
        size_t term = event2(0, 0, 0);
        ASSERT_EQ(tpm_tcg2_event_size(&spec, log_buf + term, log_len - term), 0);
        /* a last entry past the memory */
        ASSERT_TRUE(!tpm_eventlog_size(log_buf, end, TPM_EVENTLOG_FORMAT_TCG_2, true, end + 1, &size));

        /* the Spec ID event itself: signature, algorithm count against its data size */
        ASSERT_TRUE(tpm_spec_id(log_buf, end, &spec));
        log_buf[32] ^= 1;
        ASSERT_TRUE(!tpm_spec_id(log_buf, end, &spec));
        log_buf[32] ^= 1;
        put_le32(log_buf + 32 + 24, 3);   /* three algorithms in room for two */
        ASSERT_TRUE(!tpm_spec_id(log_buf, end, &spec));
        put_le32(log_buf + 32 + 24, 0);
        ASSERT_TRUE(!tpm_spec_id(log_buf, end, &spec));
        put_le32(log_buf + 32 + 24, 2);
        put_le32(log_buf + 28, 20);       /* data shorter than the Spec ID header */
        ASSERT_TRUE(!tpm_spec_id(log_buf, end, &spec));
        put_le32(log_buf + 28, 0x7fffffff);
        ASSERT_TRUE(!tpm_spec_id(log_buf, end, &spec));
        ASSERT_TRUE(!tpm_spec_id(log_buf, 31, &spec));
}

static void test_tcg12_log(void) {
        log_len = 0;
        for (uint32_t i = 0; i < 3; i++) {
                put32(i);
                put32(5);
                fill(0x44, 20);
                put32(10 * i);
                fill(0x55, 10 * i);
        }
        size_t last = log_len - (32 + 20), size;
        ASSERT_TRUE(tpm_eventlog_size(log_buf, log_len, TPM_EVENTLOG_FORMAT_TCG_1_2, true, last, &size));
        ASSERT_EQ(size, log_len);
        ASSERT_TRUE(!tpm_eventlog_size(log_buf, log_len - 1, TPM_EVENTLOG_FORMAT_TCG_1_2, true, last, &size));
        ASSERT_TRUE(!tpm_eventlog_size(log_buf, log_len, TPM_EVENTLOG_FORMAT_TCG_1_2, true, log_len - 31, &size));
}

static void test_final_events(void) {
        spec_id(two_banks, 2);
        size_t spec_end = log_len;
        TpmSpecId spec;
        ASSERT_TRUE(tpm_spec_id(log_buf, spec_end, &spec));
        /* the final events table's events, here right after the log */
        event2(0, 0x80000007, 3);
        event2(1, 0x80000001, 50);
        const uint8_t *events = log_buf + spec_end;
        size_t len = log_len - spec_end;
        ASSERT_EQ(tpm_final_events_size(&spec, events, len, 0), 0);
        ASSERT_EQ(tpm_final_events_size(&spec, events, len, 1), EV2_SIZE(3));
        ASSERT_EQ(tpm_final_events_size(&spec, events, len, 2), EV2_SIZE(3) + EV2_SIZE(50));
        /* a count larger than what is there: only what parses */
        ASSERT_EQ(tpm_final_events_size(&spec, events, len, 1000), EV2_SIZE(3) + EV2_SIZE(50));
        ASSERT_EQ(tpm_final_events_size(&spec, events, len - 1, 2), EV2_SIZE(3));
}

/* A confidential VM's log (EFI_CC_MEASUREMENT_PROTOCOL, TCG 2 format) as Intel TDX firmware
 * writes it: the Spec ID event in index 1, not 0, one SHA-384 bank, events in MR indices. The
 * size does not depend on the index field. */
static void test_cc_log(void) {
        static const uint16_t sha384[] = { 0x000c, 48 };
        spec_id(sha384, 1);
        put_le32(log_buf, 1);
        size_t spec_size = log_len;
        size_t last = 0;
        for (uint32_t mr = 1; mr <= 3; mr++) {
                last = put32(mr);
                put32(6);
                put32(1);
                put16(0x000c);
                fill(0x44, 48);
                put32(5 * mr);
                fill(0x55, 5 * mr);
        }
        size_t size;
        ASSERT_TRUE(tpm_eventlog_size(log_buf, log_len, TPM_EVENTLOG_FORMAT_TCG_2, true, last, &size));
        ASSERT_EQ(size, log_len);
        ASSERT_EQ(size, spec_size + 3 * (12 + 2 + 48 + 4) + 5 + 10 + 15);
}

int main(void) {
        TEST(test_tcg2_log);
        TEST(test_tcg2_malformed);
        TEST(test_tcg12_log);
        TEST(test_final_events);
        TEST(test_cc_log);
        return TESTS_END();
}
