#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sd-stub 257 parity, the TPM event log: the events our stub logs for PCR 11, 12 and 13 are
byte-identical to sd-stub 257's (event type, description/event data, SHA-256 digest), read from
the booted kernel (/sys/kernel/security/tpm0/binary_bios_measurements). Both UKIs carry the same
section bytes and the same plain bzImage as .linux, so the kernel's own EFI stub runs in both
boots and hands the firmware's event log to the kernel the same way; only .sbat differs (each
stub's own). Started by
Debian 13's sd-boot 257 from a Type #1 entry with options (a LoadOptions command line, PCR 12),
with a per-UKI add-on (.cmdline, .initrd: a tagged event), a credential (PCR 12) and a system
extension (PCR 13). docs/stub.md "The TPM event log".
Usage: eventlog_test.py CASE [--log-dir DIR]
"""

import os
import shutil
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from stub_common import B, H, T, init_with_lines, sdstub257_twin  # noqa: E402
import stub_test as S  # noqa: E402  (GPT ESP: the add-on and side-loaded files need a partition)

case = H.CaseTable()
SUITE = 'trixie'
UKI = 'EFI/uki/uki.efi'   # not under EFI/Linux: only the Type #1 entry lists it
TPM_ALG_SHA256 = 0x000b

EVLOG_LINES = r'''
# --- eventlog_test.py: the firmware's TPM event log as the kernel got it
$B mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
f=/sys/kernel/security/tpm0/binary_bios_measurements
if [ -r $f ]; then echo "EVLOG=$($B od -An -v -tx1 $f | $B tr -d ' \n')"; else echo "EVLOG="; fi
'''


def parse_log(raw):
    """The events of a TCG2 crypto-agile log: [(pcr, type, sha256 digest hex, event bytes)]."""
    o = 0
    pcr, etype = struct.unpack_from('<II', raw, o)
    o += 8 + 20
    (size,) = struct.unpack_from('<I', raw, o)
    o += 4
    spec = raw[o:o + size]
    o += size
    if not spec.startswith(b'Spec ID Event03\0'):
        raise H.HarnessError('event log: no Spec ID Event03 header')
    (nalg,) = struct.unpack_from('<I', spec, 24)
    sizes = {}
    for i in range(nalg):
        alg, dsize = struct.unpack_from('<HH', spec, 28 + 4 * i)
        sizes[alg] = dsize
    events = []
    while o + 12 <= len(raw):
        pcr, etype, count = struct.unpack_from('<III', raw, o)
        o += 12
        digest = None
        for _ in range(count):
            (alg,) = struct.unpack_from('<H', raw, o)
            d = raw[o + 2:o + 2 + sizes[alg]]
            o += 2 + sizes[alg]
            if alg == TPM_ALG_SHA256:
                digest = d.hex()
        (size,) = struct.unpack_from('<I', raw, o)
        o += 4
        events.append((pcr, etype, digest, raw[o:o + size]))
        o += size
    return events


def describe(ev):
    pcr, etype, digest, data = ev
    return 'PCR %d type 0x%x digest %s data %s' % (pcr, etype, (digest or '-')[:16], data[:80].hex())


def build_both(work, arch, cmdline):
    """Our UKI (plain bzImage .linux: the PE path) and Debian 13's ukify + sd-stub 257's with the
    same .linux, .cmdline, .initrd, .osrel and .uname bytes."""
    init = init_with_lines(arch, EVLOG_LINES)
    overlay = T.cpio(os.path.join(work, 'overlay.cpio'), {'init': (init.encode(), 0o755)})
    ours = os.path.join(work, 'ours.efi')
    B.ukify('build', '--linux', H.asset(arch, 'vmlinuz', SUITE), '--cmdline', cmdline,
            '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--initrd', overlay, '--os-release', B.OSREL.decode(),
            '--uname', H.kernel_version(arch, SUITE), '-o', ours)
    ref = sdstub257_twin(work, arch, ours, ('.cmdline', '.initrd', '.osrel', '.uname'), SUITE, same_linux=True)
    return ours, ref


@case
def stub_x86_eventlog_sdstub257(log_dir):
    arch, name = 'x86_64', 'stub-x86-eventlog-sdstub257'
    embedded = H.default_cmdline(arch, name + ' embedded')
    options = H.default_cmdline(arch, name + '  options\tfrom-the-entry')   # normalised by both stubs
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        addon_initrd = os.path.join(work, 'addon-initrd.cpio')
        T.cpio(addon_initrd, {'addon-file': (b'from the add-on\n', 0o644)})
        B.ukify('build', '--cmdline', 'evlog_addon=1', '--initrd', addon_initrd, '-o',
                os.path.join(work, 'local.addon.efi'))
        ours, ref = build_both(work, arch, embedded)
        check = H.Check(name)
        logs = {}
        for tag, uki in (('ours', ours), ('sdstub257', ref)):
            files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch, SUITE), 'loader/loader.conf': H.loader_conf(),
                     'loader/entries/uki.conf': H.type1_entry('uki', efi='/' + UKI, options=options), UKI: uki,
                     UKI + '.extra.d/local.addon.efi': os.path.join(work, 'local.addon.efi'),
                     UKI + '.extra.d/a.cred': b'a credential\n',
                     UKI + '.extra.d/x.sysext.raw': b'sysext bytes' * 30}
            r = H.boot(arch, files, log_path=os.path.join(log_dir, '%s-%s.log' % (name, tag)), tpm=True)
            c = H.Check('%s (%s)' % (name, tag))
            H.check_boot(c, r)
            for f in c.failures:
                check.true(False, '%s: %s' % (tag, f))
            if not r.reached_marker:
                return check.done(r)
            check.true('evlog_addon=1' in (r['CMDLINE'] or ''), '%s: the add-on command line did not arrive' % tag)
            raw = bytes.fromhex(r['EVLOG'] or '')
            if not check.true(len(raw) > 0, '%s: the kernel has no firmware event log' % tag):
                return check.done(r)
            logs[tag] = [e for e in parse_log(raw) if e[0] in (11, 12, 13)]

        o, s = logs['ours'], logs['sdstub257']
        check.true(any(e[0] == 12 and e[1] == 0x6 for e in s), 'sd-stub 257 logged no EV_EVENT_TAG in PCR 12')
        check.eq(len(o), len(s), 'number of PCR 11/12/13 events (ours, sd-stub 257)')
        sbat = T.utf16z('.sbat')
        for i, (a, b) in enumerate(zip(o, s)):
            check.eq((a[0], a[1], a[3]), (b[0], b[1], b[3]), 'event %d: PCR, type, event data' % i)
            # .sbat is measured as two events with its name as description: the name, then the
            # contents, which are each stub's own
            sbat_contents = a[0] == 11 and a[3] == sbat and i > 0 and o[i - 1][0] == 11 and o[i - 1][3] == sbat
            if not sbat_contents:
                check.eq(a[2], b[2], 'event %d (%s): SHA-256 digest' % (i, describe(a)))
        print('%s: %d PCR 11/12/13 events each' % (name, len(o)))
        for e in s:
            print('  sd-stub 257 ' + describe(e))
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
