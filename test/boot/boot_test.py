#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""QEMU boot tests. Each case builds an ESP, boots it under OVMF/AAVMF and checks what the
busybox initrd reports. Usage: boot_test.py CASE [--log-dir DIR]

Paths of our build products come from the environment (set by test/boot/meson.build):
  ZBOOT_EFI_DIR   directory holding linux{x64,aa64}.efi.stub and zboot{x64,aa64}.efi.stub
  UKIFY_ZBOOT     the ukify-zboot binary
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
import zboot_harness as H  # noqa: E402

OSREL = b'ID=debian\nNAME="Debian GNU/Linux"\nPRETTY_NAME="zboot test"\nVERSION_ID="12"\n'
CASES = {}


def case(fn):
    CASES[fn.__name__.replace('_', '-')] = fn
    return fn


def our_stub(kind, arch):
    d = os.environ.get('ZBOOT_EFI_DIR')
    if not d:
        raise H.HarnessError('ZBOOT_EFI_DIR not set (run through meson test)')
    return H.need_file(os.path.join(d, '%s%s.efi.stub' % (kind, H.EFI_SUFFIX[arch])), 'our EFI binary')


def boot_and_check(name, arch, files, cmdline, log_dir, **kw):
    check = H.Check(name)
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'), **kw)
    H.check_boot(check, result, cmdline=cmdline)
    return check, result


# ---- stock path: proves the harness ------------------------------------------------------

@case
def stock_x86_uki(log_dir):
    """Debian's sd-boot starts a UKI made of Debian's sd-stub + the Debian bzImage (Type #2)."""
    arch = 'x86_64'
    cmdline = H.default_cmdline(arch, 'stock-uki')
    uki = os.path.join(log_dir, 'stock-x86.efi')
    H.objcopy_uki(H.debian_sdstub(arch), uki, [
        ('.osrel', OSREL), ('.cmdline', cmdline.encode()),
        ('.initrd', H.asset(arch, 'initrd.cpio.gz')), ('.linux', H.asset(arch, 'vmlinuz'))])
    files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'EFI/Linux/stock.efi': uki}
    check, result = boot_and_check('stock-x86-uki', arch, files, cmdline, log_dir)
    os.unlink(uki)
    return check.done(result)


@case
def stock_arm64_type1(log_dir):
    """Debian's arm64 sd-boot starts the Debian arm64 Image from a Type #1 entry."""
    arch = 'aarch64'
    cmdline = H.default_cmdline(arch, 'stock-type1')
    files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'loader/entries/debian.conf': H.type1_entry('Debian', linux='/vmlinuz', initrd=['/initrd'],
                                                         options=cmdline),
             'vmlinuz': H.asset(arch, 'vmlinuz'), 'initrd': H.asset(arch, 'initrd.cpio.gz')}
    check, result = boot_and_check('stock-arm64-type1', arch, files, cmdline, log_dir)
    return check.done(result)


# ---- our UKI stub with plain PE kernels (issue 5: sd-stub parity) ---------------------------

def our_uki(arch, log_dir, cmdline, name, linux=None):
    uki = os.path.join(log_dir, name + '.efi')
    return H.append_sections(our_stub('linux', arch), uki, [
        ('.osrel', OSREL), ('.cmdline', cmdline.encode()), ('.initrd', H.asset(arch, 'initrd.cpio.gz')),
        ('.linux', linux or H.asset(arch, 'vmlinuz'))])


def check_our_log(check, result):
    """Our loader says where it put the kernel (serial console via ConOut)."""
    check.true(re.search(r'kernel placed at 0x[0-9a-f]+', result.log) is not None,
               'our loader did not log "kernel placed at ..."')


def our_uki_case(arch, log_dir, name, via_sdboot):
    cmdline = H.default_cmdline(arch, name)
    uki = our_uki(arch, log_dir, cmdline, name)
    boot_name = 'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper()
    if via_sdboot:
        files = {boot_name: H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
                 'EFI/Linux/zboot.efi': uki}
    else:
        files = {boot_name: uki}
    check, result = boot_and_check(name, arch, files, cmdline, log_dir)
    check_our_log(check, result)
    os.unlink(uki)
    return check.done(result)


@case
def uki_x86_bzimage_sdboot(log_dir):
    """Debian sd-boot → our x86_64 UKI stub (Type #2) with Debian's bzImage as .linux."""
    return our_uki_case('x86_64', log_dir, 'uki-x86-bzimage-sdboot', True)


@case
def uki_x86_bzimage_direct(log_dir):
    """Firmware → our x86_64 UKI stub as BOOTX64.EFI with Debian's bzImage as .linux."""
    return our_uki_case('x86_64', log_dir, 'uki-x86-bzimage-direct', False)


@case
def uki_arm64_image_sdboot(log_dir):
    """Debian arm64 sd-boot → our aarch64 UKI stub (Type #2) with the plain Debian Image."""
    return our_uki_case('aarch64', log_dir, 'uki-arm64-image-sdboot', True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('case', choices=sorted(CASES))
    ap.add_argument('--log-dir', default=os.getcwd(), help='where serial logs go (default: cwd)')
    args = ap.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    try:
        return CASES[args.case](args.log_dir)
    except H.HarnessError as e:
        print('FAIL: %s' % e)
        return 1


if __name__ == '__main__':
    sys.exit(main())
