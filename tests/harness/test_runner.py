"""The runner against fake_qemu.py: a scripted guest behind real sockets."""
import os
import shutil
import tempfile
import time
import unittest
from unittest import mock

from tests.harness.support import ERRATA, FAKE_QEMU, FakeScenario
from slotprobelib.errata import load_errata
from slotprobelib.migration import reason_line
from slotprobelib.plan import Entry
from slotprobelib.runner import Options, Runner

PDS = ["hello", "pds-migration"]


def entry(**kw) -> Entry:
    base = dict(name="t", test="selftest", machine="pc-q35-6.0", timeout=20)
    base.update(kw)
    return Entry(**base)


class RunnerTest(unittest.TestCase):
    def setUp(self):
        self.logs = tempfile.mkdtemp(prefix="slotprobe-logs-")
        self.addCleanup(shutil.rmtree, self.logs, True)
        self.errata = load_errata(ERRATA)

    def run_entry(self, guest, e=None, **scenario):
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU,
                       log_dir=self.logs)
        with FakeScenario(guest, **scenario):
            return Runner(e or entry(), opts, self.errata).run()

    def texts(self, result):
        return [("ok " if c.ok else "not ok ") + c.description
                + (" # " + c.directive if c.directive else "") for c in result.checks]

    def test_pass(self):
        r = self.run_entry([["hello", "selftest"], ["line", "result PASS one"],
                            ["line", "summary tests=1 failed=0 skipped=0 xfail=0"],
                            ["exit", 0]])
        self.assertEqual(r.outcome, "PASS", self.texts(r))
        self.assertIn("ok guest exit status PASS", self.texts(r))
        self.assertIsNone(r.logdir)      # removed on success
        self.assertEqual(os.listdir(self.logs), [])

    def test_result_with_two_spaces_reads_as_with_one(self):
        # The parser accepted it and the runner read an empty status: FAIL.
        r = self.run_entry([["hello", "selftest"], ["line", "result  PASS x"],
                            ["line", "summary tests=1 failed=0 skipped=0 xfail=0"],
                            ["exit", 0]])
        self.assertEqual(r.outcome, "PASS", self.texts(r))
        self.assertIn("ok x", self.texts(r))

    def test_comma_in_run_folder(self):
        # QEMU option strings end a value at ","; the fake parses as QEMU does.
        self.logs = os.path.join(self.logs, "a,b")
        r = self.run_entry([["hello", "selftest"], ["line", "result PASS a"],
                            ["exit", 0]])
        self.assertEqual(r.outcome, "PASS", self.texts(r))

    def test_guest_failure_keeps_logs(self):
        r = self.run_entry([["hello", "selftest"], ["line", "result FAIL two"], ["exit", 1]])
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("not ok FAIL: two", self.texts(r))
        self.assertTrue(os.path.isfile(os.path.join(r.logdir, "src-console.log")))
        self.assertTrue(os.path.isfile(os.path.join(r.logdir, "qmp.log")))

    def test_migration_success_goes_to_destination(self):
        e = entry(migrate_at=["powered-off"])
        r = self.run_entry([["hello", "selftest"], ["checkpoint", "powered-off"],
                            ["check_go", 1, "dst"], ["exit", 0]], e)
        self.assertEqual(r.outcome, "PASS", self.texts(r))
        self.assertTrue(any(t.startswith("ok migration 1 at checkpoint powered-off completed")
                            for t in self.texts(r)))
        self.assertIn("ok go migrations=1 side=dst", self.texts(r))

    def test_checkpoint_without_migration(self):
        r = self.run_entry([["hello", "selftest"], ["checkpoint", "a"],
                            ["check_go", 0, "src"], ["exit", 0]])
        self.assertEqual(r.outcome, "PASS", self.texts(r))

    def test_pingpong(self):
        guest = [["hello", "selftest"]]
        for i in range(1, 4):
            guest += [["checkpoint", f"cp{i}"], ["check_go", i, "dst"]]
        r = self.run_entry(guest + [["exit", 0]], entry(migrate_at=["all"]))
        self.assertEqual(r.outcome, "PASS", self.texts(r))
        self.assertEqual(sum("completed" in t for t in self.texts(r)), 3)

    def test_destination_failure_is_known_bug(self):
        e = entry(test="pds-migration", migrate_at=["powered-off"],
                  errata=["qemu-pds-cmask"])
        for src_status in ("completed", "failed"):   # the source says either
            with self.subTest(src_status=src_status):
                r = self.run_entry([PDS, ["checkpoint", "powered-off"],
                                    ["check_go", 0, "src"], ["exit", 1]], e,
                                   dst_load="fail", src_status=src_status)
                self.assertEqual(r.outcome, "XFAIL", self.texts(r))
                mig = [c for c in r.checks if c.description.startswith("migration 1")][0]
                self.assertIn("; fix: 625b370c45", mig.directive)
                self.assertTrue(any("i=0x6e" in d for d in mig.diagnostics))
                # the guest resumed on the source and said so
                self.assertIn("ok go migrations=0 side=src", self.texts(r))
                self.assertIn("not ok guest exit status FAIL (expected PASS) "
                              "# TODO after known bug qemu-pds-cmask", self.texts(r))

    def test_failure_reason_is_the_error_not_a_warning(self):
        # QEMU 10.2 with -machine pc-q35-6.0 warns before the load fails.
        warning = ("qemu-system-x86_64: warning: Machine type 'pc-q35-6.0' is "
                   "deprecated: machines more than 6 years old are no longer supported")
        e = entry(test="pds-migration", migrate_at=["powered-off"])
        r = self.run_entry([PDS, ["checkpoint", "powered-off"],
                            ["check_go", 0, "src"], ["exit", 1]], e,
                           dst_load="fail", dst_warnings=[warning])
        mig = [c for c in r.checks if c.description.startswith("migration 1")][0]
        # Decoded (this guest sent no layout: the offset and bit, unnamed).
        self.assertIn("failed: 00:12.0 pcie-root-port: +0x6e", mig.description)
        self.assertNotIn("deprecated", mig.description)
        self.assertIn(warning, mig.diagnostics)     # still shown, below

    def test_reason_line(self):
        self.assertEqual(reason_line(["warning: old machine", "qemu-system-x86_64: "
                                      "load of migration failed: Invalid argument"]),
                         "load of migration failed: Invalid argument")
        self.assertEqual(reason_line(["qemu-system-x86_64: warning: only this"]),
                         "warning: only this")

    def test_known_bug_drops_its_logs(self):
        e = entry(test="pds-migration", migrate_at=["powered-off"],
                  errata=["qemu-pds-cmask"])
        r = self.run_entry([PDS, ["checkpoint", "powered-off"],
                            ["check_go", 0, "src"], ["exit", 0]], e, dst_load="fail")
        self.assertEqual(r.outcome, "XFAIL", self.texts(r))
        self.assertIsNone(r.logdir, "XFAIL evidence is in the report, no folder kept")

    def test_unrelated_guest_failure_after_known_bug_is_fail(self):
        e = entry(test="pds-migration", migrate_at=["powered-off"],
                  errata=["qemu-pds-cmask"])
        r = self.run_entry([PDS, ["checkpoint", "powered-off"],
                            ["line", "result FAIL slot: SltCtl unchanged"], ["exit", 1]], e,
                           dst_load="fail")
        self.assertEqual(r.outcome, "FAIL", self.texts(r))
        self.assertIn("not ok FAIL: slot: SltCtl unchanged", self.texts(r))

    def test_known_bug_not_showing_is_reported(self):
        e = entry(test="pds-migration", migrate_at=["powered-off"],
                  errata=["qemu-pds-cmask"])
        r = self.run_entry([PDS, ["checkpoint", "powered-off"], ["exit", 0]], e)
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("did not show on QEMU 7.2.22", r.reason)
        r = self.run_entry([PDS, ["checkpoint", "powered-off"], ["exit", 0]], e,
                           version=[8, 1, 0])
        self.assertEqual(r.outcome, "PASS", self.texts(r))

    def test_fixed_qemu_failure_is_fail(self):
        e = entry(test="pds-migration", migrate_at=["powered-off"])
        r = self.run_entry([PDS, ["checkpoint", "powered-off"], ["exit", 0]], e,
                           dst_load="fail", version=[8, 2, 0])
        self.assertEqual(r.outcome, "FAIL", self.texts(r))

    def test_guest_never_answers(self):
        r = self.run_entry([["hello", "selftest"], ["hang"]], entry(timeout=1.5))
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("timeout after 1.5s", r.reason)
        c = [c for c in r.checks if "timeout" in c.description][0]
        self.assertIn("fake firmware booting", c.diagnostics)

    def test_garbage_on_the_line(self):
        r = self.run_entry([["hello", "selftest"], ["raw", "\x00\xffnoise\n"],
                            ["raw", "SP1 99 dance\n"], ["exit", 0]])
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("host link: 2 garbage line(s)", r.reason)

    def test_crash(self):
        r = self.run_entry([["hello", "selftest"], ["crash", 14]])
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("crashed: vector 14 (#PF) at rip=0x1234", r.reason)
        r = self.run_entry([["hello", "selftest"], ["crash", 14]], entry(expect="crash"))
        self.assertEqual(r.outcome, "PASS", self.texts(r))

    def test_expected_crash_missing(self):
        r = self.run_entry([["hello", "selftest"], ["exit", 0]], entry(expect="crash"))
        self.assertEqual(r.outcome, "FAIL")

    def test_guest_setup_error(self):
        r = self.run_entry([["line", "error unknown test 'nope'; available: selftest"],
                            ["exit", 4]])
        self.assertEqual(r.outcome, "ERROR")
        self.assertEqual(r.reason, "unknown test 'nope'; available: selftest")

    def test_skip(self):
        r = self.run_entry([["hello", "selftest"], ["line", "result SKIP no slot"],
                            ["exit", 77]])
        self.assertEqual(r.outcome, "SKIP", self.texts(r))

    def test_qemu_fails_to_start(self):
        # Before or after it connected its sockets (QEMU 7.2 creates chardevs
        # before devices): a set-up error in QEMU's words, not a warning,
        # and never "guest exit status PASS" from QEMU's status 1.
        for when in ("1", "after-connect"):
            with self.subTest(when=when):
                os.environ["FAKE_QEMU_FAIL_START"] = when
                self.addCleanup(os.environ.pop, "FAKE_QEMU_FAIL_START", None)
                r = self.run_entry([])
                self.assertEqual(r.outcome, "ERROR", self.texts(r))
                self.assertRegex(r.reason, r"^QEMU did not start \(exited with status 1\): "
                                 r"qemu-system-x86_64: -device bogus: 'bogus' is not a valid")
                self.assertFalse(any("guest exit status" in t for t in self.texts(r)))

    def test_long_log_dir_sockets_elsewhere(self):
        # A socket path over AF_UNIX's limit failed the entry; the sockets
        # now go to a short private folder (gone with the run).
        self.logs = os.path.join(self.logs, "x" * 60, "y" * 60)
        tmp = tempfile.mkdtemp(prefix="slotprobe-tmp-")
        self.addCleanup(shutil.rmtree, tmp, True)
        with mock.patch("tempfile.tempdir", tmp):
            r = self.run_entry([["hello", "selftest"], ["checkpoint", "c"],
                                ["check_go", 1, "dst"], ["exit", 0]],
                               entry(migrate_at=["c"]))
        self.assertEqual(r.outcome, "PASS", self.texts(r))
        self.assertEqual(os.listdir(tmp), [])
        self.assertEqual(os.listdir(self.logs), [])

    def test_migrate_at_a_checkpoint_never_offered_is_no_pass(self):
        # A misspelled migrate_at passed with 0 migrations.
        guest = [["hello", "selftest"], ["checkpoint", "powered-off"], ["exit", 0]]
        r = self.run_entry(guest, entry(migrate_at=["powered_off"]))
        self.assertEqual(r.outcome, "FAIL", self.texts(r))
        self.assertEqual(r.reason, "migrate_at powered_off: the guest offered no checkpoint "
                         "of that name (it offered: powered-off), so nothing migrated there")
        r = self.run_entry([["hello", "selftest"], ["exit", 0]], entry(migrate_at=["all"]))
        self.assertEqual(r.outcome, "FAIL", self.texts(r))
        self.assertIn("migrate_at all: the guest offered no checkpoint", r.reason)

    def run_silent(self, e=None, guest=(("hang",),), **opts):
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU,
                       log_dir=self.logs, **opts)
        with FakeScenario([list(step) for step in guest]):
            t0 = time.monotonic()
            r = Runner(e or entry(), opts, self.errata).run()
        return r, time.monotonic() - t0

    def test_silent_guest_is_a_set_up_problem(self):
        # A guest that prints nothing (not even firmware output on the host
        # link) used to wait out the whole timeout as a FAIL.
        # Counted in QEMU's CPU time: a firmware spinning without output.
        r, seconds = self.run_silent(guest=[["spin"]], silence_limit=0.5)
        self.assertEqual(r.outcome, "ERROR", self.texts(r))
        self.assertRegex(r.reason, r"^the guest printed nothing in \d+ s, \d+ s of QEMU "
                         r"CPU time \(no firmware output either\)")
        self.assertLess(seconds, 8)
        # a timeout shorter than the limit ends it the same way
        r, seconds = self.run_silent(timeout=1.0)
        self.assertEqual(r.outcome, "ERROR", self.texts(r))
        self.assertRegex(r.reason, r"^the guest printed nothing in 1 s")

    def test_machine_stopped_before_the_guest_spoke(self):
        # --accel kvm here: QEMU stops the VM with "KVM internal error".
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU, log_dir=self.logs)
        with FakeScenario([["hello", "selftest"]], run_state="internal-error"):
            t0 = time.monotonic()
            r = Runner(entry(), opts, self.errata).run()
        self.assertEqual(r.outcome, "ERROR", self.texts(r))
        self.assertEqual(r.reason, "QEMU stopped the machine (internal-error) before the "
                         "guest printed anything: KVM internal error. Suberror: 1")
        self.assertLess(time.monotonic() - t0, 5)

    def test_options_refuse_a_timeout_that_is_no_deadline(self):
        for bad in (0.0, -5.0, float("nan"), float("inf")):
            with self.subTest(timeout=bad), self.assertRaises(ValueError):
                Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, timeout=bad)


if __name__ == "__main__":
    unittest.main()
