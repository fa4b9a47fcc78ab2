#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Measured boot on arm64 with swtpm (QEMU virt + tpm-tis-device).

The firmware: Debian 13's AAVMF Secure Boot builds (AAVMF_CODE.secboot*.fd) have the TCG2
driver and find QEMU's TPM; the plain AAVMF_CODE.fd (= no-secboot) of Debian 12 and 13 has
none (measured: no TPMFinalLog= in the kernel's efi: line). The harness's 'trixie-strictnx'
is such a build (with the plain VARS Secure Boot stays off).

The kernel: Debian's arm64 kernels (6.1, 6.12, 7.2) have no driver for QEMU's TIS device
(CONFIG_TCG_TIS is off, tpm_tis_core.ko alone binds nothing, tpm_crb refuses a TPM2 table whose
start method is TIS), so there is no /sys/class/tpm/tpm0 and no binary_bios_measurements. The
test initrd therefore reads the PCRs from the TPM itself: TIS_LINES talk to the TIS registers
through /dev/mem (busybox devmem; the kernel lists the TPM's MMIO window in /proc/iomem as
MSFT0101 from QEMU's ACPI tables and no driver holds it) and send one TPM2_PCR_Read for the
sha256 bank (a kernel on a device tree lists no MSFT0101: tis_window_dt). What the TPM answers
is compared with values the test computes from the rules.
Usage: tpm_arm64_test.py CASE [--log-dir DIR]
"""

import json
import os
import shutil
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, os.path.join(HERE, '..', 'boot'))
sys.path.insert(0, os.path.join(HERE, '..', 'stub'))
import zboot_harness as H  # noqa: E402
import boot_test as B  # noqa: E402
import trust_test as T  # noqa: E402
from stub_common import init_with_lines  # noqa: E402
from firmware_test import DT_LINES, build_uki, esp_direct, hwids_machine, qemu_virt_dts  # noqa: E402

case = H.CaseTable()
ARCH = 'aarch64'
SUITE = 'trixie'                # Debian 13's kernel (its EFI stub makes the PCR 9 measurements)
FIRMWARE = 'trixie-strictnx'    # an AAVMF build with TCG2 (module docstring)
TIS_PCRS = (9, 11, 12, 13)
LOADER_GUID = '4a67b082-0a4c-41cf-b6c7-440b29bb8c4f'
STUB_PCR_VARIABLES = ('StubPcrKernelImage', 'StubPcrKernelParameters', 'StubPcrInitRDSysExts',
                      'StubPcrInitRDConfExts')


def pcr_read_command(pcrs):
    """TPM2_PCR_Read (no sessions) of `pcrs` in the sha256 bank: one TPMS_PCR_SELECTION."""
    select = bytearray(3)
    for p in pcrs:
        select[p // 8] |= 1 << (p % 8)
    body = struct.pack('>IHB', 1, 0x000b, 3) + bytes(select)
    return struct.pack('>HII', 0x8001, 10 + len(body), 0x17e) + body


# The TIS FIFO protocol at locality 0 (TCG PC Client Platform TPM Profile): request the
# locality (ACCESS 0x00 bit 1, wait for activeLocality 0x20), commandReady (STS 0x18 bit 6),
# the command byte by byte into the FIFO (0x24), tpmGo (STS 0x20), wait for stsValid|dataAvail
# (0x90), read the 10-byte header, then the rest of the size it gives; release the locality.
# @WINDOW@ sets w to the TPM's MMIO window as "START-END : NAME" (tis_lines).
_TIS_TEMPLATE = r'''
# --- tpm_arm64_test.py: TPM2_PCR_Read through the TIS registers (no kernel driver)
[ -e /dev/mem ] || { $B mkdir -p /dev; $B mknod /dev/mem c 1 1; }
@WINDOW@
echo "TIS_IOMEM=$w"
tisr() { $B devmem $((t + $1)) 8; }
tisw() { $B devmem $((t + $1)) 8 $2; }
tiswait() { n=0; while [ $(( $(tisr $1) & $2 )) -ne $(($2)) ]; do n=$((n+1)); [ $n -gt 5000 ] && return 1; done; }
if [ -n "$w" ]; then
        t=$((0x${w%%-*}))
        echo "TIS_DIDVID=$($B devmem $((t + 0xf00)) 32)"
        tisw 0x0 0x02; tiswait 0x0 0x20 || echo "TIS_ERROR=no locality 0"
        tisw 0x18 0x40; tiswait 0x18 0x40 || echo "TIS_ERROR=not ready"
        for b in @COMMAND@; do tisw 0x24 $b; done
        tisw 0x18 0x20; tiswait 0x18 0x90 || echo "TIS_ERROR=no response"
        r=; i=0
        while [ $i -lt 10 ]; do r=$r$($B printf %02x $(tisr 0x24)); i=$((i+1)); done
        n=$((0x${r:4:8}))
        while [ $i -lt $n ] && [ $i -lt 1024 ]; do r=$r$($B printf %02x $(tisr 0x24)); i=$((i+1)); done
        tisw 0x18 0x40; tisw 0x0 0x20
        echo "TIS_RESPONSE=$r"
fi
'''.replace('@COMMAND@', ' '.join('0x%02x' % b for b in pcr_read_command(TIS_PCRS)))
# the kernel on QEMU's ACPI tables lists the window as MSFT0101 (module docstring)
TIS_WINDOW_ACPI = r"w=$($B grep -E ' : MSFT0101' /proc/iomem | $B head -n1 | $B sed 's/^ *//')"


def tis_lines(window):
    """The TIS PCR read lines with `window` (shell) setting w, as TIS_WINDOW_ACPI does."""
    return _TIS_TEMPLATE.replace('@WINDOW@', window)


TIS_LINES = tis_lines(TIS_WINDOW_ACPI)


def tis_window_dt(dts):
    """On QEMU virt's device tree (source dts, dumped with the TPM): the kernel then runs on the
    device tree, not ACPI, and lists no MSFT0101; its TPM node (tcg,tpm-tis-mmio under the
    platform bus) has no driver either, so nothing puts it in /proc/iomem. Returns (shell setting
    w to the window this dts gives when the kernel's /proc/device-tree has that very node, the
    window's NAME for tis_pcrs)."""
    import re
    bus = re.search(r'\n\t(platform-bus@[0-9a-f]+) \{\n(.*?)\n\t\};', dts, re.S)
    if not bus:
        raise H.HarnessError('no platform bus in the dumped device tree')
    rng = re.search(r'\tranges = <(0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+) (0x[0-9a-f]+)>;', bus.group(2))
    tpm = re.search(r'\t\t(tpm_tis@[0-9a-f]+) \{\n\t\t\treg = <(0x[0-9a-f]+) (0x[0-9a-f]+)>;\n'
                    r'\t\t\tcompatible = "tcg,tpm-tis-mmio";', bus.group(2))
    if not rng or not tpm:
        raise H.HarnessError('no TPM (tcg,tpm-tis-mmio) on the platform bus of the dumped device tree')
    child, parent = int(rng.group(1), 16), (int(rng.group(2), 16) << 32) | int(rng.group(3), 16)
    start, size = parent + int(tpm.group(2), 16) - child, int(tpm.group(3), 16)
    node = '%s/%s' % (bus.group(1), tpm.group(1))
    shell = ('w=; [ "$($B cat /proc/device-tree/%s/compatible 2>/dev/null | $B tr -d \'\\000\')" = tcg,tpm-tis-mmio ] '
             '&& w="%08x-%08x : %s"' % (node, start, start + size - 1, node))
    return shell, node

# efivarfs is a module in Debian 13's kernel: StubPcr* as hex (attributes + data), or empty
STUBPCR_LINES = r'''
# --- tpm_arm64_test.py: the StubPcr* variables
$B insmod /efivarfs.ko 2>/dev/null
$B mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
for v in %s; do
        f=/sys/firmware/efi/efivars/$v-%s
        k=$(echo $v | $B tr a-z A-Z)
        if [ -r $f ]; then echo "VAR_$k=$($B od -An -v -tx1 $f | $B tr -d ' \n')"; else echo "VAR_$k="; fi
done
''' % (' '.join(STUB_PCR_VARIABLES), LOADER_GUID)


def tis_pcrs(check, result, window='MSFT0101:00'):
    """{N: hex} from the TPM2_PCR_Read response the initrd printed; each defect is a failure.
    window: the NAME the initrd's TPM window must have (tis_lines)."""
    check.eq(result['TIS_ERROR'], None, 'TIS protocol')
    check.true((result['TIS_IOMEM'] or '').endswith(' : ' + window),
               "the kernel shows no TPM window %s: %r" % (window, result['TIS_IOMEM']))
    r = bytes.fromhex(result['TIS_RESPONSE'] or '')
    if not check.true(len(r) >= 10, 'no TPM2_PCR_Read response: %r' % result['TIS_RESPONSE']):
        return {}
    tag, size, rc = struct.unpack_from('>HII', r)
    if not check.true((tag, size, rc) == (0x8001, len(r), 0), 'TPM2_PCR_Read failed: tag 0x%x size %d rc 0x%x'
                      % (tag, size, rc)):
        return {}
    sel = r[14:24]
    check.eq(sel.hex(), pcr_read_command(TIS_PCRS)[10:].hex(), 'the PCR selection the TPM read')
    count, = struct.unpack_from('>I', r, 24)
    o, digests = 28, []
    for _ in range(count):
        n, = struct.unpack_from('>H', r, o)
        digests.append(r[o + 2:o + 2 + n].hex())
        o += 2 + n
    check.eq(len(digests), len(TIS_PCRS), 'number of digests read')
    return dict(zip(TIS_PCRS, digests))


def stubpcr(check, result, name, want):
    """A StubPcr* variable: absent (want None) or volatile BS|RT UTF-16 decimal with its NUL."""
    h = result['VAR_' + name.upper()]
    if want is None:
        check.eq(h, '', '%s must not be set' % name)
        return
    check.eq(h, (struct.pack('<I', 0x6) + T.utf16z(want)).hex(), '%s (attributes, UTF-16 "%s")' % (name, want))


def overlay(log_dir, name, lines):
    """An uncompressed cpio: the test initrd's /init with `lines`, and efivarfs.ko."""
    return T.cpio(os.path.join(log_dir, name + '-overlay.cpio'),
                  {'init': (init_with_lines(ARCH, lines).encode(), 0o755),
                   'efivarfs.ko': (H.kernel_module(ARCH, 'fs/efivarfs/efivarfs.ko', SUITE), 0o644)})


def tpm_boot(name, files, cmdline, log_dir, window='MSFT0101:00', extra=()):
    check, result = B.boot_and_check(name, ARCH, files, cmdline, log_dir, tpm=True, firmware=FIRMWARE, extra=extra)
    pcrs = tis_pcrs(check, result, window) if result.reached_marker else {}
    print('%s: TPM PCRs %r' % (name, pcrs))
    efi = [l for l in result.log.splitlines() if '] efi: ' in l and 'ACPI' in l]
    # the firmware has TCG2 (its final events table) and the kernel's stub handed on its log
    check.true(any('TPMFinalLog=' in l and 'TPMEventLog=' in l for l in efi),
               "the kernel's efi: line lacks TPMFinalLog=/TPMEventLog=: %r" % efi)
    check.true('EFI stub: Measured initrd data into PCR 9' in result.log,
               "the kernel's EFI stub did not report measuring the initrd")
    return check, result, pcrs


@case
def trust_arm64_tpm_uki(log_dir):
    """Our arm64 UKI (.linux = our zboot image of Debian 13's kernel) as a Type #1 entry of
    Debian 13's sd-boot with an `options` line, with a TPM: PCR 11, 12 and 9 as for x86
    (trust_test.check_type1_uki_pcrs; PCR 9 is the kernel's own stub's), PCR 13 untouched, and
    StubPcrKernelImage = 11, StubPcrKernelParameters = 12, no StubPcrInitRD* (nothing of the
    kind was measured)."""
    name = 'trust-arm64-tpm-uki'
    embedded = H.default_cmdline(ARCH, 'from-the-uki')
    cmdline = H.default_cmdline(ARCH, name + ' from-load-options zboot.debug')   # our info lines
    ov = overlay(log_dir, name, TIS_LINES + STUBPCR_LINES)
    uki, printed = T.our_measured_uki(log_dir, name, ARCH, embedded, initrds=[ov], suite=SUITE)
    files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(ARCH, SUITE),
             'loader/loader.conf': H.loader_conf(default='uki.conf'),
             'loader/entries/uki.conf': H.type1_entry('uki', linux='/EFI/Linux/uki.efi', options=cmdline),
             'EFI/Linux/uki.efi': uki}
    check, result, pcrs = tpm_boot(name, files, cmdline, log_dir)
    if pcrs:
        T.check_type1_uki_pcrs(check, result, pcrs, uki, printed, cmdline)
        check.eq(pcrs.get(13), T.ZERO_PCR, 'PCR 13 (no system extensions)')
    if result.reached_marker:
        stubpcr(check, result, 'StubPcrKernelImage', '11')
        stubpcr(check, result, 'StubPcrKernelParameters', '12')
        stubpcr(check, result, 'StubPcrInitRDSysExts', None)
        stubpcr(check, result, 'StubPcrInitRDConfExts', None)
    os.unlink(uki)
    os.unlink(ov)
    return check.done(result)


@case
def trust_arm64_tpm_zboot(log_dir):
    """Our vmlinuz.efi (zboot image of Debian 13's kernel) as a Type #1 `linux` entry of Debian 13's
    sd-boot with one `initrd` and `options`, with a TPM: sd-boot measures the options it passes
    into PCR 12; the kernel's own stub (our self-decompressor starts it with the same
    LoadOptions) measures them and the LoadFile2 initrd into PCR 9, once (we measure nothing
    on this path); PCR 11 and 13 stay zero; no StubPcr* variable (no UKI stub ran)."""
    name = 'trust-arm64-tpm-zboot'
    cmdline = H.default_cmdline(ARCH, name)
    ov = overlay(log_dir, name, TIS_LINES + STUBPCR_LINES)
    with open(H.asset(ARCH, 'initrd.cpio.gz'), 'rb') as f:
        # the kernel takes an uncompressed cpio after a compressed one only at a 4-byte
        # offset ("invalid magic at start of compressed archive"); the gzip's length varies
        initrd = H.pad4(f.read())
    with open(ov, 'rb') as f:
        initrd += f.read()
    os.unlink(ov)
    img = B.make_zboot(log_dir, name, ARCH, suite=SUITE)
    files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot(ARCH, SUITE),
             'loader/loader.conf': H.loader_conf(default='zboot.conf'),
             'loader/entries/zboot.conf': H.type1_entry('zboot', linux='/vmlinuz.efi', initrd=['/initrd'],
                                                        options=cmdline),
             'vmlinuz.efi': img, 'initrd': initrd}
    check, result, pcrs = tpm_boot(name, files, cmdline, log_dir)
    if pcrs:
        # the LoadOptions as the kernel printed them (sd-boot puts initrd=PATH in front)
        h = T.utf16z(result['CMDLINE'] or '')
        check.eq(pcrs.get(12), T.extend(T.ZERO_PCR, h), "PCR 12: sd-boot's measurement of the options it passes")
        check.eq(pcrs.get(9), T.extend(T.extend(T.ZERO_PCR, h), initrd),
                 "PCR 9: LoadOptions then the initrd, by the kernel's EFI stub alone")
        check.eq(pcrs.get(11), T.ZERO_PCR, 'PCR 11 (no UKI)')
        check.eq(pcrs.get(13), T.ZERO_PCR, 'PCR 13')
    if result.reached_marker:
        for v in STUB_PCR_VARIABLES:
            stubpcr(check, result, v, None)
    os.unlink(img)
    return check.done(result)


def dtbauto_prediction(check, uki, compatible, who):
    """From our `inspect --json` of uki: (the plain PCR 11, the .dtbauto entry whose first
    compatible is `compatible`: its section index and PCR 11), with the entry checked against
    the independent rule (T.expected_pcr11 with that .dtbauto)."""
    pcr11 = json.loads(B.ukify('inspect', '--json', uki)).get('pcr11', {})
    plain, entries = pcr11.get('sha256'), pcr11.get('dtbauto') or []
    check.eq(plain, T.expected_pcr11(uki), '%s: inspect --json "sha256" (no .dtbauto) against the rule' % who)
    check.eq(sorted(e.get('compatible') for e in entries), ['zboot,hwids-machine', 'zboot,other-machine'],
             '%s: inspect --json lists both .dtbauto' % who)
    entry = next((e for e in entries if e.get('compatible') == compatible), None)
    if not check.true(entry is not None,
                      '%s: no inspect --json .dtbauto entry for %r: %r' % (who, compatible, entries)):
        return plain, None, None
    check.eq(entry['sha256'], T.expected_pcr11(uki, entry['section']),
             '%s: inspect --json .dtbauto entry (section %d) against the rule' % (who, entry['section']))
    check.true(entry['sha256'] != plain, '%s: the .dtbauto entry equals the plain value' % who)
    return plain, entry['section'], entry['sha256']


@case
def trust_arm64_tpm_dtbauto(log_dir):
    """A .dtbauto picked through .hwids is measured into PCR 11 in its place (after .profile,
    before .hwids), as sd-stub 257 measures the one it picked. QEMU virt WITH ACPI (the firmware
    publishes no device tree), SMBIOS type 1/2 fields and a TPM; the UKI has .dtb and two
    .dtbauto made from this machine's own device tree (dumped with its TPM node), and .hwids
    naming the second (firmware_test.hwids_machine, as stub-arm64-dtbauto-hwids). Our UKI
    (.linux = our zboot image of Debian 13's kernel): the kernel runs on the picked .dtbauto, and
    the PCR 11 the TPM reports equals inspect --json's "dtbauto" entry for that section (and
    the rule's value), not its plain "sha256". Then the reference: the same --devicetree/
    --devicetree-auto/--hwids and initrds made by Debian 13's ukify with Debian 13's sd-stub 257:
    its kernel runs on the same .dtbauto, and its PCR 11 equals our inspect --json's entry for
    the section sd-stub picked (systemd-measure 257 is not the reference: docs/ukify-options.md
    "PCR signatures"). The initrd reads the PCRs through the TIS registers at the window of the
    TPM node of the kernel's own device tree (tis_window_dt)."""
    name = 'trust-arm64-tpm-dtbauto'
    want = 'zboot,hwids-machine'
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        swtpm, tpm_args = H.start_swtpm(work, ARCH)
        try:
            dts = qemu_virt_dts(work, tpm_args)
        finally:
            swtpm.kill()
            swtpm.wait()
        window, node = tis_window_dt(dts)
        dt_args, smbios = hwids_machine(work, dts)
        ov = overlay(work, name, tis_lines(window) + DT_LINES)
        initrds = [H.asset(ARCH, 'initrd.cpio.gz'), ov]

        cmdline = H.default_cmdline(ARCH, name + ' zboot.debug')   # our info lines
        uki = build_uki(work, 'ours', ARCH, cmdline, initrds, dt_args, suite=SUITE)
        predicted = H.Check(name)
        plain, section, want11 = dtbauto_prediction(predicted, uki, want, 'ours')
        check, result, pcrs = tpm_boot(name, esp_direct(ARCH, uki), cmdline, log_dir, window=node, extra=smbios)
        for f in predicted.failures:
            check.true(False, f)
        if result.reached_marker:
            check.eq(result['DT_PROP'], 'dtbauto-by-hwids', "the .dtbauto .hwids names became the kernel's device tree")
            check.eq((result['DT_COMPAT'] or '').split(' ')[0], want, 'its first compatible')
            check.eq(result['ACPI'], '0', 'the kernel runs on that device tree, not on the ACPI tables')
        check.true('this machine is "Zboot test machine"' in result.log, 'our stub did not log the .hwids match')
        check.true('installed the device tree from .dtbauto' in result.log, 'our stub did not log the .dtbauto')
        n = sum(1 for sec, d in T.pe_sections(uki) if sec in T.PCR11_SECTIONS and d) + 1
        check.true('measured %d UKI sections into PCR 11' % n in result.log,
                   'our stub did not log %d PCR 11 measurements (the sections and the .dtbauto)' % n)
        if pcrs and want11:
            check.eq(pcrs.get(11), want11, 'PCR 11 from the TPM: inspect --json\'s entry for .dtbauto section %d'
                     % section)
            check.true(pcrs.get(11) != plain, 'PCR 11 from the TPM is the plain value (the .dtbauto not measured)')

        # the reference: Debian 13's ukify and sd-stub 257, the same device trees, .hwids and initrds
        rname = name + '-sdstub257'
        rcmdline = H.default_cmdline(ARCH, rname)
        ref = os.path.join(work, 'sdstub.efi')
        args = ['build', '--stub', H.debian_sdstub(ARCH, 'trixie'), '--linux', H.asset(ARCH, 'vmlinuz', SUITE),
                '--cmdline', rcmdline, '--os-release', B.OSREL.decode()] + dt_args + ['--output', ref]
        for i in initrds:
            args += ['--initrd', i]
        H.run(H.ukify_command('trixie') + args)
        rcheck, rresult, rpcrs = tpm_boot(rname, esp_direct(ARCH, ref), rcmdline, log_dir, window=node, extra=smbios)
        for f in rcheck.failures:
            check.true(False, 'sd-stub 257 reference: ' + f)
        if rresult.reached_marker:
            check.eq(rresult['DT_PROP'], 'dtbauto-by-hwids', 'sd-stub 257 picks the same .dtbauto')
            picked = (rresult['DT_COMPAT'] or '').split(' ')[0]
            rplain, rsection, rwant11 = dtbauto_prediction(check, ref, picked, 'sd-stub 257 UKI')
            if rpcrs and rwant11:
                check.eq(rpcrs.get(11), rwant11, "PCR 11 measured by sd-stub 257: our inspect --json's entry for "
                         "the .dtbauto it picked (section %d)" % rsection)
                check.true(rpcrs.get(11) != rplain, 'PCR 11 under sd-stub 257 is the plain value')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
