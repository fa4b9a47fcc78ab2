#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ukify-zboot command-line tests (suite `cli`). One case per meson test:

    cli_test.py CASE --work-dir DIR

Environment: UKIFY_ZBOOT (the binary), ZBOOT_EFI_DIR (our stubs), ZBOOT_TEST_CACHE (Debian
kernels from tools/fetch-test-assets). Missing prerequisites are failures, never skips.
"""
import argparse
import hashlib
import json
import lzma
import os
import platform
import pwd
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

import cli_common
from cli_common import Check, Fail, exe, need

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, '..', 'bad-images')
CASES, case = cli_common.registry()


def asset(arch, name):
    cache = os.environ.get('ZBOOT_TEST_CACHE', os.path.join(HERE, '..', 'cache'))
    return need(os.path.join(cache, {'x86_64': 'amd64', 'aarch64': 'arm64'}[arch], name), 'test asset')


def stub(name):
    return need(os.path.join(os.environ.get('ZBOOT_EFI_DIR', ''), name), 'our EFI stub')


def run(*args, check=None):
    p = subprocess.run([exe()] + [str(a) for a in args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    out, err = p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')
    if check is True and p.returncode != 0:
        raise Fail('ukify-zboot %s failed (%d): %s' % (' '.join(map(str, args)), p.returncode, err))
    return p.returncode, out, err


def inspect_json(path):
    rc, out, err = run('inspect', '--json', path)
    if rc != 0:
        raise Fail('inspect --json %s failed: %s' % (path, err))
    return json.loads(out)


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def read(path):
    with open(path, 'rb') as f:
        return f.read()


# ---- malformed inputs ------------------------------------------------------------------------

def bad_images():
    with open(os.path.join(BAD, 'expected.tsv')) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            name, regex = line.rstrip('\n').split('\t')
            yield name, regex


@case
def bad_images_rejected(work, c):
    """Every file in test/bad-images is rejected by every command with its specific message,
    a non-zero exit, no output file (and an existing output left untouched)."""
    entries = list(bad_images())
    c.true(sum(1 for _, r in entries if r) >= 40, 'at least 40 malformed inputs')
    for name, regex in entries:
        path = os.path.join(BAD, name)
        need(path, 'bad image (regenerate with test/bad-images/make-bad-images.py)')
        outdir = os.path.join(work, 'out')
        commands = {
            'inspect': ['inspect', path],
            'inspect --json': ['inspect', '--json', path],
            'extract': ['extract', path, '-o', os.path.join(outdir, 'x')],
            'zboot': ['zboot', path, '-o', os.path.join(outdir, 'x')],
            'build': ['build', '--linux', path, '-o', os.path.join(outdir, 'x')],
        }
        for verb, args in commands.items():
            shutil.rmtree(outdir, ignore_errors=True)
            os.makedirs(outdir)
            rc, out, err = run(*args)
            left = os.listdir(outdir)
            if not regex:        # a valid base: the commands that apply to it succeed
                continue
            where = '%s [%s]' % (name, verb)
            c.true(rc == 1, '%s: exit %d, want 1' % (where, rc))
            c.true(re.search(regex, err) is not None, '%s: error %r does not match /%s/' % (where, err.strip(), regex))
            c.true(err.startswith('ukify-zboot: error: ') and err.count('\n') == 1,
                   '%s: want exactly one error line, got %r' % (where, err))
            c.true(out == '', '%s: printed a half report on stdout' % where)
            c.true(not left, '%s: left %s behind' % (where, left))
        # an existing output file survives a failed run untouched
        if regex:
            os.makedirs(outdir, exist_ok=True)
            keep = os.path.join(outdir, 'x')
            with open(keep, 'w') as f:
                f.write('keep me')
            run('extract', path, '-o', keep)
            c.eq(open(keep).read(), 'keep me', '%s: existing output after a failed extract' % name)
            c.eq(sorted(os.listdir(outdir)), ['x'], '%s: files after a failed extract' % name)


@case
def bad_images_bases_valid(work, c):
    """The bases the bad images derive from are accepted, so each bad file fails for its one change."""
    rc, out, err = run('inspect', os.path.join(BAD, 'good-zboot.img'))
    c.eq(rc, 0, 'inspect good-zboot.img (%s)' % err.strip())
    x = os.path.join(work, 'x')
    rc, _, err = run('extract', os.path.join(BAD, 'good-zboot.img'), '-o', x)
    c.eq(rc, 0, 'extract good-zboot.img (%s)' % err.strip())
    if rc == 0:
        data = read(x)
        c.eq((len(data), data[0x38:0x3c]), (0x1000, b'ARM\x64'), 'extracted fake Image')
    rc, _, err = run('extract', os.path.join(BAD, 'good-zboot-xz.img'), '-o', x + '.xz')
    c.eq(rc, 0, 'extract good-zboot-xz.img (%s)' % err.strip())
    if rc == 0:
        c.true(read(x + '.xz') == read(x), 'the xzkern base holds the same fake Image')
    rc, _, err = run('inspect', os.path.join(BAD, 'good-arm64-image.img'))
    c.eq(rc, 0, 'inspect good-arm64-image.img (%s)' % err.strip())
    rc, _, err = run('zboot', os.path.join(BAD, 'good-arm64-image.img'), '-o', x + '.efi', '-l', '1')
    c.eq(rc, 0, 'zboot good-arm64-image.img (%s)' % err.strip())
    rc, _, err = run('build', '--linux', os.path.join(BAD, 'good-bzimage.img'), '--uname', '6.1.0-bad', '-o',
                     x + '.uki')
    c.eq(rc, 0, 'build --linux good-bzimage.img (%s)' % err.strip())
    # the generator is deterministic and the committed files are its output
    regen = os.path.join(work, 'regen')
    subprocess.run([sys.executable, os.path.join(BAD, 'make-bad-images.py'), regen], check=True,
                   stdout=subprocess.DEVNULL)
    for name in sorted(os.listdir(regen)):
        c.true(os.path.exists(os.path.join(BAD, name)) and sha(os.path.join(BAD, name)) == sha(os.path.join(regen, name)),
               'test/bad-images/%s differs from make-bad-images.py output (regenerate and commit)' % name)


# ---- inspect ---------------------------------------------------------------------------------

@case
def inspect_verdicts(work, c):
    """inspect --json: our four EFI binaries are NX_COMPAT, 4K aligned, no W+X, no base
    relocations (checked from the raw headers too); Debian's sd-stub 252 is not; a .linux with
    base relocations is flagged with the reason; the Debian kernels are recognised."""
    for name in ('zbootx64.efi.stub', 'zbootaa64.efi.stub', 'linuxx64.efi.stub', 'linuxaa64.efi.stub'):
        j = inspect_json(stub(name))
        v = j['verdict']
        c.true(v['nx_compat'] and v['section_alignment_4k'] and v['wx_sections'] == [] and v['ok'],
               '%s: verdict %s' % (name, v))
        c.eq((v['base_relocations']['count'], v['base_relocations']['directory_size']), (0, 0),
             '%s: base relocations' % name)
        c.true(not any(s['name'] == '.reloc' for s in j['sections']), '%s: no .reloc section' % name)
        raw = read(stub(name))
        pe = struct.unpack_from('<I', raw, 0x3c)[0]
        c.eq(struct.unpack_from('<H', raw, pe + 22)[0] & 0x0001, 0, '%s: not RELOCS_STRIPPED' % name)
        c.eq(struct.unpack_from('<II', raw, pe + 24 + 112 + 5 * 8), (0, 0), '%s: BASERELOC data directory' % name)
        c.eq(j['section_alignment'], 4096, '%s SectionAlignment' % name)
        c.true(any(s['name'] == '.sbat' for s in j['sections']), '%s has .sbat' % name)
        for s in j['sections']:
            c.true('w' not in s['flags'] or 'x' not in s['flags'], '%s: section %s is W+X' % (name, s['name']))
    for sd in ('/usr/lib/systemd/boot/efi/linuxx64.efi.stub', asset('aarch64', 'linuxaa64.efi.stub')):
        j = inspect_json(need(sd, "Debian's sd-stub"))
        c.true(not j['verdict']['ok'], "%s: Debian's sd-stub 252 must not pass the verdict: %s" % (sd, j['verdict']))
        c.true(not j['verdict']['nx_compat'] or not j['verdict']['section_alignment_4k'] or j['verdict']['wx_sections'],
               '%s: a reason for the verdict' % sd)
    # a .linux whose only defect is a base relocation directory: our x86 stub with two DIR64
    # entries at the start of .data (as a PE kernel that needs relocating would carry)
    raw = bytearray(read(stub('zbootx64.efi.stub')))
    pe = struct.unpack_from('<I', raw, 0x3c)[0]
    nsec, optsize = struct.unpack_from('<H', raw, pe + 6)[0], struct.unpack_from('<H', raw, pe + 20)[0]
    for i in range(nsec):
        h = pe + 24 + optsize + 40 * i
        if raw[h:h + 8] == b'.data\0\0\0':
            rva, fileoff = struct.unpack_from('<I', raw, h + 12)[0], struct.unpack_from('<I', raw, h + 20)[0]
    raw[fileoff:fileoff + 16] = struct.pack('<IIHHHH', rva, 16, 0xa000, 0xa008, 0, 0)
    struct.pack_into('<II', raw, pe + 24 + 112 + 5 * 8, rva, 16)
    relocating = os.path.join(work, 'relocating.efi')
    with open(relocating, 'wb') as f:
        f.write(raw)
    uki = os.path.join(work, 'uki-relocating.efi')
    rc, _, err = run('build', '--linux', relocating, '--uname', '0', '-o', uki)
    if c.eq(rc, 0, 'build a UKI with a relocating .linux (%s)' % err.strip()):
        j = inspect_json(uki)
        v = j.get('linux', {}).get('verdict', {})
        c.true(v.get('nx_compat') and v.get('section_alignment_4k') and v.get('wx_sections') == [],
               'relocating .linux: otherwise clean %s' % v)
        c.true(not v.get('ok', True), '.linux with base relocations is not ok: %s' % v)
        c.eq(v.get('base_relocations', {}).get('count'), 2, '.linux base relocation count')
        c.true('sd-stub' in v.get('base_relocations', {}).get('why', ''), 'the reason is given: %s' % v)
        rc, out, _ = run('inspect', uki)
        c.true(rc == 0 and 'base relocations 2 => NOT ok' in out and 'refuses an inner .linux' in out,
               'text verdict names the base relocations')
    j = inspect_json(asset('x86_64', 'vmlinuz'))
    c.eq(j['kind'], 'x86 bzImage', 'Debian bzImage kind')
    # the bzImage payload's compression, against the magic bytes read here from the setup header
    # (Debian 12 ships xz, Debian 13 zstd: bench/ labels the stock path with it)
    for k in (asset('x86_64', 'vmlinuz'), need(os.path.join(os.path.dirname(asset('x86_64', 'vmlinuz')), '..',
                                                            'trixie', 'amd64', 'vmlinuz'), 'test asset')):
        raw = read(k)
        setup = ((raw[0x1f1] or 4) + 1) * 512
        off, n = struct.unpack_from('<II', raw, 0x248)
        magic = raw[setup + off:setup + off + 6]
        want = 'xz' if magic == b'\xfd7zXZ\0' else 'zstd' if magic[:4] == b'\x28\xb5\x2f\xfd' else '?'
        c.eq(inspect_json(k).get('bzimage'), {'compression': want, 'payload_size': n},
             'bzImage payload compression of %s (magic %s)' % (k, magic.hex()))
    j = inspect_json(asset('aarch64', 'vmlinuz'))
    c.eq(j['kind'], 'arm64 Image', 'Debian arm64 Image kind')
    c.eq(j['machine'], 0xaa64, 'arm64 machine')
    rc, out, err = run('inspect', asset('aarch64', 'vmlinuz'))
    c.true(rc == 0 and 'verdict:' in out and '.text' in out, 'text output of inspect')


# ---- zboot / extract round trips -------------------------------------------------------------

def arm64_padded():
    img = read(asset('aarch64', 'vmlinuz'))
    image_size = struct.unpack_from('<Q', img, 16)[0]
    return img + bytes(image_size - len(img)), image_size


def roundtrip(work, c, arch, comp, level):
    """zboot → inspect → extract on a Debian kernel: the Linux zboot header as Linux writes it,
    and the extracted payload byte-identical to the expected one (arm64: the Image padded to
    its in-memory size; x86: the native payload rebuilt independently from vmlinux.bin)."""
    kernel = asset(arch, 'vmlinuz')
    out = os.path.join(work, 'vmlinuz-%s-%s.efi' % (arch, comp))
    rc, _, err = run('zboot', kernel, '--compress', comp, '--level', level, '-o', out)
    if not c.eq(rc, 0, 'zboot --compress %s (%s)' % (comp, err.strip())):
        return
    want = arm64_padded()[0] if arch == 'aarch64' else x86_payload_reference()[0]
    # what the stream decodes to: the plain payload (the x86 BCJ stage is off by default,
    # docs/format.md §4; cli-x86-bcj covers it)
    stream = want
    data = read(out)
    c.eq(data[0:2] + data[4:8], b'MZzimg', 'MZ + zimg')
    off, size = struct.unpack_from('<II', data, 8)
    name = header_name(comp)
    c.eq(data[0x18:0x18 + len(name) + 1], name.encode() + b'\0', 'compression string')
    c.eq(struct.unpack_from('<I', data, 0x38)[0], 0x818223cd, 'LINUX_PE_MAGIC')
    check_size_rule(c, data, comp, len(want))
    j = inspect_json(out)
    c.eq(j['kind'], 'zboot image', 'inspect kind')
    c.eq(j['machine'], 0x8664 if arch == 'x86_64' else 0xaa64, 'stub machine')
    c.eq(j['zboot']['compression'], name, 'inspect compression')
    c.eq(j['zboot']['decompressed_size'], len(want), 'inspect decompressed size')
    c.eq(j['major_image_version'], 1, 'MajorImageVersion (initrd protocol)')
    c.true(j['verdict']['ok'], 'zboot image verdict %s' % j['verdict'])
    c.eq(j['verdict']['base_relocations']['directory_size'], 0, 'zboot image: no base relocations')
    c.eq([s['name'] for s in j['sections'] if s['raw_size'] > s['virtual_size']], [],
         'zboot image: no section with raw data beyond its virtual size (sd-stub >= 258 refuses it)')
    c.true(any(s['name'] == '.zdata' and s['file_offset'] == off for s in j['sections']), '.zdata holds the payload')
    if arch == 'x86_64':
        x = j.get('x86', {})
        c.eq(x.get('init_size'), struct.unpack_from('<I', read(kernel), 0x260)[0], 'inspect: x86 init_size')
        c.eq(x.get('phys_base'), 0x1000000, 'inspect: LOAD_PHYSICAL_ADDR')
        c.eq([s['name'] for s in j['sections']][-2:], ['.zbx86', '.zdata'], 'trailer copy, then payload, last')
        z = [s for s in j['sections'] if s['name'] == '.zbx86'][0]
        c.eq(data[z['file_offset']:z['file_offset'] + 80], stream[-80:], '.zbx86 = the payload trailer')
        c.eq(x.get('filter'), 'x86 BCJ' if stream is not want else 'none', 'inspect: x86 filter')
    x = os.path.join(work, 'extracted-%s-%s' % (arch, comp))
    rc, _, err = run('extract', out, '-o', x)
    if c.eq(rc, 0, 'extract (%s)' % err.strip()):
        got = read(x)
        c.eq(len(got), len(want), 'extracted size')
        c.true(got == want, 'extracted bytes == the expected payload')
    if comp == 'gzip':
        # exactly payload-size bytes are a complete gzip member: what QEMU's -kernel loader,
        # ukify and kexec-tools read
        import gzip
        import zlib
        d = zlib.decompressobj(31)
        got = d.decompress(data[off:off + size])
        c.true(d.eof and d.unused_data == b'' and got == stream,
               'zlib: payload_size bytes are one complete gzip member decoding to the payload')
        try:
            c.true(gzip.decompress(data[off:off + size]) == stream, 'Python gzip reads the payload_size bytes')
        except (EOFError, OSError) as e:
            c.true(False, 'Python gzip on the payload_size bytes: %s' % e)
    elif comp == 'xz':
        import lzma
        c.true(lzma.decompress(data[off:off + size], format=lzma.FORMAT_XZ) == want,
               'Python lzma reads exactly payload_size bytes of xz')
        # the first LZMA2 chunk's properties (after the 12-byte stream header, the block header
        # and the chunk's 5 header bytes): arm64's 4-byte instructions get lc=2 lp=2, x86 the
        # default lc=3 lp=0 (docs/benchmarks.md); pb=2 both
        bh = off + 12
        props = data[bh + (data[bh] + 1) * 4 + 5]
        c.eq((props % 9, props // 9 % 5, props // 45), (2, 2, 2) if arch == 'aarch64' else (3, 0, 2),
             'LZMA2 lc, lp, pb of the first chunk')
    elif comp == 'zstd':
        p = subprocess.run([need(shutil.which('zstd'), 'zstd command'), '-d', '-c', '-q'], input=data[off:off + size],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        c.true(p.returncode == 0 and p.stdout == stream,
               'zstd -d reads exactly payload_size bytes of zstd (%s)' % p.stderr.decode(errors='replace').strip())
    elif comp == 'lzo':
        p = subprocess.run([need(shutil.which('lzop'), 'lzop command'), '-d', '-c'], input=data[off:off + size],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        c.true(p.returncode == 0 and p.stdout == want,
               'lzop -d reads exactly payload_size bytes of lzo (%s)' % p.stderr.decode(errors='replace').strip())
    print('%s %s: %d bytes (%.1f%% of the kernel file)' % (arch, comp, len(data), 100.0 * len(data) / len(read(kernel))))


def header_name(comp):
    """The label the kernel writes at 0x18 for a `--compress` value (Makefile.zboot comp-type-y:
    current kernels write "zstd", up to 6.12 "zstd22"; xz is "xzkern")."""
    return {'xz': 'xzkern'}.get(comp, comp)


def check_size_rule(c, data, comp, want_len):
    """The kernel's payload size rule (Makefile.zboot zboot-size-len): gzip's payload size is
    the whole member and the decompressed size its ISIZE, inside; every other type's is the
    stream alone, the le32 decompressed size appended right after it."""
    off, size = struct.unpack_from('<II', data, 8)
    if comp == 'gzip':
        c.eq(data[off:off + 2], b'\x1f\x8b', 'gzip member starts at the payload offset')
        c.eq(struct.unpack_from('<I', data, off + size - 4)[0], want_len & 0xffffffff,
             'gzip ISIZE (last 4 bytes inside payload_size) = decompressed size')
    else:
        c.eq(struct.unpack_from('<I', data, off + size)[0], want_len, 'le32 right after the stream = decompressed size')


# fast levels: the format and the decoders are under test, not the ratio
for _comp, _level in (('zstd', '3'), ('gzip', '6'), ('lz4', '9'), ('xz', '1'), ('lzo', '3')):   # lzo: -Dlzo=enabled
    for _arch, _label in (('aarch64', 'arm64'), ('x86_64', 'x86')):
        CASES['roundtrip-%s-%s' % (_label, _comp)] = (
            lambda arch, comp, level: lambda work, c: roundtrip(work, c, arch, comp, level))(_arch, _comp, _level)



def x86_payload_reference():
    """The native x86 payload (docs/format.md §4) rebuilt here from vmlinux.bin (the bzImage's
    own payload: ELF + relocations) and the bzImage's setup header, independently of the C
    builder: PT_LOADs flattened by physical address, relocation lists delta-encoded, header,
    80-byte trailer."""
    vm, bz = read(asset('x86_64', 'vmlinux.bin')), read(asset('x86_64', 'vmlinuz'))
    entry, phoff = struct.unpack_from('<QQ', vm, 0x18)
    phentsize, phnum = struct.unpack_from('<HH', vm, 0x36)
    loads, elf_end = [], phoff + phentsize * phnum
    shoff, = struct.unpack_from('<Q', vm, 0x28)
    shentsize, shnum = struct.unpack_from('<HH', vm, 0x3a)
    elf_end = max(elf_end, shoff + shentsize * shnum)
    for i in range(phnum):
        typ, flags, off, vaddr, paddr, filesz, memsz = struct.unpack_from('<IIQQQQQ', vm, phoff + i * phentsize)
        if typ == 1:
            loads.append((paddr, vaddr, off, filesz, memsz, flags))
            elf_end = max(elf_end, off + filesz)
    lo = min(l[0] for l in loads)
    first = [l for l in loads if l[0] == lo][0]
    image_size = max(l[0] + l[3] for l in loads) - lo
    mem_size = max(l[0] + l[4] for l in loads) - lo
    img = bytearray(image_size)
    for paddr, _, off, filesz, _, _ in loads:
        img[paddr - lo:paddr - lo + filesz] = vm[off:off + filesz]
    words = struct.unpack_from('<%dI' % ((len(vm) - elf_end) // 4), vm, elf_end)
    lists, cur = [], None
    for w in words:           # 0, 64-bit..., 0, inverse 32-bit..., 0, 32-bit...
        if w == 0 and len(lists) < 3:
            cur = []
            lists.append(cur)
        else:
            cur.append(w)
    rel = bytearray(struct.pack('<III', *[len(l) for l in lists]))
    for l in lists:
        prev = 0
        for w in l:
            rel += struct.pack('<I', (w - prev) & 0xffffffff)
            prev = w
    setup = bz[0x1f1:0x202 + bz[0x201]]
    body = img + rel + setup
    body += bytes(-len(body) % 8)
    version, = struct.unpack_from('<H', bz, 0x206)
    align, = struct.unpack_from('<I', bz, 0x230)
    xlf, = struct.unpack_from('<H', bz, 0x236)
    init_size, = struct.unpack_from('<I', bz, 0x260)
    trailer = b'ZBX86\0\x01\0' + struct.pack('<IIIIIIIIIHHQQI12x', image_size, mem_size, entry - lo, image_size,
                                               len(rel), image_size + len(rel), len(setup), init_size, align, xlf,
                                               version, first[1], lo, first[3] if first[5] & 1 else 0)
    return bytes(body + trailer), init_size


def x86_text_range(vm, virt_base, text_size):
    """The range the BCJ stage covers (x86_payload_filter_range()): the ELF's executable .text
    section inside the text segment, as (payload offset, size); else the whole segment."""
    shoff, = struct.unpack_from('<Q', vm, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', vm, 0x3a)
    stroff, = struct.unpack_from('<Q', vm, shoff + shstrndx * shentsize + 0x18)
    for i in range(shnum):
        name, typ, flags, addr, _, size = struct.unpack_from('<IIQQQQ', vm, shoff + i * shentsize)
        if typ == 1 and flags & 4 and vm[stroff + name:stroff + name + 6] == b'.text\0':
            if virt_base <= addr and addr - virt_base + size <= text_size:
                return addr - virt_base, size
            break
    return 0, text_size


def bcj_x86(buf, start):
    """liblzma's x86 BCJ encoder over buf at positions start + index: Python's lzma has it only in
    front of LZMA2, so encode [X86, LZMA2] and decode with LZMA2 alone."""
    enc = lzma.compress(bytes(buf), format=lzma.FORMAT_RAW,
                        filters=[{'id': lzma.FILTER_X86, 'start_offset': start}, {'id': lzma.FILTER_LZMA2, 'preset': 0}])
    return lzma.decompress(enc, format=lzma.FORMAT_RAW, filters=[{'id': lzma.FILTER_LZMA2, 'preset': 0}])


def x86_payload_bcj(plain):
    """The plain native payload with the BCJ stage (docs/format.md §4): the .text range filtered,
    the trailer's filter fields (0x44: 1 = x86 BCJ, offset, size) set."""
    vm = read(asset('x86_64', 'vmlinux.bin'))
    t = len(plain) - 80
    virt_base, = struct.unpack_from('<Q', plain, t + 0x30)
    text_size, = struct.unpack_from('<I', plain, t + 0x40)
    off, size = x86_text_range(vm, virt_base, text_size)
    out = bytearray(plain)
    out[off:off + size] = bcj_x86(out[off:off + size], off)
    struct.pack_into('<III', out, t + 0x44, 1, off, size)
    return bytes(out)


@case
def x86_bcj(work, c):
    """The x86 BCJ stage: off by default (the zstd stream decodes to the plain payload), --bcj
    turns it on for zstd and lz4 (the stream decodes to the filtered payload, the trailer and
    .zbx86 say so), --no-bcj gives the plain stream; every variant extracts to the same plain
    payload; the filtered stream is smaller."""
    kernel = asset('x86_64', 'vmlinuz')
    plain = x86_payload_reference()[0]
    filtered = x86_payload_bcj(plain)
    c.true(filtered != plain and len(filtered) == len(plain), 'the reference filter changes the payload')
    sizes = {}
    for name, args, want in (('zstd', ['-c', 'zstd', '-l', '3'], plain),
                             ('zstd-bcj', ['-c', 'zstd', '-l', '3', '--bcj'], filtered),
                             ('zstd-no-bcj', ['-c', 'zstd', '-l', '3', '--no-bcj'], plain),
                             ('lz4', ['-c', 'lz4', '-l', '1'], plain),
                             ('lz4-bcj', ['-c', 'lz4', '-l', '1', '--bcj'], filtered)):
        out = os.path.join(work, name + '.efi')
        rc, _, err = run('zboot', kernel, *args, '-o', out)
        if not c.eq(rc, 0, '%s: zboot (%s)' % (name, err.strip())):
            continue
        data = read(out)
        off, size = struct.unpack_from('<II', data, 8)
        sizes[name] = size
        if name.startswith('zstd'):
            p = subprocess.run([need(shutil.which('zstd'), 'zstd command'), '-d', '-c', '-q'],
                               input=data[off:off + size], stdout=subprocess.PIPE)
            c.true(p.returncode == 0 and p.stdout == want, '%s: the stream decodes to the %s payload' % (
                name, 'filtered' if want is filtered else 'plain'))
        j = inspect_json(out)
        z = [s for s in j['sections'] if s['name'] == '.zbx86'][0]
        c.eq(data[z['file_offset']:z['file_offset'] + 80], want[-80:], '%s: .zbx86 = the trailer' % name)
        c.eq(j.get('x86', {}).get('filter'), 'x86 BCJ' if want is filtered else 'none', '%s: inspect filter' % name)
        x = os.path.join(work, name + '.payload')
        rc, _, err = run('extract', out, '-o', x)
        c.true(rc == 0 and read(x) == plain, '%s: extract writes the plain payload (%s)' % (name, err.strip()))
    if 'zstd-bcj' in sizes and 'zstd' in sizes:
        c.true(sizes['zstd-bcj'] < sizes['zstd'] * 0.96, 'zstd -3 with BCJ %d < 0.96 x without %d' % (
            sizes['zstd-bcj'], sizes['zstd']))
    if 'zstd' in sizes and 'zstd-no-bcj' in sizes:
        c.eq(sizes['zstd'], sizes['zstd-no-bcj'], 'zstd: the default is --no-bcj')


@case
def zboot_progress(work, c):
    """On a terminal, long compressions show progress on stderr; the output is the same bytes
    as without a terminal, and without one nothing but the summary line is printed."""
    import pty
    kernel = asset('x86_64', 'vmlinuz')
    a, b = os.path.join(work, 'tty.efi'), os.path.join(work, 'notty.efi')
    master, slave = pty.openpty()
    p = subprocess.Popen([exe(), 'zboot', kernel, '-c', 'xz', '-l', '0', '-o', a], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    tty = b''
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        tty += chunk
    os.close(master)
    c.eq(p.wait(), 0, 'zboot on a terminal')
    text = tty.decode(errors='replace')
    c.true(re.search(r'compressing with xz: +\d+% of 61\.7 MB', text) is not None, 'progress shown: %r' % text[-200:])
    rc, _, err = run('zboot', kernel, '-c', 'xz', '-l', '0', '-o', b)
    c.eq(rc, 0, 'zboot without a terminal')
    c.true('compressing with' not in err, 'no progress without a terminal: %r' % err)
    c.eq(sha(a), sha(b), 'same bytes with and without progress')

@case
def zboot_deterministic(work, c):
    """Identical input and options give identical bytes."""
    kernel = asset('aarch64', 'vmlinuz')
    a, b = os.path.join(work, 'a.efi'), os.path.join(work, 'b.efi')
    run('zboot', kernel, '-c', 'zstd', '-l', '3', '-o', a, check=True)
    run('zboot', kernel, '-c', 'zstd', '-l', '3', '-o', b, check=True)
    c.eq(sha(a), sha(b), 'sha256 of two runs')


# ---- build -----------------------------------------------------------------------------------

@case
def build_uki(work, c):
    """build: sections, text, nested zboot .linux, uname detection, initrd concatenation,
    determinism, and extract through the UKI."""
    kernel = asset('aarch64', 'vmlinuz')
    version = open(asset('aarch64', 'version')).read().strip()
    z = os.path.join(work, 'vmlinuz.efi')
    run('zboot', kernel, '-c', 'zstd', '-l', '3', '-o', z, check=True)
    i1, i2 = os.path.join(work, 'i1'), os.path.join(work, 'i2')
    with open(i1, 'wb') as f:
        f.write(b'A' * 5)
    with open(i2, 'wb') as f:
        f.write(b'B' * 3)
    cmd = os.path.join(work, 'cmdline')
    with open(cmd, 'w') as f:
        f.write('console=ttyAMA0 quiet\n')
    uki = os.path.join(work, 'uki.efi')
    args = ['build', '--linux', z, '--initrd', i1, '--initrd', i2, '--cmdline', '@' + cmd,
            '--os-release', 'ID=test\nPRETTY_NAME="Test"\n', '--section', '.extra:hello', '-o', uki]
    run(*args, check=True)
    j = inspect_json(uki)
    names = [s['name'] for s in j['sections']]
    for s in ('.osrel', '.cmdline', '.uname', '.initrd', '.linux', '.extra'):
        c.true(s in names, 'UKI has %s (sections: %s)' % (s, names))
    c.eq(j['text'].get('.cmdline'), 'console=ttyAMA0 quiet', '.cmdline')
    c.eq(j['text'].get('.uname'), version, '.uname detected inside the zboot payload')
    c.true('PRETTY_NAME="Test"' in j['text'].get('.osrel', ''), '.osrel')
    c.eq(j['linux'].get('kind'), 'zboot image', 'nested .linux kind')
    c.eq(j['linux'].get('zboot', {}).get('compression'), 'zstd', 'nested zboot compression')
    c.true(j['verdict']['ok'], 'UKI verdict %s' % j['verdict'])
    rvas = [(s['rva'], s['virtual_size']) for s in j['sections']]
    c.true(all(r % 4096 == 0 for r, _ in rvas), 'sections at SectionAlignment')
    c.true(all(a[0] + a[1] <= b[0] for a, b in zip(rvas, rvas[1:])), 'sections ascending, not overlapping')
    c.true(j['size_of_image'] >= rvas[-1][0] + rvas[-1][1], 'SizeOfImage covers the last section')
    # initrds concatenated, each padded to 4 bytes
    data = read(uki)
    sec = next(s for s in j['sections'] if s['name'] == '.initrd')
    c.eq(data[sec['file_offset']:sec['file_offset'] + sec['virtual_size']], b'AAAAA\0\0\0BBB', '.initrd contents')
    # deterministic
    uki2 = os.path.join(work, 'uki2.efi')
    run(*(args[:-1] + [uki2]), check=True)
    c.eq(sha(uki), sha(uki2), 'two builds identical')
    # extract goes through the UKI's .linux
    x = os.path.join(work, 'x')
    run('extract', uki, '-o', x, check=True)
    padded, _ = arm64_padded()
    c.true(read(x) == padded, 'extract through the UKI gives the Image')
    # --zboot compresses a plain kernel on the way
    uki3 = os.path.join(work, 'uki3.efi')
    run('build', '--linux', kernel, '--zboot=gzip', '-o', uki3, check=True)
    j = inspect_json(uki3)
    c.eq(j['linux'].get('zboot', {}).get('compression'), 'gzip', '--zboot=gzip')
    # x86: the bzImage as .linux with our x86 stub
    uki4 = os.path.join(work, 'uki4.efi')
    run('build', '--linux', asset('x86_64', 'vmlinuz'), '-o', uki4, check=True)
    j = inspect_json(uki4)
    c.eq(j['machine'], 0x8664, 'x86 UKI machine')
    c.eq(j['text'].get('.uname'), open(asset('x86_64', 'version')).read().strip(), 'x86 .uname from the bzImage')


def trixie_ukify():
    """Debian 13's ukify (systemd 257), extracted into the test cache, never installed."""
    cache = os.environ.get('ZBOOT_TEST_CACHE', os.path.join(HERE, '..', 'cache'))
    return need(os.path.join(cache, 'trixie', 'ukify', 'usr', 'lib', 'systemd', 'ukify'), "Debian 13's ukify")


@case
def ukify_257_reads_zboot(work, c):
    """A third-party zboot reader: Debian 13's ukify (systemd 257) builds a UKI from our arm64
    gzip and zstd zboot images and finds the kernel version inside (it reads exactly payload-size
    bytes at the payload offset and decompresses them: Uname.scrape_generic). An image by our old
    gzip rule (ISIZE outside payload_size) is what it cannot read."""
    ukify = trixie_ukify()
    python = need('/usr/bin/python3', "Debian's python3 (with python3-pefile, python3-zstandard)")
    kernel = asset('aarch64', 'vmlinuz')
    banner = re.search(rb'Linux version (\d\S*) ', read(kernel))
    if not c.true(banner is not None, 'no "Linux version" banner in the Debian arm64 Image'):
        return
    version = banner.group(1).decode()
    c.eq(version, open(asset('aarch64', 'version')).read().strip(), 'banner version = the package version')

    def ukify_build(image, name):
        uki = os.path.join(work, name + '.uki.efi')
        p = subprocess.run([python, ukify, 'build', '--linux', image, '--stub', stub('linuxaa64.efi.stub'),
                            '--output', uki], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        return p.returncode, p.stdout.decode(errors='replace'), uki

    for comp in ('gzip', 'zstd'):
        img = os.path.join(work, 'vmlinuz-%s.efi' % comp)
        run('zboot', kernel, '--compress', comp, '--level', '3', '-o', img, check=True)
        rc, out, uki = ukify_build(img, comp)
        c.true(rc == 0, '%s: ukify build failed (%d): %s' % (comp, rc, out.strip()[-800:]))
        c.true(re.search(r'^Found uname version: %s$' % re.escape(version), out, re.M) is not None,
               '%s: ukify did not find "%s" inside our zboot image: %s' % (comp, version, out.strip()[-800:]))
        if rc == 0:
            j = inspect_json(uki)
            c.eq(j['text'].get('.uname'), version, '%s: .uname of the UKI ukify built' % comp)
            c.eq(j['linux'].get('zboot', {}).get('compression'), comp, '%s: .linux is our zboot image' % comp)
            # ukify embeds our image unchanged
            sec = next((s for s in j['sections'] if s['name'] == '.linux'), None)
            data = read(uki)
            c.true(sec is not None and data[sec['file_offset']:sec['file_offset'] + sec['virtual_size']] == read(img),
                   '%s: .linux is our image, byte for byte' % comp)
        if comp == 'gzip':
            # the same image with the old rule's payload size: ukify's gzip reader fails on it
            # (the reason for the rule), and ours refuses it with its own message
            old = bytearray(read(img))
            struct.pack_into('<I', old, 12, struct.unpack_from('<I', old, 12)[0] - 4)
            old_img = img + '.old'
            with open(old_img, 'wb') as f:
                f.write(old)
            rc, out, _ = ukify_build(old_img, 'old')
            c.true('Found uname version' not in out and 'EOFError' in out,
                   'old-rule gzip image: ukify should fail to decompress it: %s' % out.strip()[-400:])
            rc, _, err = run('inspect', old_img)
            c.true(rc == 1 and 'image made by an old ukify-zboot; remake it' in err,
                   'old-rule gzip image: inspect says why (%s)' % err.strip())


@case
def options(work, c):
    """Option parsing: help for every verb, clear errors for wrong usage, nothing written."""
    rc, out, _ = run('--help')
    c.true(rc == 0 and 'zboot' in out and 'build' in out, '--help')
    for verb in ('zboot', 'build', 'inspect', 'extract'):
        rc, out, _ = run(verb, '--help')
        c.true(rc == 0 and 'ukify-zboot ' + verb in out, '%s --help' % verb)
    rc, out, _ = run('--version')
    c.true(rc == 0 and out.strip() != '', '--version')
    out = os.path.join(work, 'o')
    kernel = asset('aarch64', 'vmlinuz')
    bad = [
        (['frobnicate'], r'unknown verb|VERB'),
        ([], r'VERB|verb'),
        (['zboot', kernel], r'--output is required'),
        (['zboot', '-o', out], r'expected exactly one KERNEL'),
        (['zboot', kernel, kernel, '-o', out], r'expected exactly one KERNEL'),
        (['zboot', kernel, '-c', 'brotli', '-o', out], r'--compress: unknown type "brotli"'),
        (['zboot', kernel, '-l', '99', '-o', out], r'--level: "99" is not a level'),
        (['zboot', kernel, '-l', 'x', '-o', out], r'--level: "x" is not a level'),
        (['zboot', kernel, '--arch', 'mips', '-o', out], r'--arch: unknown architecture "mips"'),
        (['zboot', kernel, '--arch', 'x86_64', '-o', out], r'this is an arm64 Image, not x86_64'),
        (['zboot', '/nonexistent', '-o', out], r'/nonexistent'),
        (['zboot', kernel, '--stub', '/nonexistent', '-o', out], r'/nonexistent'),
        (['zboot', asset('x86_64', 'vmlinuz'), '--arch', 'aarch64', '-o', out], r'x86 bzImage, not aarch64'),
        (['build', '-o', out], r'--linux is required'),
        (['build', '--linux', kernel], r'--output is required'),
        (['build', '--linux', kernel, '--section', 'nocolon', '-o', out], r'--section: expected NAME:TEXT'),
        (['build', '--linux', kernel, '--section', '.waytoolongname:x', '-o', out], r'--section: expected NAME:TEXT'),
        (['build', '--linux', kernel, '--zboot=brotli', '-o', out], r'--zboot: unknown type "brotli"'),
        (['build', '--linux', kernel, '--cmdline', '@/nonexistent', '-o', out], r'/nonexistent'),
        (['build', '--linux', kernel, '--sbat', 'nocomma', '-o', out], r'--sbat: SBAT line 1: expected component_name'),
        (['build', '--linux', kernel, '--sbat', 'x,abc,v', '-o', out], r'generation of "x,abc,v" is not a number'),
        (['zboot', kernel, '--sbat', 'sbat,1,h\nx,0,v', '-o', out], r'--sbat: SBAT line 2: generation 0'),
        (['zboot', kernel, '--secureboot-private-key', '/dev/null', '-o', out], r'go together \(got only the key\)'),
        (['build', '--linux', kernel, '--secureboot-certificate', '/dev/null', '-o', out],
         r'go together \(got only the certificate\)'),
        (['build', '--linux', kernel, '--secureboot-private-key', '/nonexistent', '--secureboot-certificate',
          '/dev/null', '-o', out], r'--secureboot-private-key: /nonexistent'),
        (['inspect'], r'expected exactly one FILE'),
        (['extract', kernel], r'--output is required'),
        (['extract', kernel, '-o', out], r'arm64 Image, not a zboot image'),
        (['kexec', '--exec', '--dry-run', kernel], r'kexec: --exec and --dry-run exclude each other'),
    ]
    for args, regex in bad:
        rc, _, err = run(*args)
        c.true(rc != 0, '%s: exit %d' % (args, rc))
        c.true(re.search(regex, err) is not None, '%s: error %r does not match /%s/' % (args, err.strip(), regex))
        c.true(not os.path.exists(out), '%s: wrote %s' % (args, out))
    rc, _, err = run('zboot', kernel, '--bogus-option', '-o', out)
    c.true(rc != 0 and 'bogus-option' in err, 'unknown option')
    # a forgotten value: getopt would take the next option as the value; the command line was
    # not understood (exit 2)
    for args, regex in ((['build', '--linux', kernel, '--cmdline', '--measure', '-o', out],
                         r"option '--cmdline' needs a value, and '--measure' is an option \(write --cmdline=--measure"),
                        (['zboot', kernel, '-o', '--compress', 'gzip'],
                         r"option '-o' needs a value, and '--compress' is an option \(write -o--compress")):
        rc, _, err = run(*args)
        c.eq(rc, 2, '%s: exit status (the command line was not understood)' % args)
        c.true(re.search(regex, err) is not None, '%s: error %r does not match /%s/' % (args, err.strip(), regex))
        c.true(not os.path.exists(out), '%s: wrote %s' % (args, out))
    # an option's value may start with "-" all the same: attached with "=", or not an option name
    for args, value in ((['--cmdline=--measure'], '--measure'), (['--cmdline', '-- foo'], '-- foo')):
        rc, _, err = run('build', *args, '-o', out)
        sec = [s for s in inspect_json(out)['sections'] if s['name'] == '.cmdline'] if rc == 0 else []
        c.true(rc == 0 and len(sec) == 1 and sec[0]['size'] == len(value), '--cmdline %r: exit %d, %s (%s)'
               % (value, rc, sec, err.strip()))
        if os.path.exists(out):
            os.unlink(out)


@case
def output_files(work, c):
    """Where outputs go and how inputs are read (util.h, OutputTarget): a FIFO as output is
    written in place, never replaced (as /dev/null or /dev/stdout would be: not tried here, a
    regression would replace the system's); a symbolic link's target is replaced and the link
    stays; an existing file's mode is kept, a new one follows the umask; a directory, a dangling
    link and an empty name are refused; signing to a symbolic link works the same; inputs are
    read to their end (/proc/self/comm says size 0) and a FIFO input is refused at once; an
    abbreviated long option is refused (exit 2) instead of being parsed while its config file is
    never read; a failed write to stdout fails the run; inspect escapes control characters; a
    section name twice is refused."""
    addon = ['build', '--cmdline', 'quiet']
    ref = os.path.join(work, 'ref.efi')
    run(*addon, '-o', ref, check=True)
    want = read(ref)
    # a FIFO: written in place by a reader thread's side, still a FIFO afterwards
    fifo = os.path.join(work, 'fifo')
    os.mkfifo(fifo)
    got = []
    t = threading.Thread(target=lambda: got.append(open(fifo, 'rb').read()), daemon=True)
    t.start()
    rc, _, err = run(*addon, '-o', fifo)
    t.join(timeout=30)
    c.true(rc == 0, 'output to a FIFO: exit %d (%s)' % (rc, err.strip()))
    c.true(stat.S_ISFIFO(os.lstat(fifo).st_mode), 'the FIFO was replaced by the output')
    c.true(got == [want], 'the FIFO reader did not get the image (%s bytes)' % [len(g) for g in got])
    # -o /dev/stdout with stdout a file: written into that open file, not replaced by a rename
    so = os.path.join(work, 'stdout.efi')
    with open(so, 'wb') as f:
        ino = os.fstat(f.fileno()).st_ino
        p = subprocess.run([exe(), *addon, '-o', '/dev/stdout'], stdin=subprocess.DEVNULL, stdout=f,
                           stderr=subprocess.PIPE)
    c.true(p.returncode == 0 and os.stat(so).st_ino == ino and read(so) == want,
           '-o /dev/stdout into a file: exit %d, same inode %s, %r' % (p.returncode, os.stat(so).st_ino == ino,
                                                                       p.stderr))
    os.unlink(so)
    # a symbolic link to a regular file: the target is replaced, its mode kept, the link stays
    target, link = os.path.join(work, 'target.efi'), os.path.join(work, 'link.efi')
    with open(target, 'wb') as f:
        f.write(b'old')
    os.chmod(target, 0o640)
    os.symlink('target.efi', link)
    run(*addon, '-o', link, check=True)
    c.true(os.path.islink(link), 'the symbolic link was replaced')
    c.eq(read(target), want, 'the link target holds the image')
    c.eq(stat.S_IMODE(os.stat(target).st_mode), 0o640, "the replaced file's mode")
    # a new file follows the umask (ukify's open() does)
    new = os.path.join(work, 'new.efi')
    old_mask = os.umask(0o077)
    try:
        run(*addon, '-o', new, check=True)
    finally:
        os.umask(old_mask)
    c.eq(stat.S_IMODE(os.stat(new).st_mode), 0o600, 'a new file under umask 077')
    # refused outputs: nothing written, the reason named
    dangling = os.path.join(work, 'dangling.efi')
    os.symlink('nowhere.efi', dangling)
    for out, msg in ((work, 'is a directory'), (dangling, 'a symbolic link to nothing'), ('', 'empty output file name')):
        rc, _, err = run(*addon, '-o', out)
        c.true(rc == 1 and msg in err, '-o %r: exit %d, %r' % (out, rc, err.strip()))
    c.true(not os.path.exists(os.path.join(work, 'nowhere.efi')), 'the dangling link was followed')
    # signing through a symbolic link (sbsign's temporary files next to the target)
    need(shutil.which('sbsign'), 'sbsign (sbsigntool)')
    key, cert = snakeoil(work)
    run(*addon, '--secureboot-private-key', key, '--secureboot-certificate', cert, '-o', link, check=True)
    sig = inspect_json(target).get('signature', {})
    c.true(os.path.islink(link) and sig.get('signed') and 'SnakeOil' in sig.get('signer', ''),
           'signed output through a symbolic link: %s' % sig)
    c.eq(sorted(os.listdir(work)), sorted(['ref.efi', 'fifo', 'target.efi', 'link.efi', 'new.efi', 'dangling.efi',
                                           'db.key']), 'files left in the work directory')
    # signals while sbsign runs: a stand-in that writes its output after 2 s, as sbsign would
    fake = os.path.join(work, 'fakebin')
    os.makedirs(fake)
    with open(os.path.join(fake, 'sbsign'), 'w') as f:
        f.write('#!/bin/sh\nsleep 2\necho signed > "$6"\nsleep 60\n')   # $6: the --output argument
    os.chmod(os.path.join(fake, 'sbsign'), 0o755)
    for sig, ignored in ((signal.SIGTERM, False), (signal.SIGHUP, True)):
        outdir = os.path.join(work, 'sig')
        os.makedirs(outdir)
        # ignored: as under nohup, the signal must stay ignored (the run goes on)
        p = subprocess.Popen([exe(), *addon, '--secureboot-private-key', key, '--secureboot-certificate', cert, '-o',
                              os.path.join(outdir, 's.efi')], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=dict(os.environ, PATH=fake + ':' + os.environ['PATH']),
                             start_new_session=True,
                             preexec_fn=(lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)) if ignored else None)
        for _ in range(200):
            if len(os.listdir(outdir)) >= 2:
                break
            time.sleep(0.05)
        seen = sorted(os.listdir(outdir))
        c.true(len(seen) == 2 and all(n.startswith('s.efi.') for n in seen), 'temporary files while signing: %s'
               % seen)
        p.send_signal(sig)
        time.sleep(3)   # past the stand-in's write
        if ignored:
            c.true(p.poll() is None, 'an ignored %s ended the run (exit %s)' % (sig.name, p.returncode))
        else:
            p.wait(timeout=30)
            c.true(p.returncode == -sig and os.listdir(outdir) == [],
                   'after %s (exit %s): left %s' % (sig.name, p.returncode, os.listdir(outdir)))
        try:
            os.killpg(p.pid, signal.SIGKILL)   # what is left of the run
        except ProcessLookupError:
            pass
        p.wait(timeout=30)
        shutil.rmtree(outdir)
    shutil.rmtree(fake)
    # inputs: to their end; a FIFO refused at once
    comm = os.path.join(work, 'comm.efi')
    run('build', '--cmdline', '@/proc/self/comm', '-o', comm, check=True)
    sec = next((s for s in inspect_json(comm)['sections'] if s['name'] == '.cmdline'), None)
    c.true(sec is not None and sec['size'] > 0, '.cmdline from /proc/self/comm (st_size 0) is empty: %s' % sec)
    p = subprocess.run([exe(), 'build', '--cmdline', '@' + fifo, '-o', os.path.join(work, 'x.efi')],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    c.true(p.returncode == 1 and b'not a regular file' in p.stderr, 'a FIFO input: %r' % p.stderr)
    # options in full only
    for args, msg in ((['build', '--conf=' + os.path.join(work, 'x.conf'), '--cmdline', 'x'], "short for '--config'"),
                      (['inspect', '--jso', ref], "short for '--json'"), (['zboot', '--bogus', ref], "unknown option")):
        rc, _, err = run(*args, '-o', os.path.join(work, 'x.efi'))
        c.true(rc == 2 and msg in err, '%s: exit %d, %r' % (args, rc, err.strip()))
    # stdout that cannot be written
    with open('/dev/full', 'wb') as full:
        p = subprocess.run([exe(), 'inspect', '--json', ref], stdin=subprocess.DEVNULL, stdout=full,
                           stderr=subprocess.PIPE)
    c.true(p.returncode == 1 and b'standard output' in p.stderr, 'inspect to /dev/full: exit %d, %r'
           % (p.returncode, p.stderr))
    # inspect's text report: control characters of an image escaped, not sent to the terminal
    evil, evil_efi = os.path.join(work, 'evil'), os.path.join(work, 'evil.efi')
    with open(evil, 'wb') as f:
        f.write(b'a\x1b]0;title\x07\x1b[2J b\xc2\x9b \xc3\xa9')
    run('build', '--cmdline', '@' + evil, '-o', evil_efi, check=True)
    p = subprocess.run([exe(), 'inspect', evil_efi], stdin=subprocess.DEVNULL, capture_output=True)
    c.true(p.returncode == 0 and b'\x1b' not in p.stdout and b'\x07' not in p.stdout and b'\xc2\x9b' not in p.stdout
           and b'a\\x1b]0;title\\x07\\x1b[2J b\\xc2\\x9b \xc3\xa9' in p.stdout,
           'inspect escapes control characters: %r' % p.stdout[-400:])
    os.unlink(evil_efi)
    # a section name twice
    rc, _, err = run('build', '--cmdline', 'a', '--section', '.cmdline:b', '-o', os.path.join(work, 'x.efi'))
    c.true(rc == 1 and 'section .cmdline given twice' in err, 'duplicate .cmdline: exit %d, %r' % (rc, err.strip()))
    c.true(not os.path.exists(os.path.join(work, 'x.efi')), 'a refused run wrote its output')
    # a directory we may write into but not open (0333, an unprivileged user): refused before
    # anything is replaced, so exit 1 means no output, as the user guide says (the directory
    # was opened only after the rename, to sync it)
    tmp = tempfile.mkdtemp(prefix='ukify-zboot-wonly-')
    try:
        os.chmod(tmp, 0o755)
        priv = os.path.join(tmp, 'ukify-zboot')
        shutil.copy(exe(), priv)
        os.chmod(priv, 0o755)
        wonly = os.path.join(tmp, 'wonly')
        os.mkdir(wonly)
        os.chmod(wonly, 0o333)
        out = os.path.join(wonly, 'out.efi')
        nobody = pwd.getpwnam('nobody')
        p = subprocess.run(['setpriv', '--reuid=%d' % nobody.pw_uid, '--regid=%d' % nobody.pw_gid, '--clear-groups',
                            priv, *addon, '-o', out],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        c.true(p.returncode == 1 and b'Permission denied' in p.stderr, 'an unreadable output directory: exit %d, %r'
               % (p.returncode, p.stderr))
        left = os.listdir(wonly)
        c.true(left == [], 'an unreadable output directory: exit 1 but %s left in it' % left)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # options a PE without a kernel has no use for: named, not silently dropped; --efi-arch
    # picks the machine of an add-on and of a profile PE
    for args, pe, names, machine in (
            (['--cmdline', 'quiet', '--measure', '--splash', ref, '--zboot=zstd', '--efi-arch', 'aa64'],
             'an add-on (no --linux)', '--measure, --zboot, --splash', 0xaa64),
            (['--profile', 'ID=p1', '--cmdline', 'one', '--measure', '--sbat', 'x,1', '--efi-arch', 'aa64'],
             'a profile PE', '--measure, --sbat', 0xaa64),
            (['--cmdline', 'quiet'], None, None, 0xaa64 if platform.machine() == 'aarch64' else 0x8664)):
        out = os.path.join(work, 'unused.efi')
        rc, so, err = run('build', *args, '-o', out)
        c.true(rc == 0 and so == '', '%s: exit %d, stdout %r (%s)' % (args, rc, so, err.strip()))
        if pe:
            c.true('%s has no use for %s: not used' % (pe, names) in err, '%s: not reported as not used: %r'
                   % (names, err.strip()))
        else:
            c.true('not used' not in err, 'an add-on without extra options: %r' % err.strip())
        j = inspect_json(out) if os.path.exists(out) else {}
        c.eq(j.get('machine'), machine, '%s: machine' % args)
        if os.path.exists(out):
            os.unlink(out)
    # a shared configuration file's [PCRSignature:NAME] with only a private key: that one is named
    conf = os.path.join(work, 'pcr.conf')
    with open(conf, 'w') as f:
        f.write('[UKI]\nCmdline=quiet\n\n[PCRSignature:one]\nPCRPrivateKey=/nonexistent.pem\n')
    rc, _, err = run('build', '--config', conf, '-o', os.path.join(work, 'unused.efi'))
    c.true(rc == 0 and 'an add-on (no --linux) has no use for --pcr-private-key: not used\n' in err,
           'an add-on with a configuration file\'s PCRPrivateKey=: exit %d, %r' % (rc, err.strip()))
    if rc == 0:
        os.unlink(os.path.join(work, 'unused.efi'))


# ---- SBAT, Secure Boot signing, stub lookup -------------------------------------------------

def sbat_of(path):
    """The .sbat section's text (up to the first NUL), read here from the section table."""
    j = inspect_json(path)
    sec = next((x for x in j['sections'] if x['name'] == '.sbat'), None)
    if sec is None:
        return None
    data = read(path)[sec['file_offset']:sec['file_offset'] + sec['virtual_size']]
    return data.split(b'\0')[0].decode()


def sbat_rows(c, text, what):
    """Parse .sbat as CSV; check the header comes once, first, and every component once."""
    import csv
    import io
    rows = list(csv.reader(io.StringIO(text)))
    c.true(len(rows) > 0 and rows[0][:2] == ['sbat', '1'], '%s: header line first: %r' % (what, rows[:1]))
    c.eq(sum(1 for r in rows if r and r[0] == 'sbat'), 1, '%s: header lines' % what)
    names = [r[0] for r in rows]
    c.eq(len(names), len(set(names)), '%s: each component once (%s)' % (what, names))
    c.true(all(len(r) >= 2 and r[1].isdigit() for r in rows), '%s: every row has a numeric generation' % what)
    c.true(text.endswith('\n'), '%s: ends with a newline' % what)
    return {r[0]: r for r in rows}


@case
def sbat_merge(work, c):
    """.sbat like ukify's merge: the stub's entries, the kernel's (.linux's .sbat, which for our
    zboot image holds the wrapped kernel's entries), the user's --sbat lines; one header, each
    component once with its lowest generation (shim checks every entry, the lowest decides).
    Both verbs; a stub whose .sbat is not last is refused when the result does not fit."""
    kernel = asset('aarch64', 'vmlinuz')
    stub_rows = sbat_rows(c, sbat_of(stub('linuxaa64.efi.stub')), 'our UKI stub')
    c.true('ukify-zboot' in stub_rows, 'our stub has the ukify-zboot component')
    # a "kernel with .sbat": our zboot image of the Debian Image carrying the kernel's own entry
    kline = 'linux,3,The Linux Kernel,linux,6.1,https://example.invalid/linux'
    z = os.path.join(work, 'vmlinuz.efi')
    run('zboot', kernel, '-l', '3', '--sbat', kline, '-o', z, check=True)
    zrows = sbat_rows(c, sbat_of(z), 'zboot image')
    c.eq(sorted(zrows), ['linux', 'sbat', 'ukify-zboot'], 'zboot image components')
    c.eq(','.join(zrows.get('linux', [])), kline, 'the kernel line kept verbatim')
    # the user's file: with its own header, a duplicate of the kernel's component at a higher
    # generation (dropped) and of ours at a lower one (kept), and a new component
    user = os.path.join(work, 'sbat.csv')
    with open(user, 'w') as f:
        f.write('sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n'
                'linux,7,Someone Else,linux,6.1,https://example.invalid/other\n'
                'myos,2,My OS,myos,1.0,https://example.invalid/myos\n')
    uki = os.path.join(work, 'uki.efi')
    run('build', '--linux', z, '--sbat', '@' + user, '--sbat', 'extra,1,Extra,extra,1,https://example.invalid/e',
        '-o', uki, check=True)
    text = sbat_of(uki)
    rows = sbat_rows(c, text, 'UKI')
    c.eq(list(rows), ['sbat', 'ukify-zboot', 'linux', 'myos', 'extra'], 'UKI components, in order')
    c.eq(rows.get('linux', [None, None])[1], '3', 'linux: the lowest generation wins')
    c.eq(rows.get('myos', [None, None])[1], '2', 'myos from --sbat @FILE')
    j = inspect_json(uki)
    c.eq([x['name'] for x in j['sections']].count('.sbat'), 1, 'one .sbat section')
    c.eq(j['linux'].get('text', {}).get('.sbat', '').count('linux,3,'), 1, '.linux keeps its own .sbat')
    c.true(j['verdict']['ok'], 'UKI verdict %s' % j['verdict'])
    # the generation of our own component is lowered by a user line: revocation of an old stub
    uki2 = os.path.join(work, 'uki2.efi')
    run('build', '--linux', z, '--sbat', 'ukify-zboot,1,x,y,z,https://example.invalid', '-o', uki2, check=True)
    rows = sbat_rows(c, sbat_of(uki2), 'UKI with a second ukify-zboot line')
    c.eq(rows.get('ukify-zboot', [None] * 6)[5], 'https://example.invalid/ukify-zboot',
         'equal generations: the first (the stub\'s) line stays')
    # a large --sbat grows the stub's .sbat (the last section of our stubs)
    big = os.path.join(work, 'big.csv')
    with open(big, 'w') as f:
        for i in range(100):
            f.write('comp%d,1,Vendor %d,comp%d,1.0,https://example.invalid/%d\n' % (i, i, i, i))
    uki3 = os.path.join(work, 'uki3.efi')
    run('build', '--linux', z, '--sbat', '@' + big, '-o', uki3, check=True)
    rows = sbat_rows(c, sbat_of(uki3), 'UKI with 100 more components')
    c.eq(len(rows), 103, 'components (header, ukify-zboot, linux, comp0..99)')
    j = inspect_json(uki3)
    c.true(j['verdict']['ok'], 'big .sbat UKI verdict %s' % j['verdict'])
    x = os.path.join(work, 'x')
    run('extract', uki3, '-o', x, check=True)
    padded, _ = arm64_padded()
    c.true(read(x) == padded, 'extract through the UKI with a grown .sbat gives the Image')
    # x86: the same merge with the bzImage
    uki4 = os.path.join(work, 'uki4.efi')
    run('build', '--linux', asset('x86_64', 'vmlinuz'), '--zboot', '--sbat', kline, '-o', uki4, check=True)
    rows = sbat_rows(c, sbat_of(uki4), 'x86 UKI')
    c.eq(list(rows), ['sbat', 'ukify-zboot', 'linux'], 'x86 UKI components')
    # Debian 13's ukify reads our merged .sbat (and, not deduplicating, repeats ukify-zboot)
    p = subprocess.run(['/usr/bin/python3', trixie_ukify(), 'build', '--linux', z, '--stub', stub('linuxaa64.efi.stub'),
                        '--sbat', 'sbat,1,h\nmyos,2,My OS,myos,1.0,https://example.invalid/myos', '--output',
                        os.path.join(work, 'ukify.efi')], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if c.eq(p.returncode, 0, "Debian 13's ukify with our stub and image (%s)" % p.stdout.decode()[-400:]):
        t = sbat_of(os.path.join(work, 'ukify.efi'))
        c.true('linux,3,' in t and 'myos,2,' in t, "ukify's .sbat has the kernel's and the user's lines: %r" % t)
    # a section named ".sbat\0XY": the stub's name rule calls it .sbat, shim (all 8 bytes) does
    # not; neither as the kernel's nor as the stub's .sbat is it merged or replaced: refused
    for what, src in (('kernel', z), ('stub', stub('linuxaa64.efi.stub'))):
        odd = os.path.join(work, 'odd-sbat-%s.efi' % what)
        with open(odd, 'wb') as f:
            f.write(rename_section(read(src), b'.sbat', b'.sbat\0XY'))
        args = ['--linux', odd] if what == 'kernel' else ['--linux', z, '--stub', odd]
        out = os.path.join(work, 'odd-sbat-uki.efi')
        rc, _, err = run('build', *args, '-o', out)
        c.true(rc != 0 and 'shim would not read it as .sbat' in err and not os.path.exists(out),
               '%s with a .sbat\\0XY section refused (rc %d: %s)' % (what, rc, err.strip()[-200:]))


def rename_section(data, old, new):
    """data with the header of its first section named old (NUL-padded) renamed to new."""
    import struct
    pe = struct.unpack_from('<I', data, 0x3c)[0]
    n, opt = struct.unpack_from('<H', data, pe + 6)[0], struct.unpack_from('<H', data, pe + 20)[0]
    table = pe + 24 + opt
    for i in range(n):
        at = table + 40 * i
        if data[at:at + 8] == old.ljust(8, b'\0'):
            return data[:at] + new.ljust(8, b'\0') + data[at + 8:]
    raise AssertionError('no section %r' % old)


def snakeoil(work):
    """Debian's snakeoil Secure Boot key (the ovmf package), decrypted for sbsign."""
    key = os.path.join(work, 'db.key')
    subprocess.run(['openssl', 'rsa', '-passin', 'pass:snakeoil', '-in',
                    need('/usr/share/ovmf/PkKek-1-snakeoil.key', 'snakeoil key'), '-out', key], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return key, need('/usr/share/ovmf/PkKek-1-snakeoil.pem', 'snakeoil certificate')


@case
def secureboot_sign(work, c):
    """zboot and build sign with --secureboot-private-key/--secureboot-certificate through
    sbsign: sbverify accepts the result with that certificate, the unsigned build is the same
    image, inspect shows the signer; a failing signer leaves no output and an existing output
    untouched; a signed image is a valid .linux and is refused as a stub (signature would break)."""
    need(shutil.which('sbsign'), 'sbsign (sbsigntool)')
    need(shutil.which('sbverify'), 'sbverify (sbsigntool)')
    key, cert = snakeoil(work)
    sb = ['--secureboot-private-key', key, '--secureboot-certificate', cert]
    kernel = asset('x86_64', 'vmlinuz')
    z, zs = os.path.join(work, 'z.efi'), os.path.join(work, 'z.signed.efi')
    run('zboot', kernel, '-l', '1', '-o', z, check=True)
    rc, _, err = run('zboot', kernel, '-l', '1', *sb, '-o', zs)
    c.true(rc == 0 and 'signed' in err, 'zboot signed: %s' % err.strip())
    uki, ukis = os.path.join(work, 'uki.efi'), os.path.join(work, 'uki.signed.efi')
    run('build', '--linux', zs, '--cmdline', 'quiet', '-o', uki, check=True)
    run('build', '--linux', zs, '--cmdline', 'quiet', *sb, '-o', ukis, check=True)
    # a profile PE is signed as ukify 257 signs it (and joins all the same)
    prof, profs = os.path.join(work, 'p.efi'), os.path.join(work, 'p.signed.efi')
    run('build', '--profile', 'ID=p', '--cmdline', 'p', '-o', prof, check=True)
    run('build', '--profile', 'ID=p', '--cmdline', 'p', *sb, '-o', profs, check=True)
    joined = os.path.join(work, 'joined.efi')
    run('build', '--linux', zs, '--join-profile', profs, '-o', joined, check=True)
    c.eq([p['id'] for p in inspect_json(joined)['profiles']], ['main', 'p'], 'a signed profile PE joins')
    os.unlink(joined)
    v = subprocess.run(['sbverify', '--cert', cert, profs], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    c.true(v.returncode == 0 and inspect_json(prof)['signature']['signed'] is False,
           'profile PE: sbverify of the signed one: %s' % v.stdout.decode().strip())
    for unsigned, signed in ((z, zs), (uki, ukis)):
        v = subprocess.run(['sbverify', '--cert', cert, signed], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        c.true(v.returncode == 0, '%s: sbverify: %s' % (signed, v.stdout.decode().strip()))
        v = subprocess.run(['sbverify', '--cert', cert, unsigned], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        c.true(v.returncode != 0, '%s: sbverify accepts an unsigned image' % unsigned)
        js, ju = inspect_json(signed), inspect_json(unsigned)
        c.eq(js['signature']['signed'], True, '%s: inspect: signed' % signed)
        c.true('SnakeOil' in (js['signature']['signer'] or ''), '%s: signer %r' % (signed, js['signature']['signer']))
        c.eq(ju['signature']['signed'], False, '%s: inspect: unsigned' % unsigned)
        c.eq([x['name'] for x in js['sections']], [x['name'] for x in ju['sections']], 'same sections signed')
        rc, out, _ = run('inspect', signed)
        c.true(re.search(r'^signature: Authenticode, 1 PKCS#7 signature, signer .*SnakeOil', out, re.M) is not None,
               'inspect text names the signature: %s' % out[-300:])
        # the payload decodes the same from both
        rc1, _, _ = run('extract', signed, '-o', signed + '.x')
        run('extract', unsigned, '-o', unsigned + '.x', check=True)
        c.true(rc1 == 0 and sha(signed + '.x') == sha(unsigned + '.x'), '%s: extract' % signed)
        # one payload byte flipped after signing: the signature no longer verifies
        data = bytearray(read(signed))
        sec = next(x for x in js['sections'] if x['name'] in ('.linux', '.zdata'))
        data[sec['file_offset'] + sec['raw_size'] // 2] ^= 1
        with open(signed + '.flip', 'wb') as f:
            f.write(data)
        v = subprocess.run(['sbverify', '--cert', cert, signed + '.flip'], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        c.true(v.returncode != 0, '%s: sbverify accepts a modified image' % signed)
    # a signed stub cannot take sections
    rc, _, err = run('build', '--linux', z, '--stub', ukis, '-o', os.path.join(work, 'bad.efi'))
    c.true(rc != 0 and 'signed' in err and not os.path.exists(os.path.join(work, 'bad.efi')),
           'signed stub refused: %s' % err.strip())
    # the signer fails (a key that does not match the certificate's format): nothing written,
    # an existing output untouched, no temporary files left
    junk = os.path.join(work, 'junk.key')
    with open(junk, 'w') as f:
        f.write('not a key\n')
    outdir = os.path.join(work, 'out')
    os.makedirs(outdir)
    target = os.path.join(outdir, 'keep.efi')
    with open(target, 'wb') as f:
        f.write(b'old contents')
    for args in (['zboot', kernel, '-l', '1'], ['build', '--linux', z]):
        rc, _, err = run(*args, '--secureboot-private-key', junk, '--secureboot-certificate', cert, '-o', target)
        c.true(rc != 0 and 'sbsign failed' in err, '%s with a bad key: %s' % (args[0], err.strip()[-300:]))
        c.eq(read(target), b'old contents', '%s: existing output untouched' % args[0])
        c.eq(sorted(os.listdir(outdir)), ['keep.efi'], '%s: no temporary files left' % args[0])


def meson_build_root():
    return need(os.environ.get('ZBOOT_BUILD_ROOT'), 'ZBOOT_BUILD_ROOT (run through meson test)')


@case
def installed_stub_lookup(work, c):
    """The installed binary takes stubs only from the installed stub directory or
    $UKIFY_ZBOOT_STUB_DIR, never from the build tree (which exists here, at the path compiled in):
    installed into a DESTDIR it finds no stubs at its (absent) install path and says where it
    looked; with UKIFY_ZBOOT_STUB_DIR pointing into DESTDIR it uses exactly those stubs (a
    marker in the DESTDIR copy's .sbat shows up in its output); --stub overrides both. The
    build tree's binary still uses the build tree."""
    meson = need(shutil.which('meson'), 'meson')
    build = meson_build_root()
    destdir = os.path.join(work, 'destdir')
    p = subprocess.run([meson, 'install', '-C', build, '--no-rebuild', '--quiet', '--destdir', destdir],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if not c.eq(p.returncode, 0, 'meson install --destdir (%s)' % p.stdout.decode()[-400:]):
        return
    found = {}
    for root, _, files in os.walk(destdir):
        for f in files:
            found.setdefault(f, os.path.join(root, f))
    installed = need(found.get('ukify-zboot'), 'installed ukify-zboot')
    # every stub is installed: the all-decoder ones, one per compression, the UKI stubs
    for sfx in ('x64', 'aa64'):
        for name in ['zboot%s.efi.stub' % sfx, 'linux%s.efi.stub' % sfx] + \
                    ['zboot%s-%s.efi.stub' % (sfx, comp) for comp in ('gzip', 'zstd', 'lz4', 'xz')]:
            c.true(name in found, 'meson install installs %s' % name)
    # the default compression is zstd: its one-decoder stub is the one `zboot` takes
    istub = need(found.get('zbootx64-zstd.efi.stub'), 'installed zbootx64-zstd.efi.stub')
    c.true(os.access(installed, os.X_OK), 'installed binary is executable')
    stub_dir = os.path.dirname(istub)
    c.true(stub_dir.endswith('/ukify-zboot'), 'stubs installed into prefix/lib/ukify-zboot: %s' % stub_dir)
    # the build tree's stubs exist where the binary was built to look for them
    c.true(os.path.exists(stub('zbootx64-zstd.efi.stub')), 'build tree stub exists')
    # mark the DESTDIR copy: its .sbat vendor URL differs from the build tree's
    data = bytearray(read(istub))
    at = data.find(b'https://example.invalid/ukify-zboot')
    if not c.true(at > 0, 'installed stub has our .sbat'):
        return
    data[at:at + 35] = b'https://example.invalid/INSTALLED-1'
    with open(istub, 'wb') as f:
        f.write(data)
    kernel = asset('x86_64', 'vmlinuz')
    env = {k: v for k, v in os.environ.items() if k != 'UKIFY_ZBOOT_STUB_DIR'}

    def inst(*args, extra_env=None):
        p = subprocess.run([installed] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=dict(env, **(extra_env or {})))
        return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')

    out = os.path.join(work, 'out.efi')
    rc, help_text, _ = inst('--help')
    c.true('UKIFY_ZBOOT_STUB_DIR' in help_text, '--help documents UKIFY_ZBOOT_STUB_DIR')
    install_dir = stub_dir[len(destdir):]
    if not c.true(not os.path.exists(install_dir), 'the real install dir %s exists on this machine: this test '
                  'cannot tell whether the build tree is avoided (remove that installation)' % install_dir):
        return
    c.true(install_dir in help_text, '--help names the install dir %s' % install_dir)
    rc, _, err = inst('zboot', kernel, '-l', '1', '-o', out)
    c.true(rc != 0 and not os.path.exists(out), 'installed binary without stubs at its install path: refused')
    c.true(os.path.join(install_dir, 'zbootx64-zstd.efi.stub') in err, 'names the install path: %s' % err.strip())
    c.true('UKIFY_ZBOOT_STUB_DIR' in err and os.environ.get('ZBOOT_EFI_DIR', '//') not in err,
           'suggests the variable, never the build tree: %s' % err.strip())
    rc, _, err = inst('zboot', kernel, '-l', '1', '-o', out, extra_env={'UKIFY_ZBOOT_STUB_DIR': stub_dir})
    if c.eq(rc, 0, 'installed binary with UKIFY_ZBOOT_STUB_DIR (%s)' % err.strip()):
        c.true('INSTALLED-1' in (sbat_of(out) or ''), 'the image has the DESTDIR stub: %r' % sbat_of(out))
    rc, _, err = inst('zboot', kernel, '-l', '1', '--stub', stub('zbootx64-zstd.efi.stub'), '-o', out + '2',
                      extra_env={'UKIFY_ZBOOT_STUB_DIR': stub_dir})
    if c.eq(rc, 0, '--stub (%s)' % err.strip()):
        c.true('INSTALLED-1' not in (sbat_of(out + '2') or ''), '--stub wins over the variable')
    rc, _, err = run('zboot', kernel, '-l', '1', '-o', out + '3')
    if c.eq(rc, 0, 'build tree binary (%s)' % err.strip()):
        c.true('INSTALLED-1' not in sbat_of(out + '3'), 'the build tree binary uses the build tree stubs')
    # a copy of the build tree's binary elsewhere is not the build tree's binary either
    copy = os.path.join(work, 'ukify-zboot-copy')
    shutil.copy(exe(), copy)
    p = subprocess.run([copy, 'zboot', kernel, '-l', '1', '-o', out + '4'], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    c.true(p.returncode != 0 and b'the installed stubs' in p.stderr,
           'a copy of the build binary does not use the build tree: %s' % p.stderr.decode().strip())


# ---- x86 relocation table layouts (docs/format.md §4.1) --------------------------------------

def suite_kernel(suite):
    cache = os.environ.get('ZBOOT_TEST_CACHE', os.path.join(HERE, '..', 'cache'))
    d = os.path.join(cache, suite, 'amd64')
    return need(os.path.join(d, 'vmlinuz'), 'test asset'), open(need(os.path.join(d, 'version'), 'test asset')).read().strip()


def relocs_by_hand(bz):
    """The bzImage's relocation lists, read here independently: payload via the setup header,
    zstd -d, the table after the ELF (ends of program headers, section headers, section
    contents and PT_LOADs), split at its zero words."""
    setup = ((bz[0x1f1] or 4) + 1) * 512
    off, length = struct.unpack_from('<II', bz, 0x248)
    p = subprocess.run(['zstd', '-dc'], input=bz[setup + off:setup + off + length - 4], stdout=subprocess.PIPE,
                       check=True).stdout
    phoff, shoff = struct.unpack_from('<QQ', p, 0x20)
    phentsize, phnum, shentsize, shnum = struct.unpack_from('<HHHH', p, 0x36)
    end = max(phoff + phentsize * phnum, shoff + shentsize * shnum)
    for i in range(shnum):
        typ, = struct.unpack_from('<I', p, shoff + i * shentsize + 4)
        o, sz = struct.unpack_from('<QQ', p, shoff + i * shentsize + 0x18)
        if typ not in (0, 8):
            end = max(end, o + sz)
    for i in range(phnum):
        typ, = struct.unpack_from('<I', p, phoff + i * phentsize)
        o, = struct.unpack_from('<Q', p, phoff + i * phentsize + 8)
        fs, = struct.unpack_from('<Q', p, phoff + i * phentsize + 0x20)
        if typ == 1:
            end = max(end, o + fs)
    words = struct.unpack_from('<%dI' % ((len(p) - end) // 4), p, end)
    lists, cur = [], None
    for w in words:
        if w == 0:
            cur = []
            lists.append(cur)
        else:
            cur.append(w)
    return lists


@case
def x86_relocation_layouts(work, c):
    """Debian 13's 6.12 (three relocation lists) and the development suite's 7.x (two, since
    Linux 6.15) both make native x86 payloads whose relocation table holds exactly their
    entries; a bzImage whose kernel_version claims the other side of 6.15 is refused with what
    was found and what was expected."""
    for suite, n_lists in (('trixie', 3), ('sid', 2)):
        kernel, version = suite_kernel(suite)
        bz = read(kernel)
        lists = relocs_by_hand(bz)
        major, minor = (int(x) for x in re.match(r'(\d+)\.(\d+)', version).groups())
        c.eq(len(lists), 3 if (major, minor) < (6, 15) else 2, '%s (%s): lists in the table' % (suite, version))
        c.eq(len(lists), n_lists, '%s: the layout this test expects of that suite' % suite)
        out = os.path.join(work, suite + '.efi')
        rc, _, err = run('zboot', kernel, '--compress', 'zstd', '--level', '1', '-o', out)
        if not c.eq(rc, 0, '%s: zboot (%s)' % (suite, err.strip())):
            continue
        x = inspect_json(out).get('x86', {})
        c.eq(x.get('relocs_size'), 12 + 4 * sum(len(l) for l in lists), '%s: relocation table size' % suite)
        rc, _, err = run('extract', out, '-o', out + '.payload')
        if c.eq(rc, 0, '%s: extract' % suite):
            pl = read(out + '.payload')
            counts = struct.unpack_from('<III', pl, x['image_size'])
            want = (len(lists[0]), len(lists[1]) if n_lists == 3 else 0, len(lists[-1]))
            c.eq(counts, want, '%s: counts 64-bit / inverse 32-bit / 32-bit' % suite)
        # the same bzImage claiming a release on the other side of 6.15 (same string length)
        kv, = struct.unpack_from('<H', bz, 0x20e)
        at = kv + 0x200
        fake = {'trixie': b'6.15', 'sid': b'6.14'}[suite]
        if not c.eq(bz[at:at + len(version)], version.encode(), '%s: kernel_version string' % suite):
            continue
        claimed = fake + b'.0-' + b'x' * (len(version) - len(fake) - 3)
        liar = os.path.join(work, suite + '-liar')
        with open(liar, 'wb') as f:
            f.write(bz[:at] + claimed + bz[at + len(version):])
        rc, _, err = run('zboot', liar, '--compress', 'zstd', '--level', '1', '-o', out + '.liar')
        c.true(rc != 0 and not os.path.exists(out + '.liar'), '%s claiming %s: refused' % (suite, claimed.decode()))
        c.true(re.search(r'layout differs from the one the kernel version implies', err) is not None,
               '%s claiming %s: names the mismatch (%s)' % (suite, claimed.decode(), err.strip()))
        c.true(re.search(r'%d zero terminators.*expected for Linux %s: %s lists' %
                         (n_lists, re.escape(claimed.decode()), 'two' if n_lists == 3 else 'three'), err) is not None,
               '%s claiming %s: says what it found and expected (%s)' % (suite, claimed.decode(), err.strip()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('case', choices=sorted(CASES))
    ap.add_argument('--work-dir', default=None)
    a = ap.parse_args()
    if a.work_dir:
        os.makedirs(a.work_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix='cli-%s-' % a.case, dir=a.work_dir)
    c = Check()
    try:
        CASES[a.case](work, c)
    except Fail as e:
        c.true(False, str(e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print('%s: %s' % (a.case, 'FAILED (%d)' % len(c.failures) if c.failures else 'ok'))
    return 1 if c.failures else 0


if __name__ == '__main__':
    sys.exit(main())
