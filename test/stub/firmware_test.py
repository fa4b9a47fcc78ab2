#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sd-stub 257 parity, firmware tables: the SMBIOS type 11 command-line extra
(io.systemd.stub.kernel-cmdline-extra) and device trees (.dtb), checked in the booted kernel
(/proc/cmdline, the TPM's PCR 12, /proc/device-tree), .dtbauto chosen through .hwids (CHIDs). docs/stub.md "SMBIOS" and "Device trees".
Usage: firmware_test.py CASE [--log-dir DIR]
"""

import os
import shutil
import subprocess
import sys
import tempfile

from stub_common import B, H, T, init_with_lines

case = H.CaseTable()
EXTRA = 'zboot-smbios-extra'
OEM = 'io.systemd.stub.kernel-cmdline-extra'


def smbios_args(value):
    return ['-smbios', 'type=11,value=%s=%s' % (OEM, value)]


def build_uki(work, name, arch, cmdline, initrds=None, extra_args=(), sign=None, suite='bookworm'):
    """Our UKI: our stub, .linux = our zboot image of the suite's kernel (native on x86, PE path on arm64)."""
    uki = os.path.join(work, name + '.efi')
    args = ['build', '--linux', H.asset(arch, 'vmlinuz', suite), '--zboot=zstd', '--cmdline', cmdline,
            '--os-release', B.OSREL.decode(), '-o', uki]
    for i in initrds or [H.asset(arch, 'initrd.cpio.gz')]:
        args += ['--initrd', i]
    if sign:
        args += ['--secureboot-private-key', sign[0], '--secureboot-certificate', sign[1]]
    B.ukify(*(args + list(extra_args)))
    return uki


def esp_direct(arch, uki):
    return {'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper(): uki}


# ---- SMBIOS type 11 -------------------------------------------------------------------------

def smbios_cmdline(log_dir, arch, tag):
    """.cmdline, no LoadOptions (started directly by the firmware), an SMBIOS OEM string with a
    leading space and a tab inside: the kernel gets .cmdline + ' ' + the normalised value, and
    (x86, with a TPM) PCR 12 holds exactly that value (UTF-16 with its NUL), measured alone, as
    sd-stub 257 does (.cmdline itself is in PCR 11, not 12)."""
    name = 'stub-%s-smbios-cmdline' % tag
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our info lines
    uki = build_uki(log_dir, name, arch, cmdline)
    want, extra = cmdline + ' ' + EXTRA + ' x=1', smbios_args(' %s\tx=1' % EXTRA)
    if arch == 'x86_64':
        check, result, pcrs = T.tpm_boot(name, arch, esp_direct(arch, uki), want, log_dir, extra=extra)
        check.eq(pcrs.get(12), T.extend(T.ZERO_PCR, T.utf16z(EXTRA + ' x=1')), 'PCR 12: the SMBIOS extra alone')
    else:
        # Debian 12's AAVMF has no TPM 2.0 support (no trust test measures on arm64 either)
        check, result = B.boot_and_check(name, arch, esp_direct(arch, uki), want, log_dir, extra=extra)
    check.true('appended SMBIOS %s' % OEM in result.log, 'our stub did not log the SMBIOS extra')
    os.unlink(uki)
    return check.done(result)


@case
def stub_x86_smbios_cmdline(log_dir):
    return smbios_cmdline(log_dir, 'x86_64', 'x86')


@case
def stub_arm64_smbios_cmdline(log_dir):
    return smbios_cmdline(log_dir, 'aarch64', 'arm64')


@case
def stub_x86_smbios_none(log_dir):
    """Other OEM strings but not ours: the command line is .cmdline alone and nothing is
    measured into PCR 12."""
    arch, name = 'x86_64', 'stub-x86-smbios-none'
    cmdline = H.default_cmdline(arch, name)
    uki = build_uki(log_dir, name, arch, cmdline)
    check, result, pcrs = T.tpm_boot(name, arch, esp_direct(arch, uki), cmdline, log_dir,
                                     extra=['-smbios', 'type=11,value=io.systemd.stub.kernel-cmdline=no',
                                            '-smbios', 'type=11,value=other=%s' % EXTRA])
    check.eq(pcrs.get(12), T.ZERO_PCR, 'PCR 12 untouched')
    os.unlink(uki)
    return check.done(result)


@case
def stub_x86_smbios_loglevel(log_dir):
    """sd-stub 262's io.systemd.boot.loglevel= (SMBIOS type 11): "debug" prints our lines of
    detail without "zboot.debug" on the command line (here "placement seeded from", a line held
    until the command line is read), and without the string it is not printed; a value it does
    not know is a warning and changes nothing; the kernel boots each time."""
    arch, name = 'x86_64', 'stub-x86-smbios-loglevel'
    cmdline = H.default_cmdline(arch, name)
    uki = build_uki(log_dir, name, arch, cmdline)
    check = H.Check(name)
    detail = 'placement seeded from'
    for tag, value, want_detail, want_warning in (('debug', 'debug', True, False), ('none', None, False, False),
                                                  ('bogus', 'bogus', False, True)):
        extra = ['-smbios', 'type=11,value=io.systemd.boot.loglevel=%s' % value] if value else []
        c, r = B.boot_and_check('%s-%s' % (name, tag), arch, esp_direct(arch, uki), cmdline, log_dir, extra=extra)
        for f in c.failures:
            check.true(False, '%s: %s' % (tag, f))
        check.eq(detail in r.log, want_detail, '%s: our line of detail ("%s") printed' % (tag, detail))
        check.eq('cannot parse the SMBIOS log level "bogus"' in r.log, want_warning, '%s: the warning' % tag)
    os.unlink(uki)
    return check.done()


def secureboot_esp(work, arch, uki, key, cert):
    """Signed Debian 13 sd-boot starting the (signed) UKI as a Type #2 entry."""
    sdboot = T.sign(H.debian_sdboot(arch, 'trixie'), os.path.join(work, 'sdboot.signed.efi'), key, cert)
    return {'EFI/BOOT/BOOTX64.EFI': sdboot, 'loader/loader.conf': H.loader_conf(), 'EFI/Linux/uki.efi': uki}


@case
def stub_x86_smbios_secureboot(log_dir):
    """Secure Boot (Debian 13's snakeoil OVMF, everything signed with its key): systemd-stub 257
    appends the SMBIOS extra under Secure Boot too — only a confidential VM makes it ignore the
    string — and so do we. The same boot with Debian 13's own sd-stub 257 (a UKI of the same
    sections, made and signed by Debian 13's ukify) shows what the reference does; both kernels
    must report the same command line, locked down."""
    arch, name = 'x86_64', 'stub-x86-smbios-secureboot'
    cmdline = H.default_cmdline(arch, name)
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        key, cert = T.snakeoil_key(work, 'trixie')
        ours = build_uki(work, 'ours', arch, cmdline, sign=(key, cert))
        check, result = B.boot_and_check(name, arch, secureboot_esp(work, arch, ours, key, cert),
                                         cmdline + ' ' + EXTRA, log_dir, firmware='trixie-secureboot',
                                         extra=smbios_args(EXTRA))
        T.check_lockdown(check, result)
        ref = os.path.join(work, 'sdstub.efi')
        H.run(H.ukify_command('trixie') + [
            'build', '--stub', H.debian_sdstub(arch, 'trixie'), '--linux', H.asset(arch, 'vmlinuz'),
            '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--cmdline', cmdline, '--os-release', B.OSREL.decode(),
            '--secureboot-private-key', key, '--secureboot-certificate', cert, '--signtool', 'sbsign',
            '--output', ref])
        rcheck, rresult = B.boot_and_check(name + '-sdstub257', arch, secureboot_esp(work, arch, ref, key, cert),
                                           cmdline + ' ' + EXTRA, log_dir, firmware='trixie-secureboot',
                                           extra=smbios_args(EXTRA))
        T.check_lockdown(rcheck, rresult)
        for f in rcheck.failures:
            check.true(False, 'sd-stub 257 reference: ' + f)
        if result.reached_marker and rresult.reached_marker:
            check.eq(H.kernel_cmdline(result['CMDLINE']), H.kernel_cmdline(rresult['CMDLINE']),
                     'our command line against sd-stub 257')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---- device trees (arm64) -------------------------------------------------------------------

DT_LINES = r"""
# --- firmware_test.py: what the kernel took as its device tree
dt=/proc/device-tree
[ -d $dt ] && echo DT=1 || echo DT=0
echo "DT_PROP=$($B cat $dt/zboot-dtb-test 2>/dev/null | $B tr -d '\000')"
echo "DT_COMPAT=$($B cat $dt/compatible 2>/dev/null | $B tr '\000' ' ')"
[ -d /sys/firmware/acpi/tables ] && echo ACPI=1 || echo ACPI=0
"""


def dt_initrd(work, arch):
    """The test initrd + an uncompressed cpio whose /init is the test initrd's own with DT_LINES
    before the marker (the later archive wins)."""
    base = H.asset(arch, 'initrd.cpio.gz')
    init = init_with_lines(arch, DT_LINES)
    return [base, T.cpio(os.path.join(work, 'dt-overlay.cpio'), {'init': (init.encode(), 0o755)})]


# QEMU virt without ACPI tables: AAVMF then publishes QEMU's device tree as the firmware's EFI
# FDT table (with ACPI tables it publishes none)
NO_ACPI = ['-machine', 'acpi=off']


def qemu_virt_dts(work, extra=()):
    """QEMU virt's own device tree for exactly the harness's arm64 machine (dumpdtb), as source."""
    esp, vars_copy, dtb = (os.path.join(work, n) for n in ('dump-esp.img', 'dump-vars.fd', 'virt.dtb'))
    with open(esp, 'wb') as f:
        f.truncate(1 << 20)
    shutil.copyfile(H.need_file(H.FIRMWARE['aarch64']['default'][1], 'firmware variables'), vars_copy)
    cmd = H.qemu_command('aarch64', esp, vars_copy, extra=extra)
    i = cmd.index('-M')
    cmd[i + 1] += ',dumpdtb=' + dtb
    H.run(cmd)
    if shutil.which('dtc') is None:
        raise H.HarnessError('dtc not installed (device-tree-compiler: run tools/setup)')
    return subprocess.run(['dtc', '-q', '-I', 'dtb', '-O', 'dts', dtb], check=True, stdout=subprocess.PIPE).stdout.decode()


def make_dtb(work, name, dts, value, compatible=None):
    """dts with a root property zboot-dtb-test = value (and another first compatible), compiled."""
    head = '/ {\n'
    if head not in dts:
        raise H.HarnessError('no root node in the dumped device tree')
    root = head + '\tzboot-dtb-test = "%s";\n' % value
    if compatible:
        import re
        dts = re.sub(r'(\n/ \{.*?)\n\tcompatible = [^;]*;', lambda m: m.group(1), dts, count=1, flags=re.S)
        root += '\tcompatible = "%s";\n' % compatible
    src, out = os.path.join(work, name + '.dts'), os.path.join(work, name + '.dtb')
    with open(src, 'w') as f:
        f.write(dts.replace(head, root, 1))
    H.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', out, src])
    return out


@case
def stub_arm64_dtb(log_dir):
    """.dtb = QEMU virt's own device tree for this very machine plus one root property: the
    stub installs it as the EFI FDT table, the kernel's EFI stub takes it, and the kernel shows
    the property under /proc/device-tree (with a full device tree from the firmware side, arm64
    Linux uses it rather than ACPI)."""
    arch, name = 'aarch64', 'stub-arm64-dtb'
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        dtb = make_dtb(work, 'uki', qemu_virt_dts(work), 'from-the-uki')
        uki = build_uki(work, name, arch, cmdline, dt_initrd(work, arch), ['--devicetree', dtb])
        check, result = B.boot_and_check(name, arch, esp_direct(arch, uki), cmdline, log_dir)
        if result.reached_marker:
            check.eq(result['DT'], '1', '/proc/device-tree exists')
            check.eq(result['DT_PROP'], 'from-the-uki', 'the .dtb property in the kernel\'s device tree')
            check.eq(result['ACPI'], '0', 'the kernel runs on the device tree, not ACPI')
        check.true('installed the device tree from .dtb' in result.log, 'our stub did not log the .dtb')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def stub_arm64_dtbauto(log_dir):
    """QEMU virt without ACPI (the firmware publishes a device tree), two .dtbauto sections and
    a .dtb: the .dtbauto whose first compatible is the firmware device tree's
    ("linux,dummy-virt") wins over another model's and over .dtb, as sd-stub 257 selects them,
    and replaces the firmware's table."""
    arch, name = 'aarch64', 'stub-arm64-dtbauto'
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        dts = qemu_virt_dts(work, NO_ACPI)
        other = make_dtb(work, 'other', dts, 'other-model', compatible='zboot,not-this-machine')
        virt = make_dtb(work, 'virt', dts, 'dtbauto-virt')
        plain = make_dtb(work, 'plain', dts, 'plain-dtb')
        uki = build_uki(work, name, arch, cmdline, dt_initrd(work, arch),
                        ['--devicetree', plain, '--devicetree-auto', other, '--devicetree-auto', virt])
        check, result = B.boot_and_check(name, arch, esp_direct(arch, uki), cmdline, log_dir, extra=NO_ACPI)
        if result.reached_marker:
            check.eq(result['DT_PROP'], 'dtbauto-virt', 'the matching .dtbauto became the kernel\'s device tree')
        check.true("installed the device tree from .dtbauto" in result.log and "replacing the firmware's" in result.log,
                   'our stub did not log the .dtbauto replacing the firmware\'s device tree')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# The machine's SMBIOS as QEMU publishes it (-smbios type=1/type=2): the manufacturer with a
# leading zero and trailing spaces, which the CHID rules strip (sd-stub 257, fwupd)
HWIDS_SMBIOS = {'manufacturer': '0Zboot Test Co  ', 'family': 'Zboot Family', 'product': 'ZB-1', 'sku': 'ZB-SKU-7',
                'board_manufacturer': 'Zboot Boards', 'board_product': 'ZBB-1'}


def python_chid(*fields):
    """A CHID computed here, independently of our C: UUIDv5 (SHA-1) in Microsoft's namespace over
    the UTF-16LE string of the fields joined by '&'."""
    import hashlib
    import uuid
    ns = uuid.UUID('70ffd812-4c7f-4c7d-0000-000000000000')
    name = '&'.join(fields).encode('utf-16-le')
    return str(uuid.UUID(bytes=hashlib.sha1(ns.bytes + name).digest()[:16], version=5))


def machine_chids():
    """The test machine's (HardwareID-3, HardwareID-11), computed here from HWIDS_SMBIOS with the
    CHID rules (the manufacturer's leading blanks and '0's and trailing blanks stripped)."""
    m = HWIDS_SMBIOS
    stripped = m['manufacturer'].lstrip(' ').lstrip('0').rstrip(' ')
    return (python_chid(stripped, m['family'], m['product'], m['sku'], m['board_manufacturer'], m['board_product']),
            python_chid(stripped, m['family']))


def machine_smbios_args():
    """QEMU's SMBIOS type 1/2 arguments for the test machine (HWIDS_SMBIOS)."""
    m = HWIDS_SMBIOS
    return ['-smbios', 'type=1,manufacturer=%s,product=%s,family=%s,sku=%s' %
            (m['manufacturer'], m['product'], m['family'], m['sku']),
            '-smbios', 'type=2,manufacturer=%s,product=%s' % (m['board_manufacturer'], m['board_product'])]


def hwids_machine(work, dts):
    """The machine of stub-arm64-dtbauto-hwids (also used by test/trust/tpm_arm64_test.py): from the
    device tree source dts, a .dtb ('plain-dtb') and two .dtbauto, 'other-model' (compatible
    zboot,other-machine) and 'dtbauto-by-hwids' (zboot,hwids-machine), and a --hwids directory
    whose first device names the other one by this machine's less specific CHID (HardwareID-11)
    and whose second names the matching one by its most specific (HardwareID-3). Returns (the
    build options, in this order for our CLI and Debian 13's ukify alike; QEMU's SMBIOS type 1/2
    arguments for the machine)."""
    import json
    chid3, chid11 = machine_chids()
    other = make_dtb(work, 'other', dts, 'other-model', compatible='zboot,other-machine')
    match = make_dtb(work, 'match', dts, 'dtbauto-by-hwids', compatible='zboot,hwids-machine')
    plain = make_dtb(work, 'plain', dts, 'plain-dtb')
    hw = os.path.join(work, 'hwids')
    os.makedirs(hw)
    with open(os.path.join(hw, 'a-other.json'), 'w') as f:
        json.dump({'name': 'Other machine', 'compatible': 'zboot,other-machine', 'hwids': [chid11]}, f)
    with open(os.path.join(hw, 'b-this.json'), 'w') as f:
        json.dump({'name': 'Zboot test machine', 'compatible': 'zboot,hwids-machine', 'hwids': [chid3]}, f)
    extra = machine_smbios_args()
    return ['--devicetree', plain, '--devicetree-auto', other, '--devicetree-auto', match, '--hwids', hw], extra


@case
def stub_arm64_dtbauto_hwids(log_dir):
    """QEMU virt with ACPI (the firmware publishes no device tree) and SMBIOS type 1/2 fields:
    the .hwids entry whose CHID is this machine's most specific one (HardwareID-3: manufacturer,
    family, product, SKU, baseboard manufacturer and product) names a compatible, and the
    .dtbauto with that first compatible becomes the kernel's device tree, as sd-stub 257
    selects it; another device listed first that has a less specific CHID of this machine
    (HardwareID-11: manufacturer, family) loses, and so does .dtb. The same sections made by
    Debian 13's ukify with Debian 13's sd-stub 257 pick the same .dtbauto on the same machine."""
    arch, name = 'aarch64', 'stub-arm64-dtbauto-hwids'
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        dt_args, extra = hwids_machine(work, qemu_virt_dts(work))
        uki = build_uki(work, name, arch, cmdline, dt_initrd(work, arch), dt_args)
        check, result = B.boot_and_check(name, arch, esp_direct(arch, uki), cmdline, log_dir, extra=extra)
        if result.reached_marker:
            check.eq(result['DT_PROP'], 'dtbauto-by-hwids', 'the .dtbauto .hwids names became the kernel\'s device tree')
            check.eq(result['DT_COMPAT'].split(' ')[0], 'zboot,hwids-machine', 'its first compatible')
            check.eq(result['ACPI'], '0', 'the kernel runs on that device tree, not on the ACPI tables')
        check.true('this machine is "Zboot test machine"' in result.log, 'our stub did not log the .hwids match')
        check.true('installed the device tree from .dtbauto' in result.log, 'our stub did not log the .dtbauto')
        # the reference: the same sections made by Debian 13's ukify with Debian 13's sd-stub 257
        ref = os.path.join(work, 'sdstub.efi')
        args = ['build', '--stub', H.debian_sdstub(arch, 'trixie'), '--linux', H.asset(arch, 'vmlinuz'),
                '--cmdline', cmdline, '--os-release', B.OSREL.decode()] + dt_args + ['--output', ref]
        for i in dt_initrd(work, arch):
            args += ['--initrd', i]
        H.run(H.ukify_command('trixie') + args)
        rcheck, rresult = B.boot_and_check(name + '-sdstub257', arch, esp_direct(arch, ref), cmdline, log_dir,
                                           extra=extra)
        for f in rcheck.failures:
            check.true(False, 'sd-stub 257 reference: ' + f)
        if rresult.reached_marker:
            check.eq(rresult['DT_PROP'], 'dtbauto-by-hwids', 'sd-stub 257 picks the same .dtbauto')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
