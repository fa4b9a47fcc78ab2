#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Multi-profile UKIs (docs/stub.md "Profiles"): a UKI with two profiles whose .cmdline differ,
started by Debian 13's sd-boot 257 through the menu entry it makes for profile 1 (loader.conf
`default FILE.efi@ID`, sd-boot's entry id for a profile with ID= in its .profile: it then passes
"@1" as LoadOptions). The kernel must see profile 1's command line, StubProfile must read "1"
(efivarfs, as test/stub/stub_test.py), and with a TPM PCR 11 must equal the per-profile
prediction of `ukify-zboot build --measure` / `inspect --json` and an independent reference
computed here; PCR 12 must hold sd-boot's "@1" and the stub's profile event ("1").
The same is checked for the same kind of UKI made by Debian 13's ukify with sd-stub 257
(--profile/--join-profile): that proves the prediction against the stock stub.
Usage: profile_test.py CASE [--log-dir DIR]
"""

import json
import os
import shutil
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from stub_common import B, H, T, init_with_lines  # noqa: E402
import stub_test as S  # noqa: E402  (its GPT ESP and efivarfs.ko)

case = H.CaseTable()
VARIABLES = ('StubProfile', 'StubFeatures')
STUB_FEATURE_MULTI_PROFILE_UKI = 1 << 9

EFIVARS_LINES = S.efivars_lines(VARIABLES)


def overlay_initrd(work, arch):
    """An uncompressed cpio to put after the test initrd: efivarfs.ko and /init printing VARIABLES."""
    init = init_with_lines(arch, EFIVARS_LINES)
    return T.cpio(os.path.join(work, 'overlay.cpio'),
                  {'init': (init.encode(), 0o755), 'efivarfs.ko': (S.efivarfs_module(arch), 0o644)})


def profile_sections(path, profile):
    """Independent reference of sd-stub 257's profile rule: [(name, data)] that apply to profile:
    the base (before the first .profile) overridden name by name by the profile's own sections
    (its .profile up to the next); the first of a name wins in each part."""
    secs = T.pe_sections(path)
    starts = [i for i, (n, _) in enumerate(secs) if n == '.profile']
    base = secs[:starts[0]] if starts else secs
    if profile < len(starts):
        end = starts[profile + 1] if profile + 1 < len(starts) else len(secs)
        own = secs[starts[profile]:end]
    elif profile == 0:
        own = []
    else:
        raise H.HarnessError('%s has no profile %d' % (path, profile))
    eff = {}
    for part in (base, own):
        seen = set()
        for n, d in part:
            if n not in seen:
                eff[n] = d
                seen.add(n)
    return eff


def expected_pcr11(path, profile):
    eff = profile_sections(path, profile)
    pcr = T.ZERO_PCR
    for want in T.PCR11_SECTIONS:
        data = eff.get(want)
        if data:
            pcr = T.extend(pcr, want.encode() + b'\0')
            pcr = T.extend(pcr, data)
    return pcr


def inspect_pcr11(uki, profile):
    """What `ukify-zboot inspect --json` predicts for profile."""
    j = json.loads(B.ukify('inspect', '--json', uki))
    for p in j.get('profiles', []):
        if p.get('profile') == profile:
            return p.get('pcr11', {}).get('sha256')
    return None


def profile_text(pid, title):
    return 'ID=%s\nTITLE=%s\n' % (pid, title)


def check_profile_boot(check, result, pcrs, uki, cmdline1, ours, tpm=True):
    attrs, data = S.efivar(check, result, 'StubProfile')
    if data is not None:
        check.eq(attrs, S.ATTR_VOLATILE_BS_RT, 'StubProfile attributes (volatile, BS|RT)')
        check.eq(S.utf16(check, 'StubProfile', data), '1', 'StubProfile')
    if ours:
        attrs, data = S.efivar(check, result, 'StubFeatures')
        if data is not None and len(data) == 8:
            check.true(struct.unpack('<Q', data)[0] & STUB_FEATURE_MULTI_PROFILE_UKI,
                       'StubFeatures bit 9 (multi-profile UKI): got %r' % data.hex())
    if not tpm:
        return
    want11 = expected_pcr11(uki, 1)
    check.true(want11 != expected_pcr11(uki, 0), 'the two profiles must measure differently')
    check.eq(inspect_pcr11(uki, 1), want11, 'inspect --json profile 1 against the reference')
    check.eq(pcrs.get(11), want11, 'PCR 11 from the kernel (profile 1)')
    # sd-boot 257 measures the LoadOptions it passes ("@1"), the stub then the profile number
    want12 = T.extend(T.extend(T.ZERO_PCR, T.utf16z('@1')), T.utf16z('1'))
    check.eq(pcrs.get(12), want12, 'PCR 12: sd-boot\'s "@1", then the stub\'s profile event "1"')


@case
def stub_x86_profile_sdboot(log_dir):
    """Our 2-profile UKI (ukify-zboot build --profile / --join-profile), sd-boot 257's entry for
    profile 1, with a TPM."""
    arch, name = 'x86_64', 'stub-x86-profile-sdboot'
    cmdline0 = H.default_cmdline(arch, name + ' profile=zero')
    cmdline1 = H.default_cmdline(arch, name + ' profile=one zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        p1 = os.path.join(work, 'p1.efi')
        B.ukify('build', '--profile', profile_text('p1', 'Profile One'), '--cmdline', cmdline1, '-o', p1)
        uki = os.path.join(work, 'uki.efi')
        out = B.ukify('build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd',
                      '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--initrd', overlay_initrd(work, arch),
                      '--cmdline', cmdline0, '--os-release', B.OSREL.decode(),
                      '--profile', profile_text('p0', 'Profile Zero'), '--join-profile', p1, '--measure', '-o', uki)
        printed = dict(l.split('=', 1) for l in out.split('\n') if l.startswith('11'))
        files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch, 'trixie'),
                 'loader/loader.conf': H.loader_conf(default='uki.efi@p1'), 'EFI/Linux/uki.efi': uki}
        check, result, pcrs = T.tpm_boot(name, arch, files, cmdline1, log_dir)
        check.eq(printed.get('11:sha256'), expected_pcr11(uki, 0), 'build --measure, profile 0')
        check.eq(printed.get('11@1:sha256'), expected_pcr11(uki, 1), 'build --measure, profile 1')
        check_profile_boot(check, result, pcrs, uki, cmdline1, True)
        check.true('profile @1 selected' in result.log, 'our stub did not log the profile')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def stub_arm64_profile_sdboot(log_dir):
    """arm64 (the kernel's own EFI stub started by ours: the PE path): our 2-profile UKI through
    sd-boot 257's profile 1 entry. No TPM: Debian's arm64 kernel cannot see QEMU's
    (docs/security.md); the PCR 11 prediction is checked on x86."""
    arch, name = 'aarch64', 'stub-arm64-profile-sdboot'
    cmdline0 = H.default_cmdline(arch, name + ' profile=zero')
    cmdline1 = H.default_cmdline(arch, name + ' profile=one zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        p1 = os.path.join(work, 'p1.efi')
        B.ukify('build', '--profile', profile_text('p1', 'Profile One'), '--cmdline', cmdline1, '-o', p1)
        uki = os.path.join(work, 'uki.efi')
        B.ukify('build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd',
                '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--initrd', overlay_initrd(work, arch),
                '--cmdline', cmdline0, '--os-release', B.OSREL.decode(),
                '--profile', profile_text('p0', 'Profile Zero'), '--join-profile', p1, '-o', uki)
        files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(arch, 'trixie'),
                 'loader/loader.conf': H.loader_conf(default='uki.efi@p1'), 'EFI/Linux/uki.efi': uki}
        check, result = B.boot_and_check(name, arch, files, cmdline1, log_dir)
        check_profile_boot(check, result, {}, uki, cmdline1, True, tpm=False)
        check.true('profile @1 selected' in result.log, 'our stub did not log the profile')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def stub_x86_profile_sdstub257(log_dir):
    """The same kind of UKI made by Debian 13's ukify with Debian 13's sd-stub 257 (profile PE
    from its addon stub, joined with --join-profile): booted through sd-boot 257's profile 1
    entry, sd-stub 257's PCR 11 equals what `ukify-zboot inspect` predicts for profile 1."""
    arch, name = 'x86_64', 'stub-x86-profile-sdstub257'
    cmdline0 = H.default_cmdline(arch, name + ' profile=zero')
    cmdline1 = H.default_cmdline(arch, name + ' profile=one')
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        addon = H.need_file(os.path.join(H.CACHE, 'trixie', 'systemd-boot.pkg', 'usr', 'lib', 'systemd', 'boot',
                                         'efi', 'addon%s.efi.stub' % H.EFI_SUFFIX[arch]),
                            "Debian 13's addon stub (tools/fetch-test-assets)")
        ukify = H.ukify_command('trixie')
        p1 = os.path.join(work, 'p1.efi')
        H.run(ukify + ['build', '--stub', addon, '--profile', profile_text('p1', 'Profile One'),
                       '--cmdline', cmdline1, '--output', p1])
        osrel = os.path.join(work, 'os-release')
        with open(osrel, 'wb') as f:
            f.write(B.OSREL)
        uki = os.path.join(work, 'sdstub.efi')
        H.run(ukify + ['build', '--stub', H.debian_sdstub(arch, 'trixie'), '--linux', H.asset(arch, 'vmlinuz'),
                       '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--initrd', overlay_initrd(work, arch),
                       '--cmdline', cmdline0, '--os-release', '@' + osrel, '--uname', H.kernel_version(arch),
                       '--profile', profile_text('p0', 'Profile Zero'), '--join-profile', p1, '--output', uki])
        files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch, 'trixie'),
                 'loader/loader.conf': H.loader_conf(default='sdstub.efi@p1'), 'EFI/Linux/sdstub.efi': uki}
        check, result, pcrs = T.tpm_boot(name, arch, files, cmdline1, log_dir)
        check_profile_boot(check, result, pcrs, uki, cmdline1, False)
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
