"""The bad-input table: every kind of bad input the harness is known to meet,
one row each, run as a user would run it. Each row asserts the documented
exit status (2 for usage and set-up errors), exactly one line on stderr
matching the row's pattern, no Python traceback, an end within 10 s, and
nothing left behind: no process that inherited the row's environment
marker (QEMU, the `-machine help` child, ...), nothing in the private
TMPDIR, and in the log folder only folders the report names as kept.

Row: (name, command, exit status, stderr pattern[, extras]). In the command
RUN stands for `run` with the fake QEMU, firmware and image, --accel tcg and
--log-dir {d}/logs (EXPLORE: `explore` with the same); {d} is the row's private folder, {fake}, {ovmf}, {img}
the fakes, {qemu} and {OVMF} the real ones, {built} build/slotprobe.efi. Extras: files (name -> text, or
one of the FILE_KINDS), guest (the fake guest's steps), run_state (the fake's
QMP run state), stdout (a pattern), env, user "nobody"
(the harness runs as uid 65534: checks root passes by privilege), needs
("mount", "mtools", "qemu", "build").
"""
import concurrent.futures
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from tests.harness.support import (FAKE_IMAGE, FAKE_OVMF, FAKE_QEMU, HAVE_MTOOLS, ROOT,
                                   SLOTPROBE, esp_image)

REAL_QEMU = shutil.which("qemu-system-x86_64")
# The project's interpreter (scripts/slotprobe's #!): also reachable by uid 65534.
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
REAL_OVMF = "/usr/share/ovmf/OVMF.fd"
BUILT_IMAGE = os.path.join(ROOT, "build", "slotprobe.efi")     # with its tests.json
BUILT_LISTING = os.path.join(ROOT, "build", "tests.json")
# --cold-boot: each row is about its own input, not the warm-start cache
# (which would also be a folder outside the row's own).
RUN = ("run --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg --cold-boot "
       "--log-dir {d}/logs")
EXPLORE = ("explore --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg --cold-boot "
           "--log-dir {d}/logs")
SCRIPT = ("script {d}/s.txt --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg "
          "--cold-boot --log-dir {d}/logs")
PASSING_GUEST = [["hello", "*"], ["line", "result PASS fine"], ["exit", 0]]
NUL, ESC = "\0", "\x1b"
MB = 1 << 20
LIMIT_SECONDS = 10.0
JOBS = 2
NOBODY = 65534

# files: name -> text, or one of these kinds (made by make_file)
FIFO, ZERO, FOLDER, EMPTY, BIG, NOT_UTF8, GARBAGE_64K, TRUNCATED_IMAGE = (
    "<fifo>", "<dev-zero>", "<folder>", "<empty>", "<big>", "<not-utf8>",
    "<garbage-64k>", "<truncated-image>")
BLANK_DISK, FAT_WITHOUT_BOOT, ROOT_ONLY, RO_MOUNT, NOT_EXECUTABLE = (
    "<blank-disk>", "<fat-without-boot>", "<root-only-0600>", "<read-only-mount>",
    "<not-executable>")

PLAN_OK = "[x]\ntest = selftest\ngroups = g\n"

ROWS = [
    # -- option values ------------------------------------------------------------------
    ("timeout-nan", "RUN selftest --timeout nan", 2, r"argument --timeout: wants seconds in \(0, 3600\]"),
    ("timeout-inf", "RUN selftest --timeout inf", 2, r"argument --timeout: wants seconds"),
    ("timeout-minus-inf", "RUN selftest --timeout=-inf", 2, r"argument --timeout: wants seconds"),
    ("timeout-zero", "RUN selftest --timeout 0", 2, r"argument --timeout: wants seconds"),
    ("timeout-negative", "RUN selftest --timeout=-5", 2, r"argument --timeout: wants seconds"),
    ("timeout-huge", "RUN selftest --timeout 1e9", 2, r"argument --timeout: wants seconds"),
    ("timeout-word", "RUN selftest --timeout soon", 2, r"argument --timeout: wants seconds"),
    ("machine-empty", "RUN selftest --machine ''", 2, r"argument --machine: must not be empty"),
    ("dst-machine-empty", "RUN selftest --dst-machine ''", 2, r"argument --dst-machine: must not"),
    ("junit-empty", "RUN selftest --junit ''", 2, r"argument --junit: must not be empty"),
    ("log-dir-empty", "run selftest --log-dir ''", 2, r"argument --log-dir: must not be empty"),
    ("qemu-empty", "run selftest --qemu ''", 2, r"argument --qemu: must not be empty"),
    ("ovmf-empty-name", "run selftest --ovmf ' '", 2, r"argument --ovmf: must not be empty"),
    ("image-empty-name", "run selftest --image ''", 2, r"argument --image: must not be empty"),
    ("esp-empty-name", "run selftest --esp ''", 2, r"argument --esp: must not be empty"),
    ("group-empty", "RUN --group ''", 2, r"argument --group: must not be empty"),
    ("memory-zero", "RUN selftest -m 0", 2, r"argument -m/--memory: wants megabytes"),
    ("memory-word", "RUN selftest -m lots", 2, r"argument -m/--memory: wants megabytes"),
    ("migrate-at-empty", "RUN selftest --migrate-at ''", 2, r"argument --migrate-at: wants a checkpoint"),
    ("migrate-at-spaces", "RUN selftest --migrate-at 'a b'", 2, r"argument --migrate-at: wants a"),
    ("repeat-zero", "RUN selftest --repeat 0", 2, r"argument --repeat: wants a positive count"),
    ("repeat-word", "RUN selftest --repeat twice", 2, r"argument --repeat: wants a positive"),
    ("jobs-zero", "RUN selftest --jobs 0", 2, r"argument --jobs/-j: wants a positive count"),
    ("jobs-negative", "RUN selftest -j=-3", 2, r"argument --jobs/-j: wants a positive count"),
    ("shard-beyond", "RUN selftest --shard 3/2", 2, r"--shard 3/2: need 1 <= K <= N"),
    ("shard-word", "RUN selftest --shard half", 2, r"--shard wants K/N"),
    ("accel-unknown", "RUN selftest --accel warp", 2, r"usage: argument --accel: invalid choice"),
    ("network-unknown", "RUN selftest --network carrier-pigeon", 2, r"argument --network: invalid"),
    ("param-not-kv", "RUN selftest --param novalue", 2, r"--param: parameter 'novalue' is not key=value"),
    ("device-unbalanced-quote", "RUN selftest --device '\"-device x'", 2, r"--device: No closing quotation"),
    ("dst-args-unbalanced-quote", "RUN selftest --dst-args \"'x\"", 2, r"--dst-args: No closing quotation"),
    ("unknown-option", "RUN selftest --frobnicate", 2, r"usage: unrecognized arguments: --frobnicate"),
    ("no-command", "", 2, r"usage: the following arguments are required: cmd"),
    ("unknown-command", "dance", 2, r"usage: argument cmd: invalid choice: 'dance'"),
    ("unknown-entry", "RUN no-such-entry", 2, r"unknown plan entry or test 'no-such-entry'"),
    ("empty-group", "RUN --group no-such-group", 2, r"no plan entries in group 'no-such-group'"),
    ("differential-with-migrate-at", "RUN selftest --differential --migrate-at x", 2,
     r"--differential chooses the migrations"),
    ("machine-unknown", "RUN selftest --machine pc-q35-99.0", 2, r"unknown machine type 'pc-q35-99.0'"),
    ("dst-machine-unknown", "RUN selftest --dst-machine pc-q35-0.1", 2,
     r"unknown machine type 'pc-q35-0.1'"),
    # -- files the run reads ---------------------------------------------------------------
    ("qemu-missing", "run selftest --qemu /nonexistent/qemu", 2,
     r"QEMU binary not found or not executable: /nonexistent/qemu"),
    ("qemu-folder", "run selftest --qemu {d}", 2, r"QEMU binary not found or not executable"),
    ("qemu-not-executable", "run selftest --qemu {d}/q", 2, r"QEMU binary not found or not executable",
     {"files": {"q": NOT_EXECUTABLE}}),
    ("dst-qemu-missing", "RUN selftest --dst-qemu /nonexistent/qemu", 2, r"QEMU binary not found"),
    ("ovmf-missing", "RUN selftest --ovmf /no/OVMF.fd", 2, r"OVMF firmware not found: /no/OVMF.fd"),
    ("ovmf-empty", "RUN selftest --ovmf {d}/o.fd", 2, r"OVMF firmware .*/o.fd: empty file",
     {"files": {"o.fd": EMPTY}}),
    ("ovmf-garbage", "RUN selftest --ovmf {d}/o.fd", 2, r"not UEFI firmware",
     {"files": {"o.fd": GARBAGE_64K}}),
    ("ovmf-fifo", "RUN selftest --ovmf {d}/o.fd", 2, r"OVMF firmware .*: not a regular file",
     {"files": {"o.fd": FIFO}}),
    ("ovmf-dev-zero", "RUN selftest --ovmf /dev/zero", 2, r"/dev/zero: not a regular file"),
    ("ovmf-folder", "RUN selftest --ovmf {d}", 2, r"OVMF firmware .*: not a regular file"),
    ("image-missing", "RUN selftest --image /no/slotprobe.efi", 2,
     r"guest image not found: /no/slotprobe.efi \(build it with: make\)"),
    ("image-empty", "RUN selftest --image {d}/i.efi", 2, r"not a PE image \(no MZ header\)",
     {"files": {"i.efi": EMPTY}}),
    ("image-text", "RUN selftest --image {d}/i.efi", 2, r"not a PE image",
     {"files": {"i.efi": "hello\n"}}),
    ("image-truncated", "RUN selftest --image {d}/i.efi", 2, r"guest image .*: truncated",
     {"files": {"i.efi": TRUNCATED_IMAGE}}),
    ("image-fifo", "RUN selftest --image {d}/i.efi", 2, r"guest image .*: not a regular file",
     {"files": {"i.efi": FIFO}}),
    ("image-dev-zero", "RUN selftest --image /dev/zero", 2, r"/dev/zero: not a regular file"),
    ("esp-blank-disk", "RUN selftest --esp {d}/esp.img", 2, r"ESP image .*: not a FAT disk image",
     {"files": {"esp.img": BLANK_DISK}}),
    ("esp-is-an-efi-application", "RUN selftest --esp {img}", 2, r"not a FAT disk image"),
    ("esp-without-boot-file", "RUN selftest --esp {d}/esp.img", 2, r"no EFI in the FAT volume",
     {"files": {"esp.img": FAT_WITHOUT_BOOT}, "needs": "mtools"}),
    ("esp-fifo", "RUN selftest --esp {d}/esp.img", 2, r"ESP image .*: not a regular file",
     {"files": {"esp.img": FIFO}}),
    # -- plan, errata and script files ---------------------------------------------------
    ("plan-missing", "--plan {d}/none.cfg list", 2, r"none.cfg: file not found"),
    ("plan-fifo", "--plan {d}/p.cfg list", 2, r"p.cfg: not a regular file", {"files": {"p.cfg": FIFO}}),
    ("plan-dev-zero", "--plan /dev/zero list", 2, r"/dev/zero: not a regular file"),
    ("plan-folder", "--plan {d} list", 2, r": not a regular file"),
    ("plan-too-big", "--plan {d}/p.cfg list", 2, r"p.cfg: larger than 1048576 bytes",
     {"files": {"p.cfg": BIG}}),
    ("plan-not-utf8", "--plan {d}/p.cfg list", 2, r"p.cfg: not UTF-8 text", {"files": {"p.cfg": NOT_UTF8}}),
    ("plan-no-section", "--plan {d}/p.cfg list", 2, r"p.cfg: File contains no section headers",
     {"files": {"p.cfg": "test = x\n"}}),
    ("plan-duplicate-section", "--plan {d}/p.cfg list", 2, r"p.cfg: .*section 'x' already exists",
     {"files": {"p.cfg": PLAN_OK + PLAN_OK}}),
    ("plan-timeout-word", "--plan {d}/p.cfg list", 2, r"p.cfg:x: timeout is not a number",
     {"files": {"p.cfg": PLAN_OK + "timeout = never\n"}}),
    ("plan-timeout-nan", "--plan {d}/p.cfg list", 2, r"p.cfg:x: timeout must be in \(0, 3600\]",
     {"files": {"p.cfg": PLAN_OK + "timeout = nan\n"}}),
    ("plan-timeout-inf", "--plan {d}/p.cfg list", 2, r"p.cfg:x: timeout must be in",
     {"files": {"p.cfg": PLAN_OK + "timeout = inf\n"}}),
    ("plan-migrate-delay-absurd", "--plan {d}/p.cfg list", 2, r"p.cfg:x: migrate_delay wants MIN-MAX",
     {"files": {"p.cfg": PLAN_OK + "migrate_delay = 0-99999999999999999999\n"}}),
    ("plan-migrate-delay-too-long", "--plan {d}/p.cfg list", 2, r"MAX <= 10000",
     {"files": {"p.cfg": PLAN_OK + "migrate_delay = 0-600000\n"}}),
    ("plan-migrate-delay-backwards", "--plan {d}/p.cfg list", 2, r"p.cfg:x: migrate_delay wants",
     {"files": {"p.cfg": PLAN_OK + "migrate_delay = 5-2\n"}}),
    ("plan-migrate-random-absurd", "--plan {d}/p.cfg list", 2, r"p.cfg:x: migrate_random wants",
     {"files": {"p.cfg": PLAN_OK + "migrate_random = 1 0 99999999999\n"}}),
    ("plan-migrate-chance-nan", "--plan {d}/p.cfg list", 2, r"migrate_chance wants a number in \[0, 1\]",
     {"files": {"p.cfg": PLAN_OK + "migrate_chance = nan\n"}}),
    ("plan-unknown-key", "--plan {d}/p.cfg list", 2, r"p.cfg:x: unknown key 'colour'",
     {"files": {"p.cfg": PLAN_OK + "colour = red\n"}}),
    ("plan-bad-entry-name", "--plan {d}/p.cfg list", 2, r"bad entry name",
     {"files": {"p.cfg": "[-x]\ntest = selftest\n"}}),
    ("plan-script-nul", "--plan {d}/p.cfg list", 2, r"p.cfg:2: x: unknown step 'read\\x00'",
     {"files": {"p.cfg": f"[x]\nscript = read{NUL} 00:00.0 VENDOR\n"}}),
    ("errata-fifo", "--errata {d}/e.cfg list", 2, r"e.cfg: not a regular file", {"files": {"e.cfg": FIFO}}),
    ("errata-missing-keys", "--errata {d}/e.cfg list", 2, r"e.cfg:b: missing summary",
     {"files": {"e.cfg": "[b]\nfix = f\n"}}),
    # Options and commands added with warm start, libvirt, explore, fingerprint and matrix.
    ("cache-is-a-file", "RUN selftest --cache {d}/c", 2, r"--cache .*/c: not a folder$",
     {"files": {"c": "x"}}),
    ("cache-empty", "RUN selftest --cache ''", 2, r"argument --cache: must not be empty"),
    ("backend-unknown", "RUN selftest --backend nosuch", 2, r"argument --backend: invalid choice"),
    ("libvirt-uri-empty", "RUN selftest --backend libvirt --libvirt-uri ''", 2,
     r"argument --libvirt-uri: must not be empty"),
    ("dst-libvirt-uri-alone", "RUN selftest --backend libvirt --dst-libvirt-uri qemu:///x", 2,
     r"--dst-libvirt-uri wants --libvirt-uri"),
    ("run-errata-missing", "RUN selftest --errata {d}/none.cfg", 2, r"none.cfg"),
    ("explore-out-is-a-file", "explore --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg --cold-boot --log-dir {d}/logs --out {d}/o", 2, r"--out .*/o: not a folder$",
     {"files": {"o": "x"}}),
    ("explore-out-empty", "explore --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg --cold-boot --log-dir {d}/logs --out ''", 2, r"argument --out: must not be empty"),
    ("explore-sequences-zero", "EXPLORE --sequences 0", 2,
     r"argument --sequences: wants a positive count, not '0'"),
    ("explore-unknown-entry", "explore nosuchentry --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg --cold-boot --log-dir {d}/logs", 2, r"unknown plan entry 'nosuchentry'"),
    # explore's campaign (issue 14): any entry as topology, budget, shards, merge.
    ("explore-budget-zero", "EXPLORE --budget 0", 2, r"argument --budget: wants whole seconds in \[1, 86400\]"),
    ("explore-budget-word", "EXPLORE --budget 10m", 2, r"argument --budget: wants whole seconds"),
    ("explore-budget-and-sequences", "EXPLORE --budget 60 --sequences 5", 2,
     r"--budget and --sequences: one or the other$"),
    ("explore-budget-over-timeout", "EXPLORE --budget 600 --timeout 300", 2,
     r"--timeout 300 is shorter than --budget 600 plus 120 s"),
    ("explore-shard-reversed", "EXPLORE --shard 3/2", 2, r"argument --shard: 3/2: need 1 <= K <= N"),
    ("explore-shard-word", "EXPLORE --shard half", 2, r"argument --shard: wants K/N, e.g. 2/4, not 'half'"),
    ("explore-jobs-zero", "EXPLORE --jobs 0", 2, r"argument --jobs/-j: wants a positive count"),
    ("explore-seed-negative", "EXPLORE --seed=-1", 2, r"argument --seed: wants a whole number >= 0"),
    ("explore-param-of-the-campaign", "EXPLORE --param seed=3", 2,
     r"--param seed=3: explore sets seed= itself \(use --seed\)"),
    ("explore-replays-zero", "EXPLORE --replays 0", 2, r"argument --replays: wants a positive count"),
    ("explore-entry-without-slot", "EXPLORE selftest", 2,
     r"plan entry 'selftest' has no hot-plug slot device to use"),
    ("explore-entry-bad-slot", "--plan {d}/p.cfg EXPLORE x", 2, r"plan entry 'x': no device with an id= in the hot-plug slot of port 00:13.0",
     {"files": {"p.cfg": "[x]\ntest = pds-migration\nparams = slot=00:13.0\n"
                         "devices = -device pcie-root-port,id=rp,bus=pcie.0,addr=0x12\n"
                         "    -device virtio-net-pci,id=n,bus=rp\n"}}),
    ("explore-merge-missing", "explore-merge {d}/none --out {d}/m", 2,
     r"none/findings.json: cannot read explore findings: No such file"),
    ("explore-merge-not-json", "explore-merge {d} --out {d}/m", 2,
     r"findings.json: cannot read explore findings", {"files": {"findings.json": "nojson"}}),
    ("explore-merge-other-format", "explore-merge {d} --out {d}/m", 2,
     r"findings.json: not explore findings", {"files": {"findings.json": '{"format": 2}'}}),
    ("explore-merge-out-is-input", "explore-merge {d} --out {d}", 2, r"--out .* is also an input"),
    ("explore-merge-out-is-a-file", "explore-merge {d} --out {d}/o", 2, r"--out .*/o: not a folder$",
     {"files": {"o": "x"}}),
    ("explore-merge-no-out", "explore-merge {d}", 2, r"the following arguments are required: --out"),
    ("fingerprint-output-no-folder", "fingerprint --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg --cold-boot --log-dir {d}/logs -o {d}/no/x.json", 2,
     r"--output .*/no/x.json: folder .* does not exist"),
    ("fingerprint-output-empty", "fingerprint --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg --cold-boot --log-dir {d}/logs -o ''", 2,
     r"argument -o/--output: must not be empty"),
    ("abi-diff-missing", "abi-diff {d}/none.json {d}/none.json", 2,
     r"none.json: cannot read a fingerprint"),
    ("abi-diff-not-json", "abi-diff {d}/a.json {d}/a.json", 2,
     r"a.json: cannot read a fingerprint", {"files": {"a.json": "nojson"}}),
    ("abi-diff-wrong-format", "abi-diff {d}/a.json {d}/a.json", 2,
     r"a.json: not a slotprobe-fingerprint/1 file", {"files": {"a.json": "[]"}}),
    ("matrix-qemu-missing", "matrix --qemu {d}/none --ovmf {ovmf} --image {img} --accel tcg", 2,
     r"QEMU binary not found or not executable: .*/none"),
    ("matrix-html-folder", "matrix --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg --cold-boot --log-dir {d}/logs --html {d}", 2, r"--html .*: is a folder, not a file"),
    ("matrix-unknown-entry", "matrix --qemu {fake} --ovmf {ovmf} --image {img} --accel tcg --cold-boot --log-dir {d}/logs nosuchentry", 2, r"unknown plan entry 'nosuchentry'"),
    ("script-fifo", "script {d}/s.txt", 2, r"s.txt: not a regular file", {"files": {"s.txt": FIFO}}),
    ("script-dev-zero", "script /dev/zero", 2, r"/dev/zero: not a regular file"),
    ("script-missing", "script {d}/none.txt", 2, r"none.txt: file not found"),
    ("script-nul-byte", "script {d}/s.txt", 2, r"s.txt:2: s.txt: unknown step 'wr\\x00ite8'",
     {"files": {"s.txt": f"log hi\nwr{NUL}ite8 00:00.0 COMMAND 0\n"}}),
    ("script-escape-sequence", "script {d}/s.txt", 2, r"unknown step '\\x1b\[2Jboom'",
     {"files": {"s.txt": f"{ESC}[2Jboom\n"}}),
    ("script-checkpoint-without-name", "script {d}/s.txt", 2, r"s.txt:1: s.txt: usage: checkpoint NAME",
     {"files": {"s.txt": "checkpoint\n"}}),
    ("script-machine-empty", "script {d}/s.txt --machine ''", 2, r"argument --machine: must not be empty",
     {"files": {"s.txt": "log hi\n"}}),
    # -- places the run writes -----------------------------------------------------------
    ("log-dir-is-a-file", "RUN selftest --log-dir {d}/f", 2, r"--log-dir .*/f: not a folder$",
     {"files": {"f": "x\n"}}),
    ("log-dir-under-a-file", "RUN selftest --log-dir {d}/f/logs", 2, r"/f is not a folder",
     {"files": {"f": "x\n"}}),
    ("log-dir-read-only", "RUN selftest --log-dir {d}/ro/logs", 2,
     r"--log-dir .*: cannot create a folder in .*/ro: Read-only file system",
     {"files": {"ro": RO_MOUNT}, "needs": "mount"}),
    ("log-dir-not-writable", "RUN selftest --log-dir {d}/locked/logs", 2,
     r"cannot create a folder in .*/locked: Permission denied",
     {"files": {"locked": FOLDER}, "user": "nobody"}),
    ("junit-missing-folder", "RUN selftest --junit {d}/no/such/j.xml", 2,
     r"--junit .*j.xml: folder .*/no/such does not exist"),
    ("junit-onto-folder", "RUN selftest --junit {d}", 2, r"--junit .*: is a folder, not a file"),
    ("junit-read-only", "RUN selftest --junit {d}/ro/j.xml", 2,
     r"--junit .*: cannot write in .*/ro: Read-only file system",
     {"files": {"ro": RO_MOUNT}, "needs": "mount"}),
    ("junit-not-writable", "RUN selftest --junit {d}/j.xml", 2, r"--junit .*/j.xml: not writable",
     {"files": {"j.xml": ROOT_ONLY}, "user": "nobody"}),
    ("esp-unreadable", "RUN selftest --esp {d}/esp.img", 2, r"ESP image .*: cannot read: Permission denied",
     {"files": {"esp.img": ROOT_ONLY}, "user": "nobody"}),
    ("image-unreadable", "RUN selftest --image {d}/i.efi", 2, r"guest image .*: cannot read: Permission",
     {"files": {"i.efi": ROOT_ONLY}, "user": "nobody"}),
    ("ovmf-unreadable", "RUN selftest --ovmf {d}/o.fd", 2, r"OVMF firmware .*: cannot read: Permission",
     {"files": {"o.fd": ROOT_ONLY}, "user": "nobody"}),
    # -- in the run ----------------------------------------------------------------------
    ("junit-write-fails-at-the-end", "RUN selftest --junit {d}/gone/j.xml", 2,
     r"--junit .*j.xml: cannot write: No such file or directory \(the results are above\)",
     {"files": {"gone": FOLDER},
      "guest": [["hello", "*"], ["rmtree", "{d}/gone"], ["line", "result PASS fine"],
                ["exit", 0]],
      "stdout": r"slotprobe: 1 entry: 1 PASS"}),
    ("guest-set-up-error", "RUN selftest", 2, r"set-up error: unknown test 'selftest'",
     {"guest": [["line", "error unknown test 'selftest'"], ["exit", 4]]}),
    ("comma-in-log-dir", "RUN selftest --log-dir {d}/a,b", 0, None,
     {"stdout": r"slotprobe: 1 entry: 1 PASS"}),
    ("log-dir-too-long-for-sockets", "RUN selftest --log-dir {d}/" + "x" * 120, 0, None,
     {"stdout": r"slotprobe: 1 entry: 1 PASS"}),
    ("result-with-two-spaces", "RUN selftest", 0, None,
     {"guest": [["hello", "*"], ["line", "result  PASS x"], ["exit", 0]],
      "stdout": r"ok 3 - selftest: x\n"}),
    ("qemu-refuses-before-connecting", "RUN selftest", 2,
     r"selftest: set-up error: QEMU did not start \(exited with status 1\): "
     r"qemu-system-x86_64: -device bogus: 'bogus' is not a valid device model name$",
     {"env": {"FAKE_QEMU_FAIL_START": "1"}}),
    # Warm start on (the default): the state cannot be built either, and the
    # cold boot after it says why, once.
    ("qemu-refuses-warm-start", "run selftest --qemu {fake} --ovmf {ovmf} --image {img} "
     "--accel tcg --cache {d}/cache --log-dir {d}/logs", 2,
     r"selftest: set-up error: QEMU did not start \(exited with status 1\): "
     r"qemu-system-x86_64: -device bogus: 'bogus' is not a valid device model name$",
     {"env": {"FAKE_QEMU_FAIL_START": "1"}}),
    ("qemu-refuses-after-connecting", "RUN selftest", 2,
     r"set-up error: QEMU did not start \(exited with status 1\): .*'bogus' is not a valid",
     {"env": {"FAKE_QEMU_FAIL_START": "after-connect"}}),
    ("real-qemu-unknown-device", "run selftest --qemu {qemu} --ovmf {OVMF} --image {img} "
     "--accel tcg --cold-boot --log-dir {d}/logs --device '-device bogus'", 2,
     r"set-up error: QEMU did not start \(exited with status 1\): "
     r"qemu-system-x86_64: -device bogus: 'bogus' is not a valid device model name$",
     {"needs": "qemu"}),
    ("real-qemu-unloadable-ovmf", "run selftest --qemu {qemu} --ovmf {d}/o.fd --image {img} "
     "--accel tcg --cold-boot --log-dir {d}/logs", 2, r"set-up error: QEMU did not start .*BIOS",
     {"needs": "qemu", "files": {"o.fd": bytes(40).decode() + "_FVH" + "x" * 100}}),
    ("machine-stopped-at-once", "RUN selftest", 2,
     r"set-up error: QEMU stopped the machine \(internal-error\) before the guest printed "
     r"anything: KVM internal error. Suberror: 1$",
     {"guest": [["hello", "*"], ["exit", 0]], "run_state": "internal-error"}),
    ("guest-silent", "RUN selftest --timeout 3", 2,
     r"set-up error: the guest printed nothing in 3 s, \d+ s of QEMU CPU time "
     r"\(no firmware output either\)",
     {"guest": [["hang"]]}),
    ("migrate-at-misspelled-script", SCRIPT + " --migrate-at powered_off", 2,
     r"--migrate-at: migrate_at powered_off: s.txt has no checkpoint of that name "
     r"\(it has: powered-off\)$", {"files": {"s.txt": "checkpoint powered-off\n"}}),
    ("migrate-at-misspelled-declared", "run pds-migration --qemu {fake} --ovmf {ovmf} "
     "--image {built} --accel tcg --cold-boot --log-dir {d}/logs --migrate-at powered_off", 2,
     r"--migrate-at: migrate_at powered_off: pds-migration has no checkpoint of that name "
     r"\(it has: powered-off, powered-on\)$", {"needs": "build"}),
    ("plan-migrate-at-misspelled-declared", "--plan {d}/p.cfg run x --qemu {fake} --ovmf {ovmf} "
     "--image {built} --accel tcg --cold-boot --log-dir {d}/logs", 2,
     r"p.cfg:x: migrate_at powered_off: x has no checkpoint of that name \(it has: powered-off",
     {"needs": "build", "files": {"p.cfg": "[x]\ntest = pds-migration\nmigrate_at = powered_off\n"}}),
    ("plan-migrate-at-misspelled-script", "--plan {d}/p.cfg list", 2,
     r"p.cfg:x: migrate_at powered_off: x has no checkpoint of that name",
     {"files": {"p.cfg": "[x]\nmigrate_at = powered_off\nscript = checkpoint powered-off\n"}}),
    ("migrate-at-misspelled-undeclared", "RUN selftest --migrate-at powered_off", 1, None,
     {"guest": [["hello", "*"], ["checkpoint", "powered-off"], ["exit", 0]],
      "stdout": r"not ok .* migrate_at powered_off: the guest offered no checkpoint of that "
                r"name \(it offered: powered-off\)"}),
]

FILE_KINDS = {FIFO, ZERO, FOLDER, EMPTY, BIG, NOT_UTF8, GARBAGE_64K, TRUNCATED_IMAGE,
              BLANK_DISK, FAT_WITHOUT_BOOT, ROOT_ONLY, RO_MOUNT, NOT_EXECUTABLE}


def tagged_processes(tag: bytes) -> list[int]:
    """Processes whose environment carries tag: everything a row started."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                with open(f"/proc/{name}/environ", "rb") as f:
                    if tag in f.read():
                        found.append(int(name))
            except OSError:
                continue
    return found


def execute(prep: dict) -> dict:
    """Runs one prepared row; kills whatever it left (after noting it)."""
    who = {"user": NOBODY, "group": NOBODY, "extra_groups": []} if prep["nobody"] else {}
    t0 = time.monotonic()
    p = subprocess.Popen([PY, SLOTPROBE, *prep["argv"]], env=prep["env"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, **who)
    try:
        out, err = p.communicate(timeout=LIMIT_SECONDS + 20)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    seconds = time.monotonic() - t0
    stray = tagged_processes(prep["tag"].encode())
    for pid in stray:                 # never let a failed row leak
        os.kill(pid, signal.SIGKILL)
    return {"status": p.returncode, "stdout": out.decode("utf-8", "replace"),
            "stderr": err.decode("utf-8", "replace"), "seconds": seconds, "stray": stray}


def leftovers(folder: str) -> list[str]:
    out = []
    for base, dirs, files in os.walk(folder):
        out += [os.path.join(base, n) for n in dirs + files]
    return out


class BadInputTable(unittest.TestCase):
    def test_table_is_big_enough(self):
        self.assertGreaterEqual(len(ROWS), 60)
        names = [r[0] for r in ROWS]
        self.assertEqual(len(names), len(set(names)), "row names repeat")

    def test_rows(self):
        # Rows are prepared and checked in order, run JOBS at a time (each
        # is a harness mostly waiting on its children).
        prepared = []
        for row in ROWS:
            with self.subTest(row=row[0]):
                prepared.append((row, self.prepare(*row)))
        with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
            outcomes = list(pool.map(lambda rp: execute(rp[1]), prepared))
        for (row, prep), outcome in zip(prepared, outcomes):
            with self.subTest(row=row[0]):
                self.verify(row, prep, outcome)

    # -- one row -----------------------------------------------------------------------
    def prepare(self, name: str, command: str, status: int, pattern: str | None,
                extras: dict | None = None) -> dict:
        """The row's folder, files, command and environment."""
        extras = extras or {}
        need = extras.get("needs")
        if need == "mtools" and not HAVE_MTOOLS:
            self.skipTest("needs mtools")
        if need == "qemu" and not (REAL_QEMU and os.path.exists(REAL_OVMF)):
            self.skipTest("needs QEMU and OVMF")
        if need == "build" and not os.path.exists(BUILT_LISTING):
            self.skipTest("needs build/slotprobe.efi and build/tests.json (make)")
        if extras.get("user") == "nobody" and os.geteuid() != 0:
            self.skipTest("switching to uid 65534 needs root")
        d = tempfile.mkdtemp(prefix="slotprobe-bad-")
        self.addCleanup(shutil.rmtree, d, True)
        os.chmod(d, 0o755)              # the nobody rows walk through it
        tmp = os.path.join(d, "tmp")
        os.mkdir(tmp)
        os.chmod(tmp, 0o1777)
        if extras.get("user") == "nobody":      # RUN's --log-dir
            os.mkdir(os.path.join(d, "logs"))
            os.chmod(os.path.join(d, "logs"), 0o1777)
        for fname, content in extras.get("files", {}).items():
            self.make_file(os.path.join(d, fname), content)
        fill = lambda text: text.format(d=d, fake=FAKE_QEMU, ovmf=FAKE_OVMF,  # noqa: E731
                                        img=FAKE_IMAGE, qemu=REAL_QEMU, OVMF=REAL_OVMF,
                                        built=BUILT_IMAGE)
        argv = [fill(w) for w in shlex.split(command.replace("RUN", RUN, 1)
                                                  .replace("EXPLORE", EXPLORE, 1))]
        guest = json.loads(fill(json.dumps(extras.get("guest", PASSING_GUEST))))
        with open(os.path.join(d, "sc.json"), "w") as f:
            json.dump({"guest": guest, **({"run_state": extras["run_state"]}
                                          if "run_state" in extras else {})}, f)
        tag = f"SLOTPROBE_BAD_INPUT_ROW={name}-{os.getpid()}-{time.monotonic_ns()}"
        env = dict(os.environ, TMPDIR=tmp, FAKE_QEMU_SCENARIO=os.path.join(d, "sc.json"),
                   SLOTPROBE_TEST_TAG=tag, **extras.get("env", {}))
        return {"d": d, "tmp": tmp, "argv": argv, "env": env, "tag": tag,
                "nobody": extras.get("user") == "nobody"}

    def verify(self, row: tuple, prep: dict, outcome: dict) -> None:
        name, _, status, pattern, *more = row
        extras = more[0] if more else {}
        stdout, stderr = outcome["stdout"], outcome["stderr"]
        say = (f"{name}: {shlex.join(prep['argv'])}\nstdout: {stdout[-1500:]}\n"
               f"stderr: {stderr}")
        self.assertNotIn("Traceback", stderr, say)
        self.assertEqual(outcome["status"], status, say)
        self.assertLess(outcome["seconds"], LIMIT_SECONDS, say)
        lines = stderr.splitlines()
        if pattern is None:
            self.assertEqual(lines, [], say)
        else:
            self.assertEqual(len(lines), 1, say)
            self.assertTrue(lines[0].startswith("slotprobe: "), say)
            self.assertRegex(lines[0], pattern, say)
            self.assertTrue(lines[0].isprintable(), say)
        if "stdout" in extras:
            self.assertRegex(stdout, extras["stdout"], say)
        self.assertEqual(outcome["stray"], [], say + "\nprocesses left behind")
        self.assertEqual(leftovers(prep["tmp"]), [], say + "\nleft in TMPDIR")
        logs = os.path.join(prep["d"], "logs")
        kept = [f for f in (os.listdir(logs) if os.path.isdir(logs) else [])
                if f not in stdout]
        self.assertEqual(kept, [], say + "\nleft in the log folder, not reported")

    def make_file(self, path: str, kind: str) -> None:
        if kind not in FILE_KINDS:
            with open(path, "w") as f:
                f.write(kind)
        elif kind == FIFO:
            os.mkfifo(path)
        elif kind == FOLDER:
            os.mkdir(path)
        elif kind == RO_MOUNT:
            os.mkdir(path)
            p = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", path],
                               capture_output=True)
            if p.returncode != 0:
                self.skipTest("cannot mount a read-only tmpfs here")
            self.addCleanup(subprocess.run, ["umount", path], capture_output=True)
        elif kind == FAT_WITHOUT_BOOT:
            shutil.move(esp_image(f"no-boot-{os.getpid()}.img", None), path)
        else:
            with open(path, "wb") as f:
                f.write(self.content(kind))
            if kind == ROOT_ONLY:
                os.chmod(path, 0o600)
            if kind == NOT_EXECUTABLE:
                os.chmod(path, 0o644)

    @staticmethod
    def content(kind: str) -> bytes:
        if kind == EMPTY:
            return b""
        if kind == BIG:
            return b"# padding\n" * (MB // 10 + 1)
        if kind == NOT_UTF8:
            return b"[x]\ntest = \xff\xfe\n"
        if kind == GARBAGE_64K:
            return bytes(range(256)) * 256
        if kind == TRUNCATED_IMAGE:
            with open(FAKE_IMAGE, "rb") as f:
                return f.read()[:0x500]
        if kind == BLANK_DISK:
            return bytes(MB)
        if kind == ROOT_ONLY:
            with open(FAKE_IMAGE, "rb") as f:
                return f.read()
        return b"#!/bin/sh\n"


if __name__ == "__main__":
    unittest.main()
