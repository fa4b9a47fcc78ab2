/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shim as a second opinion for images we have the firmware load (add-ons, addons.c).
 *
 * Behind shim (a Microsoft-signed first stage whose own keys, MokList and its built-in vendor
 * certificate, are not in the firmware's db), the boot manager and this stub were verified by
 * shim; an add-on signed with the same distribution key would be refused by the firmware's
 * LoadImage, which knows only db. systemd-stub 257 therefore hooks the firmware's verification
 * while it loads an add-on: shim's Verify first, the firmware's check when shim says no. We do
 * the same. shim must still be there when we run: shim removes SHIM_LOCK when the boot manager it
 * started starts the next image, unless the boot manager set ShimRetainProtocol (sd-boot 257
 * does; shim 15.8 and later honour it); started by shim directly, we find it too.
 *
 * The hooks replace function pointers in firmware-owned protocol structures, for the length of
 * one LoadImage call, and are put back before we return (the firmware's own pointers, saved).
 * Only under Secure Boot, as 257. shim 16 puts its own LoadImage in the firmware's place, which
 * verifies and loads by itself and never reaches these hooks: then shim has decided alone.
 */
#include "log.h"
#include "proto/security-arch.h"
#include "proto/shim-lock.h"
#include "proto/simple-file-system.h"
#include "secure-boot.h"
#include "shim.h"
#include "stack-protector.h"
#include "util.h"

#define FILE_MAX (UINT32_C(1) << 30)   /* shim's Verify takes a 32-bit size; an add-on is far smaller */

/* What the hooks need while LoadImage runs; boot services are not reentrant, so one is enough. */
typedef struct {
        SHIM_LOCK_PROTOCOL *shim;
        EFI_HANDLE device;
        const char16_t *path;
        const EFI_DEVICE_PATH_PROTOCOL *dp;   /* the file's device path, as we gave it to LoadImage */
        EFI_SECURITY_ARCH_PROTOCOL *sec;
        EFI_STATUS (EFIAPI *sec_orig)(const EFI_SECURITY_ARCH_PROTOCOL *, uint32_t, const EFI_DEVICE_PATH_PROTOCOL *);
        EFI_SECURITY2_ARCH_PROTOCOL *sec2;
        EFI_STATUS (EFIAPI *sec2_orig)(const EFI_SECURITY2_ARCH_PROTOCOL *, const EFI_DEVICE_PATH_PROTOCOL *, void *,
                                       size_t, bool);
        bool asked, accepted;
} ShimHook;
static ShimHook hook;

static bool shim_accepts(const void *buf, size_t size) {
        if (!buf || size == 0 || size > FILE_MAX)
                return false;
        bool ok = hook.shim->Verify(buf, (uint32_t) size) == EFI_SUCCESS;
        hook.asked = true;
        hook.accepted |= ok;
        return ok;
}

/* Bytes of a device path up to and with its End node; 0 when it is malformed or longer than max. */
static size_t dp_size(const EFI_DEVICE_PATH_PROTOCOL *dp, size_t max) {
        const uint8_t *p = (const uint8_t *) dp;
        for (size_t len = 0; dp && len + sizeof(EFI_DEVICE_PATH_PROTOCOL) <= max;) {
                EFI_DEVICE_PATH_PROTOCOL n;
                memcpy(&n, p + len, sizeof(n));
                if (n.Length < sizeof(n) || n.Length > max - len)
                        return 0;
                len += n.Length;
                if (n.Type == END_DEVICE_PATH_TYPE)
                        return len;
        }
        return 0;
}

/* Whether the firmware asks about our file (the Security protocol names it by device path
 * only): the same bytes as the device path we gave LoadImage. */
static bool is_our_file(const EFI_DEVICE_PATH_PROTOCOL *file) {
        size_t ours = dp_size(hook.dp, SIZE_MAX);
        return ours > 0 && dp_size(file, ours) == ours && memcmp(file, hook.dp, ours) == 0;
}

/* Security (the older protocol) gives only a device path: read the file ourselves. It is the
 * file we are loading (hook.device, hook.path), which is what that device path names. */
static bool shim_accepts_file(void) {
        static const EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
        EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
        _cleanup_file_ EFI_FILE_PROTOCOL *root = NULL, *f = NULL;
        uint64_t size = 0;
        if (BS->HandleProtocol(hook.device, &fs_guid, (void **) &fs) != EFI_SUCCESS || !fs ||
            fs->OpenVolume(fs, &root) != EFI_SUCCESS ||
            root->Open(root, &f, hook.path, EFI_FILE_MODE_READ, 0) != EFI_SUCCESS ||
            f->SetPosition(f, UINT64_MAX) != EFI_SUCCESS || f->GetPosition(f, &size) != EFI_SUCCESS ||
            f->SetPosition(f, 0) != EFI_SUCCESS || size == 0 || size > FILE_MAX)
                return false;
        _cleanup_pool_ void *buf = NULL;
        if (file_read_pool(f, size, &buf) != EFI_SUCCESS)
                return false;
        return shim_accepts(buf, (size_t) size);
}

static EFI_STATUS EFIAPI security_hook(const EFI_SECURITY_ARCH_PROTOCOL *this, uint32_t status,
                                       const EFI_DEVICE_PATH_PROTOCOL *file) {
        if (is_our_file(file) && shim_accepts_file())
                return EFI_SUCCESS;
        return hook.sec_orig(this, status, file);
}

static EFI_STATUS EFIAPI security2_hook(const EFI_SECURITY2_ARCH_PROTOCOL *this, const EFI_DEVICE_PATH_PROTOCOL *dp,
                                        void *buf, size_t size, bool boot_policy) {
        /* the bytes the firmware is about to load; without them, our file if it is the one */
        if (buf ? shim_accepts(buf, size) : is_our_file(dp) && shim_accepts_file())
                return EFI_SUCCESS;
        return hook.sec2_orig(this, dp, buf, size, boot_policy);
}

void shim_unhook(void) {
        if (hook.sec)
                hook.sec->FileAuthenticationState = hook.sec_orig;
        if (hook.sec2)
                hook.sec2->FileAuthentication = hook.sec2_orig;
        hook.sec = NULL;
        hook.sec2 = NULL;
        stack_protector_undo_set(STACK_UNDO_SHIM, NULL);
}

EFI_STATUS shim_load_image(EFI_HANDLE parent, EFI_DEVICE_PATH_PROTOCOL *dp, EFI_HANDLE device, const char16_t *path,
                           EFI_HANDLE *ret, ShimVerdict *ret_shim) {
        static const EFI_GUID shim_guid = SHIM_LOCK_GUID, sec_guid = EFI_SECURITY_ARCH_PROTOCOL_GUID,
                              sec2_guid = EFI_SECURITY2_ARCH_PROTOCOL_GUID;
        SHIM_LOCK_PROTOCOL *shim = NULL;
        *ret_shim = SHIM_ABSENT;
        if (BS->LocateProtocol(&shim_guid, NULL, (void **) &shim) != EFI_SUCCESS || !shim || !shim->Verify)
                return BS->LoadImage(false, parent, dp, NULL, 0, ret);
        /* Without Secure Boot there is nothing to verify, and shim's Verify would say yes to
         * anything after measuring it into PCR 4, where the firmware measures too: as 257, no
         * hook then. */
        *ret_shim = SHIM_NOT_ASKED;
        if (!secure_boot_enabled())
                return BS->LoadImage(false, parent, dp, NULL, 0, ret);

        hook = (ShimHook) { .shim = shim, .device = device, .path = path, .dp = dp };
        EFI_SECURITY_ARCH_PROTOCOL *sec = NULL;
        EFI_SECURITY2_ARCH_PROTOCOL *sec2 = NULL;
        if (BS->LocateProtocol(&sec_guid, NULL, (void **) &sec) == EFI_SUCCESS && sec && sec->FileAuthenticationState) {
                hook.sec = sec;
                hook.sec_orig = sec->FileAuthenticationState;
                sec->FileAuthenticationState = security_hook;
        }
        if (BS->LocateProtocol(&sec2_guid, NULL, (void **) &sec2) == EFI_SUCCESS && sec2 && sec2->FileAuthentication) {
                hook.sec2 = sec2;
                hook.sec2_orig = sec2->FileAuthentication;
                sec2->FileAuthentication = security2_hook;
        }
        if (!hook.sec && !hook.sec2)
                log_warning("shim is there, but the firmware has no security protocol to ask it through");
        else
                stack_protector_undo_set(STACK_UNDO_SHIM, shim_unhook);

        EFI_STATUS err = BS->LoadImage(false, parent, dp, NULL, 0, ret);

        shim_unhook();
        *ret_shim = hook.accepted ? SHIM_ACCEPTED : hook.asked ? SHIM_REFUSED : SHIM_NOT_ASKED;
        hook = (ShimHook) {};
        return err;
}
