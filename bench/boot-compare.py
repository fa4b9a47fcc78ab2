#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Time to the initrd marker under QEMU/OVMF (no KVM), Debian sd-boot starting a Type #2 UKI:
the Debian stock UKI (Debian's sd-stub + the Debian xz bzImage) against a UKI from
`ukify-zboot build --zboot=zstd` (our stub, native x86 zboot .linux, default level). Same
initrd, command line and sd-boot; the boots alternate; medians of N each.
Usage: boot-compare.py N   (run by bench/run)"""

import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, os.path.join(ROOT, 'test', 'harness'))
import zboot_harness as H  # noqa: E402

OSREL = b'ID=debian\nNAME="Debian GNU/Linux"\nPRETTY_NAME="zboot bench"\nVERSION_ID="12"\n'


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    arch = 'x86_64'
    cmdline = H.default_cmdline(arch, 'bench')
    work = tempfile.mkdtemp(prefix='zboot-bench-')
    stock = H.objcopy_uki(H.debian_sdstub(arch), os.path.join(work, 'stock.efi'), [
        ('.osrel', OSREL), ('.cmdline', cmdline.encode()),
        ('.initrd', H.asset(arch, 'initrd.cpio.gz')), ('.linux', H.asset(arch, 'vmlinuz'))])
    ours = os.path.join(work, 'ours.efi')
    subprocess.run([os.path.join(ROOT, 'build/src/ukify-zboot/ukify-zboot'), 'build', '--linux',
                    H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--initrd', H.asset(arch, 'initrd.cpio.gz'),
                    '--cmdline', cmdline, '--os-release', OSREL.decode(), '-o', ours],
                   check=True, stderr=subprocess.DEVNULL)
    times = {'stock': [], 'ours': []}
    decomp, entry = [], []
    for i in range(n):
        for name, uki in (('stock', stock), ('ours', ours)):
            files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(arch), 'loader/loader.conf': H.loader_conf(),
                     'EFI/Linux/%s.efi' % name: uki}
            r = H.boot(arch, files)
            if not r.reached_marker or r.marker_time is None:
                sys.exit('bench: %s boot %d did not reach the marker (%s)' % (name, i, r.summary()))
            times[name].append(r.marker_time)
            if name == 'ours':
                decomp.append(int(re.search(r'decompressed \S+: \d+ -> \d+ bytes in (\d+) ms', r.log).group(1)))
                entry.append(int(re.search(r'starting kernel at \S+, (\d+) ms after entry', r.log).group(1)))
    for f in (stock, ours):
        os.unlink(f)
    os.rmdir(work)
    ms, mo = statistics.median(times['stock']), statistics.median(times['ours'])
    print('%-44s %10s   %s' % ('UKI through Debian sd-boot (x86_64, OVMF)', 'median s', 'runs'))
    print('%-44s %10.2f   %s' % ('Debian stock: sd-stub 252 + xz bzImage', ms,
                                 ' '.join('%.2f' % t for t in times['stock'])))
    print('%-44s %10.2f   %s' % ('ours: native x86 zboot (zstd), our stub', mo,
                                 ' '.join('%.2f' % t for t in times['ours'])))
    print('ratio ours/stock: %.2f' % (mo / ms))
    print('our loader: decompression %d ms, entry to ExitBootServices/kernel %d ms (medians)' %
          (statistics.median(decomp), statistics.median(entry)))


if __name__ == '__main__':
    main()
