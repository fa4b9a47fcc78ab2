#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Trust tests: a UKI's own .initrd is never dropped or replaced by what a boot manager
passes; under Secure Boot (Debian's snakeoil OVMF, everything signed with its test key) the
boot manager's initrd is ignored and the kernel runs locked down.
Usage: trust_test.py CASE [--log-dir DIR]
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, os.path.join(HERE, '..', 'boot'))
import zboot_harness as H  # noqa: E402
import boot_test as B  # noqa: E402

case = H.CaseTable()
EVIL = 'EVIL-INITRD-RAN'
EXTRA = 'from-the-boot-manager'
SNAKEOIL = ('/usr/share/ovmf/PkKek-1-snakeoil.key', '/usr/share/ovmf/PkKek-1-snakeoil.pem')



def cpio(path, files):
    """A newc cpio archive of {name: (bytes, mode)} (directories made as needed)."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, (data, mode) in files.items():
            dest = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, 'wb') as f:
                f.write(data)
            os.chmod(dest, mode)
        names = subprocess.run(['find', '.'], cwd=tmp, check=True, stdout=subprocess.PIPE).stdout
        names = b'\n'.join(sorted(names.split(b'\n'))[1:]) + b'\n'
        out = subprocess.run(['cpio', '-o', '-H', 'newc', '--quiet'], cwd=tmp, input=names, check=True,
                             stdout=subprocess.PIPE).stdout
    with open(path, 'wb') as f:
        f.write(out)
    return path


def evil_initrd(path, arch):
    """What an attacker with write access to the ESP would add: its own /init (with a busybox
    to run it, so the attack works if this initrd is ever unpacked) and a marker file."""
    busybox = '/bin/busybox' if arch == 'x86_64' else H.asset(arch, 'busybox')
    with open(H.need_file(busybox, 'busybox'), 'rb') as f:
        bb = f.read()
    init = b'#!/bin/busybox sh\necho %s\n/bin/busybox poweroff -f\n' % EVIL.encode()
    return cpio(path, {'init': (init, 0o755), 'bin/busybox': (bb, 0o755), 'extra-initrd': (b'evil\n', 0o644)})


def zboot_uki(log_dir, name, arch, cmdline):
    """Our UKI stub, .linux = our zboot image (x86: native payload), .initrd = the test initrd."""
    uki = os.path.join(log_dir, name + '.efi')
    osrel = os.path.join(log_dir, name + '.os-release')
    with open(osrel, 'wb') as f:
        f.write(B.OSREL)
    B.ukify('build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--initrd', H.asset(arch, 'initrd.cpio.gz'),
            '--cmdline', cmdline, '--os-release', '@' + osrel, '-o', uki)
    os.unlink(osrel)
    return uki


def type1_uki(arch, uki, sdboot, initrd_path, cmdline):
    """sd-boot Type #1 entry whose `linux` is the UKI, with an `initrd` line of the boot manager's."""
    return {'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper(): sdboot,
            # the Type #1 entry, not the Type #2 entry sd-boot also makes for EFI/Linux/uki.efi
            'loader/loader.conf': H.loader_conf(default='uki.conf'),
            'loader/entries/uki.conf': H.type1_entry('uki', linux='/EFI/Linux/uki.efi', initrd=['/extra.cpio'],
                                                     options=cmdline),
            'EFI/Linux/uki.efi': uki, 'extra.cpio': initrd_path}


# The order probe: .initrd and the boot manager's initrd both carry /order-probe; the kernel
# unpacks archives in order and a later file replaces an earlier one, so the file left shows
# which came last. .initrd's /init (an overlay on the test initrd) prints it.
PROBE_LINES = r'''
[ -f /order-probe ] && echo "ORDER_PROBE=$($B cat /order-probe)"
'''
PROBE_UKI = 'from-dot-initrd'


def probe_initrd(log_dir, name, arch):
    """.initrd's parts: the test initrd, then an overlay whose /init also prints /order-probe and
    whose /order-probe says PROBE_UKI."""
    sys.path.insert(0, os.path.join(HERE, '..', 'stub'))
    from stub_common import init_with_lines   # imported here: stub_common imports this module
    init = init_with_lines(arch, PROBE_LINES)
    overlay = cpio(os.path.join(log_dir, name + '.probe.cpio'),
                   {'init': (init.encode(), 0o755), 'order-probe': (PROBE_UKI.encode() + b'\n', 0o644)})
    return [H.asset(arch, 'initrd.cpio.gz'), overlay]


def initrd_combined(log_dir, arch, stub='ours'):
    """No Secure Boot: a Type #1 `initrd` next to a UKI is combined with .initrd, never replaces
    it, and comes before it as in sd-stub 262 (after .ucode): .initrd's files win. stub='262':
    the same UKI sections and ESP with the development suite's sd-stub 262, which sets the rule."""
    name = 'trust-%s-initrd-combined%s' % ('x86' if arch == 'x86_64' else 'arm64', '' if stub == 'ours' else '-sdstub262')
    cmdline = H.default_cmdline(arch, name + (' zboot.debug' if stub == 'ours' else ''))   # our info lines
    parts = probe_initrd(log_dir, name, arch)
    uki = os.path.join(log_dir, name + '.efi')
    if stub == 'ours':
        args = ['build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--cmdline', cmdline, '-o', uki]
        for p in parts:
            args += ['--initrd', p]
        B.ukify(*args)
    else:
        cmd = H.ukify_command('trixie') + ['build', '--stub', H.debian_sdstub(arch, 'sid'), '--linux',
                                           H.asset(arch, 'vmlinuz'), '--uname', H.kernel_version(arch),
                                           '--cmdline', cmdline, '--output', uki]
        for p in parts:
            cmd += ['--initrd', p]
        H.run(cmd)
    extra = cpio(os.path.join(log_dir, name + '.extra.cpio'), {'extra-initrd': (EXTRA.encode() + b'\n', 0o644),
                                                               'order-probe': (b'from-the-boot-manager\n', 0o644)})
    files = type1_uki(arch, uki, H.debian_sdboot(arch), extra, cmdline)
    # sd-boot passes the entry's options to the UKI as LoadOptions: the same string here, and
    # without Secure Boot the stub may use them; the kernel must see exactly this line.
    check, result = B.boot_and_check(name, arch, files, cmdline, log_dir)
    check.eq(result['EXTRA_INITRD'], EXTRA, "the boot manager's initrd was unpacked (its /extra-initrd)")
    check.eq(result['ORDER_PROBE'], PROBE_UKI, "/order-probe is .initrd's: the boot manager's initrd came before it")
    if stub == 'ours':
        check.true(".initrd (" in result.log and "after the boot manager's" in result.log,
                   'our stub did not log the combined initrd')
    for f in [uki, extra] + parts[1:]:
        os.unlink(f)
    return check.done(result)


@case
def trust_x86_initrd_combined(log_dir):
    return initrd_combined(log_dir, 'x86_64')


@case
def trust_arm64_initrd_combined(log_dir):
    return initrd_combined(log_dir, 'aarch64')


@case
def trust_x86_initrd_combined_sdstub262(log_dir):
    return initrd_combined(log_dir, 'x86_64', stub='262')


@case
def trust_x86_blank_loadoptions(log_dir):
    """sd-stub 257's rule (docs/security.md "When LoadOptions are a command line"): LoadOptions
    of only spaces and control characters are no command line. sd-boot 257 passes a Type #1
    entry's quoted `options " \\x7f "` as they are; the first character is a space (above 0x1f,
    so the printable-first check passes) and normalising leaves nothing, so our UKI stub must
    use its .cmdline, without Secure Boot too. Taken as a command line, the kernel would get an
    empty one (no serial console: no marker)."""
    arch, name = 'x86_64', 'trust-x86-blank-loadoptions'
    cmdline = H.default_cmdline(arch, name)
    uki = zboot_uki(log_dir, name, arch, cmdline)
    files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch, 'trixie'),
             'loader/loader.conf': H.loader_conf(default='uki.conf'),
             'loader/entries/uki.conf': H.type1_entry('uki', linux='/EFI/Linux/uki.efi', options='" \x7f "'),
             'EFI/Linux/uki.efi': uki}
    check, result = B.boot_and_check(name, arch, files, cmdline, log_dir)
    check.true('ignoring the boot manager' not in result.log, 'blank LoadOptions were treated as a command line')
    os.unlink(uki)
    return check.done(result)


@case
def trust_arm64_zboot_header_mismatch(log_dir):
    """A zboot image whose header says one thing and whose self map (the copy our
    self-decompressor reads, docs/format.md §1) another: the header's compression name is
    changed from zstd to gzip, the map still says zstd. Without the check the image would boot
    (the map is consistent); tools reading the header would see a gzip payload that is not
    there. Started by the firmware as BOOTAA64.EFI (headers in memory), our loader must refuse
    it with its reason and return an error; the firmware goes on to the UEFI Shell, whose
    startup.nsh starts the untampered image, which boots to the marker."""
    arch, name = 'aarch64', 'trust-arm64-zboot-header-mismatch'
    cmdline = H.default_cmdline(arch, name)
    img = B.arm64_zboot(log_dir, name)
    with open(img, 'rb') as f:
        good = f.read()
    os.unlink(img)
    if good[0x18:0x1d] != b'zstd\0' or good.find(b'ZBSELF01' + good[:64]) < 0:
        raise H.HarnessError('expected a zstd zboot image with a filled self map')
    tampered = bytearray(good)
    tampered[0x18:0x1d] = b'gzip\0'
    nsh = ('fs0:\r\n'
           '\\good.efi initrd=\\initrd ' + cmdline + '\r\n'
           'reset -s\r\n')
    files = {'EFI/BOOT/BOOTAA64.EFI': bytes(tampered), 'startup.nsh': nsh.encode(), 'good.efi': good,
             'initrd': H.asset(arch, 'initrd.cpio.gz')}
    check = H.Check(name)
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'))
    check.true(not result.timed_out, 'QEMU timed out: the refusal hangs')
    check.true(re.search(r'refusing this zboot image: the zboot header in memory differs', result.log) is not None,
               'no clear "header differs" refusal on the console')
    check.true(re.search(r'BdsDxe: failed to start .*BOOTAA64|BdsDxe: failed to start Boot0001', result.log)
               is not None, 'the firmware did not see our error status')
    check.true(re.search(r'decompressed gzip', result.log) is None, 'the tampered header was followed')
    H.check_boot(check, result, cmdline=None)
    if result.reached_marker:
        check.eq(H.kernel_cmdline(result['CMDLINE']), '\\good.efi ' + cmdline, 'kernel command line')
    return check.done(result)


def sign(src, dest, key, cert):
    H.run(['sbsign', '--key', key, '--cert', cert, '--output', dest, src])
    return dest


@case
def trust_x86_secureboot_initrd(log_dir):
    """Secure Boot on (snakeoil OVMF; sd-boot and our UKI signed with its key): a Type #1 entry
    that puts an attacker's initrd next to the signed UKI does not get it run: the kernel boots
    .initrd's /init, the attacker's /init never runs, nothing of its archive is unpacked, and
    the kernel reports lockdown (it learnt Secure Boot from our boot_params)."""
    arch, name = 'x86_64', 'trust-x86-secureboot-initrd'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        key = os.path.join(work, 'db.key')
        H.run(['openssl', 'rsa', '-passin', 'pass:snakeoil', '-in', H.need_file(SNAKEOIL[0], 'snakeoil key'),
               '-out', key])
        cert = H.need_file(SNAKEOIL[1], 'snakeoil certificate')
        uki = sign(zboot_uki(work, name, arch, cmdline), os.path.join(work, 'uki.signed.efi'), key, cert)
        sdboot = sign(H.debian_sdboot(arch), os.path.join(work, 'sdboot.signed.efi'), key, cert)
        evil = evil_initrd(os.path.join(work, 'evil.cpio'), arch)
        files = type1_uki(arch, uki, sdboot, evil, cmdline)
        check, result = B.boot_and_check(name, arch, files, cmdline, log_dir, firmware='secureboot')
        check.true(EVIL not in result.log, "the attacker's /init ran")
        check.eq(result['EXTRA_INITRD'], None, "nothing of the boot manager's initrd is unpacked")
        check.true('Secure Boot: ignoring the boot manager\'s initrd' in result.log,
                   'our stub did not say it ignored the boot manager\'s initrd')
        lockdown = result['LOCKDOWN'] or ''
        check.true('[integrity]' in lockdown or '[confidentiality]' in lockdown,
                   'kernel lockdown under Secure Boot: got %r' % lockdown)
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---- Secure Boot end to end with images signed by ukify-zboot itself ---------------------------

def snakeoil_key(work, suite='bookworm'):
    """Debian's snakeoil db key (the ovmf package: Debian 12's, or the test cache's copy of
    another suite's, whose OVMF enrolls its own), decrypted for sbsign; and its certificate."""
    paths = SNAKEOIL
    if suite != 'bookworm':
        d = os.path.join(H.CACHE, suite, 'firmware', 'usr', 'share', 'ovmf')
        paths = (os.path.join(d, 'PkKek-1-snakeoil.key'), os.path.join(d, 'PkKek-1-snakeoil.pem'))
    key = os.path.join(work, 'db-%s.key' % suite)
    H.run(['openssl', 'rsa', '-passin', 'pass:snakeoil', '-in', H.need_file(paths[0], '%s snakeoil key' % suite),
           '-out', key])
    return key, H.need_file(paths[1], '%s snakeoil certificate' % suite)


def check_refused(check, result, what, esp_path, errors):
    """A boot whose image sd-boot could not load: no initrd marker, no kernel, and sd-boot's
    "Error loading <esp_path>: <one of errors>" (a regex alternation: the refusal it reports)."""
    ok = check.true(not result.reached_marker and H.INITRD_MARKER not in result.log,
                    '%s: a refused image ran: the initrd marker appeared' % what)
    ok &= check.true('Linux version' not in result.log, '%s: a kernel started' % what)
    ok &= check.true(re.search(r'Error loading %s: (%s)' % (re.escape(esp_path), errors), result.log) is not None,
                     'sd-boot did not report the refusal of %s' % esp_path)
    return ok


def check_lockdown(check, result):
    lockdown = result['LOCKDOWN'] or ''
    check.true('[integrity]' in lockdown or '[confidentiality]' in lockdown,
               'kernel lockdown under Secure Boot: got %r' % lockdown)


def signed_uki(work, name, arch, cmdline, key, cert):
    """`ukify-zboot build --secureboot-private-key/--secureboot-certificate`: our UKI stub,
    .linux = our zboot image, .initrd = the test initrd, signed by the CLI itself."""
    uki = os.path.join(work, name + '.efi')
    osrel = os.path.join(work, name + '.os-release')
    with open(osrel, 'wb') as f:
        f.write(B.OSREL)
    B.ukify('build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--initrd', H.asset(arch, 'initrd.cpio.gz'),
            '--cmdline', cmdline, '--os-release', '@' + osrel, '--secureboot-private-key', key,
            '--secureboot-certificate', cert, '-o', uki)
    return uki


@case
def trust_x86_secureboot_signed_uki(log_dir):
    """Secure Boot: a UKI signed by `ukify-zboot build --secureboot-*` boots through signed
    sd-boot (the firmware verified it), the kernel runs locked down, and a Type #1 entry's
    `options` (LoadOptions, not covered by the signature) are ignored: the kernel reports .cmdline."""
    arch, name = 'x86_64', 'trust-x86-secureboot-signed-uki'
    cmdline = H.default_cmdline(arch, name)
    other = H.default_cmdline(arch, 'loadoptions-not-signed')
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        key, cert = snakeoil_key(work)
        uki = signed_uki(work, name, arch, cmdline, key, cert)
        sdboot = sign(H.debian_sdboot(arch), os.path.join(work, 'sdboot.signed.efi'), key, cert)
        files = {'EFI/BOOT/BOOTX64.EFI': sdboot, 'loader/loader.conf': H.loader_conf(default='uki.conf'),
                 'loader/entries/uki.conf': H.type1_entry('uki', linux='/EFI/Linux/uki.efi', options=other),
                 'EFI/Linux/uki.efi': uki}
        check, result = B.boot_and_check(name, arch, files, cmdline, log_dir, firmware='secureboot')
        check.true('loadoptions-not-signed' not in (result['CMDLINE'] or ''), 'the LoadOptions reached the kernel')
        check.true("Secure Boot: ignoring the boot manager's command line" in result.log,
                   'our stub did not say it ignored the LoadOptions')
        check_lockdown(check, result)
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def trust_x86_secureboot_zboot_type1(log_dir):
    """Secure Boot: a vmlinuz.efi signed by `ukify-zboot zboot --secureboot-*` boots as a
    Type #1 `linux` entry through signed sd-boot (the firmware verified it; our stub never
    LoadImage()s anything, so the compressed kernel is covered by that signature); the entry's
    options are the command line (a Type #1 kernel has no other), the kernel runs locked down."""
    arch, name = 'x86_64', 'trust-x86-secureboot-zboot-type1'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        key, cert = snakeoil_key(work)
        img = os.path.join(work, 'vmlinuz.efi')
        B.ukify('zboot', H.asset(arch, 'vmlinuz'), '--compress', 'zstd', '--level', '3',
                '--secureboot-private-key', key, '--secureboot-certificate', cert, '-o', img)
        sdboot = sign(H.debian_sdboot(arch), os.path.join(work, 'sdboot.signed.efi'), key, cert)
        files = {'EFI/BOOT/BOOTX64.EFI': sdboot, 'loader/loader.conf': H.loader_conf(default='zboot.conf'),
                 'loader/entries/zboot.conf': H.type1_entry('zboot', linux='/vmlinuz.efi', initrd=['/initrd'],
                                                            options=cmdline),
                 'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz')}
        check, result = B.boot_and_check(name, arch, files, cmdline, log_dir, firmware='secureboot')
        check_lockdown(check, result)
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_key(work, name):
    """A new RSA key and self-signed certificate (PEM for sbsign, DER for shim's vendor slot)."""
    key, pem, der = (os.path.join(work, name + ext) for ext in ('.key', '.pem', '.der'))
    H.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=' + name, '-days', '3650',
           '-keyout', key, '-out', pem])
    H.run(['openssl', 'x509', '-in', pem, '-outform', 'DER', '-out', der])
    return key, pem, der


def shim_with_vendor_cert(work, der, key, cert, arch='x86_64'):
    """Debian 13's shim for arch with der as its built-in vendor certificate, signed with key/cert.
    shim's cert_table (its .vendor_cert section) is four le32: the size of the vendor
    certificate, the size of the vendor dbx, and their offsets from the table; Debian's
    certificate is found by its bytes, ours written in its place (it must not be larger)."""
    import struct
    d = os.path.join(H.CACHE, 'trixie', 'shim', 'usr')
    name = 'shim%s.efi' % H.EFI_SUFFIX[arch]
    shim = bytearray(open(H.need_file(os.path.join(d, 'lib', 'shim', name), "Debian 13's shim"), 'rb').read())
    ca = open(H.need_file(os.path.join(d, 'share', 'shim', 'debian-uefi-ca.der'), "Debian's shim CA"), 'rb').read()
    new = open(der, 'rb').read()
    at = shim.find(ca)
    size, dbx_size, off, dbx_off = struct.unpack_from('<4I', shim, at - 16)
    assert shim.count(ca) == 1 and size == len(ca) and off == 16 and len(new) <= size, (at, size, off, len(new))
    struct.pack_into('<I', shim, at - 16, len(new))
    shim[at:at + size] = new + bytes(size - len(new))
    out = os.path.join(work, name)
    with open(out, 'wb') as f:
        f.write(shim)
    return sign(out, os.path.join(work, name + '.signed'), key, cert)


def shim_vendor_key(log_dir, arch):
    """Secure Boot as distributions run it: the firmware's db allows only shim (Debian 13's shim
    16.1, snakeoil-signed, with a test vendor certificate in place of Debian's); everything after
    it is signed with the vendor key only, which db does not hold: sd-boot 257 (shim's second
    stage), and then, in two boots, our UKI (Type #2, with a global add-on made by `build`) and
    our vmlinuz.efi with an initrd (Type #1). shim 16 verifies them and loads them with its own
    loader (not the firmware's): both must boot, locked down, the add-on's command line after the
    UKI's. A control boot with the UKI signed by a third key must not reach the kernel."""
    name = 'trust-%s-shim-vendor-key' % ('x86' if arch == 'x86_64' else 'arm64')
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        key, cert = snakeoil_key(work, 'trixie')
        vkey, vpem, vder = test_key(work, 'vendor')
        okey, opem, _ = test_key(work, 'other')
        sfx = H.EFI_SUFFIX[arch]
        base = {'EFI/BOOT/BOOT%s.EFI' % sfx.upper(): shim_with_vendor_cert(work, vder, key, cert, arch),
                'EFI/BOOT/grub%s.efi' % sfx: sign(H.debian_sdboot(arch, 'trixie'), os.path.join(work, 'sdboot.efi'),
                                                  vkey, vpem)}
        addon = os.path.join(work, 'addon.efi')
        B.ukify('build', '--efi-arch', sfx, '--cmdline', 'vendor_addon=1', '--secureboot-private-key', vkey,
                '--secureboot-certificate', vpem, '-o', addon)
        uki = signed_uki(work, 'uki-vendor', arch, cmdline, vkey, vpem)
        files = dict(base, **{'loader/loader.conf': H.loader_conf(), 'EFI/Linux/uki.efi': uki,
                              'loader/addons/vendor.addon.efi': addon})
        check, result = B.boot_and_check(name, arch, files, cmdline + ' vendor_addon=1', log_dir,
                                         firmware='trixie-secureboot')
        check_lockdown(check, result)

        img = os.path.join(work, 'vmlinuz.efi')
        B.ukify('zboot', H.asset(arch, 'vmlinuz'), '--compress', 'zstd', '--level', '3',
                '--secureboot-private-key', vkey, '--secureboot-certificate', vpem, '-o', img)
        files = dict(base, **{'loader/loader.conf': H.loader_conf(default='zboot.conf'),
                              'loader/entries/zboot.conf': H.type1_entry('zboot', linux='/vmlinuz.efi',
                                                                         initrd=['/initrd'], options=cmdline),
                              'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz')})
        zcheck, zresult = B.boot_and_check(name + '-zboot', arch, files, cmdline, log_dir,
                                           firmware='trixie-secureboot')
        check_lockdown(zcheck, zresult)
        for f in zcheck.failures:
            check.true(False, 'vmlinuz.efi (Type #1): ' + f)

        bad = signed_uki(work, 'uki-other', arch, cmdline, okey, opem)
        files = dict(base, **{'loader/loader.conf': H.loader_conf(), 'EFI/Linux/uki.efi': bad})
        bresult = H.boot(arch, files, timeout=60, firmware='trixie-secureboot',
                         log_path=os.path.join(log_dir, name + '-other-key.log'))
        check_refused(check, bresult, 'a UKI signed with a key neither db nor shim holds', '\\EFI\\Linux\\uki.efi',
                      'Security violation')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def trust_x86_shim_vendor_key(log_dir):
    return shim_vendor_key(log_dir, 'x86_64')


@case
def trust_arm64_shim_vendor_key(log_dir):
    return shim_vendor_key(log_dir, 'aarch64')


@case
def trust_x86_secureboot_refused(log_dir):
    """Secure Boot: an unsigned UKI and a signed UKI with one payload byte flipped after signing
    are both refused by the firmware; nothing of them runs. Two short boots, one per image: a
    refused LoadImage makes sd-boot exit, the firmware tries its other boot options, runs
    sd-boot once more (same entry, same refusal) and then waits with nothing left to boot, so
    each boot ends at the harness timeout. (Measured: sd-boot's boot counting does not move the
    second run on to another entry, so the two cannot share one boot.)"""
    arch, name = 'x86_64', 'trust-x86-secureboot-refused'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        key, cert = snakeoil_key(work)
        check = H.Check(name)
        signed = signed_uki(work, name, arch, cmdline, key, cert)
        unsigned = zboot_uki(work, name + '-unsigned', arch, cmdline)
        modified = os.path.join(work, 'modified.efi')
        with open(signed, 'rb') as f:
            data = bytearray(f.read())
        j = json.loads(subprocess.run([os.environ['UKIFY_ZBOOT'], 'inspect', '--json', signed], check=True,
                                      stdout=subprocess.PIPE).stdout)
        linux = next(s for s in j['sections'] if s['name'] == '.linux')
        data[linux['file_offset'] + linux['raw_size'] // 2] ^= 0x01
        with open(modified, 'wb') as f:
            f.write(data)
        # the signing tool agrees: the original verifies, the modified copy and the unsigned do not
        for path, ok in ((signed, True), (modified, False), (unsigned, False)):
            p = subprocess.run(['sbverify', '--cert', cert, path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            check.eq(p.returncode == 0, ok, 'sbverify %s' % os.path.basename(path))
        sdboot = sign(H.debian_sdboot(arch), os.path.join(work, 'sdboot.signed.efi'), key, cert)
        for f, path in (('unsigned', unsigned), ('modified', modified)):
            files = {'EFI/BOOT/BOOTX64.EFI': sdboot, 'loader/loader.conf': H.loader_conf(default='uki.conf'),
                     'loader/entries/uki.conf': H.type1_entry(f, linux='/EFI/Linux/%s.efi' % f),
                     'EFI/Linux/%s.efi' % f: path}
            result = H.boot(arch, files, timeout=100, log_path=os.path.join(log_dir, '%s-%s.log' % (name, f)),
                            firmware='secureboot')
            print('%s: %s' % (f, result.summary()))
            ok = check_refused(check, result, f, '\\EFI\\Linux\\%s.efi' % f, 'Access Denied|Security Violation')
            ok &= check.true('No bootable option or device was found' in result.log,
                             '%s: the firmware did not end with nothing to boot' % f)
            if not ok:
                print(result.tail(30))
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---- measured boot (docs/security.md "Measured boot") ---------------------------------------
# The expected PCR values are computed here from the rules, with hashlib, independently of our
# C code: sd-stub 257's PCR 11 (each known UKI section: its name with a NUL, then its VirtualSize
# bytes), PCR 12 (the command line as UTF-16 with its NUL) and the kernel EFI stub's PCR 9
# (LoadOptions, then the LoadFile2 initrd), each an extend from a zero PCR.

import hashlib  # noqa: E402
import struct  # noqa: E402

PCR11_SECTIONS = ['.linux', '.osrel', '.cmdline', '.initrd', '.ucode', '.splash', '.dtb', '.uname', '.sbat',
                  '.pcrpkey', '.profile', '.hwids']   # sd-stub 257's order, without .pcrsig and .dtbauto
ZERO_PCR = '0' * 64


def extend(pcr_hex, data):
    return hashlib.sha256(bytes.fromhex(pcr_hex) + hashlib.sha256(data).digest()).hexdigest()


def pe_sections(path):
    """[(name, bytes as loaded: raw data cut or zero-filled to VirtualSize)] of a PE file."""
    d = open(path, 'rb').read()
    pe = struct.unpack_from('<I', d, 0x3c)[0]
    nsec, = struct.unpack_from('<H', d, pe + 6)
    opt_size, = struct.unpack_from('<H', d, pe + 20)
    out = []
    for i in range(nsec):
        h = pe + 24 + opt_size + 40 * i
        name = d[h:h + 8].split(b'\0')[0].decode()
        vsize, _, raw, off = struct.unpack_from('<IIII', d, h + 8)
        data = d[off:off + min(raw, vsize)]
        out.append((name, data + bytes(vsize - len(data))))
    return out


def expected_pcr11(path, dtbauto=None):
    """Independent reference: first section of each known name, in sd-stub's order (no .profile here);
    dtbauto: the index of the .dtbauto section the stub picked, measured after .profile, before .hwids."""
    secs = pe_sections(path)
    if any(n == '.profile' for n, _ in secs):
        raise H.HarnessError('%s: the reference does not model UKI profiles' % path)
    if dtbauto is not None and secs[dtbauto][0] != '.dtbauto':
        raise H.HarnessError('%s: section %d is not a .dtbauto' % (path, dtbauto))
    pcr = ZERO_PCR
    for want in PCR11_SECTIONS:
        if want == '.hwids' and dtbauto is not None and secs[dtbauto][1]:
            pcr = extend(extend(pcr, b'.dtbauto\0'), secs[dtbauto][1])
        data = next((d for n, d in secs if n == want), None)
        if data:
            pcr = extend(pcr, want.encode() + b'\0')
            pcr = extend(pcr, data)
    return pcr


def utf16z(text):
    return text.encode('utf-16-le') + b'\0\0'


def section_of(path, name):
    return next(d for n, d in pe_sections(path) if n == name)


def our_pcr11(uki):
    """What `ukify-zboot inspect --json` predicts for a UKI."""
    return json.loads(B.ukify('inspect', '--json', uki)).get('pcr11', {}).get('sha256')


def tpm_boot(name, arch, files, cmdline, log_dir, **kw):
    check, result = B.boot_and_check(name, arch, files, cmdline, log_dir, tpm=True, **kw)
    pcrs = H.parse_pcrs(result)
    check.true(len(pcrs.get(11, '')) == 64, 'the kernel reports no sha256 PCR 11 (no TPM seen?): %r' % pcrs)
    return check, result, pcrs


def our_measured_uki(log_dir, name, arch, cmdline, initrds=(), suite='bookworm'):
    """Our UKI (zboot .linux of the suite's kernel; native on x86) with `build --measure`,
    .initrd the test initrd and then initrds; returns (path, printed PCR 11)."""
    uki = os.path.join(log_dir, name + '.efi')
    more = [a for p in initrds for a in ('--initrd', p)]
    out = B.ukify('build', '--linux', H.asset(arch, 'vmlinuz', suite), '--zboot=zstd', '--initrd',
                  H.asset(arch, 'initrd.cpio.gz'), *more, '--cmdline', cmdline, '--os-release', B.OSREL.decode(),
                  '--measure', '-o', uki)
    printed = [l.split('=', 1)[1] for l in out.split('\n') if l.startswith('11:sha256=')]
    if len(printed) != 1:
        raise H.HarnessError('build --measure printed no single "11:sha256=" line:\n%s' % out)
    return uki, printed[0]


def check_type1_uki_pcrs(check, result, pcrs, uki, printed, cmdline):
    """PCR 9, 11 and 12 (pcrs: {N: hex} as read from the TPM) after our UKI `uki` (from
    our_measured_uki, `printed` its build --measure line) was started by sd-boot 257 as a
    Type #1 entry with `options` cmdline, no Secure Boot: PCR 11 is what build --measure and
    inspect predicted and what the rule gives; PCR 12 holds the command line twice (sd-boot 257
    measures the options it passes, our stub the command line it uses); PCR 9 holds the
    command line, then the initrd, as the kernel's EFI stub measures them (x86: our loader in
    its place; arm64: the kernel's own stub)."""
    want11 = expected_pcr11(uki)
    check.eq(printed, want11, 'build --measure against the reference')
    check.eq(our_pcr11(uki), want11, 'inspect --json against the reference')
    check.eq(pcrs.get(11), want11, 'PCR 11 from the TPM')
    h = utf16z(cmdline)
    check.eq(pcrs.get(12), extend(extend(ZERO_PCR, h), h), 'PCR 12: sd-boot\'s and our command line measurement')
    # the initrd the kernel gets: .initrd, then .osrel as /.extra/os-release (sd-stub 257's order)
    initrd = H.pad4(section_of(uki, '.initrd')) + H.pad4(H.extra_file_cpio('os-release', section_of(uki, '.osrel')))
    check.eq(pcrs.get(9), extend(extend(ZERO_PCR, h), initrd),
             'PCR 9: LoadOptions then the initrd, as the kernel\'s EFI stub')
    n = sum(1 for n, d in pe_sections(uki) if n in PCR11_SECTIONS and d)
    check.true('measured %d UKI sections into PCR 11' % n in result.log, 'our stub did not log its PCR 11 measurements')


@case
def trust_x86_tpm_uki(log_dir):
    """Our x86 UKI (native zboot .linux) as a Type #1 entry of Debian 13's sd-boot with an
    `options` line (no Secure Boot: the stub uses it), with a TPM. PCR 11 is what build --measure
    and inspect predicted and what the rule gives; PCR 12 holds the command line twice (sd-boot
    257 measures the options it passes, our stub the command line it uses); PCR 9 holds what the
    kernel's own x86 EFI stub would have measured: the command line, then the initrd. The kernel
    got the firmware's event log from us (its efi: line shows TPMEventLog=, the kernel's stub
    does not run on this path) and the log replays to PCR 9, 11 and 12 as the kernel reads them."""
    arch, name = 'x86_64', 'trust-x86-tpm-uki'
    embedded = H.default_cmdline(arch, 'from-the-uki')
    cmdline = H.default_cmdline(arch, name + ' from-load-options zboot.debug')   # our info lines
    # the event log printer and parser of test/stub (imported here: they import this module)
    sys.path.insert(0, os.path.join(HERE, '..', 'stub'))
    import eventlog_test as E
    from stub_common import init_with_lines
    overlay = cpio(os.path.join(log_dir, name + '-evlog.cpio'),
                   {'init': (init_with_lines(arch, E.EVLOG_LINES).encode(), 0o755)})
    uki, printed = our_measured_uki(log_dir, name, arch, embedded, initrds=[overlay])
    files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch, 'trixie'),
             'loader/loader.conf': H.loader_conf(default='uki.conf'),
             'loader/entries/uki.conf': H.type1_entry('uki', linux='/EFI/Linux/uki.efi', options=cmdline),
             'EFI/Linux/uki.efi': uki}
    check, result, pcrs = tpm_boot(name, arch, files, cmdline, log_dir)
    check_type1_uki_pcrs(check, result, pcrs, uki, printed, cmdline)
    efi_lines = [l for l in result.log.splitlines() if '] efi: ' in l and 'TPMFinalLog=' in l]
    check.true(any('TPMEventLog=' in l for l in efi_lines),
               "the kernel's efi: line has no TPMEventLog= (no LINUX_EFI_TPM_EVENT_LOG table from us): %r" % efi_lines)
    raw = bytes.fromhex(result['EVLOG'] or '')
    if check.true(len(raw) > 0, 'the kernel\'s binary_bios_measurements is empty'):
        events = E.parse_log(raw)
        for pcr in (9, 11, 12):
            value = ZERO_PCR
            for p, etype, digest, _ in events:
                if p == pcr and etype != 0x3:   # EV_NO_ACTION events are not extended
                    value = hashlib.sha256(bytes.fromhex(value) + bytes.fromhex(digest or '')).hexdigest()
            check.eq(value, pcrs.get(pcr), 'PCR %d replayed from the event log the kernel got' % pcr)
    os.unlink(uki)
    os.unlink(overlay)
    return check.done(result)


def sdstub257_tpm(log_dir, arch):
    """The prediction against the stock stub: Debian 13's sd-stub 257 made into a UKI by Debian
    13's ukify from the very section bytes of our UKI (.linux = our zboot image, .initrd,
    .cmdline, .osrel, .uname), booted directly with a TPM: the kernel's PCR 11 equals what
    `ukify-zboot inspect` predicts for that UKI and what the rule gives."""
    tag = 'x86' if arch == 'x86_64' else 'arm64'
    name = 'trust-%s-tpm-sdstub257' % tag
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        ours, _ = our_measured_uki(work, 'ours', arch, cmdline)
        parts = {}
        for sec in ('.linux', '.initrd', '.cmdline', '.osrel', '.uname'):
            parts[sec] = os.path.join(work, sec[1:])
            with open(parts[sec], 'wb') as f:
                f.write(section_of(ours, sec))
        uki = os.path.join(work, 'sdstub.efi')
        H.run(H.ukify_command('trixie') + [
            'build', '--stub', H.debian_sdstub(arch, 'trixie'), '--linux', parts['.linux'],
            '--initrd', parts['.initrd'], '--cmdline', '@' + parts['.cmdline'],
            '--os-release', '@' + parts['.osrel'], '--uname', open(parts['.uname']).read(), '--output', uki])
        for sec, path in parts.items():
            if section_of(uki, sec) != open(path, 'rb').read():
                raise H.HarnessError('ukify changed %s: the UKIs do not share their section bytes' % sec)
        files = {'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper(): uki}
        check, result, pcrs = tpm_boot(name, arch, files, cmdline, log_dir)
        want11 = expected_pcr11(uki)
        check.eq(our_pcr11(uki), want11, 'inspect --json against the reference')
        check.eq(pcrs.get(11), want11, 'PCR 11 measured by sd-stub 257')
        check.eq(pcrs.get(12), ZERO_PCR, 'PCR 12 without a LoadOptions command line')
        if arch == 'x86_64':
            # sd-stub 257 starts our zboot image (LoadImage) with the command line as LoadOptions
            # and its initrd through LoadFile2; our self-decompressor makes the kernel stub's PCR 9
            # measurements. sd-stub appends archives of its own to .initrd, so the exact value is
            # not computable here (trust-x86-tpm-uki checks the recipe); it must not stay zero.
            check.true(pcrs.get(9) not in (None, ZERO_PCR),
                       'PCR 9 under sd-stub 257 with our x86 zboot .linux: got %r' % pcrs.get(9))
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def trust_x86_tpm_sdstub257(log_dir):
    return sdstub257_tpm(log_dir, 'x86_64')



# ---- Confidential VM without a TPM: test/efi/cc-mock.c's EFI_CC_MEASUREMENT_PROTOCOL --------

EV_EVENT_TAG, EV_IPL = 0x6, 0xd
TDX_MR = {0: 0, 1: 1, 7: 1, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2}   # PCR -> MR (UEFI 2.10 38.4.1); 8-15 -> 3


def tdx_mr(pcr):
    return TDX_MR.get(pcr, 3)


def tagged(tag, desc):
    """The kernel's EFI stub's EV_EVENT_TAG event data: tag, size, ASCII description with NUL."""
    d = desc.encode() + b'\0'
    return struct.pack('<II', tag, len(d)) + d


EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003
PE_COFF_IMAGE = 0x10


def cc_extends(log):
    """The mock's extend lines: [(mr, type, data length, sha384 hex, event data bytes, flags)].
    The mock's one bank is SHA-384, as a TD's RTMRs."""
    out = []
    for mr, typ, flags, ln, digest, ev in re.findall(
            r'cc-mock: extend mr=(\d+) type=0x([0-9a-f]+) flags=0x([0-9a-f]+) len=0x([0-9a-f]+) '
            r'sha384=([0-9a-f]{96}) event=([0-9a-f]*)', log):
        out.append((int(mr), int(typ, 16), int(ln, 16), digest, bytes.fromhex(ev), int(flags, 16)))
    return out


def cc_check(check, result, expected, image, native=True, loaded=()):
    """The mock saw exactly the expected extends (pcr, type, data, event data), in order, each in
    the register TDX maps its PCR to, after the firmware's own PCR 4 measurement of the image the
    Shell started (LoadImage: EV_EFI_BOOT_SERVICES_APPLICATION with the PE/COFF flag, the mock
    hashes the file flat; its event data has addresses: not compared), then of the files in
    loaded (add-ons our stub has the firmware LoadImage, in that order); no invalid call; the
    kernel got the mock's event log (our loader copied all of it: the size it logged is the
    mock's, and the kernel's efi: line shows TPMEventLog=)."""
    log = result.log
    check.true('cc-mock: installed' in log, 'the mock driver did not install the protocol')
    bad = re.findall(r'cc-mock: invalid [^\r\n]*', log)
    check.true(not bad, 'invalid calls to the mock: %r' % bad)
    got = cc_extends(log)
    imgs = [open(p, 'rb').read() for p in (image,) + tuple(loaded)]
    fw = [g for g in got if g[5] & PE_COFF_IMAGE]
    check.eq([g[:4] for g in fw],
             [(tdx_mr(4), EV_EFI_BOOT_SERVICES_APPLICATION, len(img), hashlib.sha384(img).hexdigest()) for img in imgs],
             "the firmware's PCR 4 measurements of %s" % ', '.join(os.path.basename(p) for p in (image,) + tuple(loaded)))
    got = [g for g in got if not g[5] & PE_COFF_IMAGE]
    check.true(all(g[5] == 0 for g in got), 'flags other than 0 in our measurements: %r' % [g[5] for g in got])
    want = [(tdx_mr(pcr), typ, len(data), hashlib.sha384(data).hexdigest(), ev) for pcr, typ, data, ev in expected]
    check.eq(len(got), len(want), 'number of CC extends')
    for i, (g, w) in enumerate(zip(got, want)):
        check.eq(g[:4], w[:4], 'CC extend %d (MR, type, length, sha384) for PCR %d' % (i, expected[i][0]))
        check.eq(g[4].hex(), w[4].hex(), 'CC extend %d event data' % i)
    maps = re.findall(r'cc-mock: map pcr=(\d+) mr=(\d+)', log)
    check.true(len(maps) >= len(want) + 1, 'fewer MapPcrToMrIndex calls (%d) than extends (%d)' % (len(maps), len(want)))
    sizes = re.findall(r'cc-mock: get-event-log format=2 first=0x[0-9a-f]+ last=0x[0-9a-f]+ size=0x([0-9a-f]+)', log)
    check.true(len(sizes) == 1, 'one GetEventLog call expected: %r' % sizes)
    if native:
        copied = re.findall(r'CC event log for the kernel: (\d+) bytes \(format 2\)', log)
        if check.true(len(sizes) == 1 and len(copied) == 1, 'one copy of the log expected: %r' % copied):
            check.eq(int(copied[0]), int(sizes[0], 16), 'bytes of the CC event log our loader gave the kernel')
    efi_lines = [l for l in log.splitlines() if '] efi: ' in l and '=0x' in l]
    check.true(any('TPMEventLog=' in l for l in efi_lines),
               "the kernel's efi: line has no TPMEventLog= (no LINUX_EFI_TPM_EVENT_LOG table): %r" % efi_lines)
    if native:
        # Debian 12's 6.1: efi_tpm_eventlog_init() read our table (and reserved it); it knows no
        # CC final events table and says so only when it has the log itself
        check.true(re.search(r'\] TPM Final Events table not present', log) is not None,
                   'the kernel did not take the event log table (no "TPM Final Events table not present")')
    else:
        # Debian 13's 6.12 knows the mock's final events table, which the initrd event went to
        # (its stub measures the initrd after GetEventLog)
        check.true(any('CCFinalLog=' in l for l in efi_lines),
                   "the kernel's efi: line has no CCFinalLog=: %r" % efi_lines)


# add-ons and side-loaded files for cc_uki(addons=True): (ESP path, contents)
CC_GLOBAL_ADDON = ('loader/addons/g.addon.efi', 'cc_global=1')
CC_UKI_ADDON = ('uki.efi.extra.d/u.addon.efi', ' cc_uki=1 ')
CC_ADDON_INITRD = b'initrd of the per-UKI add-on\n'
CC_CRED = ('uki.efi.extra.d/a.cred', b'per-UKI credential\n')
CC_GCRED = ('loader/credentials/g.cred', b'global credential\n')
CC_SYSEXT = ('uki.efi.extra.d/x.sysext.raw', b'not a real system extension image\n' * 5)


def cc_sidecar(target, dmode, fmode, name, data):
    """sd-stub 257's newc archive of one side-loaded file (the test's own writer, test/harness)."""
    return H.newc(H.newc_dirs(target, dmode) + [(target + '/' + name, 0o100000 | fmode, data)])


def cc_uki(log_dir, arch, suite, profile=False, addons=False):
    """A confidential VM without a TPM (OVMF, no swtpm; test/efi/cc-mock.c loaded from the UEFI
    Shell provides EFI_CC_MEASUREMENT_PROTOCOL with TDX's PCR -> MR map). Our x86 UKI (native
    zboot .linux, no .cmdline) started by the Shell with a command line makes the TPM path's
    measurements into the registers MapPcrToMrIndex names (all MR 3, RTMR[2]): the sections as
    sd-stub 257 (PCR 11), the command line (PCR 12), then as the kernel's stub (PCR 9) the
    command line and the initrd; every digest is the host's sha384 of what the test knows was
    measured. The kernel got the CC event log (TPMEventLog=). The Shell's command line is used:
    confidential_vm() is CPUID-based and the mock does not (cannot) make it true. On arm64 the
    PCR 9 events and the log table are the kernel's own stub's (Debian 13's 6.12: CC since 6.10).
    profile: the UKI has two profiles and is started with "@1": sd-stub 257 measures the profile
    number as a tagged event into the TPM only (tpm_log_tagged_event), so without a TPM nothing
    of it may reach the CC registers (our stub logs that it is not measured); PCR 11 then holds
    profile 1's .profile and the initrd its /.extra/profile.
    addons: a global add-on (.cmdline), a per-UKI add-on (.cmdline and .initrd), a credential
    and a system extension in uki.efi.extra.d and a global credential, as systemd-stub 257 routes
    them (Debian 13's 257.13 src/boot: the add-ons' joined command line goes through
    tpm_log_load_options, the archives through pack_cpio, both tpm_log_ipl_event: CC and TPM;
    the add-on's .initrd through tpm_log_tagged_event: TPM only): PCR 12 gets the add-ons'
    command line, then the credential and global credential archives, PCR 13 the system
    extension archive, all in MR 3 with the event data sd-stub writes; the add-on's .initrd
    reaches the kernel (last in its initrd, so in the PCR 9 initrd event) but no CC register.
    The firmware measures both add-ons into PCR 4 (MR 2) when our stub has it LoadImage them."""
    name = 'trust-%s-cc-uki' % ('x86' if arch == 'x86_64' else 'arm64')
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our info lines
    uki = os.path.join(log_dir, name + '.efi')
    extra = []
    if profile:
        p1 = os.path.join(log_dir, name + '-p1.efi')
        B.ukify('build', '--profile', 'ID=p1\nTITLE=One\n', '-o', p1)
        extra = ['--profile', 'ID=p0\nTITLE=Zero\n', '--join-profile', p1]
    B.ukify('build', '--linux', H.asset(arch, 'vmlinuz', suite), '--zboot=zstd', '--initrd', H.asset(arch, 'initrd.cpio.gz'),
            '--os-release', B.OSREL.decode(), *extra, '-o', uki)
    if profile:
        os.unlink(p1)
    files = {'uki.efi': uki, 'cc-mock.efi': B.test_efi('cc-mock', arch),
             'startup.nsh': ('fs0:\r\nload \\cc-mock.efi\r\n\\uki.efi %s%s\r\nreset -s\r\n' % ('@1 ' if profile else '', cmdline)).encode()}
    loaded, addon_cmdline = [], None
    if addons:
        addon_initrd = cpio(os.path.join(log_dir, name + '-addon-initrd.cpio'), {'cc-addon-initrd': (CC_ADDON_INITRD, 0o644)})
        for (path, text), more in ((CC_GLOBAL_ADDON, []), (CC_UKI_ADDON, ['--initrd', addon_initrd])):
            out = os.path.join(log_dir, name + '-' + os.path.basename(path))
            B.ukify('build', '--efi-arch', 'x64' if arch == 'x86_64' else 'aa64', '--cmdline', text, *more, '-o', out)
            files[path] = out
            loaded.append(out)
        for path, data in (CC_CRED, CC_GCRED, CC_SYSEXT):
            files[path] = data
        addon_cmdline = 'cc_global=1 cc_uki=1'   # each normalised, joined with one space
    want_cmdline = cmdline + (' ' + addon_cmdline if addon_cmdline else '')
    check = H.Check(name)
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'))
    H.check_boot(check, result, cmdline=want_cmdline)
    h = utf16z(cmdline)
    expected = []
    secs = pe_sections(uki)
    own = [d for n, d in secs if n == '.profile'][1:2]   # profile 1's .profile (it has nothing else)
    for sec in PCR11_SECTIONS:
        data = own[0] if sec == '.profile' and own else next((d for n, d in secs if n == sec), None)
        if data:
            expected += [(11, EV_IPL, sec.encode() + b'\0', utf16z(sec)), (11, EV_IPL, data, utf16z(sec))]
    expected.append((12, EV_IPL, h, h))
    initrd = H.pad4(section_of(uki, '.initrd'))
    if addons:
        a = utf16z(addon_cmdline)
        cred = cc_sidecar('.extra/credentials', 0o500, 0o400, os.path.basename(CC_CRED[0]), CC_CRED[1])
        gcred = cc_sidecar('.extra/global_credentials', 0o500, 0o400, os.path.basename(CC_GCRED[0]), CC_GCRED[1])
        sysext = cc_sidecar('.extra/sysext', 0o555, 0o444, os.path.basename(CC_SYSEXT[0]), CC_SYSEXT[1])
        expected += [(12, EV_IPL, a, a),
                     (12, EV_IPL, cred, utf16z('Credentials initrd')),
                     (12, EV_IPL, gcred, utf16z('Global credentials initrd')),
                     (13, EV_IPL, sysext, utf16z('System extension initrd'))]
        initrd += H.pad4(cred) + H.pad4(gcred) + H.pad4(sysext)
    expected.append((9, EV_EVENT_TAG, utf16z(want_cmdline), tagged(0x8F3B22ED, 'LOADED_IMAGE::LoadOptions')))
    initrd += H.pad4(H.extra_file_cpio('os-release', section_of(uki, '.osrel')))
    if profile:
        check.true(own != [], 'the UKI has no second .profile')
        initrd += H.pad4(H.extra_file_cpio('profile', own[0] if own else b''))
        check.true('profile @1 selected' in result.log, 'our stub did not select profile @1')
        check.true(re.search(r'no TPM: "1" not measured into PCR 12', result.log) is not None,
                   'our stub did not log that the profile number is not measured without a TPM')
        prof = [g for g in cc_extends(result.log) if g[1] == EV_EVENT_TAG and g[4][:4] == struct.pack('<I', 0x13aed6db)]
        check.eq(prof, [], 'CC extends of the profile number (sd-stub 257 sends it to the TPM only)')
    if addons:
        initrd += H.pad4(open(addon_initrd, 'rb').read())
        check.true('no TPM: "%s" not measured into PCR 12' % os.path.basename(CC_UKI_ADDON[0]) in result.log,
                   "our stub did not log that the add-on's .initrd is not measured without a TPM")
        tag = [g for g in cc_extends(result.log) if g[1] == EV_EVENT_TAG and g[4][:4] == struct.pack('<I', 0x49dffe0f)]
        check.eq(tag, [], "CC extends of the add-on's .initrd (sd-stub 257 sends it to the TPM only)")
    expected.append((9, EV_EVENT_TAG, initrd, tagged(0x8F3B22EC, 'Linux initrd')))
    cc_check(check, result, expected, uki, native=arch == 'x86_64', loaded=loaded)
    for p in [uki] + loaded + ([addon_initrd] if addons else []):
        os.unlink(p)
    return check.done(result)


@case
def trust_x86_cc_uki(log_dir):
    return cc_uki(log_dir, 'x86_64', 'bookworm', profile=True, addons=True)


@case
def trust_arm64_cc_uki(log_dir):
    return cc_uki(log_dir, 'aarch64', 'trixie', addons=True)


@case
def trust_x86_cc_zboot(log_dir):
    """The same CC mock, our vmlinuz.efi started by the Shell with initrd= and a command line:
    the self-decompressor measures its LoadOptions as the kernel's stub does (PCR 9 -> MR 3; an
    initrd= file is not measured, as Linux 6.1-6.12 do not), and the native x86 loader hands the
    kernel the CC event log (TPMEventLog=)."""
    arch, name = 'x86_64', 'trust-x86-cc-zboot'
    cmdline = H.default_cmdline(arch, name)
    img = B.make_zboot(log_dir, name, arch)
    args = '\\vmlinuz.efi initrd=\\initrd ' + cmdline
    files = {'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz'), 'cc-mock.efi': B.test_efi('cc-mock', arch),
             'startup.nsh': ('fs0:\r\nload \\cc-mock.efi\r\n%s\r\nreset -s\r\n' % args).encode()}
    check = H.Check(name)
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'))
    H.check_boot(check, result, cmdline=None)
    if result.reached_marker:
        check.eq(H.kernel_cmdline(result['CMDLINE']), '\\vmlinuz.efi ' + cmdline, 'kernel command line')
    # LoadOptions as the Shell passes them: the UTF-16 line, with its NUL if LoadOptionsSize says so
    got = [g for g in cc_extends(result.log) if not g[5] & PE_COFF_IMAGE]
    n = got[0][2] if got else 0
    raw = utf16z(args)
    check.true(n in (len(raw), len(raw) - 2), 'LoadOptionsSize %d for a %d-character line' % (n, len(args)))
    cc_check(check, result, [(9, EV_EVENT_TAG, raw[:n], tagged(0x8F3B22ED, 'LOADED_IMAGE::LoadOptions'))], img)
    os.unlink(img)
    return check.done(result)

if __name__ == '__main__':
    sys.exit(case.main(__doc__))
