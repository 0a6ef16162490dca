"""Race hunting against fake_qemu.py: destinations that die early, seeded
migration moments, random-moment migrations and the fw_cfg counter."""
import os
import shutil
import tempfile
import unittest

from tests.harness.support import ERRATA, FAKE_QEMU, HERE, FakeScenario
from slotprobelib.errata import load_errata
from slotprobelib.plan import Entry
from slotprobelib.runner import Options, Runner

DYING = os.path.join(HERE, "dying_qemu.py")


def entry(**kw) -> Entry:
    base = dict(name="t", test="selftest", machine="pc-q35-6.0", timeout=20)
    base.update(kw)
    return Entry(**base)


def texts(result):
    return [("ok " if c.ok else "not ok ") + c.description
            + (" # " + c.directive if c.directive else "") for c in result.checks]


class RaceTest(unittest.TestCase):
    def setUp(self):
        self.logs = tempfile.mkdtemp(prefix="slotprobe-logs-")
        self.addCleanup(shutil.rmtree, self.logs, True)
        self.errata = load_errata(ERRATA)

    def run_entry(self, guest, e, seed=0, dst_qemu=None, die_after=None, **scenario):
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU,
                       log_dir=self.logs, dst_qemu=dst_qemu)
        old = os.environ.get("DIE_AFTER")
        if die_after is not None:
            os.environ["DIE_AFTER"] = str(die_after)
        try:
            with FakeScenario(guest, **scenario):
                return Runner(e, opts, self.errata, seed=seed).run()
        finally:
            os.environ.pop("DIE_AFTER", None)
            if old is not None:
                os.environ["DIE_AFTER"] = old

    # -- a destination that dies early (bug 7a) ------------------------------
    def assert_migration_failed_on_destination(self, r):
        bad = [c.description for c in r.checks if not c.ok]
        self.assertTrue(bad, texts(r))
        self.assertRegex(bad[0], r"^migration 1 at checkpoint cp1 failed: "
                         r"destination QEMU exited with status 137", texts(r))
        self.assertFalse(any("not a slotprobe exit code" in t for t in texts(r)), texts(r))
        self.assertEqual(r.outcome, "FAIL")

    def test_destination_dies_before_it_is_ready(self):
        r = self.run_entry([["hello", "selftest"], ["checkpoint", "cp1"],
                            ["check_go", 0, "src"], ["exit", 0]],
                           entry(migrate_at=["cp1"]), dst_qemu=DYING, die_after=0.0)
        self.assert_migration_failed_on_destination(r)
        self.assertIn("ok go migrations=0 side=src", texts(r))
        self.assertIn("ok guest exit status PASS", texts(r))

    def test_destination_dies_after_taking_over(self):
        # The guest runs on the destination (and says FAIL there: it wants
        # the source), the destination is killed 0.3 s after its start:
        # the guest goes on on the source, which repeats what it said.
        r = self.run_entry([["hello", "selftest"], ["checkpoint", "cp1"],
                            ["check_go", 0, "src"], ["sleep", 0.6], ["exit", 0]],
                           entry(migrate_at=["cp1"]), dst_qemu=DYING, die_after=0.3)
        self.assert_migration_failed_on_destination(r)
        self.assertIn("after the guest started running there; the guest goes on "
                      "on the source", texts(r)[[not c.ok for c in r.checks].index(True)])
        self.assertIn("ok go migrations=0 side=src", texts(r))
        self.assertNotIn("not ok FAIL: go migrations=1 side=dst", texts(r))
        self.assertIn("ok guest exit status PASS", texts(r))
        self.assertEqual(sum(not c.ok for c in r.checks), 1, texts(r))

    def test_every_destination_dies_the_guest_stays_on_the_source(self):
        guest = [["hello", "selftest"]]
        for i in (1, 2):
            guest += [["checkpoint", f"cp{i}"], ["check_go", 0, "src"], ["sleep", 0.5]]
        r = self.run_entry(guest + [["exit", 0]], entry(migrate_at=["all"]),
                           dst_qemu=DYING, die_after=0.25)
        self.assert_migration_failed_on_destination(r)
        self.assertEqual([t for t in texts(r) if t.startswith("ok go")],
                         ["ok go migrations=0 side=src"] * 2, texts(r))
        self.assertIn("ok guest exit status PASS", texts(r))

    def test_settled_destination_stays(self):
        r = self.run_entry([["hello", "selftest"], ["checkpoint", "cp1"],
                            ["check_go", 1, "dst"], ["sleep", 1.3], ["exit", 0]],
                           entry(migrate_at=["cp1"]), dst_qemu=DYING, die_after=5)
        self.assertEqual(r.outcome, "PASS", texts(r))

    # -- seeded moments ------------------------------------------------------
    def schedule(self, seed):
        guest = [["hello", "selftest"]]
        for i in range(1, 7):
            guest += [["checkpoint", f"cp{i}"]]
        e = entry(migrate_at=["all"], migrate_delay=(0, 40), migrate_chance=0.5)
        r = self.run_entry(guest + [["exit", 0]], e, seed=seed)
        self.assertEqual(r.outcome, "PASS", texts(r))
        self.assertEqual(r.seed, seed)
        return [c.description.split(" completed")[0] for c in r.checks
                if c.description.startswith("migration")]

    def test_same_seed_same_schedule(self):
        a, b, c = self.schedule(7), self.schedule(7), self.schedule(8)
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        self.assertTrue(all("ms)" in m for m in a), a)

    # -- random moments and the fw_cfg counter -------------------------------
    def test_random_moments_and_fwcfg_counter(self):
        guest = [["hello", "selftest"], ["fwcfg"]]
        guest += [["sleep", 0.05], ["fwcfg"]] * 12
        guest += [["checkpoint", "cp"], ["check_go", 3, "dst"], ["exit", 0]]
        e = entry(migrate_random=(3, 20, 60))
        r = self.run_entry(guest, e, seed=3)
        self.assertEqual(r.outcome, "PASS", texts(r))
        moves = [t for t in texts(r) if t.startswith("ok migration")]
        self.assertEqual(len(moves), 3, texts(r))
        self.assertTrue(all("at a random moment (+" in m for m in moves), moves)
        self.assertEqual(len(r.timings["migrations"]), 3)
        counts = [t.split("=")[1] for t in texts(r) if "fw_cfg" in t]
        self.assertEqual(counts[0], "00000000")
        self.assertEqual(counts[-1], "00000003")
        self.assertEqual(counts, sorted(counts))

    def test_fwcfg_counter_per_side(self):
        # the guest reads fw_cfg at each stop: source 0, destinations 1, 2
        guest = [["hello", "selftest"], ["fwcfg"], ["checkpoint", "a"], ["fwcfg"],
                 ["checkpoint", "b"], ["fwcfg"], ["exit", 0]]
        r = self.run_entry(guest, entry(migrate_at=["all"]))
        self.assertEqual(r.outcome, "PASS", texts(r))
        self.assertEqual([t for t in texts(r) if "fw_cfg" in t],
                         [f"ok fw_cfg migration=0000000{i}" for i in range(3)])

    def test_random_migrations_not_done_are_reported(self):
        e = entry(migrate_random=(50, 20, 30))
        r = self.run_entry([["hello", "selftest"], ["sleep", 0.3], ["exit", 0]], e)
        self.assertEqual(r.outcome, "FAIL", texts(r))
        self.assertIn("of 50 random-moment migrations done", r.reason)


if __name__ == "__main__":
    unittest.main()
