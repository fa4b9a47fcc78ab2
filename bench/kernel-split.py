#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Split x86 boots to the initrd marker into the part before the kernel and the kernel's own part
(issue 18, docs/benchmarks.md "Analysis"), stock path against ours, per Debian kernel.

Each boot notes, when a serial line arrives, the host clock and the CPU time QEMU has used so
far (all its threads, /proc/PID/task/*/schedstat; a loaded host delays the wall clock far more
than it inflates CPU time). With `earlyprintk=serial` on the command line the kernel's first line
("Linux version") is printed right at its entry (setup_arch), so:

  fw     = QEMU start to OVMF's "BdsDxe: starting" (firmware; the same on both paths)
  pre    = "BdsDxe: starting" to the kernel's first line: sd-boot, the UKI stub, the kernel's EFI
           stub and its decompressor (stock) or our loader (ours), ExitBootServices, the jump
  kernel = the kernel's first line to the initrd's marker
  kclock = the kernel's own printk time at its last line before the marker (it starts at 0 when
           the kernel takes over the TSC), a cross-check of `kernel` from inside

The configurations are boot-compare.py's (`stock` = Debian's sd-stub UKI with the bzImage,
`uki-zstd` = our UKI with a zboot zstd .linux), interleaved, medians over the rounds; the
command line gets `earlyprintk=serial,ttyS0,115200` on all paths.
--icount runs QEMU with `-icount shift=0,sleep=off`: virtual time advances by instructions
(1 ns each), so the kernel column no longer depends on the host's load (the pre column is then
host time of a slower emulation and is only compared between rows of the same run).
--milestones prints, per row, the median printk time of kernel lines both paths print, to see
where a kernel-side difference arises; --log-dir keeps the serial logs (diff them with
`sed 's/^\\[ *[0-9.]*\\] //'`).

Usage: kernel-split.py [-n N] [--suite bookworm|trixie] [--icount] [--configs stock,uki-zstd]
                       [--cmdline-extra WORDS] [--log-dir DIR] [--milestones]
The build directory is $ZBOOT_BUILD (default build/)."""

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib import SUITES, H, med  # noqa: E402

_spec = importlib.util.spec_from_file_location('boot_compare', os.path.join(HERE, 'boot-compare.py'))
bc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bc)

TS = re.compile(r'^\[\s*(\d+\.\d+)\] (.*)$')
# kernel lines both paths print, in boot order (prefix match after the timestamp)
MILESTONES = ('tsc: Detected', 'Memory:', 'Calibrating delay', 'smpboot: CPU0', 'PCI: Using',
              'clocksource: Switched to', 'Freeing initrd memory', 'Freeing unused kernel image',
              'Run /init')


def qemu_cpu(pid):
    """CPU seconds QEMU's threads have run so far."""
    t = 0
    try:
        for task in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/schedstat' % (pid, task)) as f:
                t += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return t / 1e9


POINTS = (('bds', 'BdsDxe: starting'), ('linux', 'Linux version'), ('marker', None))


def timed_boot(files, extra, timeout=900):
    """Boot like H.boot, noting (host s, QEMU CPU s) at the arrival of each POINTS line."""
    tmp = tempfile.mkdtemp(prefix='zboot-split-boot-')
    try:
        esp = H.make_esp(os.path.join(tmp, 'esp.img'), files)
        vars_copy = os.path.join(tmp, 'vars.fd')
        H.shutil.copyfile(H.FIRMWARE['x86_64']['default'][1], vars_copy)
        cmd = H.qemu_command('x86_64', esp, vars_copy, extra=extra)
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        seen, chunks, buf = {}, [], [b'']

        def reader():
            while True:
                b = os.read(proc.stdout.fileno(), 65536)
                if not b:
                    return
                now, cpu = time.monotonic() - start, qemu_cpu(proc.pid)
                chunks.append(b)
                buf[0] = (buf[0] + b)[-4096:]
                text = buf[0].decode('utf-8', errors='replace')
                for name, pat in POINTS:
                    if name not in seen and (pat or H.BEGIN) in text:
                        seen[name] = (now, cpu)
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, H.signal.SIGKILL)
            proc.wait()
        t.join(timeout=10)
        log = b''.join(chunks).decode('utf-8', errors='replace')
        log = re.sub(r'\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1bc', '', log)
        return log, seen
    finally:
        H.shutil.rmtree(tmp, ignore_errors=True)


def split(log):
    """(kernel seconds at its last line before the marker, {milestone: seconds}, kernel lines)."""
    head = log.split(H.BEGIN, 1)[0]
    last, miles, lines = None, {}, []
    for line in head.splitlines():
        m = TS.match(line.strip())
        if not m:
            continue
        t, text = float(m.group(1)), m.group(2)
        last = t
        lines.append((t, text))
        for ms in MILESTONES:
            if ms not in miles and text.startswith(ms):
                miles[ms] = t
    return last, miles, lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-n', type=int, default=3)
    ap.add_argument('--suite', action='append', choices=[s for s, _ in SUITES])
    ap.add_argument('--configs', default='stock,uki-zstd')
    ap.add_argument('--icount', action='store_true')
    ap.add_argument('--cmdline-extra', default='')
    ap.add_argument('--log-dir')
    ap.add_argument('--work', help='keep the prepared ESP files here and reuse them')
    ap.add_argument('--milestones', action='store_true')
    a = ap.parse_args()
    suites = [(s, l) for s, l in SUITES if not a.suite or s in a.suite]
    names = a.configs.split(',')
    extra = ['-icount', 'shift=0,sleep=off'] if a.icount else []
    arch = 'x86_64'
    # zboot.bench: our loader's phases line (its total is the "loader" column), only printed when asked
    cmdline = H.default_cmdline(arch, ('bench earlyprintk=serial,ttyS0,115200 zboot.bench ' + a.cmdline_extra).strip())
    work = a.work or tempfile.mkdtemp(prefix='zboot-split-')
    os.makedirs(work, exist_ok=True)
    plan = [(s, n) for s, _ in suites for n in names]
    for s, _ in suites:   # one zboot image per kernel, kept in --work across runs
        z = os.path.join(work, 'zboot-x86_64-%s-zstd.efi' % s)
        if os.path.exists(z):
            bc._zboot_cache[(arch, s, 'zstd')] = z
        elif any(n.startswith('uki-') or n == 'type1' for n in names):
            bc.zboot_image(work, arch, s, 'zstd')
    files = {}
    for c in plan:
        d = os.path.join(work, '%s-%s' % c)
        os.makedirs(d, exist_ok=True)
        files[c] = bc.prepare(d, arch, c[0], c[1], cmdline)
    res = {c: [] for c in plan}
    if a.log_dir:
        os.makedirs(a.log_dir, exist_ok=True)
    for i in range(a.n):
        for c in plan:
            log, seen = timed_boot(files[c], extra)
            if a.log_dir:
                with open(os.path.join(a.log_dir, '%s-%s-%d.log' % (c[0], c[1], i)), 'w') as f:
                    f.write(log)
            if any(name not in seen for name, _ in POINTS):
                sys.exit('kernel-split: %s %s boot %d: missing %s\n%s' % (
                    c[0], c[1], i, [n for n, _ in POINTS if n not in seen], log[-2000:]))
            k, miles, _ = split(log)
            p = bc.parse_log(log)
            r = {'kclock': k, 'miles': miles, 'loader': p.get('total', 0) / 1e6 or None}
            for x in (0, 1):   # 0: host clock, 1: QEMU CPU time
                r[('fw', x)] = seen['bds'][x]
                r[('pre', x)] = seen['linux'][x] - seen['bds'][x]
                r[('kernel', x)] = seen['marker'][x] - seen['linux'][x]
                r[('boot', x)] = seen['marker'][x]
            res[c].append(r)
            print('%s %-9s round %d: wall fw %.2f pre %.2f kernel %.2f | cpu fw %.2f pre %.2f kernel %.2f | '
                  'kclock %.2f loader %s' % (c[0], c[1], i, r[('fw', 0)], r[('pre', 0)], r[('kernel', 0)],
                                             r[('fw', 1)], r[('pre', 1)], r[('kernel', 1)], k or 0,
                                             '%.2f' % r['loader'] if r['loader'] else '-'),
                  file=sys.stderr, flush=True)
    if not a.work:
        subprocess.run(['rm', '-rf', work], check=False)
    print('x86 boot to the initrd marker, split at the kernel\'s first line (earlyprintk); seconds, median of %d '
          'interleaved boots%s; wall = host clock, cpu = CPU time of QEMU\'s threads:' % (
              a.n, ', QEMU -icount shift=0,sleep=off' if a.icount else ''))
    hdr = '%-9s %-9s | %6s %6s %6s %6s | %6s %6s %6s %6s | %6s %6s' % (
        'kernel', 'path', 'fw', 'pre', 'kernel', 'boot', 'fw', 'pre', 'kernel', 'boot', 'kclock', 'loader')
    print('%-19s | %-27s | %-27s |' % ('', 'wall', 'cpu'))
    print(hdr)
    for s, label in suites:
        for n in names:
            rs = res[(s, n)]
            row = '%-9s %-9s |' % (label, n)
            for x in (0, 1):
                row += ' ' + ' '.join('%6.2f' % med(r[(f, x)] for r in rs) for f in ('fw', 'pre', 'kernel', 'boot'))
                row += ' |'
            lo = med(r['loader'] for r in rs)
            row += ' %6.2f %6s' % (med(r['kclock'] for r in rs), '%.2f' % lo if lo else '-')
            print(row)
    if a.milestones:
        print('kernel milestones (median printk s):')
        print('%-30s ' % 'line' + ' '.join('%12s' % ('%s/%s' % (s[:4], n[:7])) for s, n in plan))
        for ms in MILESTONES:
            print('%-30s ' % ms + ' '.join('%12s' % ('%.3f' % v if v is not None else '-') for v in (
                med(r['miles'].get(ms) for r in res[c]) for c in plan)))


if __name__ == '__main__':
    main()
