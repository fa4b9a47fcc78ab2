#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ukify 257's build options in `ukify-zboot build` (suite `cli`), one case per meson test:

    ukify_options_test.py CASE --work-dir DIR

- pcrsig-ukify-257: the same inputs given to Debian 13's ukify 257 (which runs Debian 13's
  systemd-measure 257, test/cache/trixie/measure) and to ours give byte-identical .pcrsig and
  .pcrpkey (and every other measured section), from the command line and from a config file.
- pcrsig-independent: each .pcrsig entry recomputed here with hashlib (PCR 11 per bank and phase,
  the TPM2 PolicyPCR digest) and its signature checked with the openssl command.
- config-file: ukify's config format and precedence (command line wins, Initrd= first,
  [PCRSignature:NAME] groups, comments and continuation lines, unknown and refused keys).
- build-options: --efi-arch, --signtool, --phases, --pcr-banks, key pairs, --os-release=,
  --cmdline whitespace, --section names: what is refused and what is made.
- hwids-efifw-ukify-262: ukify 258's --hwids JSON ("type", uefi-fw "fwid") and --efifw DIR
  against the development suite's ukify 262 (hwids_efifw_ukify_262()).
- hwids-ukify-257: --hwids DIR (ukify's JSON device descriptions: nested and hidden files,
  devices split over files, duplicate and unsorted CHIDs in every UUID spelling, shared and
  non-ASCII strings, a device without CHIDs) gives a .hwids byte-identical to Debian 13's
  ukify 257's, placed between .dtbauto and .uname as there; the refusals ukify 257 also makes;
  an add-on and a profile PE with --devicetree/--devicetree-auto/--hwids have the same sections in
  the same order as ukify 257's.

Environment as cli_test.py: UKIFY_ZBOOT, ZBOOT_EFI_DIR, ZBOOT_TEST_CACHE. A missing
prerequisite is a failure, never a skip.
"""
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys

import cli_common
from cli_common import CACHE, Check, Fail, exe, need  # noqa: F401 (also used through this module)

CASES, case = cli_common.registry()
SBAT_UKI = ('sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n'
            'uki,1,UKI,uki,1,https://uapi-group.org/specifications/specs/unified_kernel_image/')
PHASES_DEFAULT = ['enter-initrd', 'enter-initrd:leave-initrd', 'enter-initrd:leave-initrd:sysinit',
                  'enter-initrd:leave-initrd:sysinit:ready']
TPM_ALG = {'sha1': 0x0004, 'sha256': 0x000B, 'sha384': 0x000C, 'sha512': 0x000D}
# systemd-stub's measurement order (src/fundamental/uki-measure.c; .pcrsig never measured, .dtbauto only the one
# the stub picks for the machine, in its place)
MEASURED = ['.linux', '.osrel', '.cmdline', '.initrd', '.ucode', '.splash', '.dtb', '.uname', '.sbat', '.pcrpkey',
            '.profile', '.dtbauto', '.hwids', '.efifw']


def stub_dir():
    return need(os.environ.get('ZBOOT_EFI_DIR'), 'our EFI stub directory')


def kernel(arch):
    return need(os.path.join(CACHE, {'x86_64': 'amd64', 'aarch64': 'arm64'}[arch], 'vmlinuz'), 'Debian kernel')


def stub(arch):
    return need(os.path.join(stub_dir(), 'linux%s.efi.stub' % {'x86_64': 'x64', 'aarch64': 'aa64'}[arch]),
                'our UKI stub')


def run(*args, cwd=None):
    env = dict(os.environ, UKIFY_ZBOOT_STUB_DIR=stub_dir())
    p = subprocess.run([exe()] + [str(a) for a in args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, cwd=cwd)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def build(*args, cwd=None):
    rc, out, err = run('build', *args, cwd=cwd)
    if rc != 0:
        raise Fail('ukify-zboot build %s failed (%d): %s' % (' '.join(map(str, args)), rc, err.strip()[-800:]))
    return err


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def write(path, data):
    with open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
        f.write(data)
    return path


def sections(path):
    """[(name, bytes as loaded: min(VirtualSize, SizeOfRawData) of raw data, zero-filled to VirtualSize)]"""
    d = read(path)
    pe = struct.unpack_from('<I', d, 0x3c)[0]
    if d[pe:pe + 4] != b'PE\0\0':
        raise Fail('%s: not a PE image' % path)
    nsec, optsize = struct.unpack_from('<H', d, pe + 6)[0], struct.unpack_from('<H', d, pe + 20)[0]
    out = []
    for i in range(nsec):
        o = pe + 24 + optsize + 40 * i
        name = d[o:o + 8].rstrip(b'\0').decode()
        vsize, _, rawsize, rawptr = struct.unpack_from('<IIII', d, o + 8)
        data = d[rawptr:rawptr + min(vsize, rawsize)]
        out.append((name, data + bytes(vsize - len(data))))
    return out


def section(path, name):
    return next((data for n, data in sections(path) if n == name), None)


def openssl(*args, data=None):
    p = subprocess.run(['openssl'] + [str(a) for a in args], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise Fail('openssl %s failed: %s' % (' '.join(map(str, args)), p.stderr.decode(errors='replace')))
    return p.stdout


def keypair(work, name, kind='rsa'):
    key, pub = os.path.join(work, name + '.key.pem'), os.path.join(work, name + '.pub.pem')
    if not os.path.exists(key):
        if kind == 'rsa':
            openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key)
        else:
            openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key)
        openssl('pkey', '-in', key, '-pubout', '-out', pub)
    return key, pub


# ---- Debian 13's ukify with Debian 13's systemd-measure ------------------------------------

def ukify_257(work):
    """ukify 257 run with /usr/bin/python3, and a --tools directory whose systemd-measure runs
    Debian 13's binary through Debian 13's own ld.so (tools/fetch-test-assets: trixie/measure)."""
    ukify = need(os.path.join(CACHE, 'trixie', 'ukify', 'usr', 'lib', 'systemd', 'ukify'), "Debian 13's ukify")
    root = os.path.join(CACHE, 'trixie', 'measure')
    measure = need(os.path.join(root, 'usr', 'lib', 'systemd', 'systemd-measure'), "Debian 13's systemd-measure")
    lib = os.path.join(root, 'usr', 'lib', 'x86_64-linux-gnu')
    ld = need(os.path.join(lib, 'ld-linux-x86-64.so.2'), "Debian 13's ld.so")
    need('/usr/bin/python3', "Debian's python3 (with python3-pefile)")
    tools = os.path.join(work, 'tools')
    os.makedirs(tools, exist_ok=True)
    wrapper = os.path.join(tools, 'systemd-measure')
    write(wrapper, '#!/bin/sh\nexec "%s" --library-path "%s:%s/systemd" "%s" "$@"\n' % (ld, lib, lib, measure))
    os.chmod(wrapper, 0o755)
    p = subprocess.run([wrapper, '--version'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0 or b'systemd 257' not in p.stdout:
        raise Fail("Debian 13's systemd-measure does not run here: %s" % p.stdout.decode(errors='replace'))
    return ['/usr/bin/python3', ukify, '--tools', tools]


def ukify_build(work, cmd, *args):
    p = subprocess.run(cmd + ['build'] + [str(a) for a in args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, cwd=work)
    if p.returncode != 0:
        raise Fail('ukify 257 build failed (%d): %s' % (p.returncode, p.stdout.decode(errors='replace')[-1500:]))
    return p.stdout.decode(errors='replace')


def compare_sections(c, what, theirs, ours, must=('.pcrsig',)):
    a, b = dict(sections(theirs)), dict(sections(ours))
    for name in must:
        c.true(name in a, '%s: ukify 257 made no %s' % (what, name))
    for name in sorted(set(a) | set(b)):
        if name in ('.text', '.data', '.rodata', '.reloc'):
            continue
        if not c.true(name in a and name in b, '%s: %s only in %s' % (what, name, 'ukify 257' if name in a else 'ours')):
            continue
        if a[name] != b[name]:
            c.true(False, '%s: %s differs: ukify 257 %d bytes %r..., ours %d bytes %r...' %
                   (what, name, len(a[name]), a[name][:160], len(b[name]), b[name][:160]))
    return a, b


@case
def pcrsig_ukify_257(work, c):
    """.pcrsig/.pcrpkey byte for byte as Debian 13's ukify + systemd-measure 257 make them."""
    cmd = ukify_257(work)
    k1, p1 = keypair(work, 'k1')
    k2, p2 = keypair(work, 'k2')
    osrel = write(os.path.join(work, 'os-release'), 'ID=test\nNAME="zboot test"\n')
    initrd = write(os.path.join(work, 'initrd'), os.urandom(1001))
    common = ['--cmdline', 'console=ttyAMA0  quiet  rw', '--os-release', '@' + osrel, '--uname', '6.1.0-test',
              '--sbat', SBAT_UKI, '--initrd', initrd]
    scenarios = [
        # two keys, each with its phases, two banks
        ('aarch64', 'two-keys', ['--pcr-private-key', k1, '--pcr-public-key', p1, '--phases',
                                 'enter-initrd enter-initrd:leave-initrd', '--pcr-private-key', k2,
                                 '--pcr-public-key', p2, '--phases', 'sysinit,ready', '--pcr-banks', 'sha384,sha256'],
         ('.pcrsig',)),
        # one key pair, systemd-measure's default banks (sha1 sha256 sha384 sha512) and phases;
        # .pcrpkey is the public key file
        ('x86_64', 'one-key-defaults', ['--pcr-private-key', k1, '--pcr-public-key', p1], ('.pcrsig', '.pcrpkey')),
        # an explicit --pcrpkey, a duplicated phase path (kept once) and sha512 only
        ('aarch64', 'pcrpkey', ['--pcrpkey', p2, '--pcr-private-key', k1, '--pcr-public-key', p1,
                                '--phases', 'enter-initrd enter-initrd', '--pcr-banks', 'sha512'],
         ('.pcrsig', '.pcrpkey')),
    ]
    for arch, name, extra, must in scenarios:
        theirs, ours = os.path.join(work, name + '.ukify.efi'), os.path.join(work, name + '.ours.efi')
        for f in (theirs, ours):
            if os.path.exists(f):
                os.unlink(f)
        ukify_build(work, cmd, '--linux', kernel(arch), '--stub', stub(arch), *common, *extra, '--output', theirs)
        build('--linux', kernel(arch), *common, *extra, '-o', ours)
        a, b = compare_sections(c, name, theirs, ours, must)
        if '.pcrsig' in b:
            j = json.loads(b['.pcrsig'])
            print('%s: .pcrsig banks %s, %s entries; identical to ukify 257: %s' %
                  (name, list(j), sum(len(v) for v in j.values()), a.get('.pcrsig') == b['.pcrsig']))
    # inspect: every section with ukify's size and sha256, .pcrsig/.pcrpkey text, as ukify 257's inspect
    last = os.path.join(work, 'pcrpkey.ours.efi')
    p = subprocess.run(cmd + ['inspect', last, '--all', '--json=short'], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    rc, out, err = run('inspect', '--json', last)
    if c.true(p.returncode == 0 and rc == 0, 'inspect (ukify 257: %s; ours: %s)' % (p.stderr[-300:], err)):
        theirs, ours = json.loads(p.stdout), json.loads(out)
        got = {x['name']: (x.get('size'), x.get('sha256')) for x in ours['sections']}
        c.eq(got, {k: (v['size'], v['sha256']) for k, v in theirs.items()}, 'inspect: size and sha256 per section')
        for name in ('.pcrsig', '.pcrpkey', '.cmdline', '.uname'):
            c.eq(ours['text'].get(name), theirs.get(name, {}).get('text', '').rstrip('\n'), 'inspect text of ' + name)

    # the same from a config file given to both
    conf = write(os.path.join(work, 'uki.conf'), '''# ukify(1) example 3 shape
[UKI]
Cmdline=console=ttyAMA0
   quiet   # an inline comment
Uname = 6.1.0-test
OSRelease=@%s
PCRBanks=sha256 sha384

[PCRSignature:initrd]
PCRPrivateKey=%s
PCRPublicKey=%s
Phases=enter-initrd

[PCRSignature:system]
PCRPrivateKey=%s
PCRPublicKey=%s
Phases=enter-initrd:leave-initrd
       enter-initrd:leave-initrd:sysinit
       enter-initrd:leave-initrd:sysinit:ready
''' % (osrel, k1, p1, k2, p2))
    theirs, ours = os.path.join(work, 'conf.ukify.efi'), os.path.join(work, 'conf.ours.efi')
    ukify_build(work, cmd, '--config', conf, '--linux', kernel('aarch64'), '--stub', stub('aarch64'),
                '--sbat', SBAT_UKI, '--output', theirs)
    build('--config', conf, '--linux', kernel('aarch64'), '--sbat', SBAT_UKI, '-o', ours)
    a, b = compare_sections(c, 'config', theirs, ours, ('.pcrsig', '.cmdline'))
    c.eq(b.get('.cmdline'), b'console=ttyAMA0 quiet', 'config: .cmdline (continuation line, comment, whitespace)')

    # a multi-profile UKI: one .pcrsig per profile, at its end (profile PEs made by ukify 257
    # with Debian 13's addon stub, joined by both)
    addon = need(os.path.join(CACHE, 'trixie', 'systemd-boot.pkg', 'usr', 'lib', 'systemd', 'boot', 'efi',
                              'addonaa64.efi.stub'), "Debian 13's addon stub")
    joins = []
    for i, (prof, extra) in enumerate([('TITLE=One\nID=one', ['--cmdline', 'one rw']),
                                       ('TITLE=Two\nID=two', ['--cmdline', 'two', '--uname', '9.9'])]):
        pe = os.path.join(work, 'profile%d.efi' % (i + 1))
        ukify_build(work, cmd, '--stub', addon, '--profile', prof, *extra, '--output', pe)
        joins += ['--join-profile', pe]
    args = ['--linux', kernel('aarch64'), '--cmdline', 'base', '--os-release', '@' + osrel, '--uname', '6.1',
            '--sbat', SBAT_UKI, *joins, '--pcr-private-key', k1, '--pcr-public-key', p1, '--phases', 'enter-initrd',
            '--pcr-private-key', k2, '--pcr-public-key', p2, '--phases', 'sysinit', '--pcr-banks', 'sha256']
    theirs, ours = os.path.join(work, 'multi.ukify.efi'), os.path.join(work, 'multi.ours.efi')
    ukify_build(work, cmd, '--stub', stub('aarch64'), *args, '--output', theirs)
    build(*args, '-o', ours)
    layout = lambda f: [n for n, _ in sections(f) if n in ('.profile', '.pcrsig')]  # noqa: E731
    c.eq(layout(ours), layout(theirs), 'multi-profile: .profile/.pcrsig order')
    c.eq(layout(ours), ['.profile', '.pcrsig'] * 3, 'multi-profile: a .pcrsig at the end of each of 3 profiles')
    sa = [d for n, d in sections(theirs) if n == '.pcrsig']
    sb = [d for n, d in sections(ours) if n == '.pcrsig']
    c.true(len(sa) == 3 and sa == sb, 'multi-profile: the 3 .pcrsig sections byte for byte as ukify 257 (%s)' %
           [x == y for x, y in zip(sa, sb)])


def rsa_public_der(pub):
    return openssl('rsa', '-pubin', '-in', pub, '-RSAPublicKey_out', '-outform', 'DER')


def predict(secs, bank, phase):
    h = lambda b: hashlib.new(bank, b).digest()  # noqa: E731
    pcr = bytes(hashlib.new(bank).digest_size)
    for name in MEASURED:
        data = secs.get(name)
        if data:
            pcr = h(pcr + h(name.encode() + b'\0'))
            pcr = h(pcr + h(data))
    for word in phase.split(':') if phase else []:
        pcr = h(pcr + h(word.encode()))
    return pcr


def policy_pcr(bank, pcr):
    sel = struct.pack('>IIHB', 0x17F, 1, TPM_ALG[bank], 3) + bytes([0, 1 << (11 - 8), 0])
    return hashlib.sha256(bytes(32) + sel + hashlib.sha256(pcr).digest()).digest()


@case
def pcrsig_independent(work, c):
    """Each .pcrsig entry recomputed here (hashlib), signature checked with openssl."""
    k1, p1 = keypair(work, 'k1')
    k2, p2 = keypair(work, 'k2')
    uki = os.path.join(work, 'indep.efi')
    build('--linux', kernel('x86_64'), '--cmdline', 'quiet', '--uname', '6.1.0-test',
          '--pcr-private-key', k1, '--phases', 'sysinit,enter-initrd:leave-initrd',
          '--pcr-private-key', k2, '--phases', 'ready enter-initrd ready', '--pcr-banks', 'sha512 sha1,SHA256',
          '-o', uki)
    secs = dict(sections(uki))
    c.true('.pcrpkey' not in secs, 'two keys and no --pcrpkey: no .pcrpkey (as ukify)')
    j = json.loads(secs['.pcrsig'])
    c.eq(list(j), ['sha1', 'sha256', 'sha512'], '.pcrsig banks, sorted and in lower case as systemd-measure')
    fps = [hashlib.sha256(rsa_public_der(p)).hexdigest() for p in (p1, p2)]
    for bank, entries in j.items():
        # per key, its phase paths sorted and de-duplicated, as systemd-measure takes them
        want = [(0, ph) for ph in ('enter-initrd:leave-initrd', 'sysinit')] + [(1, ph) for ph in ('enter-initrd', 'ready')]
        c.eq(len(entries), len(want), '%s: one entry per key and phase path' % bank)
        for (ki, phase), e in zip(want, entries):
            c.eq(e.get('pcrs'), [11], '%s %s: pcrs' % (bank, phase))
            c.eq(e.get('pkfp'), fps[ki], '%s %s: pkfp = SHA-256 of the RSA public key (DER)' % (bank, phase))
            pol = policy_pcr(bank, predict(secs, bank, phase))
            c.eq(e.get('pol'), pol.hex(), '%s %s: PolicyPCR digest of the predicted PCR 11' % (bank, phase))
            import base64
            sig = write(os.path.join(work, 'sig'), base64.b64decode(e['sig']))
            polf = write(os.path.join(work, 'pol'), pol)
            p = subprocess.run(['openssl', 'dgst', '-' + bank, '-verify', (p1, p2)[ki], '-signature', sig, polf],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            c.true(p.returncode == 0 and b'Verified OK' in p.stdout,
                   '%s %s: RSA PKCS#1 v1.5 %s signature over the policy digest: %s' %
                   (bank, phase, bank, p.stdout.decode(errors='replace').strip()))
    # .dtbauto: one entry per .dtbauto and phase, each with that .dtbauto measured in its own place
    # and under its own name, as systemd-stub measures the one it picks (Debian 13's
    # systemd-measure 257 measures a --dtbauto file as ".hwids" and a --hwids file as ".dtbauto":
    # docs/ukify-options.md); .hwids is measured like any section
    d1 = write(os.path.join(work, 'd1.dtb'), os.urandom(300))
    d2 = write(os.path.join(work, 'd2.dtb'), os.urandom(200))
    hw = write(os.path.join(work, 'hwids'), os.urandom(64))
    ukd = os.path.join(work, 'dtbauto.efi')
    build('--linux', kernel('aarch64'), '--uname', 'x', '--section', '.dtbauto:@' + d1, '--section', '.dtbauto:@' + d2,
          '--section', '.hwids:@' + hw, '--pcr-private-key', k1, '--phases', 'enter-initrd ready',
          '--pcr-banks', 'sha256', '-o', ukd)
    sd = dict(sections(ukd))
    got = [x['pol'] for x in json.loads(sd['.pcrsig'])['sha256']]
    want = []
    for dt in (d1, d2):
        v = dict(sd, **{'.dtbauto': read(dt)})
        want += [policy_pcr('sha256', predict(v, 'sha256', ph)).hex() for ph in ('enter-initrd', 'ready')]
    c.eq(got, want, '.dtbauto: a policy per .dtbauto (in table order) and phase')

    # with profiles: each profile's .pcrsig has a policy for every .dtbauto the stub can pick for
    # it (the base's here: ukify 257 copies no .dtbauto from a profile PE), where ukify 257 signs
    # a later profile for the base's first only
    pp = []
    for i, cmd in enumerate(('one', 'two')):
        pp.append(os.path.join(work, 'prof%d.efi' % i))
        build('--profile', 'ID=%s' % cmd, '--cmdline', cmd, '-o', pp[-1])
    ukp = os.path.join(work, 'dtbauto-profiles.efi')
    build('--linux', kernel('aarch64'), '--uname', 'x', '--section', '.dtbauto:@' + d1, '--section', '.dtbauto:@' + d2,
          '--profile', 'ID=main', '--join-profile', pp[0], '--join-profile', pp[1], '--pcr-private-key', k1,
          '--phases', 'enter-initrd', '--pcr-banks', 'sha256', '-o', ukp)
    secs = sections(ukp)
    starts = [i for i, (n, _) in enumerate(secs) if n == '.profile'] + [len(secs)]
    base = {}
    for n, d in secs[:starts[0]]:
        base.setdefault(n, d)
    for p in range(3):
        own = {}
        for n, d in secs[starts[p]:starts[p + 1]]:
            own.setdefault(n, d)
        eff = dict(base, **own)
        eff.pop('.dtbauto', None)
        got = [x['pol'] for x in json.loads(own.get('.pcrsig', b'{}'))['sha256']] if '.pcrsig' in own else None
        want = [policy_pcr('sha256', predict(dict(eff, **{'.dtbauto': read(dt)}), 'sha256', 'enter-initrd')).hex()
                for dt in (d1, d2)]
        c.eq(got, want, 'profile %d: a policy for each of the base\'s .dtbauto' % p)

    # one private key only: .pcrpkey is its public half (what systemd-keyutil public writes: PEM PUBLIC KEY)
    uki1 = os.path.join(work, 'indep1.efi')
    build('--linux', kernel('aarch64'), '--uname', 'x', '--pcr-private-key', k1, '--pcr-banks', 'sha256', '-o', uki1)
    s1 = dict(sections(uki1))
    c.eq(s1.get('.pcrpkey'), read(p1), '.pcrpkey from the private key = openssl pkey -pubout')
    e = json.loads(s1['.pcrsig'])['sha256']
    c.eq([x['pol'] for x in e], [policy_pcr('sha256', predict(s1, 'sha256', ph)).hex() for ph in PHASES_DEFAULT],
         'default phases: systemd-measure\'s four paths')
    # the PCR 11 value inspect and --measure report is the same prediction without a phase
    rc, out, err = run('inspect', '--json', uki1)
    c.true(rc == 0, 'inspect --json: %s' % err)
    if rc == 0:
        c.eq(json.loads(out).get('pcr11', {}).get('sha256'), predict(s1, 'sha256', '').hex(),
             'inspect pcr11 = the prediction without phases')


@case
def config_file(work, c):
    """ukify's config format and precedence."""
    k1, p1 = keypair(work, 'k1')
    a = write(os.path.join(work, 'initrd-a'), b'A' * 5)
    b = write(os.path.join(work, 'initrd-b'), b'B' * 6)
    d = write(os.path.join(work, 'initrd-d'), b'D' * 3)
    conf = write(os.path.join(work, 'p.conf'), '''
; a comment
[UKI]
Cmdline=from config
Uname=6.1.0-config
Initrd=%s
   %s
OSRelease=ID=conf
Unknown=1
SecureBootCertificateDir=/etc/pki/pesign
SignKernel=no

[Other]
Key=1
''' % (a, b))
    out = os.path.join(work, 'p.efi')
    err = build('--config', conf, '--linux', kernel('aarch64'), '--cmdline', 'from  the   command line',
                '--initrd', d, '-o', out)
    s = dict(sections(out))
    c.eq(s.get('.cmdline'), b'from the command line', 'command line --cmdline wins over Cmdline=')
    c.eq(s.get('.uname'), b'6.1.0-config', 'Uname= applies when the command line has none')
    c.eq(s.get('.osrel'), b'ID=conf', 'OSRelease= literal')
    c.eq(s.get('.initrd'), b'AAAAA\0\0\0BBBBBB\0\0DDD', 'Initrd= (both, continuation line) first, then --initrd')
    c.true('Unknown config setting [UKI] Unknown=' in err, 'unknown key reported: %s' % err)
    c.true('Unknown config setting [Other] Key=' in err, 'unknown section reported: %s' % err)
    # -c and --config=PATH spellings
    out2 = os.path.join(work, 'p2.efi')
    build('-c', conf, '--linux', kernel('aarch64'), '-o', out2)
    c.eq(section(out2, '.cmdline'), b'from config', '-c PATH; Cmdline= alone')
    build('--config=' + conf, '--linux', kernel('aarch64'), '--uname', 'cli', '-o', out2)
    c.eq(section(out2, '.uname'), b'cli', '--config=PATH; --uname wins')
    build('--cmdline=-c', '--uname=--config', '--linux', kernel('aarch64'), '-o', out2)
    c.true(section(out2, '.cmdline') == b'-c' and section(out2, '.uname') == b'--config',
           'option values that look like -c/--config are values, not a config file')
    # given as separate words they are refused, as ukify's argparse refuses them (a forgotten value)
    for args, opt in ((['--cmdline', '-c', conf], '-c'), (['--uname', '--config', conf], '--config')):
        rc, _, err = run('build', *args, '--linux', kernel('aarch64'), '-o', out2 + '.x')
        c.true(rc == 2 and "is an option" in err and not os.path.exists(out2 + '.x'),
               '%s: exit %d, %r' % (args, rc, err.strip()))
        c.true('Unknown config setting' not in err, '%s: the config file was read' % args)
    # /etc/kernel/uki.conf as Debian 13 ships it (every line commented) changes nothing
    shipped = need(os.path.join(CACHE, 'trixie', 'ukify', 'usr', 'lib', 'kernel', 'uki.conf'), "Debian 13's uki.conf")
    x1, x2 = os.path.join(work, 'x1.efi'), os.path.join(work, 'x2.efi')
    build('--linux', kernel('x86_64'), '--uname', 'u', '-o', x1)
    build('--config', shipped, '--linux', kernel('x86_64'), '--uname', 'u', '-o', x2)
    c.true(read(x1) == read(x2), "Debian 13's uki.conf (all commented) gives the same UKI as no config")
    # a [PCRSignature:NAME] group after the command line's key: two keys, the group's phases
    k2, p2 = keypair(work, 'k2')
    g = write(os.path.join(work, 'g.conf'), '[PCRSignature:sys]\nPCRPrivateKey=%s\nPhases=sysinit\n' % k2)
    out3 = os.path.join(work, 'g.efi')
    build('--config', g, '--linux', kernel('aarch64'), '--uname', 'u', '--pcr-private-key', k1,
          '--phases', 'enter-initrd', '--pcr-banks', 'sha256', '-o', out3)
    e = json.loads(section(out3, '.pcrsig'))['sha256']
    fps = [hashlib.sha256(rsa_public_der(p)).hexdigest() for p in (p1, p2)]
    c.eq([x['pkfp'] for x in e], fps, 'command-line key first, then the [PCRSignature:sys] key')
    s3 = dict(sections(out3))
    c.eq([x['pol'] for x in e], [policy_pcr('sha256', predict(s3, 'sha256', ph)).hex()
                                 for ph in ('enter-initrd', 'sysinit')], 'each key with its own phases')
    c.true('.pcrpkey' not in s3, 'two keys: no .pcrpkey')
    # keys of the options the other issue-14 work added: Microcode= (.ucode), Profile= (.profile)
    ucode = write(os.path.join(work, 'ucode'), b'U' * 7)
    m = write(os.path.join(work, 'm.conf'), '[UKI]\nMicrocode=%s\nProfile=ID=main\n  TITLE=Main\n' % ucode)
    out4 = os.path.join(work, 'm.efi')
    build('--config', m, '--linux', kernel('x86_64'), '--uname', 'u', '-o', out4)
    s4 = dict(sections(out4))
    c.eq(s4.get('.ucode'), b'U' * 7, 'Microcode= gives .ucode')
    c.eq(s4.get('.profile'), b'ID=main\nTITLE=Main', 'Profile= (continuation line) gives .profile')
    # refused and broken files
    for text, want in [('[UKI]\nSecureBootCertificateName=x\n', 'SecureBootCertificateName= is not supported'),
                       ('[UKI]\nSigningEngine=pkcs11\n', 'SigningEngine= is not supported'),
                       ('[UKI]\nSignKernel=yes\n', 'SignKernel= is not supported'),
                       ('[UKI]\nSignKernel=maybe\n', 'not a boolean'),
                       ('Cmdline=x\n', 'before any [SECTION]'),
                       ('[UKI]\nno delimiter\n', 'expected Key=Value'),
                       ('[PCRSignature:a]\nPhases=sysinit\n', 'has no PCRPrivateKey='),
                       ('[PCRSignature:]\nPCRPrivateKey=x\n', 'NAME:GROUP'),
                       ('[UKI]\nPCRBanks=md5\n', 'unknown PCR bank'),
                       ('[PCRSignature:a]\nPCRPrivateKey=%s\nPhases=boot\n' % k1, 'unknown boot phase')]:
        f = write(os.path.join(work, 'bad.conf'), text)
        o = os.path.join(work, 'bad.efi')
        rc, _, err = run('build', '--config', f, '--linux', kernel('aarch64'), '--uname', 'u', '-o', o)
        c.true(rc != 0 and want in err and not os.path.exists(o), '%r: refused with "%s" (rc %d): %s' %
               (text, want, rc, err.strip()))
    rc, _, err = run('build', '--config', os.path.join(work, 'missing.conf'), '--linux', kernel('aarch64'),
                     '-o', os.path.join(work, 'bad.efi'))
    c.true(rc != 0 and 'missing.conf' in err, 'missing config file: %s' % err.strip())


@case
def build_options(work, c):
    """ukify's section-making options: refusals and results."""
    k1, p1 = keypair(work, 'k1')
    k2, p2 = keypair(work, 'k2')
    ke, pe = keypair(work, 'ke', 'ec')
    o = os.path.join(work, 'o.efi')
    bad = [
        (['--efi-arch', 'x64', '--linux', kernel('aarch64')], 'but'),
        (['--efi-arch', 'ia32', '--linux', kernel('x86_64')], 'not supported'),
        (['--signtool', 'pesign', '--linux', kernel('x86_64')], 'only sbsign'),
        (['--phases', 'enter-initrd:boot', '--pcr-private-key', k1, '--linux', kernel('x86_64')], 'unknown boot phase'),
        (['--pcr-banks', 'sha256,md5', '--pcr-private-key', k1, '--linux', kernel('x86_64')], 'unknown PCR bank'),
        (['--pcr-private-key', k1, '--pcr-public-key', p2, '--linux', kernel('x86_64')], 'is not the public key of'),
        (['--pcr-private-key', k1, '--pcr-private-key', k2, '--pcr-public-key', p1, '--linux', kernel('x86_64')],
         'must match --pcr-private-key'),
        (['--pcr-private-key', k1, '--phases', 'sysinit', '--phases', 'ready', '--linux', kernel('x86_64')],
         'must match --pcr-private-key'),
        (['--pcr-private-key', ke, '--linux', kernel('x86_64')], 'must be RSA'),
        (['--pcr-private-key', p1, '--linux', kernel('x86_64')], 'not a PEM private key'),
    ]
    for args, want in bad:
        if os.path.exists(o):
            os.unlink(o)
        rc, _, err = run('build', *args, '--uname', 'u', '-o', o)
        c.true(rc == 1 and want in err and not os.path.exists(o),
               '%s: refused with "%s" (rc %d): %s' % (' '.join(map(str, args)), want, rc, err.strip()))
    build('--efi-arch', 'aa64', '--signtool', 'sbsign', '--linux', kernel('aarch64'), '--uname', 'u',
          '--os-release=', '--cmdline', '  a \t b\n c  ', '-o', o)
    s = dict(sections(o))
    c.true('.osrel' not in s, '--os-release= (empty): no .osrel, as ukify')
    c.eq(s.get('.cmdline'), b'a b c', 'a literal --cmdline has its whitespace collapsed, as ukify')
    f = write(os.path.join(work, 'cmdline'), '  kept \t as is\n')
    build('--linux', kernel('aarch64'), '--uname', 'u', '--cmdline', '@' + f, '-o', o)
    c.eq(section(o, '.cmdline'), b'  kept \t as is\n', '--cmdline @FILE is taken verbatim, as ukify')
    # ukify's default .sbat entry when no --sbat is given, none of it when one is
    uki_line = b'uki,1,UKI,uki,1,https://uapi-group.org/specifications/specs/unified_kernel_image/\n'
    c.true(uki_line in section(o, '.sbat'), 'no --sbat: the uki,1,UKI default entry, as ukify')
    build('--linux', kernel('aarch64'), '--uname', 'u', '--sbat', 'myos,1,My OS,myos,1,https://example.invalid', '-o', o)
    c.true(uki_line not in section(o, '.sbat'), '--sbat given: no default entry')
    # --splash must be a BMP, --devicetree a flattened device tree, --section names printable
    bmp = bytearray(b'BM' + struct.pack('<IHHI', 58, 0, 0, 54) +
                    struct.pack('<IiiHHIIiiII', 40, 1, 1, 1, 24, 0, 4, 2835, 2835, 0, 0) + b'\x00\x00\xff\x00')
    good_bmp = write(os.path.join(work, 'splash.bmp'), bytes(bmp))
    png = write(os.path.join(work, 'splash.png'), b'\x89PNG\r\n\x1a\n' + bytes(64))
    fdt = struct.pack('>10I', 0xd00dfeed, 48, 40, 44, 40, 17, 16, 0, 4, 4) + bytes(8)
    good_dtb = write(os.path.join(work, 'good.dtb'), fdt)
    bad_dtb = write(os.path.join(work, 'bad.dtb'), fdt[:4] + struct.pack('>I', 4096) + fdt[8:])
    build('--linux', kernel('aarch64'), '--uname', 'u', '--splash', good_bmp, '--devicetree', good_dtb, '-o', o)
    s = dict(sections(o))
    c.true(s.get('.splash') == bytes(bmp) and s.get('.dtb') == fdt, '.splash and .dtb carried as given')
    for args, want in [(['--splash', png], 'not a BMP image'), (['--devicetree', png], 'not a flattened device tree'),
                       (['--devicetree', bad_dtb], 'totalsize 4096'),
                       (['--section', '.a\tb:x'], 'printable ASCII')]:
        if os.path.exists(o):
            os.unlink(o)
        rc, _, err = run('build', '--linux', kernel('aarch64'), '--uname', 'u', *args, '-o', o)
        c.true(rc != 0 and want in err and not os.path.exists(o),
               '%s: refused with "%s" (rc %d): %s' % (' '.join(args), want, rc, err.strip()))


@case
def genkey(work, c):
    """ukify's genkey: the keys the same config file makes build sign with."""
    conf = write(os.path.join(work, 'uki.conf'), '''[UKI]
Cmdline=quiet
SecureBootPrivateKey=sb.key
SecureBootCertificate=sb.crt
SecureBootCertificateValidity=30

[PCRSignature:initrd]
PCRPrivateKey=pi.key
PCRPublicKey=pi.pub
Phases=enter-initrd

[PCRSignature:system]
PCRPrivateKey=ps.key
''')
    rc, _, err = run('genkey', '--config', conf, cwd=work)
    c.true(rc == 0, 'genkey --config: %s' % err)
    names = ['sb.key', 'sb.crt', 'pi.key', 'pi.pub', 'ps.key']
    for n in names:
        c.true(os.path.exists(os.path.join(work, n)), 'genkey wrote %s' % n)
    c.true(not os.path.exists(os.path.join(work, 'ps.pub')), 'no PCRPublicKey=: no public key file')
    if c.failures:
        return
    for n in ('sb.key', 'pi.key', 'ps.key'):
        c.eq(os.stat(os.path.join(work, n)).st_mode & 0o777, 0o600, '%s mode' % n)
        c.true(read(os.path.join(work, n)).startswith(b'-----BEGIN RSA PRIVATE KEY-----\n'), '%s: PEM RSA key' % n)
        c.true(b'Private-Key: (2048 bit' in openssl('pkey', '-in', os.path.join(work, n), '-noout', '-text'),
               '%s: RSA 2048' % n)
    c.true(read(os.path.join(work, 'pi.pub')).startswith(b'-----BEGIN PUBLIC KEY-----\n'), 'pi.pub: PEM public key')
    c.eq(openssl('pkey', '-in', os.path.join(work, 'pi.key'), '-pubout'), read(os.path.join(work, 'pi.pub')),
         'pi.pub is pi.key\'s public key')
    crt = os.path.join(work, 'sb.crt')
    text = openssl('x509', '-in', crt, '-noout', '-text').decode()
    subj = openssl('x509', '-in', crt, '-noout', '-subject', '-nameopt', 'RFC2253').decode().strip()
    c.true(subj.startswith('subject=CN=SecureBoot signing key on host ') and len(subj) - len('subject=CN=') <= 64,
           'certificate subject: %s' % subj)
    c.true('Signature Algorithm: sha256WithRSAEncryption' in text, 'certificate signed with SHA-256')
    c.true(re.search(r'X509v3 Basic Constraints: critical\s+CA:FALSE', text) is not None, 'CA:FALSE, critical')
    import datetime
    fmt = '%b %d %H:%M:%S %Y %Z'
    dates = dict(l.split('=', 1) for l in openssl('x509', '-in', crt, '-noout', '-startdate', '-enddate')
                 .decode().split('\n') if '=' in l)
    span = (datetime.datetime.strptime(dates['notAfter'].replace('  ', ' '), fmt) -
            datetime.datetime.strptime(dates['notBefore'].replace('  ', ' '), fmt))
    c.eq(span.days, 30, 'SecureBootCertificateValidity=30')
    c.eq(openssl('x509', '-in', crt, '-noout', '-pubkey'), openssl('pkey', '-in', os.path.join(work, 'sb.key'),
                                                                   '-pubout'), 'certificate of sb.key')
    # never overwrites: all outputs checked first
    before = {n: read(os.path.join(work, n)) for n in names}
    rc, _, err = run('genkey', '--config', conf, cwd=work)
    c.true(rc == 1 and 'is present' in err, 'genkey again refused: %s' % err.strip())
    c.true(all(read(os.path.join(work, n)) == before[n] for n in names), 'existing keys untouched')
    rc, _, err = run('genkey', cwd=work)
    c.true(rc == 1 and 'must be specified' in err, 'genkey without keys to make: %s' % err.strip())
    # a run that fails half way takes back what it wrote (the key, when the certificate fails)
    rc, _, err = run('genkey', '--secureboot-private-key', 'half.key', '--secureboot-certificate', 'nodir/half.crt',
                     cwd=work)
    c.true(rc == 1 and not os.path.exists(os.path.join(work, 'half.key')),
           'genkey failing at the certificate leaves no key: exit %d, %s' % (rc, err.strip()))
    # build with the same config: Secure Boot signed with sb.key, .pcrsig by both PCR keys
    out = os.path.join(work, 'uki.efi')
    build('--config', conf, '--linux', kernel('x86_64'), '--uname', 'u', '-o', out, cwd=work)
    p = subprocess.run(['sbverify', '--cert', crt, out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    c.true(p.returncode == 0, 'sbverify with the genkey certificate: %s' % p.stdout.decode(errors='replace').strip())
    e = json.loads(section(out, '.pcrsig'))
    fps = [hashlib.sha256(rsa_public_der_of_key(os.path.join(work, k))).hexdigest() for k in ('pi.key', 'ps.key')]
    c.eq(sorted(set(x['pkfp'] for x in e['sha256'])), sorted(fps), '.pcrsig signed by both genkey PCR keys')


def hwids_dir(work):
    """A --hwids directory that exercises ukify 257's packing rules."""
    d = os.path.join(work, 'hwids')
    files = {
        'a/dev1.json': {'name': 'Device One', 'compatible': 'vendor,one',
                        'hwids': ['596c2aec-82f6-5a55-8c5a-513d19d6bf2a', '{71F697DC-6610-55BC-B246-33A1B275BD2F}',
                                  '0e2d5ab8-1b8b-5d1e-8a4b-2d9a3a3f0c11', '596c2aec-82f6-5a55-8c5a-513d19d6bf2a']},
        # "a" sorts before "a-b" by path component (as Python's Path), after it as a string
        'a-b/x.json': {'name': 'Device Two', 'compatible': 'vendor,two',
                       'hwids': ['urn:uuid:ab1d1306-cebc-58ef-984f-be1b9fb092b9']},
        'a/z.json': {'name': 'Device One', 'compatible': 'vendor,one',
                     'hwids': ['3fca6fe382 8a5d8296a188cad3438a17'.replace(' ', '')]},
        '.hidden.json': {'name': 'Ger\u00e4t \u00dc', 'compatible': 'vendor,\u00fc',
                         'hwids': ['841fcb9b-ade3-5147-a0ca-101f8ab51ce7']},
        'c.json': {'name': 'Device One', 'compatible': 'vendor,one-rev2', 'hwids': ['{841fcb9b-ade3-5147-a0ca-101f8ab51ce8}']},
        'd/e/f.json': {'name': 'No CHIDs', 'compatible': 'vendor,none', 'hwids': []},
    }
    for rel, obj in files.items():
        os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
        write(os.path.join(d, rel), json.dumps(obj, indent=1, ensure_ascii=False) + '\n')
    write(os.path.join(d, 'notes.txt'), 'not a device description')
    return d


@case
def hwids_ukify_257(work, c):
    arch = 'aarch64'
    d = hwids_dir(work)
    theirs, ours = os.path.join(work, 'theirs.efi'), os.path.join(work, 'ours.efi')
    common = ['--linux', kernel(arch), '--cmdline', 'x', '--uname', '6.1.0-test', '--os-release', 'ID=test', '--hwids', d]
    ukify_build(work, ukify_257(work), *common, '--stub', stub(arch), '--output', theirs)
    build(*common, '-o', ours)
    a, b = compare_sections(c, '--hwids', theirs, ours, must=('.hwids',))
    names = lambda p: [n for n, _ in sections(p) if n in ('.cmdline', '.hwids', '.uname')]
    c.eq(names(ours), names(theirs), 'section order around .hwids')
    c.true(len(b.get('.hwids', b'')) > 8 * 28, 'the .hwids has the expected entries (%d bytes)' % len(b.get('.hwids', b'')))
    # an empty directory: just the terminating entry, both
    empty = os.path.join(work, 'empty')
    os.makedirs(empty)
    ukify_build(work, ukify_257(work), '--linux', kernel(arch), '--os-release', 'ID=test', '--hwids', empty, '--stub', stub(arch),
                '--output', theirs)
    build('--linux', kernel(arch), '--os-release', 'ID=test', '--hwids', empty, '-o', ours)
    c.eq(section(ours, '.hwids'), section(theirs, '.hwids'), 'an empty --hwids directory')
    c.eq(section(ours, '.hwids'), bytes(28), 'an empty --hwids directory: the zero entry alone')
    # refusals (ukify 257 refuses them too)
    for what, obj, msg in (('no compatible', {'name': 'n', 'hwids': []}, 'does not contain "compatible"'),
                           ('no hwids', {'name': 'n', 'compatible': 'c'}, 'does not contain "hwids"'),
                           ('not a UUID', {'name': 'n', 'compatible': 'c', 'hwids': ['1234']}, 'is not a UUID string')):
        bad = os.path.join(work, 'bad-' + what.replace(' ', '-'))
        os.makedirs(bad)
        write(os.path.join(bad, 'x.json'), json.dumps(obj))
        p = subprocess.run(ukify_257(work) + ['build', '--linux', kernel(arch), '--hwids', bad, '--stub', stub(arch),
                                             '--output', os.path.join(work, 'bad.efi')],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        c.true(p.returncode != 0, 'ukify 257 refuses --hwids with %s' % what)
        rc, _, err = run('build', '--linux', kernel(arch), '--hwids', bad, '-o', os.path.join(work, 'bad.efi'))
        c.true(rc == 1 and msg in err, 'ours refuses --hwids with %s: %d %s' % (what, rc, err.strip()))
    c.true(not os.path.exists(os.path.join(work, 'bad.efi')), 'no output file after a refusal')
    # add-ons and profile PEs take --devicetree-auto and --hwids as ukify 257 does: the same
    # sections in the same order (ukify 257 appends them to Debian 13's addon stub)
    addon_stub = need(os.path.join(CACHE, 'trixie', 'systemd-boot.pkg', 'usr', 'lib', 'systemd', 'boot', 'efi',
                                   'addonaa64.efi.stub'), "Debian 13's addon stub")
    dtbs = []
    for n in ('plain', 'auto-a', 'auto-b'):
        src = write(os.path.join(work, n + '.dts'), '/dts-v1/;\n/ {\n\tcompatible = "vendor,%s";\n};\n' % n)
        dtbs.append(os.path.join(work, n + '.dtb'))
        subprocess.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', dtbs[-1], src], check=True)
    dt_args = ['--devicetree', dtbs[0], '--devicetree-auto', dtbs[1], '--devicetree-auto', dtbs[2], '--hwids', d]
    keep = ('.profile', '.cmdline', '.dtb', '.dtbauto', '.hwids', '.uname', '.sbat')
    for what, extra, ours_extra in (('add-on', ['--cmdline', 'x', '--uname', '6.1'], ['--efi-arch', 'aa64']),
                                    ('profile PE', ['--profile', 'ID=p', '--cmdline', 'x'], [])):
        ukify_build(work, ukify_257(work), '--stub', addon_stub, *extra, *dt_args, '--output', theirs)
        build(*extra, *dt_args, *ours_extra, '-o', ours)
        t = [(n, x) for n, x in sections(theirs) if n in keep]
        o = [(n, x) for n, x in sections(ours) if n in keep]
        c.eq([n for n, _ in t].count('.dtbauto') + [n for n, _ in t].count('.hwids'), 3,
             '%s: ukify 257 made two .dtbauto and a .hwids' % what)
        c.eq([n for n, _ in o], [n for n, _ in t], '%s: section order with --devicetree-auto/--hwids' % what)
        c.true(o == t, '%s: the same sections as ukify 257 (.dtb, both .dtbauto, .hwids)' % what)


def ukify_262():
    """The development suite's ukify (262), run with /usr/bin/python3 (tools/fetch-test-assets: sid/ukify)."""
    need('/usr/bin/python3', "Debian's python3 (with python3-pefile)")
    return ['/usr/bin/python3', need(os.path.join(CACHE, 'sid', 'ukify', 'usr', 'lib', 'systemd', 'ukify'),
                                     "the development suite's ukify")]


def both_refuse_262(work, c, arch, args, what, msg):
    """ukify 262 and ours refuse `build --linux KERNEL args` (ours with msg in its error)."""
    out = os.path.join(work, 'bad.efi')
    p = subprocess.run(ukify_262() + ['build', '--linux', kernel(arch)] + args + ['--stub', stub(arch), '--output', out],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    c.true(p.returncode != 0, 'ukify 262 refuses %s' % what)
    rc, _, err = run('build', '--linux', kernel(arch), *args, '-o', out)
    c.true(rc == 1 and msg in err, 'ours refuses %s: %d %s' % (what, rc, err.strip()))


@case
def hwids_efifw_ukify_262(work, c):
    """ukify 258's additions, against the development suite's ukify 262: --hwids JSON with
    "type" (devicetree, or uefi-fw with "fwid"), both kinds mixed in nested and hidden files,
    gives a byte-identical .hwids; --efifw DIR (repeatable) byte-identical .efifw sections,
    placed after .initrd and before .ucode as there; the refusals ukify 262 also makes; ukify
    257's JSON (no "type") is still read by ours (262 refuses it); --efifw is for a UKI or a
    profile PE (byte-identical to 262's, and joined); inspect --json predicts PCR 11 for each
    .efifw a machine can pick."""
    arch = 'x86_64'
    d = os.path.join(work, 'hwids262')
    files = {
        'a/fw.json': {'type': 'uefi-fw', 'name': 'Firmware One', 'fwid': 'fw-one',
                      'hwids': ['596c2aec-82f6-5a55-8c5a-513d19d6bf2a', '{71F697DC-6610-55BC-B246-33A1B275BD2F}']},
        'a/dt.json': {'type': 'devicetree', 'name': 'Device One', 'compatible': 'vendor,one',
                      'hwids': ['596c2aec-82f6-5a55-8c5a-513d19d6bf2a']},
        'b/.hidden.json': {'type': 'uefi-fw', 'name': 'Firmware One', 'fwid': 'fw-one',
                           'hwids': ['urn:uuid:ab1d1306-cebc-58ef-984f-be1b9fb092b9']},
        'c.json': {'type': 'uefi-fw', 'name': 'Firmware Two', 'fwid': 'fw-two',
                   'hwids': ['841fcb9b-ade3-5147-a0ca-101f8ab51ce7']},
    }
    for rel, obj in files.items():
        os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
        write(os.path.join(d, rel), json.dumps(obj))
    fws = []
    for fwid, body in (('fw-one', b'first firmware image\n' * 9), ('fw-two', os.urandom(333))):
        fws.append(os.path.join(work, 'efifw', fwid))
        os.makedirs(fws[-1], exist_ok=True)
        write(os.path.join(fws[-1], 'image.bin'), body)
    initrd = write(os.path.join(work, 'initrd-262'), b'initrd bytes')
    ucode = write(os.path.join(work, 'ucode-262'), b'microcode bytes')
    theirs, ours = os.path.join(work, 'theirs262.efi'), os.path.join(work, 'ours262.efi')
    common = ['--linux', kernel(arch), '--cmdline', 'x', '--uname', '6.1.0-test', '--os-release', 'ID=test',
              '--hwids', d, '--initrd', initrd, '--microcode', ucode]
    for f in fws:
        common += ['--efifw', f]
    p = subprocess.run(ukify_262() + ['build', '--stub', stub(arch)] + common + ['--output', theirs],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=work)
    if p.returncode != 0:
        raise Fail('ukify 262 build failed (%d): %s' % (p.returncode, p.stdout.decode(errors='replace')[-1500:]))
    build(*common, '-o', ours)
    t, o = sections(theirs), sections(ours)
    c.eq([x for n, x in o if n == '.hwids'], [x for n, x in t if n == '.hwids'], '.hwids (ukify 262, ours)')
    c.eq([x for n, x in o if n == '.efifw'], [x for n, x in t if n == '.efifw'], 'both .efifw (ukify 262, ours)')
    # (ukify 262 moved .linux before .initrd in the file, which changes no measurement; ours keeps
    # ukify 257's layout, with .efifw where both put it)
    order = lambda secs: [n for n, _ in secs if n in ('.initrd', '.efifw', '.ucode')]
    c.eq(order(o), order(t), 'section order around .efifw')
    c.eq(order(o), ['.initrd', '.efifw', '.efifw', '.ucode'], 'the order itself')
    hw = dict(o).get('.hwids', b'')
    c.eq(sorted(struct.unpack_from('<I', hw, 28 * i)[0] >> 28 for i in range(6)), [0, 1, 2, 2, 2, 2],
         'one devicetree and four uefi-fw entries, then the zero entry')
    # refusals, made by ukify 262 too
    for what, obj, msg in (
            ('fwid on a devicetree device', {'type': 'devicetree', 'name': 'n', 'compatible': 'c', 'fwid': 'f', 'hwids': []},
             'does not belong to a device of type'),
            ('compatible on a uefi-fw device', {'type': 'uefi-fw', 'name': 'n', 'compatible': 'c', 'hwids': []},
             'does not belong to a device of type'),
            ('uefi-fw without fwid', {'type': 'uefi-fw', 'name': 'n', 'hwids': []}, 'does not contain "fwid"'),
            ('an unknown type', {'type': 'acpi', 'name': 'n', 'compatible': 'c', 'hwids': []}, 'unknown device type')):
        bad = os.path.join(work, 'bad262-' + what.replace(' ', '-'))
        os.makedirs(bad)
        write(os.path.join(bad, 'x.json'), json.dumps(obj))
        both_refuse_262(work, c, arch, ['--hwids', bad], '--hwids with ' + what, msg)
    two = os.path.join(work, 'efifw-bad', 'two-files')
    os.makedirs(two)
    write(os.path.join(two, 'a.bin'), b'a')
    write(os.path.join(two, 'b.bin'), b'b')
    empty = os.path.join(work, 'efifw-bad', 'empty-file')
    os.makedirs(empty)
    write(os.path.join(empty, 'a.bin'), b'')
    for what, fwdir, msg in (('two files', two, 'exactly one firmware image file'),
                             ('an empty file', empty, 'zero byte file'),
                             ('no directory', os.path.join(work, 'efifw-bad', 'missing'), 'No such file')):
        both_refuse_262(work, c, arch, ['--efifw', fwdir], '--efifw with ' + what, msg)
    c.true(not os.path.exists(os.path.join(work, 'bad.efi')), 'no output file after a refusal')
    rc, _, err = run('build', '--cmdline', 'x', '--efifw', fws[0], '-o', os.path.join(work, 'bad.efi'))
    c.true(rc == 1 and 'only for a UKI' in err, '--efifw for an add-on is refused: %d %s' % (rc, err.strip()))
    # a profile PE takes --efifw as ukify 262 does (after .initrd, before .ucode). Joined (by
    # ukify 262 or ours) it keeps its .efifw but not its .hwids, and both stubs look a .efifw up
    # with the .hwids of the same sections (the profile's, then the base's: systemd's
    # pe_locate_profile_sections()), so no machine picks it: inspect predicts nothing for it
    addon = need(os.path.join(CACHE, 'sid', 'systemd-boot.pkg', 'usr', 'lib', 'systemd', 'boot', 'efi',
                              'addonx64.efi.stub'), "the development suite's addon stub")
    pargs = ['--profile', 'ID=fw\nTITLE=Firmware', '--cmdline', 'p', '--hwids', d, '--initrd', initrd,
             '--efifw', fws[1], '--microcode', ucode]
    ptheirs, pours = os.path.join(work, 'profile262.theirs.efi'), os.path.join(work, 'profile262.ours.efi')
    p = subprocess.run(ukify_262() + ['build', '--stub', addon] + pargs + ['--output', ptheirs],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=work)
    if p.returncode != 0:
        raise Fail('ukify 262 profile build failed (%d): %s' % (p.returncode, p.stdout.decode(errors='replace')[-1500:]))
    build(*pargs, '-o', pours)
    pt, po = sections(ptheirs), sections(pours)
    keep = ('.profile', '.cmdline', '.hwids', '.initrd', '.efifw', '.ucode')
    c.eq([(n, x) for n, x in po if n in keep], [(n, x) for n, x in pt if n in keep],
         'profile PE with --efifw: the sections and their order (ukify 262, ours)')
    joined = os.path.join(work, 'joined262.efi')
    build('--linux', kernel(arch), '--cmdline', 'x', '--hwids', d, '--profile', 'ID=base', '--join-profile', pours,
          '-o', joined)
    c.eq([n for n, _ in sections(joined)].count('.efifw'), 1, "the joined UKI keeps the profile PE's .efifw")
    # and the control: with an .efifw of the base's own beside the base's .hwids, each profile
    # lists the base's (the joined profile's own still unreachable)
    joined2 = os.path.join(work, 'joined262-base-fw.efi')
    build('--linux', kernel(arch), '--cmdline', 'x', '--hwids', d, '--efifw', fws[0], '--profile', 'ID=base',
          '--join-profile', pours, '-o', joined2)
    for uki, want, what in ((joined, [[], []], 'no .efifw pickable in either profile (the joined one has no .hwids)'),
                            (joined2, [['fw-one'], ['fw-one']], "the base's .efifw in both profiles, never the joined one")):
        rc, out, err = run('inspect', '--json', uki)
        if c.true(rc == 0, 'inspect --json (%s): %s' % (os.path.basename(uki), err)):
            profs = json.loads(out).get('profiles', [])
            fw = [[e.get('fwid') for e in pr.get('pcr11', {}).get('efifw', [])] for pr in profs]
            c.eq(fw, want, 'inspect --json: ' + what)
    # ukify 257's JSON (no "type"): 262 refuses it, ours still reads it as a device tree device
    old = os.path.join(work, 'hwids257')
    os.makedirs(old)
    write(os.path.join(old, 'x.json'), json.dumps({'name': 'n', 'compatible': 'vendor,old', 'hwids': []}))
    rc, _, err = run('build', '--linux', kernel(arch), '--hwids', old, '-o', os.path.join(work, 'old.efi'))
    c.true(rc == 0, "ours reads ukify 257's JSON: %s" % err.strip())
    # inspect: a value per .efifw a machine can pick (both have uefi-fw entries), the fwid named
    rc, out, err = run('inspect', '--json', ours)
    c.true(rc == 0, 'inspect --json: %s' % err)
    if rc == 0:
        efifw = json.loads(out).get('pcr11', {}).get('efifw', [])
        idx = [i for i, (n, _) in enumerate(o) if n == '.efifw']
        c.eq([(e.get('section'), e.get('fwid')) for e in efifw], list(zip(idx, ['fw-one', 'fw-two'])),
             'inspect --json: the two .efifw a machine can pick')
        c.eq(len(set(e.get('sha256') for e in efifw) | {json.loads(out)['pcr11'].get('sha256')}), 3,
             'inspect --json: three distinct PCR 11 values (none picked, either one)')
    # .pcrsig: a policy without an .efifw and one with each pickable .efifw, measured after
    # .hwids (ukify 262 signs none with it, so its .pcrsig does not hold on such a machine);
    # each recomputed here, and the PCR 11 behind each is inspect's (which the stub tests boot)
    k1, _ = keypair(work, 'k262')
    signed = os.path.join(work, 'signed262.efi')
    build(*common, '--pcr-private-key', k1, '--phases', 'enter-initrd', '--pcr-banks', 'sha256', '-o', signed)
    ss = sections(signed)
    base = {n: x for n, x in ss if n != '.efifw'}
    fwdata = [x for n, x in ss if n == '.efifw']
    got = [x['pol'] for x in json.loads(dict(ss)['.pcrsig'])['sha256']]
    want = [policy_pcr('sha256', predict(v, 'sha256', 'enter-initrd')).hex()
            for v in [base] + [dict(base, **{'.efifw': x}) for x in fwdata]]
    c.eq(got, want, '.pcrsig: a policy without .efifw, then one with each .efifw (table order)')
    # with two .dtbauto: each .dtbauto variant, then the same three .efifw variants under it
    dts = [write(os.path.join(work, 'dtbauto262-%d' % i), os.urandom(64 + i)) for i in range(2)]
    signed2 = os.path.join(work, 'signed262-dtbauto.efi')
    build(*common, '--section', '.dtbauto:@' + dts[0], '--section', '.dtbauto:@' + dts[1], '--pcr-private-key', k1,
          '--phases', 'enter-initrd', '--pcr-banks', 'sha256', '-o', signed2)
    ss2 = sections(signed2)
    base2 = {n: x for n, x in ss2 if n not in ('.efifw', '.dtbauto')}
    want2 = [policy_pcr('sha256', predict(dict(base2, **{'.dtbauto': read(dt)}, **fw), 'sha256', 'enter-initrd')).hex()
             for dt in dts for fw in [{}] + [{'.efifw': x} for x in fwdata]]
    c.eq([x['pol'] for x in json.loads(dict(ss2)['.pcrsig'])['sha256']], want2,
         '.pcrsig: per .dtbauto, a policy without .efifw and one with each (2 x 3)')
    rc, out, err = run('inspect', '--json', signed)
    if c.true(rc == 0, 'inspect --json (signed): %s' % err):
        pj = json.loads(out).get('pcr11', {})
        c.eq([pj.get('sha256')] + [e.get('sha256') for e in pj.get('efifw', [])],
             [predict(v, 'sha256', '').hex() for v in [base] + [dict(base, **{'.efifw': x}) for x in fwdata]],
             "the PCR 11 values signed are inspect's")


@case
def inspect_dtbauto(work, c):
    """inspect's PCR 11 for each .dtbauto the stub can pick (read from the file, not a loaded
    image): one per first compatible, the first valid one of it; a blob that is not a device
    tree or has no compatible is never picked, so it gets no value; the same per profile."""
    dtbs = {}
    for n, body in (('a', 'compatible = "vendor,board-a";'), ('b', 'compatible = "vendor,board-b", "vendor,any";'),
                    ('a2', 'compatible = "vendor,board-a"; model = "second";'), ('none', 'model = "no compatible";')):
        src = write(os.path.join(work, n + '.dts'), '/dts-v1/;\n/ {\n\t%s\n};\n' % body)
        dtbs[n] = os.path.join(work, n + '.dtb')
        subprocess.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', dtbs[n], src], check=True)
    junk = write(os.path.join(work, 'junk'), os.urandom(100))
    uki = os.path.join(work, 'uki.efi')
    build('--linux', kernel('aarch64'), '--uname', 'x', '--cmdline', 'quiet',
          '--section', '.dtbauto:@' + junk, '--section', '.dtbauto:@' + dtbs['none'],
          '--section', '.dtbauto:@' + dtbs['a'], '--section', '.dtbauto:@' + dtbs['b'],
          '--section', '.dtbauto:@' + dtbs['a2'], '-o', uki)
    secs = sections(uki)
    idx = [i for i, (n, _) in enumerate(secs) if n == '.dtbauto']
    c.eq(len(idx), 5, 'five .dtbauto sections')
    rc, out, err = run('inspect', '--json', uki)
    c.true(rc == 0, 'inspect --json: %s' % err)
    if rc != 0 or len(idx) != 5:
        return
    pcr11 = json.loads(out).get('pcr11', {})
    plain = dict(secs)
    plain.pop('.dtbauto')
    c.eq(pcr11.get('sha256'), predict(plain, 'sha256', '').hex(), 'the value when no .dtbauto is picked')
    want = [{'section': idx[k], 'compatible': comp, 'hwids_only': False,
             'sha256': predict(dict(plain, **{'.dtbauto': read(dtbs[n])}), 'sha256', '').hex()}
            for k, n, comp in ((2, 'a', 'vendor,board-a'), (3, 'b', 'vendor,board-b'))]
    c.eq(pcr11.get('dtbauto'), want, 'one value per first compatible, from the first valid .dtbauto of it')
    rc, out, err = run('inspect', uki)
    lines = [ln.strip() for ln in out.splitlines() if '.dtbauto, compatible' in ln]
    c.eq(len(lines), 2, 'text: two "when section ... is picked" lines')
    c.true(all(w['sha256'] in ln for w, ln in zip(want, lines)), 'text: the same values')
    # per profile: the base's .dtbauto measured with that profile's sections (ukify 257 and we copy
    # no .dtbauto from a profile PE, so a profile has none of its own here)
    pe1 = os.path.join(work, 'prof1.efi')
    build('--profile', 'ID=one', '--cmdline', 'one', '-o', pe1)
    ukp = os.path.join(work, 'profiles.efi')
    build('--linux', kernel('aarch64'), '--uname', 'x', '--cmdline', 'quiet', '--section', '.dtbauto:@' + dtbs['a'],
          '--section', '.dtbauto:@' + dtbs['b'], '--profile', 'ID=main', '--join-profile', pe1, '-o', ukp)
    secs = sections(ukp)
    starts = [i for i, (n, _) in enumerate(secs) if n == '.profile'] + [len(secs)]
    base = {}
    for n, d in secs[:starts[0]]:
        base.setdefault(n, d)
    idx = [i for i, (n, _) in enumerate(secs) if n == '.dtbauto']
    rc, out, err = run('inspect', '--json', ukp)
    c.true(rc == 0, 'inspect --json (profiles): %s' % err)
    profiles = json.loads(out).get('profiles', []) if rc == 0 else []
    c.eq(len(profiles), 2, 'two profiles')
    for p, prof in enumerate(profiles):
        own = {}
        for n, d in secs[starts[p]:starts[p + 1]]:
            own.setdefault(n, d)
        eff = dict(base, **own)
        eff.pop('.dtbauto', None)
        want = [{'section': i, 'compatible': comp, 'hwids_only': False,
                 'sha256': predict(dict(eff, **{'.dtbauto': read(dtbs[n])}), 'sha256', '').hex()}
                for i, n, comp in zip(idx, ('a', 'b'), ('vendor,board-a', 'vendor,board-b'))]
        c.eq(prof.get('pcr11', {}).get('sha256'), predict(eff, 'sha256', '').hex(), 'profile %d: PCR 11 with no .dtbauto' % p)
        c.eq(prof.get('pcr11', {}).get('dtbauto'), want, 'profile %d: a value per .dtbauto of the base' % p)
    rc, out, err = run('inspect', ukp)
    c.eq(len([ln for ln in out.splitlines() if '.dtbauto, compatible' in ln]), 2 + 2 * 2,
         'text: the default profile\'s two lines at the top, two per profile')
    # judged as the firmware places it: a .dtbauto whose file data stops before its padding (raw
    # data shorter than VirtualSize; the rest is zero in memory) is still a device tree there
    src = write(os.path.join(work, 'pad.dts'), '/dts-v1/;\n/ {\n\tcompatible = "vendor,padded";\n};\n')
    padded = os.path.join(work, 'pad.dtb')
    subprocess.run(['dtc', '-q', '-p', '2048', '-I', 'dts', '-O', 'dtb', '-o', padded, src], check=True)
    ukpad = os.path.join(work, 'padded.efi')
    build('--linux', kernel('aarch64'), '--uname', 'x', '--section', '.dtbauto:@' + padded, '-o', ukpad)
    d = bytearray(read(ukpad))
    pe = struct.unpack_from('<I', d, 0x3c)[0]
    nsec, optsize = struct.unpack_from('<H', d, pe + 6)[0], struct.unpack_from('<H', d, pe + 20)[0]
    for i in range(nsec):
        o = pe + 24 + optsize + 40 * i
        if d[o:o + 8].rstrip(b'\0') == b'.dtbauto':
            vsize, rawsize = struct.unpack_from('<I', d, o + 8)[0], struct.unpack_from('<I', d, o + 16)[0]
            c.true(vsize == len(read(padded)) and rawsize >= vsize, '.dtbauto: VirtualSize is the blob (%d, raw %d)'
                   % (vsize, rawsize))
            struct.pack_into('<I', d, o + 16, 0x200)   # the header and the structure, not the padding
    write(ukpad, bytes(d))
    rc, out, err = run('inspect', '--json', ukpad)
    c.true(rc == 0, 'inspect --json (raw data short of VirtualSize): %s' % err)
    got = json.loads(out).get('pcr11', {}).get('dtbauto', []) if rc == 0 else []
    c.eq([(e.get('compatible'), e.get('sha256')) for e in got],
         [('vendor,padded', predict(dict(sections(ukpad)), 'sha256', '').hex())],
         'a .dtbauto complete only in memory is listed, with the PCR 11 of its zero-filled bytes')
    # without any pickable .dtbauto there is no list
    uki2 = os.path.join(work, 'uki2.efi')
    build('--linux', kernel('aarch64'), '--uname', 'x', '--section', '.dtbauto:@' + junk, '-o', uki2)
    rc, out, err = run('inspect', '--json', uki2)
    c.true(rc == 0 and 'dtbauto' not in json.loads(out).get('pcr11', {}), 'no pickable .dtbauto: no "dtbauto" list')


@case
def inspect_json_text(work, c):
    """inspect --json writes any section text as valid JSON in UTF-8: well-formed UTF-8 as it is,
    quotes, backslashes and control characters escaped, every other byte as the Latin-1
    character (util.c json_print_string)."""
    raw = b'a\xc3\xa4\xff"\\\x01\x7f\n\xed\xa0\x80\xf0\x9f\x98\x80\xc3z'
    cl = write(os.path.join(work, 'cmdline'), raw)
    uki = os.path.join(work, 'uki.efi')
    build('--linux', kernel('aarch64'), '--cmdline', '@' + cl, '-o', uki)
    p = subprocess.run([exe(), 'inspect', '--json', uki],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    c.true(p.returncode == 0, 'inspect --json: %s' % p.stderr.decode(errors='replace'))
    try:
        text = p.stdout.decode('utf-8')
        j = json.loads(text)
    except ValueError as e:
        raise Fail('inspect --json is not JSON in UTF-8: %s' % e)
    c.eq(j.get('text', {}).get('.cmdline'), 'a\u00e4\u00ff"\\\x01\x7f\n\u00ed\u00a0\u0080\U0001f600\u00c3z',
         '.cmdline: UTF-8 kept, a stray byte, a surrogate\'s encoding and a cut sequence read as Latin-1')
    c.true(all(ch not in text for ch in '\x01\x7f'), 'no raw control character in the output')


@case
def addon_entry(work, c):
    """An add-on made without --stub has an entry point, at the start of its only executable
    section, .text (read-only code, nothing writable and executable), whose code returns
    EFI_UNSUPPORTED: shim 16's loader refuses an image without one (stub-x86-addon-shim boots
    that). Disassembled here by llvm-objdump, for both architectures; --section .text is refused."""
    objdump = need(shutil.which('llvm-objdump'), 'llvm-objdump (llvm)')
    want = {'x64': ['movabsq $-9223372036854775805, %rax', 'retq'],
            'aa64': ['mov x0, #3', 'movk x0, #32768, lsl #48', 'ret']}
    for arch, insns in want.items():
        out = os.path.join(work, 'addon-%s.efi' % arch)
        build('--efi-arch', arch, '--cmdline', 'x=1', '-o', out)
        d = read(out)
        pe = struct.unpack_from('<I', d, 0x3c)[0]
        nsec, optsize = struct.unpack_from('<H', d, pe + 6)[0], struct.unpack_from('<H', d, pe + 20)[0]
        entry = struct.unpack_from('<I', d, pe + 24 + 16)[0]
        heads = [struct.unpack_from('<8sIIII12xI', d, pe + 24 + optsize + 40 * i) for i in range(nsec)]
        execs = [(h[0].rstrip(b'\0'), h[2], h[1], h[5]) for h in heads if h[5] & 0x20000000]
        c.eq([e[0] for e in execs], [b'.text'], '%s: .text is the only executable section' % arch)
        if execs:
            name, rva, vsize, flags = execs[0]
            c.true(rva == entry and vsize > 0, '%s: the entry point 0x%x is the start of .text (0x%x)' % (arch, entry, rva))
            c.eq(flags & 0xe0000020, 0x60000020, '%s: .text is code, readable, executable, not writable' % arch)
        p = subprocess.run([objdump, '-d', '--no-show-raw-insn', out], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        got = [' '.join(re.sub(r'(\s#\s|//).*', '', ln.split(':', 1)[1]).split())
               for ln in p.stdout.decode(errors='replace').splitlines() if re.match(r'\s+[0-9a-f]+:\s', ln)]
        c.eq(got, insns, '%s: the entry code' % arch)
    rc, _, err = run('build', '--cmdline', 'x=1', '--section', '.text:x', '-o', os.path.join(work, 'bad.efi'))
    c.true(rc == 1 and 'has its own .text' in err and not os.path.exists(os.path.join(work, 'bad.efi')),
           '--section .text refused for an add-on without --stub: %d %s' % (rc, err.strip()))


def rsa_public_der_of_key(key):
    return openssl('rsa', '-in', key, '-RSAPublicKey_out', '-outform', 'DER')


def main():
    return cli_common.main(CASES)


if __name__ == '__main__':
    sys.exit(main())
