#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Trust tests: a UKI's own .initrd is never dropped or replaced by what a boot manager
passes; under Secure Boot (Debian's snakeoil OVMF, everything signed with its test key) the
boot manager's initrd is ignored and the kernel runs locked down.
Usage: trust_test.py CASE [--log-dir DIR]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, os.path.join(HERE, '..', 'boot'))
import zboot_harness as H  # noqa: E402
import boot_test as B  # noqa: E402

CASES = {}
EVIL = 'EVIL-INITRD-RAN'
EXTRA = 'from-the-boot-manager'
SNAKEOIL = ('/usr/share/ovmf/PkKek-1-snakeoil.key', '/usr/share/ovmf/PkKek-1-snakeoil.pem')


def case(fn):
    CASES[fn.__name__.replace('_', '-')] = fn
    return fn


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


def initrd_combined(log_dir, arch):
    """No Secure Boot: a Type #1 `initrd` next to a UKI is appended to .initrd, never replaces it."""
    name = 'trust-%s-initrd-combined' % ('x86' if arch == 'x86_64' else 'arm64')
    cmdline = H.default_cmdline(arch, name)
    uki = zboot_uki(log_dir, name, arch, cmdline)
    extra = cpio(os.path.join(log_dir, name + '.extra.cpio'), {'extra-initrd': (EXTRA.encode() + b'\n', 0o644)})
    files = type1_uki(arch, uki, H.debian_sdboot(arch), extra, cmdline)
    # sd-boot passes the entry's options to the UKI as LoadOptions: the same string here, and
    # without Secure Boot the stub may use them; the kernel must see exactly this line.
    check, result = B.boot_and_check(name, arch, files, cmdline, log_dir)
    check.eq(result['EXTRA_INITRD'], EXTRA, "the boot manager's initrd was unpacked after .initrd")
    check.true('followed by the boot manager\'s' in result.log, 'our stub did not log the combined initrd')
    for f in (uki, extra):
        os.unlink(f)
    return check.done(result)


@case
def trust_x86_initrd_combined(log_dir):
    return initrd_combined(log_dir, 'x86_64')


@case
def trust_arm64_initrd_combined(log_dir):
    return initrd_combined(log_dir, 'aarch64')


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
