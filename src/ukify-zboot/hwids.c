/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The .hwids section from ukify's --hwids directory. What ukify 257 and 258 do, and so we do:
 * - the files: every "*.json" under DIR, recursively (hidden ones too; symlinked directories
 *   are not descended into), sorted by path component by component;
 * - each file is a JSON object with "name" and "compatible" (strings) and "hwids" (a list of
 *   UUID strings): a device tree device (ukify 257's only kind). With "type" (ukify 258, which
 *   requires it): "devicetree" with "compatible", or "uefi-fw" with "fwid" (the firmware id of
 *   an .efifw section) instead, the other member absent. A (type, name, compatible or fwid)
 *   triple is one device, its CHIDs the union over the files that name it, devices in the
 *   order they first appear;
 * - the section: for each device its CHIDs sorted (as UUIDs, i.e. by their big-endian bytes),
 *   one 28-byte entry each (descriptor 0x1000001c for devicetree, 0x2000001c for uefi-fw, the
 *   CHID in EFI byte order, the offsets of its name and its compatible or fwid), a zero entry,
 *   then every distinct string sorted, UTF-8 with a NUL, at the offsets the entries give.
 * UUIDs are read as Python's uuid.UUID() reads them ("urn:"/"uuid:" prefixes, braces, dashes),
 * except that we take only hex digits where Python's int() would also take '_' or a sign.
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chid.h"
#include "hwids.h"
#include "unaligned.h"

typedef struct {
        uint32_t type;          /* HWIDS_TYPE_DEVICETREE or HWIDS_TYPE_UEFI_FW */
        char *name, *id;        /* id: the compatible (devicetree) or the fwid (uefi-fw) */
        uint8_t (*uuids)[16];   /* big-endian (RFC 4122) bytes */
        size_t n_uuids;
} Device;

typedef struct {
        char **paths;   /* relative to DIR */
        size_t n;
} PathList;

static bool path_add(PathList *l, const char *rel) {
        char **p = realloc(l->paths, (l->n + 1) * sizeof(*p));
        if (!p)
                return false;
        l->paths = p;
        if (!(l->paths[l->n] = strdup(rel)))
                return false;
        l->n++;
        return true;
}

static bool ends_with_json(const char *name) {
        size_t n = strlen(name);
        return n >= 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Every name matching *.json (any kind of file: ukify reads it and fails on a directory), and
 * every real directory recursed into. */
static bool walk(const char *top, const char *rel, PathList *l) {
        char *path;
        if (asprintf(&path, "%s%s%s", top, *rel ? "/" : "", rel) < 0)
                return error("out of memory"), false;
        DIR *d = opendir(path);
        if (!d) {
                error("--hwids: cannot open directory %s: %s", path, strerror(errno));
                free(path);
                return false;
        }
        bool ok = true;
        struct dirent *e;
        while (ok && (e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                char *r, *full;
                if (asprintf(&r, "%s%s%s", rel, *rel ? "/" : "", e->d_name) < 0)
                        return closedir(d), free(path), error("out of memory"), false;
                if (asprintf(&full, "%s/%s", path, e->d_name) < 0)
                        return free(r), closedir(d), free(path), error("out of memory"), false;
                struct stat st;
                if (ends_with_json(e->d_name) && !path_add(l, r))
                        ok = (error("out of memory"), false);
                if (ok && lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
                        ok = walk(top, r, l);
                free(r);
                free(full);
        }
        closedir(d);
        free(path);
        return ok;
}

/* Python's PurePath ordering: component by component. */
static int path_cmp(const void *a, const void *b) {
        const char *x = *(const char *const *) a, *y = *(const char *const *) b;
        for (;;) {
                size_t nx = strcspn(x, "/"), ny = strcspn(y, "/");
                int c = memcmp(x, y, nx < ny ? nx : ny);
                if (c)
                        return c;
                if (nx != ny)
                        return nx < ny ? -1 : 1;
                x += nx, y += ny;
                if (!*x || !*y)
                        return *x ? 1 : *y ? -1 : 0;
                x++, y++;
        }
}

static int hexval(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void remove_all(char *s, const char *what) {
        size_t n = strlen(what);
        char *p;
        while ((p = strstr(s, what)))
                memmove(p, p + n, strlen(p + n) + 1);
}

static bool parse_uuid(const char *in, uint8_t out[16]) {
        char *s = strdup(in);
        if (!s)
                return false;
        remove_all(s, "urn:");
        remove_all(s, "uuid:");
        char *a = s;
        while (*a == '{' || *a == '}')
                a++;
        size_t n = strlen(a);
        while (n > 0 && (a[n - 1] == '{' || a[n - 1] == '}'))
                a[--n] = 0;
        remove_all(a, "-");
        bool ok = strlen(a) == 32;
        for (unsigned i = 0; ok && i < 16; i++) {
                int h = hexval(a[2 * i]), l = hexval(a[2 * i + 1]);
                ok = h >= 0 && l >= 0;
                if (ok)   /* hexval() is -1 for a non-hex digit: no shift of it */
                        out[i] = (uint8_t) (h << 4 | l);
        }
        free(s);
        return ok;
}

static int uuid_cmp(const void *a, const void *b) {
        return memcmp(a, b, 16);
}

static int str_cmp(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The string member key of obj; false (with the message) if it is missing or not a string
 * without NUL bytes. */
static bool member_string(json_object *obj, const char *file, const char *key, const char **ret) {
        json_object *v;
        if (!json_object_object_get_ex(obj, key, &v))
                return error("--hwids: hwid description file \"%s\" does not contain \"%s\"", file, key), false;
        if (!json_object_is_type(v, json_type_string) || strlen(json_object_get_string(v)) != (size_t) json_object_get_string_len(v))
                return error("--hwids: %s: \"%s\" is not a string (without NUL bytes)", file, key), false;
        *ret = json_object_get_string(v);
        return true;
}

/* The device's type and its compatible or fwid: without "type" a device tree device with
 * "compatible" (ukify 257's files); with it, as ukify 258: "devicetree" takes "compatible",
 * "uefi-fw" takes "fwid", and the member of the other type must not be there. */
static bool device_type(json_object *obj, const char *file, uint32_t *ret_type, const char **ret_id) {
        static const struct {
                const char *type, *member, *other;
                uint32_t value;
        } types[] = {
                { "devicetree", "compatible", "fwid", HWIDS_TYPE_DEVICETREE },
                { "uefi-fw", "fwid", "compatible", HWIDS_TYPE_UEFI_FW },
        };
        json_object *v;
        if (!json_object_object_get_ex(obj, "type", &v)) {
                *ret_type = HWIDS_TYPE_DEVICETREE;
                return member_string(obj, file, "compatible", ret_id);
        }
        const char *type;
        if (!member_string(obj, file, "type", &type))
                return false;
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
                if (strcmp(type, types[i].type) != 0)
                        continue;
                if (json_object_object_get_ex(obj, types[i].other, &v))
                        return error("--hwids: %s: \"%s\" does not belong to a device of type \"%s\"", file,
                                     types[i].other, type), false;
                *ret_type = types[i].value;
                return member_string(obj, file, types[i].member, ret_id);
        }
        return error("--hwids: %s: unknown device type \"%s\" (devicetree, uefi-fw)", file, type), false;
}

DEFINE_CLEANUP_FUNC(json_object *, json_object_put)
DEFINE_CLEANUP_FUNC(json_tokener *, json_tokener_free)

typedef struct {
        Device *d;
        size_t n;
} DeviceList;

static void device_list_free(DeviceList *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->d[i].name);
                free(l->d[i].id);
                free(l->d[i].uuids);
        }
        free(l->d);
        *l = (DeviceList) {};
}

static void path_list_free(PathList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->paths[i]);
        free(l->paths);
        *l = (PathList) {};
}

/* One description file's contents (data, size; path names it in messages) into l: its device
 * (the one already there with the same type, name and compatible or fwid, else a new one) gets the file's
 * CHIDs, each once. test/fuzz/fuzz-hwids.c includes this file to reach it. */
static bool device_json(const char *path, const uint8_t *data, size_t size, DeviceList *l) {
        if (size > INT32_MAX)
                return error("--hwids: %s: not a JSON object", path), false;
        _cleanup_(json_tokener_freep) json_tokener *tok = json_tokener_new();
        _cleanup_(json_object_putp) json_object *obj =
                tok ? json_tokener_parse_ex(tok, (const char *) data, (int) size) : NULL;
        /* as Python's json.loads: nothing but white space after the value */
        size_t end = obj ? json_tokener_get_parse_end(tok) : 0;
        while (end < size && data[end] && strchr(" \t\n\r", data[end]))
                end++;
        bool parsed = obj && json_tokener_get_error(tok) == json_tokener_success && end == size;
        const char *name, *id;
        json_object *list;
        if (!parsed || !json_object_is_type(obj, json_type_object))
                return error("--hwids: %s: not a JSON object", path), false;
        uint32_t type;
        if (!member_string(obj, path, "name", &name) || !device_type(obj, path, &type, &id))
                return false;
        if (!json_object_object_get_ex(obj, "hwids", &list))
                return error("--hwids: hwid description file \"%s\" does not contain \"%s\"", path, "hwids"), false;
        if (!json_object_is_type(list, json_type_array))
                return error("--hwids: %s: \"hwids\" is not a list", path), false;

        size_t d;
        for (d = 0; d < l->n; d++)
                if (l->d[d].type == type && strcmp(l->d[d].name, name) == 0 && strcmp(l->d[d].id, id) == 0)
                        break;
        if (d == l->n) {
                Device *nd = realloc(l->d, (l->n + 1) * sizeof(*nd));
                if (!nd)
                        return error("out of memory"), false;
                l->d = nd;
                nd[l->n] = (Device) { type, strdup(name), strdup(id), NULL, 0 };
                if (!nd[l->n].name || !nd[l->n].id) {
                        free(nd[l->n].name);
                        free(nd[l->n].id);
                        return error("out of memory"), false;
                }
                l->n++;
        }
        Device *dv = &l->d[d];
        size_t len = json_object_array_length(list);
        for (size_t i = 0; i < len; i++) {
                json_object *u = json_object_array_get_idx(list, i);
                uint8_t g[16];
                if (!json_object_is_type(u, json_type_string) || !parse_uuid(json_object_get_string(u), g))
                        return error("--hwids: %s: \"hwids\" entry %zu is not a UUID string", path, i), false;
                bool dup = false;
                for (size_t k = 0; k < dv->n_uuids; k++)
                        dup |= memcmp(dv->uuids[k], g, 16) == 0;
                if (dup)
                        continue;
                uint8_t (*nu)[16] = realloc(dv->uuids, (dv->n_uuids + 1) * 16);
                if (!nu)
                        return error("out of memory"), false;
                dv->uuids = nu;
                memcpy(dv->uuids[dv->n_uuids++], g, 16);
        }
        return true;
}

static bool device_file(const char *path, DeviceList *l) {
        _cleanup_blob_ Blob b = {};
        return read_file(path, &b) && device_json(path, b.data, b.size, l);
}

/* The .hwids section for the devices (docs/stub.md): one entry per CHID, then the strings,
 * sorted and each once. */
static bool hwids_layout(const DeviceList *l, Blob *ret) {
        size_t n_entries = 1, n_strings = 0;
        for (size_t d = 0; d < l->n; d++)
                n_entries += l->d[d].n_uuids;
        _cleanup_free_ const char **strings = calloc(2 * l->n + 1, sizeof(*strings));
        if (!strings)
                return error("out of memory"), false;
        for (size_t d = 0; d < l->n; d++) {
                strings[n_strings++] = l->d[d].name;
                strings[n_strings++] = l->d[d].id;
        }
        qsort(strings, n_strings, sizeof(*strings), str_cmp);
        size_t u = 0;
        for (size_t i = 0; i < n_strings; i++)
                if (u == 0 || strcmp(strings[u - 1], strings[i]) != 0)
                        strings[u++] = strings[i];
        n_strings = u;
        size_t size = n_entries * HWIDS_ENTRY_SIZE;
        for (size_t i = 0; i < n_strings; i++)
                size += strlen(strings[i]) + 1;
        if (size > UINT32_MAX)
                return error("--hwids: the .hwids section would be larger than 4 GiB"), false;
        _cleanup_blob_ Blob out = { calloc(1, size), size };
        if (!out.data)
                return error("out of memory"), false;
        uint8_t *p = out.data;
        size_t at = n_entries * HWIDS_ENTRY_SIZE;
        _cleanup_free_ uint32_t *offs = calloc(n_strings + 1, sizeof(*offs));
        if (!offs)
                return error("out of memory"), false;
        for (size_t i = 0; i < n_strings; i++) {
                offs[i] = (uint32_t) at;
                memcpy(p + at, strings[i], strlen(strings[i]) + 1);
                at += strlen(strings[i]) + 1;
        }
        uint8_t *e = p;
        for (size_t d = 0; d < l->n; d++) {
                const char *key[2] = { l->d[d].name, l->d[d].id };
                const char **nm = bsearch(&key[0], strings, n_strings, sizeof(*strings), str_cmp);
                const char **cp = bsearch(&key[1], strings, n_strings, sizeof(*strings), str_cmp);
                if (l->d[d].n_uuids)   /* a device without CHIDs has none allocated: no qsort(NULL, 0) */
                        qsort(l->d[d].uuids, l->d[d].n_uuids, 16, uuid_cmp);
                for (size_t k = 0; k < l->d[d].n_uuids; k++, e += HWIDS_ENTRY_SIZE) {
                        const uint8_t *g = l->d[d].uuids[k];
                        static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
                        put_le32(e, l->d[d].type == HWIDS_TYPE_UEFI_FW ? HWIDS_DESCRIPTOR_UEFI_FW
                                                                       : HWIDS_DESCRIPTOR_DEVICETREE);
                        for (unsigned i = 0; i < 16; i++)
                                e[4 + i] = g[order[i]];
                        put_le32(e + 20, offs[nm - strings]);
                        put_le32(e + 24, offs[cp - strings]);
                }
        }
        *ret = blob_take(&out);
        return true;
}

bool hwids_pack_dir(const char *dir, Blob *ret) {
        _cleanup_(path_list_free) PathList files = {};
        _cleanup_(device_list_free) DeviceList devs = {};
        *ret = (Blob) {};

        if (!walk(dir, "", &files))
                return false;
        qsort(files.paths, files.n, sizeof(char *), path_cmp);
        for (size_t f = 0; f < files.n; f++) {
                char *p;
                if (asprintf(&p, "%s/%s", dir, files.paths[f]) < 0)
                        return error("out of memory"), false;
                _cleanup_free_ char *path = p;
                if (!device_file(path, &devs))
                        return false;
        }
        return hwids_layout(&devs, ret);
}
