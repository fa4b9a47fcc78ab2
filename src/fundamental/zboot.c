/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "zboot.h"

static uint32_t get_le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
        p[2] = (uint8_t) (v >> 16);
        p[3] = (uint8_t) (v >> 24);
}

bool zboot_has_magic(const void *buf, size_t len) {
        const uint8_t *b = buf;
        return len >= 8 && b[0] == 'M' && b[1] == 'Z' && memcmp(b + 4, ZBOOT_MAGIC_IMAGE_TYPE, 4) == 0;
}

static bool comp_type_ok(const char *s, size_t max) {
        size_t n = 0;
        while (n < max && s[n] != '\0') {
                /* names are short lower-case words with digits: "zstd22", "xzkern" */
                if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '-'))
                        return false;
                n++;
        }
        return n > 0 && n < max;
}

ZbootResult zboot_parse_header(const void *buf, size_t len, ZbootInfo *ret) {
        const uint8_t *b = buf;

        if (!buf || len < sizeof(ZbootHeader))
                return ZBOOT_TOO_SHORT;
        if (b[0] != 'M' || b[1] != 'Z')
                return ZBOOT_BAD_MZ;
        if (memcmp(b + 4, ZBOOT_MAGIC_IMAGE_TYPE, 4) != 0)
                return ZBOOT_NOT_ZIMG;
        for (size_t i = 0x10; i < 0x18; i++)
                if (b[i] != 0)
                        return ZBOOT_RESERVED_NOT_ZERO;
        if (!comp_type_ok((const char *) b + 0x18, ZBOOT_COMP_TYPE_MAX))
                return ZBOOT_BAD_COMP_TYPE;
        if (get_le32(b + 0x38) != ZBOOT_LINUX_PE_MAGIC)
                return ZBOOT_BAD_PE_MAGIC;

        uint32_t pe = get_le32(b + 0x3c);
        if (pe < sizeof(ZbootHeader) || pe > len)
                return ZBOOT_BAD_PE_OFFSET;

        uint32_t off = get_le32(b + 0x08), size = get_le32(b + 0x0c);
        uint32_t size_len = zboot_size_len((const char *) b + 0x18);
        if (size == 0)
                return ZBOOT_EMPTY_PAYLOAD;
        if (off < sizeof(ZbootHeader))
                return ZBOOT_PAYLOAD_OVERLAPS_HEADER;
        /* 64-bit arithmetic: offset + size + appended size cannot wrap. */
        if ((uint64_t) off + size + size_len > len)
                return ZBOOT_BAD_PAYLOAD_RANGE;
        /* the decompressed size lies inside gzip's payload: it needs at least a whole member */
        if (size_len < ZBOOT_SIZE_FIELD && size < ZBOOT_GZIP_MIN_MEMBER)
                return ZBOOT_GZIP_TOO_SHORT;

        if (ret) {
                *ret = (ZbootInfo) { .payload_offset = off, .payload_size = size, .pe_header_offset = pe };
                memcpy(ret->comp_type, b + 0x18, ZBOOT_COMP_TYPE_MAX);
                ret->comp_type[ZBOOT_COMP_TYPE_MAX - 1] = '\0';
        }
        return ZBOOT_OK;
}

uint32_t zboot_size_len(const char *comp_type) {
        /* Makefile.zboot: zboot-size-len-$(CONFIG_KERNEL_GZIP) := 0, zboot-size-len-y := 4 */
        return strcmp(comp_type, ZBOOT_COMP_GZIP) == 0 ? ZBOOT_SIZE_LEN_GZIP : ZBOOT_SIZE_LEN_APPENDED;
}

size_t zboot_stream_length(const ZbootInfo *z) {
        return z->payload_size;
}

uint64_t zboot_payload_extent(const ZbootInfo *z) {
        return (uint64_t) z->payload_size + zboot_size_len(z->comp_type);
}

ZbootResult zboot_decompressed_size(const ZbootInfo *z, const void *payload, size_t avail, uint64_t *ret) {
        /* the le32 ending at payload_size + size_len: gzip's ISIZE, or the appended size */
        uint64_t end = zboot_payload_extent(z);
        if (!payload || end < ZBOOT_SIZE_FIELD || end > avail)
                return ZBOOT_BAD_PAYLOAD_RANGE;
        *ret = get_le32((const uint8_t *) payload + end - ZBOOT_SIZE_FIELD);
        return ZBOOT_OK;
}

ZbootResult zboot_old_gzip_layout(const ZbootInfo *z, const void *payload, size_t avail, size_t *ret_stream_len,
                                  uint64_t *ret_size) {
        if (!payload || zboot_size_len(z->comp_type) != ZBOOT_SIZE_LEN_GZIP || avail < ZBOOT_SIZE_FIELD ||
            z->payload_size > avail - ZBOOT_SIZE_FIELD)
                return ZBOOT_BAD_ARGUMENT;
        uint32_t size = get_le32((const uint8_t *) payload + z->payload_size);
        if (size == 0)
                return ZBOOT_BAD_ARGUMENT;
        *ret_stream_len = (size_t) z->payload_size + ZBOOT_SIZE_FIELD;
        *ret_size = size;
        return ZBOOT_OK;
}

ZbootResult zboot_write_header(void *buf, size_t len, const ZbootInfo *z) {
        uint8_t *b = buf;

        if (len < sizeof(ZbootHeader))
                return ZBOOT_BUFFER_TOO_SMALL;
        if (!comp_type_ok(z->comp_type, ZBOOT_COMP_TYPE_MAX) || z->payload_size == 0 ||
            (zboot_size_len(z->comp_type) == ZBOOT_SIZE_LEN_GZIP && z->payload_size < ZBOOT_GZIP_MIN_MEMBER) ||
            z->payload_offset < sizeof(ZbootHeader) || z->pe_header_offset < sizeof(ZbootHeader))
                return ZBOOT_BAD_ARGUMENT;

        /* The kernel writes the 32-bit MZ magic: "MZ" and two zero bytes. */
        memset(b, 0, sizeof(ZbootHeader));
        b[0] = 'M';
        b[1] = 'Z';
        memcpy(b + 4, ZBOOT_MAGIC_IMAGE_TYPE, 4);
        put_le32(b + 0x08, z->payload_offset);
        put_le32(b + 0x0c, z->payload_size);
        memcpy(b + 0x18, z->comp_type, strlen(z->comp_type));
        put_le32(b + 0x38, ZBOOT_LINUX_PE_MAGIC);
        put_le32(b + 0x3c, z->pe_header_offset);
        return ZBOOT_OK;
}

const char *zboot_strerror(ZbootResult r) {
        switch (r) {
        case ZBOOT_OK:                  return "success";
        case ZBOOT_TOO_SHORT:           return "file shorter than the 64-byte zboot header";
        case ZBOOT_BAD_MZ:              return "no MZ signature at offset 0";
        case ZBOOT_NOT_ZIMG:            return "no \"zimg\" image type at offset 4 (not a zboot image)";
        case ZBOOT_BAD_PAYLOAD_RANGE:   return "payload offset/size (+ appended 4-byte size unless gzip) run past the end of the file";
        case ZBOOT_EMPTY_PAYLOAD:       return "payload size is 0";
        case ZBOOT_BAD_COMP_TYPE:       return "compression type at 0x18 is empty, not NUL-terminated or not a name";
        case ZBOOT_BAD_PE_MAGIC:        return "LINUX_PE_MAGIC missing at offset 0x38";
        case ZBOOT_BAD_PE_OFFSET:       return "PE header offset (0x3c) inside the zboot header or past the end of the file";
        case ZBOOT_RESERVED_NOT_ZERO:   return "reserved bytes 0x10..0x17 are not zero";
        case ZBOOT_PAYLOAD_OVERLAPS_HEADER: return "payload offset points into the zboot header";
        case ZBOOT_BUFFER_TOO_SMALL:    return "output buffer too small for the zboot header";
        case ZBOOT_BAD_ARGUMENT:        return "invalid zboot header fields";
        case ZBOOT_GZIP_TOO_SHORT:      return "gzip payload size is smaller than a gzip member (18 bytes)";
        case ZBOOT_GZIP_OLD_RULE:       return "gzip payload size leaves out the gzip trailer (ISIZE): image made by an "
                                               "old ukify-zboot; remake it";
        }
        return "unknown zboot error";
}
