"""The image lists its own tests: scripts/list-tests reads the GUEST_TEST
descriptors out of build/slotprobe.so into build/tests.json, and every
test's declared checkpoints are the ones its source offers."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

from tests.harness.support import PLANS
from slotprobelib import testlist
from slotprobelib.cli import _known_tests
from slotprobelib.plan import Plan
from slotprobelib.sources import ROOT

SO = os.path.join(ROOT, "build", "slotprobe.so")
LIST_TESTS = os.path.join(ROOT, "scripts", "list-tests")
GUEST_TEST = re.compile(r'GUEST_TEST\(\w+,\s*"([^"]*)",\s*"[^"]*",\s*"([^"]*)",', re.S)


def sources() -> dict[str, str]:
    """test name -> source text, one tests/*.c per guest test."""
    out = {}
    for name in sorted(os.listdir(os.path.join(ROOT, "tests"))):
        if name.endswith(".c"):
            with open(os.path.join(ROOT, "tests", name), encoding="utf-8") as f:
                text = f.read()
            m = GUEST_TEST.search(text)
            if m:
                out[m.group(1)] = text
    return out


class ListingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(SO):
            raise AssertionError(f"{SO} missing: build with make first")
        p = subprocess.run([sys.executable, LIST_TESTS, SO], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        cls.listing = json.loads(p.stdout)["tests"]
        cls.tests = {t["name"]: t for t in cls.listing}

    def test_every_test_file_is_in_the_image(self):
        self.assertEqual(sorted(self.tests), sorted(sources()))
        self.assertEqual(len(self.tests), len(self.listing))

    def test_build_listing_is_the_images(self):
        with open(testlist.listing_path(os.path.join(ROOT, "build", "slotprobe.efi"))) as f:
            self.assertEqual(json.load(f)["tests"], self.listing)

    def test_declared_checkpoints_are_the_ones_offered(self):
        for name, text in sources().items():
            with self.subTest(test=name):
                declared = self.tests[name]["checkpoints"]
                called = re.findall(r'report_checkpoint\("([^"]+)"', text)
                fixed = [c for c in declared if not c.endswith("*")]
                self.assertEqual(called, fixed, "report_checkpoint names, in order")
                if len(fixed) < len(declared):   # names the run chooses
                    self.assertRegex(text, r"hostlink_checkpoint\(|script_run\(")
                self.assertEqual(GUEST_TEST.search(text).group(2).split(), declared)

    def test_known_checkpoints(self):
        t = self.tests
        self.assertEqual(t["config-diff"]["checkpoints"], ["snapshot"])
        self.assertEqual(t["hotplug"]["checkpoints"], ["plug", "plugged", "unplug", "unplugged"])
        self.assertEqual(t["hotplug-irq"]["checkpoints"], ["armed", "pending"])
        self.assertEqual(t["pds-migration"]["checkpoints"], ["powered-off", "powered-on"])
        self.assertEqual(t["selftest"]["checkpoints"], ["step-*"])
        self.assertEqual(t["slot-power-off"]["params"], ["slot", "child", "single-write"])

    def test_patterns_and_load(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "tests.json")
            with open(path, "w") as f:
                json.dump({"tests": self.listing}, f)
            tests = testlist.load(path)
            self.assertTrue(tests["selftest"].offers_checkpoint("step-3"))
            self.assertFalse(tests["selftest"].offers_checkpoint("plug"))
            self.assertTrue(tests["script"].offers_checkpoint("anything"))
            self.assertFalse(tests["enumerate"].offers_checkpoint("snapshot"))
            with open(path, "w") as f:
                f.write("{not json")
            with self.assertRaisesRegex(testlist.ListingError, "rebuild with: make"):
                testlist.load(path)
            with self.assertRaisesRegex(testlist.ListingError, "build it with: make"):
                testlist.load(os.path.join(d, "none.json"))

    def test_harness_knows_tests_by_the_listing_beside_the_image(self):
        plan = Plan(PLANS)
        with tempfile.TemporaryDirectory() as d:
            image = os.path.join(d, "slotprobe.efi")
            with open(os.path.join(d, "tests.json"), "w") as f:
                json.dump({"tests": [dict(self.tests["slot-regs"], name="only-here")]}, f)
            known, why_not = _known_tests(plan, image)
            self.assertIn("only-here", known)
            self.assertEqual(why_not, "")
            self.assertNotIn("slot_regs", known)     # no guessing from tests/*.c
            os.remove(os.path.join(d, "tests.json"))
            known, why_not = _known_tests(plan, image)
            self.assertNotIn("only-here", known)
            self.assertIn("tests.json not found", why_not)

    def test_not_an_image_is_a_one_line_error(self):
        with tempfile.NamedTemporaryFile(suffix=".so") as f:
            f.write(b"not an ELF file at all")
            f.flush()
            p = subprocess.run([sys.executable, LIST_TESTS, f.name], capture_output=True,
                               text=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        self.assertIn("not a 64-bit little-endian ELF file", p.stderr)


if __name__ == "__main__":
    unittest.main()
