/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ukify-zboot kexec FILE`: the second way to boot our native x86 zboot image, without EFI.
 * We decompress the payload (docs/format.md §4), apply its relocations for a virtual offset,
 * build boot_params (setup header, command line, initrd, e820 of the running system) and
 * hand kexec_load(2) four segments: the kernel, the initrd, and one page each of our entry
 * stub (purgatory-x86_64.S) and boot_params + command line. The running kernel's
 * relocate_kernel copies them into place on reboot(LINUX_REBOOT_CMD_KEXEC) and jumps to the
 * stub, which enters the kernel's startup_64 by the 64-bit boot protocol. docs/x86-boot.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot-options.h"
#include "kernel.h"
#include "pe.h"
#include "uki-profile.h"
#include "verbs.h"
#include "x86-boot.h"
#include "x86-kexec.h"
#include "x86-payload.h"
#include "zsig.h"

#define PAGE 4096u
#define KEXEC_ARCH_X86_64_FLAG (62u << 16)
#define LINUX_REBOOT_CMD_KEXEC_ 0x45584543
#define BP_ACPI_RSDP_ADDR 0x070u
#define LOCKDOWN_FILE "/sys/kernel/security/lockdown"
#define LOCKDOWN_HINT                                                                                              \
        "kexec_load(2) of an image assembled in user space is forbidden under lockdown; boot the image through " \
        "EFI (systemd-boot, efibootmgr) or load a signed bzImage with kexec_file_load(2) (kexec -s -l)"

#if !defined(__x86_64__)
/* The entry stub and the boot protocol are x86_64's; on arm64 kexec-tools reads zboot images. */
int verb_kexec(int argc, char **argv) {
        (void) argc;
        (void) argv;
        return error("kexec: our own loader is x86_64 only; on arm64 use kexec-tools (kexec -l)");
}
#else
extern const uint8_t ukz_purgatory_start[], ukz_purgatory_end[], ukz_purgatory_params[];

struct ukz_kexec_segment {
        const void *buf;
        size_t bufsz;
        const void *mem;
        size_t memsz;
};

/* A small /sys or /proc text file (their st_size says nothing); NUL-terminated, malloc'd. */
static char *read_text(const char *path, size_t *ret_len) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        size_t cap = 4096, len = 0;
        char *b = malloc(cap + 1);
        for (;;) {
                if (!b)
                        break;
                if (len == cap) {
                        char *n = cap < (64u << 20) ? realloc(b, cap * 2 + 1) : NULL;
                        if (!n) {
                                free(b);
                                b = NULL;
                                break;
                        }
                        b = n;
                        cap *= 2;
                }
                ssize_t r = read(fd, b + len, cap - len);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        free(b);
                        b = NULL;
                        break;
                }
                if (r == 0)
                        break;
                len += (size_t) r;
        }
        close(fd);
        if (b) {
                b[len] = 0;
                if (ret_len)
                        *ret_len = len;
        }
        return b;
}

/* "[integrity]" or "[confidentiality]" in the lockdown file: the mode in brackets is the current one. */
static const char *lockdown_mode(void) {
        char *t = read_text(LOCKDOWN_FILE, NULL);
        const char *mode = NULL;
        if (t && strstr(t, "[integrity]"))
                mode = "integrity";
        else if (t && strstr(t, "[confidentiality]"))
                mode = "confidentiality";
        free(t);
        return mode;
}

/* e820 from /sys/firmware/memmap (what the firmware or boot loader handed the running kernel),
 * else the top level of /proc/iomem. Sorted. */
static bool system_e820(Blob *ret, const char **ret_source) {
        DIR *d = opendir("/sys/firmware/memmap");
        size_t n = 0, cap = 0;
        uint8_t *e = NULL;
        if (d) {
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        char p[3][512];
                        static const char *const f[3] = { "start", "end", "type" };
                        char *t[3];
                        size_t l[3];
                        for (int i = 0; i < 3; i++) {
                                snprintf(p[i], sizeof(p[i]), "/sys/firmware/memmap/%s/%s", de->d_name, f[i]);
                                t[i] = read_text(p[i], &l[i]);
                        }
                        if (n == cap) {
                                cap = cap ? cap * 2 : 64;
                                uint8_t *ne = realloc(e, cap * E820_ENTRY_SIZE);
                                if (!ne)
                                        abort();
                                e = ne;
                        }
                        bool ok = t[0] && t[1] && t[2] &&
                                  x86_memmap_entry(t[0], l[0], t[1], l[1], t[2], l[2], e + n * E820_ENTRY_SIZE);
                        for (int i = 0; i < 3; i++)
                                free(t[i]);
                        if (!ok) {
                                closedir(d);
                                free(e);
                                return error("/sys/firmware/memmap/%s: cannot parse the entry", de->d_name), false;
                        }
                        n++;
                }
                closedir(d);
                *ret_source = "/sys/firmware/memmap";
        }
        if (n == 0) {
                size_t len;
                char *t = read_text("/proc/iomem", &len);
                if (!t)
                        return error("kexec: neither /sys/firmware/memmap nor /proc/iomem is readable: "
                                     "cannot tell the new kernel its memory map"), false;
                n = x86_e820_from_iomem(t, len, NULL, 0);
                free(e);
                e = calloc(n ? n : 1, E820_ENTRY_SIZE);
                if (!e)
                        abort();
                x86_e820_from_iomem(t, len, e, n);
                free(t);
                *ret_source = "/proc/iomem";
        }
        size_t ram = 0;
        for (size_t i = 0; i < n; i++)
                ram += get_le32(((const X86E820Entry *) e)[i].type) == E820_RAM;
        if (ram == 0) {
                free(e);
                return error("kexec: %s lists no System RAM (not running as root? /proc/iomem shows zeros "
                             "to others)", *ret_source), false;
        }
        x86_e820_sort(e, n);
        ret->data = e;
        ret->size = n;
        return true;
}

/* The command line of the running kernel without the words that named its own files. */
static char *reuse_cmdline(void) {
        char *t = read_text("/proc/cmdline", NULL);
        if (!t)
                return NULL;
        char *out = calloc(strlen(t) + 1, 1);
        if (!out)
                abort();
        char *save = NULL;
        for (char *w = strtok_r(t, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
                if (strncmp(w, "BOOT_IMAGE=", 11) == 0 || strncmp(w, "initrd=", 7) == 0)
                        continue;
                if (*out)
                        strcat(out, " ");
                strcat(out, w);
        }
        free(t);
        return out;
}

static uint64_t align_up(uint64_t v, uint64_t a) {
        return (v + a - 1) & ~(a - 1);
}

static bool sys_hex(const char *path, uint64_t *ret) {
        size_t len;
        char *t = read_text(path, &len);
        bool ok = t && x86_parse_hex(t, len, ret);
        free(t);
        return ok;
}

#define EFI_DESC_SIZE ((unsigned) sizeof(X86EfiMemoryDescriptor)) /* what we write */
#define SETUP_EFI 4u
#define EFI_SETUP_DATA_SIZE 96u         /* fw_vendor, unused, tables, smbios, reserved[8] */

/* EFI runtime services for the new kernel as a kexec'd kernel gets them: efi_info with the
 * running kernel's system table and its runtime memory map (/sys/firmware/efi/runtime-map:
 * the regions with the virtual addresses SetVirtualAddressMap gave them, which cannot be
 * called twice), and a SETUP_EFI setup_data with the firmware vendor, configuration table
 * and SMBIOS addresses. Written into area (at physical area_phys); false (nothing set) when
 * the running system has no EFI or no runtime map. *ret_used: bytes of area used. */
static bool efi_state(uint8_t *bp, uint8_t *area, size_t cap, uint64_t area_phys, size_t *ret_used,
                      const char **ret_why) {
        size_t len = 0;
        char *cur = read_text("/sys/kernel/boot_params/data", &len);
        if (!cur || len < BP_SIZE || memcmp(cur + BP_EFI_INFO, "EL64", 4) != 0) {
                free(cur);
                *ret_why = "the running kernel has no 64-bit EFI (/sys/kernel/boot_params/data)";
                return false;
        }
        uint64_t fw_vendor, tables, smbios = 0;
        if (!sys_hex("/sys/firmware/efi/fw_vendor", &fw_vendor) ||
            !sys_hex("/sys/firmware/efi/config_table", &tables)) {
                free(cur);
                *ret_why = "no /sys/firmware/efi/fw_vendor or config_table";
                return false;
        }
        size_t st_len = 0;
        char *systab = read_text("/sys/firmware/efi/systab", &st_len);
        if (systab)
                (void) x86_systab_value(systab, st_len, "SMBIOS", &smbios);
        free(systab);

        size_t n = 0, off = EFI_SETUP_DATA_SIZE + SETUP_DATA_HDR;     /* setup_data first, then the map */
        for (;; n++) {
                char dir[128], f[192];
                snprintf(dir, sizeof(dir), "/sys/firmware/efi/runtime-map/%zu", n);
                if (access(dir, F_OK) != 0)
                        break;
                if (off + (n + 1) * EFI_DESC_SIZE > cap) {
                        free(cur);
                        *ret_why = "the EFI runtime map does not fit our page";
                        return false;
                }
                static const char *const names[] = { "type", "phys_addr", "virt_addr", "num_pages", "attribute" };
                uint64_t v[5];
                for (size_t i = 0; i < 5; i++) {
                        snprintf(f, sizeof(f), "%s/%s", dir, names[i]);
                        if (!sys_hex(f, &v[i])) {
                                free(cur);
                                *ret_why = "an unreadable /sys/firmware/efi/runtime-map entry";
                                return false;
                        }
                }
                X86EfiMemoryDescriptor *d = (X86EfiMemoryDescriptor *) (area + off + n * EFI_DESC_SIZE);
                memset(d, 0, EFI_DESC_SIZE);
                put_le32(d->type, (uint32_t) v[0]);
                put_le64(d->physical_start, v[1]);
                put_le64(d->virtual_start, v[2]);
                put_le64(d->number_of_pages, v[3]);
                put_le64(d->attribute, v[4]);
        }
        if (n == 0) {
                free(cur);
                *ret_why = "no /sys/firmware/efi/runtime-map (CONFIG_EFI_RUNTIME_MAP, or the kernel runs with noefi)";
                return false;
        }
        /* SETUP_EFI */
        memset(area, 0, SETUP_DATA_HDR + EFI_SETUP_DATA_SIZE);
        X86SetupData *sd = (X86SetupData *) area;
        put_le64(sd->next, get_le64(bp + BP_SETUP_DATA));
        put_le32(sd->type, SETUP_EFI);
        put_le32(sd->len, EFI_SETUP_DATA_SIZE);
        put_le64(area + SETUP_DATA_HDR, fw_vendor);
        put_le64(area + SETUP_DATA_HDR + 16, tables);
        put_le64(area + SETUP_DATA_HDR + 24, smbios);
        put_le64(bp + BP_SETUP_DATA, area_phys);
        /* efi_info: signature, system table and descriptor version from the running kernel */
        X86EfiInfo *ei = (X86EfiInfo *) (bp + BP_EFI_INFO);
        memcpy(ei, cur + BP_EFI_INFO, sizeof(*ei));
        uint64_t map = area_phys + off;
        put_le32(ei->memdesc_size, EFI_DESC_SIZE);
        put_le32(ei->memmap, (uint32_t) map);
        put_le32(ei->memmap_size, (uint32_t) (n * EFI_DESC_SIZE));
        put_le32(ei->memmap_hi, (uint32_t) (map >> 32));
        free(cur);
        *ret_used = off + n * EFI_DESC_SIZE;
        return true;
}

/* A UKI's section of profile 0 (what the stub boots without "@N": uki-profile.h), or NULL. */
static const uint8_t *uki_section(const PeView *f, const char *name, size_t *ret_size) {
        const uint8_t *d = NULL;
        *ret_size = 0;
        int i = uki_profile_find(pe_section_table(f), f->n_sections, 0, name);
        return pe_section_get(f, i, &d, ret_size) ? d : NULL;
}

/* A UKI's .cmdline as the stub passes it: up to its first NUL, control characters (newlines)
 * as spaces, bytes that are no UTF-8 as '?' (the stub's UTF-16 has no place for them), trailing
 * spaces dropped (cmdline.h, cmdline_utf8_to_ucs2()). */
static char *uki_cmdline(const PeView *f) {
        size_t n;
        const uint8_t *d = uki_section(f, ".cmdline", &n);
        if (!d)
                return strdup("");
        const uint8_t *nul = memchr(d, 0, n);
        if (nul)
                n = (size_t) (nul - d);
        char *s = malloc(n + 1);
        if (!s)
                return NULL;
        for (size_t i = 0, l; i < n; i++)
                if (d[i] < 0x20 || d[i] == 0x7f)
                        s[i] = ' ';
                else if (d[i] < 0x80)
                        s[i] = (char) d[i];
                else if ((l = utf8_sequence(d + i, n - i)) > 0) {
                        memcpy(s + i, d + i, l);
                        i += l - 1;
                } else
                        s[i] = '?';
        while (n > 0 && s[n - 1] == ' ')
                n--;
        s[n] = '\0';
        return s;
}

/* A UKI's .ucode then .initrd, as the stub joins them (each padded to 4 bytes: cpio archives
 * concatenate); empty without either. */
static bool uki_initrd(const PeView *f, Blob *ret) {
        size_t nu, ni;
        const uint8_t *u = uki_section(f, ".ucode", &nu), *in = uki_section(f, ".initrd", &ni);
        size_t pu = u ? (nu + 3) & ~(size_t) 3 : 0;
        *ret = (Blob) {};
        if (!u && !in)
                return true;
        ret->data = calloc(1, pu + ni + 1);
        if (!ret->data)
                return error("out of memory"), false;
        if (u)
                memcpy(ret->data, u, nu);
        if (in)
                memcpy(ret->data + pu, in, ni);
        ret->size = pu + ni;
        return true;
}

int verb_kexec(int argc, char **argv) {
        enum { ARG_INITRD = 0x100, ARG_CMDLINE, ARG_REUSE, ARG_NOKASLR, ARG_EXEC, ARG_VERIFY_CERT, ARG_DRY_RUN };
        static const struct option opts[] = {
                { "initrd", required_argument, NULL, ARG_INITRD },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "reuse-cmdline", no_argument, NULL, ARG_REUSE },
                { "nokaslr", no_argument, NULL, ARG_NOKASLR },
                { "exec", no_argument, NULL, ARG_EXEC },
                { "verify-cert", required_argument, NULL, ARG_VERIFY_CERT },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *initrd_path = NULL, *cmdline_arg = NULL, *verify_cert = NULL;
        bool reuse = false, nokaslr = false, do_exec = false, dry_run = false;
        int c;
        if (!options_given_in_full(argc, argv, "h", opts))
                return 2;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case ARG_INITRD: initrd_path = optarg; break;
                case ARG_CMDLINE: cmdline_arg = optarg; break;
                case ARG_REUSE: reuse = true; break;
                case ARG_NOKASLR: nokaslr = true; break;
                case ARG_EXEC: do_exec = true; break;
                case ARG_VERIFY_CERT: verify_cert = optarg; break;
                case ARG_DRY_RUN: dry_run = true; break;
                case 'h':
                        printf("ukify-zboot kexec FILE [--initrd F] [--cmdline S | --reuse-cmdline] [--nokaslr]\n"
                               "                       [--verify-cert CERT] [--exec | --dry-run]\n\n"
                               "Load an x86_64 zboot image (or a UKI with one as .linux) for kexec with our own loader:\n"
                               "decompress, relocate, build boot_params, kexec_load(2). Needs root and no lockdown.\n\n"
                               "     --initrd F          the new kernel's initrd (default: a UKI's .ucode + .initrd)\n"
                               "     --cmdline S         its command line (default: a UKI's .cmdline, else empty)\n"
                               "     --reuse-cmdline     the running kernel's command line (/proc/cmdline)\n"
                               "     --nokaslr           no random virtual offset for the new kernel\n"
                               "     --verify-cert CERT  refuse unless the payload signature (.zsig) verifies with CERT\n"
                               "     --exec              boot it right away (reboot(LINUX_REBOOT_CMD_KEXEC))\n"
                               "     --dry-run           do everything but kexec_load(2): check and print the plan\n"
                               "  -h --help              this help\n");
                        return 0;
                default: return 2;
                }
        if (optind + 1 != argc)
                return error("kexec: expected exactly one FILE argument (see --help)");
        if (cmdline_arg && reuse)
                return error("kexec: --cmdline and --reuse-cmdline exclude each other");
        if (do_exec && dry_run)
                return error("kexec: --exec and --dry-run exclude each other");
        const char *lock = lockdown_mode();
        if (lock)
                return error("kexec: the running kernel is locked down (%s): %s", lock, LOCKDOWN_HINT);

        const char *path = argv[optind];
        _cleanup_blob_ Blob in = {}, payload = {}, initrd = {}, e820 = {};
        if (!read_file(path, &in))
                return 1;
        KernelKind kind = kernel_validate(&in, path, &payload);
        if (kind == KERNEL_UNKNOWN)
                return 1;
        const uint8_t *zimg = in.data;
        size_t zimg_len = in.size;
        PeView uki;
        bool is_uki = false;
        if (kind == KERNEL_PE) {
                if (!uki_linux_validate(&in, path, &payload, &kind))
                        return error("%s: a PE image without a .linux section: not a zboot image or UKI", path);
                if (kind == KERNEL_UNKNOWN)
                        return 1;
                is_uki = pe_parse(in.data, in.size, &uki) == PE_OK;
                int li = is_uki ? pe_find_section(&uki, ".linux") : -1;
                zimg = li >= 0 ? pe_section_data(&uki, (size_t) li, &zimg_len) : NULL;
        }
        if (kind != KERNEL_ZBOOT)
                return error("%s: %s, not a zboot image: kexec loads our zboot images only", path,
                             kernel_kind_name(kind));
        X86PayloadInfo pi;
        X86PayloadResult pr = x86_payload_parse(payload.data, payload.size, &pi);
        if (pr != X86P_OK)
                return error("%s: not an x86_64 zboot image with our native payload (%s)", path,
                             x86_payload_strerror(pr));
        if (verify_cert) {
                const uint8_t *sec = NULL;
                size_t sec_len = 0;
                if (!zimg || !zsig_find(zimg, zimg_len, &sec, &sec_len))
                        sec = NULL;
                if (!zsig_verify(payload.data, payload.size, sec, sec_len, verify_cert, path))
                        return 1;
                info("%s: payload signature verified with %s", path, verify_cert);
        }

        /* the command line: given, the running kernel's, or a UKI's own (profile 0: the stub's
         * default; add-ons on the ESP are not read) */
        char *cmdline = reuse ? reuse_cmdline() : cmdline_arg ? strdup(cmdline_arg) : is_uki ? uki_cmdline(&uki) :
                                                                                    strdup("");
        if (!cmdline)
                return error(reuse ? "kexec: cannot read /proc/cmdline for --reuse-cmdline" : "out of memory");
        if (is_uki && !reuse && !cmdline_arg) {
                fprintf(stderr, "ukify-zboot: %s: the UKI's .cmdline (%zu bytes): \"", path, strlen(cmdline));
                text_fprint(stderr, cmdline, strlen(cmdline));   /* escaped: it is the image's text */
                fputs("\"\n", stderr);
        }
        size_t cmdline_len = strlen(cmdline);
        /* nokaslr on the command line as the EFI side reads it (boot-options.h: the kernel
         * stub's word rules), or --nokaslr */
        BootOptions bo;
        boot_options_parse_utf8(cmdline, cmdline_len, &bo);
        bool randomize = !nokaslr && !bo.nokaslr;

        /* a UKI's own initrds unless --initrd, or noinitrd on the command line (as the stub) */
        if (initrd_path ? !read_file(initrd_path, &initrd) : is_uki && !bo.noinitrd && !uki_initrd(&uki, &initrd)) {
                free(cmdline);
                return 1;
        }
        if (!initrd_path && is_uki && initrd.size > 0)
                info("%s: the UKI's .ucode and .initrd (%zu bytes)", path, initrd.size);
        if (!initrd_path && is_uki && bo.noinitrd)
                info("%s: noinitrd: the UKI's .ucode and .initrd are not passed", path);
        const char *e820_source = NULL;
        if (!system_e820(&e820, &e820_source)) {
                free(cmdline);
                return 1;
        }
        size_t n_e820 = e820.size;

        /* boot_params from the payload's setup header */
        static uint8_t setup_seg[4 * PAGE + 65536];     /* purgatory page, boot_params page, command line, EFI */
        uint8_t *purg = setup_seg, *bp = setup_seg + PAGE, *cl = setup_seg + 2 * PAGE;
        if (!x86_bp_init(bp, payload.data, &pi)) {
                free(cmdline);
                return error("%s: the setup header does not fit boot_params", path);
        }
        uint32_t cl_max = get_le32(bp + BP_CMDLINE_SIZE);
        if (cmdline_len > cl_max || cmdline_len >= sizeof(setup_seg) - 4 * PAGE) {
                free(cmdline);
                return error("kexec: the command line is %zu bytes, the kernel takes %u", cmdline_len, cl_max);
        }
        memcpy(cl, cmdline, cmdline_len + 1);
        free(cmdline);
        if (n_e820 > BP_E820_MAX)
                return error("kexec: the memory map has %zu entries, boot_params holds %u", n_e820, BP_E820_MAX);

        /* relocations for the virtual offset */
        uint64_t seed = 0;
        if (randomize && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
                return error("kexec: getrandom failed: %s", strerror(errno));
        uint64_t voff = x86_virt_offset(&pi, seed, randomize);
        size_t bad = 0;
        X86RelocResult rr = x86_relocate(payload.data, payload.size, &pi, voff, &bad);
        if (rr == X86R_UNSORTED)
                return error("%s: relocation %zu of the payload lies below the one before it in its list", path, bad);
        if (rr != X86R_OK)
                return error("%s: relocation %zu of the payload points outside the kernel image", path, bad);

        /* placement: kernel lowest fit at or above LOAD_PHYSICAL_ADDR, the rest top-down below 4 GiB */
        uint64_t kmem = align_up(payload.size > pi.init_size ? payload.size : pi.init_size, PAGE);
        if (pi.mem_size > kmem)
                kmem = align_up(pi.mem_size, PAGE);
        uint64_t kalign = pi.kernel_alignment > PAGE ? pi.kernel_alignment : PAGE;
        if (kalign & (kalign - 1))
                return error("%s: kernel_alignment 0x%x is not a power of two", path, pi.kernel_alignment);
        uint64_t kmax = (pi.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) ? UINT64_C(1) << 46 : UINT64_C(1) << 32;
        X86Range used[3] = {};
        uint64_t kaddr, saddr, iaddr = 0;
        if (!x86_kexec_find_hole(e820.data, n_e820, used, 0, kmem, kalign, pi.phys_base, kmax, false, &kaddr))
                return error("kexec: no room in RAM for the kernel (%lu MiB aligned to %lu KiB above 0x%lx)",
                             (unsigned long) (kmem >> 20), (unsigned long) (kalign >> 10), (unsigned long) pi.phys_base);
        used[0] = (X86Range) { kaddr, kmem };
        size_t efi_off = (size_t) align_up(2 * PAGE + cmdline_len + 1, 16);
        uint64_t ssize = align_up(efi_off + PAGE, PAGE);      /* a page for the EFI state */
        if (!x86_kexec_find_hole(e820.data, n_e820, used, 1, ssize, PAGE, UINT64_C(1) << 20, UINT64_C(1) << 32, true,
                                 &saddr))
                return error("kexec: no room in RAM below 4 GiB for boot_params");
        used[1] = (X86Range) { saddr, ssize };
        if (initrd.size > 0) {
                uint64_t imax = get_le32(bp + BP_INITRD_ADDR_MAX);
                imax = imax == 0 || imax >= UINT32_MAX ? UINT64_C(1) << 32 : imax + 1;
                if (!x86_kexec_find_hole(e820.data, n_e820, used, 2, align_up(initrd.size, PAGE), PAGE,
                                         UINT64_C(1) << 20, imax, true, &iaddr))
                        return error("kexec: no room in RAM for the %zu-byte initrd below 0x%lx", initrd.size,
                                     (unsigned long) imax);
        }

        /* boot_params */
        bp[BP_TYPE_OF_LOADER] = 0xff;
        if (randomize)
                bp[BP_LOADFLAGS] |= LOADFLAG_KASLR;
        else
                bp[BP_LOADFLAGS] &= (uint8_t) ~LOADFLAG_KASLR;
        uint64_t clp = saddr + 2 * PAGE;
        put_le32(bp + BP_CMD_LINE_PTR, (uint32_t) clp);
        put_le32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t) (clp >> 32));
        if (initrd.size > 0) {
                put_le32(bp + BP_RAMDISK_IMAGE, (uint32_t) iaddr);
                put_le32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t) (iaddr >> 32));
                put_le32(bp + BP_RAMDISK_SIZE, (uint32_t) initrd.size);
                put_le32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t) ((uint64_t) initrd.size >> 32));
        }
        bp[BP_E820_ENTRIES] = (uint8_t) n_e820;
        memcpy(bp + BP_E820_TABLE, e820.data, n_e820 * E820_ENTRY_SIZE);
        size_t st_len = 0;
        char *systab = read_text("/sys/firmware/efi/systab", &st_len);
        uint64_t rsdp = 0;
        if (systab && (x86_systab_value(systab, st_len, "ACPI20", &rsdp) ||
                       x86_systab_value(systab, st_len, "ACPI", &rsdp)))
                put_le64(bp + BP_ACPI_RSDP_ADDR, rsdp);
        free(systab);

        size_t efi_used = 0;
        const char *no_efi = NULL;
        bool efi = efi_state(bp, setup_seg + efi_off, (size_t) (ssize - efi_off), saddr + efi_off, &efi_used, &no_efi);
        if (!efi)
                info("kexec: no EFI runtime services for the new kernel: %s", no_efi);

        /* the entry stub */
        size_t plen = (size_t) (ukz_purgatory_end - ukz_purgatory_start);
        if (plen > PAGE)
                return error("kexec: internal error: the entry stub is larger than a page");
        memcpy(purg, ukz_purgatory_start, plen);
        size_t poff = (size_t) (ukz_purgatory_params - ukz_purgatory_start);
        put_le64(purg + poff, saddr + PAGE);
        put_le64(purg + poff + 8, kaddr + pi.entry_offset);

        struct ukz_kexec_segment seg[3] = {
                { payload.data, pi.image_size, (const void *) (uintptr_t) kaddr, kmem },
                { setup_seg, efi ? efi_off + efi_used : 2 * PAGE + cmdline_len + 1, (const void *) (uintptr_t) saddr,
                  ssize },
                { initrd.data, initrd.size, (const void *) (uintptr_t) iaddr, align_up(initrd.size, PAGE) },
        };
        unsigned long nseg = initrd.size > 0 ? 3 : 2;
        info("kexec: kernel at 0x%" PRIx64 " (%" PRIu64 " KiB, entry +0x%x, virtual offset 0x%" PRIx64 "%s), "
             "boot_params at 0x%" PRIx64 ", initrd at 0x%" PRIx64 ", %zu e820 entries from %s, ACPI RSDP 0x%" PRIx64
             ", EFI runtime %s",
             kaddr, kmem >> 10, pi.entry_offset, voff, randomize ? ", random" : "", saddr + PAGE, iaddr, n_e820,
             e820_source, rsdp, efi ? "passed" : "not passed");
        if (dry_run)
                return 0;
        if (syscall(SYS_kexec_load, (unsigned long) saddr, nseg, seg, (unsigned long) KEXEC_ARCH_X86_64_FLAG) != 0) {
                int err = errno;
                if (err == EPERM && lockdown_mode())
                        return error("kexec: the running kernel is locked down (%s): %s", lockdown_mode(), LOCKDOWN_HINT);
                if (err == EPERM)
                        return error("kexec: kexec_load: %s (needs root with CAP_SYS_BOOT, "
                                     "kernel.kexec_load_disabled=0 and no lockdown; %s)", strerror(err), LOCKDOWN_HINT);
                if (err == ENOSYS)
                        return error("kexec: kexec_load: the running kernel was built without CONFIG_KEXEC");
                return error("kexec: kexec_load: %s", strerror(err));
        }
        info("kexec: %s loaded%s", path, do_exec ? ", executing" : " (boot it with kexec -e or --exec)");
        if (do_exec) {
                sync();
                if (reboot(LINUX_REBOOT_CMD_KEXEC_) != 0)
                        return error("kexec: reboot(LINUX_REBOOT_CMD_KEXEC): %s", strerror(errno));
        }
        return 0;
}
#endif
