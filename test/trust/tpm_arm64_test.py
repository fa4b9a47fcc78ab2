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
sha256 bank. What the TPM answers is compared with values the test computes from the rules.
Usage: tpm_arm64_test.py CASE [--log-dir DIR]
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, os.path.join(HERE, '..', 'boot'))
sys.path.insert(0, os.path.join(HERE, '..', 'stub'))
import zboot_harness as H  # noqa: E402
import boot_test as B  # noqa: E402
import trust_test as T  # noqa: E402
from stub_common import init_with_lines  # noqa: E402

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
TIS_LINES = r'''
# --- tpm_arm64_test.py: TPM2_PCR_Read through the TIS registers (no kernel driver)
[ -e /dev/mem ] || { $B mkdir -p /dev; $B mknod /dev/mem c 1 1; }
w=$($B grep -E ' : MSFT0101' /proc/iomem | $B head -n1 | $B sed 's/^ *//')
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


def tis_pcrs(check, result):
    """{N: hex} from the TPM2_PCR_Read response the initrd printed; each defect is a failure."""
    check.eq(result['TIS_ERROR'], None, 'TIS protocol')
    check.true((result['TIS_IOMEM'] or '').endswith('MSFT0101:00'),
               "the kernel lists no TPM window (MSFT0101) in /proc/iomem: %r" % result['TIS_IOMEM'])
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


def tpm_boot(name, files, cmdline, log_dir):
    check, result = B.boot_and_check(name, ARCH, files, cmdline, log_dir, tpm=True, firmware=FIRMWARE)
    pcrs = tis_pcrs(check, result) if result.reached_marker else {}
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


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
