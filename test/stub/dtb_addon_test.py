#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Device-tree add-ons (docs/stub.md "Add-ons"), arm64, checked in the booted kernel's
/proc/device-tree: after the UKI's own .dtb, each add-on's device tree (global ones, then this
UKI's, each directory in name order) replaces the one before, so the last one is the kernel's;
an add-on's .dtbauto counts only when it matches this machine (here, with QEMU's ACPI tables and
so no firmware device tree, through the add-on's own .hwids and the machine's SMBIOS CHIDs).
Each case boots the same ESP once more with a UKI of Debian 13's sd-stub 257 (made by Debian
13's ukify) and requires the same device tree. On x86 (a TPM; the kernel ignores the table) the
add-on's device tree must be measured into PCR 12 after the add-ons' command line, recomputed
here, by both stubs.
Usage: dtb_addon_test.py CASE [--log-dir DIR]
"""

import json
import os
import shutil
import sys
import tempfile

from stub_common import B, H, T
import firmware_test as F

case = H.CaseTable()
ARCH = 'aarch64'
OWN = 'EFI/BOOT/BOOTAA64.EFI.extra.d/'


def addon(work, name, *args):
    out = os.path.join(work, name)
    B.ukify('build', '--efi-arch', 'aa64', '-o', out, *args)
    return out


def ref_uki(work, cmdline, dtb):
    """The UKI's sections with Debian 13's sd-stub 257, made by Debian 13's ukify."""
    ref = os.path.join(work, 'sdstub257.efi')
    args = ['build', '--stub', H.debian_sdstub(ARCH, 'trixie'), '--linux', H.asset(ARCH, 'vmlinuz'),
            '--cmdline', cmdline, '--os-release', B.OSREL.decode(), '--devicetree', dtb, '--output', ref]
    for i in F.dt_initrd(work, ARCH):
        args += ['--initrd', i]
    H.run(H.ukify_command('trixie') + args)
    return ref


def boot_both(name, work, files, cmdline, want_cmdline, uki_dtb, want_prop, log_dir, extra=()):
    """Our UKI (.cmdline cmdline, .dtb uki_dtb), then sd-stub 257's on the same ESP: both kernels
    must get want_cmdline, show want_prop as the device tree's zboot-dtb-test and run without
    ACPI."""
    files['EFI/BOOT/BOOTAA64.EFI'] = F.build_uki(work, name, ARCH, cmdline, F.dt_initrd(work, ARCH),
                                                 ['--devicetree', uki_dtb])
    check, result = B.boot_and_check(name, ARCH, files, want_cmdline, log_dir, extra=list(extra))
    if result.reached_marker:
        check.eq(result['DT_PROP'], want_prop, 'the add-on\'s property in the kernel\'s device tree')
        check.eq(result['ACPI'], '0', 'the kernel runs on the device tree, not ACPI')
    files['EFI/BOOT/BOOTAA64.EFI'] = ref_uki(work, cmdline, uki_dtb)
    rcheck, rresult = B.boot_and_check(name + '-sdstub257', ARCH, files, want_cmdline, log_dir, extra=list(extra))
    for f in rcheck.failures:
        check.true(False, 'sd-stub 257 reference: ' + f)
    if rresult.reached_marker:
        check.eq(rresult['DT_PROP'], want_prop, 'sd-stub 257: the same device tree')
    return check, result


@case
def stub_arm64_addon_dtb(log_dir):
    """The UKI has a .dtb; a global add-on (with a .cmdline too) and a per-UKI add-on each carry
    another .dtb (QEMU virt's own device tree for this machine with a different root property):
    both are installed in that order, the per-UKI one last, and it is the kernel's device tree."""
    name = 'stub-arm64-addon-dtb'
    cmdline = H.default_cmdline(ARCH, name + ' zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        dts = F.qemu_virt_dts(work)
        uki_dtb = F.make_dtb(work, 'uki', dts, 'from-the-uki')
        files = {
            'loader/addons/g.addon.efi': addon(work, 'g.efi', '--cmdline', 'g=1', '--devicetree',
                                               F.make_dtb(work, 'global', dts, 'from-the-global-addon')),
            OWN + 'u.addon.efi': addon(work, 'u.efi', '--devicetree', F.make_dtb(work, 'own', dts, 'from-the-uki-addon')),
        }
        check, result = boot_both(name, work, files, cmdline, cmdline + ' g=1', uki_dtb, 'from-the-uki-addon', log_dir)
        for w in ('installed the device tree from .dtb', 'add-on g.addon.efi: installed its device tree from .dtb',
                  'add-on u.addon.efi: installed its device tree from .dtb'):
            check.true(w in result.log, 'our stub did not log "%s"' % w)
        check.true(result.log.find('g.addon.efi: installed') < result.log.find('u.addon.efi: installed'),
                   'the global add-on\'s device tree was not installed before the per-UKI one\'s')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def stub_arm64_addon_dtbauto(log_dir):
    """QEMU virt with ACPI tables (no firmware device tree) and SMBIOS type 1/2 fields. Per-UKI
    add-on a-match: a .dtb, two .dtbauto and a .hwids whose entry for this machine's
    HardwareID-3 names the second .dtbauto's compatible: that .dtbauto is its device tree.
    Per-UKI add-on b-nomatch, installed after it if it had a device tree: a .cmdline and a
    .dtbauto that its .hwids gives to another machine only: its command line arrives, its
    .dtbauto is not used. The kernel's device tree is a-match's .dtbauto."""
    name = 'stub-arm64-addon-dtbauto'
    cmdline = H.default_cmdline(ARCH, name + ' zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        chid3, _ = F.machine_chids()
        hw = os.path.join(work, 'hwids')
        os.makedirs(hw)
        with open(os.path.join(hw, 'this.json'), 'w') as f:
            json.dump({'name': 'Zboot test machine', 'compatible': 'zboot,hwids-machine', 'hwids': [chid3]}, f)
        other_hw = os.path.join(work, 'hwids-other')
        os.makedirs(other_hw)
        with open(os.path.join(other_hw, 'other.json'), 'w') as f:
            json.dump({'name': 'Other machine', 'compatible': 'zboot,other-machine',
                       'hwids': ['9a3d1f3c-2a77-5a43-9e1a-6c3f3c2b1a00']}, f)
        dts = F.qemu_virt_dts(work)
        uki_dtb = F.make_dtb(work, 'uki', dts, 'from-the-uki')
        files = {
            OWN + 'a-match.addon.efi': addon(
                work, 'a.efi', '--devicetree', F.make_dtb(work, 'a-plain', dts, 'addon-plain-dtb'),
                '--devicetree-auto', F.make_dtb(work, 'a-other', dts, 'addon-other-model', compatible='zboot,other-machine'),
                '--devicetree-auto', F.make_dtb(work, 'a-match', dts, 'addon-dtbauto-by-hwids',
                                                compatible='zboot,hwids-machine'),
                '--hwids', hw),
            OWN + 'b-nomatch.addon.efi': addon(
                work, 'b.efi', '--cmdline', 'nomatch=1',
                '--devicetree-auto', F.make_dtb(work, 'b-other', dts, 'addon-not-this-machine',
                                                compatible='zboot,other-machine'),
                '--hwids', other_hw),
        }
        extra = F.machine_smbios_args()
        check, result = boot_both(name, work, files, cmdline, cmdline + ' nomatch=1', uki_dtb, 'addon-dtbauto-by-hwids',
                                  log_dir, extra)
        for w in ('add-on a-match.addon.efi: installed its device tree from .dtbauto',
                  'add-on b-nomatch.addon.efi: used ( .cmdline)'):
            check.true(w in result.log, 'our stub did not log "%s"' % w)
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def tiny_dtb(work, name, value):
    src, out = os.path.join(work, name + '.dts'), os.path.join(work, name + '.dtb')
    with open(src, 'w') as f:
        f.write('/dts-v1/;\n/ {\n\tcompatible = "zboot,x86-test";\n\tzboot-dtb-test = "%s";\n};\n' % value)
    H.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', out, src])
    return out


@case
def stub_x86_addon_dtb_pcr12(log_dir):
    """x86, started by the firmware, with a TPM: a global add-on with a .cmdline and a per-UKI
    add-on with a .dtb. PCR 12 must be the add-ons' command line (UTF-16 with its NUL), then
    the add-on's device tree bytes (sd-stub 257's tagged event), recomputed here; the same ESP
    with Debian 13's sd-stub 257 gives the same PCR 12 and command line."""
    arch, name = 'x86_64', 'stub-x86-addon-dtb-pcr12'
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        dtb = tiny_dtb(work, 'x86', 'from-the-addon')
        files = {
            'loader/addons/g.addon.efi': addon_x64(work, 'g.efi', '--cmdline', 'g=1'),
            'EFI/BOOT/BOOTX64.EFI.extra.d/d.addon.efi': addon_x64(work, 'd.efi', '--devicetree', dtb),
        }
        want = cmdline + ' g=1'
        pcr12 = T.extend(T.extend(T.ZERO_PCR, T.utf16z('g=1')), open(dtb, 'rb').read())
        files['EFI/BOOT/BOOTX64.EFI'] = F.build_uki(work, name, arch, cmdline)
        check, result, pcrs = T.tpm_boot(name, arch, files, want, log_dir)
        check.eq(pcrs.get(12), pcr12, 'PCR 12: the add-ons\' command line, then the add-on\'s device tree')
        check.true('add-on d.addon.efi: installed its device tree from .dtb' in result.log,
                   'our stub did not log the add-on\'s device tree')
        ref = os.path.join(work, 'sdstub257.efi')
        H.run(H.ukify_command('trixie') + [
            'build', '--stub', H.debian_sdstub(arch, 'trixie'), '--linux', H.asset(arch, 'vmlinuz'),
            '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--cmdline', cmdline, '--os-release', B.OSREL.decode(),
            '--output', ref])
        files['EFI/BOOT/BOOTX64.EFI'] = ref
        rcheck, rresult, rpcrs = T.tpm_boot(name + '-sdstub257', arch, files, want, log_dir)
        for f in rcheck.failures:
            check.true(False, 'sd-stub 257 reference: ' + f)
        check.eq(rpcrs.get(12), pcr12, 'sd-stub 257: PCR 12')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def addon_x64(work, name, *args):
    out = os.path.join(work, name)
    B.ukify('build', '--efi-arch', 'x64', '-o', out, *args)
    return out


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
