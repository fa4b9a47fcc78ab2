#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The differential test of issue 14: the same UKI sections and the same ESP, booted once with
our UKI stub and once with Debian 13's sd-stub 257 (the UKI made by Debian 13's ukify), both
through Debian 13's sd-boot 257 with a TPM (swtpm) and Debian 13's kernel. What the booted
system sees is compared field by field:

  CMDLINE          /proc/cmdline
  INITRD_*         the initrd as the kernel got it (retain_initrd: /sys/firmware/initrd):
                   size, sha256, sha256 of each 64 KiB block
  ROOTFS_*         every file the initrd unpacked (mode, path, sha256), /proc and /sys aside
  EXTRA_*          /.extra (mode, path, sha256)
  EFIVAR_*         every variable of the boot loader interface vendor GUID (name, attributes,
                   value), read through efivarfs (a module in Debian 13's kernel: loaded here)
  PCR9/11/12/13    the kernel's sha256 bank

The sections: .cmdline, .initrd (the test initrd + an uncompressed cpio with this test's
/init and efivarfs.ko), .ucode (--microcode), .osrel, .uname, .pcrpkey and .pcrsig (a real
signed PCR 11 policy made by `build --pcr-private-key`), copied byte for byte from our UKI
into ukify 257's command line and checked equal in both UKIs afterwards. .linux differs:
ours is our zboot image of Debian 13's bzImage (`build --zboot`, the native x86 path), sd-stub
257's is the plain bzImage (what a distribution ships). The ESP: <uki>.extra.d with
credentials, a system extension, a configuration extension, files that must be ignored,
/loader/credentials/*.cred, and a global and a per-UKI add-on (made by `ukify-zboot build`).

Expected differences (EXPECTED below; each has its own assertion instead of equality):
StubInfo (each stub names itself), StubFeatures (ours must claim no bit 257 does not except
the later sd-stubs' LATER lists, and lack only the bits NOT_OURS explains), sd-boot's Loader*USec timestamps (times), PCR 11
(.linux and .sbat differ: each must equal the prediction of `ukify-zboot inspect --json` and
the independent reference in trust_test.py), PCR 4 (not compared: the firmware measures the
binaries it starts, and the UKIs differ). PCR 9 is compared: under sd-stub the kernel's EFI
stub measures the command line and the initrd; our native x86 path makes the same two.
Found in the first run (docs/stub.md "The differential"): nothing else differs.
Usage: differential_test.py CASE [--log-dir DIR]
"""

import os
import re
import shutil
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from stub_common import B, H, T, init_with_lines, sdstub257_twin  # noqa: E402
import stub_test as S  # noqa: E402  (importing it makes every ESP a GPT disk: partition UUIDs)
import extra_test as E  # noqa: E402  (microcode archive, PCR extend)

case = H.CaseTable()
SUITE = 'trixie'

OBSERVE_LINES = r'''
# --- differential_test.py: the initrd, the unpacked files, /.extra and the loader variables
i=0
for f in $($B find / -xdev \( -type f -o -type l \) 2>/dev/null | $B sort); do
        case "$f" in /.extra/*) continue;; esac
        i=$((i+1))
        if [ -L "$f" ]; then s="->$($B readlink "$f")"; else s=$($B sha256sum "$f" | $B cut -d' ' -f1); fi
        echo "ROOTFS_$i=$($B stat -c '%a' "$f") $f $s"
done
echo "ROOTFS_COUNT=$i"
i=0
for f in $($B find /.extra 2>/dev/null | $B sort); do
        i=$((i+1))
        s=-
        [ -f "$f" ] && s=$($B sha256sum "$f" | $B cut -d' ' -f1)
        echo "EXTRA_$i=$($B stat -c '%a' "$f") $f $s"
done
echo "EXTRA_COUNT=$i"
if [ -r /sys/firmware/initrd ]; then
        n=$($B stat -c %s /sys/firmware/initrd)
        echo "INITRD_SIZE=$n"
        echo "INITRD_SHA256=$($B sha256sum /sys/firmware/initrd | $B cut -d' ' -f1)"
        b=0
        while [ $((b * 65536)) -lt $n ]; do
                echo "INITRD_BLOCK_$b=$($B dd if=/sys/firmware/initrd bs=65536 skip=$b count=1 2>/dev/null | $B sha256sum | $B cut -d' ' -f1)"
                b=$((b+1))
        done
fi
$B insmod /efivarfs.ko 2>/dev/null
$B mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
i=0
for f in /sys/firmware/efi/efivars/*-@GUID@; do
        [ -r "$f" ] || continue
        i=$((i+1))
        n=$($B basename "$f")
        echo "EFIVAR_$i=${n%%-*} $($B od -An -v -tx1 "$f" | $B tr -d ' \n')"
done
echo "EFIVAR_COUNT=$i"
'''.replace('@GUID@', S.LOADER_GUID)

# per-UKI drop-ins and global credentials: taken and left out alike
DROPINS = {
    'a.cred': b'credential from the per-UKI directory\n',
    'B.CRED': b'suffixes match without case\n',
    '.hidden.cred': b'never: names starting with a dot are skipped\n',
    'notes.txt': b'never: no known suffix\n',
    'x.sysext.raw': b'sysext image bytes' * 40,
    'plain.raw': b'a *.raw image is a system extension too\n',
    'y.confext.raw': b'confext image bytes' * 9,
}
GLOBAL_CREDS = {'g.cred': b'global credential\n', 'h.cred': b'second global credential\n', 'other.txt': b'never\n'}
ADDON_GLOBAL, ADDON_UKI = 'diff_global_addon=1', 'diff_uki_addon=1'
UKI = 'EFI/Linux/uki.efi'
COPIED = ('.cmdline', '.initrd', '.ucode', '.osrel', '.uname', '.pcrpkey', '.pcrsig')

# StubFeatures bits (systemd's boot loader interface): the ones our stub claims without sd-stub
# 257 doing the same thing must be none; bits 257 sets that we do not are listed with a reason.
NOT_OURS = {
}
# bits ours claims that sd-stub 257 does not, each for a later sd-stub's feature we have
LATER = {
    11: 'REPORT_URL (sd-stub 258): StubDeviceURL/LoaderDeviceURL on HTTP boot (stub-x86-http-url-sdstub262)',
}


def overlay_initrd(work, arch):
    """An uncompressed cpio for after the test initrd: /init = its own + OBSERVE_LINES, and
    efivarfs.ko from the same kernel package (Debian 13 builds efivarfs as a module)."""
    init = init_with_lines(arch, OBSERVE_LINES)
    return T.cpio(os.path.join(work, 'overlay.cpio'),
                  {'init': (init.encode(), 0o755),
                   'efivarfs.ko': (H.kernel_module(arch, 'fs/efivarfs/efivarfs.ko', SUITE), 0o644)})


def pcr_key(work):
    key, pub = os.path.join(work, 'pcr.key'), os.path.join(work, 'pcr.pub.pem')
    H.run(['openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key])
    H.run(['openssl', 'pkey', '-in', key, '-pubout', '-out', pub])
    return key, pub


def build_both(work, arch, cmdline):
    """(our UKI, sd-stub 257's UKI) with the same sections but .linux (and .sbat, the stubs')."""
    initrds = [H.asset(arch, 'initrd.cpio.gz'), overlay_initrd(work, arch)]
    ucode = E.microcode_cpio(work, 'diff')
    key, pub = pcr_key(work)
    ours = os.path.join(work, 'ours.efi')
    args = ['build', '--linux', H.asset(arch, 'vmlinuz', SUITE), '--zboot=zstd', '--cmdline', cmdline,
            '--os-release', B.OSREL.decode(), '--uname', H.kernel_version(arch, SUITE), '--microcode', ucode,
            '--pcr-private-key', key, '--pcr-public-key', pub, '--pcr-banks', 'sha256', '-o', ours]
    for i in initrds:
        args += ['--initrd', i]
    B.ukify(*args)
    ref = sdstub257_twin(work, arch, ours, COPIED, SUITE)
    return ours, ref


def esp(work, arch, uki):
    files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch, SUITE), 'loader/loader.conf': H.loader_conf(), UKI: uki}
    for n, d in DROPINS.items():
        files['%s.extra.d/%s' % (UKI, n)] = d
    for n, d in GLOBAL_CREDS.items():
        files['loader/credentials/' + n] = d
    files['loader/addons/global.addon.efi'] = os.path.join(work, 'global.addon.efi')
    files['%s.extra.d/local.addon.efi' % UKI] = os.path.join(work, 'local.addon.efi')
    return files


def listing(result, prefix):
    """{path: 'mode digest'} of the ROOTFS_/EXTRA_ lines; None when the count line is missing."""
    try:
        count = int(result[prefix + '_COUNT'])
    except (TypeError, ValueError):
        return None
    out = {}
    for i in range(1, count + 1):
        p = (result['%s_%d' % (prefix, i)] or '').split(' ', 2)
        if len(p) == 3:
            out[p[1]] = '%s %s' % (p[0], p[2])
    return out


def efivars(result):
    """{name: (attributes, value bytes)} of the loader GUID's variables."""
    try:
        count = int(result['EFIVAR_COUNT'])
    except (TypeError, ValueError):
        return None
    out = {}
    for i in range(1, count + 1):
        p = (result['EFIVAR_%d' % i] or '').split(' ')
        if len(p) == 2 and len(p[1]) >= 8:
            raw = bytes.fromhex(p[1])
            out[p[0]] = (struct.unpack_from('<I', raw)[0], raw[4:])
    return out


def text16(v):
    return v[:-2].decode('utf-16-le', errors='replace') if v.endswith(b'\0\0') else repr(v)


def show(name, v):
    if name in ('StubFeatures', 'LoaderFeatures') and len(v) == 8:
        return '0x%x' % struct.unpack('<Q', v)[0]
    if len(v) % 2 == 0 and v.endswith(b'\0\0'):
        return repr(text16(v))
    return v.hex()


def compare_dict(check, what, ours, ref, skip=()):
    """Each key of either side: present in both with the same value (unless in skip)."""
    if not check.true(ours is not None and ref is not None, '%s: not printed (ours %s, sd-stub 257 %s)'
                      % (what, ours is not None, ref is not None)):
        return
    for k in sorted(set(ours) | set(ref)):
        if k in skip:
            continue
        check.eq(ours.get(k), ref.get(k), '%s %s (ours, sd-stub 257)' % (what, k))


@case
def stub_x86_differential_sdstub257(log_dir):
    arch, name = 'x86_64', 'stub-x86-differential-sdstub257'
    cmdline = H.default_cmdline(arch, name + ' retain_initrd')
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        B.ukify('build', '--cmdline', ADDON_GLOBAL, '-o', os.path.join(work, 'global.addon.efi'))
        B.ukify('build', '--cmdline', ADDON_UKI, '-o', os.path.join(work, 'local.addon.efi'))
        ours, ref = build_both(work, arch, cmdline)
        check = H.Check(name)
        want_cmdline = '%s %s %s' % (cmdline, ADDON_GLOBAL, ADDON_UKI)
        results = {}
        for tag, uki in (('ours', ours), ('sdstub257', ref)):
            c = H.Check('%s (%s)' % (name, tag))
            r = H.boot(arch, esp(work, arch, uki), log_path=os.path.join(log_dir, '%s-%s.log' % (name, tag)),
                       tpm=True)
            H.check_boot(c, r, cmdline=want_cmdline)
            for f in c.failures:
                check.true(False, '%s: %s' % (tag, f))
            results[tag] = r
        o, s = results['ours'], results['sdstub257']
        if not (o.reached_marker and s.reached_marker):
            return check.done(o if not o.reached_marker else s)

        # --- the reference boot saw the inputs at all (else equality proves little)
        se, sr = listing(s, 'EXTRA') or {}, listing(s, 'ROOTFS') or {}
        for path in ('/.extra/credentials/a.cred', '/.extra/global_credentials/g.cred',
                     '/.extra/sysext/x.sysext.raw', '/.extra/confext/y.confext.raw',
                     '/.extra/tpm2-pcr-signature.json', '/.extra/tpm2-pcr-public-key.pem', '/.extra/os-release'):
            check.true(path in se, 'sd-stub 257 boot: %s missing' % path)
        check.true('/kernel/x86/microcode/GenuineIntel.bin' in sr, 'sd-stub 257 boot: the .ucode file not unpacked')

        # --- equal fields
        check.eq(o['CMDLINE'], s['CMDLINE'], '/proc/cmdline (ours, sd-stub 257)')
        for k in sorted(set(k for r in (o, s) for k in r.observables if k.startswith('INITRD_'))):
            check.eq(o[k], s[k], '%s (ours, sd-stub 257)' % k)
        compare_dict(check, 'unpacked file', listing(o, 'ROOTFS'), listing(s, 'ROOTFS'))
        compare_dict(check, '/.extra', listing(o, 'EXTRA'), listing(s, 'EXTRA'))
        ov, sv = efivars(o), efivars(s)
        expected_vars = {'StubInfo', 'StubFeatures', 'LoaderTimeInitUSec', 'LoaderTimeExecUSec',
                         'LoaderTimeMenuUSec', 'LoaderTpm2ActivePcrBanks', 'LoaderPcrSMBIOS'}
        compare_dict(check, 'EFI variable', ov, sv, skip=expected_vars)
        po, ps = H.parse_pcrs(o), H.parse_pcrs(s)
        for p in (9, 12, 13):
            check.eq(po.get(p), ps.get(p), 'PCR %d (ours, sd-stub 257)' % p)
        check.true(ps.get(13) not in (None, T.ZERO_PCR), 'PCR 13 holds the system extensions: %r' % ps.get(13))

        # --- expected differences, each checked for what it must be
        if ov is not None and sv is not None:
            oi = text16(ov.get('StubInfo', (0, b''))[1])
            si = text16(sv.get('StubInfo', (0, b''))[1])
            check.true(oi.startswith('ukify-zboot-stub '), 'our StubInfo: got %r' % oi)
            check.true(si.startswith('systemd-stub 257'), "sd-stub 257's StubInfo: got %r" % si)
            # sd-stub 258's variable, which 257 and sd-boot 257 do not set: ours reports swtpm's banks
            check.true('LoaderTpm2ActivePcrBanks' not in sv, 'sd-stub 257 set LoaderTpm2ActivePcrBanks')
            # sd-stub 261's PCR 1 SMBIOS measurement, which 257 does not make: ours says "1"
            check.true('LoaderPcrSMBIOS' not in sv, 'sd-stub 257 set LoaderPcrSMBIOS')
            check.eq(text16(ov.get('LoaderPcrSMBIOS', (0, b''))[1]), '1', 'our LoaderPcrSMBIOS')
            banks = text16(ov.get('LoaderTpm2ActivePcrBanks', (0, b''))[1])
            check.true(re.fullmatch(r'0x[0-9a-f]{8}', banks) is not None and int(banks, 16) & 0x2,
                       'our LoaderTpm2ActivePcrBanks "0x%%08x" with the SHA-256 bank: got %r' % banks)
            for var in ('LoaderTimeInitUSec', 'LoaderTimeExecUSec'):
                check.eq(var in ov, var in sv, '%s set in both boots (its value is a time)' % var)
            of = struct.unpack('<Q', ov['StubFeatures'][1])[0] if 'StubFeatures' in ov else 0
            sf = struct.unpack('<Q', sv['StubFeatures'][1])[0] if 'StubFeatures' in sv else 0
            later = sum(1 << b for b in LATER)
            check.eq(of & ~sf & ~later, 0, 'StubFeatures bits we claim that sd-stub 257 does not, without a reason in '
                     'LATER (ours 0x%x, 257 0x%x)' % (of, sf))
            missing = [b for b in range(64) if sf & ~of & (1 << b) and b not in NOT_OURS]
            check.eq(missing, [], 'StubFeatures bits sd-stub 257 sets that we lack without a reason in NOT_OURS')
        for tag, uki, r in (('ours', ours, po), ('sd-stub 257', ref, ps)):
            want = T.expected_pcr11(uki)
            check.eq(T.our_pcr11(uki), want, '%s: inspect --json PCR 11 against the reference' % tag)
            check.eq(r.get(11), want, '%s: PCR 11 from the kernel' % tag)

        print('%s: ours %s, sd-stub 257 %s' % (name, o.summary(), s.summary()))
        for tag, vars_ in (('ours', ov), ('sd-stub 257', sv)):
            for k, (a, v) in sorted((vars_ or {}).items()):
                print('  %s %s attrs=0x%x %s' % (tag, k, a, show(k, v)))
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
