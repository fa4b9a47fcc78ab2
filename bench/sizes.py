#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Sizes: each Debian kernel as Debian ships it against `ukify-zboot zboot` per compression at
its default level, and the UKIs (the same busybox initrd and command line): Debian's sd-stub
(252 for Debian 12, 257 for Debian 13; joined by Debian 13's ukify) with the kernel as shipped against `ukify-zboot build --linux <our zboot image>`.

Usage: sizes.py [--quick] [--only x86|arm64] [--table FILE]   (build directory: $ZBOOT_BUILD)"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bc  # noqa: E402
H = bc.H


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--only', choices=('x86', 'arm64'))
    ap.add_argument('--table')
    a = ap.parse_args()
    arches = bc.arches(a.only)
    comps = ('zstd',) if a.quick else bc.COMPRESSIONS
    work = tempfile.mkdtemp(prefix='zboot-sizes-')
    lines = []
    out = lines.append
    out('Sizes (bytes) at the default levels; "vs Debian" = our file / the file Debian ships (x86: the bzImage, '
        'compressed as its row says; arm64: the raw Image),')
    out('for the UKI rows / the stock UKI (Debian\'s sd-stub + that kernel); every UKI has the same initrd and '
        'command line.')
    hdr = '%-6s %-9s %-34s %11s %10s %8s' % ('arch', 'kernel', 'file', 'bytes', 'vs Debian', 'make s')
    out(hdr)
    out('-' * len(hdr))
    for arch in arches:
        short = bc.short(arch)
        cmdline = H.default_cmdline(arch, 'bench')
        initrd = H.asset(arch, 'initrd.cpio.gz')
        for suite, label in bc.SUITES:
            kernel = H.asset(arch, 'vmlinuz', suite)
            deb = os.path.getsize(kernel)
            out('%-6s %-9s %-34s %11d %10s %8s' % (short, label, 'Debian vmlinuz (%s)' % bc.kernel_label(arch, suite),
                                                  deb, '1.000x', ''))
            made = {}
            for c in comps:
                f = os.path.join(work, '%s-%s-%s.efi' % (arch, suite, c))
                t0 = time.monotonic()
                bc.ours('zboot', kernel, '-c', c, '-o', f)
                dt = time.monotonic() - t0
                made[c] = f
                out('%-6s %-9s %-34s %11d %9.3fx %8.1f' % (short, label, 'ours: zboot %s' % c, os.path.getsize(f),
                                                          os.path.getsize(f) / deb, dt))
                if arch == 'x86_64' and c == 'zstd' and not a.quick:
                    # the x86 BCJ stage (off by default, docs/format.md §4): the same with it
                    g = os.path.join(work, '%s-%s-%s-bcj.efi' % (arch, suite, c))
                    t0 = time.monotonic()
                    bc.ours('zboot', kernel, '-c', c, '--bcj', '-o', g)
                    out('%-6s %-9s %-34s %11d %9.3fx %8.1f' % (short, label, 'ours: zboot %s --bcj' % c,
                                                              os.path.getsize(g), os.path.getsize(g) / deb,
                                                              time.monotonic() - t0))
            # Debian 13's ukify for both (objcopy cannot write an arm64 PE), with the suite's sd-stub
            su = os.path.getsize(bc.stock_uki(arch, suite, initrd, cmdline, os.path.join(work, 'stock.efi')))
            out('%-6s %-9s %-34s %11d %10s %8s' % (short, label, 'UKI: sd-stub %s + Debian kernel' %
                                                  bc.sdstub_version(suite), su, '1.000x', ''))
            for c in comps:
                u = os.path.join(work, 'uki-%s.efi' % c)
                bc.ours('build', '--linux', made[c], '--initrd', initrd, '--cmdline', cmdline,
                        '--os-release', bc.osrel(suite).decode(), '-o', u)
                out('%-6s %-9s %-34s %11d %9.3fx %8s' % (short, label, 'UKI: ours + zboot %s' % c,
                                                         os.path.getsize(u), os.path.getsize(u) / su, ''))
    subprocess.run(['rm', '-rf', work], check=False)
    bc.emit(lines, a.table)


if __name__ == '__main__':
    main()
