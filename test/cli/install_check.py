#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Suite `cli`: the installed project and its documentation (docs/install.md, docs/user-guide.md).

    install_check.py installed-uki --work-dir DIR
    install_check.py docs-troubleshooting

installed-uki: `meson install --destdir`, then the installed ukify-zboot, run at its real path
(test/harness/installed_tree.py) without $UKIFY_ZBOOT_STUB_DIR or --stub, makes a zboot image
and a UKI from the Debian kernel with the installed stubs (their marked .sbat in the output),
nothing from the build tree; --version, --help of every verb, exit status 2 for a command line
it does not understand; man page and docs installed.

docs-troubleshooting: every error message the CLI (src/ukify-zboot/*.c) and the kernel-install
plugin print, and every reason text of the core's *_strerror() the CLI prints after them, is in
docs/user-guide.md's Troubleshooting section; every option of every verb's --help is in the man
page. A new message without an entry fails here.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, '..', '..')
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
from installed_tree import InstalledTree, InstallError, stub_markers  # noqa: E402

VERBS = ('zboot', 'build', 'inspect', 'extract', 'kexec', 'genkey')
# the *_strerror() tables whose text the CLI prints after "FILE: ..." (src/fundamental)
STRERROR = {'pe.c': 'pe_strerror', 'zboot.c': 'zboot_strerror', 'decompress.c': 'decompress_strerror',
            'x86-payload.c': 'x86_payload_strerror', 'payload-sig.c': 'payload_sig_strerror'}
CONVERSION = re.compile(r'%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|z|j|t)?[diouxXscpm]')
LITERALS = r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)'


def unescape(lits):
    s = ''.join(re.findall(r'"((?:[^"\\\n]|\\.)*)"', lits))
    esc = {'n': ' ', 't': ' ', '"': '"', '\\': '\\'}
    return re.sub(r'\\(x[0-9a-fA-F]{2}|.)', lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 3
                  else esc.get(m.group(1), m.group(1)), s)


def normalize(fmt):
    """A printf format as the guide shows it: each conversion is `…`."""
    return CONVERSION.sub('…', fmt).replace('%%', '%')


def cli_messages():
    msgs = set()
    src = os.path.join(TOP, 'src', 'ukify-zboot')
    for f in sorted(os.listdir(src)):
        if f.endswith('.c'):
            with open(os.path.join(src, f)) as fh:
                text = fh.read()
            for m in re.finditer(r'\berror\(\s*' + LITERALS, text):
                msgs.add(normalize(unescape(m.group(1))))
    return msgs


def strerror_reasons():
    reasons = set()
    for f, fn in STRERROR.items():
        with open(os.path.join(TOP, 'src', 'fundamental', f)) as fh:
            text = fh.read()
        m = re.search(r'const char \*' + fn + r'\([^)]*\)\s*\{(.*?)\n\}', text, re.S)
        if not m:
            raise SystemExit('FAIL: %s not found in src/fundamental/%s' % (fn, f))
        for r in re.finditer(r'return\s+' + LITERALS + ';', m.group(1)):
            s = unescape(r.group(1))
            if s != 'success':
                reasons.add(s)
    return reasons


def plugin_messages():
    with open(os.path.join(TOP, 'src', 'kernel-install', 'ukify-zboot.install.in')) as fh:
        text = fh.read()
    msgs = set()
    for m in re.finditer(r'\bdie "((?:[^"\\]|\\.)*)"', text):
        s = m.group(1).replace('\\"', '"').replace('\\$', '$')
        s = re.sub(r'\$\([^)]*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z_0-9]*', '…', s)
        msgs.add(s)
    return msgs


def docs_troubleshooting():
    with open(os.path.join(TOP, 'docs', 'user-guide.md')) as f:
        guide = f.read()
    at = guide.find('## Troubleshooting')
    if at < 0:
        print('FAIL: docs/user-guide.md has no "## Troubleshooting" section')
        return 1
    section = guide[at:].replace('\\|', '|')
    missing = []
    for kind, msgs in (('ukify-zboot error', cli_messages()), ('reason', strerror_reasons()),
                       ('plugin error', plugin_messages())):
        print('%d %s messages' % (len(msgs), kind))
        for m in sorted(msgs):
            if '`%s`' % m not in section:
                missing.append('%s: `%s`' % (kind, m))
    for m in missing:
        print('FAIL: not in docs/user-guide.md Troubleshooting: ' + m)
    # every option of every verb's --help is in the man page
    exe = os.environ.get('UKIFY_ZBOOT')
    if not exe or not os.access(exe, os.X_OK):
        print('FAIL: $UKIFY_ZBOOT (the build tree binary) missing')
        return 1
    with open(os.path.join(TOP, 'man', 'ukify-zboot.1')) as f:
        man = f.read().replace('\\-', '-')
    bad_man = []
    for verb in VERBS:
        out = subprocess.run([exe, verb, '--help'], stdout=subprocess.PIPE, check=True).stdout.decode()
        for opt in sorted(set(re.findall(r'(?<![\w-])--[a-z][a-z0-9-]*', out))):
            if not re.search(r'(?<![\w-])' + re.escape(opt) + r'(?![\w-])', man):
                bad_man.append('%s %s' % (verb, opt))
    for m in bad_man:
        print('FAIL: option not in man/ukify-zboot.1: ' + m)
    return 1 if missing or bad_man else 0


def installed_uki(work):
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print('FAIL: ' + what)
        return cond

    tree = InstalledTree(work)
    cache = os.environ.get('ZBOOT_TEST_CACHE', os.path.join(TOP, 'test', 'cache'))
    kernel = os.path.join(cache, 'amd64', 'vmlinuz')
    initrd = os.path.join(cache, 'amd64', 'initrd.cpio.gz')
    for p in (kernel, initrd):
        if not os.path.exists(p):
            raise InstallError('test asset missing: %s (run tools/fetch-test-assets)' % p)
    env = {k: v for k, v in os.environ.items() if not k.startswith('UKIFY_ZBOOT')}
    run = lambda *args: tree.run([tree.exe] + list(args), env=env)  # noqa: E731
    rc, out, _ = run('--version')
    check(rc == 0 and re.match(r'ukify-zboot \S+\n$', out), 'installed --version: %d %r' % (rc, out))
    rc, out, _ = run('--help')
    check(rc == 0 and tree.stub_dir in out and 'Exit status' in out, '--help names %s and the exit status' %
          tree.stub_dir)
    for verb in VERBS:
        rc, out, _ = run(verb, '--help')
        check(rc == 0 and out.startswith('ukify-zboot ' + verb), '%s --help' % verb)
    for args in (['frobnicate'], [], ['zboot', '--no-such-option'], ['build', '--linux']):
        rc, _, err = run(*args)
        check(rc == 2 and err.strip(), '%s: exit status %d (want 2) with a message' % (args, rc))
    zimg = os.path.join(work, 'vmlinuz.efi')
    uki = os.path.join(work, 'linux.efi')
    rc, _, err = run('zboot', kernel, '-l', '3', '-o', zimg)
    if check(rc == 0, 'installed zboot without --stub or $UKIFY_ZBOOT_STUB_DIR: %s' % err.strip()):
        rc, _, err = run('build', '--linux', zimg, '--initrd', initrd, '--cmdline', 'console=ttyS0',
                         '--os-release', 'ID=test', '-o', uki)
        if check(rc == 0, 'installed build: %s' % err.strip()):
            with open(uki, 'rb') as f:
                m = stub_markers(f.read())
            check(m['linux'] and m['zboot'], 'the UKI has the installed UKI stub and zboot stub: %s' % m)
            check(not m['build-tree'], 'the UKI has nothing of the build tree\'s stubs')
            rc, out, err = run('inspect', uki)
            check(rc == 0 and 'zstd' in out, 'installed inspect of the UKI: %s' % err.strip())
    for path in ('share/man/man1/ukify-zboot.1', 'share/doc/ukify-zboot/user-guide.md',
                 'share/doc/ukify-zboot/install.md', 'share/doc/ukify-zboot/ukify-zboot.conf.example'):
        check(os.path.exists(tree.dest(os.path.join(tree.prefix, path))), 'installed %s' % path)
    return 1 if failures else 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ('installed-uki', 'docs-troubleshooting'):
        print(__doc__)
        return 2
    if sys.argv[1] == 'docs-troubleshooting':
        return docs_troubleshooting()
    base = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == '--work-dir' else None
    if base:
        os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix='installed-uki-', dir=base)
    try:
        r = installed_uki(work)
    except InstallError as e:
        print('FAIL: %s' % e)
        r = 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print('installed-uki: %s' % ('FAILED' if r else 'ok'))
    return r


if __name__ == '__main__':
    sys.exit(main())
