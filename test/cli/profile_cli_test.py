#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Multi-profile UKIs on the host (docs/stub.md "Profiles"), against Debian 13's ukify and
systemd-measure 257 (never installed: test/cache/trixie, as ukify_options_test.py runs them):

  profile-ukify-257  profile PEs made by us and by ukify 257 join into a UKI built by us and one
                     built by ukify 257 with the same options; each profile's own sections are
                     the same bytes in both; `inspect --json` predicts for every profile of
                     ukify's UKI exactly the PCR 11 value systemd-measure 257 computed for it
                     (ukify --measure), and `build --measure` does the same for ours.
  profile-refusals   what --join-profile refuses, as ukify 257 does.

Usage: profile_cli_test.py CASE --work-dir DIR
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cli_common  # noqa: E402
import ukify_options_test as O  # noqa: E402

CASES, case = cli_common.registry()


OSREL = 'ID=debian\nPRETTY_NAME="profile test"\n'
P0 = 'ID=main\nTITLE=Default\n'
P1 = 'ID=one\nTITLE=Profile One\n'
P2 = 'ID=two\nTITLE=Profile Two\n'


def profiles(path):
    """[[(name, bytes)]] of each profile's own sections (from its .profile to the next)."""
    out = []
    for n, d in O.sections(path):
        if n == '.profile':
            out.append([])
        if out:
            out[-1].append((n, d))
    return out


def addon_stub():
    return O.need(os.path.join(O.CACHE, 'trixie', 'systemd-boot.pkg', 'usr', 'lib', 'systemd', 'boot', 'efi',
                               'addonx64.efi.stub'), "Debian 13's addon stub")


def measured(text):
    """The sha256 PCR 11 values in the order printed: ours ("11:" and "11@N:", no phase), or
    ukify's (one `systemd-measure calculate` per profile, one value per boot phase path)."""
    return re.findall(r'^11(?:@\d+)?:sha256=([0-9a-f]{64})$', text, re.M)


def phases(text):
    """The phase paths ukify's systemd-measure printed, in order ("# PCR[11] Phase <...>")."""
    return re.findall(r'^# PCR\[11\] Phase <([^>]*)>$', text, re.M)


def with_phase(pcr_hex, phase):
    """A stub PCR 11 value extended by systemd-pcrphase's words (the phase path), as
    systemd-measure predicts it."""
    pcr = bytes.fromhex(pcr_hex)
    for word in phase.split(':') if phase else []:
        pcr = O.hashlib.sha256(pcr + O.hashlib.sha256(word.encode()).digest()).digest()
    return pcr.hex()


def expand(values, paths):
    """Our per-profile values, each extended by every phase path systemd-measure used."""
    per = len(paths) // max(len(values), 1)
    return [with_phase(v, ph) for v in values for ph in paths[:per]]


@case
def profile_ukify_257(work, c):
    ukify = O.ukify_257(work)
    kernel = O.kernel('x86_64')
    osrel = O.write(os.path.join(work, 'os-release'), OSREL)
    # profile 1 made by us, profile 2 by ukify 257 (from its addon stub)
    p1 = os.path.join(work, 'p1.efi')
    ucode = O.write(os.path.join(work, 'ucode'), 'microcode of profile 1')   # .ucode in a profile PE, as ukify
    O.build('--profile', P1, '--cmdline', 'console=ttyS0 one', '--microcode', ucode, '-o', p1)
    p2 = os.path.join(work, 'p2.efi')
    O.ukify_build(work, ukify, '--stub', addon_stub(), '--profile', P2, '--cmdline', 'console=ttyS0 two',
                  '--output', p2)
    common = ['--linux', kernel, '--os-release', '@' + osrel, '--cmdline', 'console=ttyS0 zero', '--uname', '6.1.0-x',
              '--profile', P0, '--join-profile', p1, '--join-profile', p2]

    theirs = os.path.join(work, 'theirs.efi')
    out = O.ukify_build(work, ukify, '--stub', O.need(os.path.join(O.CACHE, 'trixie', 'systemd-boot',
                                                                   'linuxx64.efi.stub'), "Debian 13's sd-stub"),
                        '--measure', '--pcr-banks', 'sha256', '--output', theirs, *common)
    want, paths = measured(out), phases(out)
    c.true(len(want) == len(paths) and len(want) % 3 == 0 and len(want) > 0,
           'ukify --measure: systemd-measure 257 values, one per phase path for each of 3 profiles: %r' % paths)

    ours = os.path.join(work, 'ours.efi')
    rc, sout, err = O.run('build', '--measure', '-o', ours, *common)
    if rc != 0:
        raise O.Fail('build failed: %s' % err.strip()[-800:])

    a, b = profiles(theirs), profiles(ours)
    c.eq(len(a), 3, 'ukify 257: three profiles')
    c.eq([[n for n, _ in p] for p in b], [[n for n, _ in p] for p in a], 'the profiles\' own sections, in order')
    c.true(a == b, 'every profile section has the same bytes in both UKIs')
    c.eq([dict(p).get('.cmdline') for p in b], [None, b'console=ttyS0 one', b'console=ttyS0 two'],
         'the profiles\' own .cmdline')
    c.eq([dict(p).get('.ucode') for p in a], [None, b'microcode of profile 1', None],
         "profile 1's own .ucode, joined by ukify 257 from our profile PE")

    j = O.json.loads(O.run('inspect', '--json', theirs)[1])
    got = [p.get('pcr11', {}).get('sha256') for p in j.get('profiles', [])]
    c.eq(len(got), 3, 'inspect --json: three profiles')
    c.eq(expand(got, paths), want, 'inspect --json per-profile PCR 11 of ukify\'s UKI = systemd-measure 257')
    c.eq([(p['profile'], p['id'], p['title']) for p in j.get('profiles', [])],
         [(0, 'main', 'Default'), (1, 'one', 'Profile One'), (2, 'two', 'Profile Two')], 'inspect: ID and TITLE')
    c.eq(j.get('pcr11', {}).get('sha256'), got[0] if got else None, 'inspect "pcr11" is profile 0\'s')

    # ours: build --measure against ukify + systemd-measure 257 on our UKI
    ours2 = os.path.join(work, 'ours-by-ukify.efi')
    out2 = O.ukify_build(work, ukify, '--stub', O.stub('x86_64'), '--measure', '--pcr-banks', 'sha256',
                         '--output', ours2, *common)
    c.eq(len(measured(sout)), 3, 'build --measure: one value per profile')
    c.eq(expand(measured(sout), phases(out2)), measured(out2),
         'build --measure of our UKI = ukify + systemd-measure 257 with our stub')
    c.true(profiles(ours2) == b, 'ukify 257 with our stub makes the same profiles')


@case
def profile_refusals(work, c):
    kernel = O.kernel('x86_64')
    plain = os.path.join(work, 'plain.efi')
    O.build('--linux', kernel, '--cmdline', 'x', '-o', plain)
    p1 = os.path.join(work, 'p1.efi')
    O.build('--profile', P1, '--cmdline', 'one', '-o', p1)
    multi = os.path.join(work, 'multi.efi')
    O.build('--linux', kernel, '--cmdline', 'x', '--join-profile', p1, '--join-profile', p1, '-o', multi)
    two = os.path.join(work, 'two.efi')
    O.build('--profile', P1, '--section', '.profile:' + P2, '-o', two)
    for what, path, msg in (('a UKI without .profile (.sbat first)', plain, 'expected .profile as the first'),
                            ('a UKI with profiles (.sbat first)', multi, 'expected .profile as the first'),
                            ('a profile PE with two .profile sections', two, 'more than one .profile')):
        out = os.path.join(work, 'refused.efi')
        rc, _, err = O.run('build', '--linux', kernel, '--join-profile', path, '-o', out)
        c.true(rc != 0 and not os.path.exists(out), 'joining %s: refused' % what)
        c.true(msg in err, 'joining %s: says why (%s)' % (what, err.strip()))
    j = O.json.loads(O.run('inspect', '--json', multi)[1])
    c.eq([(p['profile'], p['id']) for p in j['profiles']], [(0, 'main'), (1, 'one'), (2, 'one')],
         'only --join-profile: profile 0 is "ID=main", as ukify')


def main():
    return cli_common.main(CASES, __doc__)


if __name__ == '__main__':
    sys.exit(main())
