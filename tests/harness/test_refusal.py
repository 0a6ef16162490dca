"""A destination that refuses the migration stream, end to end against the
fake QEMU: the report's first line names device, register and field with
both values; known bugs match by field; a declared backport passes."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

from tests.harness.support import (ERRATA, FAKE_IMAGE, FAKE_OVMF, FAKE_QEMU, SLOTPROBE,
                                   FakeScenario, write)
from slotprobelib.errata import load_errata
from slotprobelib.plan import Entry
from slotprobelib.runner import Options, Runner

SEED_DEVICES = ["-device", "pcie-root-port,port=18,chassis=19,id=pcie-root-port18,"
                "bus=pcie.0,addr=0x12",
                "-device", "nec-usb-xhci,p2=4,p3=4,id=nex-usb-xhci0,bus=pcie-root-port18,"
                "addr=0x0"]
# The guest: its layout (as measured on QEMU 7.2), then the seed's checkpoint.
GUEST = [["hello", "pds-migration"],
         ["line", "cap 00:12.0 hdr=1 sec=01 kind=std id=0x10 at=0x54"],
         ["line", "cap 00:12.0 hdr=1 sec=01 kind=std id=0x11 at=0x48"],
         ["line", "cap 01:00.0 hdr=0 kind=std id=0x10 at=0xa0"],
         ["checkpoint", "powered-off"], ["line", "result PASS slot checked"],
         ["line", "summary tests=1 failed=0 skipped=0 xfail=0"], ["exit", 0]]
P = "qemu-system-x86_64: "


def refused_at_0x6e(read: str, device: str) -> list[str]:
    return [P + f"get_pci_config_device: Bad config data: i=0x6e read: {read} "
            f"device: {device} cmask: ff wmask: 0 w1cmask:19",
            P + "Failed to load PCIDevice:config",
            P + "error while loading state for instance 0x0 of device "
            "'0000:00:12.0/pcie-root-port'",
            P + "load of migration failed: Invalid argument"]


class Refused(unittest.TestCase):
    def setUp(self):
        self.logs = tempfile.mkdtemp(prefix="slotprobe-logs-")
        self.addCleanup(shutil.rmtree, self.logs, True)
        self.entry = Entry(name="seed", test="pds-migration", machine="pc-q35-6.0",
                           devices=SEED_DEVICES, migrate_at=["powered-off"],
                           errata=["qemu-pds-cmask"], timeout=20)

    def run_seed(self, **scenario):
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU,
                       log_dir=self.logs)
        with FakeScenario(GUEST, **scenario):
            return Runner(self.entry, opts, load_errata(ERRATA)).run()

    def migration_check(self, r):
        return next(c for c in r.checks if c.description.startswith("migration 1"))

    def test_the_seed_is_the_known_bug(self):
        r = self.run_seed(dst_load="fail", version=[7, 2, 22])
        self.assertEqual(r.outcome, "XFAIL")
        self.assertIn("625b370c45", r.reason)
        c = self.migration_check(r)
        self.assertEqual(c.description, "migration 1 at checkpoint powered-off failed: "
                         "00:12.0 pcie-root-port (pcie-root-port18): PCI Express "
                         "capability +0x1a Slot Status, PCI_EXP_SLTSTA_PDS source 0, "
                         "destination 1 (checked on load)")
        self.assertEqual(c.fields, ["PCI_EXP_SLTSTA_PDS"])
        self.assertIn(P + "load of migration failed: Invalid argument", c.diagnostics)

    def test_another_slot_status_bit_is_a_fail_naming_it(self):
        # Same offset (i=0x6e) as the known bug, Electromechanical Interlock
        # Status instead of PDS (QEMU 7.2 measured: a script wrote SLTCTL EIC).
        r = self.run_seed(dst_load="fail", version=[7, 2, 22],
                          dst_stderr=refused_at_0x6e("c0", "40"))
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("PCI_EXP_SLTSTA_EIS source 1, destination 0", r.reason)
        self.assertNotIn("TODO", self.migration_check(r).directive)

    def test_pds_and_another_bit_names_the_unexplained_one(self):
        # Measured too: EIC written, then the slot powered off.
        r = self.run_seed(dst_load="fail", version=[7, 2, 22],
                          dst_stderr=refused_at_0x6e("80", "40"))
        self.assertEqual(r.outcome, "FAIL")
        c = self.migration_check(r)
        self.assertIn("not known bug qemu-pds-cmask alone: it explains PCI_EXP_SLTSTA_PDS, "
                      "not PCI_EXP_SLTSTA_EIS", c.diagnostics)

    def test_a_deprecation_warning_is_not_the_reason(self):
        stderr = [P + "warning: Machine type 'pc-i440fx-1.6' is deprecated: old and "
                  "unattended - use a newer version instead",
                  P + 'Unknown ramblock "/rom@etc/acpi/tables", cannot accept migration',
                  P + "load of migration failed: Invalid argument"]
        r = self.run_seed(dst_load="fail", dst_stderr=stderr)
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn('RAM block "/rom@etc/acpi/tables"', r.reason)
        self.assertNotIn("deprecated", r.reason)


class CommandLine(unittest.TestCase):
    """`--errata FILE` declaring the seed's fix backported, as a user runs it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.plan = write(self.dir, "plan.cfg", "[seed]\ntest = pds-migration\n"
                          "machine = pc-q35-6.0\ndevices = " + " ".join(SEED_DEVICES) +
                          "\nmigrate_at = powered-off\nerrata = qemu-pds-cmask\n")

    def run_cli(self, *extra, **scenario):
        env = dict(os.environ, FAKE_QEMU_SCENARIO=write(
            self.dir, "sc.json", json.dumps({"guest": GUEST, **scenario})))
        junit = os.path.join(self.dir, "j.xml")
        p = subprocess.run([sys.executable, SLOTPROBE, "--plan", self.plan, "run", "seed",
                            "--qemu", FAKE_QEMU, "--ovmf", FAKE_OVMF, "--image", FAKE_IMAGE,
                            "--accel", "tcg", "--log-dir", os.path.join(self.dir, "logs"),
                            "--junit", junit, *extra],
                           capture_output=True, text=True, timeout=60, env=env)
        self.assertNotIn("Traceback", p.stderr)
        return p, junit

    def test_backport_declared_turns_did_not_show_into_pass(self):
        p, _ = self.run_cli()                        # a patched 7.2: no refusal
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("known bug qemu-pds-cmask did not show on QEMU 7.2.22 (pc-q35-6.0): "
                      "backport, or the test lost its power", p.stdout)
        mine = write(self.dir, "mine.cfg", "[qemu-pds-cmask]\nfix_present = yes\n")
        p, _ = self.run_cli("--errata", mine)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("ok 1", p.stdout)
        self.assertIn("known bug qemu-pds-cmask did not show on QEMU 7.2.22 (pc-q35-6.0): "
                      f"its fix is declared present ({mine})", p.stdout)
        self.assertIn("1 PASS, 0 XFAIL, 0 FAIL", p.stdout)

    def test_refusal_is_the_junit_failure_message(self):
        p, junit = self.run_cli(dst_load="fail", dst_stderr=refused_at_0x6e("c0", "40"))
        self.assertEqual(p.returncode, 1)
        first = next(l for l in p.stdout.splitlines() if l.startswith("not ok"))
        self.assertIn("seed: migration 1 at checkpoint powered-off failed: 00:12.0 "
                      "pcie-root-port (pcie-root-port18): PCI Express capability +0x1a "
                      "Slot Status, PCI_EXP_SLTSTA_EIS source 1, destination 0 "
                      "(checked on load)", first)
        failure = ET.parse(junit).find(".//failure")
        self.assertTrue(failure.get("message").endswith("PCI_EXP_SLTSTA_EIS source 1, "
                                                        "destination 0 (checked on load)"))
        self.assertIn("Bad config data: i=0x6e", failure.text)


if __name__ == "__main__":
    unittest.main()
