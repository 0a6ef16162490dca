"""The explorer's findings are scripts the harness runs: every kind of line
lib/explore writes (tests/explore_script_lines.txt, checked on the C side by
tests/unit/test_explore.c) compiles with the script compiler."""
import os
import unittest

from slotprobelib.script import compile_script, text_lines

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINES = os.path.join(ROOT, "tests", "explore_script_lines.txt")
DEVICES = ["-device", "pcie-root-port,id=rp18,bus=pcie.0,addr=0x12,chassis=1",
           "-device", "virtio-net-pci,id=nic0,bus=rp18"]


class ExploreLinesTest(unittest.TestCase):
    def test_every_line_compiles(self):
        with open(LINES, encoding="ascii") as f:
            text = f.read()
        steps = [line for line in text.splitlines() if line and not line.startswith("#")]
        script = compile_script(text_lines(text), DEVICES, LINES, "explore")
        self.assertEqual(script.steps, len(steps))
        self.assertEqual(script.migrate_at, ["h14"])
        self.assertEqual([(a.checkpoint, a.command) for a in script.qmp],
                         [("h12", "device_add"), ("h13", "device_del")])
        guest = script.guest.splitlines()
        self.assertIn("13 write 8 00:12.0 c10+19 cap:0x10+0x19 0x4", guest)
        self.assertIn("22 expect 8 00:12.0 c10+19 cap:0x10+0x19 0x4 0x0", guest)
        self.assertIn("23 expect 16 00:12.0/0 h0 VENDOR 0xffff 0xffff", guest)


if __name__ == "__main__":
    unittest.main()
