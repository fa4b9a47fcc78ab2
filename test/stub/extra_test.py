#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sd-stub parity, the initrd side: .ucode first in the initrd, side-loaded credentials,
system and configuration extensions under /.extra (257's, and the global extensions from
\loader\extensions that sd-stub 258 added), and the sections passed as /.extra files
(.pcrsig, .pcrpkey, .osrel), checked in the booted system.

The test appends to the test initrd an uncompressed cpio whose /init is the test initrd's own
plus lines that list /.extra (mode, path, sha256 of each file) and, with `retain_initrd` on
the command line (Linux >= 6.7 keeps the initrd as /sys/firmware/initrd), print the size,
sha256 and first bytes of the initrd exactly as the kernel got it. The expected initrd is
computed here, independently of the stub: sd-stub's order (.ucode, .initrd, credentials,
global credentials, system extensions, global system extensions (258), configuration
extensions, global configuration extensions (258), .pcrsig, .pcrpkey, .osrel),
each part padded to 4 bytes, the generated parts as newc archives laid out as sd-stub lays
them out. PCR 13 (only the system extension archives go there) is recomputed from those
archives. The differentials: the same ESP under Debian 13's sd-stub 257 (which ignores
\loader\extensions) and under the development suite's sd-stub 262 (which takes them).
Debian 13's kernels are used for /sys/firmware/initrd.
Usage: extra_test.py CASE [--log-dir DIR]
"""

import hashlib
import os
import re
import sys

from stub_common import B, H, T, init_with_lines

case = H.CaseTable()
SUITE = 'trixie'   # Linux 6.12: /sys/firmware/initrd with retain_initrd

EXTRA_LINES = r'''
# --- extra_test.py: what the stub put under /.extra, and the initrd as the kernel got it
i=0
for f in $($B find /.extra 2>/dev/null | $B sort); do
        i=$((i+1))
        s=-
        [ -f "$f" ] && s=$($B sha256sum "$f" | $B cut -d' ' -f1)
        echo "EXTRA_$i=$($B stat -c '%a' "$f") $f $s"
done
echo "EXTRA_COUNT=$i"
u=/kernel/x86/microcode/GenuineIntel.bin
[ -f $u ] && echo "UCODE_FILE=$($B sha256sum $u | $B cut -d' ' -f1)"
if [ -r /sys/firmware/initrd ]; then
        echo "INITRD_SIZE=$($B stat -c %s /sys/firmware/initrd)"
        echo "INITRD_SHA256=$($B sha256sum /sys/firmware/initrd | $B cut -d' ' -f1)"
        echo "INITRD_HEAD=$($B head -c 256 /sys/firmware/initrd | $B od -An -v -tx1 | $B tr -d ' \n')"
fi
'''

# ---- newc archives as systemd-stub 257 writes them (an independent writer) ----------------


newc, dir_entries, pad4 = H.newc, H.newc_dirs, H.pad4


def sidecar(target, dmode, fmode, files):
    """The archive of {name: data}, names sorted (byte order), or None for no files."""
    if not files:
        return None
    return newc(dir_entries(target, dmode) + [(target + '/' + n, 0o100000 | fmode, files[n])
                                              for n in sorted(files)])


literal = H.extra_file_cpio


# ---- what the tests put on the ESP and into the UKI --------------------------------------

UCODE_BIN = b'fake microcode for the ordering test\n' * 3
CRED = b'credential from the per-UKI directory\n'
GCRED = b'global credential\n'
SYSEXT = b'sysext image bytes (not a real image: only where it lands matters)' * 20 + b'x'
PLAIN_RAW = b'a *.raw image is a system extension too (257 compat)\n'
CONFEXT = b'confext image bytes' * 7
PCRSIG = b'{"sha256":[{"pcrs":[11],"pkfp":"00","pol":"00","sig":"00"}]}\n'
PCRPKEY = b'-----BEGIN PUBLIC KEY-----\nnot a real key, carried as it is\n-----END PUBLIC KEY-----\n'

# per-UKI drop-ins: what is taken and what must be left out
DROPINS = {
    'a.cred': CRED,
    'UPPER.CRED': b'suffixes match without case\n',
    '.hidden.cred': b'never: names starting with a dot are skipped\n',
    'notes.txt': b'never: no known suffix\n',
    'x.sysext.raw': SYSEXT,
    'plain.raw': PLAIN_RAW,
    'y.confext.raw': CONFEXT,
}
GLOBAL = {'g.cred': GCRED, 'other.txt': b'never\n'}
# \loader\extensions (sd-stub 258): *.raw but *.confext.raw are system extensions, *.confext.raw
# configuration extensions
GSYSEXT = b'global sysext image' * 9
GPLAIN = b'a global *.raw is a system extension too\n'
GCONFEXT = b'global confext image' * 5
GLOBAL_EXT = {
    'gs.sysext.raw': GSYSEXT,
    'gplain.raw': GPLAIN,
    'gc.confext.raw': GCONFEXT,
    '.hidden.raw': b'never: names starting with a dot are skipped\n',
    'notes.txt': b'never: no known suffix\n',
}


def microcode_cpio(log_dir, name):
    return T.cpio(os.path.join(log_dir, name + '.ucode.cpio'),
                  {'kernel/x86/microcode/GenuineIntel.bin': (UCODE_BIN, 0o644)})


def test_initrd(log_dir, name, arch):
    """The test initrd + an uncompressed cpio with /init = its own + EXTRA_LINES."""
    base = H.asset(arch, 'initrd.cpio.gz')
    init = init_with_lines(arch, EXTRA_LINES)
    overlay = T.cpio(os.path.join(log_dir, name + '.overlay.cpio'), {'init': (init.encode(), 0o755)})
    return [base, overlay]


def build_uki(log_dir, name, arch, cmdline, initrds, ucode):
    uki = os.path.join(log_dir, name + '.efi')
    files = {}
    for key, data in (('osrel', B.OSREL), ('pcrsig', PCRSIG), ('pcrpkey', PCRPKEY)):
        files[key] = os.path.join(log_dir, '%s.%s' % (name, key))
        with open(files[key], 'wb') as f:
            f.write(data)
    args = ['build', '--linux', H.asset(arch, 'vmlinuz', SUITE), '--zboot=zstd', '--cmdline', cmdline,
            '--os-release', '@' + files['osrel'], '--pcrpkey', files['pcrpkey'],
            '--section', '.pcrsig:@' + files['pcrsig'], '--microcode', ucode, '-o', uki]
    for i in initrds:
        args += ['--initrd', i]
    B.ukify(*args)
    for p in files.values():
        os.unlink(p)
    return uki


def expected(initrds, ucode, global_ext=True):
    """(the initrd the kernel must get in sd-stub's order, {kind: archive}); global_ext: with
    the global extensions (258), else as sd-stub 257, which does not read them."""
    def rd(p):
        with open(p, 'rb') as f:
            return f.read()
    dot_initrd = b''
    for p in initrds:   # `build --initrd` concatenates, padding each to 4 bytes
        dot_initrd = pad4(dot_initrd) + rd(p)
    take = {n: d for n, d in DROPINS.items() if not n.startswith('.')}
    sysext = sidecar('.extra/sysext', 0o555, 0o444,
                     {n: d for n, d in take.items() if n.lower().endswith('.raw') and
                      not n.lower().endswith('.confext.raw')})
    arc = {
        'cred': sidecar('.extra/credentials', 0o500, 0o400, {n: d for n, d in take.items() if n.lower().endswith('.cred')}),
        'gcred': sidecar('.extra/global_credentials', 0o500, 0o400, {'g.cred': GCRED}),
        'sysext': sysext,
        'confext': sidecar('.extra/confext', 0o555, 0o444,
                           {n: d for n, d in take.items() if n.lower().endswith('.confext.raw')}),
        'gsysext': None, 'gconfext': None,
    }
    if global_ext:
        gtake = {n: d for n, d in GLOBAL_EXT.items() if not n.startswith('.')}
        arc['gsysext'] = sidecar('.extra/global_sysext', 0o555, 0o444,
                                 {n: d for n, d in gtake.items() if n.endswith('.raw') and not n.endswith('.confext.raw')})
        arc['gconfext'] = sidecar('.extra/global_confext', 0o555, 0o444,
                                  {n: d for n, d in gtake.items() if n.endswith('.confext.raw')})
    parts = [rd(ucode), dot_initrd, arc['cred'], arc['gcred'], arc['sysext'], arc['gsysext'], arc['confext'],
             arc['gconfext'],
             literal('tpm2-pcr-signature.json', PCRSIG), literal('tpm2-pcr-public-key.pem', PCRPKEY),
             literal('os-release', B.OSREL)]
    return b''.join(pad4(p) for p in parts if p), arc


def sha(b):
    return hashlib.sha256(b).hexdigest()


def pcr_extend(*datas):
    """A sha256 PCR after one event per data (the digest of that data), from zero; None data
    (an archive with no files) is no event."""
    v = b'\0' * 32
    for d in datas:
        if d is not None:
            v = hashlib.sha256(v + hashlib.sha256(d).digest()).digest()
    return v.hex()


def check_pcrs(check, result, arc):
    """PCR 13: the system extension archives; PCR 12: credentials, global credentials,
    configuration extensions, global configuration extensions (sd-boot passes a Type #2 UKI no
    LoadOptions, so nothing else), each archive one event, in that order."""
    pcr = H.parse_pcrs(result)
    check.eq(pcr.get(13), pcr_extend(arc['sysext'], arc['gsysext']),
             'PCR 13 = the system extension archive, then the global one (if any)')
    check.eq(pcr.get(12), pcr_extend(arc['cred'], arc['gcred'], arc['confext'], arc['gconfext']),
             'PCR 12 = the credential, global credential, confext and global confext archives, in that order')


# what /.extra must hold: path -> (mode, sha256 or '-'); WANT_EXTRA_257 without the global
# extensions sd-stub 258 added
WANT_EXTRA_257 = {
    '/.extra': ('555', '-'),
    '/.extra/credentials': ('500', '-'),
    '/.extra/credentials/a.cred': ('400', sha(CRED)),
    '/.extra/credentials/UPPER.CRED': ('400', sha(DROPINS['UPPER.CRED'])),
    '/.extra/global_credentials': ('500', '-'),
    '/.extra/global_credentials/g.cred': ('400', sha(GCRED)),
    '/.extra/sysext': ('555', '-'),
    '/.extra/sysext/x.sysext.raw': ('444', sha(SYSEXT)),
    '/.extra/sysext/plain.raw': ('444', sha(PLAIN_RAW)),
    '/.extra/confext': ('555', '-'),
    '/.extra/confext/y.confext.raw': ('444', sha(CONFEXT)),
    '/.extra/tpm2-pcr-signature.json': ('444', sha(PCRSIG)),
    '/.extra/tpm2-pcr-public-key.pem': ('444', sha(PCRPKEY)),
    '/.extra/os-release': ('444', sha(B.OSREL)),
}
WANT_EXTRA = dict(WANT_EXTRA_257, **{
    '/.extra/global_sysext': ('555', '-'),
    '/.extra/global_sysext/gs.sysext.raw': ('444', sha(GSYSEXT)),
    '/.extra/global_sysext/gplain.raw': ('444', sha(GPLAIN)),
    '/.extra/global_confext': ('555', '-'),
    '/.extra/global_confext/gc.confext.raw': ('444', sha(GCONFEXT)),
})


def check_extra(check, result, want=WANT_EXTRA, allow=()):
    got = {}
    try:
        count = int(result['EXTRA_COUNT'])
    except (KeyError, ValueError, TypeError):
        check.true(False, 'the initrd printed no EXTRA_COUNT')
        return
    for i in range(1, count + 1):
        parts = (result['EXTRA_%d' % i] or '').split()
        if len(parts) == 3:
            got[parts[1]] = (parts[0], parts[2])
    for path, (mode, digest) in sorted(want.items()):
        check.eq(got.get(path), (mode, digest), '%s (mode, sha256)' % path)
    extra = sorted(set(got) - set(want) - set(allow))
    check.true(not extra, 'nothing else under /.extra (got %s)' % extra)


def check_initrd(check, result, want_initrd, ucode_bytes, order="sd-stub's"):
    check.eq(result['INITRD_SIZE'], str(len(want_initrd)), 'initrd size as the kernel got it (/sys/firmware/initrd)')
    check.eq(result['INITRD_HEAD'], want_initrd[:256].hex(), 'the first 256 bytes of the initrd: the .ucode archive')
    check.true((result['INITRD_HEAD'] or '').startswith(ucode_bytes[:256].hex()),
               'the initrd starts with the .ucode section')
    check.eq(result['INITRD_SHA256'], sha(want_initrd),
             "the whole initrd: .ucode, .initrd, the side-loaded archives and the /.extra files in %s order" % order)
    check.eq(result['UCODE_FILE'], sha(UCODE_BIN), 'the microcode file unpacked from the first archive')


def esp_files(uki_path, uki, extra_d):
    files = {uki_path: uki}
    for n, d in DROPINS.items():
        files['%s.extra.d/%s' % (uki_path, n)] = d
    files['%s.extra.d/sub.cred/inner.cred' % uki_path] = b'never: directories are skipped\n'
    for n, d in GLOBAL.items():
        files['loader/credentials/' + n] = d
    for n, d in GLOBAL_EXT.items():
        files['loader/extensions/' + n] = d
    return files


@case
def stub_x86_extra_sdboot257(log_dir):
    """Debian 13's sd-boot 257 starts our UKI (native x86 path, Linux 6.12): the initrd the
    kernel got is exactly .ucode first, then .initrd and the side-loaded archives in sd-stub's
    order (257's, with 258's global extensions); /.extra holds the credentials, extensions and
    section files with sd-stub's modes; PCR 13 is the two system extension archives."""
    arch, name = 'x86_64', 'stub-x86-extra-sdboot257'
    cmdline = H.default_cmdline(arch, name + ' retain_initrd zboot.debug')   # our info lines
    initrds = test_initrd(log_dir, name, arch)
    ucode = microcode_cpio(log_dir, name)
    uki = build_uki(log_dir, name, arch, cmdline, initrds, ucode)
    check = H.Check(name)
    # inspect lists the section `build --microcode` made
    check.true('.ucode' in B.ukify('inspect', uki), 'ukify-zboot inspect shows .ucode')
    want_initrd, arc = expected(initrds, ucode)
    files = esp_files('EFI/Linux/uki.efi', uki, True)
    files.update({'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch, 'trixie'), 'loader/loader.conf': H.loader_conf()})
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'), tpm=True)
    H.check_boot(check, result, cmdline=cmdline)
    if result.reached_marker:
        check_extra(check, result)
        with open(ucode, 'rb') as f:
            check_initrd(check, result, want_initrd, f.read())
        check_pcrs(check, result, arc)
    check.true('system extensions: 2 file(s)' in result.log, 'our stub logged the system extensions')
    check.true('global configuration extensions: 1 file(s)' in result.log,
               'our stub logged the global configuration extensions')
    os.unlink(uki)
    return check.done(result)


def sdstub_boot(log_dir, name, suite, global_ext, allow=()):
    """The differential: the same sections as build_uki() makes, in a UKI made by Debian 13's
    ukify with the suite's sd-stub, on the same ESP behind sd-boot 257. /.extra and PCR 12/13
    must be what the test computes (global_ext: with \\loader\\extensions); with global_ext off
    (257) the whole initrd too. Returns the Check's result."""
    arch = 'x86_64'
    cmdline = H.default_cmdline(arch, name + ' retain_initrd')   # has console=: 262 appends none
    initrds = test_initrd(log_dir, name, arch)
    ucode = microcode_cpio(log_dir, name)
    uki = os.path.join(log_dir, name + '.efi')
    inputs = {}
    for key, data in (('osrel', B.OSREL), ('pcrsig', PCRSIG), ('pcrpkey', PCRPKEY)):
        inputs[key] = os.path.join(log_dir, '%s.%s' % (name, key))
        with open(inputs[key], 'wb') as f:
            f.write(data)
    cmd = H.ukify_command('trixie') + [
        'build', '--stub', H.debian_sdstub(arch, suite), '--linux', H.asset(arch, 'vmlinuz', SUITE),
        '--cmdline', cmdline, '--os-release', '@' + inputs['osrel'], '--uname', H.kernel_version(arch, SUITE),
        '--pcrpkey', inputs['pcrpkey'], '--section', '.pcrsig:@' + inputs['pcrsig'], '--microcode', ucode,
        '--output', uki]
    for i in initrds:
        cmd += ['--initrd', i]
    H.run(cmd)
    want_initrd, arc = expected(initrds, ucode, global_ext=global_ext)
    files = esp_files('EFI/Linux/uki.efi', uki, True)
    files.update({'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch, 'trixie'), 'loader/loader.conf': H.loader_conf()})
    check = H.Check(name)
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'), tpm=True)
    H.check_boot(check, result, cmdline=cmdline)
    if result.reached_marker:
        check_extra(check, result, WANT_EXTRA if global_ext else WANT_EXTRA_257, allow=allow)
        if not global_ext:
            with open(ucode, 'rb') as f:
                check_initrd(check, result, want_initrd, f.read(), "sd-stub 257's")
        check_pcrs(check, result, arc)
    for p in list(inputs.values()) + [uki]:
        os.unlink(p)
    return check.done(result)


@case
def stub_x86_extra_sdstub257(log_dir):
    """The differential: Debian 13's sd-stub 257. The initrd the kernel gets, /.extra and PCR
    12/13 must be what stub-x86-extra-sdboot257 requires of ours without \\loader\\extensions,
    which 257 does not read: the expectation is 257's behaviour."""
    return sdstub_boot(log_dir, 'stub-x86-extra-sdstub257', 'trixie', False)


@case
def stub_x86_extra_sdstub262(log_dir):
    """The differential for the global extensions: the development suite's sd-stub (262).
    /.extra and PCR 12/13 must be what stub-x86-extra-sdboot257 requires of ours (the global
    extensions included). 262 may add /.extra/boot-secret (not measured; random per machine, as
    ours since 2026-11-27, seed_test.py), so the whole initrd is not compared: its side-loaded
    archives are, through PCR 12/13 and /.extra."""
    return sdstub_boot(log_dir, 'stub-x86-extra-sdstub262', 'sid', True, allow=('/.extra/boot-secret',))


@case
def stub_x86_extra_noinitrd(log_dir):
    """`noinitrd` with .ucode, .initrd and side-loaded files on the ESP: no initrd at all (as the
    kernel's EFI stub), nothing read from the ESP or packed. What the kernel reports: it runs,
    never unpacks an initramfs and panics for want of a root file system."""
    arch, name = 'x86_64', 'stub-x86-extra-noinitrd'
    # zboot.debug: our "initrd part N" lines print only with it, and their absence is checked
    cmdline = H.default_cmdline(arch, name + ' noinitrd zboot.debug')
    initrds = test_initrd(log_dir, name, arch)
    ucode = microcode_cpio(log_dir, name)
    uki = build_uki(log_dir, name, arch, cmdline, initrds, ucode)
    files = esp_files('EFI/BOOT/BOOTX64.EFI', uki, True)
    check = H.Check(name)
    result = H.boot(arch, files, log_path=os.path.join(log_dir, name + '.log'))
    log = result.log
    check.true(not result.timed_out, 'QEMU timed out (the kernel should panic and reboot)')
    check.true('noinitrd: not passing .initrd' in log, 'our stub did not say it drops .initrd')
    check.true('credentials:' not in log and 'system extensions:' not in log and 'initrd part' not in log,
               'our stub still side-loaded or combined initrd parts')
    # with zboot.debug the lines of detail print: one held from before the command line was
    # parsed (no TPM here) and one logged after it
    check.true('nothing is measured' in log and 'placement seeded from' in log,
               'zboot.debug did not show our lines of detail')
    check.true(re.search(r'Linux version \S+', log) is not None, 'no kernel banner: the kernel did not run')
    check.true('Trying to unpack rootfs image as initramfs' not in log and 'Unpacking initramfs' not in log,
               'the kernel found an initrd to unpack')
    check.true(re.search(r'VFS: Unable to mount root fs|Kernel panic - not syncing: VFS', log) is not None,
               'the kernel did not report a missing root file system')
    check.true(not result.reached_marker, 'the initrd ran although noinitrd was given')
    os.unlink(uki)
    return check.done(result)


@case
def stub_arm64_extra_direct(log_dir):
    """The firmware starts our UKI as BOOTAA64.EFI (LoadFile2 path, Linux 6.12): the same
    initrd layout and /.extra contents, from EFI/BOOT/BOOTAA64.EFI.extra.d."""
    arch, name = 'aarch64', 'stub-arm64-extra-direct'
    cmdline = H.default_cmdline(arch, name + ' retain_initrd')
    initrds = test_initrd(log_dir, name, arch)
    ucode = microcode_cpio(log_dir, name)
    uki = build_uki(log_dir, name, arch, cmdline, initrds, ucode)
    want_initrd, _ = expected(initrds, ucode)
    files = esp_files('EFI/BOOT/BOOTAA64.EFI', uki, True)
    # no TPM here: Debian's arm64 kernels cannot see QEMU's (docs/security.md); the archives are
    # the same bytes as on x86, whose PCR 12/13 the x86 case checks
    check, result = B.boot_and_check(name, arch, files, cmdline, log_dir)
    if result.reached_marker:
        check_extra(check, result)
        with open(ucode, 'rb') as f:
            check_initrd(check, result, want_initrd, f.read())
    os.unlink(uki)
    return check.done(result)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
