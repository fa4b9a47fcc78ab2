/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "device-path.h"

enum {
        DP_HEADER = 4,
        DP_MESSAGING = 0x03,
        DP_MESSAGING_URI = 0x18,      /* UEFI 2.10 10.3.4.23: the URI, ASCII/UTF-8 (edk2 adds a NUL) */
        DP_MEDIA = 0x04,
        DP_MEDIA_HARDDRIVE = 0x01,
        DP_MEDIA_FILEPATH = 0x04,
        DP_END = 0x7f,
        DP_HD_SIZE = 42,              /* header 4, PartitionNumber 4, Start 8, Size 8, Signature 16, MBRType 1, SignatureType 1 */
        DP_HD_SIGNATURE = 24,
        DP_HD_SIGNATURE_TYPE = 41,
        DP_SIGNATURE_GUID = 0x02,
};

typedef struct {
        const uint8_t *p;
        size_t left;    /* bytes from p to the end of what we may read */
} DpWalk;

/* The node at w->p: 1 with its type, subtype and length; 0 at the End node; -1 on a bad length. */
static int dp_node(const DpWalk *w, uint8_t *type, uint8_t *subtype, size_t *len) {
        if (w->left < DP_HEADER)
                return -1;
        *type = w->p[0];
        *subtype = w->p[1];
        *len = (size_t) w->p[2] | (size_t) w->p[3] << 8;
        if (*type == DP_END)
                return 0;
        if (*len < DP_HEADER || *len > w->left)
                return -1;
        return 1;
}

static void dp_advance(DpWalk *w, size_t len) {
        w->p += len;
        w->left -= len;
}

bool device_path_partition_uuid(const void *dp, size_t max, uint16_t out[DEVICE_PATH_UUID_LEN + 1]) {
        static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
        static const char hex[] = "0123456789ABCDEF";
        uint8_t type, subtype;
        size_t len;
        int r;

        if (!dp)
                return false;
        for (DpWalk w = { dp, max }; (r = dp_node(&w, &type, &subtype, &len)) > 0; dp_advance(&w, len)) {
                if (type != DP_MEDIA || subtype != DP_MEDIA_HARDDRIVE || len < DP_HD_SIZE)
                        continue;
                if (w.p[DP_HD_SIGNATURE_TYPE] != DP_SIGNATURE_GUID)
                        return false;
                const uint8_t *g = w.p + DP_HD_SIGNATURE;
                size_t k = 0;
                for (size_t i = 0; i < 16; i++) {
                        if (i == 4 || i == 6 || i == 8 || i == 10)
                                out[k++] = '-';
                        out[k++] = (uint16_t) hex[g[order[i]] >> 4];
                        out[k++] = (uint16_t) hex[g[order[i]] & 15];
                }
                out[k] = 0;
                return true;
        }
        return false;
}

size_t device_path_disk_prefix(const void *dp, size_t max) {
        uint8_t type, subtype;
        size_t len, last = 0;
        bool found = false;
        int r;

        if (!dp)
                return 0;
        DpWalk w = { dp, max };
        for (; (r = dp_node(&w, &type, &subtype, &len)) > 0; dp_advance(&w, len))
                if (type == DP_MEDIA && subtype == DP_MEDIA_HARDDRIVE) {
                        last = (size_t) (w.p - (const uint8_t *) dp);
                        found = true;
                }
        return r == 0 && found ? last : 0;
}

size_t device_path_file_text(const void *dp, size_t max, uint16_t *out, size_t cap) {
        uint8_t type, subtype;
        size_t len, k = 0;
        int r;

        if (!dp || cap == 0)
                return 0;
        for (DpWalk w = { dp, max }; (r = dp_node(&w, &type, &subtype, &len)) != 0; dp_advance(&w, len)) {
                if (r < 0)
                        return 0;
                if (type != DP_MEDIA || subtype != DP_MEDIA_FILEPATH)
                        continue;
                const uint8_t *s = w.p + DP_HEADER;
                size_t units = (len - DP_HEADER) / 2;
                for (size_t i = 0; i < units; i++) {
                        uint16_t c = (uint16_t) (s[2 * i] | s[2 * i + 1] << 8);
                        if (c == 0)
                                break;
                        /* consecutive nodes are joined with one separator */
                        if (i == 0 && k > 0 && out[k - 1] != '\\' && c != '\\') {
                                if (k + 1 >= cap)
                                        return 0;
                                out[k++] = '\\';
                        }
                        if (k + 1 >= cap)
                                return 0;
                        out[k++] = c;
                }
        }
        out[k] = 0;
        return k;
}

/* One UTF-8 sequence at s (n > 0 bytes left) as sd-stub 262 decodes it (its utf8_to_unichar()):
 * the bytes it takes (at least 1) and *ret the code point, UINT32_MAX for an invalid sequence
 * (a bad lead byte takes 1 byte, a bad continuation or one cut off by n the whole length the
 * lead byte announced); lead bytes of 5 and 6 bytes are read too, overlong forms are not
 * refused. */
static size_t utf8_take(const uint8_t *s, size_t n, uint32_t *ret) {
        size_t len;
        uint32_t c;
        if (s[0] < 0x80) {
                *ret = s[0];
                return 1;
        }
        if ((s[0] & 0xe0) == 0xc0)
                len = 2, c = s[0] & 0x1fu;
        else if ((s[0] & 0xf0) == 0xe0)
                len = 3, c = s[0] & 0x0fu;
        else if ((s[0] & 0xf8) == 0xf0)
                len = 4, c = s[0] & 0x07u;
        else if ((s[0] & 0xfc) == 0xf8)
                len = 5, c = s[0] & 0x03u;
        else if ((s[0] & 0xfe) == 0xfc)
                len = 6, c = s[0] & 0x01u;
        else {
                *ret = UINT32_MAX;
                return 1;
        }
        *ret = UINT32_MAX;
        if (len > n)
                return len;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return len;
                c = c << 6 | (s[i] & 0x3fu);
        }
        *ret = c;
        return len;
}

size_t device_path_uri_text(const void *dp, size_t max, uint16_t *out, size_t cap) {
        uint8_t type, subtype;
        size_t len;
        int r;

        if (cap == 0)
                return 0;
        out[0] = 0;
        if (!dp)
                return 0;
        for (DpWalk w = { dp, max }; (r = dp_node(&w, &type, &subtype, &len)) > 0; dp_advance(&w, len)) {
                if (type != DP_MESSAGING || subtype != DP_MESSAGING_URI)
                        continue;
                const uint8_t *s = w.p + DP_HEADER;
                size_t n = len - DP_HEADER, k = 0;
                while (n > 0 && *s != 0) {
                        uint32_t c;
                        size_t used = utf8_take(s, n, &c);
                        if (used >= n)
                                n = 0;
                        else
                                s += used, n -= used;
                        /* UCS-2: what does not fit one unit (and a surrogate) is dropped */
                        if (c > 0xffffu || (c >= 0xd800u && c <= 0xdfffu))
                                continue;
                        if (c == 0)
                                break;   /* an overlong NUL: 262's string (and variable) ends there */
                        if (k + 1 >= cap) {
                                out[0] = 0;
                                return 0;
                        }
                        out[k++] = (uint16_t) c;
                }
                out[k] = 0;
                return k;   /* the first URI node decides, even when it has no text */
        }
        return 0;
}
