#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sd-stub 257 parity: the EFI variables our UKI stub sets for userspace (StubInfo,
StubFeatures, StubImageIdentifier, StubDevicePartUUID, LoaderDevicePartUUID, and when the
firmware starts it directly LoaderImageIdentifier, LoaderFirmwareInfo, LoaderFirmwareType; and
258's LoaderTpm2ActivePcrBanks when the boot manager did not set it),
read by the booted kernel through efivarfs.

Debian 12's kernel has efivarfs as a module (CONFIG_EFIVAR_FS=m), so the test appends to the
test initrd an uncompressed cpio with efivarfs.ko from the same kernel package and a /init
that is the test initrd's own plus lines that load it, mount efivarfs and print each
variable as hex (attributes + data). The later archive wins, so this /init is what runs.
Usage: stub_test.py CASE [--log-dir DIR]
"""

import glob
import os
import re
import struct
import subprocess
import sys
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, os.path.join(HERE, '..', 'boot'))
sys.path.insert(0, os.path.join(HERE, '..', 'trust'))
import zboot_harness as H  # noqa: E402
import boot_test as B  # noqa: E402
import trust_test as T  # noqa: E402
from stub_common import init_with_lines  # noqa: E402

case = H.CaseTable()
LOADER_GUID = '4a67b082-0a4c-41cf-b6c7-440b29bb8c4f'
VARIABLES = ('StubInfo', 'StubFeatures', 'StubImageIdentifier', 'StubDevicePartUUID', 'LoaderDevicePartUUID',
             'LoaderImageIdentifier', 'LoaderFirmwareInfo', 'LoaderFirmwareType', 'LoaderTpm2ActivePcrBanks')
# EFI_TCG2_BOOT_HASH_ALG_* bits of the banks the kernel lists as /sys/class/tpm/tpm0/pcr-<alg>
TCG2_BANK_BITS = {'sha1': 0x1, 'sha256': 0x2, 'sha384': 0x4, 'sha512': 0x8, 'sm3_256': 0x10}
# EFI_VARIABLE_NON_VOLATILE is 1: sd-stub's variables are volatile, BS|RT
ATTR_VOLATILE_BS_RT = 0x6
# StubFeatures bits we claim (docs/stub.md): REPORT_BOOT_PARTITION (0), REPORT_STUB_PARTITION (10)
WANT_FEATURES = (1 << 9) | (1 << 0) | (1 << 10) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 8) | (1 << 6) | (1 << 5) \
    | (1 << 4) | (1 << 7) | (1 << 11)   # CMDLINE_SMBIOS (firmware_test.py), CMDLINE_ADDONS (addon_test.py)
# PICK_UP_CREDENTIALS (1), PICK_UP_SYSEXTS (2), THREE_PCRS (3), PICK_UP_CONFEXTS (8): extra_test.py
# MULTI_PROFILE_UKI (9): profile_test.py; RANDOM_SEED (4): seed_test.py;
# DEVICETREE_ADDONS (7): dtb_addon_test.py — 0x7ff, the bits sd-stub 257 claims; REPORT_URL (11,
# sd-stub 258): stub_x86_http_url_sdstub262 — 0xfff


def efivars_lines(names):
    """/init lines that load efivarfs (a module in Debian 12's kernel), mount it and print each
    LoaderInfo variable of names as EFIVAR_<NAME>=hex (attributes + data), empty when absent."""
    return r'''
# --- stub_test.py: efivarfs and the LoaderInfo variables
$B insmod /efivarfs.ko 2>/dev/null
$B mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
for v in %s; do
        f=/sys/firmware/efi/efivars/$v-%s
        k=$(echo $v | $B tr a-z A-Z)
        if [ -r $f ]; then echo "EFIVAR_$k=$($B od -An -v -tx1 $f | $B tr -d ' \n')"; else echo "EFIVAR_$k="; fi
done
''' % (' '.join(names), LOADER_GUID)


EFIVARS_LINES = efivars_lines(VARIABLES) + r'''
echo "TPM_BANKS=$($B ls -d /sys/class/tpm/tpm0/pcr-* 2>/dev/null | $B sed 's,.*/pcr-,,' | $B tr '\n' ' ')"
'''


# The ESP's GPT partition GUID in our test disk (the harness's ESP is a bare FAT image: no
# partition, so no HD device path node and no partition UUID to report)
ESP_PART_UUID = '5c1d7e2a-3b4f-4e6a-9d8c-0123456789ab'
ESP_TYPE = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b'


def gpt_disk(fat_path, out, part_uuid):
    """A GPT disk holding the FAT image at LBA 2048 as one ESP partition with GUID part_uuid."""
    with open(fat_path, 'rb') as f:
        fat = f.read()
    sec = 512
    first = 2048
    last = first + (len(fat) + sec - 1) // sec - 1
    total = last + 1 + 2048
    entries = bytearray(128 * 128)
    name = 'ESP'.encode('utf-16-le').ljust(72, b'\0')
    struct.pack_into('<16s16sQQQ72s', entries, 0, uuid.UUID(ESP_TYPE).bytes_le, uuid.UUID(part_uuid).bytes_le,
                     first, last, 0, name)
    ecrc = zlib.crc32(entries)
    disk_guid = uuid.UUID('0f0e0d0c-0b0a-4908-8706-050403020100').bytes_le

    def header(my, alt, elba):
        h = bytearray(struct.pack('<8sIIIIQQQQ16sQIII', b'EFI PART', 0x00010000, 92, 0, 0, my, alt, 34, total - 34,
                                  disk_guid, elba, 128, 128, ecrc))
        struct.pack_into('<I', h, 16, zlib.crc32(h))
        return bytes(h).ljust(sec, b'\0')

    mbr = bytearray(sec)
    struct.pack_into('<B3sB3sII', mbr, 446, 0, b'\x00\x02\x00', 0xee, b'\xff\xff\xff', 1, min(total - 1, 0xffffffff))
    mbr[510:512] = b'\x55\xaa'
    with open(out, 'wb') as f:
        f.truncate(total * sec)
        f.write(mbr)
        f.write(header(1, total - 1, 2))
        f.write(entries)
        f.seek(first * sec)
        f.write(fat)
        f.seek((total - 33) * sec)
        f.write(entries)
        f.write(header(total - 1, 1, total - 33))
    return out


_fat_esp = H.make_esp


def gpt_esp(image, files):
    """H.make_esp, then put that FAT image into a GPT disk (used by every boot here)."""
    fat = _fat_esp(image + '.fat', files)
    gpt_disk(fat, image, ESP_PART_UUID)
    os.unlink(fat)
    return image


H.make_esp = gpt_esp



def efivarfs_module(arch):
    """efivarfs.ko from the kernel package the test kernel comes from (same version)."""
    version = H.kernel_version(arch)
    debs = glob.glob(os.path.join(H.CACHE, 'debs', 'linux-image-%s*_%s.deb' % (version, H.DEBIAN_ARCH[arch])))
    if not debs:
        raise H.HarnessError('no linux-image-%s deb in %s/debs (run tools/fetch-test-assets)' % (version, H.CACHE))
    tar = subprocess.run(['dpkg-deb', '--fsys-tarfile', debs[0]], check=True, stdout=subprocess.PIPE).stdout
    ko = subprocess.run(['tar', '-xO', './lib/modules/%s/kernel/fs/efivarfs/efivarfs.ko' % version], input=tar,
                        check=True, stdout=subprocess.PIPE).stdout
    if not ko:
        raise H.HarnessError('efivarfs.ko not found in %s' % debs[0])
    return ko


def test_initrd(log_dir, name, arch):
    """The test initrd + an uncompressed cpio: efivarfs.ko and /init with EFIVARS_LINES."""
    init = init_with_lines(arch, EFIVARS_LINES)
    overlay = T.cpio(os.path.join(log_dir, name + '.overlay.cpio'),
                     {'init': (init.encode(), 0o755), 'efivarfs.ko': (efivarfs_module(arch), 0o644)})
    return [H.asset(arch, 'initrd.cpio.gz'), overlay]


def build_uki(log_dir, name, arch, cmdline, initrds):
    uki = os.path.join(log_dir, name + '.efi')
    osrel = os.path.join(log_dir, name + '.os-release')
    with open(osrel, 'wb') as f:
        f.write(B.OSREL)
    args = ['build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--cmdline', cmdline,
            '--os-release', '@' + osrel, '-o', uki]
    for i in initrds:
        args += ['--initrd', i]
    B.ukify(*args)
    os.unlink(osrel)
    return uki


def efivar(check, result, name):
    """(attributes, data) of a variable the kernel printed, or (None, None) if it is absent."""
    h = result['EFIVAR_' + name.upper()]
    if not h:
        check.true(False, '%s: not set (or efivarfs not mounted)' % name)
        return None, None
    raw = bytes.fromhex(h)
    return struct.unpack_from('<I', raw)[0], raw[4:]


def utf16(check, name, data):
    check.true(len(data) >= 2 and len(data) % 2 == 0 and data[-2:] == b'\0\0',
               '%s: UTF-16 with a NUL, as sd-stub writes it (got %r)' % (name, data))
    return data[:-2].decode('utf-16-le', errors='replace')


def check_variables(check, result, image_id, loader_uuid_from_us):
    vals = {}
    for v in VARIABLES:
        attrs, data = efivar(check, result, v)
        if attrs is None:
            continue
        check.eq(attrs, ATTR_VOLATILE_BS_RT, '%s attributes (volatile, BS|RT)' % v)
        vals[v] = data
    if 'StubInfo' in vals:
        info = utf16(check, 'StubInfo', vals['StubInfo'])
        check.true(info.startswith('ukify-zboot-stub ') and len(info) > len('ukify-zboot-stub '),
                   'StubInfo "ukify-zboot-stub <version>": got %r' % info)
    if 'StubFeatures' in vals:
        check.eq(len(vals['StubFeatures']), 8, 'StubFeatures is a u64')
        check.eq(struct.unpack('<Q', vals['StubFeatures'][:8])[0] if len(vals['StubFeatures']) >= 8 else None,
                 WANT_FEATURES, 'StubFeatures bits')
    if 'StubImageIdentifier' in vals:
        got = utf16(check, 'StubImageIdentifier', vals['StubImageIdentifier'])
        check.eq(got.lower(), image_id.lower(), 'StubImageIdentifier (our FilePath)')
    stub_uuid = loader_uuid = None
    if 'StubDevicePartUUID' in vals:
        stub_uuid = utf16(check, 'StubDevicePartUUID', vals['StubDevicePartUUID'])
        check.eq(stub_uuid, ESP_PART_UUID.upper(), 'StubDevicePartUUID: the ESP partition GUID, uppercase as sd-boot')
    if 'LoaderDevicePartUUID' in vals:
        loader_uuid = utf16(check, 'LoaderDevicePartUUID', vals['LoaderDevicePartUUID'])
        if loader_uuid_from_us:
            check.eq(loader_uuid, ESP_PART_UUID.upper(), 'LoaderDevicePartUUID set by our stub')
        else:
            # sd-boot 252 set it before us, uppercase (observed); ours must be the same text
            check.eq(loader_uuid, ESP_PART_UUID.upper(), "LoaderDevicePartUUID (sd-boot's)")
    return vals


def firmware_from_kernel(check, result):
    """(vendor, 'MAJOR.MINOR') of the system table as the kernel reports it: 'efi: EFI v2.70 by
    EDK II' (6.1: the minor as a number) or 'EFI v2.7 by EDK II' (later kernels: minor / 10, then
    minor % 10 unless 0), None if absent. UEFI minors are two digits (2.31, 2.70)."""
    m = re.search(r'efi: EFI v(\d+)\.(\d+) by ([^\r\n]+)', result.log)
    if not check.true(m is not None, 'the kernel printed "efi: EFI vX.Y by VENDOR"'):
        return None, None
    major, minor, vendor = m.groups()
    minor = int(minor) * 10 if len(minor) == 1 else int(minor)
    return vendor.strip(), '%s.%02d' % (major, minor)


def check_loader_fallbacks(check, vals, image_id, result):
    """The firmware started our UKI (no boot manager): as sd-stub 257, we set
    LoaderImageIdentifier (our path), LoaderFirmwareInfo ("VENDOR X.YY", the firmware revision)
    and LoaderFirmwareType ("UEFI X.YY", the system table revision) — compared with what the
    kernel reports of the same system table."""
    vendor, revision = firmware_from_kernel(check, result)
    for v in ('LoaderImageIdentifier', 'LoaderFirmwareInfo', 'LoaderFirmwareType'):
        check.true(v in vals, '%s set by our stub (no boot manager set it)' % v)
    if 'LoaderImageIdentifier' in vals:
        got = utf16(check, 'LoaderImageIdentifier', vals['LoaderImageIdentifier'])
        check.eq(got.lower(), image_id.lower(), 'LoaderImageIdentifier (our FilePath, as StubImageIdentifier)')
    if 'LoaderFirmwareType' in vals and revision:
        check.eq(utf16(check, 'LoaderFirmwareType', vals['LoaderFirmwareType']), 'UEFI ' + revision,
                 'LoaderFirmwareType: "UEFI " + the system table revision the kernel printed')
    if 'LoaderFirmwareInfo' in vals and vendor:
        got = utf16(check, 'LoaderFirmwareInfo', vals['LoaderFirmwareInfo'])
        check.true(re.fullmatch(re.escape(vendor) + r' \d+\.\d{2,}', got or '') is not None,
                   'LoaderFirmwareInfo "%s X.YY" (the vendor the kernel printed): got %r' % (vendor, got))


def check_pcr_banks(check, vals, result, tpm):
    """LoaderTpm2ActivePcrBanks ("0x%08x", sd-stub 258's form): with a TPM the banks the kernel
    lists, without one 0."""
    if not check.true('LoaderTpm2ActivePcrBanks' in vals, 'LoaderTpm2ActivePcrBanks set by our stub'):
        return
    got = utf16(check, 'LoaderTpm2ActivePcrBanks', vals['LoaderTpm2ActivePcrBanks'])
    want = 0
    if tpm:
        names = (result['TPM_BANKS'] or '').split()
        check.true('sha256' in names, 'the kernel lists a sha256 PCR bank (got %r)' % names)
        for n in names:
            want |= TCG2_BANK_BITS.get(n, 0)
    check.eq(got, '0x%08x' % want, 'LoaderTpm2ActivePcrBanks: the active banks %s' %
             ('the kernel lists' if tpm else '(none: no TPM)'))


@case
def stub_x86_variables_sdboot(log_dir):
    """sd-boot 252 starts our UKI (Type #2): sd-boot set LoaderDevicePartUUID itself (we must
    not overwrite it, and ours — StubDevicePartUUID — must say the same partition, in the same
    text form), StubImageIdentifier is the UKI's path on the ESP."""
    arch, name = 'x86_64', 'stub-x86-variables-sdboot'
    cmdline = H.default_cmdline(arch, name)
    uki = build_uki(log_dir, name, arch, cmdline, test_initrd(log_dir, name, arch))
    files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
             'EFI/Linux/uki.efi': uki}
    check, result = B.boot_and_check(name, arch, files, cmdline, log_dir, tpm=True)
    vals = check_variables(check, result, '\\EFI\\Linux\\uki.efi', False)
    # sd-boot 252 does not know LoaderTpm2ActivePcrBanks (258): ours sets it, from swtpm's banks
    check_pcr_banks(check, vals, result, True)
    # sd-boot set LoaderImageIdentifier (its own path): ours must not replace it
    if check.true('LoaderImageIdentifier' in vals, 'LoaderImageIdentifier (set by sd-boot)'):
        check.eq(utf16(check, 'LoaderImageIdentifier', vals['LoaderImageIdentifier']).lower(),
                 '\\efi\\boot\\bootx64.efi', "LoaderImageIdentifier: sd-boot's, not replaced by ours")
    os.unlink(uki)
    return check.done(result)


@case
def stub_arm64_variables_direct(log_dir):
    """The firmware starts our UKI as EFI/BOOT/BOOTAA64.EFI: no boot manager, so
    LoaderDevicePartUUID is ours."""
    arch, name = 'aarch64', 'stub-arm64-variables-direct'
    cmdline = H.default_cmdline(arch, name)
    uki = build_uki(log_dir, name, arch, cmdline, test_initrd(log_dir, name, arch))
    files = {'EFI/BOOT/BOOTAA64.EFI': uki}
    check, result = B.boot_and_check(name, arch, files, cmdline, log_dir)
    vals = check_variables(check, result, '\\EFI\\BOOT\\BOOTAA64.EFI', True)
    check_loader_fallbacks(check, vals, '\\EFI\\BOOT\\BOOTAA64.EFI', result)
    check_pcr_banks(check, vals, result, False)
    os.unlink(uki)
    return check.done(result)


@case
def stub_x86_shell_cmdline(log_dir):
    """The UEFI Shell starts our UKI with arguments (startup.nsh): the kernel gets Argv[1..]
    joined by spaces, without the program name the Shell puts first in LoadOptions (sd-stub's
    rule), and not .cmdline (LoadOptions win without Secure Boot)."""
    arch, name = 'x86_64', 'stub-x86-shell-cmdline'
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our info lines
    uki = build_uki(log_dir, name, arch, H.default_cmdline(arch, 'from-dot-cmdline'), [H.asset(arch, 'initrd.cpio.gz')])
    files = {'uki.efi': uki, 'startup.nsh': ('fs0:\r\n\\uki.efi ' + cmdline + '\r\nreset -s\r\n').encode()}
    check, result = B.boot_and_check(name, arch, files, cmdline, log_dir)
    if result.reached_marker:
        check.eq(H.kernel_cmdline(result['CMDLINE']), cmdline, 'kernel command line: the Shell arguments only')
    check.true('started by the UEFI Shell' in result.log, 'our stub did not log the Shell command line')
    os.unlink(uki)
    return check.done(result)


def uki_and_sdstub262_twin(log_dir, name, arch, cmdline, variables):
    """Our UKI and sd-stub 262.1's (built by ukify 262) with the same command line and initrds:
    the test initrd, then /init printing the LoaderInfo variables named (efivars_lines())."""
    init = init_with_lines(arch, efivars_lines(variables))
    overlay = T.cpio(os.path.join(log_dir, name + '.overlay.cpio'),
                     {'init': (init.encode(), 0o755), 'efivarfs.ko': (efivarfs_module(arch), 0o644)})
    initrds = [H.asset(arch, 'initrd.cpio.gz'), overlay]
    ours = build_uki(log_dir, name, arch, cmdline, initrds)
    ref = os.path.join(log_dir, name + '.sdstub262.efi')
    H.run(H.ukify_command('sid') + ['build', '--stub', H.debian_sdstub(arch, 'sid'),
                                    '--linux', H.asset(arch, 'vmlinuz'), '--uname', H.kernel_version(arch),
                                    '--cmdline', cmdline, '--initrd', initrds[0], '--initrd', initrds[1],
                                    '--output', ref])
    return ours, ref


# QEMU devices for a USB keyboard: edk2's USB keyboard driver registers its layout ("en-US
# English Keyboard") and makes it current; QEMU's PS/2 keyboard gives OVMF no current layout
USB_KEYBOARD = ('-device', 'qemu-xhci', '-device', 'usb-kbd')


@case
def stub_x86_keyboard_layout_sdstub262(log_dir):
    """LoaderKeyboardLayout (sd-stub 262): the language tag of the firmware's current keyboard
    layout, volatile BS|RT, set only when the firmware has one. Differential: the same initrd and
    command line under sd-stub 262.1 (built by ukify 262) and ours, each with a USB keyboard
    (both must give "en-US", byte for byte the same variable) and without one (neither sets it)."""
    arch, name = 'x86_64', 'stub-x86-keyboard-layout-sdstub262'
    cmdline = H.default_cmdline(arch, name)
    ours, ref = uki_and_sdstub262_twin(log_dir, name, arch, cmdline,
                                       ('LoaderKeyboardLayout', 'StubInfo', 'StubDeviceURL'))
    check = H.Check(name)
    got, result = {}, None
    for stub, uki in (('sdstub262', ref), ('ours', ours)):
        for kbd, extra in (('usb', USB_KEYBOARD), ('ps2', ())):
            tag = '%s-%s' % (stub, kbd)
            c, result = B.boot_and_check('%s-%s' % (name, tag), arch, {'EFI/BOOT/BOOTX64.EFI': uki}, cmdline, log_dir,
                                         extra=extra)
            for x in c.failures:
                check.true(False, '%s: %s' % (tag, x))
            check.true(bool(result['EFIVAR_STUBINFO']),
                       "%s: the kernel's efivarfs shows no StubInfo (not mounted?)" % tag)
            check.eq(result['EFIVAR_STUBDEVICEURL'], '', '%s: no StubDeviceURL when booted from a disk' % tag)
            got[tag] = result['EFIVAR_LOADERKEYBOARDLAYOUT']
    want = struct.pack('<I', ATTR_VOLATILE_BS_RT).hex() + 'en-US\0'.encode('utf-16-le').hex()
    check.eq(got.get('sdstub262-usb'), want, 'sd-stub 262 with a USB keyboard: LoaderKeyboardLayout "en-US", BS|RT')
    check.eq(got.get('ours-usb'), got.get('sdstub262-usb'), 'ours with a USB keyboard: the same variable as 262')
    check.eq(got.get('sdstub262-ps2'), '', 'sd-stub 262 without a USB keyboard: no LoaderKeyboardLayout')
    check.eq(got.get('ours-ps2'), '', 'ours without a USB keyboard: no LoaderKeyboardLayout')
    os.unlink(ours)
    return check.done(result)



@case
def stub_x86_http_url_sdstub262(log_dir):
    """StubDeviceURL and LoaderDeviceURL (sd-stub 258) and StubFeatures bit 11 (REPORT_URL): the
    UKI started as HTTP boot starts it — test/efi/httpboot-mock, from memory on a handle whose
    device path ends with a URI node (edk2's HttpBootDxe form, with its NUL) — by sd-stub 262.1
    and by ours: both variables the mock's URL, volatile BS|RT, byte for byte as 262's."""
    arch, name = 'x86_64', 'stub-x86-http-url-sdstub262'
    cmdline = H.default_cmdline(arch, name)
    ours, ref = uki_and_sdstub262_twin(log_dir, name, arch, cmdline,
                                       ('StubDeviceURL', 'LoaderDeviceURL', 'StubFeatures', 'StubInfo',
                                        'StubImageIdentifier', 'LoaderImageIdentifier'))
    url = 'http://10.0.2.2:8000/EFI/Linux/uki.efi'
    want = struct.pack('<I', ATTR_VOLATILE_BS_RT).hex() + (url + '\0').encode('utf-16-le').hex()
    check = H.Check(name)
    got, result = {}, None
    for stub, uki in (('sdstub262', ref), ('ours', ours)):
        files = {'EFI/BOOT/BOOTX64.EFI': B.test_efi('httpboot-mock', arch), 'EFI/Linux/uki.efi': uki}
        c, result = B.boot_and_check('%s-%s' % (name, stub), arch, files, cmdline, log_dir)
        for x in c.failures:
            check.true(False, '%s: %s' % (stub, x))
        check.true('httpboot-mock: starting' in result.log, '%s: the HTTP boot stand-in started the UKI' % stub)
        got[stub] = (result['EFIVAR_STUBDEVICEURL'], result['EFIVAR_LOADERDEVICEURL'], result['EFIVAR_STUBFEATURES'],
                     result['EFIVAR_STUBIMAGEIDENTIFIER'], result['EFIVAR_LOADERIMAGEIDENTIFIER'])
    check.eq(got['sdstub262'][:2], (want, want), "sd-stub 262: StubDeviceURL and LoaderDeviceURL, the mock's URL")
    check.eq(got['ours'][:2], got['sdstub262'][:2], 'ours: the same two variables as sd-stub 262')
    # the image has no file path (started from memory): the identifiers as 262 sets them then
    check.eq(got['ours'][3:], got['sdstub262'][3:], 'ours: StubImageIdentifier, LoaderImageIdentifier as sd-stub 262')
    for stub, (_, _, feat, _, _) in got.items():
        f = struct.unpack_from('<Q', bytes.fromhex(feat), 4)[0] if len(feat) == 24 else 0
        check.true(f & (1 << 11), '%s: StubFeatures bit 11 (REPORT_URL): %r' % (stub, feat))
    os.unlink(ours)
    return check.done(result)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
