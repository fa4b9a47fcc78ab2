#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The main job, end to end (run by tools/demo after setup and build): make zboot UKIs from the
Debian kernel packages with ukify-zboot and boot them in QEMU through Debian's systemd-boot,
printing what happened. Falls back to the stock path, and says so, for any step the build
cannot do yet."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zboot_harness as H  # noqa: E402

BUILD = os.environ.get('ZBOOT_BUILD_DIR', os.path.join(H.TOP, 'build'))
UKIFY = os.path.join(BUILD, 'src', 'ukify-zboot', 'ukify-zboot')
OUT = os.path.join(BUILD, 'demo')
OSREL = b'ID=debian\nNAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (zboot demo)"\nVERSION_ID="12"\n'


def say(msg=''):
    print(msg, flush=True)


def ukify(*args):
    """Run ukify-zboot; returns (ok, output)."""
    if not os.access(UKIFY, os.X_OK):
        return False, 'ukify-zboot not built'
    p = subprocess.run([UKIFY] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    return p.returncode == 0, p.stdout.decode(errors='replace')


def mib(path):
    return '%.1f MiB' % (os.path.getsize(path) / (1 << 20))


def our_log_lines(log):
    return [l for l in log.replace('\r', '').split('\n') if l.startswith(('zboot', 'ZBOOT:')) and '=' not in l[:8]]


def boot_uki(arch, uki, cmdline, label):
    boot_name = 'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper()
    files = {boot_name: H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'EFI/Linux/demo.efi': uki}
    say('  booting %s under %s through Debian systemd-boot (QEMU, no KVM: ~10-30 s) ...' %
        (label, 'OVMF' if arch == 'x86_64' else 'AAVMF'))
    r = H.boot(arch, files, log_path=os.path.join(OUT, 'serial-%s.log' % arch))
    for line in our_log_lines(r.log):
        say('  | ' + line)
    say('  result: %s' % r.summary())
    ok = r.reached_marker and H.kernel_cmdline(r['CMDLINE']) == cmdline and \
        r['INITRD_MARKER'] == H.INITRD_MARKER
    if r.reached_marker:
        say('  kernel command line : %s' % r['CMDLINE'])
        say('  initrd arrived      : %s' % ('yes' if r['INITRD_MARKER'] == H.INITRD_MARKER else 'NO'))
        say('  Kernel code (phys)  : %s' % r['KERNEL_CODE'])
        say('  _text (virt)        : %s' % r['TEXT'])
        say('  VmallocTotal        : %s kB' % r['VMALLOC_TOTAL'])
        say('  EFI runtime         : %s' % ('yes' if r['EFI'] == '1' else 'no'))
    say('  serial log          : %s' % os.path.join(OUT, 'serial-%s.log' % arch))
    return ok


def demo_arch(arch):
    deb = H.DEBIAN_ARCH[arch]
    kernel = H.asset(arch, 'vmlinuz')
    initrd = H.asset(arch, 'initrd.cpio.gz')
    version = open(H.asset(arch, 'version')).read().strip()
    # zboot.debug: the UKI stub prints what it did (silent without it, like systemd-stub)
    cmdline = H.default_cmdline(arch, 'zboot.demo=1 zboot.debug')
    say('== %s: Debian kernel %s (%s, %s)' % (arch, version, os.path.basename(kernel), mib(kernel)))

    zimg = os.path.join(OUT, 'vmlinuz-%s.efi' % deb)
    ok, out = ukify('zboot', kernel, '--compress', 'zstd', '-o', zimg)
    if ok:
        say('  ukify-zboot zboot --compress zstd -> %s (%s)' % (zimg, mib(zimg)))
        linux, label = zimg, 'a zboot UKI (our stub, zstd .linux)'
    else:
        say('  ukify-zboot zboot cannot do this yet (%s): using the plain Debian kernel as .linux' %
            out.strip().split('\n')[-1])
        linux, label = kernel, 'a UKI with the plain Debian kernel'

    uki = os.path.join(OUT, 'uki-%s.efi' % deb)
    cmdfile = os.path.join(OUT, 'cmdline')
    osrel = os.path.join(OUT, 'os-release')
    open(cmdfile, 'w').write(cmdline)
    open(osrel, 'wb').write(OSREL)
    ok, out = ukify('build', '--linux', linux, '--initrd', initrd, '--cmdline', '@' + cmdfile,
                    '--os-release', '@' + osrel, '--uname', version, '-o', uki)
    if ok:
        say('  ukify-zboot build -> %s (%s)' % (uki, mib(uki)))
    elif arch == 'x86_64':
        say('  ukify-zboot build cannot do this yet (%s)' % out.strip().split('\n')[-1])
        say("  STOCK PATH: UKI from Debian's sd-stub + Debian bzImage, made with objcopy")
        H.objcopy_uki(H.debian_sdstub(arch), uki, [('.osrel', OSREL), ('.cmdline', cmdline.encode()),
                                                    ('.initrd', initrd), ('.linux', kernel)])
        label = "the stock Debian UKI (sd-stub + bzImage)"
    else:
        say('  ukify-zboot build cannot do this yet (%s)' % out.strip().split('\n')[-1])
        say('  STOCK PATH: Debian systemd-boot starting the Debian Image from a Type #1 entry')
        files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
                 'loader/entries/debian.conf': H.type1_entry('Debian', linux='/vmlinuz', initrd=['/initrd'],
                                                             options=cmdline),
                 'vmlinuz': kernel, 'initrd': initrd}
        r = H.boot(arch, files, log_path=os.path.join(OUT, 'serial-%s.log' % arch))
        say('  result: %s; command line: %s' % (r.summary(), r['CMDLINE']))
        return r.reached_marker and r['INITRD_MARKER'] == H.INITRD_MARKER

    ok, out = ukify('inspect', uki)
    if ok:
        say('  ukify-zboot inspect:')
        for line in out.rstrip().split('\n'):
            say('  > ' + line)
    return boot_uki(arch, uki, cmdline, label)


def main():
    os.makedirs(OUT, exist_ok=True)
    results = {}
    try:
        for arch in ('x86_64', 'aarch64'):
            results[arch] = demo_arch(arch)
            say()
    except H.HarnessError as e:
        say('demo: %s' % e)
        return 1
    say('== summary: ' + ', '.join('%s %s' % (a, 'booted to the initrd marker' if ok else 'FAILED')
                                    for a, ok in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == '__main__':
    sys.exit(main())
