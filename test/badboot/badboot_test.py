#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Bad images booted through our EFI binaries (issue 13's hostile-input campaign, issue 19's
old gzip size rule): ONE QEMU boot per arch. No boot manager on the ESP, so the firmware starts
its UEFI Shell, whose startup.nsh runs every bad image in turn and after each prints a marker
with the Shell's %lasterror%, then a final marker.

Two kinds of bad image:
  self   our self-decompressor (`ukify-zboot zboot` of the Debian kernel, gzip: the gzip-only
         zboot<arch>-gzip.efi.stub) with one field
         of its zboot header (in the file and in the self map's copy, which is what the
         self-decompressor reads: docs/format.md §1) or its payload broken;
  uki    our UKI stub (linux<arch>.efi.stub) with a file of test/bad-images/ as .linux.
         `ukify-zboot build` refuses these kernels (test/cli checks that), so the UKI is our
         stub plus sections appended by the harness (H.append_sections), as test/boot does.
And one file only the firmware reads (a text file, not a PE: the firmware refuses it itself),
run from a nested script: the Shell aborts a script whose command cannot be loaded, and the
outer one must go on.

For each image: our log line with its specific reason, an EFI error status (high bit set), no
"starting kernel" from us (the info line both binaries print right before they hand over: the
self-decompressor prints it by default, the UKI stub only with zboot.debug, so the UKIs' .cmdline
carries zboot.debug) and no kernel output; after the last one the final marker (the
firmware and the Shell went on). Usage: badboot_test.py CASE [--log-dir DIR]
"""

import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
sys.path.insert(0, os.path.join(HERE, '..', 'boot'))
import zboot_harness as H  # noqa: E402
import boot_test as B  # noqa: E402

case = H.CaseTable()
BAD_DIR = os.path.join(HERE, '..', 'bad-images')
RUN, DONE, END = 'BADBOOT-RUN', 'BADBOOT-DONE', 'BADBOOT-END'
SELF_MAGIC = b'ZBSELF01'


def bad_image(name):
    """The bytes of a file of test/bad-images/ (bad-empty.img is empty on purpose)."""
    path = os.path.join(BAD_DIR, name)
    if not os.path.isfile(path):
        raise H.HarnessError('bad image missing: %s (test/bad-images/make-bad-images.py)' % path)
    with open(path, 'rb') as f:
        return f.read()


# ---- our self-decompressor, broken ----------------------------------------------------------

def self_edit(good, fn):
    """A copy of the vmlinuz.efi `good` changed by fn(bytearray, payload offset, payload size),
    with the self map's copy of the zboot header made equal to the file's (B.sync_self_map)."""
    out = bytearray(good)
    off, size = struct.unpack_from('<II', good, 8)
    fn(out, off, size)
    return bytes(B.sync_self_map(out, good[:64]))


def set32(at, value):
    def fn(out, off, size):
        struct.pack_into('<I', out, at, value)
    return fn


def set_bytes(at, value):
    def fn(out, off, size):
        out[at:at + len(value)] = value
    return fn


def gzip_old_rule(out, off, size):
    # the old ukify-zboot rule: gzip's payload size without the member's last 4 bytes (ISIZE)
    struct.pack_into('<I', out, 12, size - 4)


def gzip_truncated(out, off, size):
    # the first half of the deflate stream, then the member's CRC32 + ISIZE: the header is
    # consistent, the stream ends early
    half = size // 2
    tail = bytes(out[off + size - 8:off + size])
    out[off + half:off + half + 8] = tail
    out[off + half + 8:off + size] = bytes(size - half - 8)
    struct.pack_into('<I', out, 12, half + 8)


def bitflip(out, off, size):
    out[off + size // 2] ^= 0x40


def isize(value):
    def fn(out, off, size):
        struct.pack_into('<I', out, off + size - 4, value)
    return fn


def label_xz_on_gzip_stub(out, off, size):
    # the good image's stub is zboot<arch>-gzip.efi.stub (one decoder): label its payload xzkern,
    # the gzip ISIZE serving as xz's appended size, so only the missing decoder stops it
    out[0x18:0x20] = b'xzkern\0\0'
    struct.pack_into('<I', out, 0x0c, size - 4)


def self_map_absurd(out, off, size):
    # the self map's .zdata size (ukify-zboot writes it) far beyond the image
    i = bytes(out).find(SELF_MAGIC + bytes(out[:64]))
    if i < 0:
        raise H.HarnessError('no filled self map in our vmlinuz.efi')
    struct.pack_into('<I', out, i + 8 + 64 + 12, 0x7ffff000)


# (name, edit, regex of our log line). The file's size and PE stay valid: the firmware loads
# every one of them and our code must refuse it.
SELF_CASES = [
    ('self-comp-unknown', set_bytes(0x18, b'brotli\0\0'), r'unknown compression "brotli"'),
    ('self-reserved', set32(0x10, 1), r'not a valid zboot image: reserved bytes 0x10\.\.0x17 are not zero'),
    ('self-pe-magic', set32(0x38, 0x12345678), r'not a valid zboot image: LINUX_PE_MAGIC missing'),
    ('self-size-zero', set32(0x0c, 0), r'not a valid zboot image: payload size is 0'),
    ('self-past-eof', set32(0x0c, 0x7ffffff0), r'not a valid zboot image: payload offset/size .* past the end'),
    ('self-offset-in-header', set32(0x08, 0x20), r'not a valid zboot image: payload offset points into the zboot header'),
    ('self-map-absurd', self_map_absurd, r"not a valid zboot image: the self-decompressor's map of its payload does "
                                         r'not fit the image'),
    # one stub per compression: a payload its stub has no decoder for (ukify-zboot refuses to
    # make this image; the .zdec list says so: docs/design.md "One stub per compression")
    ('self-stub-lacks-decoder', label_xz_on_gzip_stub, r'xzkern payloads are not supported by this build '
                                                       r'\(this stub decodes gzip\)'),
    ('self-gzip-old-rule', gzip_old_rule, r'not a valid zboot image: gzip payload size leaves out the gzip trailer '
                                          r'\(ISIZE\): image made by an old ukify-zboot; remake it'),
    ('self-truncated', gzip_truncated, r'cannot decompress gzip payload: compressed data is (truncated|corrupt)'),
    # deflate decodes a flipped bit into other data: wrong (corrupt) or more than ISIZE says
    ('self-bitflip', bitflip, r'cannot decompress gzip payload: (compressed data is corrupt|data decompresses to '
                              r'more than the space given)'),
    # x86: the .zbx86 copy of the payload's trailer places the kernel; arm64: the size alone
    ('self-isize-absurd', isize(0xfffffff0), {'x86_64': r'no room for the kernel: 4095 MiB',
                                              'aarch64': r'no free memory for 0x100000000 bytes'}),
    ('self-isize-small', isize(0x1000), {'x86_64': r'\.zbx86 section: x86 payload trailer missing or inconsistent',
                                         'aarch64': r'cannot decompress gzip payload: data decompresses to more '
                                                    r'than the space given'}),
]

# (name, file in test/bad-images/, regex of our log line, arches)
UKI_CASES = [
    ('uki-gzip-old-rule', 'bad-zboot-gzip-old-rule.img',
     r'not a valid zboot image: gzip payload size leaves out the gzip trailer \(ISIZE\): image made by an old '
     r'ukify-zboot; remake it', ('x86_64', 'aarch64')),
    ('uki-comp-unknown', 'bad-zboot-comp-unknown.img', r'unknown compression "brotli"', ('x86_64', 'aarch64')),
    ('uki-reserved', 'bad-zboot-reserved.img', r'not a valid zboot image: reserved bytes', ('x86_64', 'aarch64')),
    ('uki-payload-past-eof', 'bad-zboot-payload-offset-past-eof.img',
     r'not a valid zboot image: payload offset/size .* past the end', ('x86_64', 'aarch64')),
    ('uki-bitflip', 'bad-zboot-payload-bitflip.img', r'cannot decompress gzip payload: compressed data is '
                                                     r'(corrupt|truncated)', ('x86_64', 'aarch64')),
    ('uki-lz4-labelled-gzip', 'bad-zboot-lz4-labelled-gzip.img', r'cannot decompress lz4 payload: compressed data '
                                                                 r'is corrupt', ('x86_64', 'aarch64')),
    ('uki-bomb', 'bad-zboot-bomb.img', r'cannot decompress gzip payload: data decompresses to more than the space '
                                       r'given', ('x86_64', 'aarch64')),
    ('uki-trailer-huge', 'bad-zboot-trailer-huge.img', r'no free memory for 0x100000000 bytes',
     ('x86_64', 'aarch64')),
    ('uki-bzimage-old-protocol', 'bad-bzimage-old-protocol.img', r'kernel image: PE headers are malformed',
     ('x86_64', 'aarch64')),
    ('uki-arm64-image-x86', 'bad-arm64-image-size-small.img', r'kernel image is for another machine \(0xaa64\)',
     ('x86_64',)),
    ('uki-arm64-image-small', 'bad-arm64-image-size-small.img', r'arm64 Image header image_size 256 is smaller than '
                                                                r'the image', ('aarch64',)),
    ('uki-arm64-image-absurd', 'bad-arm64-image-size-absurd.img', r'arm64 Image header image_size 1099511627776 is '
                                                                  r'smaller than the image .* or absurd', ('aarch64',)),
    ('uki-arm64-image-pe', 'bad-arm64-image-pe.img', r'kernel image: PE headers are malformed', ('x86_64', 'aarch64')),
    ('uki-empty', 'bad-empty.img', r'this UKI has no \.linux section', ('x86_64', 'aarch64')),
]

# The EFI status our log line ends with, and its code: the Shell's %lasterror% is the status
# without the error bit.
STATUS = {'load error': 1, 'unsupported': 3, 'out of resources': 9, 'not found': 14}


def shell_run(check, log, label, what):
    """The serial log between the startup.nsh lines 'RUN label' and 'DONE label %lasterror%':
    (that text, the %lasterror% the Shell printed, where the DONE line ends), or None (failed
    check: the Shell never got to the end of it, `what` says which image)."""
    start = re.search(r'^%s %s$' % (RUN, re.escape(label)), log, re.M)
    done = re.search(r'^%s %s (\S+)$' % (DONE, re.escape(label)), log, re.M)
    if not check.true(start is not None and done is not None and start.end() < done.start(),
                      '%s: the Shell did not run it to the end (hang or crash?)' % what):
        return None
    return log[start.end():done.start()], done.group(1).lower(), done.end()


def uki(arch, log_dir, linux):
    out = os.path.join(log_dir, 'badboot-uki-%s.tmp' % arch)   # the two arches run in parallel
    # zboot.debug: the UKI stub then prints "starting kernel" before any kernel start (silent by
    # default), which the check below looks for
    H.append_sections(B.our_stub('linux', arch), out, [
        ('.osrel', B.OSREL), ('.cmdline', H.default_cmdline(arch, 'badboot zboot.debug').encode()),
        ('.linux', linux)])
    data = open(out, 'rb').read()
    os.unlink(out)
    return data


def images(arch, log_dir):
    """[(case name, ESP file name, bytes, regex of our log line)]"""
    out = []
    good_path = B.make_zboot(log_dir, 'badboot-%s' % arch, arch, 'gzip', level='1')
    good = open(good_path, 'rb').read()
    os.unlink(good_path)
    for name, fn, regex in SELF_CASES:
        out.append((name, self_edit(good, fn), regex[arch] if isinstance(regex, dict) else regex))
    for name, f, regex, arches in UKI_CASES:
        if arch in arches:
            out.append((name, uki(arch, log_dir, bad_image(f)), regex))
    return [(name, 'b%02d.efi' % i, data, regex) for i, (name, data, regex) in enumerate(out)]


def run_all(arch, log_dir):
    name = 'badboot-' + {'x86_64': 'x86', 'aarch64': 'arm64'}[arch]
    imgs = images(arch, log_dir)
    nsh = '@echo -off\r\nfs0:\r\n'
    files = {}
    for cname, fname, data, _ in imgs:
        files[fname] = data
        nsh += 'echo %s %s\r\n\\%s\r\necho %s %s %%lasterror%%\r\n' % (RUN, cname, fname, DONE, cname)
    # not a PE: the firmware's LoadImage refuses it (EFI_UNSUPPORTED), the Shell aborts the
    # script that ran it and goes on with ours
    files['fw.efi'], files['fw.nsh'] = bad_image('bad-text.img'), b'\\fw.efi\r\necho FW-NOT-REACHED\r\n'
    nsh += 'echo %s firmware-not-pe\r\n\\fw.nsh\r\necho %s firmware-not-pe %%lasterror%%\r\n' % (RUN, DONE)
    nsh += 'echo %s\r\nreset -s\r\n' % END
    files['startup.nsh'] = nsh.encode()
    check = H.Check(name)
    result = H.boot(arch, files, timeout=300, log_path=os.path.join(log_dir, name + '.log'))
    print('%s: one boot, %d bad images, QEMU ran %.1f s%s' % (name, len(imgs), result.elapsed,
                                                              ' (TIMEOUT)' if result.timed_out else ''))
    check.true(not result.timed_out, 'QEMU timed out: a bad image hangs')
    log = result.log.replace('\r', '')
    for cname, fname, data, regex in imgs:
        run = shell_run(check, log, cname, cname)
        if run is None:
            continue
        seg, lasterror, _ = run
        check.true('starting kernel' not in seg, '%s: our code started a kernel' % cname)
        m = re.search(r'^zboot(-stub)?: .*(%s).*: (?P<status>[a-z ]+)$' % regex, seg, re.M)
        if not check.true(m is not None, '%s: no log line of ours matching /%s/; got:\n%s' % (cname, regex, seg.strip())):
            continue
        # the status is an EFI error, the one our line names, and it reached the Shell
        want = STATUS.get(m.group('status'))
        check.true(want is not None, '%s: our line ends in "%s", not an error status' % (cname, m.group('status')))
        check.eq(lasterror, '0x%x' % (want or 0), '%s: %%lasterror%% (%s)' % (cname, m.group('status')))
        check.true('returning to the boot manager' in seg[m.end():], '%s: no return after the refusal' % cname)
        print('  %-26s %-5s %s' % (cname, lasterror, m.group(0)[:140]))
    fw = re.search(r'^%s firmware-not-pe$(.*)^%s firmware-not-pe (\S+)$' % (RUN, DONE), log, re.M | re.S)
    if check.true(fw is not None, 'firmware-not-pe: the Shell did not go on after it'):
        check.true(re.search(r'Script Error Status: Unsupported', fw.group(1)) is not None and
                   'FW-NOT-REACHED' not in fw.group(1), 'firmware-not-pe: the firmware did not refuse it')
        check.true('zboot' not in fw.group(1), 'firmware-not-pe: our code ran')
        check.eq(fw.group(2).lower(), '0x3', 'firmware-not-pe: %lasterror% (unsupported)')
    check.true(re.search(r'^%s$' % END, log, re.M) is not None, 'the final marker never came')
    check.true('Linux version' not in log and 'EFI stub:' not in log, 'a kernel ran')
    return check.done(result)   # on failure: the serial log's tail


@case
def badboot_x86(log_dir):
    return run_all('x86_64', log_dir)


@case
def badboot_x86_kernel_exit(log_dir):
    """A kernel whose own EFI stub fails: the x86 stub ends every failure with BS->Exit on its
    handle (drivers/firmware/efi/libstub/x86-stub.c efi_exit()), the handle our UKI stub made for
    it (kernel-start.c "The kernel's Exit"). From the Shell: our UKI with Debian's plain bzImage
    as .linux and `initrd=\\missing.img` on its .cmdline (no .initrd nor .osrel, so no LoadFile2
    initrd of ours: the kernel's stub reads initrd= itself and fails with EFI_NOT_FOUND). The
    kernel's stub reports its error, our stub comes back with that status and the Shell sees it.
    Then, with test/efi/ebs-mock.c loaded (ExitBootServices refuses three calls), a good UKI
    (with .initrd: our LoadFile2 initrd) whose kernel stub fails at its ExitBootServices (two
    calls: it retries once) and exits: from the first refusal on nothing of ours may reach the
    console (only memory services are allowed, efi.h), %lasterror% is EFI_INVALID_PARAMETER.
    Then the good UKI again (its stub's first ExitBootServices is the mock's third refusal, its
    retry goes through), which boots to the initrd marker in the same firmware session."""
    arch = 'x86_64'
    name = 'badboot-x86-kernel-exit'
    bzimage = open(H.asset(arch, 'vmlinuz'), 'rb').read()
    bad_cmdline = H.default_cmdline(arch, name + ' initrd=\\missing.img zboot.debug')
    good_cmdline = H.default_cmdline(arch, name)
    files = {}
    for fname, sections in (('bad.efi', [('.cmdline', bad_cmdline.encode())]),
                            ('good.efi', [('.cmdline', good_cmdline.encode()),
                                          ('.initrd', open(H.asset(arch, 'initrd.cpio.gz'), 'rb').read())])):
        out = os.path.join(log_dir, name + '.' + fname)
        # no .osrel either: our stub would pass it on in /.extra, an initrd of its own (LoadFile2),
        # and the kernel's stub reads initrd= only when no LoadFile2 initrd is there
        H.append_sections(B.our_stub('linux', arch), out, sections + [('.linux', bzimage)])
        files[fname] = open(out, 'rb').read()
        os.unlink(out)
    files['ebs-mock.efi'] = open(B.test_efi('ebs-mock', arch), 'rb').read()
    files['startup.nsh'] = ('@echo -off\r\nfs0:\r\necho %s bad\r\n\\bad.efi\r\necho %s bad %%lasterror%%\r\n'
                            'load \\ebs-mock.efi\r\necho %s ebs\r\n\\good.efi\r\necho %s ebs %%lasterror%%\r\n'
                            '\\good.efi\r\necho %s\r\nreset -s\r\n' % (RUN, DONE, RUN, DONE, END)).encode()
    check = H.Check(name)
    result = H.boot(arch, files, timeout=300, log_path=os.path.join(log_dir, name + '.log'))
    print('%s: QEMU ran %.1f s%s' % (name, result.elapsed, ' (TIMEOUT)' if result.timed_out else ''))
    log = result.log.replace('\r', '')
    run = shell_run(check, log, 'bad', 'the UKI whose kernel stub fails')
    if run is None:
        return check.done(result)
    seg, lasterror, _ = run
    # the kernel's own report (its EFI stub, before anything of the kernel proper)
    check.true(re.search(r'EFI stub: ERROR: .*missing\.img', seg) is not None,
               "no error of the kernel's EFI stub naming missing.img:\n" + seg.strip())
    check.true('Linux version' not in seg, 'the failing kernel got past its EFI stub')
    m = re.search(r"^zboot-stub: the kernel's EFI stub exited: (?P<status>[a-z ]+)$", seg, re.M)
    if check.true(m is not None, "no 'the kernel's EFI stub exited' line of ours:\n" + seg.strip()):
        check.eq(m.group('status'), 'not found', "our stub's status")
        check.true('returning to the boot manager' in seg[m.end():], 'no return after the kernel exited')
    check.eq(lasterror, '0x%x' % STATUS['not found'], '%lasterror% after the failing kernel')
    # the kernel's stub fails at ExitBootServices
    run = shell_run(check, log, 'ebs', 'the UKI whose kernel stub fails at ExitBootServices')
    if run is None:
        return check.done(result)
    seg, lasterror, end = run
    check.true('Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path' in seg,
               "the kernel's stub did not take our LoadFile2 initrd")
    check.true('exit_boot() failed!' in seg, "no 'exit_boot() failed!' from the kernel's EFI stub:\n" + seg.strip())
    check.true('Linux version' not in seg, 'the kernel got past its failed ExitBootServices')
    first = seg.find('ebs-mock: ExitBootServices refused (1 of 3)')
    if check.true(first >= 0, 'the kernel never called ExitBootServices'):
        check.true('(2 of 3)' in seg and '(3 of 3)' not in seg, "the kernel's stub did not call ExitBootServices "
                   "twice (its one retry)")
        ours = [line for line in seg[first:].splitlines() if line.startswith('zboot')]
        check.true(not ours, 'our lines after the kernel called ExitBootServices: %s' % '; '.join(ours[:5]))
    check.eq(lasterror, '0x2', '%lasterror% after the failed ExitBootServices (invalid parameter)')
    # the firmware went on: the good UKI, started next by the same Shell, boots
    after = H.BootResult(log[end:], result.elapsed, result.timed_out, result.returncode)
    H.check_boot(check, after, cmdline=good_cmdline)
    return check.done(result)


@case
def badboot_arm64(log_dir):
    return run_all('aarch64', log_dir)


if __name__ == '__main__':
    sys.exit(case.main(__doc__))
