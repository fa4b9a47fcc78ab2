#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`.splash` (docs/stub.md "`.splash`"): a UKI made with `build --splash` shows its BMP centred on
a black screen, as systemd-stub 257 draws it. QEMU's own view of the screen is the observable:
the boot gets a QMP socket, the kernel is told to leave the firmware framebuffer alone
(`nomodeset video=efifb:off`: the console stays on the serial port), the initrd prints its
markers and waits, and a thread here takes QMP `screendump`s until QEMU exits. The last one must
show the four quadrant colours of the test image at the centre, in the right places (a BMP's
rows are bottom-up: getting that wrong swaps top and bottom), and black at the corners.
Usage: splash_test.py CASE [--log-dir DIR]
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, os.path.join(HERE, '..', 'boot'))
sys.path.insert(0, os.path.join(HERE, '..', 'trust'))
import zboot_harness as H  # noqa: E402
import boot_test as B  # noqa: E402
import trust_test as T  # noqa: E402

case = H.CaseTable()
W, HT = 96, 64
# (top-left, top-right, bottom-left, bottom-right) as (red, green, blue)
QUADRANTS = ((0xff, 0x00, 0x00), (0x00, 0xff, 0x00), (0x00, 0x00, 0xff), (0xff, 0xff, 0x00))


def bmp24(w, h, colour_at):
    """A 24-bit bottom-up BMP (BITMAPINFOHEADER) of colour_at(x, y) (y = 0 is the top row)."""
    row = (3 * w + 3) // 4 * 4
    pix = bytearray()
    for y in range(h - 1, -1, -1):
        line = bytearray()
        for x in range(w):
            r, g, b = colour_at(x, y)
            line += bytes((b, g, r))
        pix += line + bytes(row - len(line))
    off = 14 + 40
    return (b'BM' + struct.pack('<IHHI', off + len(pix), 0, 0, off) +
            struct.pack('<IiiHHIIiiII', 40, w, h, 1, 24, 0, len(pix), 2835, 2835, 0, 0) + bytes(pix))


def quadrant(x, y):
    return QUADRANTS[(2 if y >= HT // 2 else 0) + (1 if x >= W // 2 else 0)]


def read_ppm(path):
    with open(path, 'rb') as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    if parts[0] != b'P6' or parts[3] != b'255':
        raise H.HarnessError('%s: not a binary PPM' % path)
    w, h = int(parts[1]), int(parts[2])
    return w, h, parts[4][:w * h * 3]


class Screendumps(threading.Thread):
    """Connects to QEMU's QMP socket when it appears and takes a screendump every 2 s until
    QEMU goes away; `self.files` are the dumps that were written."""

    def __init__(self, sock, outdir):
        super().__init__(daemon=True)
        self.sock, self.outdir, self.files, self.stop = sock, outdir, [], False

    def run(self):
        deadline = time.monotonic() + 600
        s = None
        while s is None and not self.stop and time.monotonic() < deadline:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.sock)
            except OSError:
                s = None
                time.sleep(0.2)
        if s is None:
            return
        f = s.makefile('rw')
        try:
            f.readline()   # greeting
            f.write(json.dumps({'execute': 'qmp_capabilities'}) + '\n')
            f.flush()
            f.readline()
            n = 0
            while not self.stop:
                path = os.path.join(self.outdir, 'screen-%03d.ppm' % n)
                f.write(json.dumps({'execute': 'screendump', 'arguments': {'filename': path}}) + '\n')
                f.flush()
                while True:
                    line = f.readline()
                    if not line:
                        return
                    msg = json.loads(line)
                    if 'return' in msg or 'error' in msg:
                        break
                if 'return' in msg and os.path.exists(path):
                    self.files.append(path)
                n += 1
                time.sleep(2)
        except (OSError, ValueError):
            return
        finally:
            s.close()


@case
def stub_x86_splash(log_dir):
    arch, name = 'x86_64', 'stub-x86-splash'
    cmdline = H.default_cmdline(arch, name + ' nomodeset video=efifb:off zboot.debug')   # our info lines
    work = tempfile.mkdtemp(prefix=name + '-', dir=log_dir)
    try:
        base = H.asset(arch, 'initrd.cpio.gz')
        init = subprocess.run('zcat %s | cpio -i --quiet --to-stdout init' % base, shell=True, check=True,
                              stdout=subprocess.PIPE).stdout.decode()
        if '$B poweroff -f' not in init:
            raise H.HarnessError('the test initrd /init has no poweroff line')
        init = init.replace('$B poweroff -f', '$B sleep 12\n$B poweroff -f', 1)
        overlay = T.cpio(os.path.join(work, 'overlay.cpio'), {'init': (init.encode(), 0o755)})
        splash = os.path.join(work, 'splash.bmp')
        with open(splash, 'wb') as f:
            f.write(bmp24(W, HT, quadrant))
        uki = os.path.join(work, 'uki.efi')
        B.ukify('build', '--linux', H.asset(arch, 'vmlinuz'), '--zboot=zstd', '--cmdline', cmdline,
                '--initrd', base, '--initrd', overlay, '--splash', splash, '-o', uki)
        sock = os.path.join(work, 'qmp.sock')
        dumps = Screendumps(sock, work)
        dumps.start()
        check, result = B.boot_and_check(name, arch, {'EFI/BOOT/BOOTX64.EFI': uki}, cmdline, log_dir,
                                         extra=['-qmp', 'unix:%s,server=on,wait=off' % sock])
        dumps.stop = True
        dumps.join(timeout=10)
        check.true('.splash: %dx%d 24-bit BMP drawn' % (W, HT) in result.log, 'our stub did not log the splash')
        if not check.true(dumps.files, 'no QMP screendump was taken'):
            return check.done(result)
        last = dumps.files[-1]
        shutil.copyfile(last, os.path.join(log_dir, name + '.ppm'))
        sw, sh, px = read_ppm(last)
        x0, y0 = (sw - W) // 2, (sh - HT) // 2

        def at(x, y):
            i = 3 * (y * sw + x)
            return tuple(px[i:i + 3])
        for qy in (0, 1):
            for qx in (0, 1):
                want = QUADRANTS[2 * qy + qx]
                x = x0 + W // 4 + qx * (W // 2)
                y = y0 + HT // 4 + qy * (HT // 2)
                check.eq(at(x, y), want, 'screen pixel %d,%d (quadrant %d of the splash)' % (x, y, 2 * qy + qx))
        # the image's own corner pixels, exactly where centring puts them
        check.eq(at(x0, y0), QUADRANTS[0], 'the splash top-left pixel at %d,%d' % (x0, y0))
        check.eq(at(x0 + W - 1, y0 + HT - 1), QUADRANTS[3], 'the splash bottom-right pixel')
        check.eq(at(x0 - 1, y0), (0, 0, 0), 'left of the splash: black')
        for x, y in ((0, 0), (sw - 1, 0), (0, sh - 1), (sw - 1, sh - 1)):
            check.eq(at(x, y), (0, 0, 0), 'screen corner %d,%d: black background' % (x, y))
        print('%s: %d screendumps, the last %dx%d, splash at %d,%d' % (name, len(dumps.files), sw, sh, x0, y0))
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
