"""QMP client over a socketpair, and what the harness learns about a binary."""
import io
import json
import socket
import threading
import unittest

from tests.harness.support import FAKE_QEMU, FakeScenario
from slotprobelib.qemu_info import SetupError, check_machine, choose_accel, machine_types
from slotprobelib.qmp import Qmp, QmpError


class QmpTest(unittest.TestCase):
    def serve(self, replies):
        """A scripted QMP server: for each command received, send replies[i]."""
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)

        def run():
            f = theirs.makefile("rwb")
            f.write(b'{"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 22}}}}\r\n')
            f.flush()
            for batch in replies:
                if not f.readline():
                    break
                for msg in batch:
                    f.write(json.dumps(msg).encode() + b"\r\n")
                f.flush()
            theirs.close()
        threading.Thread(target=run, daemon=True).start()
        log = io.StringIO()
        return Qmp(ours, log, "src"), log

    def test_command_and_events_in_order(self):
        q, log = self.serve([
            [{"return": {}}],
            [{"event": "STOP"}, {"event": "MIGRATION", "data": {"status": "active"}},
             {"return": {"status": "running"}}],
            [{"error": {"class": "GenericError", "desc": "nope"}}],
            [{"event": "MIGRATION", "data": {"status": "completed"}}, {"return": {}}]])
        q.handshake(timeout=5)
        self.assertEqual(q.greeting["version"]["qemu"]["micro"], 22)
        self.assertEqual(q.command("query-status", timeout=5), {"status": "running"})
        with self.assertRaisesRegex(QmpError, "nope"):
            q.command("bad", timeout=5)
        q.command("x", timeout=5)
        self.assertEqual([e["event"] for e in q.events], ["STOP", "MIGRATION", "MIGRATION"])
        ev = q.wait_event("MIGRATION", 1, lambda e: e["data"]["status"] == "completed")
        self.assertEqual(ev["data"]["status"], "completed")
        self.assertIn('src -> {"execute": "query-status"}', log.getvalue())

    def test_deadline_and_closed(self):
        q, _ = self.serve([[{"return": {}}], []])
        q.handshake(timeout=5)
        with self.assertRaisesRegex(QmpError, "no STOP event within 0.2s"):
            q.wait_event("STOP", 0.2)
        with self.assertRaisesRegex(QmpError, "closed|deadline"):
            q.command("query-status", timeout=2)
            q.command("query-status", timeout=2)


class QemuInfoTest(unittest.TestCase):
    def test_machine_aliases(self):
        types = machine_types(FAKE_QEMU)
        self.assertEqual(types["q35"], "pc-q35-7.2")
        self.assertEqual(check_machine(FAKE_QEMU, "pc-q35-6.0"), "pc-q35-6.0")
        with self.assertRaisesRegex(SetupError, "unknown machine type 'pc-q35-1.0'"):
            check_machine(FAKE_QEMU, "pc-q35-1.0")

    def test_accel(self):
        said = []
        self.assertEqual(choose_accel("tcg", FAKE_QEMU, FAKE_QEMU, said.append), "tcg")
        self.assertEqual(choose_accel("kvm", FAKE_QEMU, FAKE_QEMU, said.append), "kvm")
        self.assertEqual(said, [])
        # the fake reports KVM disabled: auto falls back to TCG with one line
        with FakeScenario([["hang"]]):
            self.assertEqual(choose_accel("auto", FAKE_QEMU, FAKE_QEMU, said.append), "tcg")
        self.assertEqual(said, ["slotprobe: KVM is not usable here, using TCG"])


if __name__ == "__main__":
    unittest.main()


class ListenTest(unittest.TestCase):
    def test_vanished_run_folder_is_a_qemu_error(self):
        from slotprobelib.qemu import Qemu, QemuError
        q = Qemu.__new__(Qemu)          # only the socket helper is under test
        q._listeners = []
        with self.assertRaises(QemuError) as ctx:
            q._listen("/nonexistent-slotprobe-dir/qmp.sock")
        self.assertIn("cannot listen on /nonexistent-slotprobe-dir/qmp.sock",
                      str(ctx.exception))


class CommandLineTest(unittest.TestCase):
    def test_paths_in_option_strings_escape_commas(self):
        from slotprobelib.qemu import Qemu, QemuSpec
        from tests.harness.fake_qemu import opt_dict
        d = "/tmp/a,b"
        spec = QemuSpec(binary="qemu", machine="q35", ovmf=f"{d}/OVMF.fd",
                        kernel=f"{d}/k.efi", esp=f"{d}/esp.img",
                        fw_cfg={"opt/x": f"{d}/x"})
        cmd = Qemu(spec, d, "src", f"{d}/args").command_line()
        values = [opt_dict(a) for a in cmd if "=" in a and ("path=" in a or "file=" in a)]
        self.assertEqual(len(values), 6, cmd)      # 3 chardevs, 2 fw_cfg files, 1 drive
        for kv in values:
            self.assertTrue((kv.get("path") or kv.get("file")).startswith(d + "/"), kv)
        # bare paths stay as they are
        self.assertEqual(cmd[cmd.index("-bios") + 1], f"{d}/OVMF.fd")
        self.assertEqual(cmd[cmd.index("-kernel") + 1], f"{d}/k.efi")
