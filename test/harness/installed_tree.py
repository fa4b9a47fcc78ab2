# SPDX-License-Identifier: LGPL-2.1-or-later
"""The project as `meson install` puts it, run at its real paths without touching the machine.

`InstalledTree(work)` runs `meson install --destdir WORK/destdir` from the build tree the test
belongs to, then `tree.run(cmd)` runs cmd in a private mount namespace (unshare -m) where the
DESTDIR copy is visible at the real install paths: read-only overlays (DESTDIR over the machine's
own directory) on the prefix and on the kernel-install plugin directory, and a tmpfs over
/usr/lib/modules (kernel-install's 50-depmod.install then touches nothing). The installed
ukify-zboot therefore finds its installed stubs at the path compiled into it, and kernel-install
finds the installed plugins where it looks, while the machine's files stay as they are. Needs
root (mount namespaces, overlayfs): missing, the test fails.

Environment (set by meson): ZBOOT_BUILD_ROOT, ZBOOT_PREFIX, ZBOOT_BINDIR (absolute),
ZBOOT_STUB_INSTALL_DIR, ZBOOT_KERNEL_INSTALL_DIR.
"""
import os
import shutil
import subprocess

# The .sbat vendor URL of our stubs, and same-length markers put into the DESTDIR copies so a
# UKI shows which stub files went into it (the build tree's stubs keep the original URL).
SBAT_URL = b'https://example.invalid/ukify-zboot'
MARKERS = {'zboot': b'https://example.invalid/INSTALLED-Z', 'linux': b'https://example.invalid/INSTALLED-U'}


class InstallError(Exception):
    pass


def env(name):
    v = os.environ.get(name)
    if not v:
        raise InstallError('$%s is not set (run through meson test)' % name)
    return v


class InstalledTree:
    def __init__(self, work, mark=True):
        if os.geteuid() != 0:
            raise InstallError('needs root: a private mount namespace with overlays shows the DESTDIR '
                               'install at its real paths')
        for tool in ('meson', 'unshare', 'mount'):
            if shutil.which(tool) is None:
                raise InstallError('%s missing' % tool)
        self.build_root = env('ZBOOT_BUILD_ROOT')
        self.prefix = env('ZBOOT_PREFIX')
        self.bindir = env('ZBOOT_BINDIR')
        self.stub_dir = env('ZBOOT_STUB_INSTALL_DIR')
        self.ki_dir = env('ZBOOT_KERNEL_INSTALL_DIR')
        self.destdir = os.path.join(work, 'destdir')
        shutil.rmtree(self.destdir, ignore_errors=True)
        p = subprocess.run(['meson', 'install', '-C', self.build_root, '--no-rebuild', '--quiet',
                            '--destdir', self.destdir], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if p.returncode != 0:
            raise InstallError('meson install --destdir failed: %s' % p.stdout.decode(errors='replace')[-800:])
        self.exe = os.path.join(self.bindir, 'ukify-zboot')     # as seen inside run()
        for path in (self.exe, os.path.join(self.ki_dir, '86-ukify-zboot.install'),
                     os.path.join(self.ki_dir, '91-ukify-zboot-type1.install')):
            if not os.access(self.dest(path), os.X_OK):
                raise InstallError('meson install did not install %s (executable)' % path)
        for d in (self.prefix, self.ki_dir):
            if not os.path.isdir(d):
                raise InstallError('%s does not exist on this machine: nothing to overlay' % d)
        if mark:
            self.mark_stubs()

    def dest(self, path):
        """The DESTDIR copy of an installed absolute path."""
        return self.destdir + path

    def stub(self, role, efi_arch='x64'):
        return os.path.join(self.stub_dir, '%s%s.efi.stub' % (role, efi_arch))

    def mark_stubs(self):
        # every zboot stub: the all-decoder zboot<arch>.efi.stub and the one-decoder
        # zboot<arch>-<c>.efi.stub that `ukify-zboot zboot` picks for the compression
        names = os.listdir(self.dest(self.stub_dir))
        for role, marker in MARKERS.items():
            for efi_arch in ('x64', 'aa64'):
                if os.path.basename(self.stub(role, efi_arch)) not in names:
                    raise InstallError('meson install did not install %s' % self.stub(role, efi_arch))
            for name in sorted(n for n in names if n.startswith(role) and n.endswith('.efi.stub')):
                path = self.dest(os.path.join(self.stub_dir, name))
                with open(path, 'rb') as f:
                    data = bytearray(f.read())
                at = data.find(SBAT_URL)
                if at < 0:
                    raise InstallError('%s: no %s in its .sbat' % (path, SBAT_URL.decode()))
                data[at:at + len(marker)] = marker
                with open(path, 'wb') as f:
                    f.write(data)

    def command(self, cmd):
        """cmd wrapped to run with the DESTDIR tree mounted at the real install paths."""
        script = r'''set -e
for d in "$ZB_PREFIX" "$ZB_KIDIR"; do
        mount -t overlay overlay -o "lowerdir=$ZB_DESTDIR$d:$d" "$d"
done
if [ -d /usr/lib/modules ]; then mount -t tmpfs tmpfs /usr/lib/modules; fi
exec "$@"
'''
        return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh'] + [str(c) for c in cmd]

    def run(self, cmd, env=None, timeout=900):
        e = dict(os.environ if env is None else env)
        e.update({'ZB_PREFIX': self.prefix, 'ZB_KIDIR': self.ki_dir, 'ZB_DESTDIR': self.destdir})
        p = subprocess.run(self.command(cmd), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=timeout)
        return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def stub_markers(data):
    """Which stubs a built file contains: {'zboot': bool, 'linux': bool, 'build-tree': bool}."""
    return {'zboot': MARKERS['zboot'] in data, 'linux': MARKERS['linux'] in data, 'build-tree': SBAT_URL in data}
