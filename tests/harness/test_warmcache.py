"""The warm-start cache (warmcache.py) and warm starts through the runner and
the command line, with the fake QEMU; the KVM verdict cache (qemu_info.py)."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from unittest import mock

from tests.harness.support import FAKE_IMAGE, FAKE_OVMF, FAKE_QEMU, SLOTPROBE, FakeScenario, write
from slotprobelib import qemu_info, warmcache
from slotprobelib.errata import load_errata
from slotprobelib.plan import Entry
from slotprobelib.runner import Options, Runner
from slotprobelib.warmcache import CacheError, WarmCache

KEY = {"cmdline": ["qemu", "-m", "256"], "image": "abc"}


class Builder:
    """A build function that writes `content` and counts its calls."""

    def __init__(self, content=b"state bytes " * 1000, delay=0.0):
        self.content, self.delay, self.calls = content, delay, 0
        self.lock = threading.Lock()

    def __call__(self, dest):
        with self.lock:
            self.calls += 1
        time.sleep(self.delay)
        with open(dest, "wb") as f:
            f.write(self.content)


def flip_byte(path, offset=100):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0xff]))


class WarmCacheTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="slotprobe-warmcache-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.cache = WarmCache(self.root)

    def test_built_once_then_reused(self):
        b = Builder()
        first = self.cache.obtain(KEY, b)
        second = self.cache.obtain(KEY, b)
        self.assertTrue(first.built)
        self.assertFalse(second.built)
        self.assertEqual(b.calls, 1)
        self.assertEqual(first.path, second.path)
        with open(second.path, "rb") as f:
            self.assertEqual(f.read(), b.content)

    def test_other_key_other_entry(self):
        b = Builder()
        self.cache.obtain(KEY, b)
        other = self.cache.obtain({**KEY, "image": "def"}, b)
        self.assertTrue(other.built)
        self.assertEqual(len(self.cache.entries()), 2)

    def test_corrupt_state_detected_and_rebuilt(self):
        b = Builder()
        path = self.cache.obtain(KEY, b).path
        flip_byte(path)                 # same size, other contents
        self.assertEqual(self.cache.check(KEY),
                         (None, "corrupt: state checksum does not match the key file"))
        again = self.cache.obtain(KEY, b)
        self.assertTrue(again.built)
        self.assertIn("checksum", again.replaced)
        self.assertEqual(b.calls, 2)
        self.assertEqual(self.cache.check(KEY), (again.path, ""))

    def test_truncated_state_detected(self):
        path = self.cache.obtain(KEY, Builder()).path
        with open(path, "r+b") as f:
            f.truncate(10)
        self.assertIn("state has 10 bytes", self.cache.check(KEY)[1])

    def test_stale_key_file_not_trusted(self):
        """An entry whose key file names another configuration (e.g. copied
        over, or a digest collision) is rebuilt, not used."""
        path = self.cache.obtain(KEY, Builder()).path
        meta_path = os.path.join(os.path.dirname(path), warmcache.KEY_FILE)
        with open(meta_path) as f:
            meta = json.load(f)
        meta["key"] = {**KEY, "image": "older"}
        with open(meta_path, "w") as f:
            json.dump(meta, f)
        self.assertIn("stale", self.cache.check(KEY)[1])
        self.assertTrue(self.cache.obtain(KEY, Builder()).built)

    def test_garbage_key_file_and_missing_state(self):
        path = self.cache.obtain(KEY, Builder()).path
        os.unlink(path)
        self.assertIn("state unreadable", self.cache.check(KEY)[1])
        with open(os.path.join(os.path.dirname(path), warmcache.KEY_FILE), "w") as f:
            f.write("{not json")
        self.assertIn("key file unreadable", self.cache.check(KEY)[1])

    def test_failed_build_stores_nothing(self):
        def broken(dest):
            with open(dest, "wb") as f:
                f.write(b"half")
            raise RuntimeError("QEMU died")
        with self.assertRaisesRegex(RuntimeError, "QEMU died"):
            self.cache.obtain(KEY, broken)
        self.assertEqual(self.cache.check(KEY), (None, "missing"))
        self.assertEqual(self.cache.entries(), [])
        with self.assertRaisesRegex(CacheError, "empty"):
            self.cache.obtain(KEY, lambda dest: open(dest, "wb").close())

    def test_parallel_threads_build_once(self):
        b = Builder(delay=0.3)
        got = []
        threads = [threading.Thread(target=lambda: got.append(self.cache.obtain(KEY, b)))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        self.assertEqual(b.calls, 1)
        self.assertEqual(sorted(g.built for g in got), [False, False, False, True])
        self.assertEqual(len({g.path for g in got}), 1)

    def test_parallel_processes_build_once(self):
        """Separate processes (two `slotprobe run`s) share the lock too."""
        script = (
            "import sys, time; sys.path.insert(0, sys.argv[1])\n"
            "from slotprobelib.warmcache import WarmCache\n"
            "def build(dest):\n"
            "    open(sys.argv[3], 'a').write('built\\n'); time.sleep(0.5)\n"
            "    open(dest, 'wb').write(b'x' * 4096)\n"
            "print(WarmCache(sys.argv[2]).obtain({'k': 1}, build).built)\n")
        log = os.path.join(self.root, "builds.log")
        scripts = os.path.join(os.path.dirname(SLOTPROBE))
        procs = [subprocess.Popen([sys.executable, "-c", script, scripts, self.root, log],
                                  stdout=subprocess.PIPE, text=True) for _ in range(3)]
        outs = sorted(p.communicate(timeout=30)[0].strip() for p in procs)
        self.assertEqual(outs, ["False", "False", "True"])
        with open(log) as f:
            self.assertEqual(f.read(), "built\n")

    def test_lock_wait_has_a_deadline(self):
        with self.cache._locked(warmcache.digest(KEY)):
            with mock.patch.object(warmcache, "LOCK_TIMEOUT", 0.2):
                t0 = time.monotonic()
                with self.assertRaisesRegex(CacheError, "held the lock"):
                    self.cache.obtain(KEY, Builder())
                self.assertLess(time.monotonic() - t0, 2.0)

    def test_prune_keeps_recent_and_the_newest(self):
        b = Builder(content=b"x")
        for i in range(warmcache.MAX_ENTRIES + 3):
            self.cache.obtain({"n": i}, b)
        names = self.cache.entries()
        self.assertEqual(len(names), warmcache.MAX_ENTRIES + 3)   # all used just now
        old = time.time() - 2 * warmcache.KEEP_RECENT
        for i, name in enumerate(names):
            os.utime(os.path.join(self.root, name), (old - i, old - i))
        removed = self.cache.prune()
        self.assertEqual(len(removed), 3)
        self.assertEqual(len(self.cache.entries()), warmcache.MAX_ENTRIES)
        very_old = time.time() - warmcache.MAX_AGE - 10
        keep = self.cache.entries()[0]
        for name in self.cache.entries():
            os.utime(os.path.join(self.root, name), (very_old, very_old))
        self.cache.prune(keep=keep)
        self.assertEqual(self.cache.entries(), [keep])

    def test_checksum_rehashed_after_in_place_write(self):
        path = self.cache.obtain(KEY, Builder()).path
        first = warmcache.file_sha256(path)
        flip_byte(path, 5)
        self.assertNotEqual(warmcache.file_sha256(path), first)


HELLO_RESULT = [["hello", "*"], ["line", "obs 00:12.0 PCI_EXP_SLTSTA 0x40"],
                ["line", "result PASS one"], ["exit", 0]]


class WarmRunnerTest(unittest.TestCase):
    """Warm starts through the runner, with the fake QEMU."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-warmrun-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cache = WarmCache(os.path.join(self.dir, "cache"))
        self.pids = os.path.join(self.dir, "pids")
        os.makedirs(self.pids)
        os.environ["FAKE_QEMU_PIDS"] = self.pids
        self.addCleanup(os.environ.pop, "FAKE_QEMU_PIDS", None)

    def run_entry(self, entry=None, cache=True):
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU,
                       log_dir=os.path.join(self.dir, "logs"),
                       warm_cache=self.cache if cache else None)
        entry = entry or Entry(name="selftest", test="selftest", timeout=20)
        return Runner(entry, opts, load_errata(os.path.join(
            os.path.dirname(SLOTPROBE), "..", "tests", "errata.cfg"))).run()

    def saves(self):
        return len(glob.glob(os.path.join(self.pids, "*.warm-save")))

    def test_warm_run_restores_and_passes(self):
        with FakeScenario(HELLO_RESULT):
            first = self.run_entry()
            second = self.run_entry()
        for r in (first, second):
            self.assertEqual(r.outcome, "PASS", [c.description for c in r.checks])
            self.assertEqual(r.timings["boot"], "warm")
            self.assertIn("from the saved post-boot state", r.checks[0].description)
        self.assertIn("warm_build", first.timings)
        self.assertNotIn("warm_build", second.timings)
        self.assertEqual(self.saves(), 1)
        self.assertEqual(first.observations, second.observations)

    def test_corrupt_cache_file_is_rebuilt(self):
        with FakeScenario(HELLO_RESULT):
            self.run_entry()
            state = glob.glob(os.path.join(self.cache.root, "*", "state"))[0]
            with open(state, "a") as f:
                f.write("corruption")
            with mock.patch("sys.stderr") as err:
                r = self.run_entry()
        self.assertEqual(r.outcome, "PASS", [c.description for c in r.checks])
        self.assertEqual(r.timings["boot"], "warm")
        self.assertEqual(self.saves(), 2)
        said = "".join(str(c) for c in err.write.call_args_list)
        self.assertIn("saved state rebuilt (corrupt", said)

    def test_state_that_does_not_load_is_dropped_and_boots_cold(self):
        """A state with a valid checksum that QEMU refuses (e.g. written by a
        QEMU the key did not tell apart): the run boots cold, the entry goes."""
        with FakeScenario(HELLO_RESULT):
            self.run_entry()
            state = glob.glob(os.path.join(self.cache.root, "*", "state"))[0]
            meta_path = os.path.join(os.path.dirname(state), warmcache.KEY_FILE)
            with open(state, "w") as f:
                f.write("not a state\n")
            with open(meta_path) as f:
                meta = json.load(f)
            meta.update(size=os.path.getsize(state), sha256=warmcache.file_sha256(state))
            with open(meta_path, "w") as f:
                json.dump(meta, f)
            with mock.patch("sys.stderr") as err:
                r = self.run_entry()
        self.assertEqual(r.outcome, "PASS", [c.description for c in r.checks])
        self.assertEqual(r.timings["boot"], "cold")
        self.assertEqual(self.cache.entries(), [])
        said = "".join(str(c) for c in err.write.call_args_list)
        self.assertIn("did not load, entry dropped", said)
        self.assertIn("load of migration failed", said)

    def test_image_without_checkpoint_boots_cold(self):
        with FakeScenario(HELLO_RESULT, warm_ready="no"), mock.patch("sys.stderr") as err:
            r = self.run_entry()
        self.assertEqual(r.outcome, "PASS", [c.description for c in r.checks])
        self.assertEqual(r.timings["boot"], "cold")
        self.assertEqual(self.cache.entries(), [])
        said = "".join(str(c) for c in err.write.call_args_list)
        self.assertIn("instead of checkpoint boot-ready", said)

    def test_cold_boot_entries_do_not_use_the_cache(self):
        with FakeScenario(HELLO_RESULT):
            r = self.run_entry(Entry(name="reset", test="selftest", boot="cold"))
            r2 = self.run_entry(cache=False)
        self.assertEqual((r.timings["boot"], r2.timings["boot"]), ("cold", "cold"))
        self.assertEqual(self.saves(), 0)
        self.assertEqual(self.cache.entries(), [])

    def test_key_follows_devices_and_image(self):
        with FakeScenario(HELLO_RESULT):
            self.run_entry()
            self.run_entry(Entry(name="other", test="selftest",
                                 devices=["-device", "pcie-root-port,id=rp"]))
        self.assertEqual(self.saves(), 2)
        self.assertEqual(len(self.cache.entries()), 2)


class CliWarmTest(unittest.TestCase):
    def test_two_jobs_build_the_same_new_entry_once(self):
        d = tempfile.mkdtemp(prefix="slotprobe-warmcli-")
        self.addCleanup(shutil.rmtree, d, True)
        pids = os.path.join(d, "pids")
        os.makedirs(pids)
        plan = write(d, "plan.cfg", "[a]\ntest = selftest\n[b]\ntest = selftest\n"
                     "[c]\ntest = selftest\n[d]\ntest = selftest\n")
        env = dict(os.environ, FAKE_QEMU_PIDS=pids, FAKE_QEMU_SCENARIO=write(
            d, "sc.json", json.dumps({"guest": [["hello", "*"], ["sleep", 0.3],
                                                ["line", "result PASS x"], ["exit", 0]]})))
        p = subprocess.run([sys.executable, SLOTPROBE, "--plan", plan, "run", "a", "b",
                            "c", "d", "--jobs", "2", "--qemu", FAKE_QEMU, "--ovmf",
                            FAKE_OVMF, "--image", FAKE_IMAGE, "--accel", "tcg",
                            "--cache", os.path.join(d, "cache")],
                           capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("4 PASS", p.stdout)
        self.assertEqual(len(glob.glob(os.path.join(pids, "*.warm-save"))), 1)
        self.assertEqual(p.stdout.count("from the saved post-boot state"), 4)


class KvmVerdictTest(unittest.TestCase):
    def test_verdict_cached_per_identity(self):
        d = tempfile.mkdtemp(prefix="slotprobe-kvm-")
        self.addCleanup(shutil.rmtree, d, True)
        ident = {"qemu": ["/q", 1, 2, 3], "kvm": [1, 2, 3], "kernel": "k", "boot_id": "b"}
        with mock.patch.object(qemu_info, "kvm_identity", return_value=ident), \
                mock.patch.object(qemu_info, "kvm_works", return_value=False) as probe:
            self.assertFalse(qemu_info.cached_kvm_works("/q", "/ovmf", d))
            self.assertFalse(qemu_info.cached_kvm_works("/q", "/ovmf", d))
            self.assertEqual(probe.call_count, 1)
            ident["kvm"] = [1, 2, 4]        # /dev/kvm made anew: probed again
            probe.return_value = True
            self.assertTrue(qemu_info.cached_kvm_works("/q", "/ovmf", d))
            self.assertEqual(probe.call_count, 2)
        with open(os.path.join(d, "kvm-verdict.json"), "w") as f:
            f.write("garbage")
        with mock.patch.object(qemu_info, "kvm_identity", return_value=ident), \
                mock.patch.object(qemu_info, "kvm_works", return_value=True) as probe:
            self.assertTrue(qemu_info.cached_kvm_works("/q", "/ovmf", d))
            self.assertEqual(probe.call_count, 1)

    def test_no_dev_kvm_no_probe(self):
        with mock.patch.object(qemu_info, "kvm_identity", return_value=None), \
                mock.patch.object(qemu_info, "kvm_works") as probe:
            self.assertFalse(qemu_info.cached_kvm_works("/q", "/ovmf", "/nonexistent"))
            probe.assert_not_called()


if __name__ == "__main__":
    unittest.main()


class BootDifferentialTest(unittest.TestCase):
    """--boot-differential: cold vs. restored, every observation the same."""

    @staticmethod
    def result(name, observations, boot, outcome="PASS"):
        from slotprobelib.report import EntryResult
        return EntryResult(name, outcome, "", [], observations=observations,
                           timings={"boot": boot})

    def judge(self, cold, warm):
        from slotprobelib.differential import judge_boot_pair
        return judge_boot_pair(Entry(name="e", test="t"), cold, warm)

    def test_variants(self):
        from slotprobelib.differential import boot_variants
        cold, warm = boot_variants(Entry(name="e", test="t", boot="warm"))
        self.assertEqual((cold.name, cold.boot, warm.name, warm.boot),
                         ("e@cold-boot", "cold", "e@warm-start", "warm"))

    def test_same_observations_pass(self):
        obs = [(0, "00:12.0", "SLTSTA", "0x40"), (1, "00:12.0", "SLTSTA", "0x0")]
        r = self.judge(self.result("c", obs, "cold"), self.result("w", list(obs), "warm"))
        self.assertEqual(r.outcome, "PASS")
        self.assertEqual(r.checks[-1].description,
                         "boot differential: 2 observations compared, 0 differ")

    def test_any_difference_fails(self):
        r = self.judge(self.result("c", [(0, "00:12.0", "SLTSTA", "0x40")], "cold"),
                       self.result("w", [(0, "00:12.0", "SLTSTA", "0x48")], "warm"))
        self.assertEqual(r.outcome, "FAIL")
        self.assertEqual(r.reason, "boot differential: before any checkpoint: 00:12.0 "
                         "SLTSTA 0x40 booted cold, 0x48 restored")

    def test_warm_run_that_booted_cold_fails(self):
        obs = [(0, "a", "R", "1")]
        r = self.judge(self.result("c", obs, "cold"), self.result("w", obs, "cold"))
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("did not start from a saved state", r.reason)

    def test_other_outcome_or_no_observations_fail(self):
        obs = [(0, "a", "R", "1")]
        r = self.judge(self.result("c", obs, "cold"),
                       self.result("w", obs, "warm", outcome="FAIL"))
        self.assertIn("outcome PASS booted cold, FAIL restored", r.reason)
        r = self.judge(self.result("c", [], "cold"), self.result("w", [], "warm"))
        self.assertIn("no observations", r.reason)
