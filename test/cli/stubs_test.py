#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""One zboot stub per compression (docs/design.md "One stub per compression"; suite `cli`), one
case per meson test:

    stubs_test.py CASE --work-dir DIR

- stub-per-compression: `zboot --compress C` without --stub (the build tree's binary, no
  $UKIFY_ZBOOT_STUB_DIR) makes each image from zboot<arch>-C.efi.stub, for both arches and
  zstd, gzip, lz4, xz: the image's .zdec lists exactly C's decoders (inspect --json "decoders"
  and the text line), its .text is that stub's, and it is smaller than the stub with every
  decoder; `build --zboot xz` puts an image of the xz stub into .linux.
- stub-mismatch-refused: --stub of another compression's stub is refused with the message that
  names the right stub, and nothing is written; the all-decoder stub is accepted for any
  compression; a stub without .zdec (made before it existed: the section renamed here) is
  accepted; a malformed .zdec is refused.

Environment: UKIFY_ZBOOT, ZBOOT_EFI_DIR, ZBOOT_TEST_CACHE. A missing prerequisite is a failure.
"""
import json
import os
import struct
import sys

import cli_common
from cli_common import CACHE, need, read

CASES, case = cli_common.registry()
SUFFIX = {'x86_64': 'x64', 'aarch64': 'aa64'}
DECODERS = {'zstd': ['zstd'], 'gzip': ['gzip'], 'lz4': ['lz4'], 'xz': ['xzkern', 'lzma']}
LEVEL = {'zstd': '1', 'gzip': '1', 'lz4': '1', 'xz': '0'}


def kernel(arch):
    return need(os.path.join(CACHE, {'x86_64': 'amd64', 'aarch64': 'arm64'}[arch], 'vmlinuz'), 'Debian kernel')


def stub(name):
    return need(os.path.join(os.environ.get('ZBOOT_EFI_DIR', ''), name), 'our EFI stub')


def run(*args):
    # the build tree's binary takes the build tree's stubs: no $UKIFY_ZBOOT_STUB_DIR
    return cli_common.run_cli(args, {k: v for k, v in os.environ.items() if k != 'UKIFY_ZBOOT_STUB_DIR'})


def must(*args):
    return cli_common.succeeded(run(*args), args)


def sections(data):
    """{name: (header offset, raw bytes)} of a PE file."""
    pe = struct.unpack_from('<I', data, 0x3c)[0]
    n, optsize = struct.unpack_from('<H', data, pe + 6)[0], struct.unpack_from('<H', data, pe + 20)[0]
    out = {}
    for i in range(n):
        h = pe + 24 + optsize + 40 * i
        name = data[h:h + 8].rstrip(b'\0').decode(errors='replace')
        vsize, size, off = struct.unpack_from('<I', data, h + 8)[0], *struct.unpack_from('<II', data, h + 16)
        out[name] = (h, data[off:off + min(size, vsize)])
    return out


def find_key(j, key):
    """Every value of key anywhere in the JSON j."""
    if isinstance(j, dict):
        for k, v in j.items():
            if k == key:
                yield v
            yield from find_key(v, key)
    elif isinstance(j, list):
        for v in j:
            yield from find_key(v, key)


@case
def stub_per_compression(work, c):
    for arch in ('x86_64', 'aarch64'):
        sfx = SUFFIX[arch]
        all_size = len(read(stub('zboot%s.efi.stub' % sfx)))
        for comp, decoders in DECODERS.items():
            name = 'zboot%s-%s.efi.stub' % (sfx, comp)
            s = read(stub(name))
            c.true(len(s) < all_size, '%s (%d bytes) is smaller than zboot%s.efi.stub (%d)' % (name, len(s), sfx,
                                                                                                 all_size))
            out = os.path.join(work, '%s-%s.efi' % (arch, comp))
            must('zboot', kernel(arch), '--compress', comp, '-l', LEVEL[comp], '-o', out)
            img = read(out)
            j = json.loads(must('inspect', '--json', out)[0])
            c.eq(j.get('decoders'), decoders, '%s %s: decoders of the image (inspect --json)' % (arch, comp))
            c.eq(j.get('zboot', {}).get('compression'), {'xz': 'xzkern'}.get(comp, comp), '%s %s: header' % (arch, comp))
            c.eq(sections(img)['.text'][1], sections(s)['.text'][1], '%s %s: the image has %s\'s code' % (arch, comp, name))
            text = must('inspect', out)[0]
            c.true('zboot stub decoders (.zdec): %s\n' % ' '.join(decoders) in text,
                   '%s %s: inspect names the decoders: %s' % (arch, comp, text[-300:]))
            os.unlink(out)
    uki = os.path.join(work, 'uki.efi')
    must('build', '--linux', kernel('aarch64'), '--zboot=xz', '--cmdline', 'console=ttyAMA0', '-o', uki)
    j = json.loads(must('inspect', '--json', uki)[0])
    c.eq(list(find_key(j, 'decoders')), [['xzkern', 'lzma']], 'build --zboot xz: the .linux has the xz stub')


@case
def stub_mismatch_refused(work, c):
    k = kernel('aarch64')
    out = os.path.join(work, 'out.efi')
    rc, _, err = run('zboot', k, '--compress', 'zstd', '-l', '1', '--stub', stub('zbootaa64-xz.efi.stub'), '-o', out)
    c.true(rc == 1 and not os.path.exists(out), 'xz stub for a zstd payload refused (%d)' % rc)
    c.true('zbootaa64-xz.efi.stub: this stub decodes only xzkern lzma, not a zstd payload (use '
           'zbootaa64-zstd.efi.stub, or zbootaa64.efi.stub which has every decoder)' in err,
           'the refusal names the stub to use: %s' % err.strip())
    rc, _, err = run('zboot', k, '--compress', 'xz', '-l', '0', '--stub', stub('zbootaa64-gzip.efi.stub'), '-o', out)
    c.true(rc == 1 and not os.path.exists(out) and 'not a xzkern payload' in err, 'gzip stub for xz refused: %s' %
           err.strip())
    # every decoder: any compression
    must('zboot', k, '--compress', 'lz4', '-l', '1', '--stub', stub('zbootaa64.efi.stub'), '-o', out)
    got = json.loads(must('inspect', '--json', out)[0]).get('decoders') or []
    c.true(got in (['gzip', 'zstd', 'lz4', 'xzkern', 'lzma'], ['gzip', 'zstd', 'lz4', 'xzkern', 'lzma', 'lzo']),
           'the all-decoder stub lists every decoder (lzo in -Dlzo=enabled builds): %r' % got)
    os.unlink(out)
    # no .zdec (a stub from before the list): accepted as it always was
    s = bytearray(read(stub('zbootaa64-xz.efi.stub')))
    h, _ = sections(bytes(s))['.zdec']
    old = os.path.join(work, 'old.efi.stub')
    s[h:h + 8] = b'.rdata\0\0'
    with open(old, 'wb') as f:
        f.write(s)
    must('zboot', k, '--compress', 'lz4', '-l', '1', '--stub', old, '-o', out)
    c.true(os.path.exists(out) and 'decoders' not in json.loads(must('inspect', '--json', out)[0]),
           'a stub without .zdec is accepted')
    os.unlink(out)
    # a malformed list: refused
    s = bytearray(read(stub('zbootaa64-xz.efi.stub')))
    _, data = sections(bytes(s))['.zdec']
    at = bytes(s).find(data[:12])
    s[at:at + 6] = b'brotli'
    bad = os.path.join(work, 'bad.efi.stub')
    with open(bad, 'wb') as f:
        f.write(s)
    rc, _, err = run('zboot', k, '--compress', 'xz', '-l', '0', '--stub', bad, '-o', out)
    c.true(rc == 1 and not os.path.exists(out) and 'its .zdec section is not a decoder list' in err,
           'a malformed .zdec is refused: %s' % err.strip())


def main():
    return cli_common.main(CASES, __doc__)


if __name__ == '__main__':
    sys.exit(main())
