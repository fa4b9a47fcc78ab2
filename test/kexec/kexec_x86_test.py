#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The second way to boot a zboot image on x86_64: our own loader, `ukify-zboot kexec` (suite `kexec`).

    kexec_x86_test.py CASE [--log-dir DIR]

The first kernel (Debian 12's amd64 6.1, started by Debian's sd-boot 252 under OVMF from a
Type #1 entry: the kernel's own EFI stub, or our zboot image) runs a first-stage initrd made here: busybox, our
ukify-zboot binary with every shared library ldd names (at the same paths), our zstd zboot image
of the same Debian 12 kernel and the standard test initrd.

- kexec-x86-zboot-zstd-exec: /init runs `ukify-zboot kexec vmlinuz.efi --initrd ... --cmdline
  "... kexec.second=NAME" --exec` (kexec_load with our segments and entry stub, then
  reboot(LINUX_REBOOT_CMD_KEXEC)); the second kernel must print the standard initrd's marker with
  exactly that command line and the initrd observables, and EFI=1: we pass efi_info with the
  running kernel's EFI runtime map and a SETUP_EFI setup_data, as kexec-tools does.
- kexec-x86-from-zboot-verified: the same, but the first kernel is our signed zstd zboot image
  itself, started by our self-decompressor (its e820 and efi_info are ours, so the memory map and
  runtime map the CLI reads come from our loader), and `kexec --verify-cert` checks the payload
  signature in the VM: a certificate of another key is refused first, then the right one loads.
- kexec-x86-lockdown: the first kernel runs with lockdown=integrity. `ukify-zboot kexec` must
  fail with our message twice: with securityfs not mounted (kexec_load(2) returns EPERM, we say
  why) and with it mounted (we refuse before decompressing, naming the lockdown mode). No second
  kernel may start.

- kexec-x86-cli (no QEMU): on the host, always with --dry-run (never kexec_load): the plan for
  our image (kernel 2 MiB aligned at or above 16 MiB, a virtual offset; none with --nokaslr),
  and the refusals before anything is loaded: usage errors, a bzImage, an arm64 zboot image, an
  unsigned image and another signer's image under --verify-cert.

A missing prerequisite (asset, tool) is a failure, never a skip.
"""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, HERE)
import zboot_harness as H  # noqa: E402
from kexec_test import cpio_newc, stage1_observables, ukify_zboot, STAGE1_BEGIN, STAGE1_END  # noqa: E402

ARCH = 'x86_64'
case = H.CaseTable()
# _text as Debian 12's amd64 kernel is linked (__START_KERNEL_map + LOAD_PHYSICAL_ADDR)
DEBIAN12_TEXT = 0xffffffff81000000
LOCKDOWN_MSG = 'the running kernel is locked down (integrity)'


def cli_files():
    """{path in the initrd: host path}: our binary and the libraries ldd resolves for it."""
    exe = os.environ.get('UKIFY_ZBOOT')
    if not exe or not os.access(exe, os.X_OK):
        raise H.HarnessError('UKIFY_ZBOOT not set or not executable (run through meson test)')
    if shutil.which('ldd') is None:
        raise H.HarnessError('ldd (libc-bin) not installed')
    out = subprocess.run(['ldd', exe], stdout=subprocess.PIPE, check=True).stdout.decode()
    files = {'usr/bin/ukify-zboot': exe}
    for line in out.splitlines():
        m = re.search(r'(?:=>\s*)?(/\S+)\s+\(0x', line)
        if m:
            files[m.group(1).lstrip('/')] = os.path.realpath(m.group(1))
        elif '=>' in line and 'not found' in line:
            raise H.HarnessError('ldd %s: %s' % (exe, line.strip()))
    if not any('ld-linux' in p for p in files):
        raise H.HarnessError('ldd %s named no dynamic loader:\n%s' % (exe, out))
    return files


def make_stage1(path, image, init, extra=None):
    dirs = set()
    files = dict(cli_files())
    for p in files:
        d = os.path.dirname(p)
        while d:
            dirs.add(d)
            d = os.path.dirname(d)
    entries = [(d, 0o40755, None) for d in sorted(dirs | {'bin', 'boot', 'dev', 'proc', 'sys', 'tmp'})]
    busybox = H.need_file('/bin/busybox', 'busybox (static)')
    with open(busybox, 'rb') as f:
        entries.append(('bin/busybox', 0o100755, f.read()))
    for dest, src in sorted(files.items()):
        with open(src, 'rb') as f:
            entries.append((dest, 0o100755, f.read()))
    with open(image, 'rb') as f:
        entries.append(('boot/vmlinuz.efi', 0o100644, f.read()))
    with open(H.asset(ARCH, 'initrd.cpio.gz'), 'rb') as f:
        entries.append(('boot/initrd.cpio.gz', 0o100644, f.read()))
    for dest, src in sorted((extra or {}).items()):
        with open(src, 'rb') as f:
            entries.append(('boot/' + dest, 0o100644, f.read()))
    entries.append(('init', 0o100755, init.encode()))
    with open(path, 'wb') as f:
        f.write(gzip.compress(cpio_newc(entries), compresslevel=1))


def init_script(cmdline, lockdown, verify=False):
    U = '/usr/bin/ukify-zboot kexec /boot/vmlinuz.efi --initrd /boot/initrd.cpio.gz --cmdline "%s"' % cmdline
    lines = ['#!/bin/busybox sh', 'B=/bin/busybox', '$B mount -t proc proc /proc', '$B mount -t sysfs sys /sys',
             '$B mount -t tmpfs tmp /tmp', 'echo ' + STAGE1_BEGIN]
    if lockdown:
        lines += ['%s >/tmp/a.log 2>&1; echo "NOSECFS_RC=$?"' % U,
                  'echo "NOSECFS_MSG=$($B tail -n1 /tmp/a.log)"',
                  '$B mount -t securityfs sec /sys/kernel/security',
                  'echo "LOCKDOWN=$($B cat /sys/kernel/security/lockdown)"',
                  '%s >/tmp/b.log 2>&1; echo "SECFS_RC=$?"' % U,
                  'echo "SECFS_MSG=$($B tail -n1 /tmp/b.log)"',
                  'echo ' + STAGE1_END, '$B poweroff -f']
    else:
        lines += ['$B mount -t securityfs sec /sys/kernel/security',
                  'echo "LOCKDOWN=$($B cat /sys/kernel/security/lockdown)"']
        if verify:
            # a certificate of another key must be refused before anything is loaded
            lines += ['%s --verify-cert /boot/other.pem >/tmp/v.log 2>&1; echo "WRONGCERT_RC=$?"' % U,
                      'echo "WRONGCERT_MSG=$($B tail -n1 /tmp/v.log)"']
            U += ' --verify-cert /boot/payload.pem'
        lines += ['echo ' + STAGE1_END, '%s --exec; echo "EXEC_FAILED=$?"' % U, '$B poweroff -f']
    return '\n'.join(lines) + '\n'


def kexec_boot(name, log_dir, lockdown=False, from_zboot=False):
    second = H.default_cmdline(ARCH, 'kexec.second=%s' % name)
    first = H.default_cmdline(ARCH, 'kexec.first=%s%s' % (name, ' lockdown=integrity' if lockdown else ''))
    work = tempfile.mkdtemp(prefix='kexec-x86-', dir=log_dir)
    try:
        image = os.path.join(work, 'vmlinuz.efi')
        extra, sign = {}, []
        if from_zboot:
            # a signed payload, checked in the VM by --verify-cert; a second key's certificate is refused
            if shutil.which('openssl') is None:
                raise H.HarnessError('openssl not installed')
            for n in ('payload', 'other'):
                subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout',
                                os.path.join(work, n + '.key'), '-out', os.path.join(work, n + '.pem'), '-days',
                                '30', '-subj', '/CN=kexec x86 test %s key' % n], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                extra[n + '.pem'] = os.path.join(work, n + '.pem')
            sign = ['--sign-payload', os.path.join(work, 'payload.key'), '--sign-payload-cert',
                    extra['payload.pem']]
        ukify_zboot('zboot', H.asset(ARCH, 'vmlinuz'), '-c', 'zstd', *sign, '-o', image)
        stage1 = os.path.join(work, 'stage1.cpio.gz')
        make_stage1(stage1, image, init_script(second, lockdown, verify=from_zboot), extra)
        # the first kernel: Debian's bzImage through its own EFI stub, or our zboot image of it
        linux = '/vmlinuz.efi' if from_zboot else '/vmlinuz'
        files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(ARCH), 'loader/loader.conf': H.loader_conf(),
                 'loader/entries/first.conf': H.type1_entry('first', linux=linux, initrd=['/stage1'],
                                                            options=first),
                 linux.lstrip('/'): image if from_zboot else H.asset(ARCH, 'vmlinuz'), 'stage1': stage1}
        result = H.boot(ARCH, files, timeout=420, log_path=os.path.join(log_dir, name + '.log'))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    check = H.Check(name)
    s1 = stage1_observables(result.log)
    if check.true(s1 is not None, 'the first-stage initrd never printed its report (first kernel did not boot?)'):
        print('%s: stage 1: %s' % (name, ', '.join('%s=%s' % kv for kv in sorted(s1.items()))))
    return check, result, s1 or {}, second


def exec_case(name, log_dir, from_zboot):
    check, result, s1, second = kexec_boot(name, log_dir, from_zboot=from_zboot)
    check.true('[none]' in s1.get('LOCKDOWN', ''), 'first kernel not locked down: %r' % s1.get('LOCKDOWN'))
    log = result.log.replace('\r', '')
    after = log.split(STAGE1_END, 1)[1] if STAGE1_END in log else ''
    check.true('EXEC_FAILED' not in after, 'ukify-zboot kexec --exec returned:\n%s' % after[-1500:])
    check.true('kexec: kernel at 0x' in after, 'ukify-zboot kexec did not report its plan')
    check.true('Linux version' in after.split('kexec: kernel at 0x', 1)[-1],
               'no second kernel started after ukify-zboot kexec --exec')
    # efi_info, the runtime map and SETUP_EFI are passed: the second kernel keeps EFI
    check.true('EFI runtime passed' in after, 'ukify-zboot kexec passed the EFI runtime state')
    H.check_boot(check, result, cmdline=second, efi=True)
    # the second kernel runs where our plan line says: physical base and virtual offset
    plan = re.search(r'kexec: kernel at 0x([0-9a-f]+) .*virtual offset 0x([0-9a-f]+)', after)
    if check.true(plan is not None, 'no plan line from ukify-zboot kexec') and result.reached_marker:
        phys, voff = int(plan.group(1), 16), int(plan.group(2), 16)
        code = (result['KERNEL_CODE'] or '').split('-')[0]
        check.eq(code and int(code, 16), phys, 'the second kernel\'s "Kernel code" starts where we loaded it')
        check.eq(result['TEXT'] and int(result['TEXT'], 16), DEBIAN12_TEXT + voff,
                 '_text = link address + our virtual offset')
    if from_zboot:
        # the first kernel was started by our self-decompressor, not by the kernel's EFI stub
        check.true('x86 kernel: _text at' in log.split(STAGE1_BEGIN, 1)[0],
                   'the first kernel was not started by our zboot loader (no "x86 kernel: _text at" line)')
        check.eq(s1.get('WRONGCERT_RC'), '1', '--verify-cert with another key\'s certificate: exit status')
        check.true('not by the certificate' in s1.get('WRONGCERT_MSG', ''),
                   '--verify-cert with another key\'s certificate refused: %r' % s1.get('WRONGCERT_MSG'))
        check.true('payload signature verified' in after, 'kexec --verify-cert verified the payload')
    return check.done(result)


@case
def kexec_x86_zboot_zstd_exec(log_dir):
    return exec_case('kexec-x86-zboot-zstd-exec', log_dir, False)


@case
def kexec_x86_from_zboot_verified(log_dir):
    return exec_case('kexec-x86-from-zboot-verified', log_dir, True)


def cli(*args):
    exe = os.environ.get('UKIFY_ZBOOT')
    if not exe or not os.access(exe, os.X_OK):
        raise H.HarnessError('UKIFY_ZBOOT not set or not executable (run through meson test)')
    p = subprocess.run([exe, 'kexec'] + [str(a) for a in args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode()


@case
def kexec_x86_cli(log_dir):
    check = H.Check('kexec-x86-cli')
    if shutil.which('openssl') is None:
        raise H.HarnessError('openssl not installed')
    work = tempfile.mkdtemp(prefix='kexec-x86-cli-', dir=log_dir)
    try:
        img, arm, signed = (os.path.join(work, n) for n in ('x86.efi', 'arm64.efi', 'signed.efi'))
        keys = {}
        for n in ('a', 'b'):
            keys[n] = (os.path.join(work, n + '.key'), os.path.join(work, n + '.pem'))
            subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keys[n][0], '-out',
                            keys[n][1], '-days', '30', '-subj', '/CN=kexec cli %s' % n], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ukify_zboot('zboot', H.asset(ARCH, 'vmlinuz'), '-c', 'zstd', '-l', '1', '-o', img)
        ukify_zboot('zboot', H.asset(ARCH, 'vmlinuz'), '-c', 'zstd', '-l', '1', '--sign-payload', keys['a'][0],
                    '--sign-payload-cert', keys['a'][1], '-o', signed)
        ukify_zboot('zboot', H.asset('aarch64', 'vmlinuz'), '-c', 'gzip', '-l', '1', '-o', arm)
        plan = re.compile(r'kexec: kernel at 0x([0-9a-f]+) \(.*virtual offset 0x([0-9a-f]+)(, random)?\)')
        for extra, random in (([], True), (['--nokaslr'], False), (['--cmdline', 'quiet nokaslr'], False)):
            rc, out = cli(img, '--dry-run', *extra)
            m = plan.search(out)
            if check.true(rc == 0 and m is not None, 'dry run %s: rc %d, %s' % (extra, rc, out.strip())):
                addr = int(m.group(1), 16)
                check.true(addr >= 0x1000000 and addr % 0x200000 == 0, 'kernel address 0x%x: 2 MiB aligned, '
                           '>= LOAD_PHYSICAL_ADDR' % addr)
                check.eq(m.group(3) is not None, random, 'random virtual offset %s' % extra)
                if not random:
                    check.eq(m.group(2), '0', 'virtual offset with %s' % extra)
        # a UKI: its own .cmdline (here with nokaslr, which the plan must honour) and .ucode +
        # .initrd unless --cmdline / --initrd are given
        uki, ucode, initrd = (os.path.join(work, n) for n in ('uki.efi', 'ucode', 'initrd'))
        for path, data in ((ucode, b'u' * 5), (initrd, b'i' * 100)):
            with open(path, 'wb') as f:
                f.write(data)
        ukify_zboot('build', '--linux', img, '--cmdline', 'root=/dev/sda1  nokaslr\n', '--microcode', ucode,
                    '--initrd', initrd, '-o', uki)
        rc, out = cli(uki, '--dry-run')
        m = plan.search(out)
        check.true(rc == 0 and m is not None and m.group(3) is None and
                   '.cmdline (22 bytes): "root=/dev/sda1 nokaslr"' in out and '.ucode and .initrd (108 bytes)' in out,
                   "a UKI's own command line (nokaslr: no random offset) and initrds: rc %d, %s" % (rc, out.strip()))
        rc, out = cli(uki, '--dry-run', '--cmdline', 'quiet noinitrd')
        check.true(rc == 0 and "noinitrd: the UKI's .ucode and .initrd are not passed" in out,
                   'noinitrd keeps a UKI\'s initrds back, as the stub: rc %d, %s' % (rc, out.strip()))
        rc, out = cli(uki, '--dry-run', '--cmdline', 'quiet', '--initrd', initrd)
        m = plan.search(out)
        check.true(rc == 0 and m is not None and m.group(3) is not None and "the UKI's" not in out,
                   'a UKI with --cmdline and --initrd: those, not its own: rc %d, %s' % (rc, out.strip()))
        rc, out = cli(signed, '--dry-run', '--verify-cert', keys['a'][1])
        check.true(rc == 0 and 'payload signature verified' in out, 'right certificate: %d %s' % (rc, out.strip()))
        refusals = [
            ((img, img, '--dry-run'), 'kexec: expected exactly one FILE argument'),
            ((img, '--cmdline', 'x', '--reuse-cmdline', '--dry-run'), 'exclude each other'),
            ((H.asset(ARCH, 'vmlinuz'), '--dry-run'), 'x86 bzImage, not a zboot image: kexec loads our zboot images'),
            ((arm, '--dry-run'), 'not an x86_64 zboot image with our native payload'),
            ((img, '--dry-run', '--verify-cert', keys['a'][1]), 'no payload signature (.zsig section)'),
            ((signed, '--dry-run', '--verify-cert', keys['b'][1]), 'not by the certificate'),
        ]
        for args, want in refusals:
            rc, out = cli(*args)
            check.true(rc == 1 and want in out and 'kexec: kernel at' not in out,
                       'refused (%s): rc %d, %s' % (want, rc, out.strip()[-300:]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return check.done()


@case
def kexec_x86_lockdown(log_dir):
    name = 'kexec-x86-lockdown'
    check, result, s1, _ = kexec_boot(name, log_dir, lockdown=True)
    check.true('[integrity]' in s1.get('LOCKDOWN', ''), 'lockdown=integrity took effect: %r' % s1.get('LOCKDOWN'))
    check.eq(s1.get('NOSECFS_RC'), '1', 'kexec under lockdown without securityfs: exit status')
    check.true('kexec_load: Operation not permitted' in s1.get('NOSECFS_MSG', '') and
               'kexec_file_load' in s1.get('NOSECFS_MSG', ''),
               'EPERM from kexec_load explained: %r' % s1.get('NOSECFS_MSG'))
    check.eq(s1.get('SECFS_RC'), '1', 'kexec under lockdown: exit status')
    check.true(LOCKDOWN_MSG in s1.get('SECFS_MSG', '') and 'kexec_file_load' in s1.get('SECFS_MSG', ''),
               'our lockdown refusal: %r' % s1.get('SECFS_MSG'))
    log = result.log.replace('\r', '')
    check.true(log.count('Linux version') == 1, 'a second kernel started under lockdown')
    check.true(not result.timed_out, 'QEMU timed out (%s)' % result.summary())
    return check.done(result)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
