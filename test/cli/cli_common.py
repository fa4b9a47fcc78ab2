# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the `cli` suite's scripts share (cli_test.py, ukify_options_test.py, zsig_test.py,
profile_cli_test.py, stubs_test.py): the case registry, the failure and check types,
prerequisites, running ukify-zboot (run_cli, succeeded), and the runner that calls one case in
its own work directory.

Environment: UKIFY_ZBOOT (the binary), ZBOOT_EFI_DIR (our stubs), ZBOOT_TEST_CACHE (Debian
kernels from tools/fetch-test-assets). A missing prerequisite is a failure, never a skip.
"""
import argparse
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.environ.get('ZBOOT_TEST_CACHE', os.path.join(HERE, '..', 'cache'))


def registry():
    """(CASES, case): a dict of cases by name and the decorator that adds a function to it
    (its name with '-' for '_')."""
    cases = {}

    def case(fn):
        cases[fn.__name__.replace('_', '-')] = fn
        return fn
    return cases, case


class Fail(Exception):
    pass


class Check:
    def __init__(self):
        self.failures = []

    def true(self, cond, msg):
        if not cond:
            self.failures.append(msg)
            print('FAIL: ' + msg)
        return cond

    def eq(self, got, want, what):
        return self.true(got == want, '%s: got %r, want %r' % (what, got, want))


def need(path, what):
    if not path or not os.path.exists(path):
        raise Fail('%s missing: %s (run tools/fetch-test-assets / tools/setup / build first)' % (what, path))
    return path


def exe():
    return need(os.environ.get('UKIFY_ZBOOT'), 'ukify-zboot binary')


def run_cli(args, env):
    """(returncode, stdout, stderr) of ukify-zboot ARGS with the environment ENV, no stdin."""
    p = subprocess.run([exe()] + [str(a) for a in args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def succeeded(result, args):
    """(stdout, stderr) of a run_cli() result; Fail with the end of stderr when it failed."""
    rc, out, err = result
    if rc != 0:
        raise Fail('ukify-zboot %s failed (%d): %s' % (' '.join(map(str, args)), rc, err.strip()[-800:]))
    return out, err


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def main(cases, doc=None):
    """CASE --work-dir DIR: runs cases[CASE](DIR/CASE, Check()) in a fresh DIR/CASE; 0 when no
    check failed and nothing raised Fail."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('case', choices=sorted(cases))
    ap.add_argument('--work-dir', required=True)
    a = ap.parse_args()
    work = os.path.join(a.work_dir, a.case)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    c = Check()
    try:
        cases[a.case](os.path.abspath(work), c)
    except Fail as e:
        print('FAIL: %s' % e)
        return 1
    if c.failures:
        print('%d check(s) failed' % len(c.failures))
        return 1
    print('ok')
    return 0
