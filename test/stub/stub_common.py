# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the stub suite's scripts share (addon_test.py, differential_test.py, extra_test.py,
firmware_test.py, profile_test.py): the harness (H), boot_test (B) and trust_test (T) modules,
and the test initrd's /init with a script's lines added before its INITRD_MARKER line (an
uncompressed cpio with that /init, put after the test initrd, wins: the later archive's file
is the one the kernel keeps).
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

__all__ = ['H', 'B', 'T', 'init_with_lines']


def init_with_lines(arch, lines):
    """The test initrd's /init (text) with lines inserted before its INITRD_MARKER line."""
    base = H.asset(arch, 'initrd.cpio.gz')
    init = subprocess.run('zcat %s | cpio -i --quiet --to-stdout init' % base, shell=True, check=True,
                          stdout=subprocess.PIPE).stdout.decode()
    marker = 'echo "INITRD_MARKER='
    if marker not in init:
        raise H.HarnessError('the test initrd /init has no INITRD_MARKER line')
    return init.replace(marker, lines.lstrip('\n') + marker, 1)
