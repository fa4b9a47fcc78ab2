#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sd-stub 257 parity, the random seed (StubFeatures bit 4): started by the firmware from a GPT
ESP that has \\loader\\random-seed, our stub rewrites the file (new first 32 bytes, the rest
zeroed, as systemd-stub 257 does) and installs a LINUX_EFI_RANDOM_SEED table, which the kernel
reports in its EFI table line ("efi: ... RNG=0x..."). On the native x86 path the kernel's own EFI
stub does not run, so a seed table can only be ours: the same boot without the file must show
none. On arm64 (the PE path) the file is checked the same way. docs/stub.md "Random seed".
Usage: seed_test.py CASE [--log-dir DIR]
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from stub_common import B, H  # noqa: E402
import stub_test as S  # noqa: E402  (importing it makes every ESP a GPT disk: the seed is read from the ESP partition)

case = H.CaseTable()
SEED = bytes((i * 7 + 3) & 0xff for i in range(64))   # 64 bytes: the last 32 must come back zeroed
RNG_LINE = re.compile(r'^.*efi: .*\bRNG=0x[0-9a-f]+', re.M)
OUR_LOG = 'LINUX_EFI_RANDOM_SEED table installed'
FAT_OFFSET = 2048 * 512   # S.gpt_disk puts the FAT at LBA 2048


def boot_keeping_esp(name, arch, files, cmdline, log_dir, keep):
    """B.boot_and_check, with the ESP disk image hard-linked to keep (the harness deletes its own
    copy after the boot; QEMU wrote to the same inode)."""
    made = H.make_esp

    def make_and_keep(image, f):
        r = made(image, f)
        if os.path.exists(keep):
            os.unlink(keep)
        os.link(image, keep)
        return r
    H.make_esp = make_and_keep
    try:
        return B.boot_and_check(name, arch, files, cmdline, log_dir)
    finally:
        H.make_esp = made


def read_esp_file(disk, path, out):
    H.run(['mcopy', '-n', '-o', '-i', '%s@@%d' % (disk, FAT_OFFSET), '::/' + path, out])
    with open(out, 'rb') as f:
        return f.read()


def seed_case(log_dir, arch, tag):
    name = 'stub-%s-random-seed' % tag
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    uki = os.path.join(work, 'uki.efi')
    B.ukify('build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--cmdline', cmdline,
            '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--os-release', B.OSREL.decode(), '-o', uki)
    boot_path = 'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper()
    disk = os.path.join(work, 'esp-after.img')

    # 1. with \loader\random-seed: the kernel gets a seed table, the file is rewritten
    check, result = boot_keeping_esp(name, arch, {boot_path: uki, 'loader/random-seed': SEED}, cmdline,
                                     log_dir, disk)
    m = RNG_LINE.search(result.log)
    check.true(m is not None, 'the kernel reports no LINUX_EFI_RANDOM_SEED table (no "RNG=" in its efi: line)')
    check.true(OUR_LOG in result.log, 'our stub did not log the seed table')
    after = read_esp_file(disk, 'loader/random-seed', os.path.join(work, 'seed-after'))
    check.eq(len(after), len(SEED), 'the seed file keeps its size')
    check.true(after[:32] != SEED[:32] and after[:32] != bytes(32), 'the first 32 bytes of the seed file are new')
    check.eq(after[32:], bytes(len(SEED) - 32), 'the rest of the seed file is zeroed')

    # 2. the same without the file: no seed table at all (on x86 nothing else installs one)
    if arch == 'x86_64':
        r2 = H.boot(arch, {boot_path: uki}, log_path=os.path.join(log_dir, name + '-nofile.log'))
        check.true(r2.reached_marker, 'the boot without a seed file did not reach the initrd')
        check.true(RNG_LINE.search(r2.log) is None,
                   'without \\loader\\random-seed the kernel still reports a seed table: not ours')
    os.unlink(uki)
    return check.done(result)


@case
def stub_x86_random_seed(log_dir):
    return seed_case(log_dir, 'x86_64', 'x86')


@case
def stub_arm64_random_seed(log_dir):
    """The PE path: the kernel's own EFI stub runs after ours and installs a table of its own
    from EFI_RNG_PROTOCOL as well (mixing in ours), so the kernel's "RNG=" proves less here; the
    rewritten file and our log show our step ran."""
    return seed_case(log_dir, 'aarch64', 'arm64')


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
