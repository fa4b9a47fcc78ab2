/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot step: UKI add-ons, with systemd-stub 257's rules (docs/stub.md "Add-ons"):
 *   - \loader\addons\*.addon.efi (global), then <uki>.extra.d\*.addon.efi (this UKI's), each
 *     directory sorted by name; the file name rules are those of the side-loaded files
 *     (extra-files.c: no '.' first, ASCII, at most 255 characters, suffix without case).
 *   - Each is loaded by the firmware with LoadImage from its device path: under Secure Boot the
 *     firmware checks its signature, and behind shim shim's verification is asked first
 *     (shim.c), and a refused add-on is unloaded and left out. It is never started. The
 *     sections are then read from the loaded image (src/fundamental/uki-addon.c: no .linux, a
 *     .uname matching the UKI's, at least one of .cmdline .dtb .dtbauto .initrd .ucode).
 *   - .cmdline: all add-ons' texts joined with spaces (global first), measured into PCR 12 as
 *     one event and appended after the UKI's command line (or the boot manager's), before the
 *     SMBIOS extra.
 *   - .ucode: in front of the whole initrd, in reverse order (the kernel takes the first
 *     microcode it finds, so the last add-on wins); .initrd: after everything else. Each is
 *     measured into PCR 12 as an EV_EVENT_TAG event with the add-on's file name.
 *   - .dtb/.dtbauto: the add-on's .dtbauto that matches this machine (the firmware's device
 *     tree's model, else the add-on's own .hwids; src/fundamental/uki-dtb.c), else its .dtb,
 *     copied while the firmware's table is still the firmware's. After the UKI's own device
 *     tree each one is installed in turn (devicetree.c), replacing the one before (the last
 *     wins: no overlays), and measured into PCR 12 (EV_EVENT_TAG, the file name).
 */
#include "addons.h"
#include "cmdline.h"
#include "cmdline-append.h"
#include "devicetree.h"
#include "extra-files.h"
#include "file-path.h"
#include "log.h"
#include "measure.h"
#include "proto/device-path.h"
#include "pe.h"
#include "shim.h"
#include "uki-addon.h"
#include "uki-dtb.h"
#include "util.h"

#define INITRD_ADDON_EVENT_TAG_ID UINT32_C(0x49dffe0f)
#define UCODE_ADDON_EVENT_TAG_ID UINT32_C(0xdac08e1a)
#define DEVICETREE_ADDON_EVENT_TAG_ID UINT32_C(0x6c46f751)

#define PATH_MAX16 1024u     /* units: directory + '\' + name */

void addons_free(Addons *a) {
        for (size_t i = 0; i < a->n; i++) {
                if (a->items[i].initrd)
                        BS->FreePool(a->items[i].initrd);
                if (a->items[i].ucode)
                        BS->FreePool(a->items[i].ucode);
                if (a->items[i].dtb)
                        BS->FreePool(a->items[i].dtb);
        }
        if (a->items)
                BS->FreePool(a->items);
        if (a->cmdline)
                BS->FreePool(a->cmdline);
        *a = (Addons) {};
}

static void *pool_dup(const void *p, size_t n) {
        void *d;
        if (BS->AllocatePool(EfiLoaderData, n ? n : 1, &d) != EFI_SUCCESS)
                return NULL;
        memcpy(d, p, n);
        return d;
}

/* Append text (UTF-8, n bytes, normalised like a command line) to a->cmdline with a space. */
static void cmdline_add(Addons *a, const uint8_t *text, size_t n, const char *name) {
        _cleanup_pool_ char16_t *s = NULL;
        if (n > UINT32_MAX / sizeof(char16_t) / 2 ||
            BS->AllocatePool(EfiLoaderData, (n + 1) * sizeof(char16_t), (void **) &s) != EFI_SUCCESS) {
                log_error_status(EFI_OUT_OF_RESOURCES, "add-on %s: cannot convert .cmdline, ignored", name);
                return;
        }
        size_t units = cmdline_utf8_to_ucs2((const char *) text, n, s, n + 1);
        if (units == SIZE_MAX) {
                log_error_status(EFI_INVALID_PARAMETER, "add-on %s: cannot convert .cmdline, ignored", name);
                return;
        }
        units = measure_mangle_cmdline(s, units);
        size_t old = a->cmdline_len, total = old + (old ? 1 : 0) + units + 1;
        char16_t *out;
        if (BS->AllocatePool(EfiLoaderData, total * sizeof(char16_t), (void **) &out) != EFI_SUCCESS) {
                log_error_status(EFI_OUT_OF_RESOURCES, "add-on %s: cannot append its .cmdline, ignored", name);
                return;
        }
        size_t k = 0;
        if (old) {
                memcpy(out, a->cmdline, old * sizeof(char16_t));
                k = old;
                out[k++] = ' ';
        }
        memcpy(out + k, s, units * sizeof(char16_t));
        out[k + units] = 0;
        if (a->cmdline)
                BS->FreePool(a->cmdline);
        a->cmdline = out;
        a->cmdline_len = k + units;
}

/* The add-on's device tree as sd-stub 257 picks it (uki-dtb.c): its whole section table,
 * matched against this machine. NONE when it has none that applies. */
static UkiDtbKind choose_devicetree(const PeView *v, const char *name, UkiDtbChoice *c) {
        UkiDtbMachine m;
        devicetree_machine(v, &m);
        /* the UKI's own rule (devicetree.c), on all of the add-on's sections */
        UkiDtbKind k = uki_dtb_choose_addon(v, &m, c);
        if (k != UKI_DTB_AUTO && c->n_hwids > 0)
                log_info("add-on %s: .hwids: %s", name,
                         c->hwids[0].result == HWIDS_OK ? "the entry for this machine names no .dtbauto here" :
                                                          hwids_verdict(c->hwids[0].result));
        return k;
}

/* Load one add-on through the firmware and take its sections. */
static void load_one(EFI_HANDLE image, EFI_LOADED_IMAGE_PROTOCOL *li, const char16_t *dir, const char *name,
                     const uint8_t *uname, size_t uname_size, Addons *a) {
        static const EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
        char16_t path[PATH_MAX16];
        size_t k = strnlen16(dir, PATH_MAX16), nl = strlen(name);
        if (k + 1 + nl + 1 > PATH_MAX16) {
                log_error_status(EFI_INVALID_PARAMETER, "add-on %s: path longer than %u characters, ignored", name,
                                 (unsigned) PATH_MAX16 - 1);
                return;
        }
        memcpy(path, dir, k * sizeof(char16_t));
        path[k++] = '\\';
        for (size_t i = 0; i <= nl; i++)
                path[k + i] = (char16_t) (uint8_t) name[i];

        _cleanup_pool_ EFI_DEVICE_PATH_PROTOCOL *dp = NULL;
        EFI_STATUS err = file_device_path(li->DeviceHandle, path, PATH_MAX16, &dp);
        if (err != EFI_SUCCESS) {
                log_error_status(err, "add-on %s: cannot make its device path, ignored", name);
                return;
        }
        EFI_HANDLE h = NULL;
        ShimVerdict shim;
        err = shim_load_image(image, dp, li->DeviceHandle, path, &h, &shim);
        if (err != EFI_SUCCESS) {
                /* EFI_SECURITY_VIOLATION still creates a handle (UEFI spec): unload it */
                if (h)
                        (void) BS->UnloadImage(h);
                if (err == EFI_SECURITY_VIOLATION || err == EFI_ACCESS_DENIED)
                        log_error_status(err, "add-on %s: refused by %s Secure Boot verification, ignored", name,
                                         shim == SHIM_ABSENT  ? "the firmware's" :
                                         shim == SHIM_REFUSED ? "shim's and the firmware's" :
                                                                "shim's or the firmware's");
                else
                        log_error_status(err, "add-on %s: the firmware cannot load it, ignored", name);
                return;
        }
        EFI_LOADED_IMAGE_PROTOCOL *ali;
        err = BS->HandleProtocol(h, &li_guid, (void **) &ali);
        if (err != EFI_SUCCESS || !ali || !ali->ImageBase) {
                (void) BS->UnloadImage(h);
                log_error_status(err != EFI_SUCCESS ? err : EFI_NOT_FOUND, "add-on %s: no loaded image protocol, ignored",
                                 name);
                return;
        }
        size_t ul = 0;
        while (uname && ul < uname_size && uname[ul])
                ul++;
        /* its headers, read once, for its sections and its device tree */
        PeView v;
        UkiAddon s;
        UkiAddonResult r = UKI_ADDON_BAD_PE;
        if (pe_parse_layout(ali->ImageBase, (size_t) ali->ImageSize, PE_LAYOUT_MEMORY, &v) == PE_OK)
                r = uki_addon_parse(&v, uname ? (const char *) uname : NULL, ul, &s);
        if (r != UKI_ADDON_OK) {
                (void) BS->UnloadImage(h);
                log_error_status(EFI_LOAD_ERROR, "add-on %s: %s, ignored", name, uki_addon_strerror(r));
                return;
        }
        /* .dtbauto counts only when it matches this machine (257: else the add-on may have nothing) */
        UkiDtbChoice dt = {};
        if (s.data[UKI_ADDON_DTB] || s.data[UKI_ADDON_DTBAUTO])
                (void) choose_devicetree(&v, name, &dt);
        if (!dt.data && !s.data[UKI_ADDON_CMDLINE] && !s.data[UKI_ADDON_INITRD] && !s.data[UKI_ADDON_UCODE]) {
                (void) BS->UnloadImage(h);
                log_error_status(EFI_NOT_FOUND, "add-on %s: no .cmdline, .dtb, .initrd or .ucode and no .dtbauto for "
                                 "this machine, ignored", name);
                return;
        }
        AddonBlobs *b = &a->items[a->n];
        *b = (AddonBlobs) {};
        memcpy(b->name, name, nl + 1);
        if (s.data[UKI_ADDON_CMDLINE])
                cmdline_add(a, s.data[UKI_ADDON_CMDLINE], s.size[UKI_ADDON_CMDLINE], name);
        if (s.data[UKI_ADDON_INITRD]) {
                if ((b->initrd = pool_dup(s.data[UKI_ADDON_INITRD], s.size[UKI_ADDON_INITRD])))
                        b->initrd_size = s.size[UKI_ADDON_INITRD];
                else
                        log_error_status(EFI_OUT_OF_RESOURCES, "add-on %s: cannot copy its .initrd, left out", name);
        }
        if (s.data[UKI_ADDON_UCODE]) {
                if ((b->ucode = pool_dup(s.data[UKI_ADDON_UCODE], s.size[UKI_ADDON_UCODE])))
                        b->ucode_size = s.size[UKI_ADDON_UCODE];
                else
                        log_error_status(EFI_OUT_OF_RESOURCES, "add-on %s: cannot copy its .ucode, left out", name);
        }
        if (dt.data) {
                if ((b->dtb = pool_dup(dt.data, dt.size))) {
                        b->dtb_size = dt.size;
                        b->dtb_auto = dt.kind == UKI_DTB_AUTO;
                        a->n_dtb++;
                } else
                        log_error_status(EFI_OUT_OF_RESOURCES, "add-on %s: cannot copy its device tree, left out", name);
        }
        a->n++;
        (void) BS->UnloadImage(h);
        log_info("add-on %s: used (%s%s%s%s)%s", name, s.data[UKI_ADDON_CMDLINE] ? " .cmdline" : "",
                 b->initrd ? " .initrd" : "", b->ucode ? " .ucode" : "",
                 !b->dtb ? "" : b->dtb_auto ? " .dtbauto" : " .dtb", shim == SHIM_ACCEPTED ? ", verified by shim" : "");
}

void addons_load(EFI_HANDLE image, EFI_LOADED_IMAGE_PROTOCOL *li, const uint8_t *uname, size_t uname_size,
                 Addons *ret) {
        static const char16_t *const dirs[2] = { u"\\loader\\addons", NULL /* <uki>.extra.d */ };
        *ret = (Addons) {};
        if (!li->DeviceHandle)
                return;
        for (size_t d = 0; d < 2; d++) {
                char16_t dir[PATH_MAX16];
                ExtraName *names;
                size_t n;
                EFI_STATUS err = extra_list_names(li, dirs[d], ".addon.efi", ADDONS_MAX, &names, &n, dir, PATH_MAX16);
                if (err != EFI_SUCCESS) {
                        /* as sd-stub 257: a directory that cannot be read gives no add-ons */
                        log_error_status(err, "cannot read the %s add-on directory, ignored", d == 0 ? "global" : "UKI's");
                        n = 0;
                }
                if (n == 0) {
                        if (names)
                                BS->FreePool(names);
                        continue;
                }
                if (!ret->items) {
                        err = BS->AllocatePool(EfiLoaderData, 2 * ADDONS_MAX * sizeof(AddonBlobs), (void **) &ret->items);
                        if (err != EFI_SUCCESS) {
                                ret->items = NULL;
                                log_error_status(err, "no memory for the add-ons' list: every add-on ignored");
                                BS->FreePool(names);
                                return;
                        }
                }
                for (size_t i = 0; i < n; i++)
                        load_one(image, li, dir, names[i].name, uname, uname_size, ret);
                BS->FreePool(names);
        }
}

bool addons_cmdline_append(const Addons *a, char16_t **buf, uint32_t *size, bool *measured) {
        *measured = false;
        if (!a->cmdline)
                return false;
        /* the joined text normalised once more, as sd-stub does; nothing when blank */
        _cleanup_pool_ char16_t *s = pool_dup(a->cmdline, (a->cmdline_len + 1) * sizeof(char16_t));
        if (!s)
                return log_error_status(EFI_OUT_OF_RESOURCES, "cannot copy the add-ons' command line, not appended"),
                       false;
        size_t units = measure_mangle_cmdline(s, a->cmdline_len);
        if (units == 0)
                return false;
        if (!cmdline_append_measured(buf, size, s, units, "the add-ons' command line", measured))
                return false;
        log_info("appended the add-ons' command line (%lu characters)", (uint64_t) units);
        return true;
}

/* The file name as the event's description, UTF-16 as sd-stub 257 writes it (names are at most
 * 255 characters, the longest description measure.c takes). */
static bool measure_blob(const void *data, size_t size, uint32_t tag, const char *name) {
        char desc[256];
        size_t n = strlen(name);
        if (n >= sizeof(desc))
                n = sizeof(desc) - 1;
        memcpy(desc, name, n);
        desc[n] = 0;
        return measure_tagged_utf16(PCR_KERNEL_CONFIG, data, size, tag, desc);
}

int addons_measure_initrds(const Addons *a) {
        int m = -1;
        for (size_t i = a->n; i > 0; i--) {
                const AddonBlobs *b = &a->items[i - 1];
                if (b->ucode) {
                        bool ok = measure_blob(b->ucode, b->ucode_size, UCODE_ADDON_EVENT_TAG_ID, b->name);
                        m = (m != 0) && ok;
                }
        }
        for (size_t i = 0; i < a->n; i++) {
                const AddonBlobs *b = &a->items[i];
                if (b->initrd) {
                        bool ok = measure_blob(b->initrd, b->initrd_size, INITRD_ADDON_EVENT_TAG_ID, b->name);
                        m = (m != 0) && ok;
                }
        }
        return m;
}

int addons_install_devicetrees(const Addons *a, DtState *st) {
        int m = -1;
        for (size_t i = 0; i < a->n; i++) {
                const AddonBlobs *b = &a->items[i];
                if (!b->dtb)
                        continue;
                EFI_STATUS err = devicetree_install(st, b->dtb, b->dtb_size);
                if (err != EFI_SUCCESS) {
                        log_error_status(err, "add-on %s: cannot install its device tree, ignored", b->name);
                        continue;
                }
                log_info("add-on %s: installed its device tree from %s (%lu bytes)", b->name,
                         b->dtb_auto ? ".dtbauto" : ".dtb", (uint64_t) b->dtb_size);
                bool ok = measure_blob(b->dtb, b->dtb_size, DEVICETREE_ADDON_EVENT_TAG_ID, b->name);
                m = (m != 0) && ok;
        }
        return m;
}
