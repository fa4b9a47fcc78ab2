#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kernel-install with ukify-zboot's plugins (suite `install`, docs/install.md):

    install_test.py CASE [--log-dir DIR]

The project is installed with `meson install --destdir` and run at its real paths in a private
mount namespace (test/harness/installed_tree.py), so the installed binary, stubs and plugins
are what runs. $BOOT is a scratch directory; install.conf, cmdline, uki.conf and
ukify-zboot.conf come from a scratch KERNEL_INSTALL_CONF_ROOT. The kernel is Debian 12's 6.1
(test/cache), the initrd the busybox test initrd.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
import zboot_harness as H  # noqa: E402
from installed_tree import InstalledTree, InstallError, stub_markers  # noqa: E402

case = H.CaseTable()
ARCH = 'x86_64'
MACHINE_ID = '0123456789abcdef0123456789abcdef'
CACHE = os.environ.get('ZBOOT_TEST_CACHE', os.path.join(HERE, '..', 'cache'))
TRIXIE_KI = os.path.join(CACHE, 'trixie', 'kernel-install')


class Setup:
    """A scratch $BOOT and configuration root, the installed tree, the kernel and initrd."""

    def __init__(self, work, install_conf, files=None, arch=ARCH):
        self.work = work
        self.tree = InstalledTree(work)
        self.boot = os.path.join(work, 'boot')
        self.conf = os.path.join(work, 'conf')
        os.makedirs(self.boot)
        os.makedirs(self.conf)
        self.cmdline = H.default_cmdline(arch, 'kernel-install')
        conf = {'install.conf': install_conf + 'BOOT_ROOT=%s\nMACHINE_ID=%s\n' % (self.boot, MACHINE_ID),
                'cmdline': self.cmdline + '\n'}
        conf.update(files or {})
        for name, text in conf.items():
            with open(os.path.join(self.conf, name), 'w') as f:
                f.write(text)
        self.version = H.kernel_version(arch)
        self.kernel = H.asset(arch, 'vmlinuz')
        self.initrd = H.asset(arch, 'initrd.cpio.gz')

    def env(self, **extra):
        e = {k: v for k, v in os.environ.items() if not k.startswith(('KERNEL_INSTALL_', 'UKIFY_ZBOOT'))}
        e.update({'KERNEL_INSTALL_CONF_ROOT': self.conf})
        e.update(extra)
        return e

    def files(self):
        out = []
        for root, dirs, files in os.walk(self.boot):
            out += [os.path.relpath(os.path.join(root, f), self.boot) for f in files]
        return sorted(out)

    def inspect(self, path):
        rc, out, err = self.tree.run([self.tree.exe, 'inspect', '--json', path], env=self.env())
        if rc != 0:
            raise H.HarnessError('inspect %s failed: %s' % (path, err.strip()))
        return json.loads(out)


def run_ki(check, s, ki, args, env, what):
    rc, out, err = s.tree.run(ki + args, env=env)
    print('$ kernel-install %s  (exit %d)\n%s%s' % (' '.join(args), rc, out, err))
    check.eq(rc, 0, '%s: kernel-install %s exit status' % (what, args[0]))
    return rc == 0


def section_names(info):
    return [s.get('name') for s in info.get('sections', [])]


def check_uki(check, s, uki, what, cmdline):
    """The UKI: our stub with a zboot .linux of the installed stubs, the kernel's version,
    the command line kernel-install gave."""
    with open(uki, 'rb') as f:
        data = f.read()
    m = stub_markers(data)
    check.true(m['linux'], '%s: the UKI stub is the installed linuxx64.efi.stub (its .sbat marker)' % what)
    check.true(m['zboot'], '%s: .linux is a zboot image made with an installed zboot stub (zbootx64-<c>.efi.stub)' % what)
    check.true(not m['build-tree'], '%s: nothing from the build tree\'s stubs' % what)
    info = s.inspect(uki)
    names = section_names(info)
    for sec in ('.linux', '.initrd', '.cmdline', '.uname', '.osrel'):
        check.true(sec in names, '%s: UKI has %s (sections %s)' % (what, sec, names))
    linux = info.get('linux') or {}
    check.eq((linux.get('kind'), (linux.get('zboot') or {}).get('compression')), ('zboot image', 'zstd'),
             '%s: inspect: .linux kind and compression' % what)
    check.true(info.get('verdict', {}).get('ok') is True, '%s: inspect verdict ok' % what)
    check.true(s.version.encode() in data and cmdline.encode() in data,
               '%s: .uname %s and .cmdline %r in the UKI' % (what, s.version, cmdline))
    return info


@case
def ki252_uki_boot(log_dir):
    """Debian 12's kernel-install (systemd 252) with layout=uki and uki_generator=ukify-zboot:
    86-ukify-zboot.install, found in the installed plugin directory, makes
    $BOOT/EFI/Linux/MACHINE_ID-VERSION.efi from the Debian 6.1 kernel; Debian's sd-boot 252 boots
    it in QEMU to the initrd marker with kernel-install's command line; `remove` deletes it."""
    check = H.Check('install-ki252-uki-boot')
    work = tempfile.mkdtemp(prefix='ki252-uki-', dir=log_dir)
    try:
        s = Setup(work, 'layout=uki\nuki_generator=ukify-zboot\n',
                  {'ukify-zboot.conf': '[ZBoot]\nCompress=zstd\nLevel=3\n'})
        ki = [H.need_file('/usr/bin/kernel-install', "Debian 12's kernel-install")]
        if not run_ki(check, s, ki, ['-v', 'add', s.version, s.kernel, s.initrd], s.env(), '252 uki'):
            return check.done()
        name = 'EFI/Linux/%s-%s.efi' % (MACHINE_ID, s.version)
        check.eq(s.files(), [name], '252 uki: files in $BOOT after add')
        uki = os.path.join(s.boot, name)
        if not os.path.exists(uki):
            return check.done()
        cmdline = s.cmdline + ' systemd.machine_id=' + MACHINE_ID
        check_uki(check, s, uki, '252 uki', cmdline)
        files = {'EFI/BOOT/BOOTX64.EFI': H.debian_sdboot(ARCH), 'loader/loader.conf': H.loader_conf(),
                 name: uki}
        result = H.boot(ARCH, files, log_path=os.path.join(log_dir, 'install-ki252-uki-boot.log'),
                        workdir=log_dir)
        H.check_boot(check, result, cmdline=cmdline)
        if run_ki(check, s, ki, ['-v', 'remove', s.version], s.env(), '252 uki'):
            check.eq(s.files(), [], '252 uki: files in $BOOT after remove')
        return check.done(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def ki252_type1(log_dir):
    """Debian 12's kernel-install with layout=bls and Type1=yes: 90-loaderentry.install writes
    the entry and copies the kernel, 91-ukify-zboot-type1.install makes that copy a zboot image
    (the entry unchanged); `remove` leaves nothing."""
    check = H.Check('install-ki252-type1')
    work = tempfile.mkdtemp(prefix='ki252-type1-', dir=log_dir)
    try:
        # an inline comment after a value, as ukify-zboot --config reads it too
        s = Setup(work, 'layout=bls\n', {'ukify-zboot.conf': '[ZBoot]\nType1=yes\nCompress=gzip   # small\nLevel=1\n'})
        ki = [H.need_file('/usr/bin/kernel-install', "Debian 12's kernel-install")]
        if not run_ki(check, s, ki, ['-v', 'add', s.version, s.kernel, s.initrd], s.env(), '252 type1'):
            return check.done()
        d = '%s/%s' % (MACHINE_ID, s.version)
        entry = 'loader/entries/%s-%s.conf' % (MACHINE_ID, s.version)
        check.eq(s.files(), sorted([d + '/linux', d + '/initrd.cpio.gz', entry]), '252 type1: files after add')
        linux = os.path.join(s.boot, d, 'linux')
        if os.path.exists(linux):
            with open(linux, 'rb') as f:
                m = stub_markers(f.read())
            check.true(m['zboot'] and not m['build-tree'], '252 type1: linux is a zboot image of the installed stub')
            info = s.inspect(linux)
            check.eq((info.get('kind'), (info.get('zboot') or {}).get('compression')), ('zboot image', 'gzip'),
                     '252 type1: inspect: kind and compression of the entry\'s kernel')
        with open(os.path.join(s.boot, entry)) as f:
            e = f.read()
        check.true('linux      /%s/linux' % d in e or 'linux /%s/linux' % d in e or
                   ('/%s/linux' % d) in e, '252 type1: the entry points at the zboot kernel: %r' % e)
        if run_ki(check, s, ki, ['remove', s.version], s.env(), '252 type1'):
            check.eq(s.files(), [], '252 type1: files in $BOOT after remove')
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def ki252_zboot_input(log_dir):
    """A KERNEL-IMAGE that is a zboot image already (docs/install.md's `kernel-install add VERSION
    /boot/vmlinuz-VERSION.efi`, or an arm64 kernel built with CONFIG_EFI_ZBOOT), with Debian 12's
    kernel-install: layout=uki makes the UKI with that image as .linux, byte for byte (`zboot`
    refuses a zboot image); layout=bls with Type1=yes leaves the entry's copy as it is, but with
    Secure Boot keys configured refuses it unless it is signed already. An initrd
    path with white space fails only where our plugin would use it: with layout=other (neither
    of ours) kernel-install succeeds."""
    check = H.Check('install-ki252-zboot-input')
    work = tempfile.mkdtemp(prefix='ki252-zinput-', dir=log_dir)
    try:
        ki = [H.need_file('/usr/bin/kernel-install', "Debian 12's kernel-install")]
        for layout, conf in (('uki', 'layout=uki\nuki_generator=ukify-zboot\n'), ('bls', 'layout=bls\n')):
            sub = os.path.join(work, layout)
            os.makedirs(sub)
            s = Setup(sub, conf, {'ukify-zboot.conf': '[ZBoot]\nType1=yes\nCompress=xz\n'})
            zimg = os.path.join(sub, 'vmlinuz-%s.efi' % s.version)
            rc, _, err = s.tree.run([s.tree.exe, 'zboot', s.kernel, '-c', 'gzip', '-l', '1', '-o', zimg], env=s.env())
            if not check.eq(rc, 0, 'installed ukify-zboot zboot (%s)' % err.strip()):
                return check.done()
            with open(zimg, 'rb') as f:
                zdata = f.read()
            if not run_ki(check, s, ki, ['-v', 'add', s.version, zimg, s.initrd], s.env(), layout + ', zboot input'):
                continue
            if layout == 'uki':
                uki = os.path.join(s.boot, 'EFI/Linux/%s-%s.efi' % (MACHINE_ID, s.version))
                info = s.inspect(uki) if os.path.exists(uki) else {}
                check.eq(((info.get('linux') or {}).get('zboot') or {}).get('compression'), 'gzip',
                         "uki: .linux is the given zboot image (gzip, not the plugin's Compress=xz)")
                with open(uki, 'rb') as f:
                    check.true(zdata in f.read(), 'uki: the zboot image is the UKI\'s .linux byte for byte')
            else:
                linux = os.path.join(s.boot, MACHINE_ID, s.version, 'linux')
                with open(linux, 'rb') as f:
                    check.true(f.read() == zdata, 'bls: the entry\'s kernel is the given zboot image, unchanged')
        # layout=bls with Secure Boot keys: an unsigned zboot kernel is refused (the entry would
        # not boot), a signed one is taken as it is
        os.makedirs(os.path.join(work, 'keys'))
        s = Setup(os.path.join(work, 'keys'), 'layout=bls\n')
        key = os.path.join(s.work, 'db.key')
        subprocess.run(['openssl', 'rsa', '-passin', 'pass:snakeoil', '-in',
                        H.need_file('/usr/share/ovmf/PkKek-1-snakeoil.key', 'snakeoil key'), '-out', key], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cert = H.need_file('/usr/share/ovmf/PkKek-1-snakeoil.pem', 'snakeoil certificate')
        with open(os.path.join(s.conf, 'ukify-zboot.conf'), 'w') as f:
            f.write('[ZBoot]\nType1=yes\n[UKI]\nSecureBootPrivateKey=%s\nSecureBootCertificate=%s\n' % (key, cert))
        for signed in (False, True):
            zimg = os.path.join(s.work, 'vmlinuz-%d.efi' % signed)
            sb = ['--secureboot-private-key', key, '--secureboot-certificate', cert] if signed else []
            rc, _, err = s.tree.run([s.tree.exe, 'zboot', s.kernel, '-c', 'gzip', '-l', '1', *sb, '-o', zimg],
                                    env=s.env())
            if not check.eq(rc, 0, 'installed ukify-zboot zboot (%s)' % err.strip()):
                return check.done()
            rc, out, err = s.tree.run(ki + ['-v', 'add', s.version, zimg, s.initrd], env=s.env())
            if signed:
                check.eq(rc, 0, 'bls with keys, a signed zboot kernel: kernel-install add (%s)' % err.strip()[-300:])
            else:
                check.true(rc != 0 and 'unsigned zboot image' in err,
                           'bls with keys, an unsigned zboot kernel refused: exit %d, %s' % (rc, err.strip()[-300:]))
        # white space in an initrd path: not our layout, not our business
        os.makedirs(os.path.join(work, 'other'))
        s = Setup(os.path.join(work, 'other'), 'layout=other\nuki_generator=ukify-zboot\n')
        spaced = os.path.join(s.work, 'my initrd.img')
        shutil.copyfile(s.initrd, spaced)
        run_ki(check, s, ki, ['-v', 'add', s.version, s.kernel, spaced], s.env(), 'layout=other, initrd with a space')
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def ki252_arm64_postinst(log_dir):
    """What Debian 12's kernel package does once systemd-boot is installed (its
    /etc/kernel/postinst.d/zz-systemd-boot): `kernel-install add VERSION /boot/vmlinuz-VERSION`, no
    initrd argument, so 85-initrd.install stages /boot/initrd.img-VERSION (a tmpfs /boot in the
    namespace holds the arm64 kernel and the test initrd). The arm64 UKI gets the staged initrd
    and the aa64 stubs."""
    check = H.Check('install-ki252-arm64-postinst')
    work = tempfile.mkdtemp(prefix='ki252-arm64-', dir=log_dir)
    try:
        s = Setup(work, 'layout=uki\nuki_generator=ukify-zboot\n',
                  {'ukify-zboot.conf': '[ZBoot]\nCompress=zstd\nLevel=3\n'}, arch='aarch64')
        ki = H.need_file('/usr/bin/kernel-install', "Debian 12's kernel-install")
        script = ('set -e; mount -t tmpfs tmpfs /boot; cp "$1" /boot/vmlinuz-$3; cp "$2" /boot/initrd.img-$3; '
                  'exec "$4" -v add "$3" /boot/vmlinuz-$3')
        rc, out, err = s.tree.run(['sh', '-c', script, 'sh', s.kernel, s.initrd, s.version, ki], env=s.env())
        print(out + err)
        if not check.eq(rc, 0, 'kernel-install add VERSION /boot/vmlinuz-VERSION'):
            return check.done()
        check.true('Installing \'/boot/initrd.img-%s\'' % s.version in out, '85-initrd.install staged the initrd')
        name = 'EFI/Linux/%s-%s.efi' % (MACHINE_ID, s.version)
        check.eq(s.files(), [name], 'arm64: files in $BOOT after add')
        uki = os.path.join(s.boot, name)
        if os.path.exists(uki):
            info = check_uki(check, s, uki, 'arm64', s.cmdline + ' systemd.machine_id=' + MACHINE_ID)
            check.eq(info.get('machine'), 0xaa64, 'arm64: the UKI is an aa64 PE')
            with open(uki, 'rb') as f, open(s.initrd, 'rb') as g:
                check.true(g.read() in f.read(), 'arm64: the staged initrd is the UKI\'s .initrd')
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def trixie_kernel_install():
    """Debian 13's kernel-install (systemd 257), run with trixie's dynamic loader and libraries
    (libsystemd-shared-257.so; libc 2.41; libcrypto with OPENSSL_3.4.0), then the machine's."""
    root = TRIXIE_KI
    ld = os.path.join(root, 'usr', 'lib', 'x86_64-linux-gnu', 'ld-linux-x86-64.so.2')
    exe = os.path.join(root, 'usr', 'bin', 'kernel-install')
    for p in (ld, exe):
        H.need_file(p, "Debian 13's kernel-install (tools/fetch-test-assets)")
    libs = [os.path.join(root, 'usr', 'lib', 'x86_64-linux-gnu', 'systemd'),
            os.path.join(root, 'usr', 'lib', 'x86_64-linux-gnu'), '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu']
    return [ld, '--library-path', ':'.join(libs), exe]


def trixie_plugins(tree, ours=True, ukify=False):
    d = os.path.join(TRIXIE_KI, 'usr', 'lib', 'kernel', 'install.d')
    plugins = []   # in kernel-install's (sorted) order
    if ukify:
        plugins.append(H.need_file(os.path.join(CACHE, 'trixie', 'ukify', 'usr', 'lib', 'kernel', 'install.d',
                                                '60-ukify.install'), "Debian 13's 60-ukify.install"))
    if ours:
        plugins.append(os.path.join(tree.ki_dir, '86-ukify-zboot.install'))
    plugins += [H.need_file(os.path.join(d, p), "Debian 13's " + p)
                for p in ('90-loaderentry.install', '90-uki-copy.install')]
    if ours:
        plugins.append(os.path.join(tree.ki_dir, '91-ukify-zboot-type1.install'))
    return ' '.join(plugins)


@case
def ki257_uki_generator(log_dir):
    """Debian 13's kernel-install (systemd 257, C) with layout=uki and uki_generator=ukify-zboot:
    our plugin puts uki.efi in the staging area, 257's 90-uki-copy.install installs it, signed
    with the key and certificate of ukify-zboot.conf (sbverify); `remove` deletes it."""
    check = H.Check('install-ki257-uki-generator')
    work = tempfile.mkdtemp(prefix='ki257-gen-', dir=log_dir)
    try:
        key = os.path.join(work, 'db.key')
        cert = H.need_file('/usr/share/ovmf/PkKek-1-snakeoil.pem', 'snakeoil certificate (ovmf)')
        subprocess.run(['openssl', 'rsa', '-passin', 'pass:snakeoil', '-in',
                        H.need_file('/usr/share/ovmf/PkKek-1-snakeoil.key', 'snakeoil key (ovmf)'), '-out', key],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        s = Setup(work, 'layout=uki\nuki_generator=ukify-zboot\n',
                  {'ukify-zboot.conf': '[ZBoot]\nCompress=zstd\nLevel=3\n[UKI]\nSecureBootPrivateKey=%s\n'
                                       'SecureBootCertificate=%s\n' % (key, cert)})
        ki = trixie_kernel_install()
        env = s.env(KERNEL_INSTALL_PLUGINS=trixie_plugins(s.tree))
        rc, out, _ = s.tree.run(ki + ['--version'], env=env)
        check.true(rc == 0 and out.startswith('systemd 257'), 'trixie kernel-install runs: %r' % out[:80])
        if not run_ki(check, s, ki, ['-v', 'add', s.version, s.kernel, s.initrd], env, '257 ukify-zboot'):
            return check.done()
        name = 'EFI/Linux/%s-%s.efi' % (MACHINE_ID, s.version)
        check.eq(s.files(), [name], '257 ukify-zboot: files in $BOOT after add')
        uki = os.path.join(s.boot, name)
        if os.path.exists(uki):
            check_uki(check, s, uki, '257 ukify-zboot', s.cmdline + ' systemd.machine_id=' + MACHINE_ID)
            p = subprocess.run([H.need_file('/usr/bin/sbverify', 'sbverify (sbsigntool)'), '--cert', cert, uki],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            check.eq(p.returncode, 0, '257 ukify-zboot: sbverify --cert snakeoil of the UKI (%s)'
                     % p.stdout.decode(errors='replace').strip())
        if run_ki(check, s, ki, ['-v', 'remove', s.version], env, '257 ukify-zboot'):
            check.eq(s.files(), [], '257 ukify-zboot: files in $BOOT after remove')
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)


@case
def ki257_ukify_stub(log_dir):
    """Debian 13's kernel-install with systemd's own 60-ukify.install (ukify 257) and uki.conf
    `Stub=` our installed UKI stub, given a zboot image made by the installed ukify-zboot as
    KERNEL-IMAGE (`Linux=` in uki.conf is not applied: docs/install.md): the UKI has our stub and
    our zboot .linux; `remove` deletes it."""
    check = H.Check('install-ki257-ukify-stub')
    work = tempfile.mkdtemp(prefix='ki257-ukify-', dir=log_dir)
    try:
        s = Setup(work, 'layout=uki\nuki_generator=ukify\n')
        with open(os.path.join(s.conf, 'uki.conf'), 'w') as f:
            f.write('[UKI]\nStub=%s\n' % s.tree.stub('linux'))
        ki = trixie_kernel_install()
        ukify = H.ukify_command()
        env = s.env(KERNEL_INSTALL_PLUGINS=trixie_plugins(s.tree, ours=False, ukify=True),
                    KERNEL_INSTALL_UKIFY=ukify[1], PATH='/usr/bin:/bin:/usr/sbin:/sbin')
        zimg = os.path.join(work, 'vmlinuz-%s.efi' % s.version)
        rc, _, err = s.tree.run([s.tree.exe, 'zboot', s.kernel, '-l', '3', '-o', zimg], env=s.env())
        if not check.eq(rc, 0, 'installed ukify-zboot zboot (%s)' % err.strip()):
            return check.done()
        if not run_ki(check, s, ki, ['-v', 'add', s.version, zimg, s.initrd], env, '257 ukify'):
            return check.done()
        name = 'EFI/Linux/%s-%s.efi' % (MACHINE_ID, s.version)
        check.eq(s.files(), [name], '257 ukify: files in $BOOT after add')
        uki = os.path.join(s.boot, name)
        if os.path.exists(uki):
            check_uki(check, s, uki, '257 ukify', s.cmdline + ' systemd.machine_id=' + MACHINE_ID)
        if run_ki(check, s, ki, ['-v', 'remove', s.version], env, '257 ukify'):
            check.eq(s.files(), [], '257 ukify: files in $BOOT after remove')
        return check.done()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    try:
        sys.exit(case.main(__doc__))
    except InstallError as e:
        print('FAIL: %s' % e)
        sys.exit(1)
