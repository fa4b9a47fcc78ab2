#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The second way to boot a zboot image on arm64: Debian's kexec-tools (suite `kexec`).

    kexec_test.py CASE [--log-dir DIR]

The first kernel (Debian 12's arm64 6.1, started by Debian's sd-boot under AAVMF) runs a
first-stage initrd made here: busybox, Debian 13's kexec-tools 2.0.29 with the arm64 libraries it
loads (tools/fetch-test-assets: trixie/kexec-arm64), our image and the standard test initrd. Its
/init loads the image with kexec and executes it; the second kernel must reach the standard
initrd's marker with the command line given to kexec --append (a word no other boot has) and
print the initrd observables.

- kexec-arm64-zboot-gzip-load: `kexec -l vmlinuz.efi` (kexec_load: kexec-tools decompresses our
  gzip zboot image in user space, >= 2.0.28), then `kexec -e`. Probes before it, never executed:
  our zstd image is refused by this kexec-tools (Debian builds it with zlib only), and `kexec -s
  -l` (kexec_file_load) of the gzip image fails with "syscall kexec_file_load not available":
  Debian's arm64 kernels (6.1, 6.12) are built without CONFIG_KEXEC_FILE (docs/security.md). If
  either starts to work, the test fails so the docs get updated (and a `-s` boot case added).
- kexec-arm64-verified-zstd: on the host, `zboot -c zstd --sign-payload`, then
  `extract --verify-cert` (our CLI is an x86 binary, so this runs before the initrd is made);
  the first kernel — here the signed zboot image itself, started through our self-decompressor —
  does `kexec -l Image` of the verified payload. The path for every compression kexec-tools
  cannot read.

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
import zboot_harness as H  # noqa: E402

ARCH = 'aarch64'
case = H.CaseTable()
STAGE1_BEGIN, STAGE1_END = 'KEXEC-STAGE1-BEGIN', 'KEXEC-STAGE1-END'
KEXEC_TREE = os.path.join(H.CACHE, 'trixie', 'kexec-arm64')


def ukify_zboot(*args):
    exe = os.environ.get('UKIFY_ZBOOT')
    if not exe or not os.access(exe, os.X_OK):
        raise H.HarnessError('UKIFY_ZBOOT not set or not executable (run through meson test)')
    stubs = os.environ.get('ZBOOT_EFI_DIR')
    if not stubs:
        raise H.HarnessError('ZBOOT_EFI_DIR not set (run through meson test)')
    p = subprocess.run([exe] + [str(a) for a in args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=dict(os.environ, UKIFY_ZBOOT_STUB_DIR=stubs))
    if p.returncode != 0:
        raise H.HarnessError('ukify-zboot %s failed: %s' % (' '.join(map(str, args)), p.stdout.decode()[-600:]))
    return p.stdout.decode()


# ---- the first-stage initrd ------------------------------------------------------------------

def needed(path):
    if shutil.which('readelf') is None:
        raise H.HarnessError('readelf (binutils) not installed')
    out = subprocess.run(['readelf', '-d', path], stdout=subprocess.PIPE, check=True).stdout.decode()
    return [line.split('[', 1)[1].split(']', 1)[0] for line in out.splitlines() if '(NEEDED)' in line]


def kexec_files():
    """{path in the initrd: host path}: the kexec binary and every library it loads, from the
    extracted Debian 13 packages, at their Debian paths (merged /usr: /lib is a symlink)."""
    kexec = H.need_file(os.path.join(KEXEC_TREE, 'usr', 'sbin', 'kexec'), "Debian 13's kexec-tools (arm64)")
    libdirs = ['usr/lib/aarch64-linux-gnu', 'usr/lib']
    files, todo, seen = {'usr/sbin/kexec': kexec}, [kexec], set()
    files['usr/lib/ld-linux-aarch64.so.1'] = H.need_file(os.path.join(KEXEC_TREE, 'usr/lib/ld-linux-aarch64.so.1'),
                                                       'arm64 ld.so')
    while todo:
        for lib in needed(todo.pop()):
            if lib in seen:
                continue
            seen.add(lib)
            for d in libdirs:
                p = os.path.join(KEXEC_TREE, d, lib)
                if os.path.exists(p):
                    files[d + '/' + lib] = os.path.realpath(p)
                    todo.append(os.path.realpath(p))
                    break
            else:
                raise H.HarnessError('%s: library %s not in %s (tools/fetch-test-assets)' % (kexec, lib, KEXEC_TREE))
    return files


def cpio_newc(entries):
    """A newc archive: entries are (name, mode, data) with data bytes (file) or a str (symlink
    target) or None (directory)."""
    out, ino = bytearray(), 1
    for name, mode, data in entries + [('TRAILER!!!', 0, b'')]:
        if isinstance(data, str):
            data = data.encode()
        data = data or b''
        nm = name.encode() + b'\0'
        hdr = '070701' + ''.join('%08x' % v for v in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nm), 0))
        out += hdr.encode() + nm
        out += b'\0' * (-len(out) % 4)
        out += data
        out += b'\0' * (-len(out) % 4)
        ino += 1
    return bytes(out)


def stage1_init(main, probes, cmdline):
    """The first-stage /init: probes (load, report, unload), then the main load and kexec -e."""
    lines = ['#!/bin/busybox sh', 'B=/bin/busybox', '$B mount -t proc proc /proc', '$B mount -t sysfs sys /sys',
             # kexec-tools decompresses a zboot image into /tmp/ImageXXXXXX
             '$B mount -t tmpfs tmp /tmp', 'K=/usr/sbin/kexec', 'echo ' + STAGE1_BEGIN,
             'echo "KEXEC_VERSION=$($K --version 2>&1)"']
    for name, args in probes:
        lines += ['$K %s >/tmp/probe.log 2>&1; rc=$?' % args,
                  'echo "PROBE_%s=$rc"' % name,
                  'echo "PROBE_%s_MSG=$($B head -n1 /tmp/probe.log)"' % name,
                  '$B sed "s/^/probe %s: /" /tmp/probe.log' % name,
                  '$K -u >/dev/null 2>&1; $K -s -u >/dev/null 2>&1']
    lines += ['$K %s --initrd=/boot/initrd.cpio.gz --append="%s"; rc=$?' % (main, cmdline),
              'echo "LOAD_RC=$rc"', 'echo ' + STAGE1_END,
              '[ $rc = 0 ] && $K -e', 'echo "EXEC_FAILED=$?"', '$B poweroff -f']
    return '\n'.join(lines) + '\n'


def make_stage1(path, images, init):
    entries = [(d, 0o40755, None) for d in ('bin', 'boot', 'dev', 'proc', 'sys', 'tmp', 'usr', 'usr/sbin', 'usr/lib',
                                             'usr/lib/aarch64-linux-gnu')]
    entries.append(('lib', 0o120777, 'usr/lib'))
    with open(H.need_file(os.path.join(H.CACHE, 'arm64', 'busybox'), 'arm64 busybox'), 'rb') as f:
        entries.append(('bin/busybox', 0o100755, f.read()))
    for dest, src in sorted(kexec_files().items()):
        with open(src, 'rb') as f:
            entries.append((dest, 0o100755, f.read()))
    for dest, src in sorted(images.items()):
        with open(src, 'rb') as f:
            entries.append(('boot/' + dest, 0o100644, f.read()))
    with open(H.asset(ARCH, 'initrd.cpio.gz'), 'rb') as f:
        entries.append(('boot/initrd.cpio.gz', 0o100644, f.read()))
    entries.append(('init', 0o100755, init.encode()))
    with open(path, 'wb') as f:
        f.write(gzip.compress(cpio_newc(entries), compresslevel=1))


def stage1_observables(log):
    lines = log.replace('\r', '').split('\n')
    try:
        b = lines.index(STAGE1_BEGIN)
        e = lines.index(STAGE1_END, b)
    except ValueError:
        return None
    obs = {}
    for line in lines[b + 1:e]:
        if '=' in line and line.split('=', 1)[0].replace('_', '').isalnum():
            k, v = line.split('=', 1)
            obs[k] = v.strip()
    return obs


def kexec_boot(name, log_dir, images, main, probes=(), first_kernel=None):
    """Boot the first kernel (Debian's Image, or first_kernel) with the first-stage initrd; return
    (check, result, stage-1 observables)."""
    second = H.default_cmdline(ARCH, 'kexec.second=%s' % name)
    first = H.default_cmdline(ARCH, 'kexec.first=%s' % name)
    work = tempfile.mkdtemp(prefix='kexec-', dir=log_dir)
    try:
        stage1 = os.path.join(work, 'stage1.cpio.gz')
        make_stage1(stage1, images, stage1_init(main, probes, second))
        files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(ARCH), 'loader/loader.conf': H.loader_conf(),
                 'loader/entries/first.conf': H.type1_entry('first', linux='/vmlinuz', initrd=['/stage1'],
                                                            options=first),
                 'vmlinuz': first_kernel or H.asset(ARCH, 'vmlinuz'), 'stage1': stage1}
        result = H.boot(ARCH, files, timeout=420, log_path=os.path.join(log_dir, name + '.log'))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    check = H.Check(name)
    s1 = stage1_observables(result.log)
    if check.true(s1 is not None, 'the first-stage initrd never printed its report (first kernel did not boot?)'):
        print('%s: stage 1: %s' % (name, ', '.join('%s=%s' % kv for kv in sorted(s1.items()))))
        check.true('2.0.29' in s1.get('KEXEC_VERSION', ''), 'kexec --version: %r' % s1.get('KEXEC_VERSION'))
        check.eq(s1.get('LOAD_RC'), '0', 'kexec load of the image (%s)' % main)
    # the second kernel: a new "Booting Linux" after the first kernel's initrd report, our marker
    # and exactly the command line kexec was given (kexec.second=NAME is nowhere else)
    log = result.log.replace('\r', '')
    after = log.split(STAGE1_END, 1)[1] if STAGE1_END in log else ''
    check.true('Booting Linux' in after, 'no second kernel started after kexec -e')
    H.check_boot(check, result, cmdline=second)
    # kexec-tools passes the running kernel's device tree with the EFI system table and memory map
    # (arm64): the second kernel keeps EFI runtime services
    check.eq(result['EFI'], '1', 'the second kernel sees EFI (/sys/firmware/efi)')
    return check, result, s1 or {}


def zboot_image(log_dir, name, comp, *extra):
    # named after the test: the kexec tests run in parallel and share log_dir
    out = os.path.join(log_dir, '%s-vmlinuz-%s.efi' % (name, comp))
    ukify_zboot('zboot', H.asset(ARCH, 'vmlinuz'), '-c', comp, '-l', '6' if comp == 'gzip' else '9', *extra,
                '-o', out)
    return out


@case
def kexec_arm64_zboot_gzip_load(log_dir):
    name = 'kexec-arm64-zboot-gzip-load'
    gz, zs = zboot_image(log_dir, name, 'gzip'), zboot_image(log_dir, name, 'zstd')
    probes = [('FILE_GZIP', '-s -l /boot/gzip.efi --initrd=/boot/initrd.cpio.gz --append=probe'),
              ('LOAD_ZSTD', '-l /boot/zstd.efi --initrd=/boot/initrd.cpio.gz --append=probe')]
    check, result, s1 = kexec_boot('kexec-arm64-zboot-gzip-load', log_dir, {'gzip.efi': gz, 'zstd.efi': zs},
                                   '-l /boot/gzip.efi', probes)
    check.true(s1.get('PROBE_FILE_GZIP') not in (None, '0') and
               'kexec_file_load not available' in s1.get('PROBE_FILE_GZIP_MSG', ''),
               'probe: kexec -s -l on Debian 12\'s arm64 kernel (no CONFIG_KEXEC_FILE) should fail with "syscall '
               'kexec_file_load not available", got %r %r: if it now works, update docs/security.md and add a '
               '-s boot case' % (s1.get('PROBE_FILE_GZIP'), s1.get('PROBE_FILE_GZIP_MSG')))
    check.true(s1.get('PROBE_LOAD_ZSTD') not in (None, '0') and
               'Cannot determine the file type' in s1.get('PROBE_LOAD_ZSTD_MSG', ''),
               'probe: Debian 13 kexec-tools 2.0.29 (zlib only) should refuse our zstd image, got %r %r: if it now '
               'loads, update docs/security.md' % (s1.get('PROBE_LOAD_ZSTD'), s1.get('PROBE_LOAD_ZSTD_MSG')))
    for p in (gz, zs):
        os.unlink(p)
    return check.done(result)


@case
def kexec_arm64_verified_zstd(log_dir):
    if shutil.which('openssl') is None:
        raise H.HarnessError('openssl not installed')
    name = 'kexec-arm64-verified-zstd'
    key, cert = os.path.join(log_dir, name + '-payload.key'), os.path.join(log_dir, name + '-payload.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days',
                    '30', '-subj', '/CN=kexec test payload key'], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    zs = zboot_image(log_dir, name, 'zstd', '--sign-payload', key, '--sign-payload-cert', cert)
    image = os.path.join(log_dir, name + '-Image.verified')
    out = ukify_zboot('extract', zs, '--verify-cert', cert, '-o', image)
    pre = H.Check('kexec-arm64-verified-zstd')
    pre.true('payload signature verified' in out, 'extract --verify-cert: %s' % out.strip())
    # the first kernel is the signed image itself, booted through our self-decompressor (Type #1):
    # an image with .zsig boots the EFI way too
    check, result, _ = kexec_boot('kexec-arm64-verified-zstd', log_dir, {'Image': image}, '-l /boot/Image',
                                  first_kernel=zs)
    check.true(re.search(r'decompressed zstd: \d+ -> \d+ bytes', result.log.split(STAGE1_BEGIN, 1)[0]) is not None,
               'our self-decompressor did not log "decompressed zstd: ..." before the first kernel')
    check.failures = pre.failures + check.failures
    for p in (zs, image, key, cert):
        os.unlink(p)
    return check.done(result)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
