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
import struct
import subprocess
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


# ---- zboot images made by ukify-zboot (issue 4/5) ------------------------------------------

def ukify(*args):
    exe = os.environ.get('UKIFY_ZBOOT')
    if not exe:
        raise H.HarnessError('UKIFY_ZBOOT not set (run through meson test)')
    p = subprocess.run([H.need_file(exe, 'ukify-zboot')] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise H.HarnessError('ukify-zboot %s failed: %s' % (' '.join(args), p.stdout.decode(errors='replace')))
    return p.stdout.decode(errors='replace')


def arm64_zboot(log_dir, name, compress='zstd'):
    out = os.path.join(log_dir, name + '.vmlinuz.efi')
    # fast levels: the decoder is what is under test, not the ratio
    level = {'zstd': '3', 'gzip': '6', 'lz4': '9', 'xz': '1'}[compress]
    ukify('zboot', H.asset('aarch64', 'vmlinuz'), '--compress', compress, '--level', level, '-o', out)
    return out


def check_zboot_log(check, result, comp):
    check.true(re.search(r'decompressed %s: \d+ -> \d+ bytes' % comp, result.log) is not None,
               'our loader did not log the %s decompression' % comp)
    check_our_log(check, result)


def zboot_type1(log_dir, compress):
    arch, name = 'aarch64', 'zboot-arm64-type1-' + compress
    cmdline = H.default_cmdline(arch, name)
    img = arm64_zboot(log_dir, name, compress)
    files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'loader/entries/zboot.conf': H.type1_entry('zboot', linux='/vmlinuz.efi', initrd=['/initrd'],
                                                        options=cmdline),
             'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz')}
    check, result = boot_and_check(name, arch, files, cmdline, log_dir)
    check_zboot_log(check, result, {'zstd': 'zstd22', 'xz': 'xzkern'}.get(compress, compress))
    os.unlink(img)
    return check.done(result)


@case
def zboot_arm64_type1_zstd(log_dir):
    """Debian arm64 sd-boot → `ukify-zboot zboot --compress zstd` image as a Type #1 `linux`."""
    return zboot_type1(log_dir, 'zstd')


@case
def zboot_arm64_type1_gzip(log_dir):
    return zboot_type1(log_dir, 'gzip')


@case
def zboot_arm64_type1_lz4(log_dir):
    return zboot_type1(log_dir, 'lz4')


@case
def zboot_arm64_type1_xz(log_dir):
    return zboot_type1(log_dir, 'xz')


def arm64_zboot_uki(log_dir, name, cmdline):
    img = arm64_zboot(log_dir, name)
    uki = os.path.join(log_dir, name + '.efi')
    cmdfile = os.path.join(log_dir, name + '.cmdline')
    with open(cmdfile, 'w') as f:
        f.write(cmdline)
    ukify('build', '--linux', img, '--initrd', H.asset('aarch64', 'initrd.cpio.gz'), '--cmdline', '@' + cmdfile,
          '--os-release', OSREL.decode(), '-o', uki)
    os.unlink(img)
    os.unlink(cmdfile)
    return uki


@case
def zboot_arm64_uki_sdboot(log_dir):
    """Debian arm64 sd-boot → UKI from `ukify-zboot build` whose .linux is a zboot image (Type #2)."""
    arch, name = 'aarch64', 'zboot-arm64-uki-sdboot'
    cmdline = H.default_cmdline(arch, name)
    uki = arm64_zboot_uki(log_dir, name, cmdline)
    files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'EFI/Linux/zboot.efi': uki}
    check, result = boot_and_check(name, arch, files, cmdline, log_dir)
    check_zboot_log(check, result, 'zstd22')
    os.unlink(uki)
    return check.done(result)


@case
def zboot_arm64_uki_direct(log_dir):
    """The same zboot UKI started directly by AAVMF as BOOTAA64.EFI."""
    arch, name = 'aarch64', 'zboot-arm64-uki-direct'
    cmdline = H.default_cmdline(arch, name)
    uki = arm64_zboot_uki(log_dir, name, cmdline)
    check, result = boot_and_check(name, arch, {'EFI/BOOT/BOOTAA64.EFI': uki}, cmdline, log_dir)
    check_zboot_log(check, result, 'zstd22')
    os.unlink(uki)
    return check.done(result)


@case
def zboot_arm64_corrupt(log_dir):
    """Corrupt payloads: the firmware starts a zboot image with a flipped payload byte as
    BOOTAA64.EFI; our loader prints why and returns an error, so the firmware goes on to its
    next boot option, the UEFI Shell. The shell's startup.nsh starts a second image whose
    header claims half the stream (truncated), which must fail the same way, and then the
    stock kernel, which reaches the marker. QEMU must not hang at any step."""
    arch, name = 'aarch64', 'zboot-arm64-corrupt'
    cmdline = H.default_cmdline(arch, name)
    img = arm64_zboot(log_dir, name)
    data = bytearray(open(img, 'rb').read())
    os.unlink(img)
    off, size = struct.unpack_from('<II', data, 8)
    flipped = bytearray(data)
    flipped[off + size // 2] ^= 0x40
    # a stream cut in half but with the 4-byte size trailer intact, so the decoder (not the
    # size check) meets the end of input
    half = size // 2
    truncated = bytearray(data[:off + half]) + data[off + size:off + size + 4]
    truncated += bytes(len(data) - len(truncated))       # keep the PE's raw sizes valid
    struct.pack_into('<I', truncated, 12, half)
    nsh = ('fs0:\r\n'
           '\\truncated.efi\r\n'
           'echo "shell: truncated image returned %lasterror%"\r\n'
           '\\vmlinuz initrd=\\initrd ' + cmdline + '\r\n'
           'reset -s\r\n')
    files = {'EFI/BOOT/BOOTAA64.EFI': bytes(flipped), 'startup.nsh': nsh.encode(),
             'truncated.efi': bytes(truncated),
             'vmlinuz': H.asset(arch, 'vmlinuz'), 'initrd': H.asset(arch, 'initrd.cpio.gz')}
    check = H.Check(name)
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'))
    check.true(not result.timed_out, 'QEMU timed out: an error path hangs')
    log = result.log
    m1 = re.search(r'cannot decompress zstd22 payload: compressed data is corrupt', log)
    check.true(m1 is not None, 'flipped byte: no clear "corrupt" error on the console')
    m2 = re.search(r'BdsDxe: failed to start .*BOOTAA64|BdsDxe: failed to start Boot0001', log)
    check.true(m2 is not None, 'the firmware did not see our error status')
    m3 = re.search(r'cannot decompress zstd22 payload: compressed data is truncated', log)
    check.true(m3 is not None, 'truncated stream: no clear "truncated" error on the console')
    m4 = re.search(r'shell: truncated image returned (0x)?[1-9A-Fa-f]', log)
    check.true(m4 is not None, 'the shell did not get an error status back from the truncated image')
    # after both failures the firmware/shell went on: the stock kernel reaches the marker
    # (the shell passes its whole command line, the image path included)
    H.check_boot(check, result, cmdline=None)
    if result.reached_marker:
        check.eq(H.kernel_cmdline(result['CMDLINE']), '\\vmlinuz ' + cmdline, 'kernel command line')
    return check.done(result)


@case
def zboot_arm64_random(log_dir):
    """Five boots of the same zboot image: the physical address we choose differs."""
    arch, name = 'aarch64', 'zboot-arm64-random'
    cmdline = H.default_cmdline(arch, name)
    img = arm64_zboot(log_dir, name)
    files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'loader/entries/zboot.conf': H.type1_entry('zboot', linux='/vmlinuz.efi', initrd=['/initrd'],
                                                        options=cmdline),
             'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz')}
    check = H.Check(name)
    bases = []
    for i in range(5):
        result = H.boot(arch, files, log_path=os.path.join(log_dir, '%s-%d.log' % (name, i)))
        H.check_boot(check, result, cmdline=cmdline)
        m = re.search(r'kernel placed at (0x[0-9a-f]+) \(random', result.log)
        check.true(m is not None, 'boot %d: no random placement logged' % i)
        if m:
            bases.append(m.group(1))
    print('placements: %s' % ' '.join(bases))
    check.eq(len(set(bases)), 5, 'distinct placements over 5 boots')
    os.unlink(img)
    return check.done()


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
