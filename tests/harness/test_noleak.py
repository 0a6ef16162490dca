"""Nothing leaks: SIGINT/SIGTERM stop every QEMU in order, and even a
SIGKILLed harness takes its QEMU with it (PR_SET_PDEATHSIG)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from tests.harness.support import FAKE_QEMU, SLOTPROBE, write

OVMF = "/usr/share/ovmf/OVMF.fd"
REAL_QEMU = shutil.which("qemu-system-x86_64")


def children(pid: int) -> list[int]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(name))
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class NoLeakTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-leak-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def start(self, qemu: str, image: str, ovmf: str, boot: str = "--image",
              warm: bool = False, **scenario: object) -> subprocess.Popen:
        """The guest says hello and hangs; booted cold unless warm (then
        from a warm-start cache of its own, self.dir/cache)."""
        env = dict(os.environ, FAKE_QEMU_PIDS=self.dir,
                   FAKE_QEMU_SCENARIO=write(self.dir, "sc.json", json.dumps(
                       {"guest": [["hello", "selftest"], ["hang"]], **scenario})))
        how = ["--cache", os.path.join(self.dir, "cache")] if warm else ["--cold-boot"]
        return subprocess.Popen(
            [sys.executable, SLOTPROBE, "run", "selftest", "--qemu", qemu,
             boot, image, "--ovmf", ovmf, "--accel", "tcg", "--timeout", "60",
             "--log-dir", os.path.join(self.dir, "logs"), *how],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_for_child(self, harness: subprocess.Popen) -> int:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            kids = children(harness.pid)
            if kids:
                time.sleep(0.5)      # let it get going
                return kids[0]
            time.sleep(0.05)
        harness.kill()
        self.fail("harness started no QEMU")

    def wait_for_fakes(self, harness: subprocess.Popen, count: int) -> None:
        """Until count fake QEMUs wrote their pid (a loaded machine starts
        Python slowly), and the last one had a moment to connect."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if len([n for n in os.listdir(self.dir) if n.isdigit()]) >= count:
                time.sleep(0.5)
                return
            time.sleep(0.05)
        harness.kill()
        self.fail(f"harness started fewer than {count} QEMUs")

    def interrupt(self, qemu: str, image: str, ovmf: str, sig: int,
                  boot: str = "--image", fakes: int = 0, **start: object) -> str:
        harness = self.start(qemu, image, ovmf, boot, **start)
        child = self.wait_for_child(harness)
        if fakes:
            self.wait_for_fakes(harness, fakes)
        t0 = time.monotonic()
        harness.send_signal(sig)
        out, err = harness.communicate(timeout=10)
        self.assertLess(time.monotonic() - t0, 5, "harness slow to stop")
        self.assertEqual(harness.returncode, 128 + sig, err)
        self.assertIn("interrupted by", err)
        self.assertNotIn("Traceback", err)
        self.assertFalse(alive(child), f"QEMU {child} left running")
        return out

    def test_sigint_stops_fake_qemu_in_order(self):
        out = self.interrupt(FAKE_QEMU, FAKE_QEMU, FAKE_QEMU, signal.SIGINT)
        self.assertIn("ok 2 - selftest: guest hello", out)       # what was seen
        self.assertIn("not ok 3 - selftest: interrupted by SIGINT", out)
        self.assertTrue(any(n.endswith(".quit") for n in os.listdir(self.dir)),
                        "QEMU was not asked to quit")

    def test_sigint_during_warm_start_build(self):
        """Interrupted while the saved state is being made: the saving QEMU
        is stopped, and the cache holds no entry (nothing half-written)."""
        self.interrupt(FAKE_QEMU, FAKE_QEMU, FAKE_QEMU, signal.SIGINT, warm=True,
                       boot_delay=30, fakes=1)
        self.assertTrue(any(n.endswith(".warm-save") for n in os.listdir(self.dir)))
        cache = os.path.join(self.dir, "cache")
        self.assertEqual([n for n in os.listdir(cache) if not n.endswith(".lock")], [])

    def test_sigint_after_warm_start(self):
        self.interrupt(FAKE_QEMU, FAKE_QEMU, FAKE_QEMU, signal.SIGINT, warm=True,
                       fakes=2)   # the saving QEMU and the restored one
        for pid in [n for n in os.listdir(self.dir) if n.isdigit()]:
            self.assertFalse(alive(int(pid)), f"QEMU {pid} left running")

    def test_sigterm(self):
        self.interrupt(FAKE_QEMU, FAKE_QEMU, FAKE_QEMU, signal.SIGTERM)

    def test_sigkill_harness_takes_qemu_along(self):
        harness = self.start(FAKE_QEMU, FAKE_QEMU, FAKE_QEMU)
        child = self.wait_for_child(harness)
        harness.kill()
        harness.communicate(timeout=10)
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(child))

    @unittest.skipUnless(REAL_QEMU and os.path.exists(OVMF), "needs QEMU and OVMF")
    def test_sigint_with_real_qemu(self):
        # OVMF with a blank disk finds nothing to boot and waits: a guest
        # that never answers.
        blank = os.path.join(self.dir, "blank.img")
        with open(blank, "wb") as f:
            f.truncate(1 << 20)
        self.interrupt(REAL_QEMU, blank, OVMF, signal.SIGINT, boot="--esp")


if __name__ == "__main__":
    unittest.main()
