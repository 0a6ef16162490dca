"""Options.pipeline: the next destination is launched while the guest runs
(during the migration before it) and used when it still fits."""
import glob
import os
import shutil
import tempfile
import unittest

from tests.harness.support import ERRATA, FAKE_QEMU, FakeScenario
from slotprobelib.errata import load_errata
from slotprobelib.plan import Entry
from slotprobelib.runner import Options, Runner

GUEST = [["hello", "*"], ["checkpoint", "a"], ["fwcfg"], ["check_go", 1, "dst"],
         ["checkpoint", "b"], ["fwcfg"], ["check_go", 2, "dst"],
         ["checkpoint", "c"], ["fwcfg"], ["exit", 0]]


class PipelineTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-pipeline-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.pids = os.path.join(self.dir, "pids")
        os.makedirs(self.pids)
        os.environ["FAKE_QEMU_PIDS"] = self.pids
        self.addCleanup(os.environ.pop, "FAKE_QEMU_PIDS", None)

    def run_entry(self, pipeline, migrate_at=("all",)):
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU,
                       log_dir=os.path.join(self.dir, "logs"), pipeline=pipeline)
        entry = Entry(name="pp", test="selftest", migrate_at=list(migrate_at), timeout=30)
        with FakeScenario(GUEST):
            return Runner(entry, opts, load_errata(ERRATA)).run()

    def started(self):
        return [p for p in os.listdir(self.pids) if p.isdigit()]

    def test_destinations_started_ahead_carry_the_right_count(self):
        r = self.run_entry(pipeline=True)
        texts = [c.description for c in r.checks]
        self.assertEqual(r.outcome, "PASS", texts)
        for n in (1, 2, 3):
            self.assertIn(f"fw_cfg migration={n:08d}", texts)
        self.assertEqual(sum("completed" in t for t in texts), 3)
        self.assertEqual(r.timings["spares_used"], 3)   # every destination launched ahead
        # Source, three destinations, and perhaps the spare launched during
        # the last migration (unused: stopped at once, maybe before the fake
        # wrote its pid): every one reaped.
        self.assertIn(len(self.started()), (4, 5))
        for pid in self.started():
            with self.assertRaises(ProcessLookupError):
                os.kill(int(pid), 0)

    def test_without_pipeline_one_qemu_per_migration(self):
        r = self.run_entry(pipeline=False)
        self.assertEqual(r.outcome, "PASS", [c.description for c in r.checks])
        self.assertEqual(r.timings["spares_used"], 0)
        self.assertEqual(len(self.started()), 4)

    def test_no_spare_for_entries_that_do_not_migrate(self):
        r = self.run_entry(pipeline=True, migrate_at=())
        self.assertEqual(r.outcome, "FAIL")       # check_go wants migrations
        self.assertEqual(len(self.started()), 1)


if __name__ == "__main__":
    unittest.main()
