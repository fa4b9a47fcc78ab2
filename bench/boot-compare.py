#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Boot time to the initrd marker under QEMU (no KVM), ours against the stock path, for the
Debian 12 and Debian 13 kernels, with our loader's phases, memory and copies from its serial
log (every boot passes "zboot.bench", stock and ours, the same command line), and the memcpy
reference (one extra boot with "zboot.bench=memcpy", docs/benchmarks.md).

  x86_64 (OVMF, Debian sd-boot 252, Type #2 unless said):
    stock     Debian's sd-stub UKI with the stock bzImage (Debian 12's is xz-compressed, Debian
              13's zstd: the label says what `ukify-zboot inspect` reads from the bytes;
              sd-stub 252 made with objcopy for
              Debian 12; sd-stub 257 made with Debian 13's ukify for Debian 13)
    uki-T     `ukify-zboot build --linux <ukify-zboot zboot -c T>` (our stub, native x86 zboot
              .linux, default level; the same UKI as build --zboot=T), T = zstd gzip lz4 xz
    type1     our vmlinuz.efi (zstd) as a Type #1 entry with the initrd
  aarch64 (AAVMF, the suite's sd-boot, Type #1 with the initrd):
    stock     the raw Debian Image
    zboot     our vmlinuz.efi (zstd)

Every configuration boots once per round, the rounds interleave the configurations, each
figure is a median over the rounds. Same initrd and command line everywhere.

Usage: boot-compare.py [-n N] [--quick] [--only x86|arm64] [--estimate] [--table FILE]
  --quick: only stock, uki-zstd (x86) / zboot (arm64); --estimate: print the estimate and stop.
The build directory is $ZBOOT_BUILD (default build/)."""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import COMPRESSIONS, SUITES, H, arches as select_arches, med, ours, short, stock_uki  # noqa: E402
import benchlib  # noqa: E402
# rough seconds per boot on the idle 2-core machine (docs/benchmarks.md), for the estimate
SECONDS = {'x86_64': 10.0, 'aarch64': 6.0}
PHASES = ('locate', 'alloc', 'decompress', 'unfilter', 'relocate', 'initrd', 'other', 'params', 'handoff', 'total')


def decomp(p):
    """Decompression as the loader's phases count it: the decoder plus, for a native x86 payload
    with the BCJ stage, undoing it ('unfilter'; absent in older logs: 0) -- as xz's own BCJ runs
    inside liblzma's decoder and is counted there."""
    return p['decompress'] + p.get('unfilter', 0) if p.get('decompress') is not None else None


def configs(arch, quick):
    if arch == 'x86_64':
        return ['stock'] + ['uki-' + c for c in (('zstd',) if quick else COMPRESSIONS)] + ([] if quick else ['type1'])
    return ['stock', 'zboot']


def describe(arch, suite, name):
    if arch == 'x86_64':
        if name == 'stock':
            return 'stock: sd-stub %s UKI, %s bzImage' % (benchlib.sdstub_version(suite), benchlib.kernel_compression(
                H.asset(arch, 'vmlinuz', suite)))
        if name == 'type1':
            return 'ours: vmlinuz.efi zstd, Type #1'
        return 'ours: UKI, zboot %s' % name[4:]
    return 'stock: raw Image, Type #1' if name == 'stock' else 'ours: vmlinuz.efi zstd, Type #1'


def sdboot(arch, suite):
    # Debian 12's sd-boot 252 for x86 (the machine's own), the suite's for arm64
    return H.debian_sdboot(arch, 'bookworm' if arch == 'x86_64' else suite)


_zboot_cache = {}


def zboot_image(work, arch, suite, comp):
    """`ukify-zboot zboot` of the suite's kernel, made once per run."""
    key = (arch, suite, comp)
    if key not in _zboot_cache:
        out = os.path.join(work, 'zboot-%s-%s-%s.efi' % key)
        ours('zboot', H.asset(arch, 'vmlinuz', suite), '-c', comp, '-o', out)
        _zboot_cache[key] = out
    return _zboot_cache[key]


def prepare(work, arch, suite, name, cmdline):
    """The ESP files of one configuration."""
    kernel = H.asset(arch, 'vmlinuz', suite)
    initrd = H.asset(arch, 'initrd.cpio.gz')
    boot = 'EFI/BOOT/BOOT%s.EFI' % H.EFI_SUFFIX[arch].upper()
    files = {boot: sdboot(arch, suite), 'loader/loader.conf': H.loader_conf()}
    out = os.path.join(work, '%s-%s-%s.efi' % (arch, suite, name))
    if arch == 'x86_64' and name == 'stock':
        files['EFI/Linux/stock.efi'] = stock_uki(arch, suite, initrd, cmdline, out, objcopy=suite == 'bookworm')
    elif arch == 'x86_64' and name.startswith('uki-'):
        ours('build', '--linux', zboot_image(work, arch, suite, name[4:]), '--initrd', initrd, '--cmdline', cmdline,
             '--os-release', benchlib.osrel(suite).decode(), '-o', out)
        files['EFI/Linux/ours.efi'] = out
    else:
        if name == 'stock':   # arm64: the raw Image
            files['vmlinuz'] = kernel
        else:
            files['vmlinuz'] = zboot_image(work, arch, suite, 'zstd')
        files['initrd.img'] = initrd
        files['loader/entries/bench.conf'] = H.type1_entry('bench', linux='/vmlinuz', initrd=['/initrd.img'],
                                                            options=cmdline)
    return files


def parse_log(log):
    r = {}
    m = re.search(r'phases us: (.*?)\s*$', log, re.M)
    if m:
        f = m.group(1).split()
        r.update({f[i]: int(f[i + 1]) for i in range(0, len(f) - 1, 2)})
    m = re.search(r'memory: peak (\d+) allocated (\d+) copied (\d+) bytes', log)
    if m:
        r['peak'], r['allocated'], r['copied'] = (int(x) for x in m.groups())
    # the sizes: on the memory line (the UKI stub prints its "decompressed" line only with
    # zboot.debug, which the bench does not pass); older logs: the "decompressed" line
    m = (re.search(r'memory: peak \d+ allocated \d+ copied \d+ bytes, payload (\d+) -> (\d+) bytes', log) or
         re.search(r'decompressed \S+: (\d+) -> (\d+) bytes', log))
    if m:
        r['compressed'], r['decompressed'] = int(m.group(1)), int(m.group(2))
    # arm64: the kernel's own EFI stub says whether it kept our placement (no second copy)
    r['stub_fixed'] = 'Image placement fixed by loader' in log
    m = re.search(r'bench: memcpy (\d+) bytes: (\d+) us first, (\d+) us again, memset (\d+) us', log)
    if m:
        r['memcpy_bytes'], r['memcpy_first'], r['memcpy_again'], r['memset'] = (int(x) for x in m.groups())
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-n', type=int, default=5)
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--only', choices=('x86', 'arm64'))
    ap.add_argument('--estimate', action='store_true')
    ap.add_argument('--table', help='also write the table to this file')
    ap.add_argument('--log-dir', help='keep every serial log here')
    a = ap.parse_args()

    arches = select_arches(a.only)
    plan = [(arch, suite, name) for arch in arches for suite, _ in SUITES for name in configs(arch, a.quick)]
    # one extra boot per arch and kernel with "zboot.bench=memcpy" (memcpy reference), our zstd path
    word = [(arch, suite, 'uki-zstd' if arch == 'x86_64' else 'zboot') for arch in arches for suite, _ in SUITES]
    est = sum(SECONDS[arch] for arch, _, _ in plan) * a.n + sum(SECONDS[arch] for arch, _, _ in word)
    print('boots: %d configurations x %d rounds + %d with zboot.bench=memcpy = %d; estimated %.0f min on an idle machine' %
          (len(plan), a.n, len(word), len(plan) * a.n + len(word), est / 60), file=sys.stderr)
    if a.estimate:
        return

    work = tempfile.mkdtemp(prefix='zboot-bench-')
    # "zboot.bench": our loaders print the phase and memory lines only when asked (stock ignores it)
    cmdline = {arch: H.default_cmdline(arch, 'bench') + ' zboot.bench' for arch in arches}
    files = {c: prepare(work, c[0], c[1], c[2], cmdline[c[0]]) for c in plan}
    results = {c: [] for c in plan}
    t_start = time.monotonic()
    for i in range(a.n):
        for c in plan:
            arch, suite, name = c
            log_path = os.path.join(a.log_dir, '%s-%s-%s-%d.log' % (arch, suite, name, i)) if a.log_dir else None
            r = H.boot(arch, files[c], log_path=log_path)
            if not r.reached_marker or r.marker_time is None:
                sys.exit('bench: %s %s %s boot %d did not reach the marker (%s)\n%s' %
                         (arch, suite, name, i, r.summary(), r.tail(15)))
            results[c].append((r.marker_time, parse_log(r.log)))
        if i == 0 and a.n > 1:
            left = (time.monotonic() - t_start) * (a.n - 1) * (1 + len(word) / max(1, len(plan)))
            print('round 1 of %d took %.0f s; about %.0f min left' % (a.n, time.monotonic() - t_start, left / 60),
                  file=sys.stderr)
    ref = {}
    for c in word:
        arch, suite, name = c
        os.makedirs(os.path.join(work, 'word'), exist_ok=True)
        f = prepare(os.path.join(work, 'word'), arch, suite, name, cmdline[arch].replace(' zboot.bench', ' zboot.bench=memcpy'))
        r = H.boot(arch, f, log_path=os.path.join(a.log_dir, '%s-%s-bench.log' % (arch, suite)) if a.log_dir else None)
        p = parse_log(r.log)
        if not r.reached_marker or 'memcpy_first' not in p:
            sys.exit('bench: %s %s zboot.bench=memcpy boot: no marker or no memcpy line (%s)\n%s' %
                     (arch, suite, r.summary(), r.tail(15)))
        ref[(arch, suite)] = p
    subprocess.run(['rm', '-rf', work], check=False)

    lines = []
    out = lines.append
    out('Boot to the initrd marker: median of %d interleaved boots per row (s), ratio to the stock row of the same '
        'arch and kernel.' % a.n)
    out('Loader columns (ours, medians, from our serial log; CPU counter): total = our entry to the kernel entry '
        '(x86: to ExitBootServices),')
    out('beyond = median over the boots of (total - decompression) / total, peak = most bytes we held at once / decompressed size, copied = '
        'kernel/initrd bytes copied buffer to buffer.')
    out('')
    hdr = '%-6s %-9s %-36s %7s %6s %9s %9s %7s %6s %9s' % ('arch', 'kernel', 'path', 'boot s', 'ratio', 'loader ms',
                                                          'decomp ms', 'beyond', 'peak', 'copied')
    out(hdr)
    out('-' * len(hdr))
    for arch in arches:
        for suite, label in SUITES:
            base = med(t for t, _ in results[(arch, suite, 'stock')])
            for name in configs(arch, a.quick):
                rs = results[(arch, suite, name)]
                t = med(x for x, _ in rs)
                row = '%-6s %-9s %-36s %7.2f %6.2f' % (short(arch), label,
                                                     describe(arch, suite, name), t, t / base)
                logs = [p for _, p in rs]
                if logs and 'total' in logs[0]:
                    tot, dec = med(p.get('total') for p in logs) / 1000, med(decomp(p) for p in logs) / 1000
                    # each boot's own share, then the median: the medians of total and decompression
                    # come from different boots, so their difference is not a boot's time beyond
                    beyond = med(100 * (p['total'] - decomp(p)) / p['total'] for p in logs
                                 if p.get('total') and p.get('decompress') is not None)
                    peak = med(p['peak'] / p['decompressed'] for p in logs if 'peak' in p and p.get('decompressed'))
                    cop = med(p.get('copied') for p in logs)
                    row += ' %9.0f %9.0f %6.1f%% %5.2fx %9d' % (tot, dec, beyond or 0, peak or 0, cop or 0)
                out(row)
    if 'aarch64' in arches:
        for suite, label in SUITES:
            logs = [p for _, p in results[('aarch64', suite, 'zboot')]]
            out('arm64 %s: the kernel\'s EFI stub kept our placement ("Image placement fixed by loader", no second '
                'copy) in %d of %d boots' % (label, sum(1 for p in logs if p['stub_fixed']), len(logs)))
    out('')
    out('Loader phases (ms, medians; x86 "handoff" = page tables, trampoline and map buffers before '
        'ExitBootServices):')
    hdr = '%-6s %-9s %-36s ' % ('arch', 'kernel', 'path') + ' '.join('%9s' % p for p in PHASES)
    out(hdr)
    for arch in arches:
        for suite, label in SUITES:
            for name in configs(arch, a.quick):
                logs = [p for _, p in results[(arch, suite, name)] if 'total' in p]
                if logs:
                    out('%-6s %-9s %-36s ' % (short(arch), label, describe(arch, suite, name))
                        + ' '.join('%9.1f' % (med(p.get(ph, 0) for p in logs) / 1000) for ph in PHASES))
    out('')
    out('Physical limit: a plain memcpy of the decompressed size in the same firmware, and the decompression, in the '
        'same boot (one boot with zboot.bench=memcpy, our zstd path):')
    hdr = '%-6s %-9s %11s %11s %11s %11s %13s %13s' % ('arch', 'kernel', 'bytes', 'memcpy ms', 'again ms',
                                                      'memset ms', 'zstd decomp', 'decomp/memcpy')
    out(hdr)
    for arch in arches:
        for suite, label in SUITES:
            p = ref[(arch, suite)]
            dec = decomp(p)   # the same boot's: absolute times vary between boots, their ratio less
            out('%-6s %-9s %11d %11.1f %11.1f %11.1f %10.1f ms %12.2fx' % (
                short(arch), label, p['memcpy_bytes'], p['memcpy_first'] / 1000,
                p['memcpy_again'] / 1000, p['memset'] / 1000, dec / 1000, dec / p['memcpy_first']))
    benchlib.emit(lines, a.table)


if __name__ == '__main__':
    main()
