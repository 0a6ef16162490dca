"""TAP and JUnit output, and judging with errata."""
import io
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET

from tests.harness.support import ERRATA
from slotprobelib.checkkey import CheckKey
from slotprobelib.errata import load_errata
from slotprobelib.judge import judge
from slotprobelib.plan import Entry
from slotprobelib.report import Check, EntryResult, Report

BAD_LOAD = ("qemu-system-x86_64: get_pci_config_device: Bad config data: i=0x6e read: 0 "
            "device: 40 cmask: ff wmask: 0 w1cmask:19")


def sample() -> list[EntryResult]:
    return [
        EntryResult("selftest", "PASS", checks=[Check(True, "qemu started"),
                                                Check(True, "guest exit status PASS")]),
        EntryResult("pds", "XFAIL", "known bug", checks=[Check(
            False, "migration 1 at checkpoint powered-off failed",
            directive="TODO known bug qemu-pds-cmask; fix: 625b370c45",
            diagnostics=[BAD_LOAD])], logdir="/tmp/x"),
        EntryResult("skip", "SKIP", checks=[Check(True, "no slot # here",
                                                  directive="SKIP no slot")]),
        EntryResult("bad", "FAIL", "boom", checks=[Check(False, "boom")]),
    ]


class ReportTest(unittest.TestCase):
    def test_tap(self):
        out = io.StringIO()
        r = Report(out)
        for e in sample():
            r.add(e)
        summary = r.finish()
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[0], "TAP version 13")
        self.assertIn("ok 1 - selftest: qemu started", lines)
        self.assertIn("not ok 3 - pds: migration 1 at checkpoint powered-off failed "
                      "# TODO known bug qemu-pds-cmask; fix: 625b370c45", lines)
        self.assertIn("#   " + BAD_LOAD, lines)
        self.assertIn("ok 4 - skip: no slot \\# here # SKIP no slot", lines)
        self.assertIn("1..5", lines)
        self.assertEqual(summary, "slotprobe: 4 entries: 1 PASS, 1 XFAIL, 1 SKIP, 1 FAIL "
                                  "(logs: /tmp/x)")
        self.assertFalse(r.all_expected())

    def test_entry_named_like_its_test_is_named_once(self):
        out = io.StringIO()
        r = Report(out)
        r.add(EntryResult("pds-migration", "FAIL", checks=[
            Check(True, "pds-migration: slot 00:12.0: power-off completed"),
            Check(False, "FAIL: pds-migration: slot 00:12.0: link down"),
            Check(True, "pds-migration-x: another test's prefix stays")]))
        r.add(EntryResult("hotplug-migration", "PASS", checks=[
            Check(True, "hotplug: slot 00:10.0: go-ahead")]))
        lines = out.getvalue().splitlines()
        self.assertIn("ok 1 - pds-migration: slot 00:12.0: power-off completed", lines)
        self.assertIn("not ok 2 - pds-migration: FAIL: slot 00:12.0: link down", lines)
        self.assertIn("ok 3 - pds-migration: pds-migration-x: another test's prefix stays",
                      lines)
        self.assertIn("ok 4 - hotplug-migration: hotplug: slot 00:10.0: go-ahead", lines)

    def test_same_diagnostics_quoted_once_per_entry(self):
        """An explore campaign refused 59 times at one place printed QEMU's
        five stderr lines 59 times; now once, then a pointer."""
        stderr = ["destination QEMU exited with status 1; its stderr:", BAD_LOAD]
        refused = [Check(False, f"migration {i} failed", diagnostics=list(stderr))
                   for i in (1, 2, 3)]
        other = Check(False, "migration 4 failed", diagnostics=[stderr[0], "another"])
        out = io.StringIO()
        r = Report(out)
        r.add(EntryResult("explore", "FAIL", checks=[*refused, other]))
        r.add(EntryResult("again", "FAIL", checks=[refused[0]]))
        lines = out.getvalue().splitlines()
        self.assertEqual(lines.count("#   " + BAD_LOAD), 2)    # once per entry
        self.assertEqual(lines.count("#   (diagnostics as test 1's)"), 2)
        self.assertIn("#   another", lines)

    def test_junit(self):
        r = Report(io.StringIO())
        for e in sample():
            r.add(e)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "j.xml")
            r.write_junit(path)
            root = ET.parse(path).getroot()
        suites = {s.get("name"): s for s in root}
        self.assertEqual(suites["bad"].get("failures"), "1")
        self.assertEqual(suites["pds"].get("failures"), "0")
        self.assertEqual(suites["pds"].get("skipped"), "1")
        self.assertIsNotNone(suites["skip"].find("testcase/skipped"))


class JudgeTest(unittest.TestCase):
    def setUp(self):
        self.errata = load_errata(ERRATA)
        self.entry = Entry(name="pds", test="pds-migration", machine="pc-q35-6.0",
                           errata=["qemu-pds-cmask"])

    def checks(self):
        return [Check(True, "qemu started"),
                Check(False, "migration 1 failed", evidence=BAD_LOAD),
                Check(False, "guest exit status FAIL", follows=True)]

    def test_known_bug_is_xfail(self):
        r = judge("pds", self.checks(), self.entry, self.errata, (7, 2, 22), "pc-q35-6.0")
        self.assertEqual(r.outcome, "XFAIL")
        self.assertEqual(r.reason, 'known bug qemu-pds-cmask; fix: 625b370c45 "pcie: Add '
                         'hotplug detect state register to cmask" (QEMU 8.1.0)')
        self.assertEqual(r.checks[2].directive, "TODO after known bug qemu-pds-cmask")

    def test_unrelated_failure_after_known_bug_stays_fail(self):
        checks = self.checks()
        checks.insert(2, Check(False, "FAIL: slot: SltCtl unchanged"))
        r = judge("pds", checks, self.entry, self.errata, (7, 2, 22), "pc-q35-6.0")
        self.assertEqual(r.outcome, "FAIL")
        self.assertEqual(r.reason, "FAIL: slot: SltCtl unchanged")
        self.assertEqual(r.checks[2].directive, "")
        # the exit status still follows from the failures before it
        self.assertEqual(r.checks[3].directive, "TODO after known bug qemu-pds-cmask")

    def test_guest_failure_matching_an_erratum_is_its_own_known_bug(self):
        checks = self.checks()
        checks.insert(2, Check(False, "FAIL: x: " + BAD_LOAD))
        r = judge("pds", checks, self.entry, self.errata, (7, 2, 22), "pc-q35-6.0")
        self.assertEqual(r.outcome, "XFAIL")
        self.assertTrue(r.checks[2].directive.startswith("TODO known bug qemu-pds-cmask;"))

    def test_fix_none_known_wording(self):
        e = self.errata["qemu-acpihp-coldplug-pds"]
        entry = Entry(name="q", test="enumerate", machine="q35")
        r = judge("q", [Check(False, "FAIL: Presence Detect State matches the bus "
                              "(PresDet-, a function answers)", keys=[CheckKey(
                                  "enumerate", "PCI_EXP_SLTSTA_PDS", "set-with-function")])],
                  entry, self.errata, (7, 2, 22), "pc-q35-7.2")
        self.assertEqual(r.outcome, "XFAIL")
        self.assertEqual(r.checks[0].directive,
                         f"TODO known bug qemu-acpihp-coldplug-pds; fix: {e.fix}")
        self.assertNotIn("fixed by", r.checks[0].directive)

    def test_same_failure_on_fixed_qemu_is_fail(self):
        r = judge("pds", self.checks(), self.entry, self.errata, (8, 1, 0), "pc-q35-6.0")
        self.assertEqual(r.outcome, "FAIL")

    def test_destination_version_decides(self):
        # A fixed source migrating to an affected destination: the known bug.
        checks = self.checks()
        checks[1].qemu = ((7, 2, 22), "pc-q35-6.0")
        r = judge("pds", checks, self.entry, self.errata, (8, 2, 0), "pc-q35-6.0")
        self.assertEqual(r.outcome, "XFAIL")
        checks = self.checks()
        checks[1].qemu = ((8, 2, 0), "pc-q35-6.0")
        r = judge("pds", checks, self.entry, self.errata, (7, 2, 22), "pc-q35-6.0")
        self.assertEqual(r.outcome, "FAIL")

    def test_bug_that_did_not_show(self):
        r = judge("pds", [Check(True, "migration 1 completed")], self.entry, self.errata,
                  (7, 2, 22), "pc-q35-6.0")
        self.assertEqual(r.outcome, "FAIL")
        self.assertEqual(r.reason, "known bug qemu-pds-cmask did not show on QEMU 7.2.22 "
                         "(pc-q35-6.0): backport, or the test lost its power")

    def test_setup_error(self):
        r = judge("x", [Check(False, "guest set-up error: unknown test")], self.entry,
                  self.errata, (7, 2, 22), "pc-q35-6.0", setup_error="unknown test")
        self.assertEqual((r.outcome, r.reason), ("ERROR", "unknown test"))


if __name__ == "__main__":
    unittest.main()
