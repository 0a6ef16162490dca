"""Nothing leaks: SIGINT/SIGTERM stop every QEMU in order, and even a
SIGKILLed harness takes its QEMU with it (PR_SET_PDEATHSIG)."""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from tests.harness.support import (FAKE_IMAGE, FAKE_OVMF, FAKE_QEMU, HAVE_MTOOLS, SLOTPROBE,
                                   fake_esp, write)

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


def is_machine_help(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"-machine\0help" in f.read()
    except OSError:
        return True          # gone already: not the QEMU we wait for


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
              warm: bool = False, env_extra: dict | None = None,
              **scenario: object) -> subprocess.Popen:
        """The guest says hello and hangs; booted cold unless warm (then
        from a warm-start cache of its own, self.dir/cache)."""
        env = dict(os.environ, FAKE_QEMU_PIDS=self.dir, **(env_extra or {}),
                   FAKE_QEMU_SCENARIO=write(self.dir, "sc.json", json.dumps(
                       {"guest": [["hello", "selftest"], ["hang"]], **scenario})))
        how = ["--cache", os.path.join(self.dir, "cache")] if warm else ["--cold-boot"]
        return subprocess.Popen(
            [sys.executable, SLOTPROBE, "run", "selftest", "--qemu", qemu,
             boot, image, "--ovmf", ovmf, "--accel", "tcg", "--timeout", "60",
             "--log-dir", os.path.join(self.dir, "logs"), *how],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_for_child(self, harness: subprocess.Popen, hello: bool = False,
                       machine_help: bool = False) -> int:
        """The harness's QEMU (not its `-machine help` child, unless asked
        for), once it got going; with hello, once the harness has the
        guest's hello line."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            kids = [k for k in children(harness.pid) if is_machine_help(k) == machine_help]
            if kids and (not hello or self.said_hello()):
                time.sleep(0.5)      # let it get going
                return kids[0]
            time.sleep(0.05)
        harness.kill()
        self.fail("harness started no QEMU")

    def said_hello(self) -> bool:
        for raw in glob.glob(os.path.join(self.dir, "logs", "*", "src-hostlink.raw")):
            with open(raw, "rb") as f:
                if b" hello " in f.read():
                    return True
        return False

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
                  boot: str = "--image", fakes: int = 0, hello: bool = False,
                  **start: object) -> str:
        harness = self.start(qemu, image, ovmf, boot, **start)
        child = self.wait_for_child(harness, hello)
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
        out = self.interrupt(FAKE_QEMU, FAKE_IMAGE, FAKE_OVMF, signal.SIGINT, hello=True)
        self.assertIn("ok 2 - selftest: guest hello", out)       # what was seen
        self.assertIn("not ok 3 - selftest: interrupted by SIGINT", out)
        self.assertTrue(any(n.endswith(".quit") for n in os.listdir(self.dir)),
                        "QEMU was not asked to quit")

    def test_sigint_during_warm_start_build(self):
        """Interrupted while the saved state is being made: the saving QEMU
        is stopped, and the cache holds no entry (nothing half-written)."""
        self.interrupt(FAKE_QEMU, FAKE_IMAGE, FAKE_OVMF, signal.SIGINT, warm=True,
                       boot_delay=30, fakes=1)
        self.assertTrue(any(n.endswith(".warm-save") for n in os.listdir(self.dir)))
        cache = os.path.join(self.dir, "cache")
        self.assertEqual([n for n in os.listdir(cache) if not n.endswith(".lock")], [])

    def test_sigint_after_warm_start(self):
        self.interrupt(FAKE_QEMU, FAKE_IMAGE, FAKE_OVMF, signal.SIGINT, warm=True,
                       fakes=2)   # the saving QEMU and the restored one
        for pid in [n for n in os.listdir(self.dir) if n.isdigit()]:
            self.assertFalse(alive(int(pid)), f"QEMU {pid} left running")

    def test_sigterm(self):
        self.interrupt(FAKE_QEMU, FAKE_IMAGE, FAKE_OVMF, signal.SIGTERM)

    def test_sigkill_harness_takes_qemu_along(self):
        harness = self.start(FAKE_QEMU, FAKE_IMAGE, FAKE_OVMF)
        child = self.wait_for_child(harness)
        harness.kill()
        harness.communicate(timeout=10)
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(child))

    def test_sigkill_leaves_folders_the_next_run_removes(self):
        logs = os.path.join(self.dir, "logs")
        harness = self.start(FAKE_QEMU, FAKE_IMAGE, FAKE_OVMF)
        self.wait_for_child(harness)
        harness.kill()
        harness.communicate(timeout=10)
        left = os.listdir(logs)
        self.assertEqual(len(left), 1, left)     # the killed run's folder
        env = dict(os.environ, FAKE_QEMU_SCENARIO=write(self.dir, "sc2.json", json.dumps(
            {"guest": [["hello", "selftest"], ["exit", 0]]})))
        p = subprocess.run([sys.executable, SLOTPROBE, "run", "selftest", "--qemu", FAKE_QEMU,
                            "--image", FAKE_IMAGE, "--ovmf", FAKE_OVMF, "--accel", "tcg",
                            "--log-dir", logs], env=env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(os.listdir(logs), [])

    def test_sigkill_during_machine_help_takes_the_child_along(self):
        # The `-machine help` child had no PR_SET_PDEATHSIG: a QEMU hanging
        # there outlived a SIGKILLed harness.
        harness = self.start(FAKE_QEMU, FAKE_IMAGE, FAKE_OVMF,
                             env_extra={"FAKE_QEMU_HELP_HANG": "1"})
        child = self.wait_for_child(harness, machine_help=True)
        self.addCleanup(lambda: alive(child) and os.kill(child, signal.SIGKILL))
        harness.kill()
        harness.communicate(timeout=10)
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(child), "-machine help child left running")

    @unittest.skipUnless(REAL_QEMU and os.path.exists(OVMF) and HAVE_MTOOLS,
                         "needs QEMU, OVMF and mtools")
    def test_sigint_with_real_qemu(self):
        # OVMF cannot start the fake EFI application on this ESP (it passes
        # the harness's checks only) and waits: a guest that never answers.
        self.interrupt(REAL_QEMU, fake_esp(), OVMF, signal.SIGINT, boot="--esp")


class StaleFolderTest(unittest.TestCase):
    """Folders of a harness that was SIGKILLed go with the next run."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-leak-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def dead_pid(self) -> int:
        p = subprocess.Popen(["true"])
        p.wait()
        return p.pid

    def test_only_folders_of_gone_owners_are_removed(self):
        from slotprobelib import stale
        mine = stale.make_folder("run-a-", self.dir)
        dead = stale.make_folder("run-b-", self.dir)
        with open(os.path.join(dead, stale.OWNER), "w") as f:
            f.write(f"{self.dead_pid()} 12345\n")
        reused = stale.make_folder("kvm-", self.dir)     # our pid, another start
        with open(os.path.join(reused, stale.OWNER), "w") as f:
            f.write(f"{os.getpid()} 1\n")
        kept = stale.make_folder("run-c-", self.dir)     # a finished run's logs
        stale.release(kept)
        other = os.path.join(self.dir, "unrelated")
        os.mkdir(other)
        self.assertEqual(sorted(stale.remove_stale([self.dir])), sorted([dead, reused]))
        self.assertEqual(sorted(os.listdir(self.dir)),
                         sorted(os.path.basename(p) for p in (mine, kept, other)))

    def test_the_next_run_removes_them(self):
        from slotprobelib import stale
        tmp = os.path.join(self.dir, "tmp")
        os.mkdir(tmp)
        probe = stale.make_folder("kvm-", tmp)
        with open(os.path.join(probe, stale.OWNER), "w") as f:
            f.write(f"{self.dead_pid()} 1\n")
        env = dict(os.environ, TMPDIR=tmp, FAKE_QEMU_SCENARIO=write(
            self.dir, "sc.json", json.dumps({"guest": [["hello", "selftest"], ["exit", 0]]})))
        p = subprocess.run([sys.executable, SLOTPROBE, "run", "selftest", "--qemu", FAKE_QEMU,
                            "--image", FAKE_IMAGE, "--ovmf", FAKE_OVMF, "--accel", "tcg"],
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(os.listdir(tmp), [])


if __name__ == "__main__":
    unittest.main()
