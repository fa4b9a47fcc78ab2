#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""UKI add-ons (docs/stub.md "Add-ons"), checked in the booted kernel: global add-ons in
/loader/addons and this UKI's in <uki>.extra.d, made by `ukify-zboot build` without --linux.
Their .cmdline texts arrive in /proc/cmdline after the UKI's .cmdline, global ones first, each
directory in name order, one space apart (systemd-stub 257's order); an add-on .initrd is
passed after the UKI's initrd (its /extra-initrd file shows up); add-ons sd-stub refuses (one
with a .linux, one whose .uname differs from the UKI's, a file without the .addon.efi suffix)
leave no trace. With a TPM, PCR 12 must be the add-on command line (UTF-16 with its NUL,
measured as one event) followed by the .initrd add-on, recomputed here. Under Secure Boot an
unsigned add-on is refused by the firmware's LoadImage and a signed one is used; behind shim, an
add-on signed with shim's vendor key only is used through shim's verification. Each case also
boots the same ESP with a UKI of Debian 13's sd-stub 257 (made by Debian 13's ukify) and
requires the same command line (and the same PCR 12).
Usage: addon_test.py CASE [--log-dir DIR]
"""

import os
import shutil
import sys
import tempfile

from stub_common import B, H, T

case = H.CaseTable()
UNAME = '6.1.0-zboot-addon-test'


def secureboot_esp(work, uki, key, cert):
    """Signed Debian 13 sd-boot starting the (signed) UKI as a Type #2 entry (x86)."""
    sdboot = T.sign(H.debian_sdboot('x86_64', 'trixie'), os.path.join(work, 'sdboot.signed.efi'), key, cert)
    return {'EFI/BOOT/BOOTX64.EFI': sdboot, 'loader/loader.conf': H.loader_conf(), 'EFI/Linux/uki.efi': uki}


def addon(work, name, *args, sign=None):
    out = os.path.join(work, name)
    a = ['build', '-o', out] + list(args)
    if sign:
        a += ['--secureboot-private-key', sign[0], '--secureboot-certificate', sign[1]]
    B.ukify(*a)
    return out


def our_uki(work, arch, cmdline, sign=None):
    uki = os.path.join(work, 'ours.efi')
    a = ['build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--cmdline', cmdline, '--uname', UNAME,
         '--os-release', B.OSREL.decode(), '--initrd', H.asset(arch, 'initrd.cpio.gz'), '-o', uki]
    if sign:
        a += ['--secureboot-private-key', sign[0], '--secureboot-certificate', sign[1]]
    B.ukify(*a)
    return uki


def ref_uki(work, arch, cmdline, sign=None):
    """The same sections with Debian 13's sd-stub 257, made by Debian 13's ukify."""
    uki = os.path.join(work, 'sdstub257.efi')
    a = ['build', '--stub', H.debian_sdstub(arch, 'trixie'), '--linux', H.asset(arch, 'vmlinuz'),
         '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--cmdline', cmdline, '--uname', UNAME,
         '--os-release', B.OSREL.decode(), '--output', uki]
    if sign:
        a += ['--secureboot-private-key', sign[0], '--secureboot-certificate', sign[1], '--signtool', 'sbsign']
    H.run(H.ukify_command('trixie') + a)
    return uki


@case
def stub_x86_addon_cmdline(log_dir):
    """Direct firmware boot (no boot manager, no LoadOptions), with a TPM."""
    arch, name = 'x86_64', 'stub-x86-addon-cmdline'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        initrd = T.cpio(os.path.join(work, 'addon-initrd.cpio'), {'extra-initrd': (b'addon', 0o644)})
        initrd_blob = open(initrd, 'rb').read()
        uki_dir = 'EFI/BOOT/BOOTX64.EFI.extra.d/'
        files = {
            # global: sorted by name, so a-... before b-... whatever the directory order
            'loader/addons/b-second.addon.efi': addon(work, 'g2.efi', '--cmdline', 'g2=1'),
            'loader/addons/a-first.addon.efi': addon(work, 'g1.efi', '--cmdline', ' g1=1\tx '),
            # refused: a .linux makes it a UKI; a .uname that is not the UKI's; not *.addon.efi
            'loader/addons/c-uki.addon.efi': addon(work, 'uki-like.efi', '--cmdline', 'bad_linux=1',
                                                   '--section', '.linux:not a kernel'),
            'loader/addons/d-uname.addon.efi': addon(work, 'uname.efi', '--cmdline', 'bad_uname=1',
                                                     '--uname', '6.12.0-other'),
            'loader/addons/e-suffix.efi': addon(work, 'suffix.efi', '--cmdline', 'bad_suffix=1'),
            # the UKI's own, after the global ones; one with the UKI's .uname and an initrd
            uki_dir + 'a-uki.addon.efi': addon(work, 'u1.efi', '--cmdline', 'u1=1', '--uname', UNAME,
                                               '--initrd', initrd),
        }
        want_addons = 'g1=1 x g2=1 u1=1'
        want = cmdline + ' ' + want_addons
        pcr12 = T.extend(T.extend(T.ZERO_PCR, T.utf16z(want_addons)), initrd_blob)

        files['EFI/BOOT/BOOTX64.EFI'] = our_uki(work, arch, cmdline)
        check, result, pcrs = T.tpm_boot(name, arch, files, want, log_dir)
        check.eq(result.observables.get('EXTRA_INITRD') if result.observables else None, 'addon',
                 'the .initrd add-on reached the kernel')
        check.eq(pcrs.get(12), pcr12, 'PCR 12: the add-ons\' command line, then the .initrd add-on')
        for w in ('c-uki.addon.efi: it has a .linux', 'd-uname.addon.efi: its .uname does not match'):
            check.true(w in result.log, 'our stub did not log "%s"' % w)

        files['EFI/BOOT/BOOTX64.EFI'] = ref_uki(work, arch, cmdline)
        rcheck, rresult, rpcrs = T.tpm_boot(name + '-sdstub257', arch, files, want, log_dir)
        for f in rcheck.failures:
            check.true(False, 'sd-stub 257 reference: ' + f)
        check.eq(rresult.observables.get('EXTRA_INITRD') if rresult.observables else None, 'addon',
                 'sd-stub 257: the .initrd add-on reached the kernel')
        check.eq(rpcrs.get(12), pcr12, 'sd-stub 257: PCR 12')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def stub_x86_addon_secureboot(log_dir):
    """Secure Boot (Debian 13's snakeoil OVMF; sd-boot, the UKI and one add-on signed with its
    key): the signed global add-on's command line arrives, the unsigned per-UKI add-on is
    refused by the firmware and its command line is absent."""
    arch, name = 'x86_64', 'stub-x86-addon-secureboot'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        key, cert = T.snakeoil_key(work, 'trixie')
        addons = {
            'loader/addons/signed.addon.efi': addon(work, 'signed.efi', '--cmdline', 'signed_addon=1',
                                                    sign=(key, cert)),
            'EFI/Linux/uki.efi.extra.d/unsigned.addon.efi': addon(work, 'unsigned.efi', '--cmdline',
                                                                  'unsigned_addon=1'),
        }
        want = cmdline + ' signed_addon=1'
        files = dict(secureboot_esp(work, our_uki(work, arch, cmdline, sign=(key, cert)), key, cert), **addons)
        check, result = B.boot_and_check(name, arch, files, want, log_dir, firmware='trixie-secureboot')
        T.check_lockdown(check, result)
        check.true('unsigned.addon.efi: refused by the firmware' in result.log,
                   'our stub did not log the refused unsigned add-on')

        files = dict(secureboot_esp(work, ref_uki(work, arch, cmdline, sign=(key, cert)), key, cert),
                     **addons)
        rcheck, rresult = B.boot_and_check(name + '-sdstub257', arch, files, want, log_dir,
                                           firmware='trixie-secureboot')
        for f in rcheck.failures:
            check.true(False, 'sd-stub 257 reference: ' + f)
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def secureboot_pair(work, arch, name, cmdline, base, want, log_dir, key, cert):
    """Boot the ESP base with our UKI, then with sd-stub 257's of the same sections, both signed
    with key/cert, under trixie-secureboot at \\EFI\\Linux\\uki.efi: ours must reach the kernel with
    command line want, locked down, and so must the reference (its failures are added to ours).
    Returns our boot's check and result."""
    files = dict(base, **{'EFI/Linux/uki.efi': our_uki(work, arch, cmdline, sign=(key, cert))})
    check, result = B.boot_and_check(name, arch, files, want, log_dir, firmware='trixie-secureboot')
    T.check_lockdown(check, result)
    files = dict(base, **{'EFI/Linux/uki.efi': ref_uki(work, arch, cmdline, sign=(key, cert))})
    rcheck, _ = B.boot_and_check(name + '-sdstub257', arch, files, want, log_dir, firmware='trixie-secureboot')
    for f in rcheck.failures:
        check.true(False, 'sd-stub 257 reference: ' + f)
    return check, result


@case
def stub_x86_addon_shim(log_dir):
    """Secure Boot behind shim, as distributions boot: the firmware starts Debian 13's shim
    (snakeoil-signed, with a test vendor certificate that is not in db), shim starts sd-boot 257,
    sd-boot the UKI (both snakeoil-signed). shim 16 puts its own LoadImage in the firmware's
    place, which verifies (db, MokList, its vendor certificate) and loads images itself: an
    add-on signed with the vendor key only (not in db) is taken, so its command line arrives, if
    shim's loader accepts our add-on format (an entry point in .text); one signed with a third
    key is refused. The same ESP with sd-stub 257 must give the same command line."""
    arch, name = 'x86_64', 'stub-x86-addon-shim'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        key, cert = T.snakeoil_key(work, 'trixie')
        vkey, vpem, vder = T.test_key(work, 'vendor')
        okey, opem, _ = T.test_key(work, 'other')
        sdboot = T.sign(H.debian_sdboot(arch, 'trixie'), os.path.join(work, 'sdboot.signed.efi'), key, cert)
        base = {
            'EFI/BOOT/BOOTX64.EFI': T.shim_with_vendor_cert(work, vder, key, cert),
            'EFI/BOOT/grubx64.efi': sdboot,     # shim's second stage
            'loader/loader.conf': H.loader_conf(),
            'loader/addons/vendor.addon.efi': addon(work, 'vendor.efi', '--cmdline', 'vendor_addon=1',
                                                    sign=(vkey, vpem)),
            'EFI/Linux/uki.efi.extra.d/other.addon.efi': addon(work, 'other.efi', '--cmdline', 'other_addon=1',
                                                                 sign=(okey, opem)),
        }
        check, result = secureboot_pair(work, arch, name, cmdline, base, cmdline + ' vendor_addon=1', log_dir, key, cert)
        check.true("other.addon.efi: refused by shim's or the firmware's Secure Boot verification" in result.log,
                   'our stub did not log the refused add-on (shim 16 decides alone: our hook is not asked)')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def stub_x86_addon_shim15(log_dir):
    """Secure Boot behind a shim that hooks nothing, as shim before 16: test/efi/shim-mock (signed
    with the snakeoil key) installs SHIM_LOCK and starts sd-boot 257, which starts the UKI. The
    add-ons are unsigned: the firmware refuses both, so the one the mock's Verify accepts (it
    carries "shim-mock-accepts") arrives only if the stub asks shim through the firmware's
    security protocols while it loads it (src/boot/zboot/shim.c); the other stays refused. The
    same ESP with sd-stub 257, which asks shim the same way, must agree."""
    arch, name = 'x86_64', 'stub-x86-addon-shim15'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        key, cert = T.snakeoil_key(work, 'trixie')
        base = {
            'EFI/BOOT/BOOTX64.EFI': T.sign(B.test_efi('shim-mock', arch), os.path.join(work, 'shim-mock.efi'), key, cert),
            'EFI/BOOT/grubx64.efi': T.sign(H.debian_sdboot(arch, 'trixie'), os.path.join(work, 'sdboot.efi'), key, cert),
            'loader/loader.conf': H.loader_conf(),
            'loader/addons/mock.addon.efi': addon(work, 'mock.efi', '--cmdline', 'shim-mock-accepts'),
            # (a longer command line: a file size of its own, to tell the mock's two answers apart)
            'EFI/Linux/uki.efi.extra.d/plain.addon.efi': addon(work, 'plain.efi', '--cmdline', 'plain_addon=' + 'x' * 600),
        }
        sizes = {k: os.path.getsize(base[k]) for k in ('loader/addons/mock.addon.efi',
                                                        'EFI/Linux/uki.efi.extra.d/plain.addon.efi')}
        check, result = secureboot_pair(work, arch, name, cmdline, base, cmdline + ' shim-mock-accepts', log_dir, key,
                                         cert)
        check.true('shim-mock: installed' in result.log and 'shim-mock: starting the next stage' in result.log,
                   'the shim mock did not install SHIM_LOCK and start sd-boot')
        check.true(len(set(sizes.values())) == 2, 'the two add-ons differ in size: %s' % sizes)
        check.true('shim-mock: verify %d bytes: accepted' % sizes['loader/addons/mock.addon.efi'] in result.log,
                   'the shim mock was not asked about the add-on it accepts (the whole file)')
        check.true('shim-mock: verify %d bytes: refused' % sizes['EFI/Linux/uki.efi.extra.d/plain.addon.efi']
                   in result.log, 'the shim mock was not asked about the other add-on')
        check.true("plain.addon.efi: refused by shim's and the firmware's Secure Boot verification" in result.log,
                   'our stub did not log the add-on both refused')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def stub_x86_addon_ucode(log_dir):
    """Two .ucode add-ons in the UKI's directory, each a cpio with /extra-initrd: sd-stub 257
    puts them in front of the whole initrd in reverse name order (the kernel takes the first
    microcode, so the last add-on wins there), so of the two files the first add-on's is
    unpacked last and wins. PCR 12 gets them in that order too (TPM); sd-stub 257 on the same
    ESP must agree."""
    arch, name = 'x86_64', 'stub-x86-addon-ucode'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        u1 = T.cpio(os.path.join(work, 'u1.cpio'), {'extra-initrd': (b'first', 0o644)})
        u2 = T.cpio(os.path.join(work, 'u2.cpio'), {'extra-initrd': (b'second', 0o644)})
        files = {
            'EFI/BOOT/BOOTX64.EFI.extra.d/1.addon.efi': addon(work, '1.efi', '--microcode', u1),
            'EFI/BOOT/BOOTX64.EFI.extra.d/2.addon.efi': addon(work, '2.efi', '--microcode', u2),
        }
        pcr12 = T.extend(T.extend(T.ZERO_PCR, open(u2, 'rb').read()), open(u1, 'rb').read())
        results = []
        for tag, uki in (('', our_uki(work, arch, cmdline)), ('-sdstub257', ref_uki(work, arch, cmdline))):
            files['EFI/BOOT/BOOTX64.EFI'] = uki
            check, result, pcrs = T.tpm_boot(name + tag, arch, files, cmdline, log_dir)
            check.eq(result.observables.get('EXTRA_INITRD') if result.observables else None, 'first',
                     'the first .ucode add-on unpacked last')
            check.eq(pcrs.get(12), pcr12, 'PCR 12: the .ucode add-ons, last one first')
            results.append((check, result))
        (check, result), (rcheck, _) = results
        for f in rcheck.failures:
            check.true(False, 'sd-stub 257 reference: ' + f)
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def stub_arm64_addon_cmdline(log_dir):
    """arm64 (the PE path: the kernel's own EFI stub runs), started by the firmware: a global and
    a per-UKI add-on made with --efi-arch aa64; their command lines arrive in order, an add-on
    for the other architecture (x64) is refused by the firmware's LoadImage."""
    arch, name = 'aarch64', 'stub-arm64-addon-cmdline'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        files = {
            'loader/addons/g.addon.efi': addon(work, 'g.efi', '--efi-arch', 'aa64', '--cmdline', 'g=1'),
            'loader/addons/h-x64.addon.efi': addon(work, 'x.efi', '--efi-arch', 'x64', '--cmdline', 'wrong_arch=1'),
            'EFI/BOOT/BOOTAA64.EFI.extra.d/u.addon.efi': addon(work, 'u.efi', '--efi-arch', 'aa64', '--cmdline', 'u=1'),
            'EFI/BOOT/BOOTAA64.EFI': our_uki(work, arch, cmdline),
        }
        check, result = B.boot_and_check(name, arch, files, cmdline + ' g=1 u=1', log_dir)
        check.true('h-x64.addon.efi: the firmware cannot load it' in result.log,
                   'our stub did not log the x64 add-on as not loadable')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
