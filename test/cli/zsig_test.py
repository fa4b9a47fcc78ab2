#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The payload signature (.zsig) of `zboot --sign-payload` and `extract --verify-cert` (suite
`cli`), one case per meson test:

    zsig_test.py CASE --work-dir DIR

- zsig-sign-verify: arm64 Image (gzip) and x86 bzImage (zstd) signed: inspect shows the section
  (signer, sha256); extract --verify-cert writes exactly the bytes plain extract writes; the
  section parses here as the kernel's module-signature layout (trailer fields, magic, NUL
  padding) and the openssl command alone verifies its PKCS#7 over the extracted payload; payload
  || section is a module-signature file (what a verify_pkcs7_signature() caller takes apart).
- zsig-refusals: a one-byte different payload in a valid compressed stream, carrying the
  original's .zsig and re-signed for Secure Boot with sbsign (sbverify accepts it) is refused;
  a wrong certificate is refused; an unsigned image under --verify-cert is refused; a damaged
  trailer is refused; the two options alone are refused. Nothing is written on a refusal.
- zsig-uki-secureboot: with --secureboot-* too, the payload signature is made first and sbsign
  signs the whole PE around it (sbverify OK, .zsig inside the signed image); a UKI made by
  `build` from that image keeps .zsig inside its .linux and extract --verify-cert of the UKI works.

Environment as cli_test.py: UKIFY_ZBOOT, ZBOOT_EFI_DIR, ZBOOT_TEST_CACHE. A missing prerequisite
is a failure, never a skip.
"""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys

import cli_common
from cli_common import CACHE, Check, Fail, exe, need, read  # noqa: F401 (also used through this module)

CASES, case = cli_common.registry()
MAGIC = b'~Module signature appended~\n'


def kernel(arch):
    return need(os.path.join(CACHE, {'x86_64': 'amd64', 'aarch64': 'arm64'}[arch], 'vmlinuz'), 'Debian kernel')


def run(*args):
    return cli_common.run_cli(args, dict(os.environ, UKIFY_ZBOOT_STUB_DIR=need(os.environ.get('ZBOOT_EFI_DIR'),
                                                                             'our EFI stub directory')))


def must(*args):
    return cli_common.succeeded(run(*args), args)


def sha(path):
    return hashlib.sha256(read(path)).hexdigest()


def keypair(work, name, cn):
    """A fresh RSA key and self-signed certificate, made with the openssl command."""
    need(shutil.which('openssl'), 'openssl')
    key, cert = os.path.join(work, name + '.key'), os.path.join(work, name + '.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
                    '-days', '30', '-subj', '/CN=' + cn], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return key, cert


def pe_sections(data):
    """{name: (file offset, raw size, virtual size)} of a PE file (or a UKI's .linux)."""
    pe = struct.unpack_from('<I', data, 0x3c)[0]
    n, opt = struct.unpack_from('<HxxxxxxxxxxxxH', data, pe + 6)
    out = {}
    for i in range(n):
        h = pe + 24 + opt + 40 * i
        name = data[h:h + 8].rstrip(b'\0').decode()
        vsize, _, rsize, roff = struct.unpack_from('<IIII', data, h + 8)
        out[name] = (roff, rsize, vsize)
    return out


def section(data, name):
    off, rsize, vsize = pe_sections(data)[name]
    return data[off:off + min(rsize, vsize)]


def parse_zsig(c, sec, what):
    """The module-signature layout, read independently of our C parser: the DER SignedData."""
    body = sec.rstrip(b'\0')
    c.true(len(sec) % 512 == 0, '%s: .zsig padded to the 512-byte FileAlignment (%d bytes)' % (what, len(sec)))
    if not c.true(body.endswith(MAGIC), '%s: .zsig ends with the module-signature magic' % what):
        return None
    info = body[-len(MAGIC) - 12:-len(MAGIC)]
    algo, hsh, id_type, signer_len, key_id_len = info[:5]
    sig_len = struct.unpack('>I', info[8:12])[0]
    c.eq((algo, hsh, id_type, signer_len, key_id_len, info[5:8]), (0, 0, 2, 0, 0, b'\0\0\0'),
         '%s: struct module_signature fields' % what)
    c.eq(sig_len, len(body) - 12 - len(MAGIC), '%s: sig_len is everything before the trailer' % what)
    der = body[:sig_len]
    c.true(der[:1] == b'\x30', '%s: the signature is a DER SEQUENCE' % what)
    return der


def openssl_verify(work, der, payload_path, cert):
    """The openssl command's CMS verification of the detached signature over the payload file,
    the signer pinned to cert (no chain: the certificate is the trust anchor itself)."""
    sig = os.path.join(work, 'sig.der')
    with open(sig, 'wb') as f:
        f.write(der)
    p = subprocess.run(['openssl', 'cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content',
                        payload_path, '-certfile', cert, '-nointern', '-noverify', '-out', os.devnull],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode == 0, p.stdout.decode(errors='replace').strip()


@case
def zsig_sign_verify(work, c):
    key, cert = keypair(work, 'payload', 'zsig test payload key')
    for arch, comp in (('aarch64', 'gzip'), ('x86_64', 'zstd')):
        what = '%s/%s' % (arch, comp)
        z, zu = os.path.join(work, arch + '.efi'), os.path.join(work, arch + '.unsigned.efi')
        _, err = must('zboot', kernel(arch), '-c', comp, '-l', '3', '--sign-payload', key, '--sign-payload-cert',
                      cert, '-o', z)
        c.true('payload signed' in err, '%s: zboot says the payload is signed: %s' % (what, err.strip()))
        must('zboot', kernel(arch), '-c', comp, '-l', '3', '-o', zu)
        names = list(pe_sections(read(z)))
        c.true('.zsig' in names and names[-1] == '.zdata' and names.index('.zsig') == len(names) - 2,
               '%s: .zsig right before .zdata, the payload still last: %s' % (what, names))
        c.true('.zsig' not in pe_sections(read(zu)), '%s: no .zsig without --sign-payload' % what)
        js = json.loads(must('inspect', '--json', z)[0])
        ps = js.get('zboot', {}).get('payload_signature') or js.get('payload_signature')
        if c.true(ps is not None, '%s: inspect --json has payload_signature: %s' % (what, json.dumps(js)[:300])):
            c.eq(ps.get('digest'), 'SHA256', '%s: inspect digest' % what)
            c.true('zsig test payload key' in ps.get('signer', ''), '%s: inspect signer %r' % (what, ps.get('signer')))
        out, _ = must('inspect', z)
        c.true('payload signature (.zsig): PKCS#7 detached, SHA256' in out, '%s: inspect text: %s' % (what, out[-400:]))
        # verified extract = plain extract of the unsigned image, byte for byte
        xv, xu = z + '.verified', zu + '.plain'
        _, err = must('extract', z, '--verify-cert', cert, '-o', xv)
        c.true('payload signature verified' in err, '%s: extract says verified: %s' % (what, err.strip()))
        must('extract', zu, '-o', xu)
        c.eq(sha(xv), sha(xu), '%s: the verified payload is the plain payload' % what)
        der = parse_zsig(c, section(read(z), '.zsig'), what)
        if der:
            ok, msg = openssl_verify(work, der, xv, cert)
            c.true(ok, '%s: openssl cms -verify of .zsig over the extracted payload: %s' % (what, msg))
            # one byte changed: openssl refuses too (the signature is over exactly these bytes)
            bad = bytearray(read(xv))
            bad[len(bad) // 3] ^= 0x40
            with open(xv + '.flip', 'wb') as f:
                f.write(bad)
            ok, _ = openssl_verify(work, der, xv + '.flip', cert)
            c.true(not ok, '%s: openssl accepts .zsig over a changed payload' % what)
            # payload || section is a signed module: marker at the very end, sig_len before it
            whole = read(xv) + section(read(z), '.zsig').rstrip(b'\0')
            c.true(whole.endswith(MAGIC) and
                   struct.unpack('>I', whole[-len(MAGIC) - 4:-len(MAGIC)])[0] == len(der) and
                   whole[len(whole) - len(MAGIC) - 12 - len(der):][:len(der)] == der and
                   len(whole) - len(MAGIC) - 12 - len(der) == os.path.getsize(xv),
                   '%s: payload || .zsig has the module-signature layout' % what)


def replace_section(data, name, new):
    off, rsize, vsize = pe_sections(data)[name]
    if len(new) > rsize:
        raise Fail('replacement for %s too large' % name)
    out = bytearray(data)
    out[off:off + rsize] = new + b'\0' * (rsize - len(new))
    return bytes(out)


@case
def zsig_refusals(work, c):
    need(shutil.which('sbsign'), 'sbsign (sbsigntool)')
    need(shutil.which('sbverify'), 'sbverify (sbsigntool)')
    key, cert = keypair(work, 'payload', 'zsig test payload key')
    key2, cert2 = keypair(work, 'other', 'zsig test other key')
    sbkey, sbcert = keypair(work, 'db', 'zsig test secure boot key')
    k = kernel('aarch64')
    good = os.path.join(work, 'good.efi')
    must('zboot', k, '-c', 'gzip', '-l', '1', '--sign-payload', key, '--sign-payload-cert', cert, '-o', good)

    # The tampered image: a kernel one byte different (inside the Image, past the header), wrapped
    # and signed with the same key so the .zsig sizes agree, then the good image's .zsig put in
    # its place and the PE re-signed with sbsign: a valid compressed stream, a valid zboot header,
    # a valid Authenticode signature, a payload one byte different from what .zsig signs.
    kd = bytearray(read(k))
    kd[len(kd) // 2] ^= 0x01
    k2 = os.path.join(work, 'Image.tampered')
    with open(k2, 'wb') as f:
        f.write(kd)
    t0, t1 = os.path.join(work, 'tampered.unsigned.efi'), os.path.join(work, 'tampered.efi')
    must('zboot', k2, '-c', 'gzip', '-l', '1', '--sign-payload', key, '--sign-payload-cert', cert, '-o', t0)
    good_sig = section(read(good), '.zsig')
    c.eq(len(section(read(t0), '.zsig')), len(good_sig), 'the two .zsig sections have one size')
    swapped = replace_section(read(t0), '.zsig', good_sig.rstrip(b'\0'))
    with open(t0, 'wb') as f:
        f.write(swapped)
    subprocess.run(['sbsign', '--key', sbkey, '--cert', sbcert, '--output', t1, t0], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    v = subprocess.run(['sbverify', '--cert', sbcert, t1], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    c.true(v.returncode == 0, 'tampered image: the outer PE signature is valid (sbverify): %s' % v.stdout.decode())
    rc, _, err = run('extract', t1, '-o', t1 + '.plain')
    c.true(rc == 0, 'tampered image: its payload decompresses (a valid stream): %s' % err.strip())
    c.true(read(t1 + '.plain')[:len(kd)] == bytes(kd) if rc == 0 else False, 'tampered image: payload = tampered Image')

    def refused(args, want, what):
        out = os.path.join(work, 'out.bin')
        if os.path.exists(out):
            os.unlink(out)
        rc, _, err = run(*args, '-o', out)
        c.true(rc == 1 and want in err, '%s: want exit 1 and %r, got %d: %s' % (what, want, rc, err.strip()))
        c.true(not os.path.exists(out), '%s: nothing written' % what)

    refused(('extract', t1, '--verify-cert', cert), 'the payload signature does not match the decompressed kernel',
            'tampered payload')
    refused(('extract', good, '--verify-cert', cert2), 'not by the certificate', 'wrong certificate')
    unsigned = os.path.join(work, 'unsigned.efi')
    must('zboot', k, '-c', 'gzip', '-l', '1', '-o', unsigned)
    refused(('extract', unsigned, '--verify-cert', cert), 'no payload signature (.zsig section)', 'unsigned image')
    # a damaged trailer (sig_len one too large): refused as malformed, before any crypto
    sec = bytearray(good_sig.rstrip(b'\0'))
    n = struct.unpack_from('>I', sec, len(sec) - len(MAGIC) - 4)[0]
    struct.pack_into('>I', sec, len(sec) - len(MAGIC) - 4, n + 1)
    bad = os.path.join(work, 'badtrailer.efi')
    with open(bad, 'wb') as f:
        f.write(replace_section(read(good), '.zsig', bytes(sec)))
    refused(('extract', bad, '--verify-cert', cert), '.zsig: sig_len does not match the section', 'bad trailer')
    # a certificate file that is none
    refused(('extract', good, '--verify-cert', k), 'not an X.509 certificate', 'not a certificate')
    # the options
    rc, _, err = run('zboot', k, '--sign-payload', key, '-o', os.path.join(work, 'x.efi'))
    c.true(rc == 1 and '--sign-payload and --sign-payload-cert go together' in err, 'key alone: %s' % err.strip())
    rc, _, err = run('zboot', k, '--sign-payload', key2, '--sign-payload-cert', cert, '-o', os.path.join(work, 'x.efi'))
    c.true(rc == 1 and 'does not belong to the certificate' in err, 'mismatched key: %s' % err.strip())
    c.true(not os.path.exists(os.path.join(work, 'x.efi')), 'refused zboot wrote nothing')
    # and the good image still verifies after all that
    rc, _, err = run('extract', good, '--verify-cert', cert, '-o', os.path.join(work, 'good.Image'))
    c.true(rc == 0, 'good image verifies: %s' % err.strip())


@case
def zsig_uki_secureboot(work, c):
    need(shutil.which('sbverify'), 'sbverify (sbsigntool)')
    key, cert = keypair(work, 'payload', 'zsig test payload key')
    sbkey, sbcert = keypair(work, 'db', 'zsig test secure boot key')
    k = kernel('aarch64')
    z = os.path.join(work, 'vmlinuz.efi')
    must('zboot', k, '-c', 'zstd', '-l', '3', '--sign-payload', key, '--sign-payload-cert', cert,
         '--secureboot-private-key', sbkey, '--secureboot-certificate', sbcert, '-o', z)
    v = subprocess.run(['sbverify', '--cert', sbcert, z], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    c.true(v.returncode == 0, 'sbverify of the signed zboot image: %s' % v.stdout.decode().strip())
    data = read(z)
    secs = pe_sections(data)
    # the Authenticode hash covers every section's raw data; the certificate table comes after them
    sec_dir = struct.unpack_from('<II', data, struct.unpack_from('<I', data, 0x3c)[0] + 24 + 144)
    off, rsize, _ = secs['.zsig']
    c.true(sec_dir[0] >= off + rsize, '.zsig lies before the certificate table (covered by Authenticode)')
    # flipping a .zsig byte breaks the Secure Boot signature: it is covered
    flip = bytearray(data)
    flip[off + 10] ^= 1
    with open(z + '.flip', 'wb') as f:
        f.write(flip)
    v = subprocess.run(['sbverify', '--cert', sbcert, z + '.flip'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    c.true(v.returncode != 0, 'sbverify accepts the image with a .zsig byte changed')
    xz = os.path.join(work, 'Image.zboot')
    must('extract', z, '--verify-cert', cert, '-o', xz)
    uki = os.path.join(work, 'uki.efi')
    must('build', '--linux', z, '--cmdline', 'console=ttyAMA0', '-o', uki)
    linux = section(read(uki), '.linux')
    c.true('.zsig' in pe_sections(linux), 'the UKI .linux keeps .zsig')
    xu = os.path.join(work, 'Image.uki')
    rc, _, err = run('extract', uki, '--verify-cert', cert, '-o', xu)
    c.true(rc == 0 and 'payload signature verified' in err, 'extract --verify-cert of the UKI: %s' % err.strip())
    c.true(rc == 0 and sha(xu) == sha(xz), 'the UKI gives the same verified payload')
    js = json.loads(must('inspect', '--json', uki)[0])
    c.true('payload_signature' in json.dumps(js), 'inspect of the UKI shows the .linux payload signature')


def main():
    return cli_common.main(CASES)


if __name__ == '__main__':
    sys.exit(main())
