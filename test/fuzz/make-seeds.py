#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Seed test/fuzz-corpus/TARGET/ with small real inputs (run once; tools/fuzz-campaign then
grows and minimizes the corpora): headers cut from the Debian kernels in test/cache, the bad
images of test/bad-images, our EFI stubs (cut), tiny compressed streams of every type and
synthetic command lines. Targets whose input starts with fuzzer parameters get them prefixed.

usage: make-seeds.py BUILD_DIR (the EFI stubs are taken from BUILD_DIR/src/boot/zboot)"""
import glob
import gzip
import hashlib
import lzma
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fuzz-corpus")
CUT = 64 * 1024


def put(target, data, prefix=b""):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    data = prefix + data
    with open(os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def read(path, n=CUT):
    with open(path, "rb") as f:
        return f.read(n)


def tool(cmd, data):
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


def main():
    build = sys.argv[1]
    cache = os.path.join(ROOT, "test", "cache")
    images = [read(p) for p in sorted(glob.glob(os.path.join(ROOT, "test", "bad-images", "*.img")))]
    kernels = [read(p, 16 * 1024) for p in sorted(glob.glob(os.path.join(cache, "*", "vmlinuz")) +
                                                   glob.glob(os.path.join(cache, "*", "*", "vmlinuz")))]
    stubs = [read(p) for p in sorted(glob.glob(os.path.join(build, "src", "boot", "zboot", "*.efi.stub")))]
    pe_like = images + kernels + stubs
    for d in pe_like:
        put("pe", d)
        put("zboot", d)
        put("kernel-cli", d)
        put("pe-load", d, struct.pack("<Q", 0x200000))
        put("zboot-decode", d, b"\x00")
        put("arm64-image", d, struct.pack("<QQ", 0x40000000, 64 << 20))
    for d in kernels:
        put("x86-payload", d)
        put("x86-boot", d, struct.pack("<Q", 0x1000000))

    text = b"Linux version 6.1.0-47-amd64 (debian-kernel@lists.debian.org) " * 4
    streams = {
        "gzip": gzip.compress(text, mtime=0),
        "xz": lzma.compress(text, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32),
        "lzma": lzma.compress(text, format=lzma.FORMAT_ALONE),
        "zstd": tool(["zstd", "-q", "-c"], text),
        "lz4": tool(["lz4", "-l", "-q", "-c"], text),
    }
    labels = ["gzip", "zstd", "zstd22", "lz4", "xzkern", "lzma", "xz", "none"]
    for name, s in streams.items():
        if name in ("gzip", "zstd", "lz4", "xz"):
            put("decompress-" + name, s)
        for i, label in enumerate(labels):
            if label.startswith(name[:2]) or label == "none":
                put("decompress-dispatch", s, bytes([i]) + struct.pack("<H", 4096))
        if name == "gzip":
            put("zboot-decode", s + struct.pack("<I", len(text)), b"\x01")   # old rule, wrapped
            put("zboot-decode", s, b"\x03")                                   # kernel rule, wrapped

    for line in ["root=/dev/sda1 ro quiet", "initrd=\\EFI\\debian\\initrd.img nokaslr console=ttyS0",
                 "initrd=/a/b.img initrd=c.img no5lvl", "  spaces   initrd=x\x00after-nul", "émoji ✓ ünïcode"]:
        put("cmdline", line.encode())
        put("cmdline-ucs2", line.encode("utf-16-le", "surrogatepass"))

    # x86 page tables + screen_info: map_end, buf_phys, flags, X86Gop, probes
    for end, la57, fmt in [(4 << 30, 0, 1), (6 << 30, 1, 0), (1, 0, 2)]:
        gop = struct.pack("<5I3I2Q", fmt, 0xff0000, 0xff00, 0xff, 0, 1024, 768, 1024, 0x80000000, 1024 * 768 * 4)
        put("x86-pgtable", struct.pack("<QQB", end, 0x100000, la57 | 2) + gop + struct.pack("<2Q", 0x1234567, end - 1))
    # slots: size, align shift, min, max, seed, then (start, size) regions
    put("slots", struct.pack("<5Q", 32 << 20, 21, 0, 1 << 48, 12345) +
        struct.pack("<4Q", 0x100000, 0x7ff00000, 0x100000000, 0x100000000))


if __name__ == "__main__":
    main()
