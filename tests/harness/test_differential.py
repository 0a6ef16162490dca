"""--differential: observation keys, comparison, documented differences,
the two variants of an entry, the plan key, and the runner's obs capture."""
import os
import shutil
import tempfile
import unittest

from tests.harness.support import ERRATA, FAKE_QEMU, FakeScenario
from slotprobelib.cfgfile import ConfigError
from slotprobelib.differential import (ABSENT, compare, documented, judge_pair,
                                       keyed, variants)
from slotprobelib.errata import load_errata
from slotprobelib.plan import Entry, Plan
from slotprobelib.report import Check, EntryResult
from slotprobelib.runner import Options, Runner


def result(name, observations, migrated=0, outcome="PASS"):
    checks = [Check(True, f"migration {i + 1} at checkpoint c completed (0.3s)")
              for i in range(migrated)]
    return EntryResult(name, outcome, "", checks, observations=observations)


class CompareTest(unittest.TestCase):
    def test_keys_count_repeated_readings_per_stretch(self):
        k = keyed([(0, "00:12.0", "SLTSTA", "0x40"), (0, "00:12.0", "SLTSTA", "0x0"),
                   (1, "00:12.0", "SLTSTA", "0x0")])
        self.assertEqual(k, {(0, "00:12.0", "SLTSTA", 0): "0x40",
                             (0, "00:12.0", "SLTSTA", 1): "0x0",
                             (1, "00:12.0", "SLTSTA", 0): "0x0"})

    def test_same_values_in_any_spelling_do_not_differ(self):
        self.assertEqual(compare([(0, "a", "R", "0x40")], [(0, "a", "R", "64")]), [])

    def test_changed_missing_and_extra_observations_differ(self):
        diffs = compare([(1, "a", "R", "0x1"), (1, "a", "GONE", "0x2")],
                        [(1, "a", "R", "0x3"), (2, "a", "NEW", "0x4")])
        got = {(d.key[2], d.without, d.migrated) for d in diffs}
        self.assertEqual(got, {("R", "0x1", "0x3"), ("GONE", "0x2", ABSENT),
                               ("NEW", ABSENT, "0x4")})
        text = [d.describe() for d in diffs if d.key[2] == "R"][0]
        self.assertEqual(text, "after checkpoint 1: a R 0x1 without migration, 0x3 with")

    def test_documented_differences_match_patterns(self):
        d = compare([(1, "00:12.0", "LNKSTA", "0x2011")], [(1, "00:12.0", "LNKSTA", "0x11")])[0]
        self.assertEqual(documented(d, [("00:*", "LNK*", "training")]), "training")
        self.assertIsNone(documented(d, [("00:13.0", "LNKSTA", "x")]))


class JudgeTest(unittest.TestCase):
    entry = Entry(name="e", test="t", migrate_at=["x"], errata=["qemu-pds-cmask"])

    def test_variants(self):
        still, moved = variants(self.entry)
        self.assertEqual((still.name, still.migrate_at, still.errata),
                         ("e@no-migration", [], []))
        self.assertEqual((moved.name, moved.migrate_at), ("e@migrate-all", ["all"]))
        self.assertEqual(self.entry.migrate_at, ["x"], "the plan entry is untouched")

    def test_transparent_migration_passes(self):
        obs = [(0, "a", "R", "0x1"), (1, "a", "R", "0x1")]
        r = judge_pair(self.entry, result("s", obs), result("m", obs, migrated=1))
        self.assertEqual(r.outcome, "PASS", [c.description for c in r.checks])
        self.assertIn("2 observations compared across 1 migration(s), 0 differ",
                      r.checks[-1].description)

    def test_a_difference_is_a_finding(self):
        r = judge_pair(self.entry, result("s", [(1, "a", "R", "0x1")]),
                       result("m", [(1, "a", "R", "0x2")], migrated=1))
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("a R 0x1 without migration, 0x2 with", r.reason)

    def test_a_documented_difference_passes_with_its_reason(self):
        e = Entry(name="e", test="t", differential_expect=[("a", "R", "known")])
        r = judge_pair(e, result("s", [(1, "a", "R", "0x1")]),
                       result("m", [(1, "a", "R", "0x2")], migrated=1))
        self.assertEqual(r.outcome, "PASS")
        self.assertIn("(expected: known)", r.checks[0].description)

    def test_no_migration_is_a_failure_unless_a_known_bug_stopped_it(self):
        obs = [(0, "a", "R", "0x1")]
        r = judge_pair(self.entry, result("s", obs), result("m", obs))
        self.assertEqual(r.outcome, "FAIL")
        r = judge_pair(self.entry, result("s", obs), result("m", obs, outcome="XFAIL"))
        self.assertEqual(r.outcome, "SKIP")

    def test_no_observations_is_a_skip(self):
        r = judge_pair(self.entry, result("s", []), result("m", [], migrated=1))
        self.assertEqual(r.outcome, "SKIP")


class PlanKeyTest(unittest.TestCase):
    def plan(self, text):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "plans.cfg")
        with open(path, "w") as f:
            f.write(text)
        return Plan(path)

    def test_parsed(self):
        p = self.plan("[e]\ntest = t\ndifferential_expect = 00:12.0 LNKSTA link retrained\n"
                      "    * CHILD_VENDOR\n")
        self.assertEqual(p.entries["e"].differential_expect,
                         [("00:12.0", "LNKSTA", "link retrained"), ("*", "CHILD_VENDOR", "")])

    def test_malformed(self):
        with self.assertRaises(ConfigError) as ctx:
            self.plan("[e]\ntest = t\ndifferential_expect = lonely\n")
        self.assertIn("LOCATION REGISTER", str(ctx.exception))


class RunnerObservationTest(unittest.TestCase):
    def test_observations_are_keyed_by_checkpoints_passed(self):
        logs = tempfile.mkdtemp(prefix="slotprobe-logs-")
        self.addCleanup(shutil.rmtree, logs, True)
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU, log_dir=logs)
        guest = [["hello", "selftest"], ["line", "obs 00:12.0 SLTSTA 0x40"],
                 ["checkpoint", "c"], ["check_go", 0, "src"],
                 ["line", "obs 00:12.0 SLTSTA 0x0"],
                 ["line", "summary tests=0 failed=0 skipped=0 xfail=0"], ["exit", 0]]
        with FakeScenario(guest):
            r = Runner(Entry(name="t", test="selftest", timeout=20), opts,
                       load_errata(ERRATA)).run()
        self.assertEqual(r.observations, [(0, "00:12.0", "SLTSTA", "0x40"),
                                          (1, "00:12.0", "SLTSTA", "0x0")])


if __name__ == "__main__":
    unittest.main()
