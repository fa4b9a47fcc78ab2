/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb-sections.h"
#include "hwids.h"
#include "inputs.h"
#include "unaligned.h"

bool dtb_sections_add(SectionList *l, const char *const *dtbautos, size_t n_dtbauto, const char *hwids_dir) {
        for (size_t i = 0; i < n_dtbauto; i++) {
                if (!section_list_add_arg(l, ".dtbauto", dtbautos[i], true))
                        return false;
                Blob last = section_list_last(l);
                if (!dtb_check(&last, dtbautos[i]))
                        return false;
        }
        if (hwids_dir) {
                _cleanup_blob_ Blob h = {};
                if (!hwids_pack_dir(hwids_dir, &h) || !section_list_add_blob(l, ".hwids", &h))
                        return false;
        }
        return true;
}

/* The one file of an --efifw directory (ukify 258 takes the one entry glob('*') finds). */
static bool efifw_file(const char *dir, char **ret) {
        DIR *d = opendir(dir);
        if (!d)
                return error("--efifw: %s: %s", dir, strerror(errno)), false;
        char *found = NULL;
        bool ok = true;
        struct dirent *e;
        while (ok && (errno = 0, e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (found)
                        ok = false;
                else if (asprintf(&found, "%s/%s", dir, e->d_name) < 0) {
                        closedir(d);
                        return error("out of memory"), false;
                }
        }
        int err = errno;
        closedir(d);
        if (ok && err)
                return free(found), error("--efifw: %s: %s", dir, strerror(err)), false;
        if (!ok || !found)
                return free(found), error("--efifw: %s must contain exactly one firmware image file", dir), false;
        *ret = found;
        return true;
}

bool efifw_sections_add(SectionList *l, const char *const *dirs, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *file = NULL, *copy = strdup(dirs[i]);
                _cleanup_blob_ Blob fw = {};
                if (!copy)
                        return error("out of memory"), false;
                /* the id is the directory's own name, as Python's Path(dir).parts[-1] */
                size_t len = strlen(copy);
                while (len > 1 && copy[len - 1] == '/')
                        copy[--len] = 0;
                const char *id = strrchr(copy, '/') ? strrchr(copy, '/') + 1 : copy;
                if (!*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
                        return error("--efifw: %s: the directory's name is the firmware id: give it by name", dirs[i]),
                               false;
                if (!efifw_file(dirs[i], &file) || !read_file(file, &fw))
                        return false;
                if (fw.size == 0)
                        return error("--efifw: %s is a zero byte file", file), false;
                size_t idl = strlen(id) + 1, size = 16 + idl + fw.size;
                if (fw.size > UINT32_MAX || size > UINT32_MAX)
                        return error("--efifw: %s is larger than 4 GiB", file), false;
                _cleanup_blob_ Blob b = { calloc(1, size), size };
                if (!b.data)
                        return error("out of memory"), false;
                put_le32(b.data, UINT32_C(0xfeeddead));
                put_le32(b.data + 4, 16);
                put_le32(b.data + 8, (uint32_t) idl);
                put_le32(b.data + 12, (uint32_t) fw.size);
                memcpy(b.data + 16, id, idl);
                memcpy(b.data + 16 + idl, fw.data, fw.size);
                if (!section_list_add_blob(l, ".efifw", &b))
                        return false;
        }
        return true;
}
