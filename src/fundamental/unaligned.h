/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one place that knows byte order. Every on-disk or in-memory format field with a fixed byte
 * order (PE/zboot/bzImage/boot_params/SMBIOS/BMP/lz4 are little-endian; FDT and lzop are
 * big-endian) is read with get_le* / get_be* and written with put_le* / put_be*, at any
 * alignment. They copy through __builtin_memcpy (a single unaligned load or store after
 * optimisation, no libc call, so the same header builds freestanding for EFI and on the host)
 * and swap only when the host's order differs from the field's. Never memcpy a host-endian
 * integer into a format buffer or cast a byte pointer to a wider type. */

#include <stdint.h>

#if !defined(__BYTE_ORDER__) || !defined(__ORDER_LITTLE_ENDIAN__) || !defined(__ORDER_BIG_ENDIAN__)
#  error "unaligned.h needs the compiler's __BYTE_ORDER__"
#endif
#define UNALIGNED_HOST_LE (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

static inline uint16_t unaligned_load16(const void *p) {
        uint16_t v;
        __builtin_memcpy(&v, p, sizeof(v));
        return v;
}
static inline uint32_t unaligned_load32(const void *p) {
        uint32_t v;
        __builtin_memcpy(&v, p, sizeof(v));
        return v;
}
static inline uint64_t unaligned_load64(const void *p) {
        uint64_t v;
        __builtin_memcpy(&v, p, sizeof(v));
        return v;
}
static inline void unaligned_store16(void *p, uint16_t v) {
        __builtin_memcpy(p, &v, sizeof(v));
}
static inline void unaligned_store32(void *p, uint32_t v) {
        __builtin_memcpy(p, &v, sizeof(v));
}
static inline void unaligned_store64(void *p, uint64_t v) {
        __builtin_memcpy(p, &v, sizeof(v));
}

/* Little-endian. */
static inline uint16_t get_le16(const void *p) {
        uint16_t v = unaligned_load16(p);
        return UNALIGNED_HOST_LE ? v : __builtin_bswap16(v);
}
static inline uint32_t get_le32(const void *p) {
        uint32_t v = unaligned_load32(p);
        return UNALIGNED_HOST_LE ? v : __builtin_bswap32(v);
}
static inline uint64_t get_le64(const void *p) {
        uint64_t v = unaligned_load64(p);
        return UNALIGNED_HOST_LE ? v : __builtin_bswap64(v);
}
static inline void put_le16(void *p, uint16_t v) {
        unaligned_store16(p, UNALIGNED_HOST_LE ? v : __builtin_bswap16(v));
}
static inline void put_le32(void *p, uint32_t v) {
        unaligned_store32(p, UNALIGNED_HOST_LE ? v : __builtin_bswap32(v));
}
static inline void put_le64(void *p, uint64_t v) {
        unaligned_store64(p, UNALIGNED_HOST_LE ? v : __builtin_bswap64(v));
}

/* Big-endian (FDT, lzop). */
static inline uint16_t get_be16(const void *p) {
        uint16_t v = unaligned_load16(p);
        return UNALIGNED_HOST_LE ? __builtin_bswap16(v) : v;
}
static inline uint32_t get_be32(const void *p) {
        uint32_t v = unaligned_load32(p);
        return UNALIGNED_HOST_LE ? __builtin_bswap32(v) : v;
}
static inline uint64_t get_be64(const void *p) {
        uint64_t v = unaligned_load64(p);
        return UNALIGNED_HOST_LE ? __builtin_bswap64(v) : v;
}
static inline void put_be16(void *p, uint16_t v) {
        unaligned_store16(p, UNALIGNED_HOST_LE ? __builtin_bswap16(v) : v);
}
static inline void put_be32(void *p, uint32_t v) {
        unaligned_store32(p, UNALIGNED_HOST_LE ? __builtin_bswap32(v) : v);
}
static inline void put_be64(void *p, uint64_t v) {
        unaligned_store64(p, UNALIGNED_HOST_LE ? __builtin_bswap64(v) : v);
}
