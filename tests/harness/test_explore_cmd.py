"""`slotprobe explore`: the guest's findings become a plan file that loads
(scripts compiled, entry by entry), with the entry's machine and devices;
the explorer's seed and sizes reach the guest; bad input is a one-line
error before any QEMU starts."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from tests.harness.support import FAKE_IMAGE, FAKE_OVMF, FAKE_QEMU, SLOTPROBE, write
from slotprobelib.explore_cmd import findings_plan
from slotprobelib.plan import Entry, Plan

PY = sys.executable
PREFIX = "log explore: slot 00:12.0: explore-entry: "
FINDING = ["# Finding: value SLTCTL PCI_EXP_SLTCTL_DLLSCE rw",
           "# What was done: the 2 steps below on 00:12.0 (this hypervisor).",
           "[explore-1]",
           "script = write16 00:12.0 SLTCTL 0x1000",
           "    expect16 00:12.0 SLTCTL 0x1000 0x1000"]


class ExploreCmdTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-explore-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def explore(self, *args, guest):
        env = dict(os.environ)
        env["FAKE_QEMU_SCENARIO"] = write(self.dir, "sc.json", json.dumps({"guest": guest}))
        p = subprocess.run([PY, SLOTPROBE, "explore", *args, "--qemu", FAKE_QEMU,
                            "--ovmf", FAKE_OVMF, "--image", FAKE_IMAGE, "--accel", "tcg",
                            "--log-dir", os.path.join(self.dir, "logs")],
                           capture_output=True, text=True, timeout=60, env=env)
        self.assertNotIn("Traceback", p.stderr)
        return p

    def test_findings_become_a_plan_that_loads(self):
        guest = [["hello", "explore"], ["line", "log a line that is no finding"],
                 *[["line", PREFIX + line] for line in FINDING],
                 ["line", "result FAIL explore: finding 1: value SLTCTL ..."], ["exit", 1]]
        out = os.path.join(self.dir, "out")
        p = self.explore("--seed", "7", "--sequences", "3", "--out", out, guest=guest)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("explore: 1 finding(s) written to " + os.path.join(out, "findings.cfg"),
                      p.stdout)
        plan = Plan(os.path.join(out, "findings.cfg"))
        entry = plan.entries["explore-1"]
        self.assertEqual(entry.machine, "pc-q35-6.0")
        self.assertIn("nec-usb-xhci,p2=4,p3=4,id=nex-usb-xhci0,bus=pcie-root-port18,addr=0x0",
                      entry.devices)
        self.assertEqual(entry.script.steps, 2)
        logs = os.path.join(self.dir, "logs")
        with open(os.path.join(logs, os.listdir(logs)[0], "args")) as f:
            args = f.read().split()
        self.assertIn("seed=7", args)
        self.assertIn("sequences=3", args)

    def test_no_findings_no_entries(self):
        out = os.path.join(self.dir, "out")
        p = self.explore("--out", out, guest=[["hello", "explore"],
                                              ["line", "result PASS explore: 0 finding(s)"],
                                              ["exit", 0]])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(out, "findings.cfg")) as f:
            self.assertEqual(f.read(), "")

    def test_bad_input_is_one_line_before_qemu(self):
        for args, msg in ((["nosuch"], "unknown plan entry 'nosuch'"),
                          (["hotplug"], "plan entry 'hotplug' runs test 'hotplug', not explore"),
                          (["--sequences", "0"], "--sequences and --replays want positive")):
            p = subprocess.run([PY, SLOTPROBE, "explore", *args, "--qemu", "/nonexistent"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            self.assertIn(msg, p.stderr)

    def test_entry_lines_get_machine_and_devices(self):
        e = Entry(name="x", test="explore", machine="q35",
                  devices=["-device", "pcie-root-port,id=rp,bus=pcie.0,addr=0x12"])
        lines = [f"explore: explore-entry: {line}" for line in FINDING]
        text = findings_plan(["noise", *lines, *lines], e)
        self.assertEqual(text[:3], FINDING[:3])
        self.assertEqual(text[3:5], ["machine = q35",
                                     "devices = -device pcie-root-port,id=rp,bus=pcie.0,addr=0x12"])
        self.assertEqual(text[5:7], FINDING[3:])
        self.assertEqual(text[7:9], ["", FINDING[0]])     # the next finding


if __name__ == "__main__":
    unittest.main()
