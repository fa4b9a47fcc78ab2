# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the bench scripts share (boot-compare.py, sizes.py): the build's ukify-zboot, the Debian
suites and compressions measured, the stock UKI as Debian would make it, what compression a
Debian kernel really uses (read from its bytes by `ukify-zboot inspect`), table output."""

import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
sys.path.insert(0, os.path.join(ROOT, 'test', 'harness'))
import zboot_harness as H  # noqa: E402

BUILD = os.path.abspath(os.environ.get('ZBOOT_BUILD', os.path.join(ROOT, 'build')))
UKIFY_ZBOOT = os.path.join(BUILD, 'src', 'ukify-zboot', 'ukify-zboot')
SUITES = (('bookworm', 'Debian 12'), ('trixie', 'Debian 13'))
COMPRESSIONS = ('zstd', 'gzip', 'lz4', 'xz')


def short(arch):
    return 'x86' if arch == 'x86_64' else 'arm64'


def arches(only):
    """The architectures to measure, for --only x86|arm64 (None: both)."""
    return [x for x in ('x86_64', 'aarch64') if not only or only == short(x)]


def sdstub_version(suite):
    return '252' if suite == 'bookworm' else '257'


def osrel(suite):
    return ('ID=debian\nNAME="Debian GNU/Linux"\nPRETTY_NAME="zboot bench"\nVERSION_ID="%s"\n' %
            ('12' if suite == 'bookworm' else '13')).encode()


def ours(*args):
    """Run the build's ukify-zboot; its stdout."""
    return subprocess.run([UKIFY_ZBOOT] + list(args), check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE).stdout


_compression = {}


def kernel_compression(kernel):
    """'xz', 'zstd', ... for a bzImage, from its payload's magic bytes (`ukify-zboot inspect`:
    Debian 12 ships xz, Debian 13 zstd); None for a kernel that is not compressed (arm64 Image)."""
    if kernel not in _compression:
        _compression[kernel] = json.loads(ours('inspect', '--json', kernel)).get('bzimage', {}).get('compression')
    return _compression[kernel]


def kernel_label(arch, suite):
    """'bzImage, zstd' or 'Image': the kernel file Debian ships, as it really is."""
    if arch != 'x86_64':
        return 'Image'
    return 'bzImage, %s' % kernel_compression(H.asset(arch, 'vmlinuz', suite))


def stock_uki(arch, suite, initrd, cmdline, out, objcopy=False):
    """Debian's sd-stub (252 for Debian 12, 257 for Debian 13) with the kernel as Debian ships it,
    joined by Debian 13's ukify (it writes arm64 PEs too), or with objcopy as Debian 12 would
    (x86 only)."""
    kernel = H.asset(arch, 'vmlinuz', suite)
    if objcopy:
        H.objcopy_uki(H.debian_sdstub(arch, suite), out, [
            ('.osrel', osrel(suite)), ('.cmdline', cmdline.encode()), ('.initrd', initrd), ('.linux', kernel)])
    else:
        H.run(H.ukify_command('trixie') + ['build', '--stub', H.debian_sdstub(arch, suite), '--linux', kernel,
                                           '--initrd', initrd, '--cmdline', cmdline, '--os-release',
                                           osrel(suite).decode(), '--uname', H.kernel_version(arch, suite),
                                           '--output', out])
    return out


def med(xs):
    """The median of the values that are not None; None when there are none."""
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def emit(lines, table=None):
    """Print a table and, with --table FILE, write it there too (bench/run collects them)."""
    text = '\n'.join(lines)
    print(text)
    if table:
        with open(table, 'w') as f:
            f.write(text + '\n')
