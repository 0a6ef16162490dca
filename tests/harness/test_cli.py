"""The command line, run as a user would: exit codes and one-line errors."""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

from tests.harness.support import FAKE_IMAGE, FAKE_OVMF, FAKE_QEMU, PLANS, SLOTPROBE, write
from slotprobelib.cli import build_parser, select_entries
from slotprobelib.plan import Plan

PY = sys.executable


class CliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def slotprobe(self, *args, guest=None, **scenario):
        env = dict(os.environ)
        if guest is not None:
            env["FAKE_QEMU_SCENARIO"] = write(self.dir, "sc.json",
                                              json.dumps({"guest": guest, **scenario}))
        p = subprocess.run([PY, SLOTPROBE, *args], capture_output=True, text=True,
                           timeout=60, env=env)
        self.assertNotIn("Traceback", p.stderr)
        return p

    def fake_run(self, *args, **kw):
        return self.slotprobe("run", "--qemu", FAKE_QEMU, "--ovmf", FAKE_OVMF,
                              "--image", FAKE_IMAGE, "--accel", "tcg",
                              "--log-dir", os.path.join(self.dir, "logs"), *args, **kw)

    def one_line_error(self, p, fragment):
        self.assertEqual(p.returncode, 2, p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn(fragment, lines[0])

    def test_differential_refuses_migrate_at(self):
        p = self.fake_run("selftest", "--differential", "--migrate-at", "x")
        self.one_line_error(p, "--differential chooses the migrations")

    def test_differential_runs_twice_and_compares(self):
        guest = [["hello", "selftest"], ["line", "obs 00:12.0 SLTSTA 0x40"],
                 ["checkpoint", "c"],
                 ["line", "summary tests=0 failed=0 skipped=0 xfail=0"], ["exit", 0]]
        p = self.fake_run("selftest", "--differential", guest=guest)
        self.assertIn("selftest@no-migration", p.stdout)
        self.assertIn("selftest@migrate-all", p.stdout)
        self.assertIn("selftest@differential", p.stdout)

    def test_list(self):
        p = self.slotprobe("list")
        self.assertEqual(p.returncode, 0)
        self.assertIn("pds-migration", p.stdout)

    def test_missing_qemu(self):
        self.one_line_error(self.slotprobe("run", "--qemu", "/nonexistent/qemu"),
                            "QEMU binary not found")

    def test_missing_ovmf(self):
        self.one_line_error(self.slotprobe("run", "--qemu", FAKE_QEMU, "--ovmf", "/no/OVMF.fd"),
                            "OVMF firmware not found")

    def test_missing_image(self):
        self.one_line_error(self.slotprobe("run", "--qemu", FAKE_QEMU, "--ovmf", FAKE_OVMF,
                                           "--image", "/no/slotprobe.efi"),
                            "guest image not found")

    def test_unknown_machine(self):
        self.one_line_error(self.fake_run("selftest", "--machine", "pc-q35-99.0"),
                            "unknown machine type 'pc-q35-99.0'")

    def test_unknown_entry(self):
        self.one_line_error(self.fake_run("no-such-thing"),
                            "unknown plan entry or test 'no-such-thing'")

    def test_bad_option(self):
        self.one_line_error(self.slotprobe("run", "--accel", "warp"), "usage:")

    def test_malformed_plan(self):
        plan = write(self.dir, "p.cfg", "[a]\ntimeout = never\n")
        self.one_line_error(self.slotprobe("--plan", plan, "list"), "p.cfg:a: timeout")

    def test_malformed_errata(self):
        errata = write(self.dir, "e.cfg", "[b]\nsummary = s\n")
        self.one_line_error(self.slotprobe("--errata", errata, "list"), "e.cfg:b: missing")

    def test_pass_exit_0_with_junit(self):
        junit = os.path.join(self.dir, "j.xml")
        p = self.fake_run("selftest", "--junit", junit,
                          guest=[["hello", "selftest"], ["line", "result PASS a"], ["exit", 0]])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.stdout.startswith("TAP version 13\n"))
        self.assertIn("ok 3 - selftest: a", p.stdout)
        self.assertIn("slotprobe: 1 entry: 1 PASS, 0 XFAIL, 0 FAIL", p.stdout)
        self.assertEqual(ET.parse(junit).getroot().tag, "testsuites")

    def test_failure_exit_1_keeps_logs(self):
        p = self.fake_run("selftest", guest=[["hello", "selftest"],
                                             ["line", "result FAIL a"], ["exit", 1]])
        self.assertEqual(p.returncode, 1)
        self.assertIn("(logs: " + os.path.join(self.dir, "logs"), p.stdout)

    def test_known_bug_exit_0(self):
        p = self.fake_run("pds-migration", dst_load="fail",
                          guest=[["hello", "pds-migration"], ["checkpoint", "powered-off"],
                                 ["exit", 0]])
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("# TODO known bug qemu-pds-cmask; fix: 625b370c45", p.stdout)
        self.assertIn("i=0x6e", p.stdout)

    def test_guest_setup_error_exit_2(self):
        p = self.fake_run("selftest", guest=[["line", "error unknown test 'selftest'"],
                                             ["exit", 4]])
        self.one_line_error(p, "set-up error: unknown test 'selftest'")

    def test_shard_and_repeat(self):
        guest = [["hello", "selftest"], ["exit", 0]]
        p = self.fake_run("selftest", "selftest-fault", "--shard", "1/2", "--repeat", "2",
                          guest=guest)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("slotprobe: 2 entries: 2 PASS", p.stdout)
        self.assertNotIn("selftest-fault", p.stdout)
        self.one_line_error(self.fake_run("selftest", "--shard", "3/2"), "--shard")

    def test_adhoc_test_with_params(self):
        p = self.fake_run("enumerate", "--param", "rootports=1", "--device", "-device x",
                          guest=[["hello", "enumerate"], ["exit", 0]])
        self.assertEqual(p.returncode, 0, p.stdout)


class SelectEntriesTest(unittest.TestCase):
    """--param and --device change the entries run, never the loaded plan."""

    def select(self, plan, *argv):
        args = build_parser().parse_args(["run", *argv])
        return select_entries(args, plan)

    def test_plan_entry_is_not_changed(self):
        plan = Plan(PLANS)
        before = copy.deepcopy(plan.entries["pds-migration"])
        argv = ("pds-migration", "--param", "slot=00:13.0", "--device", "-device x,id=y")
        first = self.select(plan, *argv)[0]
        self.assertIn("slot=00:13.0", first.params)
        self.assertNotIn("slot=00:12.0", first.params)
        self.assertEqual(first.devices[-2:], ["-device", "x,id=y"])
        self.assertEqual(plan.entries["pds-migration"], before)
        # Selected again: the options apply once, not on top of the first time.
        again = self.select(plan, *argv)[0]
        self.assertEqual(again.devices, first.devices)
        self.assertEqual(again.params, first.params)


if __name__ == "__main__":
    unittest.main()
