/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The initrd the UKI stub hands the kernel, made of parts in systemd-stub 257's order (later
 * archives may replace files of earlier ones; the kernel's early microcode loader reads only
 * the first archive, so .ucode must come first):
 *   0. the add-ons' .ucode, last add-on first (addons.c; PCR 12)
 *   1. .ucode                          (section, measured in PCR 11 with the others)
 *   2. the boot manager's initrd       (sd-stub 262's place, so .initrd's files win; 257 does
 *                                       not take it; not under Secure Boot when there is an
 *                                       .initrd, where 262 still takes it)
 *   3. .initrd                         (section, PCR 11)
 *   4. credentials (<uki>.extra.d)     (cpio, PCR 12)
 *   5. global credentials (\loader\credentials)  (cpio, PCR 12)
 *   6. system extensions               (cpio, PCR 13)
 *   7. global system extensions (\loader\extensions; sd-stub 258)  (cpio, PCR 13)
 *   8. configuration extensions        (cpio, PCR 12)
 *   9. global configuration extensions (\loader\extensions; sd-stub 258)  (cpio, PCR 12)
 *  10. .pcrsig -> /.extra/tpm2-pcr-signature.json   (cpio, not measured: sd-stub's rule)
 *  11. .pcrpkey -> /.extra/tpm2-pcr-public-key.pem  (cpio, not measured; the section is, in PCR 11)
 *  12. .osrel -> /.extra/os-release                (likewise)
 *  13. .profile -> /.extra/profile                 (likewise)
 *  14. the boot secret -> /.extra/boot-secret, mode 0400 (sd-stub 262; not measured)
 *  15. the add-ons' .initrd, in add-on order (addons.c; PCR 12)
 * More than one part: each is padded with zeros to 4 bytes and all are copied into one buffer
 * (the boot manager's is read straight into its place): pages below initrd_addr_max on the
 * native x86 path (place_below), which x86_boot() hands the kernel as they are, else pool,
 * served by our LoadFile2 (initrd.c); a single part is passed as it is (sd-stub does the
 * same, so the PCR 9 measurement of the initrd the kernel gets matches).
 */
#include "bench.h"
#include "initrd-layout.h"
#include "initrd-list.h"
#include "initrd-place.h"
#include "initrd.h"
#include "log.h"
#include "measure.h"
#include "util.h"

enum { LIT_PCRSIG, LIT_PCRPKEY, LIT_OSREL, LIT_PROFILE, LIT_BOOT_SECRET, _LIT_MAX };
_Static_assert(ELEMENTSOF(((InitrdList *) 0)->literal) == _LIT_MAX, "InitrdList.literal: one per /.extra file");

static const struct {
        const char *name;
        uint32_t mode;
} literals[_LIT_MAX] = {
        [LIT_PCRSIG] = { "tpm2-pcr-signature.json", 0444 },
        [LIT_PCRPKEY] = { "tpm2-pcr-public-key.pem", 0444 },
        [LIT_OSREL] = { "os-release", 0444 },
        [LIT_PROFILE] = { "profile", 0444 },
        [LIT_BOOT_SECRET] = { "boot-secret", 0400 },   /* root's alone, as sd-stub 262 */
};

static void initrd_list_wipe_secret(InitrdList *l) {
        /* the combined initrd holds a copy of the boot secret: wiped too (the kernel did not start) */
        if (l->had_boot_secret && l->data && (l->combined || l->data == pages_ptr(&l->pages)))
                memset((void *) l->data, 0, l->size);
        if (l->literal[LIT_BOOT_SECRET].data)
                memset(l->literal[LIT_BOOT_SECRET].data, 0, l->literal[LIT_BOOT_SECRET].size);
}

void initrd_list_free(InitrdList *l) {
        initrd_list_wipe_secret(l);   /* before the pools and pages are given back */
        for (size_t i = 0; i < _EXTRA_MAX; i++)
                if (l->extra[i].data)
                        BS->FreePool(l->extra[i].data);
        for (size_t i = 0; i < ELEMENTSOF(l->literal); i++)
                if (l->literal[i].data)
                        BS->FreePool(l->literal[i].data);
        free_pagesp(&l->pages);
        if (l->combined)
                BS->FreePool(l->combined);
        *l = (InitrdList) {};
}

void initrd_list_keep(InitrdList *l) {
        initrd_list_wipe_secret(l);
        *l = (InitrdList) {};
}

EFI_STATUS initrd_list_build(EFI_LOADED_IMAGE_PROTOCOL *li, bool secure_boot, InitrdList *l) {
        EFI_STATUS err;

        l->data = NULL;
        l->size = 0;

        /* Side-loaded files, in sd-stub's order (which is also the order of the measurements). */
        int measured[_EXTRA_MAX];
        for (size_t k = 0; k < _EXTRA_MAX; k++)
                extra_files_pack(li, (ExtraKind) k, &l->extra[k], &measured[k]);
        /* only the credentials count towards StubPcrKernelParameters: sd-stub 257 keeps the
         * confexts' flag apart (StubPcrInitRDConfExts), though they go into PCR 12 too */
        measured_set_add_result(&l->params_measured, measured[EXTRA_CREDENTIALS]);
        measured_set_add_result(&l->params_measured, measured[EXTRA_GLOBAL_CREDENTIALS]);
        l->sysexts_measured = measured[EXTRA_SYSEXT] > 0 || measured[EXTRA_GLOBAL_SYSEXT] > 0;
        l->confexts_measured = measured[EXTRA_CONFEXT] > 0 || measured[EXTRA_GLOBAL_CONFEXT] > 0;

        /* Sections that systemd in the initrd reads as files. */
        const InitrdPart boot_secret = { l->boot_secret, l->boot_secret ? BOOT_SECRET_SIZE : 0 };
        const InitrdPart *lit_src[_LIT_MAX] = { &l->pcrsig, &l->pcrpkey, &l->osrel, &l->profile, &boot_secret };
        for (size_t i = 0; i < _LIT_MAX; i++)
                if (lit_src[i]->data && lit_src[i]->size > 0)
                        extra_literal_pack_mode(lit_src[i]->data, lit_src[i]->size, literals[i].name, literals[i].mode,
                                                &l->literal[i]);

        /* the add-ons' .ucode and .initrd, measured after the side-loaded files (sd-stub's order) */
        if (l->addons)
                measured_set_add_result(&l->params_measured, addons_measure_initrds(l->addons));

        InitrdPart parts[3 + _EXTRA_MAX + _LIT_MAX + 4 * ADDONS_MAX];
        const char *names[ELEMENTSOF(parts)];
        size_t n = 0;
#define ADD(d, s, what) do { if ((s) > 0) { parts[n] = (InitrdPart) { (d), (s) }; names[n++] = (what); } } while (0)
        for (size_t i = l->addons ? l->addons->n : 0; i > 0; i--)
                ADD(l->addons->items[i - 1].ucode, l->addons->items[i - 1].ucode_size, "add-on .ucode");
        ADD(l->ucode.data, l->ucode.size, ".ucode");
        size_t bm_at = n;   /* the boot manager's goes here: after the microcode, before .initrd */
        ADD(l->initrd.data, l->initrd.size, ".initrd");
        for (size_t k = 0; k < _EXTRA_MAX; k++)
                ADD(l->extra[k].data, l->extra[k].size, "side-loaded");
        for (size_t i = 0; i < _LIT_MAX; i++)
                ADD(l->literal[i].data, l->literal[i].size, "/.extra file");
        for (size_t i = 0; l->addons && i < l->addons->n; i++)
                ADD(l->addons->items[i].initrd, l->addons->items[i].initrd_size, "add-on .initrd");
        if (n == 0)
                return EFI_SUCCESS;   /* nothing of ours: the boot manager's initrd, if any, stays as it is */

        /* The boot manager's initrd, before .initrd as sd-stub 262 places it (so a file both
         * have is .initrd's). Under Secure Boot it is not signed and an .initrd is: anyone able to
         * write the ESP could add files .initrd lacks (a unit, a hook), so it is ignored. */
        if (initrd_is_registered()) {
                if (secure_boot && l->initrd.size > 0)
                        log_warning("Secure Boot: ignoring the boot manager's initrd, using .initrd only");
                else {
                        /* read later, straight into its place in the combined buffer */
                        size_t size = 0;
                        err = initrd_registered_size(&size);
                        if (err != EFI_SUCCESS)
                                return log_error_status(err, "cannot read the initrd the boot manager registered");
                        if (size > 0) {
                                for (size_t i = n; i > bm_at; i--) {
                                        parts[i] = parts[i - 1];
                                        names[i] = names[i - 1];
                                }
                                parts[bm_at] = (InitrdPart) { NULL, size };
                                names[bm_at] = "the boot manager's";
                                n++;
                                if (l->initrd.size > 0)
                                        log_info("initrd: .initrd (%lu bytes) after the boot manager's (%lu bytes)",
                                                 (uint64_t) l->initrd.size, (uint64_t) size);
                                else
                                        log_info("initrd: the boot manager's (%lu bytes) with parts of ours",
                                                 (uint64_t) size);
                        }
                }
        }
#undef ADD

        if (n == 1) {   /* never the boot manager's alone: it only comes with a part of ours */
                l->data = parts[0].data;
                l->size = parts[0].size;
                log_info("initrd: %s, %lu bytes", names[0], (uint64_t) l->size);
                return EFI_SUCCESS;
        }
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
                if (!initrd_layout_add(&total, parts[i].size, NULL))
                        return log_error_status(EFI_BAD_BUFFER_SIZE, "combined initrd too large");
        /* Where the kernel will read it (native x86: pages below initrd_addr_max, x86_boot()
         * uses them in place), else pool, which the LoadFile2 we register serves from. */
        uint8_t *buf;
        if (l->place_below) {
                err = initrd_place_alloc(total, l->place_below, &l->pages);
                buf = pages_ptr(&l->pages);
        } else {
                err = BS->AllocatePool(EfiLoaderData, total, (void **) &buf);
                if (err == EFI_SUCCESS) {
                        l->combined = buf;
                        bench_alloc(total);
                }
        }
        if (err != EFI_SUCCESS)
                return log_error_status(err, "cannot allocate %lu bytes for the combined initrd", (uint64_t) total);
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
                size_t off;
                (void) initrd_layout_add(&at, parts[i].size, &off);   /* fits: the same sums as above */
                if (!parts[i].data) {
                        err = initrd_registered_read(buf + off, parts[i].size);
                        if (err != EFI_SUCCESS)
                                return log_error_status(err, "cannot read the initrd the boot manager registered");
                } else {
                        memcpy(buf + off, parts[i].data, parts[i].size);
                        bench_copied(parts[i].size);
                }
                memset(buf + off + parts[i].size, 0, at - off - parts[i].size);
                log_debug("initrd part %lu: %s, %lu bytes at offset %lu", (uint64_t) i + 1, names[i],
                         (uint64_t) parts[i].size, (uint64_t) off);
        }
        /* the boot secret's own archive is in the combined initrd now: wiped and freed (a kernel
         * that starts would otherwise get the pool back with the secret in it) */
        if (l->literal[LIT_BOOT_SECRET].data) {
                memset(l->literal[LIT_BOOT_SECRET].data, 0, l->literal[LIT_BOOT_SECRET].size);
                BS->FreePool(l->literal[LIT_BOOT_SECRET].data);
                l->literal[LIT_BOOT_SECRET] = (ExtraCpio) {};
                l->had_boot_secret = true;
        }
        l->data = buf;
        l->size = total;
        return EFI_SUCCESS;
}
