#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Boot tests against the stack people run today: Debian 13's kernel (6.12), systemd 257
(sd-boot, ukify and sd-stub) and edk2 2025.02, including the strict-NX firmware build that
provides EFI_MEMORY_ATTRIBUTE_PROTOCOL and maps images W^X. Everything is downloaded by
tools/fetch-test-assets (never installed). Usage: stack_test.py CASE [--log-dir DIR]
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, os.path.join(HERE, '..', 'boot'))
import zboot_harness as H  # noqa: E402
import boot_test as B  # noqa: E402

SUITE = 'trixie'          # kernel, systemd and firmware of Debian 13
case = H.CaseTable()
NO_MEMATTR = 'firmware has no EFI_MEMORY_ATTRIBUTE_PROTOCOL'
MEMATTR = "W^X through the firmware's EFI_MEMORY_ATTRIBUTE_PROTOCOL"



def short(arch):
    return 'x86' if arch == 'x86_64' else 'arm64'


def zboot_of(log_dir, name, arch, suite=SUITE):
    """`ukify-zboot zboot` of Debian 13's kernel (zstd)."""
    out = os.path.join(log_dir, name + '.vmlinuz.efi')
    B.ukify('zboot', H.asset(arch, 'vmlinuz', suite), '--compress', 'zstd', '--level', '3', '-o', out)
    return out


def esp_sdboot(arch, extra):
    files = {'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper(): H.debian_sdboot(arch, SUITE),
             'loader/loader.conf': H.loader_conf()}
    files.update(extra)
    return files


def check_loader(check, result, arch, memattr):
    """What our loader says against what the kernel reports (x86: placement and paging;
    arm64: decompression and placement logged) and whether the firmware offered W^X."""
    if arch == 'x86_64':
        B.check_x86_log(check, result, B.header_name('zstd'))
    else:
        B.check_zboot_log(check, result, B.header_name('zstd'))
    if memattr:
        check.true(MEMATTR in result.log and NO_MEMATTR not in result.log,
                   'strict-NX firmware: our loader did not use EFI_MEMORY_ATTRIBUTE_PROTOCOL')
    else:
        check.true(NO_MEMATTR in result.log, 'plain firmware: our loader should report the protocol missing')
    check.true('cannot set memory attributes' not in result.log, 'a memory attribute call failed')


def type1(log_dir, arch, firmware, name):
    cmdline = H.default_cmdline(arch, name)
    img = zboot_of(log_dir, name, arch)
    files = esp_sdboot(arch, {
        'loader/entries/zboot.conf': H.type1_entry('zboot', linux='/vmlinuz.efi', initrd=['/initrd'],
                                                   options=cmdline),
        'vmlinuz.efi': img, 'initrd': H.asset(arch, 'initrd.cpio.gz')})
    check, result = B.boot_and_check(name, arch, files, cmdline, log_dir, firmware=firmware)
    check_loader(check, result, arch, memattr=(firmware == 'trixie-strictnx'))
    if result.reached_marker:
        check.true(H.kernel_version(arch, SUITE).split('+')[0] in result.log,
                   'the booted kernel is not Debian 13\'s (%s)' % H.kernel_version(arch, SUITE))
    os.unlink(img)
    return check.done(result)


@case
def stack_arm64_sdboot257_type1(log_dir):
    """sd-boot 257 → `linux /vmlinuz.efi` (our zboot of Debian 13's arm64 kernel), AAVMF 2025.02."""
    return type1(log_dir, 'aarch64', 'trixie', 'stack-arm64-sdboot257-type1')


@case
def stack_x86_sdboot257_type1(log_dir):
    """sd-boot 257 → `linux /vmlinuz.efi` (our native x86 zboot of Debian 13's kernel), OVMF 2025.02."""
    return type1(log_dir, 'x86_64', 'trixie', 'stack-x86-sdboot257-type1')


@case
def stack_arm64_strictnx(log_dir):
    """As the Type #1 case, on the strict-NX AAVMF: the firmware enforces W^X on what it loads
    and our loader sets the kernel's attributes through its EFI_MEMORY_ATTRIBUTE_PROTOCOL."""
    return type1(log_dir, 'aarch64', 'trixie-strictnx', 'stack-arm64-strictnx')


@case
def stack_x86_strictnx(log_dir):
    """As the Type #1 case, on the strict-NX OVMF (W^X enforced by the firmware)."""
    return type1(log_dir, 'x86_64', 'trixie-strictnx', 'stack-x86-strictnx')


def ukify257(log_dir, arch, stub, name, ours=False):
    """Debian 13's ukify builds the UKI, --linux = our zboot image; sd-boot 257 starts it (Type #2).
    Our UKI stub prints the lines check_loader() reads only with zboot.debug (docs/stub.md)."""
    cmdline = H.default_cmdline(arch, name + (' zboot.debug' if ours else ''))
    img = zboot_of(log_dir, name, arch)
    uki = os.path.join(log_dir, name + '.efi')
    osrel = os.path.join(log_dir, name + '.os-release')
    with open(osrel, 'wb') as f:
        f.write(B.OSREL)
    cmd = H.ukify_command(SUITE) + [
        'build', '--linux', img, '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--cmdline', cmdline,
        '--os-release', '@' + osrel, '--stub', stub, '--efi-arch', H.EFI_SUFFIX[arch], '--output', uki]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode(errors='replace')
    check = H.Check(name)
    if not check.true(p.returncode == 0, 'ukify 257 failed (%d):\n%s' % (p.returncode, out[-3000:])):
        return check.done()
    version = H.kernel_version(arch, SUITE)
    check.true('Found uname version: %s' % version in out,
               'ukify 257 did not find the kernel version %s inside our zboot image:\n%s' % (version, out[-2000:]))
    files = esp_sdboot(arch, {'EFI/Linux/zboot.efi': uki})
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'), firmware='trixie')
    H.check_boot(check, result, cmdline=cmdline)
    check_loader(check, result, arch, memattr=False)
    for f in (img, uki, osrel):
        os.unlink(f)
    return check.done(result)


@case
def stack_arm64_ukify257_ourstub(log_dir):
    """ukify 257 + our arm64 UKI stub + our zboot .linux (Debian 13 kernel) via sd-boot 257."""
    return ukify257(log_dir, 'aarch64', B.our_stub('linux', 'aarch64'), 'stack-arm64-ukify257-ourstub', ours=True)


@case
def stack_arm64_ukify257_sdstub(log_dir):
    """ukify 257 + Debian 13's own sd-stub 257 + our zboot .linux via sd-boot 257."""
    return ukify257(log_dir, 'aarch64', H.debian_sdstub('aarch64', SUITE), 'stack-arm64-ukify257-sdstub')


@case
def stack_x86_ukify257_ourstub(log_dir):
    """ukify 257 + our x86_64 UKI stub + our native x86 zboot .linux via sd-boot 257."""
    return ukify257(log_dir, 'x86_64', B.our_stub('linux', 'x86_64'), 'stack-x86-ukify257-ourstub', ours=True)


@case
def stack_x86_ukify257_sdstub(log_dir):
    """ukify 257 + Debian 13's sd-stub 257 + our native x86 zboot .linux via sd-boot 257."""
    return ukify257(log_dir, 'x86_64', H.debian_sdstub('x86_64', SUITE), 'stack-x86-ukify257-sdstub')


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
