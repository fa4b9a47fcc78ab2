#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Craft the malformed inputs in this directory (deterministically) and the manifest
`expected.tsv`: one line per file, `NAME<TAB>REGEX`, the regex being the specific error every
ukify-zboot command must print for it.

Four small valid bases are built from scratch (no kernel needed): two zboot images (PE32+ for
aarch64 with a gzip resp. xzkern payload holding a fake arm64 Image, laid out by the kernel's
per-type size rule: docs/format.md §1), an arm64 Image and a bzImage with an
xz payload holding a fake ELF kernel. `good-*.img` are those bases (the test checks that they
are accepted, so every bad file fails for its own reason); every `bad-*.img` changes one thing.

    test/bad-images/make-bad-images.py [DIR]     # default: the directory of this script
"""
import gzip
import lzma
import os
import struct
import subprocess
import sys
import zlib

LINUX_PE_MAGIC = 0x818223cd
SCN_CODE, SCN_IDATA = 0x20, 0x40
SCN_X, SCN_R, SCN_W = 0x20000000, 0x40000000, 0x80000000
MACHINE_ARM64, MACHINE_X64 = 0xaa64, 0x8664


def align(x, a):
    return (x + a - 1) // a * a


class Pe:
    """A PE32+ EFI application laid out like ours: headers in the first FileAlignment bytes,
    sections at SectionAlignment. Fields are attributes so a variant can change one."""

    def __init__(self, prefix, sections, machine=MACHINE_ARM64):
        self.prefix = bytearray(prefix.ljust(0x40, b'\0'))
        self.lfanew = 0x40
        self.machine = machine
        self.sa, self.fa = 0x1000, 0x200
        self.size_of_headers = 0x200
        self.dllchar = 0x0100 | 0x0040          # NX_COMPAT | DYNAMIC_BASE
        self.opt_magic = 0x20b
        self.n_rva = 16
        self.dirs = [(0, 0)] * 16
        self.size_of_opt = 112 + 16 * 8
        self.n_sections_override = None
        self.size_of_image_override = None
        self.sections = []
        raw, rva = self.size_of_headers, self.sa
        for name, data, chars in sections:
            self.sections.append(dict(name=name, data=data, chars=chars, vsize=len(data), rva=rva,
                                      raw=raw, rawsize=align(len(data), self.fa)))
            raw += align(len(data), self.fa)
            rva += align(max(len(data), 1), self.sa)
        self.end_rva = rva

    def section(self, name):
        return next(s for s in self.sections if s['name'] == name)

    def build(self):
        out = bytearray(self.size_of_headers)
        out[0:0x40] = self.prefix
        struct.pack_into('<I', out, 0x3c, self.lfanew)
        n = self.n_sections_override if self.n_sections_override is not None else len(self.sections)
        fh = struct.pack('<4sHHIIIHH', b'PE\0\0', self.machine, n, 0, 0, 0, self.size_of_opt, 0x0206)
        size_of_image = self.size_of_image_override or self.end_rva
        code = self.sections[0]
        opt = struct.pack('<HBBIIIIIQIIHHHHHHIIIIHHQQQQII', self.opt_magic, 14, 0, code['rawsize'], 0, 0,
                          code['rva'], code['rva'], 0, self.sa, self.fa, 0, 0, 1, 0, 0, 0, 0, size_of_image,
                          self.size_of_headers, 0, 10, self.dllchar, 0, 0, 0, 0, 0, self.n_rva)
        opt += b''.join(struct.pack('<II', *d) for d in self.dirs)
        hdr = fh + opt
        table = b''
        for s in self.sections:
            table += struct.pack('<8sIIIIIIHHI', s['name'].encode(), s['vsize'], s['rva'], s['rawsize'],
                                 s['raw'], 0, 0, 0, 0, s['chars'])
        blob = hdr + table
        end = min(len(out), self.lfanew + len(blob))
        out[self.lfanew:end] = blob[:end - self.lfanew]
        for s in self.sections:
            need = s['raw'] + s['rawsize']
            if need > 1 << 24:          # a hostile offset: nothing to place, the table says it all
                continue
            if len(out) < need:
                out += bytes(need - len(out))
            out[s['raw']:s['raw'] + len(s['data'])] = s['data']
        return out


# ---- the three valid bases ---------------------------------------------------------------

def fake_arm64_image(size=0x1000, image_size=0x2000):
    img = bytearray(size)
    img[0:4] = b'MZ@\xfa'                           # what the kernel's code0 looks like
    struct.pack_into('<QQQ', img, 8, 0, image_size, 0xa)   # text_offset, image_size, flags
    img[0x38:0x3c] = b'ARM\x64'
    banner = b'Linux version 6.1.0-bad (tests@ukify-zboot) #1 SMP\n\0'
    img[0x800:0x800 + len(banner)] = banner
    return bytes(img)


def zboot_payload(kernel):
    """gzip (deterministic: mtime 0); gzip's own ISIZE is the decompressed size."""
    return gzip.compress(kernel, compresslevel=9, mtime=0)


def xz_payload(kernel):
    """xz as the kernel's xzkern (CRC32 check)."""
    return lzma.compress(kernel, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32)


def lzo_payload(kernel):
    """lzo as Makefile.zboot makes it: the lzop program's `lzop -9` (tools/setup installs it),
    with the header's mtime set to 0 and its adler32 redone so the file is reproducible."""
    s = bytearray(subprocess.run(['lzop', '-9', '-c'], input=kernel, capture_output=True, check=True).stdout)
    # magic(9) version lib needed(6) method level(2) flags mode(8) mtime_low mtime_high(8) name_len(1) checksum
    assert s[:9] == b'\x89LZO\0\r\n\x1a\n' and s[33] == 0, 'unexpected lzop header'
    struct.pack_into('>II', s, 25, 0, 0)
    struct.pack_into('>I', s, 34, zlib.adler32(bytes(s[9:34])))
    return bytes(s)


def zboot_header(payload_offset, payload_size, comp=b'gzip'):
    h = bytearray(0x40)
    h[0:2] = b'MZ'
    h[4:8] = b'zimg'
    struct.pack_into('<II', h, 8, payload_offset, payload_size)
    h[0x18:0x18 + len(comp)] = comp
    struct.pack_into('<I', h, 0x38, LINUX_PE_MAGIC)
    return h


TEXT = b'\xc0\x03\x5f\xd6' * 16                      # aarch64 `ret`, the stub's stand-in


def zboot_pe(stream=None, comp=b'gzip', trailer_size=None, psize=None, data=None):
    """A zboot image (Pe) by the kernel's size rule (Makefile.zboot zboot-size-len): gzip's
    payload size is the whole member (its ISIZE is the decompressed size); every other type's
    is the stream, the 4-byte size appended after it. psize/data override the header's payload
    size and the .zdata contents."""
    kernel = fake_arm64_image()
    stream = zboot_payload(kernel) if stream is None else stream
    if data is None:
        data = stream if comp == b'gzip' else stream + struct.pack('<I', trailer_size or 0x2000)
    pe = Pe(b'', [('.text', TEXT, SCN_CODE | SCN_R | SCN_X), ('.zdata', data, SCN_IDATA | SCN_R)])
    z = pe.section('.zdata')
    pe.prefix = zboot_header(z['raw'], len(stream) if psize is None else psize, comp)
    return pe


def zboot_image(**kw):
    return zboot_pe(**kw).build()


def arm64_image_pe():
    img = bytearray(fake_arm64_image())
    pe = Pe(bytes(img[:0x40]), [('.text', img[0x200:], SCN_CODE | SCN_R | SCN_X)])
    return pe


def fake_elf(size=0x3000):
    e = bytearray(size)
    e[0:4] = b'\x7fELF'
    e[4:7] = b'\x02\x01\x01'
    return bytes(e)


def bzimage(payload=None, version=0x020f, setup_sects=1, payload_off=None, payload_len=None):
    if payload is None:
        elf = fake_elf()
        payload = lzma.compress(elf, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32) + struct.pack('<I', len(elf))
    setup = (setup_sects + 1) * 512
    b = bytearray(setup)
    b[0:2] = b'MZ'                                   # our bzImages are not PE here: no e_lfanew
    b[0x1f1] = setup_sects
    struct.pack_into('<H', b, 0x1fe, 0xaa55)
    b[0x202:0x206] = b'HdrS'
    struct.pack_into('<H', b, 0x206, version)
    struct.pack_into('<II', b, 0x248, 0x100 if payload_off is None else payload_off,
                     len(payload) if payload_len is None else payload_len)
    return bytes(b) + bytes(0x100) + payload


# ---- variants ------------------------------------------------------------------------------

def patch(data, off, fmt, *vals):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, *vals)
    return bytes(b)


def cases():
    good = bytes(zboot_image())
    pe = zboot_pe()
    z = pe.section('.zdata')
    stream = zboot_payload(fake_arm64_image())
    off, psize = z['raw'], len(stream)
    isize = off + psize - 4                          # gzip: the decompressed size is the member's ISIZE
    xz = xz_payload(fake_arm64_image())
    good_xz = bytes(zboot_image(stream=xz, comp=b'xzkern', trailer_size=0x1000))
    arm = bytes(arm64_image_pe().build())
    bz = bzimage()
    out = []

    def add(name, data, regex):
        out.append((name, bytes(data), regex))

    def pe_variant(name, regex, **attrs):
        p = zboot_pe()
        for k, v in attrs.items():
            setattr(p, k, v)
        add(name, p.build(), regex)

    # files that are not kernels at all
    add('bad-empty.img', b'', r'too short to be a kernel')
    add('bad-tiny-mz.img', b'MZ' + bytes(8), r'too short to be a kernel')
    add('bad-text.img', b'this is a text file, not a kernel image at all.\n' * 4, r'not a kernel image \(no MZ')
    add('bad-elf.img', fake_elf(0x200), r'not a kernel image \(no MZ')
    add('bad-mz-no-pe.img', b'MZ' + bytes(0x3a) + struct.pack('<I', 0x1000) + bytes(0x100),
        r'not a valid PE image: PE header offset')

    # zboot header
    add('bad-zboot-truncated-header.img', good[:63], r'too short to be a kernel|shorter than the 64-byte zboot header')
    add('bad-zboot-header-only.img', good[:0x40], r'zboot (header|image)')
    add('bad-zboot-reserved.img', patch(good, 0x10, '<I', 1), r'reserved bytes 0x10\.\.0x17 are not zero')
    add('bad-zboot-comp-empty.img', patch(good, 0x18, '<I', 0), r'compression type at 0x18 is empty')
    add('bad-zboot-comp-unterminated.img', patch(good, 0x18, '32s', b'a' * 32), r'compression type at 0x18 .*not NUL-terminated')
    add('bad-zboot-comp-binary.img', patch(good, 0x18, '8s', b'gz\x01\xffip\0\0'), r'compression type at 0x18 .*not a name')
    add('bad-zboot-comp-unknown.img', patch(good, 0x18, '8s', b'brotli\0\0'), r'unsupported zboot compression "brotli"')
    add('bad-zboot-comp-upper.img', patch(good, 0x18, '8s', b'GZIP\0\0\0\0'), r'compression type at 0x18')
    add('bad-zboot-pe-magic.img', patch(good, 0x38, '<I', 0x12345678), r'LINUX_PE_MAGIC missing')
    add('bad-zboot-pe-offset-in-header.img', patch(good, 0x3c, '<I', 0x10), r'PE header offset \(0x3c\) inside the zboot header')
    add('bad-zboot-pe-offset-past-eof.img', patch(good, 0x3c, '<I', 0x7ffffff0), r'PE header offset \(0x3c\) .*past the end')
    add('bad-zboot-payload-size-zero.img', patch(good, 0x0c, '<I', 0), r'payload size is 0')
    add('bad-zboot-payload-offset-in-header.img', patch(good, 0x08, '<I', 0x20), r'payload offset points into the zboot header')
    add('bad-zboot-payload-offset-past-eof.img', patch(good, 0x08, '<I', len(good) + 0x1000), r'payload offset/size .* past the end')
    add('bad-zboot-payload-size-past-eof.img', patch(good, 0x0c, '<I', len(good)), r'payload offset/size .* past the end')
    add('bad-zboot-payload-overflow32.img', patch(patch(good, 0x08, '<I', 0xffffff00), 0x0c, '<I', 0x200),
        r'payload offset/size .* past the end')
    add('bad-zboot-payload-size-max.img', patch(good, 0x0c, '<I', 0xffffffff), r'payload offset/size .* past the end')
    add('bad-zboot-file-truncated.img', good[:off + psize // 2], r'payload offset/size .* past the end')

    # size trailer
    add('bad-zboot-trailer-zero.img', patch(good, isize, '<I', 0), r'implausible decompressed size')
    add('bad-zboot-trailer-huge.img', patch(good, isize, '<I', 0xfffffff0), r'implausible decompressed size')
    add('bad-zboot-trailer-small.img', patch(good, isize, '<I', 0x800), r'data decompresses to more than the space given')
    add('bad-zboot-trailer-large.img', patch(good, isize, '<I', 0x2100), r'cannot decompress the gzip payload: compressed data is corrupt')
    add('bad-zboot-trailer-short-size.img', patch(good, 0x0c, '<I', psize - 2), r'(corrupt|truncated|implausible|more than the space|size differs)')

    # the kernel's size rule per type (docs/format.md §1)
    add('bad-zboot-gzip-old-rule.img', zboot_image(psize=len(stream) - 4),
        r'gzip payload size leaves out the gzip trailer \(ISIZE\): image made by an old ukify-zboot; remake it')
    add('bad-zboot-gzip-size-cuts-member.img', zboot_image(psize=len(stream) - 8),
        r'cannot decompress the gzip payload: compressed data is corrupt')
    add('bad-zboot-gzip-size-appended.img',
        zboot_image(data=stream + struct.pack('<I', 0x2000), psize=len(stream) + 4),
        r'cannot decompress the gzip payload: compressed data is corrupt')
    add('bad-zboot-gzip-size-tiny.img', zboot_image(psize=17), r'gzip payload size is smaller than a gzip member')
    add('bad-zboot-xz-size-missing.img', good_xz[:off + len(xz) + 2], r'payload offset/size .* past the end')
    add('bad-zboot-xz-size-small.img', zboot_image(stream=xz, comp=b'xzkern', trailer_size=0x800),
        r'cannot decompress the xzkern payload: data decompresses to more than the space given')
    add('bad-zboot-xz-size-large.img', zboot_image(stream=xz, comp=b'xzkern', trailer_size=0x2000),
        r'cannot decompress the xzkern payload: size differs from the size trailer')
    add('bad-zboot-xz-size-inside.img', zboot_image(stream=xz, comp=b'xzkern', trailer_size=0x1000, psize=len(xz) + 4),
        r'implausible decompressed size in the zboot size trailer')

    # payload stream
    flipped = bytearray(good)
    flipped[off + 40] ^= 0x55
    add('bad-zboot-payload-bitflip.img', flipped, r'cannot decompress the gzip payload: compressed data is (corrupt|truncated)')
    cut = stream[:len(stream) // 2] + stream[-4:]
    add('bad-zboot-payload-truncated.img', zboot_image(stream=cut), r'cannot decompress the gzip payload: compressed data is (truncated|corrupt)')
    add('bad-zboot-payload-garbage.img', zboot_image(stream=bytes((i * 73 + 11) & 0xff for i in range(600)) + struct.pack('<I', 0x2000)),
        r'cannot decompress the gzip payload: compressed data is corrupt')
    add('bad-zboot-payload-trailing-garbage.img', zboot_image(stream=stream[:-4] + b'JUNKJUNK' + stream[-4:]),
        r'cannot decompress the gzip payload')
    add('bad-zboot-zstd-labelled-gzip.img', zboot_image(stream=stream, comp=b'zstd'),
        r'cannot decompress the zstd payload: compressed data is corrupt')
    add('bad-zboot-zstd22-labelled-gzip.img', zboot_image(stream=stream, comp=b'zstd22'),
        r'cannot decompress the zstd22 payload: compressed data is corrupt')
    add('bad-zboot-lz4-labelled-gzip.img', zboot_image(stream=stream, comp=b'lz4'),
        r'cannot decompress the lz4 payload: compressed data is corrupt')
    # lzo (-Dlzo=enabled builds; the lzop container, docs/format.md)
    lzo = lzo_payload(fake_arm64_image())
    add('bad-zboot-lzo-truncated.img', zboot_image(stream=lzo[:len(lzo) // 2], comp=b'lzo', trailer_size=0x1000),
        r'cannot decompress the lzo payload: compressed data is truncated')
    lzo_flip = bytearray(lzo)
    lzo_flip[38 + 12 + 8] ^= 0x04                    # inside the first block's LZO1X data
    add('bad-zboot-lzo-bitflip.img', zboot_image(stream=bytes(lzo_flip), comp=b'lzo', trailer_size=0x1000),
        r'cannot decompress the lzo payload: compressed data is corrupt')
    lzo_hdr = bytearray(lzo)
    lzo_hdr[28] ^= 0x01                              # mtime, covered by the header checksum
    add('bad-zboot-lzo-header-checksum.img', zboot_image(stream=bytes(lzo_hdr), comp=b'lzo', trailer_size=0x1000),
        r'cannot decompress the lzo payload: compressed data is corrupt')
    add('bad-zboot-lzo-size-small.img', zboot_image(stream=lzo, comp=b'lzo', trailer_size=0x800),
        r'cannot decompress the lzo payload: data decompresses to more than the space given')
    add('bad-zboot-xz-garbage.img', zboot_image(stream=b'\xfd7zXZ\0' + bytes(200), comp=b'xzkern'),
        r'cannot decompress the xzkern payload: compressed data is corrupt')
    # a bomb: a few KiB of stream expanding to 16 MiB, the trailer claiming 8 KiB
    bomb = gzip.compress(bytes(16 << 20), 9, mtime=0)
    add('bad-zboot-bomb.img', zboot_image(stream=bomb[:-4] + struct.pack('<I', 0x2000)),
        r'data decompresses to more than the space given')

    # the PE inside a zboot image
    p = zboot_pe()
    b = p.build()
    b[0x40:0x44] = b'PX\0\0'
    add('bad-zboot-pe-signature-x.img', b, r'broken PE header: no PE signature')
    pe_variant('bad-zboot-pe32.img', r'broken PE header: not a PE32\+ image', opt_magic=0x10b)
    pe_variant('bad-zboot-opt-header-huge.img', r'broken PE header: optional header size', size_of_opt=0xfff0)
    pe_variant('bad-zboot-opt-header-small.img', r'broken PE header: optional header size', size_of_opt=16)
    pe_variant('bad-zboot-sections-absurd.img', r'broken PE header: too many sections', n_sections_override=0xffff)
    pe_variant('bad-zboot-section-table-past-eof.img', r'broken PE header: section table runs past the end',
               n_sections_override=90)
    pe_variant('bad-zboot-rva-count.img', r'broken PE header: data directory', n_rva=17)
    pe_variant('bad-zboot-datadir-outside.img', r'broken PE header: data directory',
               dirs=[(0, 0)] * 5 + [(0x7fff0000, 0x100)] + [(0, 0)] * 10)
    pe_variant('bad-zboot-section-align.img', r'broken PE header: SectionAlignment', sa=0x1800)
    pe_variant('bad-zboot-file-align.img', r'broken PE header: SectionAlignment', fa=0x2000)
    pe_variant('bad-zboot-size-of-image.img', r'broken PE header: section \(or headers\) beyond SizeOfImage',
               size_of_image_override=0x1800)
    pe_variant('bad-zboot-headers-beyond-image.img', r'broken PE header: section \(or headers\) beyond SizeOfImage',
               size_of_headers=0x200, size_of_image_override=0x100)
    p = zboot_pe()
    p.section('.zdata')['rva'] = p.section('.text')['rva']
    add('bad-zboot-sections-overlap.img', p.build(), r'broken PE header: sections overlap')
    p = zboot_pe()
    p.section('.text')['rva'] = 0x100
    add('bad-zboot-section-over-headers.img', p.build(), r'broken PE header: sections overlap')
    # .zdata's PointerToRawData (section table at 0x40 + 24 + 240, entry 1, field +20) near 4 GiB
    add('bad-zboot-section-raw-overflow.img', patch(good, 0x40 + 24 + 240 + 40 + 20, '<I', 0xfffffe00),
        r'broken PE header: section raw data runs past the end')
    p = zboot_pe()
    p.section('.text')['rawsize'] = 0x100000
    add('bad-zboot-section-raw-past-eof.img', p.build()[:len(good)], r'broken PE header: section raw data runs past the end')

    # arm64 Images (input of `zboot` and `build`)
    add('bad-arm64-image-size-small.img', patch(arm, 16, '<Q', 0x100), r'image_size 256 is smaller than the file')
    add('bad-arm64-image-size-absurd.img', patch(arm, 16, '<Q', 1 << 40), r'image_size \d+ is smaller than the file or absurd')
    add('bad-arm64-image-pe.img', patch(arm, 0x3c, '<I', 0x10000), r'arm64 Image with a broken PE header')
    add('bad-arm64-image-truncated.img', arm[:0x30], r'too short to be a kernel')

    # bzImages
    add('bad-bzimage-old-protocol.img', bzimage(version=0x0204), r'boot protocol 2\.04 has no payload fields')
    add('bad-bzimage-payload-past-eof.img', bzimage(payload_len=0x100000), r'bzImage payload .* runs past the end')
    add('bad-bzimage-setup-past-eof.img', bzimage(setup_sects=200)[:0x800], r'bzImage payload .* runs past the end')
    good_payload = bz[0x500:]
    bad = bytearray(good_payload)
    bad[len(bad) // 2] ^= 0x20
    add('bad-bzimage-payload-corrupt.img', bzimage(payload=bytes(bad)), r"cannot decompress the bzImage's xzkern payload: compressed data is corrupt")
    add('bad-bzimage-payload-unknown.img', bzimage(payload=b'BZh9' + bytes(100)), r'bzImage payload compression not recognised')
    add('bad-bzimage-payload-not-elf.img',
        bzimage(payload=lzma.compress(bytes(0x3000), format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32) + struct.pack('<I', 0x3000)),
        r'result is not an ELF kernel')
    add('bad-bzimage-size-trailer.img', bzimage(payload=good_payload[:-4] + struct.pack('<I', 7)),
        r'implausible decompressed size 7')

    good_lzo = bytes(zboot_image(stream=lzo_payload(fake_arm64_image()), comp=b'lzo', trailer_size=0x1000))
    return [('good-zboot.img', good, ''), ('good-zboot-xz.img', good_xz, ''), ('good-zboot-lzo.img', good_lzo, ''),
            ('good-arm64-image.img', arm, ''),
            ('good-bzimage.img', bz, '')] + out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(d, exist_ok=True)
    all_cases = cases()
    names = [c[0] for c in all_cases]
    assert len(names) == len(set(names)), 'duplicate names'
    with open(os.path.join(d, 'expected.tsv'), 'w') as m:
        m.write('# NAME\tREGEX (the error every ukify-zboot command prints; empty = a valid base)\n')
        for name, data, regex in all_cases:
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)
            m.write('%s\t%s\n' % (name, regex))
    print('%d files (%d bad) in %s' % (len(all_cases), sum(1 for c in all_cases if c[2]), d))


if __name__ == '__main__':
    main()
