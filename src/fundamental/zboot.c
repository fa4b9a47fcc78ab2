/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "unaligned.h"
#include "zboot.h"

bool zboot_has_magic(const void *buf, size_t len) {
        const ZbootHeader *h = buf;
        return len >= offsetof(ZbootHeader, payload_offset) && h->mz_magic[0] == 'M' && h->mz_magic[1] == 'Z' &&
                memcmp(h->image_type, ZBOOT_MAGIC_IMAGE_TYPE, sizeof(h->image_type)) == 0;
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
        const ZbootHeader *h = buf;

        if (!buf || len < sizeof(ZbootHeader))
                return ZBOOT_TOO_SHORT;
        if (h->mz_magic[0] != 'M' || h->mz_magic[1] != 'Z')
                return ZBOOT_BAD_MZ;
        if (memcmp(h->image_type, ZBOOT_MAGIC_IMAGE_TYPE, sizeof(h->image_type)) != 0)
                return ZBOOT_NOT_ZIMG;
        for (size_t i = 0; i < sizeof(h->reserved); i++)
                if (h->reserved[i] != 0)
                        return ZBOOT_RESERVED_NOT_ZERO;
        if (!comp_type_ok(h->comp_type, sizeof(h->comp_type)))
                return ZBOOT_BAD_COMP_TYPE;
        /* LINUX_PE_MAGIC, or zero: Linux 6.1's zboot-header.S leaves 0x38 zero (its images in
         * the conformance corpus do), later kernels write the magic. */
        uint32_t pe_magic = get_le32(h->linux_pe_magic);
        if (pe_magic != ZBOOT_LINUX_PE_MAGIC && pe_magic != 0)
                return ZBOOT_BAD_PE_MAGIC;

        uint32_t pe = get_le32(h->pe_header_offset);
        if (pe < sizeof(ZbootHeader) || pe > len)
                return ZBOOT_BAD_PE_OFFSET;

        uint32_t off = get_le32(h->payload_offset), size = get_le32(h->payload_size);
        uint32_t size_len = zboot_size_len(h->comp_type);
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
                memcpy(ret->comp_type, h->comp_type, ZBOOT_COMP_TYPE_MAX);
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
        ZbootHeader *h = buf;

        if (len < sizeof(ZbootHeader))
                return ZBOOT_BUFFER_TOO_SMALL;
        if (!comp_type_ok(z->comp_type, ZBOOT_COMP_TYPE_MAX) || z->payload_size == 0 ||
            (zboot_size_len(z->comp_type) == ZBOOT_SIZE_LEN_GZIP && z->payload_size < ZBOOT_GZIP_MIN_MEMBER) ||
            z->payload_offset < sizeof(ZbootHeader) || z->pe_header_offset < sizeof(ZbootHeader))
                return ZBOOT_BAD_ARGUMENT;

        /* The kernel writes the 32-bit MZ magic: "MZ" and two zero bytes. */
        memset(h, 0, sizeof(*h));
        h->mz_magic[0] = 'M';
        h->mz_magic[1] = 'Z';
        memcpy(h->image_type, ZBOOT_MAGIC_IMAGE_TYPE, sizeof(h->image_type));
        put_le32(h->payload_offset, z->payload_offset);
        put_le32(h->payload_size, z->payload_size);
        memcpy(h->comp_type, z->comp_type, strlen(z->comp_type));
        put_le32(h->linux_pe_magic, ZBOOT_LINUX_PE_MAGIC);
        put_le32(h->pe_header_offset, z->pe_header_offset);
        return ZBOOT_OK;
}

ZbootResult zboot_self_parse(const ZbootSelfMap *m, uint64_t image_size, ZbootSelf *ret) {
        if (memcmp(m->magic, ZBOOT_SELF_MAGIC, sizeof(m->magic)) != 0)
                return ZBOOT_SELF_BAD;
        uint32_t file_size = get_le32(m->file_size), zoff = get_le32(m->zdata_offset),
                 zrva = get_le32(m->zdata_rva), zsize = get_le32(m->zdata_size),
                 xrva = get_le32(m->zbx86_rva), xsize = get_le32(m->zbx86_size);
        if (file_size == ZBOOT_SELF_BLANK_SIZE || zsize == 0)
                return ZBOOT_SELF_BLANK;

        ZbootSelf s = {};
        ZbootResult r = zboot_parse_header(m->header, file_size, &s.z);
        if (r != ZBOOT_OK)
                return r;
        /* The payload and its size trailer lie inside the section, the section inside the image. */
        uint64_t extent = zboot_payload_extent(&s.z);
        if (s.z.payload_offset < zoff || (uint64_t) s.z.payload_offset + extent > (uint64_t) zoff + zsize ||
            (uint64_t) zrva + zsize > image_size || (uint64_t) xrva + xsize > image_size)
                return ZBOOT_SELF_BAD;
        s.payload_rva = (uint64_t) zrva + (s.z.payload_offset - zoff);
        s.payload_avail = (uint64_t) zsize - (s.z.payload_offset - zoff);
        s.zbx86_rva = xsize ? xrva : 0;
        s.zbx86_size = xsize;
        if (ret)
                *ret = s;
        return ZBOOT_OK;
}

ZbootResult zboot_self_check_base(const ZbootSelfMap *m, const void *base, size_t size) {
        const uint8_t *b = base;
        if (!b || size < sizeof(m->header) || b[0] != 'M' || b[1] != 'Z')
                return ZBOOT_OK;        /* no headers in memory: the map is all there is */
        return memcmp(b, m->header, sizeof(m->header)) == 0 ? ZBOOT_OK : ZBOOT_SELF_MISMATCH;
}

ZbootResult zboot_self_fill(uint8_t *image, size_t len, uint64_t image_size, uint32_t zdata_offset,
                            uint32_t zdata_rva, uint32_t zdata_size, uint32_t zbx86_rva, uint32_t zbx86_size) {
        if (len < sizeof(ZbootHeader) || len > UINT32_MAX || len == ZBOOT_SELF_BLANK_SIZE)
                return ZBOOT_BAD_ARGUMENT;

        /* Exactly one blank map: the magic, a zero header, the blank file size, zeros. */
        ZbootSelfMap blank = {};
        memcpy(blank.magic, ZBOOT_SELF_MAGIC, sizeof(blank.magic));
        put_le32(blank.file_size, ZBOOT_SELF_BLANK_SIZE);
        uint8_t *found = NULL;
        for (size_t i = 0; i + sizeof(blank) <= len; i++)
                if (image[i] == 'Z' && memcmp(image + i, &blank, sizeof(blank)) == 0) {
                        if (found)
                                return ZBOOT_SELF_NOT_FOUND;
                        found = image + i;
                }
        if (!found)
                return ZBOOT_SELF_NOT_FOUND;

        ZbootSelfMap m = blank;
        memcpy(m.header, image, sizeof(m.header));
        put_le32(m.file_size, (uint32_t) len);
        put_le32(m.zdata_offset, zdata_offset);
        put_le32(m.zdata_rva, zdata_rva);
        put_le32(m.zdata_size, zdata_size);
        put_le32(m.zbx86_rva, zbx86_rva);
        put_le32(m.zbx86_size, zbx86_size);
        ZbootResult r = zboot_self_parse(&m, image_size, NULL);
        if (r != ZBOOT_OK)
                return r;
        memcpy(found, &m, sizeof(m));
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
        case ZBOOT_BAD_PE_MAGIC:        return "LINUX_PE_MAGIC missing at offset 0x38 (neither the magic nor zero)";
        case ZBOOT_BAD_PE_OFFSET:       return "PE header offset (0x3c) inside the zboot header or past the end of the file";
        case ZBOOT_RESERVED_NOT_ZERO:   return "reserved bytes 0x10..0x17 are not zero";
        case ZBOOT_PAYLOAD_OVERLAPS_HEADER: return "payload offset points into the zboot header";
        case ZBOOT_BUFFER_TOO_SMALL:    return "output buffer too small for the zboot header";
        case ZBOOT_BAD_ARGUMENT:        return "invalid zboot header fields";
        case ZBOOT_SELF_BLANK:          return "the self-decompressor's map of its payload is blank (not made by ukify-zboot zboot)";
        case ZBOOT_SELF_BAD:            return "the self-decompressor's map of its payload does not fit the image";
        case ZBOOT_SELF_NOT_FOUND:      return "the stub has no single blank self map (not our zboot stub?)";
        case ZBOOT_SELF_MISMATCH:       return "the zboot header in memory differs from the self-decompressor's copy "
                                               "in its map (a tampered image: readers of the header would see another "
                                               "payload than the one booted)";
        case ZBOOT_GZIP_TOO_SHORT:      return "gzip payload size is smaller than a gzip member (18 bytes)";
        case ZBOOT_GZIP_OLD_RULE:       return "gzip payload size leaves out the gzip trailer (ISIZE): image made by an "
                                               "old ukify-zboot; remake it";
        }
        return "unknown zboot error";
}
