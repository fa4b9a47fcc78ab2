#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sd-stub 257 parity, the random seed (StubFeatures bit 4): started by the firmware from a GPT
ESP that has \\loader\\random-seed, our stub rewrites the file (new first 32 bytes, the rest
zeroed, as systemd-stub 257 does) and installs a LINUX_EFI_RANDOM_SEED table, which the kernel
reports in its EFI table line ("efi: ... RNG=0x..."). On the native x86 path the kernel's own EFI
stub does not run, so a seed table can only be ours: the same boot without the file must show
none. On arm64 (the PE path) the file is checked the same way. docs/stub.md "Random seed". And
sd-stub 262's boot secret (/.extra/boot-secret), against sd-stub 262: docs/stub.md "Boot secret".
Usage: seed_test.py CASE [--log-dir DIR]
"""

import hashlib
import os
import re
import struct
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from stub_common import B, H, T, init_with_lines  # noqa: E402
import stub_test as S  # noqa: E402  (importing it makes every ESP a GPT disk: the seed is read from the ESP partition)

case = H.CaseTable()
SEED = bytes((i * 7 + 3) & 0xff for i in range(64))   # 64 bytes: the last 32 must come back zeroed
RNG_LINE = re.compile(r'^.*efi: .*\bRNG=0x[0-9a-f]+', re.M)
OUR_LOG = 'LINUX_EFI_RANDOM_SEED table installed'
FAT_OFFSET = 2048 * 512   # S.gpt_disk puts the FAT at LBA 2048


def boot_keeping_esp(name, arch, files, cmdline, log_dir, keep, **kw):
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
        return B.boot_and_check(name, arch, files, cmdline, log_dir, **kw)
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



# ---- the boot secret (sd-stub 262) ----------------------------------------------------------

SECRET_LINES = r"""
# --- seed_test.py: /.extra and the boot secret
for f in /.extra /.extra/*; do echo "XSTAT=$($B stat -c '%a:%u:%g:%s:%n' $f)"; done
echo "SECRET=$($B od -An -v -tx1 /.extra/boot-secret 2>/dev/null | $B tr -d ' \n')"
""" + S.efivars_lines(('LoaderBootSecret', 'StubInfo'))
OSREL_ID = 'NAME="Zboot test"\nID=debian\n# IMAGE_ID=not-this\nIMAGE_ID="zboot-image"\nID=later\n'
MIXIN = bytes(range(100, 132))


AUTH_VARSTORE = uuid.UUID('aaf32c78-947b-439a-a180-2e144ec37792')


def store_variable(vars_fd, name, guid):
    """(attributes, data) of the live variable name (vendor guid) in an edk2 variable store file:
    the firmware volume's header (signature "_FVH" at 40, its length at 48), then the
    authenticated variable store (its GUID, its size), in which each variable is StartId 0x55aa,
    State (0x3f = added), Attributes, ..., NameSize, DataSize, the vendor GUID, the UTF-16 name
    and the data. None when there is none; a harness error when the file is not such a store or
    holds the variable twice."""
    d = open(vars_fd, 'rb').read()
    if d[40:44] != b'_FVH':
        raise H.HarnessError('%s: no firmware volume header' % vars_fd)
    (hl,) = struct.unpack_from('<H', d, 48)
    (size,) = struct.unpack_from('<I', d, hl + 16)
    if d[hl:hl + 16] != AUTH_VARSTORE.bytes_le:
        raise H.HarnessError('%s: not an authenticated variable store' % vars_fd)
    store = d[hl:hl + size]
    key = name.encode('utf-16-le') + b'\0\0'
    found, i = [], store.find(key)
    while i >= 60:
        start, state, _, attrs = struct.unpack_from('<HBBI', store, i - 60)
        nsize, dsize = struct.unpack_from('<II', store, i - 24)
        if start == 0x55aa and state == 0x3f and nsize == len(key) and store[i - 16:i] == guid.bytes_le:
            found.append((attrs, store[i + nsize:i + nsize + dsize]))
        i = store.find(key, i + 1)
    if len(found) > 1:
        raise H.HarnessError('%s: %s is live twice' % (vars_fd, name))
    return found[0] if found else None


def expected_secret(variable, mixin, os_id):
    """sd-stub 262's derivation, computed here: SHA-256 of its label, the variable, the mixin, the
    id's length (u64 little-endian) and the id."""
    return hashlib.sha256(b'systemd-stub derive secret label v1' + variable + mixin + struct.pack('<Q', len(os_id)) +
                          os_id).hexdigest()


@case
def stub_x86_boot_secret_sdstub262(log_dir):
    """The boot secret of systemd-stub 262 (/.extra/boot-secret): sd-stub 262 and ours on the same
    machine, one variable store kept from boot to boot and an ESP with \\loader\\random-seed and a
    known \\loader\\boot-secret-mixin, the UKIs with the same .osrel (IMAGE_ID wins over ID). 262
    makes LoaderBootSecret (non-volatile, boot services only: read here from the firmware's variable
    store file; the kernel's efivarfs must not show it) and its /.extra/boot-secret (mode 0400 in
    /.extra 0555) is the derivation computed here; ours then reads the same variable and gives the
    same secret. Then a first boot, a fresh store and an ESP with neither the seed nor the mixin
    file: sd-stub 262 gives a secret (it makes the seed file from EFI_RNG, 262's change), and ours
    makes the seed file, the variable and the mixin (read back from the ESP), its secret their
    derivation."""
    arch, name = 'x86_64', 'stub-x86-boot-secret-sdstub262'
    cmdline = H.default_cmdline(arch, name + ' zboot.debug')
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    loader = uuid.UUID('4a67b082-0a4c-41cf-b6c7-440b29bb8c4f')
    init = init_with_lines(arch, SECRET_LINES)
    overlay = T.cpio(os.path.join(work, 'overlay.cpio'),
                     {'init': (init.encode(), 0o755), 'efivarfs.ko': (S.efivarfs_module(arch), 0o644)})
    ours, ref = os.path.join(work, 'ours.efi'), os.path.join(work, 'sdstub262.efi')
    B.ukify('build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--cmdline', cmdline, '--os-release',
            OSREL_ID, '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--initrd', overlay, '-o', ours)
    H.run(H.ukify_command('sid') + [
        'build', '--stub', H.debian_sdstub(arch, 'sid'), '--linux', H.asset(arch, 'vmlinuz'),
        '--uname', H.kernel_version(arch), '--cmdline', cmdline, '--os-release', OSREL_ID,
        '--initrd', H.asset(arch, 'initrd.cpio.gz'), '--initrd', overlay, '--output', ref])
    check = H.Check(name)
    seed = os.urandom(64)
    modes = ['555:0:0:', '400:0:0:32:/.extra/boot-secret']

    def one(tag, uki, vars_fd, files, keep=None, with_seed=True):
        f = dict(files, **{'EFI/BOOT/BOOTX64.EFI': uki})
        if with_seed:
            f['loader/random-seed'] = seed
        if keep:
            c, r = boot_keeping_esp('%s-%s' % (name, tag), arch, f, cmdline, log_dir, keep, vars_path=vars_fd)
        else:
            c, r = B.boot_and_check('%s-%s' % (name, tag), arch, f, cmdline, log_dir, vars_path=vars_fd)
        for x in c.failures:
            check.true(False, '%s: %s' % (tag, x))
        if not r.reached_marker:
            return r, None
        stats = [l[len('XSTAT='):] for l in r.log.splitlines() if l.startswith('XSTAT=')]
        check.true(any(x.startswith(modes[0]) and x.endswith(':/.extra') for x in stats) and modes[1] in stats,
                   '%s: /.extra 0555 and /.extra/boot-secret 0400 root 32 bytes: %r' % (tag, stats))
        check.true(bool(r['EFIVAR_STUBINFO']), '%s: the kernel\'s efivarfs shows no StubInfo (not mounted?)' % tag)
        check.eq(r['EFIVAR_LOADERBOOTSECRET'], '', '%s: LoaderBootSecret is not visible to the OS' % tag)
        return r, r['SECRET']

    # 1. sd-stub 262 makes the variable; its secret is the derivation of it, the mixin and the id
    store = os.path.join(work, 'vars.fd')
    r, theirs = one('sdstub262', ref, store, {'loader/boot-secret-mixin': MIXIN})
    if theirs is None:
        return check.done(r)
    v = store_variable(store, 'LoaderBootSecret', loader)
    if not check.true(v is not None, 'sd-stub 262 left no LoaderBootSecret in the variable store'):
        return check.done(r)
    check.eq(v[0] & 7, 3, "LoaderBootSecret's attributes: non-volatile, boot services, not runtime")
    check.eq(len(v[1]), 32, 'LoaderBootSecret has 32 bytes')
    check.eq(theirs, expected_secret(v[1], MIXIN, b'zboot-image'), "sd-stub 262's secret, derived here")
    # 2. ours with the same store, mixin and id: the same secret, the variable untouched
    r, mine = one('ours', ours, store, {'loader/boot-secret-mixin': MIXIN})
    check.eq(mine, theirs, 'the boot secret (ours, sd-stub 262)')
    check.eq(store_variable(store, 'LoaderBootSecret', loader), v, 'LoaderBootSecret kept as it was')
    # 3. a first boot: a fresh store and an ESP with \loader but neither a seed nor a mixin file.
    # 262 makes the seed file from EFI_RNG (QEMU's virtio-rng), so it has a seed table and makes
    # the variable and the mixin; so must ours, and its secret is derived from what it made
    first = {'loader/loader.conf': b'# \\loader exists, nothing else in it\n'}
    r, made262 = one('sdstub262-first', ref, os.path.join(work, 'vars262.fd'), first, with_seed=False)
    check.true(bool(made262), 'sd-stub 262 gave no boot secret on a first boot')
    store2, disk = os.path.join(work, 'vars2.fd'), os.path.join(work, 'esp-after.img')
    r, made = one('ours-first', ours, store2, first, keep=disk, with_seed=False)
    v2 = store_variable(store2, 'LoaderBootSecret', loader)
    if check.true(v2 is not None and made, 'ours made no LoaderBootSecret (or no secret) on a first boot'):
        check.eq(v2[0] & 7, 3, "our LoaderBootSecret's attributes: non-volatile, boot services, not runtime")
        mixin = read_esp_file(disk, 'loader/boot-secret-mixin', os.path.join(work, 'mixin-after'))
        check.eq(len(mixin), 32, 'our mixin file has 32 bytes')
        check.true(mixin != v2[1], 'the mixin and the variable differ (each from the seed, which evolves)')
        check.eq(made, expected_secret(v2[1], mixin, b'zboot-image'), 'our new secret, derived here')
        check.eq(len(read_esp_file(disk, 'loader/random-seed', os.path.join(work, 'seed-after'))), 32,
                 'our stub made \\loader\\random-seed (32 bytes)')
    return check.done(r)

if __name__ == '__main__':
    sys.exit(case.main(__doc__))
