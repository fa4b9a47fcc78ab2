# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the stub suite's scripts share (addon_test.py, differential_test.py, eventlog_test.py,
extra_test.py, firmware_test.py, profile_test.py): the harness (H), boot_test (B) and trust_test
(T) modules, the test initrd's /init with a script's lines added before its INITRD_MARKER line
(an uncompressed cpio with that /init, put after the test initrd, wins: the later archive's file
is the one the kernel keeps), and the sd-stub 257 twin of one of our UKIs (sdstub257_twin).
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, os.path.join(HERE, '..', 'boot'))
sys.path.insert(0, os.path.join(HERE, '..', 'trust'))
import zboot_harness as H  # noqa: E402
import boot_test as B  # noqa: E402
import trust_test as T  # noqa: E402

__all__ = ['H', 'B', 'T', 'init_with_lines', 'sdstub257_twin']

# How Debian 13's ukify takes each section a twin copies, in ukify's section order.
_UKIFY_257_ARGS = (
    ('.cmdline', lambda p: ['--cmdline', '@' + p]),
    ('.initrd', lambda p: ['--initrd', p]),
    ('.ucode', lambda p: ['--microcode', p]),
    ('.osrel', lambda p: ['--os-release', '@' + p]),
    ('.uname', lambda p: ['--uname', open(p).read()]),
    ('.pcrpkey', lambda p: ['--pcrpkey', p]),
    ('.pcrsig', lambda p: ['--section', '.pcrsig:@' + p]),
)


def init_with_lines(arch, lines):
    """The test initrd's /init (text) with lines inserted before its INITRD_MARKER line."""
    base = H.asset(arch, 'initrd.cpio.gz')
    init = subprocess.run('zcat %s | cpio -i --quiet --to-stdout init' % base, shell=True, check=True,
                          stdout=subprocess.PIPE).stdout.decode()
    marker = 'echo "INITRD_MARKER='
    if marker not in init:
        raise H.HarnessError('the test initrd /init has no INITRD_MARKER line')
    return init.replace(marker, lines.lstrip('\n') + marker, 1)


def sdstub257_twin(work, arch, ours, sections, suite='trixie', same_linux=False):
    """The sd-stub 257 twin of our UKI ours: Debian 13's ukify and sd-stub 257 build a UKI whose
    sections (a subset of .cmdline .initrd .ucode .osrel .uname .pcrpkey .pcrsig) are ours byte for
    byte, with the suite's plain vmlinuz as .linux (same_linux: ours has that .linux too, and it
    must be equal as well); .sbat stays each stub's own. Returns the twin's path (work/sdstub257.efi);
    a section that ukify 257 changed is a harness error."""
    known = [sec for sec, _ in _UKIFY_257_ARGS]
    unknown = [sec for sec in sections if sec not in known]
    if unknown:
        raise H.HarnessError('sdstub257_twin: no ukify 257 option for %s' % ', '.join(unknown))
    args, parts = [], {}
    for sec, option in _UKIFY_257_ARGS:
        if sec not in sections:
            continue
        parts[sec] = os.path.join(work, 'sec' + sec)
        with open(parts[sec], 'wb') as f:
            f.write(T.section_of(ours, sec))
        args += option(parts[sec])
    ref = os.path.join(work, 'sdstub257.efi')
    H.run(H.ukify_command(suite) + ['build', '--stub', H.debian_sdstub(arch, suite),
                                    '--linux', H.asset(arch, 'vmlinuz', suite)] + args + ['--output', ref])
    for sec in list(parts) + (['.linux'] if same_linux else []):
        if T.section_of(ref, sec) != T.section_of(ours, sec):
            raise H.HarnessError('ukify 257 changed %s: the UKIs do not share their section bytes' % sec)
    return ref
