#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Conformance tests against zboot images built by the Linux kernel's own build
(tools/build-zboot-corpus: arm64 tinyconfig kernels from Debian 12's 6.1 and the development
suite's sources, one vmlinuz.efi per compression the kernel offers).

Usage: conformance_test.py SUITE CHECK [--work-dir DIR] [--only COMP,...]
  SUITE  bookworm | sid      (the corpus keeps SUITE -> <Debian version> symlinks)
  CHECK  header | extract | rewrap | lzo | ukify | boot-uki | boot-ours | boot-ours-lzo | boot-type1

lzo (6.1 only) needs a build configured with -Dlzo=enabled (tools/test does): without it our
tools refuse lzo and every lzo check fails saying so.

The corpus is read from $ZBOOT_CORPUS_DIR, default /var/cache/ukify-zboot/corpus (a machine
cache that survives fresh clones). A missing corpus is a failure naming the command that
builds it. Our binaries come from the environment (test/conformance/meson.build):
  UKIFY_ZBOOT, ZBOOT_EFI_DIR, ZBOOT_TEST_CACHE.
"""

import argparse
import gzip
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'harness'))
import zboot_harness as H  # noqa: E402

CORPUS = os.environ.get('ZBOOT_CORPUS_DIR', '/var/cache/ukify-zboot/corpus')
BUILD_CMD = 'tools/build-zboot-corpus'
OSREL = b'ID=debian\nNAME="Debian GNU/Linux"\nPRETTY_NAME="zboot conformance"\nVERSION_ID="12"\n'

# What each kernel's drivers/firmware/efi/Kconfig + Makefile.zboot offer (corpus directory
# names are the CONFIG_KERNEL_<TYPE> names, lower case) and the label each writes at 0x18.
EXPECTED = {
    'bookworm': {'gzip': 'gzip', 'lz4': 'lz4', 'lzma': 'lzma', 'lzo': 'lzo', 'xz': 'xzkern', 'zstd': 'zstd22'},
    'sid': {'gzip': 'gzip', 'zstd': 'zstd'},
}
# LINUX_PE_MAGIC at 0x38: 6.1's zboot-header.S leaves 0x38 zero (only the PE offset at 0x3c);
# later kernels write the magic there, as their plain Images always did.
PE_MAGIC_AT_0X38 = {'bookworm': 0, 'sid': 0x818223cd}
# Our `ukify-zboot zboot --compress` names for the corpus types we can write.
OUR_COMPRESS = {'gzip': 'gzip', 'lz4': 'lz4', 'xz': 'xz', 'zstd': 'zstd', 'lzo': 'lzo'}
FAST_LEVEL = {'zstd': '3', 'gzip': '6', 'lz4': '9', 'xz': '1', 'lzo': '9'}   # lzo: lzop -9 as the kernel
LZO_NEEDS = 'lzo needs a build configured with -Dlzo=enabled (tools/test does)'
FAMILY = {'zstd22': 'zstd', 'zstd': 'zstd', 'xzkern': 'xz', 'gzip': 'gzip', 'lz4': 'lz4', 'lzma': 'lzma', 'lzo': 'lzo'}
LINUX_PE_MAGIC = 0x818223cd


class Corpus:
    def __init__(self, suite):
        self.suite = suite
        link = os.path.join(CORPUS, suite)
        if not os.path.isdir(link):
            raise H.HarnessError('zboot corpus for %s missing: %s (build it with `%s %s`, ~15 min per kernel)'
                                 % (suite, link, BUILD_CMD, suite))
        self.dir = os.path.realpath(link)
        self.version = os.path.basename(self.dir)
        with open(self.path('compressions')) as f:
            self.comps = f.read().split()
        self.all_comps = list(self.comps)

    def path(self, *parts):
        p = os.path.join(self.dir, *parts)
        if not os.path.isfile(p) or (os.path.getsize(p) == 0 and parts[-1] != 'kernelrelease'):
            raise H.HarnessError('corpus file missing: %s (rebuild with `%s %s`)' % (p, BUILD_CMD, self.suite))
        return p

    def read(self, comp, name):
        with open(self.path(comp, name), 'rb') as f:
            return f.read()

    def compressed_input(self, comp):
        """What the kernel build fed to the compressor: arch/arm64/boot/vmlinux.bin (Image padded
        to its in-memory size) on kernels that pad, else Image itself (6.1)."""
        p = os.path.join(self.dir, comp, 'vmlinux.bin')
        return self.read(comp, 'vmlinux.bin' if os.path.isfile(p) else 'Image'), os.path.isfile(p)

    def release(self, comp):
        return self.read(comp, 'kernelrelease').decode().strip()


def ukify(*args, ok=True):
    exe = os.environ.get('UKIFY_ZBOOT')
    if not exe:
        raise H.HarnessError('UKIFY_ZBOOT not set (run through meson test)')
    p = subprocess.run([H.need_file(exe, 'ukify-zboot')] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode(errors='replace')
    if ok and p.returncode != 0:
        raise H.HarnessError('ukify-zboot %s failed: %s' % (' '.join(args), out))
    return (p.returncode, out) if not ok else out


# ---- an independent reading of the zboot header and the PE header (FACTS.md §1) -------------

def parse_zboot(d):
    """The kernel's zboot header fields, read here without our C code."""
    if len(d) < 0x40 or d[:2] != b'MZ' or d[4:8] != b'zimg':
        return None
    off, size = struct.unpack_from('<II', d, 8)
    label = d[0x18:0x38].split(b'\0', 1)[0].decode('ascii', errors='replace')
    magic, pe = struct.unpack_from('<II', d, 0x38)
    size_len = 0 if label == 'gzip' else 4
    trailer_at = off + size + size_len - 4
    return {'payload_offset': off, 'payload_size': size, 'compression': label,
            'reserved': d[0x10:0x18], 'linux_pe_magic': magic, 'pe_offset': pe, 'size_len': size_len,
            'decompressed_size': struct.unpack_from('<I', d, trailer_at)[0] if trailer_at + 4 <= len(d) else None}


def parse_pe(d, pe):
    if d[pe:pe + 4] != b'PE\0\0':
        return None
    machine, nsec = struct.unpack_from('<HH', d, pe + 4)
    opt_size, = struct.unpack_from('<H', d, pe + 20)
    opt = pe + 24
    r = {'machine': machine,
         'entry': struct.unpack_from('<I', d, opt + 16)[0],
         'section_alignment': struct.unpack_from('<I', d, opt + 32)[0],
         'file_alignment': struct.unpack_from('<I', d, opt + 36)[0],
         'major_image_version': struct.unpack_from('<H', d, opt + 44)[0],
         'size_of_image': struct.unpack_from('<I', d, opt + 56)[0],
         'checksum': struct.unpack_from('<I', d, opt + 64)[0],
         'dll_characteristics': struct.unpack_from('<H', d, opt + 70)[0],
         'sections': []}
    for i in range(nsec):
        s = opt + opt_size + 40 * i
        name = d[s:s + 8].rstrip(b'\0').decode('ascii', errors='replace')
        vsize, va, raw, ptr = struct.unpack_from('<IIII', d, s + 8)
        ch, = struct.unpack_from('<I', d, s + 36)
        r['sections'].append({'name': name, 'rva': va, 'virtual_size': vsize, 'raw_size': raw,
                              'file_offset': ptr, 'characteristics': ch})
    return r


def decompress_exact(label, stream):
    """Decompress `stream` with a reference decoder (Python's zlib/lzma, the zstd/lz4/lzop
    programs) and return (output, exact) where exact says the stream ended exactly at the end
    of `stream` (nothing left over, nothing missing)."""
    fam = FAMILY.get(label)
    if fam == 'gzip':
        z = zlib.decompressobj(31)
        out = z.decompress(stream)
        return out, z.eof and not z.unused_data
    if fam in ('xz', 'lzma'):
        z = lzma.LZMADecompressor(lzma.FORMAT_XZ if fam == 'xz' else lzma.FORMAT_ALONE)
        out = z.decompress(stream)
        return out, z.eof and not z.unused_data
    tool = {'zstd': ['zstd', '-dc', '-q'], 'lz4': ['lz4', '-dc', '-q'], 'lzo': ['lzop', '-dc']}[fam]
    if shutil.which(tool[0]) is None:
        raise H.HarnessError('%s not installed (run tools/setup)' % tool[0])
    p = subprocess.run(tool, input=stream, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.stdout, p.returncode == 0


def inspect_json(path):
    import json
    return json.loads(ukify('inspect', '--json', path))


# ---- checks -----------------------------------------------------------------------------

def check_header(corpus, check, work):
    want = EXPECTED[corpus.suite]
    check.true(set(want) <= set(corpus.all_comps),
               'corpus %s lacks compressions %s' % (corpus.version, sorted(set(want) - set(corpus.all_comps))))
    for comp in corpus.comps:
        d = corpus.read(comp, 'vmlinuz.efi')
        what = '%s %s' % (corpus.version, comp)
        k = parse_zboot(d)
        if not check.true(k is not None, '%s: no zboot header (MZ ... zimg)' % what):
            continue
        # The header itself against what the build did (independent of our code).
        if comp in want:
            check.eq(k['compression'], want[comp], '%s: kernel label' % what)
        check.eq(k['reserved'], bytes(8), '%s: reserved bytes' % what)
        check.eq(k['linux_pe_magic'], PE_MAGIC_AT_0X38[corpus.suite], '%s: the le32 at 0x38' % what)
        raw = corpus.read(comp, 'vmlinuz')   # the build's compressed payload (+ size for non-gzip)
        end = k['payload_offset'] + k['payload_size'] + k['size_len']
        check.eq(len(raw), k['payload_size'] + k['size_len'],
                 '%s: payload size + size-len vs the build\'s arch/arm64/boot/vmlinuz' % what)
        check.true(d[k['payload_offset']:end] == raw,
                   '%s: bytes at payload offset are not the build\'s compressed payload' % what)
        inp, _ = corpus.compressed_input(comp)
        check.eq(k['decompressed_size'], len(inp), '%s: decompressed size (trailer) vs the compressed input' % what)
        out, exact = decompress_exact(k['compression'], d[k['payload_offset']:k['payload_offset'] + k['payload_size']])
        check.true(exact, '%s: the stream does not end exactly at payload offset + payload size' % what)
        check.true(out == inp, '%s: reference decoder output differs from the compressed input' % what)
        pe = parse_pe(d, k['pe_offset'])
        if not check.true(pe is not None, '%s: no PE header at the offset in 0x3c' % what):
            continue
        # Our reader, field by field.
        try:
            j = inspect_json(corpus.path(comp, 'vmlinuz.efi'))
        except H.HarnessError as e:
            check.true(False, '%s: %s' % (what, e))
            continue
        check.eq(j.get('kind'), 'zboot image', '%s: inspect kind' % what)
        z = j.get('zboot') or {}
        for key in ('payload_offset', 'payload_size', 'compression', 'decompressed_size'):
            check.eq(z.get(key), k[key], '%s: inspect zboot.%s' % (what, key))
        check.eq(z.get('supported'), True, '%s: inspect zboot.supported' % what)
        for key in ('machine', 'entry', 'section_alignment', 'file_alignment', 'major_image_version',
                    'size_of_image', 'checksum', 'dll_characteristics'):
            check.eq(j.get(key), pe[key], '%s: inspect %s (PE header at 0x%x)' % (what, key, k['pe_offset']))
        ours = [{f: s.get(f) for f in ('name', 'rva', 'virtual_size', 'raw_size', 'file_offset', 'characteristics')}
                for s in j.get('sections', [])]
        check.eq(ours, pe['sections'], '%s: inspect sections' % what)
        print('%s: %s at 0x%x, %d bytes (+%d), decompressed %d, PE at 0x%x' % (
            what, k['compression'], k['payload_offset'], k['payload_size'], k['size_len'],
            k['decompressed_size'], k['pe_offset']))
    return check.done()


def check_extract(corpus, check, work):
    for comp in corpus.comps:
        what = '%s %s' % (corpus.version, comp)
        out = os.path.join(work, '%s-%s.extracted' % (corpus.suite, comp))
        rc, msg = ukify('extract', corpus.path(comp, 'vmlinuz.efi'), '-o', out, ok=False)
        if not check.true(rc == 0, '%s: extract failed: %s%s' % (what, msg.strip(),
                                                                 ' (%s)' % LZO_NEEDS if comp == 'lzo' else '')):
            continue
        with open(out, 'rb') as f:
            got = f.read()
        os.unlink(out)
        inp, padded = corpus.compressed_input(comp)
        image = corpus.read(comp, 'Image')
        # 1. byte for byte what the kernel compressed (vmlinux.bin when it pads, else Image)
        check.true(got == inp, '%s: extract differs from the kernel\'s compressed input %s (%d vs %d bytes)'
                   % (what, 'vmlinux.bin' if padded else 'Image', len(got), len(inp)))
        # 2. the Image as a prefix, anything after it zero (the BSS padding)
        check.true(got[:len(image)] == image, '%s: extract does not start with the build\'s Image' % what)
        check.true(got[len(image):].count(0) == len(got) - len(image), '%s: bytes after Image not zero' % what)
        print('%s: extract = %s (%d bytes; Image %d bytes + %d zero bytes)'
              % (what, 'vmlinux.bin' if padded else 'Image', len(got), len(image), len(got) - len(image)))
    return check.done()


def stream_convention(d, z):
    """(label family, stream exact, size-trailer value, decompressed bytes) for a zboot image."""
    stream = d[z['payload_offset']:z['payload_offset'] + z['payload_size']]
    out, exact = decompress_exact(z['compression'], stream)
    return exact, z['decompressed_size'], out


def check_rewrap(corpus, check, work):
    for comp in corpus.comps:
        if comp not in OUR_COMPRESS:
            continue
        what = '%s %s' % (corpus.version, comp)
        ours_path = os.path.join(work, '%s-%s.ours.efi' % (corpus.suite, comp))
        ukify('zboot', corpus.path(comp, 'Image'), '--compress', OUR_COMPRESS[comp], '--level', FAST_LEVEL[comp],
              '-o', ours_path)
        with open(ours_path, 'rb') as f:
            ours = f.read()
        os.unlink(ours_path)
        kern = corpus.read(comp, 'vmlinuz.efi')
        zo, zk = parse_zboot(ours), parse_zboot(kern)
        if not check.true(zo is not None, '%s: our image has no zboot header' % what):
            continue
        # type label: same compression; the exact word differs across kernel versions
        check.eq(FAMILY.get(zo['compression']), FAMILY.get(zk['compression']), '%s: label family' % what)
        if zo['compression'] != zk['compression']:
            print('NOTE %s: label %r, the kernel wrote %r' % (what, zo['compression'], zk['compression']))
        check.eq(zo['linux_pe_magic'], LINUX_PE_MAGIC, '%s: our LINUX_PE_MAGIC at 0x38 (as newer kernels write)' % what)
        check.eq(zo['reserved'], zk['reserved'], '%s: reserved bytes' % what)
        # payload size convention + size trailer: the stream is exactly payload-size bytes and
        # the decompressed size sits where the kernel's rule says (gzip: ISIZE inside)
        ex_o, size_o, out_o = stream_convention(ours, zo)
        ex_k, size_k, out_k = stream_convention(kern, zk)
        check.true(ex_k, '%s: (kernel) stream not exactly payload-size bytes' % what)
        check.true(ex_o, '%s: our stream is not exactly payload-size bytes (the kernel\'s %s rule: %s)'
                   % (what, comp, 'gzip member incl. its 8-byte trailer' if comp == 'gzip'
                      else 'stream without the appended 4-byte size'))
        check.eq(size_o, len(out_o), '%s: our size trailer vs our decompressed length' % what)
        check.eq(size_k, len(out_k), '%s: kernel size trailer vs its decompressed length' % what)
        # padding to the in-memory size (Image header offset 16: image_size)
        image = corpus.read(comp, 'Image')
        image_size, = struct.unpack_from('<Q', image, 16)
        check.eq(len(out_o), image_size, '%s: our payload padded to the Image\'s in-memory size' % what)
        check.true(out_o == image + bytes(len(out_o) - len(image)), '%s: our payload is not Image + zeros' % what)
        inp, padded = corpus.compressed_input(comp)
        if padded:
            check.true(out_o == out_k, '%s: our decompressed payload differs from the kernel\'s' % what)
        else:
            # 6.1 compressed Image as is; newer kernels pad (Makefile.zboot copy_and_pad)
            check.eq(len(out_k), len(image), '%s: this kernel compressed the unpadded Image' % what)
        check.eq(parse_pe(ours, zo['pe_offset'])['machine'], parse_pe(kern, zk['pe_offset'])['machine'],
                 '%s: PE machine' % what)
        print('%s: ours %s %d bytes, trailer %d; kernel %s %d bytes, trailer %d%s' % (
            what, zo['compression'], zo['payload_size'], size_o, zk['compression'], zk['payload_size'], size_k,
            '' if padded else ' (kernel did not pad)'))
    return check.done()


LZOP_HEADER_LEN = 9 + 29   # magic + lzop >= 0.940 header without name, filter or extra field


def lzop_blocks(stream):
    """An independent reading of an lzop stream (docs/format.md "lzo payloads"): the header
    fields and the raw blocks [be32 len][be32 clen][be32 adler32 when flag 1][data]."""
    if stream[:9] != b'\x89LZO\x00\r\n\x1a\n':
        return None, []
    version, libv, need, method, level, flags, mode, mt_lo, mt_hi, namelen = \
        struct.unpack_from('>HHHBBIIIIB', stream, 9)
    hdr = {'version': version, 'lib_version': libv, 'version_needed': need, 'method': method, 'level': level,
           'flags': flags, 'mode': mode, 'name_len': namelen}
    pos = LZOP_HEADER_LEN + namelen
    hdr['checksum_ok'] = struct.unpack_from('>I', stream, pos - 4)[0] == zlib.adler32(stream[9:pos - 4])
    blocks = []
    while pos + 4 <= len(stream):
        n, = struct.unpack_from('>I', stream, pos)
        if n == 0:
            hdr['end'] = pos + 4
            break
        c, = struct.unpack_from('>I', stream, pos + 4)
        extra = 4 if flags & 1 else 0
        blocks.append((n, stream[pos:pos + 8 + extra + c]))
        pos += 8 + extra + c
    return hdr, blocks


def check_lzo(corpus, check, work):
    """The 6.1 kernel's lzo zboot image (-Dlzo=enabled): its container is what `lzop -9` writes
    (read here without our code); inspect calls it supported; `zboot --compress lzo` at level 9
    writes, for every 256 KiB block of the Image, the very block lzop -9 wrote; and our UKI
    build takes it as .linux and finds the kernel version (header/extract/rewrap/boot-uki/
    boot-ours-lzo do the rest, as for every type)."""
    if not check.true('lzo' in corpus.comps, '%s: no lzo image in the corpus' % corpus.version):
        return check.done()
    img = corpus.path('lzo', 'vmlinuz.efi')
    d = corpus.read('lzo', 'vmlinuz.efi')
    k = parse_zboot(d)
    kstream = d[k['payload_offset']:k['payload_offset'] + k['payload_size']]
    hdr, kblocks = lzop_blocks(kstream)
    if not check.true(hdr is not None, 'lzo: the kernel\'s payload has no lzop magic'):
        return check.done()
    # lzop -9 from stdin: version 1.040, method 3 (LZO1X-999), level 9, Unix + stdin/stdout + adler32 of the data
    check.eq((hdr['version'], hdr['version_needed'], hdr['method'], hdr['level'], hdr['flags'], hdr['name_len']),
             (0x1040, 0x0940, 3, 9, 0x0300000d, 0), 'lzo: kernel lzop header fields')
    check.true(hdr['checksum_ok'], 'lzo: kernel lzop header adler32')
    check.eq(hdr.get('end'), len(kstream), 'lzo: the end marker is the last 4 bytes of the payload')
    check.eq(sum(n for n, _ in kblocks), len(corpus.read('lzo', 'Image')), 'lzo: block lengths add up to the Image')
    j = inspect_json(img)
    check.eq((j.get('zboot') or {}).get('supported'), True, 'lzo: inspect zboot.supported (%s)' % LZO_NEEDS)
    # ours at level 9: the same container, the same blocks
    ours_path = os.path.join(work, 'lzo-ours.efi')
    rc, msg = ukify('zboot', corpus.path('lzo', 'Image'), '--compress', 'lzo', '--level', '9', '-o', ours_path, ok=False)
    if check.true(rc == 0, 'lzo: zboot --compress lzo failed: %s (%s)' % (msg.strip(), LZO_NEEDS)):
        ours = open(ours_path, 'rb').read()
        os.unlink(ours_path)
        zo = parse_zboot(ours)
        ohdr, oblocks = lzop_blocks(ours[zo['payload_offset']:zo['payload_offset'] + zo['payload_size']])
        check.true(ohdr is not None and ohdr['checksum_ok'], 'lzo: our lzop header (magic, adler32)')
        if ohdr:
            for key in ('version', 'version_needed', 'method', 'level', 'flags', 'name_len'):
                check.eq(ohdr[key], hdr[key], 'lzo: our lzop header %s vs the kernel\'s' % key)
        # the Image's whole blocks: identical; ours then goes on into the zero padding (6.1 did not pad)
        full = len(corpus.read('lzo', 'Image')) // (256 * 1024)
        same = sum(1 for a, b in zip(oblocks[:full], kblocks[:full]) if a == b)
        check.eq(same, full, 'lzo: our level-9 blocks identical to lzop -9\'s (of %d whole Image blocks)' % full)
        print('lzo: kernel lzop header %s; %d blocks; ours: %d of %d whole Image blocks byte-identical'
              % ({x: hdr[x] for x in ('version', 'method', 'level', 'flags')}, len(kblocks), same, full))
    # build: a UKI with the kernel-built lzo image as .linux, its uname found inside
    cmdfile, uki = os.path.join(work, 'lzo.cmdline'), os.path.join(work, 'lzo-uki.efi')
    with open(cmdfile, 'w') as f:
        f.write('console=ttyAMA0')
    rc, msg = ukify('build', '--linux', img, '--initrd', H.asset('aarch64', 'initrd.cpio.gz'),
                    '--cmdline', '@' + cmdfile, '-o', uki, ok=False)
    check.true(rc == 0, 'lzo: build --linux failed: %s' % msg.strip())
    if rc == 0:
        u = open(uki, 'rb').read()
        pe = parse_pe(u, struct.unpack_from('<I', u, 0x3c)[0])
        sec = [x for x in pe['sections'] if x['name'] == '.uname'] if pe else []
        uname = u[sec[0]['file_offset']:sec[0]['file_offset'] + sec[0]['virtual_size']] if sec else b''
        # found by decompressing the lzo payload: the version string is inside the Image only
        check.eq(uname.rstrip(b'\0').decode(errors='replace'), corpus.release('lzo'),
                 'lzo: the UKI\'s .uname (detected inside the lzo payload) vs make kernelrelease')
        os.unlink(uki)
    os.unlink(cmdfile)
    return check.done()


def check_ukify(corpus, check, work):
    """Debian 13's ukify (a third-party zboot reader) finds the kernel version in the
    kernel-built gzip and zstd images."""
    stub = H.need_file(os.path.join(H.CACHE, 'trixie', 'systemd-boot', 'linuxaa64.efi.stub'),
                       "Debian 13's sd-stub (tools/fetch-test-assets)")
    for comp in ('gzip', 'zstd'):
        what = '%s %s' % (corpus.version, comp)
        out = os.path.join(work, '%s-%s.ukify.efi' % (corpus.suite, comp))
        cmd = H.ukify_command('trixie') + [
            'build', '--linux', corpus.path(comp, 'vmlinuz.efi'), '--initrd', H.asset('aarch64', 'initrd.cpio.gz'),
            '--cmdline', 'console=ttyAMA0', '--os-release', OSREL.decode(), '--stub', stub, '--efi-arch', 'aa64',
            '--output', out]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        msg = p.stdout.decode(errors='replace')
        if not check.true(p.returncode == 0, '%s: ukify build failed (%d): %s' % (what, p.returncode, msg[-2000:])):
            continue
        m = re.search(r'Found uname version: (\S+)', msg)
        rel = corpus.release(comp)
        if check.true(m is not None, '%s: ukify did not print "Found uname version": %s' % (what, msg[-1000:])):
            check.eq(m.group(1), rel, '%s: ukify\'s uname vs make kernelrelease' % what)
            print('%s: ukify: Found uname version: %s' % (what, m.group(1)))
        if os.path.exists(out):
            os.unlink(out)
    return check.done()


# ---- boots (QEMU, AAVMF, Debian 12's arm64 sd-boot) --------------------------------------

BOOT_COMP = 'zstd'   # offered by 6.1 and 7.x


def sdboot_files(extra):
    files = {'EFI/BOOT/BOOTAA64.EFI': H.debian_sdboot('aarch64'), 'loader/loader.conf': H.loader_conf()}
    files.update(extra)
    return files


def type1(image, cmdline):
    return sdboot_files({'loader/entries/k.conf': H.type1_entry('k', linux='/vmlinuz.efi', initrd=['/initrd'],
                                                                options=cmdline),
                         'vmlinuz.efi': image, 'initrd': H.asset('aarch64', 'initrd.cpio.gz')})


def our_loader_log(check, result, label):
    check.true(re.search(r'decompressed %s: \d+ -> \d+ bytes' % label, result.log) is not None,
               'our loader did not log the %s decompression' % label)
    check.true(re.search(r'kernel placed at 0x[0-9a-f]+', result.log) is not None,
               'our loader did not log "kernel placed at ..."')


def boot_case(corpus, check, work, kind, comp=BOOT_COMP):
    arch = 'aarch64'
    name = 'conformance-%s-boot-%s' % (corpus.suite, kind if comp == BOOT_COMP else kind + '-' + comp)
    cmdline = H.default_cmdline(arch, name)
    kimg = corpus.path(comp, 'vmlinuz.efi')
    label = parse_zboot(corpus.read(comp, 'vmlinuz.efi'))['compression']
    tmp = []
    if kind == 'ours':
        # (b) our self-decompressor around the kernel-built Image (zstd; lzo: the lzo corpus
        # kernel's Image in our lzop -9 container, decoded by lzo2 built freestanding)
        img = os.path.join(work, name + '.vmlinuz.efi')
        ukify('zboot', corpus.path(comp, 'Image'), '--compress', OUR_COMPRESS[comp], '--level', FAST_LEVEL[comp],
              '-o', img)
        tmp.append(img)
        label = parse_zboot(open(img, 'rb').read())['compression']
        files = type1(img, cmdline)
    else:
        # (c) the kernel-built vmlinuz.efi itself (the kernel's own EFI decompressor)
        files = type1(kimg, cmdline)
    # acpi=off: AAVMF then hands the OS QEMU's device tree. The tiny corpus kernel has ACPI but
    # no PCI, and without PCI it cannot load QEMU's DSDT ("ACPI: Unable to load the System
    # Description Tables"), so it would find no serial port and print nothing.
    result = H.boot(arch, files, log_path=os.path.join(work, name + '.log'), extra=['-machine', 'acpi=off'])
    H.check_boot(check, result, cmdline=cmdline)
    if kind == 'type1':
        check.true('kernel placed at' not in result.log, 'our loader ran, but this is the kernel\'s own image')
    else:
        our_loader_log(check, result, label)
    for t in tmp:
        os.unlink(t)
    return check.done(result)


def boot_uki_every(corpus, check, work):
    """(a) for every compression the kernel offers (lzo included, -Dlzo=enabled): our UKI stub
    with that kernel-built vmlinuz.efi as .linux boots to the marker, our loader having decoded it."""
    arch = 'aarch64'
    result = None
    for comp in corpus.comps:
        name = 'conformance-%s-boot-uki-%s' % (corpus.suite, comp)
        cmdline = H.default_cmdline(arch, name + ' zboot.debug')   # our UKI stub's info lines
        label = parse_zboot(corpus.read(comp, 'vmlinuz.efi'))['compression']
        uki, cmdfile = os.path.join(work, name + '.efi'), os.path.join(work, name + '.cmdline')
        with open(cmdfile, 'w') as f:
            f.write(cmdline)
        ukify('build', '--linux', corpus.path(comp, 'vmlinuz.efi'), '--initrd', H.asset(arch, 'initrd.cpio.gz'),
              '--cmdline', '@' + cmdfile, '--os-release', OSREL.decode(), '-o', uki)
        result = H.boot(arch, sdboot_files({'EFI/Linux/zboot.efi': uki}),
                        log_path=os.path.join(work, name + '.log'), extra=['-machine', 'acpi=off'])
        print('%s: %s' % (name, result.summary()))
        H.check_boot(check, result, cmdline=cmdline)
        our_loader_log(check, result, label)
        for t in (uki, cmdfile):
            os.unlink(t)
    return check.done(result)


CHECKS = {
    'header': check_header,
    'extract': check_extract,
    'rewrap': check_rewrap,
    'lzo': check_lzo,
    'ukify': check_ukify,
    'boot-uki': boot_uki_every,
    'boot-ours': lambda c, k, w: boot_case(c, k, w, 'ours'),
    'boot-ours-lzo': lambda c, k, w: boot_case(c, k, w, 'ours', 'lzo'),
    'boot-type1': lambda c, k, w: boot_case(c, k, w, 'type1'),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('suite', choices=sorted(EXPECTED))
    ap.add_argument('check', choices=sorted(CHECKS))
    ap.add_argument('--work-dir', default=os.getcwd())
    ap.add_argument('--only', metavar='COMP[,COMP...]',
                    help='run the check on these corpus compressions only (e.g. --only lzo), for manual runs')
    args = ap.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    check = H.Check('conformance-%s-%s' % (args.suite, args.check))
    try:
        corpus = Corpus(args.suite)
        if args.only:
            only = args.only.split(',')
            if set(only) - set(corpus.comps):
                raise H.HarnessError('--only: %s not in the corpus (%s)' % (args.only, ' '.join(corpus.comps)))
            corpus.comps = [c for c in corpus.comps if c in only]
        print('corpus: %s (%s): %s' % (corpus.dir, args.suite, ' '.join(corpus.comps)))
        return CHECKS[args.check](corpus, check, args.work_dir)
    except H.HarnessError as e:
        print('FAIL: %s' % e)
        return 1


if __name__ == '__main__':
    sys.exit(main())
