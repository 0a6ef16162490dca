"""The Makefile's test targets run their suites (a .PHONY target without a
rule would do nothing and exit 0)."""
import subprocess
import unittest

from tests.harness.support import ROOT


def dry_run(target: str) -> list[str]:
    p = subprocess.run(["make", "-n", "-C", ROOT, target], capture_output=True,
                       text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"make -n {target}: exit {p.returncode}: {p.stderr}")
    return p.stdout.splitlines()


class MakeTargetsTest(unittest.TestCase):
    def test_harness_tests_runs_the_harness_suite(self):
        self.assertTrue(any(l.endswith("scripts/run-harness-tests")
                            for l in dry_run("harness-tests")), dry_run("harness-tests"))

    def test_guest_tests_runs_the_check_group(self):
        lines = dry_run("guest-tests")
        self.assertTrue(any("scripts/slotprobe run --group check" in l for l in lines),
                        lines)

    def test_check_runs_the_same_group(self):
        with open(f"{ROOT}/scripts/run-checks") as f:
            self.assertIn("scripts/slotprobe run --group check", f.read())


if __name__ == "__main__":
    unittest.main()
