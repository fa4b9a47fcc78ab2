# SPDX-License-Identifier: LGPL-2.1-or-later
"""QEMU boot harness: ESP images made with mtools, OVMF/AAVMF runs with a hard timeout, and
the observables printed by the busybox initrd (tools/fetch-test-assets) parsed into a dict.

Used by the boot tests (test/boot/), the benchmarks (bench/) and the demo (tools/demo).
Python 3 standard library only.
"""

import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
CACHE = os.environ.get('ZBOOT_TEST_CACHE', os.path.join(TOP, 'test', 'cache'))

# Debian packaging paths (ovmf, qemu-efi-aarch64, systemd-boot-efi).
FIRMWARE = {
    'x86_64': {
        'default': ('/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd'),
        'secureboot': ('/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd', '/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd'),
    },
    'aarch64': {
        'default': ('/usr/share/AAVMF/AAVMF_CODE.fd', '/usr/share/AAVMF/AAVMF_VARS.fd'),
    },
}
# Debian 13's edk2 (2025.02), downloaded into the test cache (tools/fetch-test-assets). The
# `strictnx` builds provide EFI_MEMORY_ATTRIBUTE_PROTOCOL and map loaded images W^X; they are
# Secure Boot builds without keys enrolled (Secure Boot stays off with the plain VARS).
# On arm64 only the Secure Boot builds (secboot, strictnx) have the TCG2 driver: the plain
# AAVMF_CODE.fd (no-secboot) shows no TPM (test/trust/tpm_arm64_test.py).
_T13 = os.path.join(CACHE, 'trixie', 'firmware', 'usr', 'share')
FIRMWARE['x86_64'].update({
    'trixie': (os.path.join(_T13, 'OVMF', 'OVMF_CODE_4M.fd'), os.path.join(_T13, 'OVMF', 'OVMF_VARS_4M.fd')),
    'trixie-strictnx': (os.path.join(_T13, 'OVMF', 'OVMF_CODE_4M.secboot.strictnx.fd'),
                        os.path.join(_T13, 'OVMF', 'OVMF_VARS_4M.fd')),
    'trixie-secureboot': (os.path.join(_T13, 'OVMF', 'OVMF_CODE_4M.snakeoil.fd'),
                          os.path.join(_T13, 'OVMF', 'OVMF_VARS_4M.snakeoil.fd')),
})
FIRMWARE['aarch64'].update({
    'trixie': (os.path.join(_T13, 'AAVMF', 'AAVMF_CODE.fd'), os.path.join(_T13, 'AAVMF', 'AAVMF_VARS.fd')),
    'trixie-strictnx': (os.path.join(_T13, 'AAVMF', 'AAVMF_CODE.secboot.strictnx.fd'),
                        os.path.join(_T13, 'AAVMF', 'AAVMF_VARS.fd')),
    'trixie-secureboot': (os.path.join(_T13, 'AAVMF', 'AAVMF_CODE.snakeoil.fd'),
                          os.path.join(_T13, 'AAVMF', 'AAVMF_VARS.snakeoil.fd')),
})
# x86 firmware builds with Secure Boot support need SMM (q35,smm=on + secure pflash).
SMM_FIRMWARE = {'secureboot', 'trixie-strictnx', 'trixie-secureboot'}
# The suites whose kernels and systemd the tests boot: Debian 12 (the machine's own), Debian 13,
# and the development suite.
SUITES = {'bookworm': None, 'trixie': 'trixie', 'sid': 'sid'}
SERIAL_CONSOLE = {'x86_64': 'console=ttyS0', 'aarch64': 'console=ttyAMA0'}
DEBIAN_ARCH = {'x86_64': 'amd64', 'aarch64': 'arm64'}
EFI_SUFFIX = {'x86_64': 'x64', 'aarch64': 'aa64'}
BEGIN, END = 'ZBOOT-TEST-BEGIN', 'ZBOOT-TEST-END'
INITRD_MARKER = 'zboot-initrd-ok'


class HarnessError(Exception):
    """A prerequisite is missing or a tool failed: the test fails (never skips)."""


def need_file(path, what=None):
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        raise HarnessError('%s missing: %s (run tools/fetch-test-assets / tools/setup)' % (what or 'file', path))
    return path


def asset(arch, name, suite='bookworm'):
    """A file from the test cache, e.g. asset('aarch64', 'vmlinuz') (Debian 12's kernel) or
    asset('x86_64', 'vmlinuz', 'sid'). The busybox initrds are the same for every suite."""
    sub = SUITES[suite]
    parts = [CACHE] + ([sub] if sub else []) + [DEBIAN_ARCH[arch], name]
    return need_file(os.path.join(*parts), 'test asset')


def kernel_version(arch, suite='bookworm'):
    with open(asset(arch, 'version', suite)) as f:
        return f.read().strip()


def kernel_module(arch, relpath, suite='bookworm'):
    """A module (e.g. 'fs/efivarfs/efivarfs.ko') from the kernel package the test kernel of
    `suite` comes from (test/cache/debs[/SUITE], tools/fetch-test-assets), decompressed if the
    package ships it as .ko.xz (Debian 13 on): busybox insmod wants the plain ELF."""
    import glob
    version = kernel_version(arch, suite)
    d = os.path.join(CACHE, 'debs', *([SUITES[suite]] if SUITES[suite] else []))
    debs = glob.glob(os.path.join(d, 'linux-image-%s*_%s.deb' % (version, DEBIAN_ARCH[arch])))
    if not debs:
        raise HarnessError('no linux-image-%s deb in %s (run tools/fetch-test-assets)' % (version, d))
    tar = run(['dpkg-deb', '--fsys-tarfile', debs[0]]).stdout
    listing = subprocess.run(['tar', '-t'], input=tar, check=True, stdout=subprocess.PIPE).stdout.decode().split('\n')
    for name in listing:
        for suffix, unpack in (('', None), ('.xz', ['xz', '-dc'])):
            if name.endswith('/modules/%s/kernel/%s%s' % (version, relpath, suffix)):
                data = subprocess.run(['tar', '-xO', name], input=tar, check=True, stdout=subprocess.PIPE).stdout
                if unpack:
                    data = subprocess.run(unpack, input=data, check=True, stdout=subprocess.PIPE).stdout
                return data
    raise HarnessError('%s not found in %s' % (relpath, debs[0]))


def debian_sdboot(arch, suite='bookworm'):
    """Debian's systemd-boot: 252 (bookworm), 257 (trixie) or the development suite's."""
    if suite != 'bookworm':
        return need_file(os.path.join(CACHE, suite, 'systemd-boot', 'systemd-boot%s.efi' % EFI_SUFFIX[arch]),
                         "Debian's systemd-boot (%s)" % suite)
    if arch == 'x86_64':
        return need_file('/usr/lib/systemd/boot/efi/systemd-bootx64.efi', "Debian's systemd-boot")
    return asset(arch, 'systemd-bootaa64.efi')


def debian_sdstub(arch, suite='bookworm'):
    """Debian's sd-stub: 252 (bookworm), 257 (trixie) or the development suite's (own PE loader)."""
    if suite != 'bookworm':
        return need_file(os.path.join(CACHE, suite, 'systemd-boot', 'linux%s.efi.stub' % EFI_SUFFIX[arch]),
                         "Debian's sd-stub (%s)" % suite)
    if arch == 'x86_64':
        return need_file('/usr/lib/systemd/boot/efi/linuxx64.efi.stub', "Debian's sd-stub")
    return asset(arch, 'linuxaa64.efi.stub')


def ukify_command(suite='trixie'):
    """Debian's ukify (downloaded, never installed), run with the machine's python3 and
    bookworm's python3-pefile / python3-zstandard (tools/setup). Debian's own interpreter, not
    whichever python3 comes first in PATH: the modules are Debian packages."""
    if not os.access('/usr/bin/python3', os.X_OK):
        raise HarnessError('/usr/bin/python3 missing (run tools/setup)')
    return ['/usr/bin/python3', need_file(os.path.join(CACHE, suite, 'ukify', 'usr', 'lib', 'systemd', 'ukify'),
                                 "Debian's ukify (%s)" % suite)]


def default_cmdline(arch, extra=''):
    base = '%s panic=-1 zboot.test=1' % SERIAL_CONSOLE[arch]
    if arch == 'x86_64':
        # The IO-APIC timer check counts timer ticks over a busy-wait; a software-emulated CPU
        # on a loaded 2-core host can miss them and the kernel panics ("IO-APIC + timer
        # doesn't work"). Cloud images pass the same option for the same reason.
        base += ' no_timer_check'
    return (base + ' ' + extra).strip()


# ---- ESP images ---------------------------------------------------------------------------

def loader_conf(default='*', timeout=0):
    return ('timeout %d\ndefault %s\nconsole-mode keep\n' % (timeout, default)).encode()


def type1_entry(title, linux=None, initrd=(), options=None, efi=None, version=None):
    """A Boot Loader Specification Type #1 entry (loader/entries/*.conf)."""
    lines = ['title %s' % title]
    if version:
        lines.append('version %s' % version)
    if linux:
        lines.append('linux %s' % linux)
    for i in initrd:
        lines.append('initrd %s' % i)
    if efi:
        lines.append('efi %s' % efi)
    if options is not None:
        lines.append('options %s' % options)
    return ('\n'.join(lines) + '\n').encode()


def make_esp(image, files):
    """Write a FAT ESP image at `image` holding `files`: {path-in-ESP: local path or bytes}."""
    payload = 0
    for src in files.values():
        payload += len(src) if isinstance(src, (bytes, bytearray)) else os.path.getsize(src)
    size_mb = max(64, (payload * 5 // 4) // (1 << 20) + 16)
    with open(image, 'wb') as f:
        f.truncate(size_mb << 20)
    run(['mformat', '-i', image, '-F', '-v', 'ESP', '::'])
    made = set()
    with tempfile.TemporaryDirectory() as tmp:
        for n, (dest, src) in enumerate(sorted(files.items())):
            parts = dest.strip('/').split('/')
            for i in range(1, len(parts)):
                d = '/'.join(parts[:i])
                if d not in made:
                    run(['mmd', '-i', image, '::/' + d])
                    made.add(d)
            if isinstance(src, (bytes, bytearray)):
                path = os.path.join(tmp, 'f%d' % n)
                with open(path, 'wb') as f:
                    f.write(src)
                src = path
            else:
                need_file(src)
            run(['mcopy', '-i', image, src, '::/' + '/'.join(parts)])
    return image


def run(cmd, **kw):
    try:
        return subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, **kw)
    except FileNotFoundError:
        raise HarnessError('command not found: %s (run tools/setup)' % cmd[0])
    except subprocess.CalledProcessError as e:
        raise HarnessError('%s failed (%d): %s' % (' '.join(cmd), e.returncode,
                                                     e.stderr.decode(errors='replace').strip()))


# ---- stock-path UKI (reference only) ------------------------------------------------------

def pe_section_end(path):
    """End RVA of the last section and SectionAlignment of a PE32+ file."""
    with open(path, 'rb') as f:
        data = f.read(4096)
    pe = struct.unpack_from('<I', data, 0x3c)[0]
    nsec = struct.unpack_from('<H', data, pe + 6)[0]
    opt_size = struct.unpack_from('<H', data, pe + 20)[0]
    opt = pe + 24
    align = struct.unpack_from('<I', data, opt + 32)[0]
    end = 0
    for i in range(nsec):
        s = opt + opt_size + 40 * i
        vsize, va = struct.unpack_from('<II', data, s + 8)
        end = max(end, va + vsize)
    return end, align


def objcopy_uki(stub, out, sections):
    """The stock-path reference UKI: Debian's sd-stub plus sections added with binutils objcopy
    (x86_64 only; binutils on this host cannot write pei-aarch64). `sections` is a list of
    (name, local path or bytes). Our own UKIs are made by `ukify-zboot build`."""
    end, align = pe_section_end(stub)
    align = max(align, 4096)
    vma = (end + align - 1) // align * align
    cmd = ['objcopy']
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, src) in enumerate(sections):
            if isinstance(src, (bytes, bytearray)):
                path = os.path.join(tmp, 's%d' % n)
                with open(path, 'wb') as f:
                    f.write(src)
                src = path
            cmd += ['--add-section', '%s=%s' % (name, src),
                    '--change-section-vma', '%s=0x%x' % (name, vma),
                    '--set-section-flags', '%s=data,readonly' % name]
            vma += (os.path.getsize(src) + align - 1) // align * align
        run(cmd + [stub, out])
    return out


def append_sections(stub, out, sections):
    """A UKI from one of OUR stubs, both arches: append `sections` [(name, path or bytes)]
    after the stub's last section at SectionAlignment, raw data FileAlignment-padded, in the
    header room our stubs reserve. For tests that must not depend on `ukify-zboot build`."""
    d = bytearray(open(need_file(stub), 'rb').read())
    pe = struct.unpack_from('<I', d, 0x3c)[0]
    nsec, = struct.unpack_from('<H', d, pe + 6)
    opt_size, = struct.unpack_from('<H', d, pe + 20)
    opt = pe + 24
    salign, falign = struct.unpack_from('<II', d, opt + 32)
    size_of_headers, = struct.unpack_from('<I', d, opt + 60)
    table = opt + opt_size
    if table + 40 * (nsec + len(sections)) > size_of_headers:
        raise HarnessError('%s: no header room for %d more sections' % (stub, len(sections)))
    end = 0
    for i in range(nsec):
        vsize, va = struct.unpack_from('<II', d, table + 40 * i + 8)
        end = max(end, va + vsize)
    va = (end + salign - 1) // salign * salign
    init_data = 0
    for name, src in sections:
        data = src if isinstance(src, (bytes, bytearray)) else open(need_file(src), 'rb').read()
        d += bytes(-len(d) % falign)
        off = len(d)
        d += data
        d += bytes(-len(d) % falign)
        raw = (len(data) + falign - 1) // falign * falign
        struct.pack_into('<8sIIIIIIHHI', d, table + 40 * nsec, name.encode(), len(data), va, raw, off,
                         0, 0, 0, 0, 0x40000040)  # initialized data, read-only
        nsec += 1
        init_data += raw
        va = (va + len(data) + salign - 1) // salign * salign
    struct.pack_into('<H', d, pe + 6, nsec)
    struct.pack_into('<I', d, opt + 8, struct.unpack_from('<I', d, opt + 8)[0] + init_data)
    struct.pack_into('<I', d, opt + 56, va)       # SizeOfImage
    struct.pack_into('<I', d, opt + 64, 0)        # CheckSum: not computed here
    with open(out, 'wb') as f:
        f.write(d)
    return out


# ---- newc archives as systemd-stub 257 writes them (an independent writer) ----------------

def newc(entries):
    """entries: [(name, mode incl. type, data)]; inodes from 1, uid/gid/mtime 0, nlink 1,
    header+name and data each padded to 4; the trailer as sd-stub spells it ("0000000B")."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(entries, 1):
        n = name.encode() + b'\0'
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(n), 0]
        out += b'070701' + b''.join(b'%08x' % v for v in fields) + n
        out += b'\0' * (-len(out) % 4)
        out += data + b'\0' * (-len(data) % 4)
    out += (b'070701' + b'00000000' * 4 + b'00000001' + b'00000000' * 6 + b'0000000B' + b'00000000' +
            b'TRAILER!!!\0\0\0\0')
    return bytes(out)


def newc_dirs(path, mode):
    """The directory entries of path (parents 0555, path itself with mode)."""
    parts = path.split('/')
    return [('/'.join(parts[:i]), 0o40000 | 0o555, b'') for i in range(1, len(parts))] + \
        [(path, 0o40000 | mode, b'')]


def extra_file_cpio(name, data):
    """A UKI section passed as /.extra/NAME (0444), as sd-stub 257 packs .osrel, .pcrsig, ..."""
    return newc(newc_dirs('.extra', 0o555) + [('.extra/' + name, 0o100000 | 0o444, data)])


def pad4(b):
    return b + b'\0' * (-len(b) % 4)


# ---- QEMU -----------------------------------------------------------------------------------

class BootResult:
    def __init__(self, log, elapsed, timed_out, returncode):
        self.log = log
        self.elapsed = elapsed
        self.timed_out = timed_out
        self.returncode = returncode
        self.observables = parse_observables(log)

    @property
    def reached_marker(self):
        return self.observables is not None

    def __getitem__(self, key):
        return (self.observables or {}).get(key)

    def tail(self, n):
        """The last n lines of the serial log."""
        return '\n'.join(self.log.replace('\r', '').rstrip('\n').split('\n')[-n:])

    def summary(self):
        if self.timed_out:
            state = 'TIMEOUT'
        elif self.reached_marker:
            state = 'marker reached'
        else:
            state = 'no marker'
        return '%s after %.1f s' % (state, self.elapsed)


def parse_observables(log):
    """The KEY=VALUE lines between the markers, or None if the end marker never came. A marker
    may share its line with a kernel message printed in the middle of /init's output
    ("ZBOOT-TEST-BEGIN[    2.378126] tsc: Refined TSC ..." when the kernel logs to the console)."""
    lines = log.replace('\r', '').split('\n')
    try:
        b = next(i for i, l in enumerate(lines) if BEGIN in l)
        e = next(i for i in range(b + 1, len(lines)) if END in lines[i])
    except StopIteration:
        return None
    obs = {}
    for line in lines[b + 1:e]:
        m = re.match(r'^([A-Z_][A-Z0-9_]*)=(.*)$', line.strip())
        if m:
            obs[m.group(1)] = m.group(2).strip()
    return obs


def qemu_command(arch, esp, vars_copy, firmware='default', cpu=None, memory=1024, extra=()):
    code, _ = FIRMWARE[arch][firmware]
    need_file(code, 'firmware')
    if arch == 'x86_64':
        machine = 'q35,smm=on' if firmware in SMM_FIRMWARE else 'q35'
        cmd = ['qemu-system-x86_64', '-machine', machine, '-cpu', cpu or 'max']
        if firmware in SMM_FIRMWARE:
            cmd += ['-global', 'driver=cfi.pflash01,property=secure,value=on']
    else:
        cmd = ['qemu-system-aarch64', '-M', 'virt', '-cpu', cpu or 'max,pauth-impdef=on']
    cmd += ['-m', str(memory), '-smp', '1', '-nographic', '-no-reboot', '-net', 'none',
            '-drive', 'if=pflash,format=raw,readonly=on,file=%s' % code,
            '-drive', 'if=pflash,format=raw,file=%s' % vars_copy,
            '-drive', 'file=%s,format=raw,if=virtio' % esp,
            # EFI_RNG_PROTOCOL: OVMF/AAVMF only offer it with a virtio-rng device.
            '-device', 'virtio-rng-pci']
    return cmd + list(extra)


def start_swtpm(tmp, arch):
    """A TPM 2.0 emulator (swtpm) with its state in tmp; returns (process, QEMU arguments)."""
    if shutil.which('swtpm') is None:
        raise HarnessError('swtpm not installed (run tools/setup)')
    state, sock = os.path.join(tmp, 'tpm'), os.path.join(tmp, 'swtpm.sock')
    os.makedirs(state)
    proc = subprocess.Popen(['swtpm', 'socket', '--tpm2', '--tpmstate', 'dir=%s' % state,
                             '--ctrl', 'type=unixio,path=%s' % sock],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(sock) or proc.poll() is not None:
            break
        time.sleep(0.05)
    if not os.path.exists(sock):
        proc.kill()
        proc.wait()
        raise HarnessError('swtpm did not start')
    device = 'tpm-tis' if arch == 'x86_64' else 'tpm-tis-device'
    return proc, ['-chardev', 'socket,id=chrtpm,path=%s' % sock, '-tpmdev', 'emulator,id=tpm0,chardev=chrtpm',
                  '-device', '%s,tpmdev=tpm0' % device]


def parse_pcrs(result):
    """{N: lower-case hex} from the initrd's PCRN= lines (the kernel's sha256 bank)."""
    return {int(k[3:]): v.lower() for k, v in (result.observables or {}).items() if k.startswith('PCR') and v}


def boot(arch, files, timeout=240, log_path=None, firmware='default', cpu=None, extra=(), workdir=None, tpm=False,
         vars_path=None):
    """Build an ESP from `files`, boot it, return a BootResult. Never raises on a failed boot
    (the result says what happened); raises HarnessError when a prerequisite is missing.
    tpm=True: with a swtpm TPM 2.0 (started and stopped here, state in the boot's temp dir).
    vars_path: the firmware's variable store to use and keep (made from the firmware's template
    when it does not exist yet), so that non-volatile variables live on to the next boot; by
    default each boot starts from a fresh copy of the template."""
    tmp = tempfile.mkdtemp(prefix='zboot-boot-', dir=workdir)
    swtpm = None
    try:
        if tpm:
            swtpm, tpm_args = start_swtpm(tmp, arch)
            extra = list(extra) + tpm_args
        esp = make_esp(os.path.join(tmp, 'esp.img'), files)
        _, vars_template = FIRMWARE[arch][firmware]
        vars_copy = vars_path or os.path.join(tmp, 'vars.fd')
        if not vars_path or not os.path.exists(vars_path):
            shutil.copyfile(need_file(vars_template, 'firmware variables'), vars_copy)
        cmd = qemu_command(arch, esp, vars_copy, firmware, cpu, extra=extra)
        if shutil.which(cmd[0]) is None:
            raise HarnessError('%s not installed (run tools/setup)' % cmd[0])
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        # A reader thread keeps the output and notes when the initrd marker first appears
        # (time to marker, for bench/; the tests only look at the text).
        chunks, marker_at = [], []

        def reader():
            seen = b''
            while True:
                b = os.read(proc.stdout.fileno(), 65536)
                if not b:
                    return
                chunks.append(b)
                if not marker_at:
                    seen = seen[-64:] + b
                    if BEGIN.encode() in seen:
                        marker_at.append(time.monotonic() - start)
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        t.join(timeout=10)
        elapsed = time.monotonic() - start
        log = b''.join(chunks).decode('utf-8', errors='replace')
        # Strip the firmware's terminal escape sequences so the log reads as text.
        log = re.sub(r'\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1bc', '', log)
        if log_path:
            with open(log_path, 'w') as f:
                f.write('# %s\n' % ' '.join(cmd))
                f.write(log)
        r = BootResult(log, elapsed, timed_out, proc.returncode)
        r.marker_time = marker_at[0] if marker_at else None
        return r
    finally:
        if swtpm is not None:
            swtpm.kill()
            swtpm.wait()
        shutil.rmtree(tmp, ignore_errors=True)


# ---- small test helpers ----------------------------------------------------------------------

class CaseTable:
    """The boot test scripts' cases: `case = CaseTable()`, `@case` on each function (named after
    the test, `_` for `-`), and `sys.exit(case.main(__doc__))`: CASE [--log-dir DIR]. A missing
    prerequisite (HarnessError) fails the case."""

    def __init__(self):
        self.cases = {}

    def __call__(self, fn):
        self.cases[fn.__name__.replace('_', '-')] = fn
        return fn

    def main(self, doc):
        import argparse
        ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
        ap.add_argument('case', choices=sorted(self.cases))
        ap.add_argument('--log-dir', default=os.getcwd(), help='where serial logs go (default: cwd)')
        args = ap.parse_args()
        os.makedirs(args.log_dir, exist_ok=True)
        try:
            return self.cases[args.case](args.log_dir)
        except HarnessError as e:
            print('FAIL: %s' % e)
            return 1


class Check:
    """Collects assertion failures so a test reports all of them, then exits non-zero."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.log_shown = False

    def true(self, cond, what):
        if not cond:
            self.failures.append(what)
        return cond

    def eq(self, got, want, what):
        return self.true(got == want, '%s: got %r, want %r' % (what, got, want))

    def done(self, result=None):
        if result is not None:
            print('%s: %s' % (self.name, result.summary()))
            if result.observables:
                for k, v in sorted(result.observables.items()):
                    print('  %s=%s' % (k, v))
        for f in self.failures:
            print('FAIL: %s' % f)
        if self.failures and result is not None and not self.log_shown:
            print('---- last 60 lines of the serial log ----')
            print(result.tail(60))
        return 1 if self.failures else 0


def kernel_cmdline(text):
    """The command line without the `initrd=PATH` words sd-boot adds for Type #1 initrds."""
    return ' '.join(w for w in (text or '').split() if not w.startswith('initrd=')) if text is not None else None


def check_boot(check, result, cmdline=None, efi=True):
    """The common assertions: marker reached, command line and initrd arrived, EFI runtime."""
    if not check.true(not result.timed_out, 'QEMU timed out (%s)' % result.summary()):
        return
    if not result.reached_marker:
        # Say how the boot ended right here: in a many-boot test this failure is the only
        # trace of that boot in the test output (CI keeps nothing else).
        check.true(False, 'the initrd marker never appeared (%s, QEMU exit %s); the serial log ends:\n%s'
                   % (result.summary(), result.returncode, result.tail(40)))
        check.log_shown = True
        return
    if cmdline is not None:
        check.eq(kernel_cmdline(result['CMDLINE']), cmdline, 'kernel command line')
    check.eq(result['INITRD_MARKER'], INITRD_MARKER, 'initrd marker')
    if efi:
        check.eq(result['EFI'], '1', '/sys/firmware/efi present')
