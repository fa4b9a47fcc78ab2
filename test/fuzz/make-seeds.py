#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Seed test/fuzz-corpus/TARGET/ with small real inputs (run once; tools/fuzz-campaign then
grows and minimizes the corpora): headers cut from the Debian kernels in test/cache, the bad
images of test/bad-images, our EFI stubs (cut), tiny compressed streams of every type and
synthetic command lines. Targets whose input starts with fuzzer parameters get them prefixed.

usage: make-seeds.py BUILD_DIR [TARGET...] (the EFI stubs are taken from BUILD_DIR/src/boot/zboot;
only the named targets are seeded when any are given)"""
import glob
import gzip
import hashlib
import lzma
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fuzz-corpus")
CUT = 64 * 1024


ONLY = set()   # targets named on the command line (all when empty)


def put(target, data, prefix=b""):
    if ONLY and target not in ONLY:
        return
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


def tiny_pe(sections, cert_table=b""):
    """A minimal PE32+ (x86_64) with the given (name, data) sections and, if given, a
    certificate table appended at the end (DataDirectory[4], a file offset)."""
    falign, salign = 0x200, 0x1000
    n = len(sections)
    headers = (0x40 + 4 + 20 + 240 + 40 * n + falign - 1) // falign * falign
    raw, table, off, rva = b"", b"", headers, salign
    for name, data in sections:
        size = (len(data) + falign - 1) // falign * falign
        table += struct.pack("<8sIIIIIIHHI", name.encode(), len(data), rva, size, off, 0, 0, 0, 0, 0x40000040)
        raw += data + bytes(size - len(data))
        off += size
        rva += (len(data) + salign - 1) // salign * salign or salign
    dirs = [(0, 0)] * 16
    if cert_table:
        dirs[4] = (off, len(cert_table))
    opt = struct.pack("<HBBIIIII", 0x20b, 0, 0, 0, len(raw), 0, 0, 0)
    opt += struct.pack("<QIIHHHHHHIIIIHHQQQQII", 0, salign, falign, 0, 0, 0, 0, 0, 0, 0, rva, headers, 0, 10, 0x100,
                       0, 0, 0, 0, 0, 16)
    opt += b"".join(struct.pack("<II", a, b) for a, b in dirs)
    coff = struct.pack("<HHIIIHH", 0x8664, n, 0, 0, 0, len(opt), 0x22)
    dos = b"MZ" + bytes(0x3a) + struct.pack("<I", 0x40)
    head = dos + b"PE\0\0" + coff + opt + table
    return head + bytes(headers - len(head)) + raw + cert_table


def cert_table_of(pe):
    """The certificate table (DataDirectory[4]) of a signed PE32+ file."""
    lfanew = struct.unpack_from("<I", pe, 0x3c)[0]
    off, size = struct.unpack_from("<II", pe, lfanew + 24 + 112 + 4 * 8)
    return pe[off:off + size]


def seed_trust(build):
    """device-path, sign and sbat (the UKI stub's device path walkers, the CLI's signature reader
    and SBAT merge)."""
    # device paths: PciRoot, Pci, a GPT hard drive node, file path nodes, End
    def node(t, st, data):
        return struct.pack("<BBH", t, st, 4 + len(data)) + data
    guid = bytes(range(0x10, 0x20))
    acpi, pci = node(2, 1, struct.pack("<II", 0x0a0341d0, 0)), node(1, 1, b"\x00\x1f")
    hd_gpt = node(4, 1, struct.pack("<IQQ", 1, 2048, 65536) + guid + b"\x02\x02")
    hd_mbr = node(4, 1, struct.pack("<IQQ", 1, 2048, 65536) + guid[:4] + bytes(12) + b"\x01\x01")
    end = node(0x7f, 0xff, b"")
    def fp(text):
        return node(4, 4, (text + "\0").encode("utf-16-le"))
    for path in [acpi + pci + hd_gpt + fp("\\EFI\\Linux\\uki.efi") + end,
                 acpi + pci + hd_mbr + fp("\\EFI\\BOOT\\BOOTX64.EFI") + end,
                 fp("\\EFI") + fp("Linux") + fp("\\a.efi") + end,
                 hd_gpt[:30] + end,
                 acpi + node(4, 1, b"") + end]:
        put("device-path", path)

    # signatures: the certificate table sbsign writes for a stub (a throw-away key), in a tiny
    # PE and alone
    stub = sorted(glob.glob(os.path.join(build, "src", "boot", "zboot", "linux*.efi.stub")))[0]
    with tempfile.TemporaryDirectory() as tmp:
        key, cert, out = (os.path.join(tmp, n) for n in ("key.pem", "cert.pem", "signed.efi"))
        subprocess.run(["openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=ukify-zboot make-seeds", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        subprocess.run(["sbsign", "--key", key, "--cert", cert, "--output", out, stub], check=True,
                       capture_output=True)
        with open(out, "rb") as f:
            table = cert_table_of(f.read())
    text = tiny_pe([(".text", b"\xc3" * 16)])
    put("sign", tiny_pe([(".text", b"\xc3" * 16)], table), b"\x00")
    put("sign", text, b"\x00")
    put("sign", table, b"\x01")
    put("sign", table + struct.pack("<IHH", 8, 0x200, 2), b"\x01")
    put("sign", struct.pack("<IHH", 12, 0x200, 1) + bytes(4) + struct.pack("<IHH", 0x10000, 0x200, 2), b"\x01")

    # SBAT: stub, kernel, user texts (0xff between them), and tiny PEs with a .sbat
    header = "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n"
    ours = "ukify-zboot,1,ukify-zboot,ukify-zboot,0.1,https://example.org/ukify-zboot\n"
    kernel = "linux,1,Debian,linux,6.1.0,https://www.debian.org/\nukify-zboot,2,x,x,x,x\n"
    user = "mydistro,3,My Distro,linux,1,https://example.org\r\n  \nlinux,1,u,u,u,u"
    put("sbat", "\xff".join([header + ours, header + kernel, user]).encode("latin-1"), b"\x00")
    put("sbat", (header + ours + "bad,0,zero generation\n").encode(), b"\x00")
    put("sbat", "a,123456789\n,1\nb,x\n".encode(), b"\x00")
    put("sbat", tiny_pe([(".text", b"\xc3" * 16), (".sbat", (header + ours).encode() + b"\0")]), b"\x01")
    put("sbat", tiny_pe([(".sbat", (header + kernel).encode())]), b"\x01")
    put("sbat", tiny_pe([(".sbat", b"linux,1\n")]), b"\x01")


def seed_zsig(build):
    """zsig (fuzz-zsig.c): .zsig sections signed with test/fuzz/zsig-test-key.pem (the certificate
    is the one compiled into fuzz-zsig.c): made by the CLI over the Debian kernels (the payload is
    the whole kernel: describe parses them, verify refuses), and by openssl cms with zsig_make()'s
    flags over the fuzzer's fixed payload (verify accepts), some flags varied; then truncations."""
    here = os.path.dirname(os.path.abspath(__file__))
    key = os.path.join(here, "zsig-test-key.pem")
    with open(os.path.join(here, "fuzz-zsig.c")) as f:
        src = f.read()
    text = src[src.index('"-----BEGIN CERTIFICATE-----'):src.index('-----END CERTIFICATE-----')]
    pem = "".join(l.strip().strip('"').replace("\\n", "\n") for l in text.splitlines()) + "-----END CERTIFICATE-----\n"
    payload = b"ukify-zboot fuzz-zsig payload\n" * 4   # FUZZ_PAYLOAD_LINE, 4 times

    def trailer(n):   # struct module_signature (PKCS#7, sig_len big-endian), then the magic
        return struct.pack(">BBBBB3sI", 0, 0, 2, 0, 0, bytes(3), n) + b"~Module signature appended~\n"
    cli = os.path.join(build, "src", "ukify-zboot", "ukify-zboot")
    env = dict(os.environ, UKIFY_ZBOOT_STUB_DIR=os.path.join(build, "src", "boot", "zboot"))
    with tempfile.TemporaryDirectory() as tmp:
        cert, key2, cert2, pay = (os.path.join(tmp, n) for n in ("cert.pem", "key2.pem", "cert2.pem", "payload"))
        with open(cert, "w") as f:
            f.write(pem)
        with open(pay, "wb") as f:
            f.write(payload)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=ukify-zboot make-seeds other", "-keyout", key2, "-out", cert2], check=True,
                       capture_output=True)
        secs = []
        for arch, comp in (("arm64", "gzip"), ("amd64", "zstd")):
            out = os.path.join(tmp, arch + ".efi")
            subprocess.run([cli, "zboot", os.path.join(ROOT, "test", "cache", arch, "vmlinuz"), "-c", comp, "-l", "1",
                            "--sign-payload", key, "--sign-payload-cert", cert, "-o", out], check=True,
                           capture_output=True, env=env)
            with open(out, "rb") as f:
                pe = f.read()
            lfanew = struct.unpack_from("<I", pe, 0x3c)[0]
            nsec, opt = struct.unpack_from("<H", pe, lfanew + 6)[0], struct.unpack_from("<H", pe, lfanew + 20)[0]
            for i in range(nsec):
                h = lfanew + 24 + opt + 40 * i
                if pe[h:h + 8].rstrip(b"\0") == b".zsig":
                    vsize, _, rsize, roff = struct.unpack_from("<IIII", pe, h + 8)
                    secs.append(pe[roff:roff + min(vsize, rsize)])
        for extra in (["-noattr", "-nocerts", "-md", "sha256"], ["-noattr", "-nocerts", "-md", "sha256", "-keyid"],
                      ["-noattr", "-nocerts", "-md", "sha512"], ["-nocerts", "-md", "sha256"],
                      ["-noattr", "-md", "sha256"], ["-noattr", "-nocerts", "-md", "sha256", "-nodetach"],
                      ["-noattr", "-nocerts", "-md", "sha256", "-signer", cert2, "-inkey", key2]):
            der = subprocess.run(["openssl", "cms", "-sign", "-binary", "-in", pay, "-signer", cert, "-inkey", key,
                                  "-outform", "DER"] + extra, check=True, capture_output=True).stdout
            secs.append(der + trailer(len(der)))
    # byte 0 even: a whole section; odd: the signature alone (fuzz-zsig.c adds the trailer)
    for sec in secs:
        put("zsig", sec, b"\x00")
        put("zsig", sec[:len(sec.rstrip(b"\0")) - 40], b"\x01")
    sec = secs[-7]   # the plain openssl one
    n = len(sec) - 40
    put("zsig", sec + bytes(512 - len(sec) % 512), b"\x00")     # padded to a file alignment, as in a PE
    put("zsig", sec[:-1], b"\x00")                               # the magic cut
    put("zsig", sec[:n - 10] + trailer(n - 10), b"\x00")         # the DER cut, the trailer consistent
    put("zsig", sec[:n] + b"\0" + trailer(n + 1), b"\x00")       # a byte after the DER


def main():
    build = sys.argv[1]
    ONLY.update(sys.argv[2:])
    if ONLY and ONLY <= {"device-path", "sign", "sbat", "zsig"}:
        seed_trust(build)
        seed_zsig(build)
        return
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
        put("pe", d + struct.pack("<Q", 0x200000))   # the last 8 bytes: a relocation delta (fuzz-pe.c)
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
        "lzo": tool(["lzop", "-9", "-c"], text),
    }
    # lzo (-Dlzo=enabled builds): also crc32 sums and a stored (incompressible) block
    put("decompress-lzo", tool(["lzop", "-1", "--crc32", "-c"], text))
    put("decompress-lzo", tool(["lzop", "-9", "-c"], hashlib.sha256(text).digest() * 8))
    labels = ["gzip", "zstd", "zstd22", "lz4", "xzkern", "lzma", "xz", "none", "lzo"]
    for name, s in streams.items():
        if name in ("gzip", "zstd", "lz4", "xz", "lzo"):
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
    # BootOptions: first byte even = UTF-16LE (LoadOptions), odd = UTF-8 (kexec); the kernel's
    # quotes, "--", its white space (also the byte 0xa0), '=' in names, initrd= anywhere
    for line in ["root=/dev/sda1 ro quiet", "initrd=\\EFI\\debian\\initrd.img nokaslr console=ttyS0",
                 "initrd=/a/b.img initrd=c.img no5lvl", "  spaces   initrd=x\x00after-nul", "émoji ✓ ünïcode \U0001F600",
                 "quiet \"nokaslr\" foo=\"a b\" -- noinitrd", "noinitrd=1 \"--\" no5lvl\tnokaslr", "a\nnokaslr",
                 "q\u00a0nokaslr zboot.bench", "xinitrd=one \"initrd=two three\" -- initrd=//four initrd=",
                 "a" * 2039 + " nokaslr", "x\ud800", "\udc00y\ud800z"]:
        put("boot-options", line.encode("utf-16-le", "surrogatepass"), b"\x00")
        put("boot-options", line.encode("utf-8", "surrogatepass"), b"\x01")

    # x86 page tables + screen_info: map_end, buf_phys, flags, X86Gop, probes
    for end, la57, fmt in [(4 << 30, 0, 1), (6 << 30, 1, 0), (1, 0, 2)]:
        gop = struct.pack("<5I3I2Q", fmt, 0xff0000, 0xff00, 0xff, 0, 1024, 768, 1024, 0x80000000, 1024 * 768 * 4)
        put("x86-pgtable", struct.pack("<QQB", end, 0x100000, la57 | 2) + gop + struct.pack("<2Q", 0x1234567, end - 1))
    # slots: size, align shift, min, max, seed, then (start, size) regions
    put("slots", struct.pack("<5Q", 32 << 20, 21, 0, 1 << 48, 12345) +
        struct.pack("<4Q", 0x100000, 0x7ff00000, 0x100000000, 0x100000000))
    seed_trust(build)
    seed_zsig(build)


if __name__ == "__main__":
    main()
