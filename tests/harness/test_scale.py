"""Scale: --repeat/--seed reports, --stop-on-fail, --jobs (order, SIGINT),
--shard partitions, --network netns, scripts/merge-junit."""
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET
from unittest import mock

from tests.harness.support import (ERRATA, FAKE_IMAGE, FAKE_OVMF, FAKE_QEMU, PLANS, ROOT,
                                   SLOTPROBE, FakeScenario, write)
from tests.harness.test_noleak import alive, children
from slotprobelib import runner as runner_mod
from slotprobelib.cli import shard
from slotprobelib.errata import load_errata
from slotprobelib.plan import Entry, Plan
from slotprobelib.report import Check, EntryResult, Report
from slotprobelib.runner import Options, Runner

PY = sys.executable
MERGE = os.path.join(ROOT, "scripts", "merge-junit")
ORDER_PLAN = """
[slow]
test = selftest
params = sleep=0.8
[fast]
test = selftest
params = sleep=0.05
[middle]
test = selftest
params = sleep=0.4
"""
SLEEPY = [["hello", "*"], ["sleep_param"], ["line", "result PASS slept"], ["exit", 0]]


def tap_lines(out: str) -> list[str]:
    """TAP without the run-specific parts (timings, log folders, seeds)."""
    keep = []
    for line in out.splitlines():
        line = re.sub(r" in \d+\.\ds.*", "", line)
        keep.append(re.sub(r"\(\d+\.\ds\)", "", line))
    return keep


class CliScaleTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-scale-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def env(self, guest, **scenario):
        return dict(os.environ, FAKE_QEMU_PIDS=self.dir, FAKE_QEMU_SCENARIO=write(
            self.dir, "sc.json", json.dumps({"guest": guest, **scenario})))

    def cmd(self, *args, plan=None):
        pre = ["--plan", write(self.dir, "plan.cfg", plan)] if plan else []
        return [PY, SLOTPROBE, *pre, "run", "--qemu", FAKE_QEMU, "--ovmf", FAKE_OVMF,
                "--image", FAKE_IMAGE, "--accel", "tcg",
                "--log-dir", os.path.join(self.dir, "logs"), *args]

    def run_cli(self, *args, guest, plan=None, **scenario):
        p = subprocess.run(self.cmd(*args, plan=plan), capture_output=True, text=True,
                           timeout=60, env=self.env(guest, **scenario))
        self.assertNotIn("Traceback", p.stderr)
        return p

    def test_repeat_reports_rate_and_seeds(self):
        p = self.run_cli("pds-migration", "--repeat", "3", "--seed", "41",
                         dst_load="fail",
                         guest=[["hello", "pds-migration"], ["checkpoint", "powered-off"],
                                ["exit", 0]])
        self.assertEqual(p.returncode, 0, p.stdout)
        for i, seed in enumerate((41, 42, 43), 1):
            self.assertIn(f"(run {i} of 3) seed {seed}", p.stdout)
        self.assertIn("slotprobe: pds-migration: 3/3 reproduced (3 XFAIL); seeds: 41 42 43",
                      p.stdout)
        self.assertRegex(p.stdout, r"migration 1 at checkpoint powered-off \(\+\d+ ms\)")
        p = self.run_cli("pds-migration-control", "--repeat", "2", "--seed", "1",
                         guest=[["hello", "pds-migration"], ["checkpoint", "powered-off"],
                                ["exit", 0]])
        self.assertIn("slotprobe: pds-migration-control: 0/2 reproduced (2 PASS)", p.stdout)

    def test_seed_reproduces_the_schedule(self):
        guest = [["hello", "pds-migration"], ["checkpoint", "powered-off"], ["exit", 0]]
        delays = []
        for args in (("--repeat", "3", "--seed", "10"), ("--repeat", "1", "--seed", "12")):
            p = self.run_cli("pds-migration-control", *args, guest=guest)
            delays.append(re.findall(r"powered-off \(\+(\d+) ms\)", p.stdout))
        self.assertEqual(len(delays[0]), 3)
        self.assertEqual(delays[0][2], delays[1][0])

    def test_stop_on_fail(self):
        p = self.run_cli("selftest", "--repeat", "5", "--stop-on-fail",
                         guest=[["hello", "selftest"], ["line", "result FAIL x"], ["exit", 1]])
        self.assertEqual(p.returncode, 1)
        self.assertIn("--stop-on-fail: stopped after selftest (FAIL)", p.stdout)
        self.assertIn("slotprobe: selftest: 1/1 reproduced (1 FAIL)", p.stdout)

    def test_jobs_keep_plan_order_and_numbering(self):
        seq = self.run_cli("slow", "fast", "middle", plan=ORDER_PLAN, guest=SLEEPY)
        t0 = time.monotonic()
        par = self.run_cli("slow", "fast", "middle", "--jobs", "3", plan=ORDER_PLAN,
                           guest=SLEEPY)
        self.assertLess(time.monotonic() - t0, 4.0)
        self.assertEqual(seq.returncode, 0, seq.stdout)
        self.assertEqual(par.returncode, 0, par.stdout)
        self.assertEqual(tap_lines(seq.stdout), tap_lines(par.stdout))
        names = [l.split(":")[0][2:] for l in par.stdout.splitlines()
                 if re.match(r"# \w+: selftest sleep", l)]
        self.assertEqual(names, ["slow", "fast", "middle"])
        self.assertEqual(len(os.listdir(os.path.join(self.dir, "logs"))), 0)

    def test_jobs_sigint_stops_everything(self):
        harness = subprocess.Popen(self.cmd("slow", "fast", "middle", "--jobs", "3",
                                            plan=ORDER_PLAN),
                                   env=self.env([["hello", "*"], ["hang"]]),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 15
        kids: list[int] = []
        while time.monotonic() < deadline and len(kids) < 3:
            kids = children(harness.pid)
            time.sleep(0.05)
        self.assertEqual(len(kids), 3, "three QEMUs at once")
        time.sleep(0.5)
        t0 = time.monotonic()
        harness.send_signal(signal.SIGINT)
        out, err = harness.communicate(timeout=30)
        self.assertLess(time.monotonic() - t0, 8)
        self.assertEqual(harness.returncode, 130, err)
        self.assertNotIn("Traceback", err)
        for pid in kids:
            self.assertFalse(alive(pid), f"QEMU {pid} left running")
        for name in ("slow", "fast", "middle"):
            self.assertIn(f"{name}: interrupted by SIGINT", out)
        numbers = [int(m) for m in re.findall(r"^(?:not )?ok (\d+) ", out, re.M)]
        self.assertEqual(numbers, list(range(1, len(numbers) + 1)))


class ShardTest(unittest.TestCase):
    def test_partition(self):
        entries = list(Plan(PLANS).entries.values())
        for n in range(1, len(entries) + 2):
            got = [e.name for k in range(1, n + 1) for e in shard(entries, f"{k}/{n}")]
            self.assertEqual(sorted(got), sorted(e.name for e in entries), n)
            self.assertEqual(len(got), len(set(got)), n)
            # deterministic: the same call gives the same slice
            self.assertEqual([e.name for e in shard(entries, f"1/{n}")],
                             [e.name for e in shard(list(Plan(PLANS).entries.values()),
                                                    f"1/{n}")])


class NetnsTest(unittest.TestCase):
    def setUp(self):
        self.logs = tempfile.mkdtemp(prefix="slotprobe-logs-")
        self.addCleanup(shutil.rmtree, self.logs, True)

    def run_entry(self, guest, e):
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU, log_dir=self.logs)
        with FakeScenario(guest):
            return Runner(e, opts, load_errata(ERRATA)).run()

    def test_skip_when_not_possible(self):
        e = Entry(name="n", test="selftest", network="netns")
        with mock.patch.object(runner_mod, "unavailable",
                               return_value="--network netns needs root (ip netns add)"):
            r = self.run_entry([["hello", "selftest"], ["exit", 0]], e)
        self.assertEqual(r.outcome, "SKIP")
        self.assertEqual(r.reason, "--network netns needs root (ip netns add)")

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("ip"), "needs root and ip(8)")
    def test_tcp_between_namespaces(self):
        guest = [["hello", "selftest"]]
        for i in (1, 2, 3):
            guest += [["checkpoint", f"cp{i}"], ["check_go", i, "dst"]]
        e = Entry(name="n", test="selftest", network="netns", migrate_at=["all"],
                  timeout=20)
        before = subprocess.run(["ip", "netns", "list"], capture_output=True,
                                text=True).stdout
        r = self.run_entry(guest + [["exit", 0]], e)
        self.assertEqual(r.outcome, "PASS", [c.description for c in r.checks])
        after = subprocess.run(["ip", "netns", "list"], capture_output=True,
                               text=True).stdout
        self.assertEqual(before, after, "namespaces left behind")
        # the migrations went over TCP, alternating between the namespaces
        self.assertEqual(sum("completed" in c.description for c in r.checks), 3)

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("ip"), "needs root and ip(8)")
    def test_sigint_removes_namespaces(self):
        d = tempfile.mkdtemp(prefix="slotprobe-ns-")
        self.addCleanup(shutil.rmtree, d, True)
        env = dict(os.environ, FAKE_QEMU_SCENARIO=write(d, "sc.json", json.dumps(
            {"guest": [["hello", "selftest"], ["hang"]]})))
        h = subprocess.Popen([PY, SLOTPROBE, "run", "selftest", "--network", "netns",
                              "--qemu", FAKE_QEMU, "--ovmf", FAKE_OVMF, "--image",
                              FAKE_IMAGE, "--accel", "tcg", "--log-dir", d], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        mine = f"slotprobe-{h.pid}-"
        listing = ""        # the first child is `-machine help`: wait for the pair
        while time.monotonic() < deadline and listing.count(mine) < 2:
            time.sleep(0.1)
            listing = subprocess.run(["ip", "netns", "list"], capture_output=True,
                                     text=True).stdout
        self.assertEqual(listing.count(mine), 2, listing)
        h.send_signal(signal.SIGINT)
        h.communicate(timeout=15)
        self.assertEqual(h.returncode, 130)
        listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        self.assertNotIn(mine, listing)


class MergeJunitTest(unittest.TestCase):
    def junit(self, d, name, results):
        r = Report(io.StringIO())
        for res in results:
            r.add(res)
        path = os.path.join(d, name)
        r.write_junit(path)
        return path

    def test_merge(self):
        with tempfile.TemporaryDirectory() as d:
            a = self.junit(d, "a.xml", [EntryResult("one", "PASS", checks=[
                Check(True, "x"), Check(False, "y")])])
            b = self.junit(d, "b.xml", [EntryResult("two", "PASS", checks=[
                Check(True, "z", directive="SKIP no")])])
            single = write(d, "c.xml", '<testsuite name="three" tests="1" failures="0">'
                           '<testcase name="w"/></testsuite>')
            out = os.path.join(d, "all.xml")
            p = subprocess.run([PY, MERGE, out, a, b, single], capture_output=True,
                               text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            root = ET.parse(out).getroot()
            self.assertEqual([s.get("name") for s in root], ["one", "two", "three"])
            self.assertEqual((root.get("tests"), root.get("failures"), root.get("skipped")),
                             ("4", "1", "1"))
            p = subprocess.run([PY, MERGE, out, os.path.join(d, "missing.xml")],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
