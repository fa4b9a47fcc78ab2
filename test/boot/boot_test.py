#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""QEMU boot tests. Each case builds an ESP, boots it under OVMF/AAVMF and checks what the
busybox initrd reports. Usage: boot_test.py CASE [--log-dir DIR]

Paths of our build products come from the environment (set by test/boot/meson.build):
  ZBOOT_EFI_DIR   directory holding linux{x64,aa64}.efi.stub and zboot{x64,aa64}.efi.stub
  UKIFY_ZBOOT     the ukify-zboot binary
"""

import json
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
import zboot_harness as H  # noqa: E402

OSREL = b'ID=debian\nNAME="Debian GNU/Linux"\nPRETTY_NAME="zboot test"\nVERSION_ID="12"\n'
case = H.CaseTable()



MEM_RP, MEM_XP, MEM_RO = 0x2000, 0x4000, 0x20000


def test_efi(name, arch):
    """A test-only EFI binary from test/efi/."""
    d = os.environ.get('ZBOOT_TEST_EFI_DIR')
    if not d:
        raise H.HarnessError('ZBOOT_TEST_EFI_DIR not set (run through meson test)')
    return H.need_file(os.path.join(d, '%s%s.efi' % (name, H.EFI_SUFFIX[arch])), 'test EFI binary')


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
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our info lines: docs/stub.md
    uki = our_uki(arch, log_dir, cmdline, name)
    boot_name = 'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper()
    if via_sdboot:
        files = {boot_name: H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
                 'EFI/Linux/zboot.efi': uki}
    else:
        files = {boot_name: uki}
    check, result = boot_and_check(name, arch, files, cmdline, log_dir)
    check_our_log(check, result)
    if arch == 'aarch64':
        check_arm64_in_place(check, result, H.asset(arch, 'vmlinuz'))
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


def make_zboot(log_dir, name, arch, compress='zstd', level=None, suite='bookworm', extra=()):
    out = os.path.join(log_dir, name + '.vmlinuz.efi')
    # fast levels: the decoder is what is under test, not the ratio
    level = level or {'zstd': '3', 'gzip': '6', 'lz4': '9', 'xz': '1', 'lzo': '3'}[compress]
    ukify('zboot', H.asset(arch, 'vmlinuz', suite), '--compress', compress, '--level', level, *extra, '-o', out)
    return out


def arm64_zboot(log_dir, name, compress='zstd'):
    return make_zboot(log_dir, name, 'aarch64', compress)


def header_name(compress):
    """The zboot header's compression string for a `--compress` value (Linux's names)."""
    return {'xz': 'xzkern'}.get(compress, compress)


def check_zboot_log(check, result, comp):
    check.true(re.search(r'decompressed %s: \d+ -> \d+ bytes' % comp, result.log) is not None,
               'our loader did not log the %s decompression' % comp)
    check_our_log(check, result)


def arm64_code_offset(image):
    """Where /proc/iomem's "Kernel code" starts relative to the first byte of an arm64 Image,
    which is _text (the Image header; the EFI stub checks ImageBase == _text) and the address
    our loader places it at. arch/arm64/kernel/setup.c, request_standard_resources(): the
    resource starts at __pa_symbol(_stext) from Linux 5.11 (e2a073dde921 "arm64: omit [_text,
    _stext) from permanent kernel mapping") until 5973a62efa34 ("arm64: map [_text, _stext)
    virtual address range non-executable+read-only": Linux 6.18, and the 6.12.y/6.17.y stable
    series) brought back _text. _stext - _text is the PE header's BaseOfCode: efi-header.S
    sets it to .Lefi_header_end, the SEGMENT_ALIGN-aligned end of .head.text where vmlinux.lds.S
    starts .text (_stext). The release comes from the banner ("... Debian 6.1.192-2 ...")."""
    with open(image, 'rb') as f:
        data = f.read()
    m = re.search(rb'Linux version \S+ .*? Debian (\d+)\.(\d+)\.(\d+)', data)
    if not m:
        raise H.HarnessError('%s: no "Linux version ... Debian X.Y.Z" banner' % image)
    version = tuple(int(x) for x in m.groups())
    pe, = struct.unpack_from('<I', data, 0x3c)
    base_of_code, = struct.unpack_from('<I', data, pe + 24 + 20)
    if version < (5, 11) or version >= (6, 18) or (6, 12, 0) <= version < (6, 13) or (6, 17, 0) <= version < (6, 18):
        return 0, version
    return base_of_code, version


def check_arm64_in_place(check, result, image, what=''):
    """The arm64 kernel runs where our loader put it: we installed LINUX_EFI_LOADED_IMAGE_FIXED_GUID,
    its EFI stub took it ("Image placement fixed by loader"), and "Kernel code" starts exactly at
    our address plus arm64_code_offset(). Returns our placement (int) or None."""
    placed = re.search(r'kernel placed at (0x[0-9a-f]+)', result.log)
    if not check.true(placed is not None, '%sno "kernel placed at" in our log' % what):
        return None
    check.true('kernel runs in place: LINUX_EFI_LOADED_IMAGE_FIXED_GUID' in result.log,
               '%sour loader did not install LINUX_EFI_LOADED_IMAGE_FIXED_GUID' % what)
    check.true('EFI stub: Image placement fixed by loader' in result.log,
               '%sthe kernel\'s EFI stub did not honour the fixed placement' % what)
    base = int(placed.group(1), 16)
    if result.reached_marker:
        off, version = arm64_code_offset(image)
        code = int((result['KERNEL_CODE'] or '0-').split('-')[0] or '0', 16)
        check.eq(hex(code), hex(base + off), '%s"Kernel code" start = our placement + 0x%x (Linux %d.%d.%d)'
                 % ((what, off) + version))
    return base


def zboot_type1(log_dir, arch, compress, suite='bookworm'):
    """Debian sd-boot → a `ukify-zboot zboot` image of SUITE's kernel as a Type #1 `linux` entry,
    initrd via sd-boot."""
    name = 'zboot-%s-type1-%s' % ('x86' if arch == 'x86_64' else 'arm64', compress)
    name += '' if suite == 'bookworm' else '-' + suite
    # efi=debug: newer arm64 stubs say "Image placement fixed by loader" only then
    cmdline = H.default_cmdline(arch, name + (' efi=debug' if arch == 'aarch64' else ''))
    img = make_zboot(log_dir, name, arch, compress, suite=suite)
    files = {'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper(): H.debian_sdboot(arch),
             'loader/loader.conf': H.loader_conf(),
             'loader/entries/zboot.conf': H.type1_entry('zboot', linux='/vmlinuz.efi', initrd=['/initrd'],
                                                        options=cmdline),
             'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz')}
    check, result = boot_and_check(name, arch, files, cmdline, log_dir)
    comp = header_name(compress)
    # one stub per compression (docs/design.md): the image's stub has its payload's decoder only
    want = {'xz': 'xzkern lzma'}.get(compress, compress)
    check.true('zboot stub decoders (.zdec): %s\n' % want in ukify('inspect', img),
               'the image is not made from the one-decoder zboot stub for %s' % compress)
    if arch == 'x86_64':
        check_x86_log(check, result, comp)
        check.true('from the boot manager (LoadFile2)' in result.log, 'initrd not taken from sd-boot\'s LoadFile2')
    else:
        check_zboot_log(check, result, comp)
        check.true('Linux version %s ' % H.kernel_version(arch, suite) in result.log, 'the kernel that ran')
        check_arm64_in_place(check, result, H.asset(arch, 'vmlinuz', suite))
    os.unlink(img)
    return check.done(result)


@case
def zboot_arm64_type1_zstd(log_dir):
    """Debian arm64 sd-boot → `ukify-zboot zboot --compress zstd` image as a Type #1 `linux`,
    with Debian 12's, 13's and the development suite's kernels: each runs where we placed it."""
    return max([zboot_type1(log_dir, 'aarch64', 'zstd', suite) for suite in ('bookworm', 'trixie', 'sid')])


@case
def zboot_arm64_type1_gzip(log_dir):
    return zboot_type1(log_dir, 'aarch64', 'gzip')


@case
def zboot_arm64_type1_lz4(log_dir):
    return zboot_type1(log_dir, 'aarch64', 'lz4')


@case
def zboot_arm64_type1_xz(log_dir):
    return zboot_type1(log_dir, 'aarch64', 'xz')


@case
def zboot_arm64_type1_lzo(log_dir):
    """lzo (-Dlzo=enabled builds): our lzop container, lzo2's decoder built freestanding for aarch64."""
    return zboot_type1(log_dir, 'aarch64', 'lzo')


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
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')
    uki = arm64_zboot_uki(log_dir, name, cmdline)
    files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'EFI/Linux/zboot.efi': uki}
    check, result = boot_and_check(name, arch, files, cmdline, log_dir)
    check_zboot_log(check, result, 'zstd')
    check_arm64_in_place(check, result, H.asset(arch, 'vmlinuz'))
    os.unlink(uki)
    return check.done(result)


@case
def zboot_arm64_uki_direct(log_dir):
    """The same zboot UKI started directly by AAVMF as BOOTAA64.EFI."""
    arch, name = 'aarch64', 'zboot-arm64-uki-direct'
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')
    uki = arm64_zboot_uki(log_dir, name, cmdline)
    check, result = boot_and_check(name, arch, {'EFI/BOOT/BOOTAA64.EFI': uki}, cmdline, log_dir)
    check_zboot_log(check, result, 'zstd')
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
    sync_self_map(truncated, data[:64])
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
    m1 = re.search(r'cannot decompress zstd payload: compressed data is corrupt', log)
    check.true(m1 is not None, 'flipped byte: no clear "corrupt" error on the console')
    m2 = re.search(r'BdsDxe: failed to start .*BOOTAA64|BdsDxe: failed to start Boot0001', log)
    check.true(m2 is not None, 'the firmware did not see our error status')
    m3 = re.search(r'cannot decompress zstd payload: compressed data is truncated', log)
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
    """Five boots of the same zboot image: the physical address we choose differs, and each
    time the kernel runs there ("Kernel code" in /proc/iomem)."""
    arch, name = 'aarch64', 'zboot-arm64-random'
    cmdline = H.default_cmdline(arch, name + ' efi=debug')
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
        check_arm64_in_place(check, result, H.asset(arch, 'vmlinuz'), 'boot %d: ' % i)
    print('placements: %s' % ' '.join(bases))
    check.eq(len(set(bases)), 5, 'distinct placements over 5 boots')
    os.unlink(img)
    return check.done()


# ---- native x86 zboot (issue 6) -------------------------------------------------------------

VMALLOC_4LEVEL = '34359738367'      # kB: 32 TiB of vmalloc space
VMALLOC_5LEVEL = '13743895347199'   # kB: 12800 TiB


def x86_zboot(log_dir, name, compress='zstd', level=None):
    return make_zboot(log_dir, name, 'x86_64', compress, level)


def x86_zboot_uki(log_dir, name, cmdline, compress='zstd'):
    """`ukify-zboot build` from the Debian bzImage with --zboot: the .linux is a native x86 zboot."""
    uki = os.path.join(log_dir, name + '.efi')
    ukify('build', '--linux', H.asset('x86_64', 'vmlinuz'), '--zboot=' + compress, '--initrd',
          H.asset('x86_64', 'initrd.cpio.gz'), '--cmdline', cmdline, '--os-release', OSREL.decode(), '-o', uki)
    return uki


def check_x86_log(check, result, comp='zstd', paging='5'):
    """Our loader's log against what the kernel reports: the physical address we chose is the
    kernel's "Kernel code" start, the virtual _text we relocated for is the kernel's _text, and
    the paging mode we entered is the one the kernel runs in (VmallocTotal)."""
    log = result.log
    check.true(re.search(r'decompressed %s: \d+ -> \d+ bytes' % comp, log) is not None,
               'our loader did not log the %s decompression' % comp)
    placed = re.search(r'kernel placed at (0x[0-9a-f]+) \((random|lowest fit)', log)
    text = re.search(r'x86 kernel: _text at (0x[0-9a-f]+)', log)
    enter = re.search(r'entering startup_64 at (0x[0-9a-f]+) with (\d)-level paging', log)
    if not (check.true(placed is not None, 'no "kernel placed at" in our log') and
            check.true(text is not None, 'no "_text at" in our log') and
            check.true(enter is not None, 'no "entering startup_64" in our log')):
        return None
    if not result.reached_marker:
        return None
    code = result['KERNEL_CODE'] or ''
    check.eq(int(code.split('-')[0] or '0', 16), int(placed.group(1), 16), '"Kernel code" start = our placement')
    check.eq(int(result['TEXT'] or '0', 16), int(text.group(1), 16), 'kernel _text = our relocation target')
    check.eq(enter.group(2), paging, 'paging mode we entered')
    check.eq(result['VMALLOC_TOTAL'], VMALLOC_5LEVEL if paging == '5' else VMALLOC_4LEVEL,
             'VmallocTotal (%s-level paging in the kernel)' % paging)
    return placed.group(1), text.group(1), placed.group(2)


@case
def zboot_x86_type1_zstd(log_dir):
    """Debian sd-boot → vmlinuz.efi (native x86 zstd zboot) as a Type #1 entry, initrd via LoadFile2."""
    return zboot_type1(log_dir, 'x86_64', 'zstd')


@case
def zboot_x86_type1_gzip(log_dir):
    """The same with gzip."""
    return zboot_type1(log_dir, 'x86_64', 'gzip')


@case
def zboot_x86_type1_xz(log_dir):
    """The same with xz: the xz-only stub (zbootx64-xz.efi.stub, liblzma and no other decoder)."""
    return zboot_type1(log_dir, 'x86_64', 'xz')


@case
def zboot_x86_type1_lzo(log_dir):
    """The same with lzo (-Dlzo=enabled builds; lzo2's decoder built freestanding for x86_64)."""
    return zboot_type1(log_dir, 'x86_64', 'lzo')


def x86_uki_sdboot(log_dir, compress, debug):
    """With zboot.debug our UKI stub prints its info lines, checked against what the kernel
    reports, and the bench lines zboot.debug also prints (memory with the payload sizes);
    without it (the default) it is silent like systemd-stub: not one line of ours, not even the
    bench lines (those need zboot.bench or zboot.debug)."""
    arch, name = 'x86_64', 'zboot-x86-uki-sdboot' + ('' if compress == 'zstd' else '-' + compress)
    cmdline = H.default_cmdline(arch, name + (' zboot.debug' if debug else ''))
    uki = x86_zboot_uki(log_dir, name, cmdline, compress)
    files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'EFI/Linux/zboot.efi': uki}
    check, result = boot_and_check(name, arch, files, cmdline, log_dir)
    ours = re.findall(r'^zboot-stub: (.*)$', result.log.replace('\r', ''), re.M)
    if debug:
        check_x86_log(check, result, header_name(compress))
        check.true('from .initrd' in result.log, 'initrd not taken from .initrd')
        check.true(any(l.startswith('kernel placed at') for l in ours), 'zboot.debug: no "kernel placed" line')
        check.true(any(l.startswith('phases us:') for l in ours), 'zboot.debug: no phases line')
        m = re.search(r'^memory: peak \d+ allocated \d+ copied \d+ bytes, payload (\d+) -> (\d+) bytes$',
                      '\n'.join(ours), re.M)
        if check.true(m is not None, 'zboot.debug: no payload sizes on the memory line'):
            check.true(0 < int(m.group(1)) < int(m.group(2)), 'payload sizes %s -> %s' % m.groups())
    else:
        check.true(not ours, 'our UKI stub printed lines without zboot.debug or zboot.bench: %r' % ours[:3])
    os.unlink(uki)
    return check.done(result)


@case
def zboot_x86_uki_sdboot(log_dir):
    """Debian sd-boot → our UKI whose .linux is a native x86 zboot image (Type #2)."""
    return x86_uki_sdboot(log_dir, 'zstd', True)


@case
def zboot_x86_uki_sdboot_gzip(log_dir):
    """The same with a gzip .linux and the default command line (no zboot.debug): our stub prints
    none of its info lines."""
    return x86_uki_sdboot(log_dir, 'gzip', False)


@case
def zboot_x86_uki_direct(log_dir):
    """The same UKI started by OVMF itself as BOOTX64.EFI."""
    arch, name = 'x86_64', 'zboot-x86-uki-direct'
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')
    uki = x86_zboot_uki(log_dir, name, cmdline)
    check, result = boot_and_check(name, arch, {'EFI/BOOT/BOOTX64.EFI': uki}, cmdline, log_dir)
    check_x86_log(check, result)
    os.unlink(uki)
    return check.done(result)


def shell_boot(log_dir, arch, name, compress='zstd', driver=None):
    """A zboot image started by the UEFI Shell (startup.nsh) with load options and an initrd=
    file, after `load DRIVER` if one is given. Checks the boot and that the command line
    arrived as the Shell passes it (argv[0] first); returns the check and the result."""
    cmdline = H.default_cmdline(arch, name)
    img = make_zboot(log_dir, name, arch, compress)
    files = {'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz')}
    nsh = 'fs0:\r\n'
    if driver:
        files[driver] = test_efi(driver.rsplit('.', 1)[0], arch)
        nsh += 'load %s\r\n' % driver
    nsh += '\\vmlinuz.efi initrd=\\initrd ' + cmdline + '\r\nreset -s\r\n'
    files['startup.nsh'] = nsh.encode()
    check = H.Check(name)
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'))
    os.unlink(img)
    H.check_boot(check, result, cmdline=None)
    if result.reached_marker:
        check.eq(H.kernel_cmdline(result['CMDLINE']), '\\vmlinuz.efi ' + cmdline, 'kernel command line')
    return check, result


def x86_shell(log_dir, compress):
    name = 'zboot-x86-shell' + ('' if compress == 'zstd' else '-' + compress)
    check, result = shell_boot(log_dir, 'x86_64', name, compress)
    check_x86_log(check, result, header_name(compress))
    check.true('from initrd= files' in result.log, 'initrd not read from the initrd= file')
    return check.done(result)


@case
def zboot_x86_shell(log_dir):
    """vmlinuz.efi started by the firmware's UEFI Shell with load options (startup.nsh), the
    initrd named by initrd= on that command line, as the kernel's own stub would take it."""
    return x86_shell(log_dir, 'zstd')


@case
def zboot_x86_shell_gzip(log_dir):
    """The same with gzip."""
    return x86_shell(log_dir, 'gzip')


def memattr_replay(check, log):
    """Replay the memattr-mock driver's log over a page map (page -> attributes; pages never
    named keep the firmware's state and are not tracked). Checks that every call was valid, that
    the first call on each page makes it non-executable (memory for code is made RW+NX before
    anything is written into it, whatever the firmware gave) and that no page the calls touched
    is ever writable and executable at once. Returns the map."""
    pages, early = {}, []
    calls = re.findall(r'memattr-mock: (invalid )?(set|clear) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+)', log)
    check.true(len(calls) > 0, 'no memory attribute calls logged')
    for invalid, op, base, length, attr in calls:
        base, length, attr = int(base, 16), int(length, 16), int(attr, 16)
        if not check.true(not invalid, 'invalid call: %s 0x%x 0x%x 0x%x' % (op, base, length, attr)):
            continue
        wx = 0
        for p in range(base >> 12, (base + length) >> 12):
            if p not in pages and not (op == 'set' and attr & MEM_XP):
                early.append(p)
            a = pages.get(p, 0)
            a = a | attr if op == 'set' else a & ~attr
            pages[p] = a
            if not a & (MEM_RO | MEM_XP | MEM_RP):
                wx += 1
        check.true(wx == 0, '%s 0x%x+0x%x 0x%x leaves %d pages writable and executable' % (op, base, length, attr, wx))
    check.true(not early, '%d pages changed before they were made non-executable (first 0x%x)'
               % (len(early), early[0] << 12 if early else 0))
    return pages


def memattr_shell(log_dir, arch, name):
    """Boot a zboot image from the UEFI Shell after `load memattr-mock.efi`; return the check,
    the result, our kernel's base and the final attribute runs over its allocation:
    [(attributes, pages)]."""
    check, result = shell_boot(log_dir, arch, name, driver='memattr-mock.efi')
    check.true('memattr-mock: installed' in result.log, 'the mock driver did not install the protocol')
    check.true('no EFI_MEMORY_ATTRIBUTE_PROTOCOL' not in result.log, 'our loader did not find the protocol')
    pages = memattr_replay(check, result.log)
    placed = re.search(r'kernel placed at (0x[0-9a-f]+) \([^,]+, (\d+) KiB\)', result.log)
    runs, base = [], None
    if check.true(placed is not None, 'no "kernel placed at" in our log'):
        base = int(placed.group(1), 16)
        # written while RW+NX: the whole allocation made so before the payload is decompressed
        # into it (the stand-in cannot report the firmware's attributes, so the loader asks)
        rw = 'memattr-mock: set 0x%x 0x%x 0x%x' % (base, int(placed.group(2)) * 1024, MEM_XP)
        decompressed = result.log.find('zboot: decompressed ')
        check.true(0 <= result.log.find(rw) < decompressed, 'the kernel allocation was not made RW+NX (%s) before '
                   'the payload was decompressed into it' % rw)
        p = base >> 12
        while p in pages:
            a = pages[p] & (MEM_RO | MEM_XP | MEM_RP)
            if runs and runs[-1][0] == a:
                runs[-1][1] += 1
            else:
                runs.append([a, 1])
            p += 1
    names = {MEM_RO: 'RX', MEM_XP: 'RW+NX', MEM_RO | MEM_XP: 'RO+NX'}
    print('kernel allocation: ' + ', '.join('%d pages %s' % (n, names.get(a, hex(a))) for a, n in runs))
    return check, result, base, runs


@case
def zboot_x86_memattr(log_dir):
    """vmlinuz.efi (native x86) from the UEFI Shell after a driver installed a logging stand-in
    for EFI_MEMORY_ATTRIBUTE_PROTOCOL (Debian 12's OVMF has none): no page we touch is ever W+X,
    the kernel's allocation ends as RX text then RW+NX, and the kernel's "Kernel code" lies in
    the RX part. The kernel then boots as usual."""
    check, result, base, runs = memattr_shell(log_dir, 'x86_64', 'zboot-x86-memattr')
    check_x86_log(check, result)
    if check.eq([a for a, _ in runs], [MEM_RO, MEM_XP], 'attribute runs over the kernel allocation') and \
            result.reached_marker:
        code_start, code_end = (int(x, 16) for x in result['KERNEL_CODE'].split('-'))
        rx_end = base + runs[0][1] * 4096
        check.true(base <= code_start and code_end < rx_end, '"Kernel code" 0x%x-0x%x inside the RX range 0x%x-0x%x'
                   % (code_start, code_end, base, rx_end))
    return check.done(result)


@case
def zboot_arm64_memattr(log_dir):
    """The same for an arm64 zboot image: the Image's PE header RO+NX, its executable section
    RX, everything else RW+NX, never W+X on the way. The kernel's EFI stub runs the image
    where it is (LINUX_EFI_LOADED_IMAGE_FIXED_GUID), so "Kernel code" is exactly where we put
    it and ends inside the RX range."""
    arch = 'aarch64'
    check, result, base, runs = memattr_shell(log_dir, arch, 'zboot-arm64-memattr')
    check_arm64_in_place(check, result, H.asset(arch, 'vmlinuz'))
    if check.eq([a for a, _ in runs], [MEM_RO | MEM_XP, MEM_RO, MEM_XP], 'attribute runs over the kernel allocation') \
            and result.reached_marker:
        code_start, code_end = (int(x, 16) for x in result['KERNEL_CODE'].split('-'))
        rx_start = base + runs[0][1] * 4096
        rx_end = rx_start + runs[1][1] * 4096
        check.true(base <= code_start and code_end < rx_end, '"Kernel code" 0x%x-0x%x inside the image, ending in '
                   'the RX range 0x%x-0x%x' % (code_start, code_end, rx_start, rx_end))
    return check.done(result)


def x86_boots(log_dir, name, n, extra_cmdline='', cpu=None):
    arch = 'x86_64'
    cmdline = H.default_cmdline(arch, (name + ' zboot.debug ' + extra_cmdline).strip())
    uki = x86_zboot_uki(log_dir, name, cmdline)
    check = H.Check(name)
    seen = []
    for i in range(n):
        result = H.boot(arch, {'EFI/BOOT/BOOTX64.EFI': uki}, cpu=cpu,
                        log_path=os.path.join(log_dir, '%s-%d.log' % (name, i)))
        H.check_boot(check, result, cmdline=cmdline)
        seen.append((check_x86_log(check, result, paging='4' if 'no5lvl' in cmdline or cpu else '5'), result))
    os.unlink(uki)
    return check, seen


@case
def zboot_x86_kaslr(log_dir):
    """Ten boots of one UKI: physical and virtual KASLR each give at least 8 distinct addresses,
    and the kernel runs where we put it."""
    check, seen = x86_boots(log_dir, 'zboot-x86-kaslr', 10)
    got = [s for s, _ in seen if s]
    phys = [p for p, _, _ in got]
    virt = [v for _, v, _ in got]
    print('physical: %s' % ' '.join(phys))
    print('virtual:  %s' % ' '.join(virt))
    check.eq(len(got), 10, 'boots with both addresses logged and confirmed by the kernel')
    check.true(len(set(phys)) >= 8, '>= 8 distinct physical bases (got %d)' % len(set(phys)))
    check.true(len(set(virt)) >= 8, '>= 8 distinct _text addresses (got %d)' % len(set(virt)))
    check.true(all(m == 'random' for _, _, m in got), 'every placement random')
    return check.done()


@case
def zboot_x86_nokaslr(log_dir):
    """With nokaslr, three boots put the kernel at the same place: the lowest free 2 MiB-aligned
    address at or above its preferred one (LOAD_PHYSICAL_ADDR, 16 MiB; OVMF keeps some of the
    memory there for itself), and its link-time _text."""
    check, seen = x86_boots(log_dir, 'zboot-x86-nokaslr', 3, 'nokaslr')
    got = [s for s, _ in seen if s]
    check.eq(len(got), 3, 'boots confirmed by the kernel')
    phys = sorted(set(p for p, _, _ in got))
    check.eq(len(phys), 1, 'one physical base over three boots (%s)' % ' '.join(phys))
    check.true(all(0x1000000 <= int(p, 16) < 0x4000000 and int(p, 16) % 0x200000 == 0 for p in phys),
               'physical base low and aligned (%s)' % ' '.join(phys))
    check.eq(sorted(set(v for _, v, _ in got)), ['0xffffffff81000000'], '_text')
    check.true(all(m == 'lowest fit' for _, _, m in got), 'placement not randomized')
    return check.done()


@case
def zboot_x86_paging(log_dir):
    """4-level paging when asked (no5lvl) and when the CPU has no LA57; 5-level is checked by
    every other x86 boot (QEMU -cpu max has LA57)."""
    check = H.Check('zboot-x86-paging')
    for label, extra, cpu in (('no5lvl', 'no5lvl', None), ('la57-off', '', 'max,la57=off')):
        c, seen = x86_boots(log_dir, 'zboot-x86-paging-' + label, 1, extra, cpu)
        check.failures += c.failures
        check.true(seen[0][0] is not None, '%s: boot confirmed' % label)
        if cpu:
            check.true('no5lvl or kernel without 5-level' not in seen[0][1].log, 'la57=off: CPU reason, not no5lvl')
    return check.done()


def x86_zboot_gzip_parts(log_dir, name):
    """A gzip zboot image plus its decompressed payload, for crafting bad ones."""
    # level 1 so zlib -9 fits in its place; without the BCJ stage: extract writes the plain
    # payload, which must match the image's .zbx86 once re-compressed
    img = make_zboot(log_dir, name, 'x86_64', 'gzip', level='1', extra=('--no-bcj',))
    payload = img + '.payload'
    ukify('extract', img, '-o', payload)
    data, pl = bytearray(open(img, 'rb').read()), bytearray(open(payload, 'rb').read())
    os.unlink(img)
    os.unlink(payload)
    return data, pl


def sync_self_map(out, old_header):
    """Our self-decompressor finds its payload through the self map `ukify-zboot zboot` filled
    in (docs/format.md §1), which holds a copy of the zboot header: a crafted image whose header
    was edited gets the same edit in that copy, as a producer would make it."""
    i = bytes(out).find(b'ZBSELF01' + bytes(old_header))
    if i < 0:
        raise H.HarnessError('no filled self map holding this image\'s zboot header')
    out[i + 8:i + 8 + 64] = out[:64]
    return out


def regzip(data, payload):
    """Replace the gzip stream of a zboot image in place (it must come out no longer). gzip's
    payload size is the whole member (docs/format.md §1)."""
    import zlib
    off, size = struct.unpack_from('<II', data, 8)
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    stream = c.compress(bytes(payload)) + c.flush()
    if len(stream) > size:
        raise H.HarnessError('re-compressed payload does not fit')
    out = bytearray(data)
    out[off:off + size] = stream + bytes(size - len(stream))
    struct.pack_into('<I', out, 12, len(stream))
    return bytes(sync_self_map(out, data[:64]))


def section(data, name):
    pe = struct.unpack_from('<I', data, 0x3c)[0]
    nsec, = struct.unpack_from('<H', data, pe + 6)
    opt_size, = struct.unpack_from('<H', data, pe + 20)
    table = pe + 24 + opt_size
    for i in range(nsec):
        if data[table + 40 * i:table + 40 * i + 8].rstrip(b'\0') == name.encode():
            return struct.unpack_from('<I', data, table + 40 * i + 20)[0]
    raise H.HarnessError('no section ' + name)


@case
def zboot_x86_bad(log_dir):
    """Bad x86 payloads are refused before ExitBootServices with a clear message and an error
    returned: OVMF starts one with a flipped stream byte as BOOTX64.EFI and falls back to the
    UEFI Shell, whose startup.nsh starts one whose first relocation points outside the kernel
    and one whose init_size is larger than the machine's memory, then (after loading the logging
    stand-in for EFI_MEMORY_ATTRIBUTE_PROTOCOL) the good one with an initrd= file that does not
    exist: refused after its pages were made RX/RW+NX, which must be back to RW+NX, never W+X on
    the way, before they are freed; then (after loading test/efi/ebs-mock.c) the good one whose
    ExitBootServices fails three times: after the first call nothing of ours may reach the
    console or the memory attribute protocol (only memory services are allowed), and the status
    must reach the Shell; then the good one that boots."""
    arch, name = 'x86_64', 'zboot-x86-bad'
    cmdline = H.default_cmdline(arch, name)
    data, payload = x86_zboot_gzip_parts(log_dir, name)
    off, size = struct.unpack_from('<II', data, 8)
    flipped = bytearray(data)
    flipped[off + size // 2] ^= 0x40
    t = len(payload) - 80
    roff = struct.unpack_from('<I', payload, t + 0x14)[0]
    bad_reloc = bytearray(payload)
    struct.pack_into('<I', bad_reloc, roff + 12, 0x00001000)    # first 64-bit entry → low memory
    huge = bytearray(data)
    z = section(huge, '.zbx86')
    struct.pack_into('<I', huge, z + 0x24, 0xf0000000)          # init_size 3.75 GiB, the VM has 1
    good = x86_zboot(log_dir, name + '-good')
    nsh = ('fs0:\r\n'
           '\\reloc.efi\r\n'
           'echo "shell: reloc image returned %lasterror%"\r\n'
           '\\huge.efi\r\n'
           'echo "shell: huge image returned %lasterror%"\r\n'
           'load \\memattr-mock.efi\r\n'
           '\\good.efi initrd=\\missing ' + cmdline + '\r\n'
           'echo "shell: missing-initrd image returned %lasterror%"\r\n'
           'load \\ebs-mock.efi\r\n'
           '\\good.efi initrd=\\initrd ' + cmdline + '\r\n'
           'echo "shell: ebs-refused image returned %lasterror%"\r\n'
           '\\good.efi initrd=\\initrd ' + cmdline + '\r\n'
           'reset -s\r\n')
    files = {'EFI/BOOT/BOOTX64.EFI': bytes(flipped), 'startup.nsh': nsh.encode(),
             'reloc.efi': regzip(data, bad_reloc), 'huge.efi': bytes(huge), 'good.efi': good,
             'initrd': H.asset(arch, 'initrd.cpio.gz'), 'memattr-mock.efi': test_efi('memattr-mock', arch),
             'ebs-mock.efi': test_efi('ebs-mock', arch)}
    check = H.Check(name)
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'))
    os.unlink(good)
    check.true(not result.timed_out, 'QEMU timed out: an error path hangs')
    log = result.log
    check.true(re.search(r'cannot decompress gzip payload: ', log) is not None,
               'flipped byte: no clear decompression error')
    check.true(re.search(r'BdsDxe: failed to start .*BOOTX64|BdsDxe: failed to start Boot000', log) is not None,
               'the firmware did not see our error status')
    check.true(re.search(r'relocation 0 points outside the kernel image', log) is not None,
               'bad relocation: no clear error')
    check.true(re.search(r'shell: reloc image returned (0x)?[1-9A-Fa-f]', log) is not None,
               'bad relocation: no error status returned')
    check.true(re.search(r'no room for the kernel: \d+ MiB', log) is not None, 'huge init_size: no clear error')
    check.true(re.search(r'shell: huge image returned (0x)?[1-9A-Fa-f]', log) is not None,
               'huge init_size: no error status returned')
    # the hand-off's last line: the image whose ExitBootServices fails and the last one
    check.eq(log.count('entering startup_64'), 2, '"entering startup_64" lines')
    check.eq(log.count('Linux version'), 1, 'kernels started')
    # Restore on failure: replay the attribute calls up to the refusal of the missing initrd.
    check.true(re.search(r'cannot read initrd \\missing', log) is not None, 'missing initrd: no clear error')
    check.true(re.search(r'shell: missing-initrd image returned (0x)?[1-9A-Fa-f]', log) is not None,
               'missing initrd: no error status returned')
    cut = log.find('shell: missing-initrd image returned')
    before = log[:cut] if cut >= 0 else log
    pages = memattr_replay(check, before)   # also: never W+X, every call valid
    placed = re.findall(r'kernel placed at (0x[0-9a-f]+) \([^,]+, (\d+) KiB\)', before)
    if check.true(len(placed) > 0, 'the missing-initrd image placed no kernel'):
        base, kib = int(placed[-1][0], 16), int(placed[-1][1])
        n = kib // 4
        touched = [pages.get(p) for p in range(base >> 12, (base >> 12) + n)]
        check.true(all(a is not None for a in touched), 'the kernel allocation was never protected (%d of %d pages '
                   'touched)' % (sum(a is not None for a in touched), n))
        bad = [i for i, a in enumerate(touched) if a is not None and (a & (MEM_RO | MEM_XP)) != MEM_XP]
        check.true(not bad, 'after the refusal %d of %d kernel pages are not back to RW+NX (first at +0x%x)'
                   % (len(bad), n, (bad[0] if bad else 0) * 4096))
        # the same call made it RW+NX before it was written, then restores it
        restore = 'memattr-mock: set 0x%x 0x%x 0x%x' % (base, n * 4096, MEM_XP)
        check.true(before.count(restore) >= 2, 'no restoring call over the whole allocation (%s)' % restore)
    # ExitBootServices refused three times: silence from the first refusal to the Shell's echo
    ebs = re.search(r'^ebs-mock: installed$(.*?)^shell: ebs-refused image returned (\S+)', log.replace('\r', ''),
                    re.M | re.S)
    if check.true(ebs is not None, 'the image whose ExitBootServices fails did not come back to the Shell'):
        seg = ebs.group(1)
        first = seg.find('ebs-mock: ExitBootServices refused (1 of 3)')
        if check.true(first >= 0, 'ExitBootServices was never called'):
            check.true('memattr-mock: clear' in seg[:first], 'no page was made executable before the hand-off')
            check.eq(len(re.findall(r'^ebs-mock: ExitBootServices refused', seg, re.M)), 3,
                     'ExitBootServices calls (a map key refusal is retried, three attempts)')
            after = [line for line in seg[first:].splitlines()
                     if line.startswith('zboot') or line.startswith('memattr-mock:')]
            check.true(not after, 'after the first ExitBootServices call (only memory services allowed): %s'
                       % '; '.join(after[:5]))
        check.eq(ebs.group(2).lower(), '0x2', 'ebs-refused image: %lasterror% (invalid parameter)')
    H.check_boot(check, result, cmdline=None)
    return check.done(result)


def x86_type1_boot(log_dir, name, words):
    """Boot a zstd vmlinuz.efi of Debian's x86 kernel from one Type #1 entry of Debian's sd-boot
    (the test initrd on the entry's initrd line: LoadFile2), WORDS added to the default command
    line. Returns (check, result, cmdline)."""
    arch = 'x86_64'
    cmdline = H.default_cmdline(arch, name + ' ' + words)
    img = make_zboot(log_dir, name, arch, 'zstd')
    files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'loader/entries/zboot.conf': H.type1_entry('zboot', linux='/vmlinuz.efi', initrd=['/initrd'],
                                                        options=cmdline),
             'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz')}
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'))
    os.unlink(img)
    return H.Check(name), result, cmdline


@case
def zboot_x86_noinitrd(log_dir):
    """`noinitrd` on the command line: like the kernel's EFI stub, our native x86 path passes no
    initrd at all, although sd-boot offers one (LoadFile2) and the entry names one with initrd=.
    What the kernel reports: it runs (its banner), never starts unpacking an initramfs, and
    panics for want of a root file system (panic=-1 reboots, QEMU exits); the initrd's marker
    never appears. The same entry without noinitrd is zboot-x86-type1-zstd."""
    check, result, _ = x86_type1_boot(log_dir, 'zboot-x86-noinitrd', 'noinitrd initrd=\\initrd')
    log = result.log
    check.true(not result.timed_out, 'QEMU timed out (the kernel should panic and reboot)')
    check.true('noinitrd: no initrd for the kernel' in log, 'our loader did not say it passes no initrd')
    check.true(re.search(r'initrd: \d+ bytes from', log) is None, 'our loader still passed an initrd')
    check.true('entering startup_64' in log, 'the kernel was not started')
    check.true(re.search(r'Linux version \S+', log) is not None, 'no kernel banner: the kernel did not run')
    check.true('Trying to unpack rootfs image as initramfs' not in log, 'the kernel found an initrd to unpack')
    check.true(re.search(r'VFS: Unable to mount root fs|Kernel panic - not syncing: VFS', log) is not None,
               'the kernel did not report a missing root file system')
    check.true(not result.reached_marker, 'the initrd ran although noinitrd was given')
    return check.done(result)


@case
def zboot_x86_quiet(log_dir):
    """`quiet` on the command line: like the kernel's EFI stub, our loader then prints only errors
    and what was asked for (`zboot.bench`'s phase and memory lines), none of its info lines (each
    costs about a millisecond through OVMF's consoles). What the kernel reports: the command line
    with quiet, the initrd ran. Our log: the bench lines, and no other line of ours (not the
    memcpy reference either: that needs `zboot.bench=memcpy`)."""
    check, result, cmdline = x86_type1_boot(log_dir, 'zboot-x86-quiet', 'quiet zboot.bench')
    H.check_boot(check, result, cmdline=cmdline)
    ours = re.findall(r'^zboot: (.*)$', result.log.replace('\r', ''), re.M)
    check.true(any(l.startswith('phases us:') for l in ours), 'no zboot.bench phase line under quiet')
    check.true(any(l.startswith('memory: peak') for l in ours), 'no zboot.bench memory line under quiet')
    chatty = [l for l in ours if not l.startswith(('phases us:', 'memory: peak'))]
    check.true(not chatty, 'our loader printed info lines (or the memcpy reference) under quiet: %r' % chatty[:3])
    return check.done(result)


# ---- newer Debian kernels on the native x86 path (issue 12) ---------------------------------

def x86_suite_type1(log_dir, suite):
    """Debian sd-boot → `ukify-zboot zboot` of the SUITE's bzImage as a Type #1 entry: the kernel
    runs where our loader put it (physical and virtual), in the paging mode we entered, and our
    log shows the relocation table layout its release implies (docs/format.md §4: the inverse
    32-bit list is gone from Linux 6.15 on). The image has the x86 BCJ stage (`--bcj`, off by
    default): a kernel whose text the loader did not undo would not get far."""
    arch = 'x86_64'
    name = 'zboot-x86-%s-type1-zstd' % suite
    version = H.kernel_version(arch, suite)
    cmdline = H.default_cmdline(arch, name)
    img = os.path.join(log_dir, name + '.vmlinuz.efi')
    ukify('zboot', H.asset(arch, 'vmlinuz', suite), '--compress', 'zstd', '--level', '3', '--bcj', '-o', img)
    x86 = json.loads(ukify('inspect', '--json', img)).get('x86', {})
    files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch),
             'loader/loader.conf': H.loader_conf(),
             'loader/entries/zboot.conf': H.type1_entry('zboot', linux='/vmlinuz.efi', initrd=['/initrd'],
                                                        options=cmdline),
             'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz')}
    check, result = boot_and_check(name, arch, files, cmdline, log_dir)
    check.eq(x86.get('filter'), 'x86 BCJ', 'inspect: the image carries the x86 BCJ stage')
    check.true('Linux version %s ' % version in result.log, 'the kernel that ran is %s' % version)
    check_x86_log(check, result, header_name('zstd'))
    rel = re.search(r'relocations (\d+)/(\d+)/(\d+)', result.log)
    if check.true(rel is not None, 'no relocation counts in our log'):
        n64, ninv, n32 = (int(x) for x in rel.groups())
        major, minor = (int(x) for x in re.match(r'(\d+)\.(\d+)', version).groups())
        check.true(n64 > 1000 and n32 > 1000, '64-bit and 32-bit relocations (%d, %d)' % (n64, n32))
        if (major, minor) >= (6, 15):
            check.eq(ninv, 0, 'no inverse 32-bit relocations from Linux 6.15 on')
        else:
            check.true(ninv > 0, 'inverse 32-bit relocations up to Linux 6.14 (%d)' % ninv)
    os.unlink(img)
    return check.done(result)


@case
def zboot_x86_trixie_type1_zstd(log_dir):
    """Debian 13's kernel (6.12: three relocation lists) as a native x86 zboot, Type #1."""
    return x86_suite_type1(log_dir, 'trixie')


@case
def zboot_x86_sid_type1_zstd(log_dir):
    """The development suite's kernel (7.x: two relocation lists) as a native x86 zboot, Type #1."""
    return x86_suite_type1(log_dir, 'sid')


# ---- systemd-stub >= 258 loads our zboot image itself (issue 12: no base relocations) -------

def sdstub252_zboot(log_dir, arch):
    """sd-boot 252 → a UKI made of Debian 12's own sd-stub 252 with our zboot image as .linux
    (sections appended as objcopy did before ukify): the oldest stub of the range we support
    starts .linux with the firmware's LoadImage/StartImage."""
    name = 'sdstub252-%s-zboot' % ('x86' if arch == 'x86_64' else 'arm64')
    cmdline = H.default_cmdline(arch, name + (' efi=debug' if arch == 'aarch64' else ''))
    img = make_zboot(log_dir, name, arch, 'zstd')
    uki = os.path.join(log_dir, name + '.efi')
    H.append_sections(H.debian_sdstub(arch), uki, [
        ('.osrel', OSREL), ('.cmdline', cmdline.encode()), ('.initrd', H.asset(arch, 'initrd.cpio.gz')),
        ('.linux', img)])
    files = {'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper(): H.debian_sdboot(arch),
             'loader/loader.conf': H.loader_conf(), 'EFI/Linux/zboot.efi': uki}
    check, result = boot_and_check(name, arch, files, cmdline, log_dir)
    if arch == 'x86_64':
        check_x86_log(check, result, header_name('zstd'))
    else:
        check_zboot_log(check, result, header_name('zstd'))
        check_arm64_in_place(check, result, H.asset(arch, 'vmlinuz'))
    for f in (img, uki):
        os.unlink(f)
    return check.done(result)


@case
def sdstub252_x86_zboot(log_dir):
    return sdstub252_zboot(log_dir, 'x86_64')


@case
def sdstub252_arm64_zboot(log_dir):
    return sdstub252_zboot(log_dir, 'aarch64')


def sdstub262_zboot(log_dir, arch):
    """sd-boot 262 → a UKI that Debian 13's ukify makes from the development suite's sd-stub
    (262) with our zboot image as .linux, the way most people will use it. That stub loads
    .linux with its own PE loader: copies the sections to a fresh allocation at an arbitrary
    address, applies no relocations, and refuses an image with a base relocation directory. xz,
    because liblzma's filter table is a relocated pointer table: the kernel is only reached if
    our loader relocated itself (src/boot/zboot/self-reloc.c)."""
    name = 'sdstub262-%s-zboot' % ('x86' if arch == 'x86_64' else 'arm64')
    stub = H.debian_sdstub(arch, 'sid')
    with open(stub, 'rb') as f:
        m = re.search(rb'systemd-stub (\d+)', f.read())
    check = H.Check(name)
    if not check.true(m is not None and int(m.group(1)) >= 258, '%s is not sd-stub >= 258' % stub):
        return check.done()
    cmdline = H.default_cmdline(arch, name + (' efi=debug' if arch == 'aarch64' else ''))
    img = make_zboot(log_dir, name, arch, 'xz')
    info = ukify('inspect', '--json', img)
    check.true('"directory_size": 0' in info, 'our zboot image has a base relocation directory')
    uki = os.path.join(log_dir, name + '.efi')
    osrel = os.path.join(log_dir, name + '.os-release')
    with open(osrel, 'wb') as f:
        f.write(OSREL)
    p = subprocess.run(H.ukify_command('trixie') + [
        'build', '--linux', img, '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--cmdline', cmdline,
        '--os-release', '@' + osrel, '--stub', stub, '--efi-arch', H.EFI_SUFFIX[arch], '--output', uki,
        '--uname', '6.1-zboot-test'],  # ukify 257 cannot look into an xz zboot payload for it
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if not check.true(p.returncode == 0, 'ukify failed: %s' % p.stdout.decode(errors='replace')[-3000:]):
        return check.done()
    files = {'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper(): H.debian_sdboot(arch, 'sid'),
             'loader/loader.conf': H.loader_conf(), 'EFI/Linux/zboot.efi': uki}
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'))
    H.check_boot(check, result, cmdline=cmdline)
    check.true('Inner kernel image contains base relocations' not in result.log, 'sd-stub refused our image')
    if arch == 'x86_64':
        check_x86_log(check, result, 'xzkern')
        check.true('from the boot manager (LoadFile2)' in result.log, 'initrd not taken from sd-stub\'s LoadFile2')
    else:
        check_zboot_log(check, result, 'xzkern')
        check_arm64_in_place(check, result, H.asset(arch, 'vmlinuz'))
    for f in (img, uki, osrel):
        os.unlink(f)
    return check.done(result)


@case
def sdstub262_x86_zboot(log_dir):
    """sd-stub 262 (own PE loader, no relocations) starts our native x86 zboot image as .linux."""
    return sdstub262_zboot(log_dir, 'x86_64')


@case
def sdstub262_arm64_zboot(log_dir):
    """sd-stub 262 (own PE loader, no relocations) starts our arm64 zboot image as .linux."""
    return sdstub262_zboot(log_dir, 'aarch64')


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
