"""Scripted guest actions on the host: the compiler (every step kind, every
error with its line number), device ids, qmp_at, the plan and the CLI, and
the runner handing the script over and running QMP at a checkpoint."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from tests.harness.support import ERRATA, FAKE_QEMU, PLANS, SLOTPROBE, FakeScenario, write
from slotprobelib.cfgfile import ConfigError
from slotprobelib.errata import load_errata
from slotprobelib.plan import Entry, Plan, add_script
from slotprobelib.qmp_actions import run_actions
from slotprobelib.runner import Options, Runner
from slotprobelib.script import (REGS, QmpAction, ScriptError, compile_script,
                                 parse_qmp_at, text_lines)

DEVICES = ["-device", "pcie-root-port,port=18,chassis=19,id=rp18,bus=pcie.0,addr=0x12",
           "-device", "nec-usb-xhci,id=xhci0,bus=rp18,addr=0x0.1",
           "-device", "x3130-upstream,id=up,bus=pcie.0,addr=4",
           "-device", "xio3130-downstream,id=down,bus=up,chassis=2",
           "-device", "virtio-net-pci,id=nic,bus=down",
           "-device", "e1000e,id=noaddr",
           "-device", '{"driver": "pcie-root-port", "id": "rp2", "bus": "pcie.0", "addr": "0x3.2"}']


def guest(text, devices=DEVICES):
    return compile_script(text_lines(text), devices, "f", "e").guest.splitlines()


class CompileTest(unittest.TestCase):
    def bad(self, line, *fragments, devices=DEVICES):
        with self.assertRaises(ScriptError) as cm:
            compile_script([(41, line)], devices, "plan.cfg", "entry")
        msg = str(cm.exception)
        self.assertTrue(msg.startswith("plan.cfg:41: entry: "), msg)
        self.assertNotIn("\n", msg)
        for f in fragments:
            self.assertIn(f, msg)
        return msg

    def test_every_step_kind(self):
        out = guest("""read8 00:12.0 SEC_LATENCY
            read16 rp18 SLTSTA
            read32 00:12.0 AER_UNCOR_MASK
            write8 00:12.0 0x3c 0x5a
            write16 00:12.0 SLTCTL 0x07c0
            write32 00:12.0 ext:0x1+0x8 0xffffffff
            expect 00:12.0 SLTSTA 0x0040 0
            expect16 00:12.0 cap:0x10+0x1a 0x40 0x40
            save old xhci0 VENDOR
            save32 bar slot-child of rp18 0x10
            expect-same old
            slot-power-off rp18
            slot-power-on 00:12.0
            clear-events 00:12.0
            wait-cc 00:12.0
            delay 100
            checkpoint here
            log some  words # kept
            """)
        self.assertEqual(out, [
            "1 read 8 00:12.0 h1b SEC_LATENCY",
            "2 read 16 00:12.0 c10+1a SLTSTA",
            "3 read 32 00:12.0 e1+8 AER_UNCOR_MASK",
            "4 write 8 00:12.0 h3c 0x3c 0x5a",
            "5 write 16 00:12.0 c10+18 SLTCTL 0x7c0",
            "6 write 32 00:12.0 e1+8 ext:0x1+0x8 0xffffffff",
            "7 expect 16 00:12.0 c10+1a SLTSTA 0x40 0x0",
            "8 expect 16 00:12.0 c10+1a cap:0x10+0x1a 0x40 0x40",
            "9 save 16 00:12.0/1 h0 VENDOR old",
            "10 save 32 00:12.0/0 h10 0x10 bar",
            "11 same old",
            "12 power-off 00:12.0",
            "13 power-on 00:12.0",
            "14 clear-events 00:12.0",
            "15 wait-cc 00:12.0",
            "16 delay 100",
            "17 checkpoint here",
            "18 log some  words # kept"])

    def test_comments_and_blank_lines(self):
        self.assertEqual(guest("# only a comment\n\nread16 00:12.0 SLTSTA  # PresDet\n"),
                         ["3 read 16 00:12.0 c10+1a SLTSTA"])
        with self.assertRaises(ScriptError):
            compile_script(text_lines("# nothing\n"), [], "f", "e")

    def test_devices(self):
        self.assertEqual(guest("read16 rp2 VENDOR\nread16 0001:02:1f.7 VENDOR"),
                         ["1 read 16 00:03.2 h0 VENDOR", "2 read 16 0001:02:1f.7 h0 VENDOR"])
        self.bad("read16 nic VENDOR", "not on the root bus", "use its BDF")
        self.bad("read16 noaddr VENDOR", "no usable addr=")
        self.bad("read16 nosuch VENDOR", "unknown device 'nosuch'")
        self.bad("slot-power-off xhci0", "not a port with a slot")
        self.bad("slot-power-off down", "not on the root bus")
        self.bad("read16 slot-child", "slot-child needs a port")
        self.bad("read16 00:20.0 VENDOR", "device above 1f")

    def test_errors_name_the_line(self):
        self.bad("frobnicate 00:12.0", "unknown step 'frobnicate'")
        self.bad("read 00:12.0 SLTSTA", "read8, read16 or read32")
        self.bad("read32 00:12.0 SLTSTA", "SLTSTA is 16-bit: use read16")
        self.bad("read16 00:12.0 SLTSTAX", "unknown register 'SLTSTAX'")
        self.bad("read16 00:12.0 0x19", "not 16-bit aligned")
        self.bad("read32 00:12.0 0x1000", "beyond config space")
        self.bad("expect 00:12.0 0x18 1 1", "no width")
        self.bad("write16 00:12.0 SLTCTL 0x10000", "value 0x10000 is wider than 16 bits")
        self.bad("write8 00:12.0 0x3c -1", "negative")
        self.bad("write16 00:12.0 SLTCTL", "usage: write16 DEV REG VALUE")
        self.bad("expect 00:12.0 SLTSTA 0x40", "usage")
        self.bad("expect 00:12.0 SLTSTA 0x10000 0", "mask 0x10000 is wider")
        self.bad("expect 00:12.0 SLTSTA 0x40 0x41", "can never match")
        self.bad("expect-same nothing", "nothing saved under that name")
        self.bad("save bad/name 00:12.0 SLTSTA", "save name")
        self.bad("delay 60001", "longer than 60000")
        self.bad("delay soon", "not a number")
        self.bad("log " + "x" * 151, "log wants")
        self.bad("checkpoint", "usage: checkpoint")
        self.bad("checkpoint a b", "unexpected 'b'")
        self.bad("checkpoint a qmp system_reset", "refused")
        self.bad("checkpoint a qmp device_del [1]", "one JSON object")
        self.bad("checkpoint a qmp device_del {bad", "not JSON")
        self.bad("checkpoint a qmp device_del {} then", "wait EVENT")
        with self.assertRaises(ScriptError) as cm:
            compile_script(text_lines("checkpoint a\ncheckpoint a"), [], "f", "e")
        self.assertIn("f:2: e: checkpoint a appears twice", str(cm.exception))

    def test_limits(self):
        with self.assertRaises(ScriptError) as cm:
            compile_script(text_lines("delay 1\n" * 257), [], "f", "e")
        self.assertIn("f:257: e: more than 256 steps", str(cm.exception))
        with self.assertRaises(ScriptError) as cm:
            compile_script(text_lines(("log " + "x" * 150 + "\n") * 120), [], "f", "e")
        self.assertIn("16384-byte buffer", str(cm.exception))
        saves = "".join(f"save s{i} 00:12.0 VENDOR\n" for i in range(17))
        with self.assertRaises(ScriptError) as cm:
            compile_script(text_lines(saves), [], "f", "e")
        self.assertIn("f:17: e: more than 16 saved names", str(cm.exception))

    def test_register_table_is_consistent(self):
        for name, (space, cap, off, width) in REGS.items():
            self.assertIn(width, (1, 2, 4), name)
            self.assertEqual(off % width, 0, name)
            self.assertLess(off, 0x100 if space != "e" else 0x1000, name)
        self.assertEqual(REGS["SLTCTL"], ("c", 0x10, 0x18, 2))
        self.assertEqual(REGS["AER_UNCOR_MASK"], ("e", 1, 8, 4))
        self.assertEqual(REGS["SEC_LATENCY"], REGS["SEC_LATENCY_TIMER"])

    def test_checkpoint_actions(self):
        s = compile_script(text_lines(
            'checkpoint a migrate\n'
            'checkpoint b qmp device_del {"id": "xhci0"} wait DEVICE_DELETED 3\n'
            'checkpoint c migrate qmp query-status'), DEVICES, "f", "e")
        self.assertEqual(s.checkpoints, ["a", "b", "c"])
        self.assertEqual(s.migrate_at, ["a", "c"])
        self.assertEqual([(q.checkpoint, q.command, q.args, q.wait_event, q.wait_seconds,
                           q.where) for q in s.qmp],
                         [("b", "device_del", {"id": "xhci0"}, "DEVICE_DELETED", 3.0, "f:2"),
                          ("c", "query-status", {}, None, 5.0, "f:3")])

    def test_checkpoint_names_containing_qmp(self):
        # The line used to be split at the first "qmp" anywhere: myqmp was
        # refused, qmp-done ran the command "-done".
        s = compile_script(text_lines(
            'checkpoint myqmp qmp query-status\n'
            'checkpoint qmp-done qmp query-status\n'
            'checkpoint qmp migrate qmp query-kvm\n'
            'checkpoint x\tqmp  query-status  {"a": "qmp"}'), [], "f", "e")
        self.assertEqual(s.checkpoints, ["myqmp", "qmp-done", "qmp", "x"])
        self.assertEqual([(q.checkpoint, q.command, q.args) for q in s.qmp],
                         [("myqmp", "query-status", {}), ("qmp-done", "query-status", {}),
                          ("qmp", "query-kvm", {}), ("x", "query-status", {"a": "qmp"})])

    def test_qmp_at(self):
        acts = parse_qmp_at([(5, 'x: device_add {"driver": "e1000e", "id": "n"}'),
                             (6, "# comment"), (7, "y: query-status wait RESUME")], "p", "e")
        self.assertEqual([(a.checkpoint, a.command, a.args, a.wait_event, a.where)
                          for a in acts],
                         [("x", "device_add", {"driver": "e1000e", "id": "n"}, None, "p:5"),
                          ("y", "query-status", {}, "RESUME", "p:7")])
        judged = parse_qmp_at([(1, 'x: device_del {"id": "n"} guest-judges'),
                               (2, "y: query-status wait RESUME 2 guest-judges"),
                               (3, 'z: device_del {"id": "n"}')], "p", "e")
        self.assertEqual([(a.guest_judges, a.wait_event, a.wait_seconds) for a in judged],
                         [(True, None, 5.0), (True, "RESUME", 2.0), (False, None, 5.0)])
        for line, frag in (("no colon here", "CHECKPOINT: command"),
                           ("x: quit", "refused"), ("x: Bad", "bad command name"),
                           ("x: device_del {} wait 3", "wait EVENT"),
                           ("x: device_del {} guest-judges wait X", "guest-judges")):
            with self.assertRaises(ScriptError) as cm:
                parse_qmp_at([(9, line)], "p", "e")
            self.assertIn("p:9: e: ", str(cm.exception))
            self.assertIn(frag, str(cm.exception))


class PlanTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-script-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_shipped_entries(self):
        plan = Plan(PLANS)
        seed = plan.entries["script-seed"]
        self.assertEqual((seed.test, seed.migrate_at, seed.errata),
                         ("script", ["powered-off"], ["qemu-pds-cmask"]))
        self.assertIn("default", seed.groups)
        self.assertIn("write 16 00:12.0 c10+18 SLTCTL 0x7c0", seed.script.guest)
        unplug = plan.entries["script-qmp-unplug"]
        self.assertEqual(sorted(a.checkpoint for a in unplug.qmp_at),
                         ["removed", "unplug-request"])
        kinds = set()
        for name in ("script-seed", "script-readonly", "script-steps",
                     "script-qmp-unplug"):
            for line in plan.entries[name].script.guest.splitlines():
                w = line.split()
                kinds.add(w[1] + (w[2] if w[1] in ("read", "write") else ""))
        self.assertEqual(kinds, {"read8", "read16", "read32", "write8", "write16",
                                 "write32", "expect", "save", "same", "power-off",
                                 "power-on", "clear-events", "wait-cc", "delay",
                                 "checkpoint", "log"})

    def test_plan_errors_carry_the_plan_line(self):
        path = write(self.dir, "p.cfg", "[a]\nmachine = q35\n\n[b]\n"
                     "script = read16 00:12.0 SLTSTA\n"
                     "    # fine so far\n"
                     "    write16 00:12.0 SLTCTL 0x10000\n")
        with self.assertRaises(ConfigError) as cm:
            Plan(path)
        self.assertEqual(str(cm.exception),
                         f"{path}:7: b: value 0x10000 is wider than 16 bits")
        path = write(self.dir, "q.cfg", "[b]\nscript = log x\nqmp_at = x: quit\n")
        with self.assertRaises(ConfigError) as cm:
            Plan(path)
        self.assertIn(f"{path}:3: b: qmp: quit is refused", str(cm.exception))
        path = write(self.dir, "r.cfg", "[b]\ntest = selftest\nscript = log x\n")
        with self.assertRaises(ConfigError) as cm:
            Plan(path)
        self.assertIn("runs in guest test 'script'", str(cm.exception))

    def test_cli_script_errors_before_boot(self):
        path = write(self.dir, "s.txt", "read16 00:12.0 SLTSTA\nread16 nic0 SLTSTA\n")
        p = subprocess.run([sys.executable, SLOTPROBE, "script", path, "--qemu",
                            "/nonexistent-qemu"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.strip(), f"slotprobe: {path}:2: s.txt: unknown device "
                         "'nic0' (not a BDF, no -device with that id)")
        self.assertEqual(p.stdout, "")


class _StubQmp:
    def __init__(self, events=(), fail=()):
        self.events, self.closed, self.sent = [], False, []
        self._later, self._fail = list(events), fail

    def command(self, name, timeout=10.0, **args):
        from slotprobelib.qmp import QmpError
        self.sent.append((name, args))
        if name in self._fail:
            raise QmpError(f"qmp: {name}: nope")
        self.events += self._later
        self._later = []
        return {}

    def wait_event(self, name, timeout, predicate=None, start=0):
        from slotprobelib.qmp import QmpError
        for ev in self.events[start:]:
            if ev["event"] == name and (predicate is None or predicate(ev)):
                return ev
        raise QmpError(f"qmp: no {name} event within {timeout:g}s")


class _StubQemu:
    def __init__(self, qmp):
        self.qmp = qmp


class QmpActionsTest(unittest.TestCase):
    def test_device_del_waits_for_its_own_id(self):
        import time
        other = {"event": "DEVICE_DELETED", "data": {"device": "other"}}
        mine = {"event": "DEVICE_DELETED", "data": {"device": "n1"}}
        act = QmpAction("c", "device_del", {"id": "n1"}, "p:3", "DEVICE_DELETED", 0.1)
        out = run_actions([act], _StubQemu(_StubQmp([other])), time.monotonic() + 5)
        self.assertEqual(out[0][0], False)
        self.assertIn("no DEVICE_DELETED event", out[0][1])
        self.assertEqual(out[0][2], ["from p:3"])
        out = run_actions([act], _StubQemu(_StubQmp([other, mine])), time.monotonic() + 5)
        self.assertEqual(out[0][:2], (True, 'qmp device_del {"id": "n1"} at checkpoint c: '
                                            "ok, DEVICE_DELETED seen"))
        q = _StubQmp(fail=("device_add",))
        out = run_actions([QmpAction("c", "device_add", {"id": "x"}),
                           QmpAction("c", "query-status")], _StubQemu(q),
                          time.monotonic() + 5)
        self.assertEqual([o[0] for o in out], [False, True])
        self.assertIn("failed: qmp: device_add: nope", out[0][1])


class RunnerTest(unittest.TestCase):
    def setUp(self):
        self.logs = tempfile.mkdtemp(prefix="slotprobe-logs-")
        self.addCleanup(shutil.rmtree, self.logs, True)

    def test_script_file_and_qmp_at_checkpoint(self):
        e = add_script(Entry(name="s", test="script", machine="pc-q35-6.0", timeout=20),
                       compile_script(text_lines(
                           "checkpoint here qmp query-status\nlog done"), [], "f", "s"))
        e.qmp_at += parse_qmp_at([(1, "here: no-such-command {}")], "p", "s")
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU,
                       log_dir=self.logs, keep_logs=True)
        with FakeScenario([["hello", "script"], ["checkpoint", "here"],
                           ["check_go", 0, "src"], ["exit", 0]]):
            r = Runner(e, opts, load_errata(ERRATA)).run()
        texts = [c.description for c in r.checks if c.ok]
        bad = [c.description for c in r.checks if not c.ok]
        self.assertIn("qmp query-status {} at checkpoint here: ok (" + json.dumps(
            {"status": "running", "running": True}) + ")", texts)
        self.assertEqual(len(bad), 1, bad)
        self.assertIn("qmp no-such-command {} at checkpoint here failed", bad[0])
        with open(os.path.join(r.logdir, "script")) as f:
            self.assertEqual(f.read(), "1 checkpoint here\n2 log done\n")
        with open(os.path.join(r.logdir, "src-cmdline")) as f:
            self.assertIn("name=opt/slotprobe/script,file=", f.read())


if __name__ == "__main__":
    unittest.main()
