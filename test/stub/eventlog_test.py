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

import hashlib
import os
import shutil
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from stub_common import B, H, T, init_with_lines, sdstub257_twin  # noqa: E402
import stub_test as S  # noqa: E402  (GPT ESP: the add-on and side-loaded files need a partition)
import firmware_test as F  # noqa: E402  (the SMBIOS machine, its CHIDs, device trees)

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


# ---- PCR 1: the SMBIOS structures (sd-stub 261) ------------------------------------------

SMBIOS_TAGS = {1: (0xd5cb7cbc, 'smbios:type1'), 2: (0xe0d47bc8, 'smbios:type2'), 11: (0xc0b3bd23, 'smbios:type11')}
SMBIOS_QEMU = ['-smbios', 'type=2,manufacturer=zboot-board,product=pcr1-test',
               '-smbios', 'type=11,value=zboot.test.oem=1,value=second=2']
PCR1_LINES = EVLOG_LINES + r'''
# --- eventlog_test.py: PCR 1, the SMBIOS table as the kernel has it, LoaderPcrSMBIOS
echo "PCR1=$($B cat /sys/class/tpm/tpm0/pcr-sha256/1 2>/dev/null)"
echo "DMI=$($B od -An -v -tx1 /sys/firmware/dmi/tables/DMI 2>/dev/null | $B tr -d ' \n')"
''' + S.efivars_lines(('LoaderPcrSMBIOS',))


def smbios_structures(dmi):
    """[(type, bytes of the whole structure)] of a structure table, up to type 127."""
    out, o = [], 0
    while o + 4 <= len(dmi):
        t, flen = dmi[o], dmi[o + 1]
        if t == 127 or flen < 4:
            break
        e = dmi.index(b'\0\0', o + flen) + 2   # the set's end; an empty set is the two NULs
        out.append((t, dmi[o:e]))
        o = e
    return out


def smbios_expected(dmi):
    """[(tag, description, sha256 hex)] of what sd-stub 261 measures, in table order: types 1
    (wake-up type at 0x18 zeroed), 2 and 11, each the whole structure."""
    want = []
    for t, b in smbios_structures(dmi):
        if t not in SMBIOS_TAGS:
            continue
        if t == 1 and len(b) > 0x18:
            b = b[:0x18] + b'\0' + b[0x19:]
        tag, desc = SMBIOS_TAGS[t]
        want.append((tag, desc, hashlib.sha256(b).hexdigest()))
    return want


def smbios_events(events):
    """[(tag, description, sha256 hex)] of the EV_EVENT_TAG events in PCR 1."""
    out = []
    for pcr, etype, digest, data in events:
        if pcr != 1 or etype != 0x6 or len(data) < 8:
            continue
        tag, size = struct.unpack_from('<II', data)
        desc = data[8:8 + size].decode('utf-16-le', errors='replace').rstrip('\0')
        out.append((tag, desc, digest))
    return out


@case
def stub_x86_smbios_pcr1_sdstub262(log_dir):
    """PCR 1 as systemd-stub 261 extends it: the firmware starts our UKI and, on the same ESP and
    machine (swtpm, QEMU with SMBIOS types 1, 2 and 11), the development suite's sd-stub 262 with
    the same sections. Both must log a tagged event for type 1, 2 and 11 whose digest is that of
    the structure in the kernel's /sys/firmware/dmi/tables/DMI (type 1's wake-up type as 0), set
    LoaderPcrSMBIOS to "1", and end with the same PCR 1. Then sd-boot 262 starts our UKI: it
    measures the SMBIOS itself and sets LoaderPcrSMBIOS, so ours must not measure again (the
    events once, not twice)."""
    arch, name = 'x86_64', 'stub-x86-smbios-pcr1-sdstub262'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        init = init_with_lines(arch, PCR1_LINES)
        overlay = T.cpio(os.path.join(work, 'overlay.cpio'),
                         {'init': (init.encode(), 0o755), 'efivarfs.ko': (S.efivarfs_module(arch), 0o644)})
        ours, ref = os.path.join(work, 'ours.efi'), os.path.join(work, 'sdstub262.efi')
        B.ukify('build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--cmdline', cmdline,
                '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--initrd', overlay, '--os-release', B.OSREL.decode(),
                '-o', ours)
        H.run(H.ukify_command('trixie') + [
            'build', '--stub', H.debian_sdstub(arch, 'sid'), '--linux', H.asset(arch, 'vmlinuz'),
            '--uname', H.kernel_version(arch), '--cmdline', cmdline, '--initrd', H.asset(arch, 'initrd.cpio.gz'),
            '--initrd', overlay, '--output', ref])
        check = H.Check(name)
        got = {}
        sdboot262 = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch, 'sid'), 'loader/loader.conf': H.loader_conf(),
                     'EFI/Linux/uki.efi': ours}
        for tag, files in (('ours', {'EFI/BOOT/BOOTX64.EFI': ours}), ('sdstub262', {'EFI/BOOT/BOOTX64.EFI': ref}),
                           ('ours-sdboot262', sdboot262)):
            r = boot_one(check, name, tag, arch, files, log_dir, cmdline, SMBIOS_QEMU)
            if not r.reached_marker:
                return check.done(r)
            dmi = bytes.fromhex(r['DMI'] or '')
            want = smbios_expected(dmi)
            check.eq(sorted(set(t for t, _, _ in want)), sorted(t for t, _ in SMBIOS_TAGS.values()),
                     '%s: the table has types 1, 2 and 11' % tag)
            events = smbios_events(parse_log(bytes.fromhex(r['EVLOG'] or '')))
            check.eq(events, want, '%s: the PCR 1 SMBIOS events (tag, description, SHA-256 of the structure)' % tag)
            check.eq(r['EFIVAR_LOADERPCRSMBIOS'], '06000000' + '3100' + '0000', '%s: LoaderPcrSMBIOS "1", volatile BS|RT' % tag)
            got[tag] = r['PCR1']
        check.true(bool(got['ours']), 'the kernel read no PCR 1')
        check.eq(got['ours'], got['sdstub262'], 'PCR 1 (ours, sd-stub 262)')
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)



# ---- .hwids with uefi-fw entries, .efifw (sd-stub 258) ------------------------------------

HWIDS_FW_LINES = EVLOG_LINES + r"""
# --- eventlog_test.py: PCR 11 as the kernel reads it
echo "PCR11=$($B cat /sys/class/tpm/tpm0/pcr-sha256/11 2>/dev/null)"
"""
X86_DTS = '/dts-v1/;\n/ {\n\tcompatible = "zboot,x86-placeholder";\n};\n'


def boot_one(check, name, tag, arch, files, log_dir, cmdline, extra):
    """One boot of name's (tag: which stub) with swtpm: its failures become check's, prefixed
    with tag. Returns the result."""
    r = H.boot(arch, files, log_path=os.path.join(log_dir, '%s-%s.log' % (name, tag)), tpm=True, extra=extra)
    c = H.Check('%s (%s)' % (name, tag))
    H.check_boot(c, r, cmdline=cmdline)
    for f in c.failures:
        check.true(False, '%s: %s' % (tag, f))
    return r


def pcr11_events(events):
    """[(section name, sha256 hex)] of PCR 11's EV_IPL events, in order."""
    return [(d.decode('utf-16-le', errors='replace').rstrip('\0'), g) for p, t, g, d in events if p == 11 and t == 0xd]


@case
def stub_x86_hwids_uefi_fw_sdstub262(log_dir):
    """A UKI made the way ukify 262 makes it for a machine list with both kinds of .hwids
    entries (258): a uefi-fw entry (a firmware id, the one of the UKI's .efifw) with this
    machine's most specific CHID listed first, then device tree entries for another machine
    and for this one (same CHID). sd-stub 257 refused such a table, and so did ours: 258+ skip
    the uefi-fw entry when they look for a device tree and pick this machine's .dtbauto.
    The development suite's ukify 262 builds the reference from the JSON files with its own
    sd-stub 262; ours from the same files (its .hwids and .efifw byte-identical to ukify 262's)
    and the reference's other section bytes. Both boot on the same machine (swtpm, QEMU SMBIOS type
    1/2): the PCR 11 events the kernel got are the same sections in the same order with the
    same digests (.sbat's contents excepted, each stub's own), among them the .dtbauto of this
    machine and the .efifw (sd-stub 262 measures it after .hwids); and each kernel's
    PCR 11 is what `ukify-zboot inspect --json` predicts for that UKI when that .dtbauto is
    picked."""
    import json
    arch, name = 'x86_64', 'stub-x86-hwids-uefi-fw-sdstub262'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        chid3, chid11 = F.machine_chids()
        hw = os.path.join(work, 'hwids')
        os.makedirs(hw)
        for fname, obj in (('a-fw.json', {'type': 'uefi-fw', 'name': 'Zboot test machine firmware',
                                          'fwid': 'zboot-fw', 'hwids': [chid3]}),
                           ('b-other.json', {'type': 'devicetree', 'name': 'Other machine',
                                             'compatible': 'zboot,other-machine', 'hwids': [chid11]}),
                           ('c-this.json', {'type': 'devicetree', 'name': 'Zboot test machine',
                                            'compatible': 'zboot,hwids-machine', 'hwids': [chid3]})):
            with open(os.path.join(hw, fname), 'w') as f:
                json.dump(obj, f)
        other = F.make_dtb(work, 'other', X86_DTS, 'other-model', compatible='zboot,other-machine')
        match = F.make_dtb(work, 'match', X86_DTS, 'dtbauto-by-hwids', compatible='zboot,hwids-machine')
        fwdir = os.path.join(work, 'efifw', 'zboot-fw')
        os.makedirs(fwdir)
        with open(os.path.join(fwdir, 'firmware.bin'), 'wb') as f:
            f.write(b'zboot test firmware image\n' * 64)
        init = init_with_lines(arch, HWIDS_FW_LINES)
        overlay = T.cpio(os.path.join(work, 'overlay.cpio'), {'init': (init.encode(), 0o755)})
        ref = os.path.join(work, 'sdstub262.efi')
        H.run(H.ukify_command('sid') + [
            'build', '--stub', H.debian_sdstub(arch, 'sid'), '--linux', H.asset(arch, 'vmlinuz'),
            '--uname', H.kernel_version(arch), '--cmdline', cmdline, '--os-release', B.OSREL.decode(),
            '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--initrd', overlay,
            '--devicetree-auto', other, '--devicetree-auto', match, '--hwids', hw, '--efifw', fwdir,
            '--output', ref])
        parts = {}
        for sec in ('.cmdline', '.osrel', '.initrd'):
            parts[sec] = os.path.join(work, 'sec' + sec)
            with open(parts[sec], 'wb') as f:
                f.write(T.section_of(ref, sec))
        ours = os.path.join(work, 'ours.efi')
        B.ukify('build', '--linux', H.asset(arch, 'vmlinuz'), '--uname', H.kernel_version(arch),
                '--cmdline', '@' + parts['.cmdline'], '--os-release', '@' + parts['.osrel'],
                '--initrd', parts['.initrd'], '--devicetree-auto', other, '--devicetree-auto', match,
                '--hwids', hw, '--efifw', fwdir, '-o', ours)
        check = H.Check(name)
        for sec in ('.linux', '.cmdline', '.osrel', '.initrd', '.uname', '.hwids', '.efifw'):
            check.eq(T.section_of(ours, sec).hex(), T.section_of(ref, sec).hex(), 'section %s (ours, ukify 262)' % sec)
        dtbautos = [d for n, d in T.pe_sections(ours) if n == '.dtbauto']
        check.eq([d.hex() for d in dtbautos], [d.hex() for n, d in T.pe_sections(ref) if n == '.dtbauto'],
                 'the .dtbauto sections (ours, ukify 262)')
        with open(match, 'rb') as f:
            match_digest = hashlib.sha256(f.read()).hexdigest()
        efifw_digest = hashlib.sha256(T.section_of(ref, '.efifw')).hexdigest()
        smbios = F.machine_smbios_args()
        got = {}
        for tag, uki in (('ours', ours), ('sdstub262', ref)):
            r = boot_one(check, name, tag, arch, {'EFI/BOOT/BOOTX64.EFI': uki}, log_dir, cmdline, smbios)
            if not r.reached_marker:
                return check.done(r)
            events = pcr11_events(parse_log(bytes.fromhex(r['EVLOG'] or '')))
            # each section: its name, then its contents, both under the section's name
            pairs = [(events[i][0], events[i + 1][1]) for i in range(0, len(events) - 1, 2)]
            check.true(('.dtbauto', match_digest) in pairs,
                       '%s: no PCR 11 event for this machine\'s .dtbauto: %r' % (tag, pairs))
            check.true(('.efifw', efifw_digest) in pairs,
                       '%s: no PCR 11 event for the .efifw of this machine\'s firmware id: %r' % (tag, pairs))
            pcr11 = json.loads(B.ukify('inspect', '--json', uki)).get('pcr11', {})
            dt = [e['section'] for e in pcr11.get('dtbauto', []) if e.get('compatible') == 'zboot,hwids-machine']
            predicted = [d['sha256'] for e in pcr11.get('efifw', []) if e.get('fwid') == 'zboot-fw'
                         for d in e.get('dtbauto', []) if d['section'] in dt]
            check.eq(predicted, [(r['PCR11'] or '').lower()],
                     '%s: PCR 11 (inspect --json for this machine\'s .efifw and .dtbauto, the kernel)' % tag)
            got[tag] = pairs
        o, s = got['ours'], got['sdstub262']
        print('%s: sd-stub 262 measured %s' % (name, ' '.join(n for n, _ in s)))
        check.eq([n for n, _ in o], [n for n, _ in s], 'the sections in PCR 11, in order (ours, sd-stub 262)')
        check.eq([p for p in o if p[0] != '.sbat'], [p for p in s if p[0] != '.sbat'],
                 'the PCR 11 digests but .sbat\'s (ours, sd-stub 262)')
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == '__main__':
    sys.exit(case.main(__doc__))
