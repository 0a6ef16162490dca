"""Plan and errata files: parsing, validation (one-line errors), matching."""
import os
import shutil
import tempfile
import unittest

from tests.harness.support import ERRATA, PLANS, write
from slotprobelib.cfgfile import ConfigError
from slotprobelib.errata import load_errata, parse_version
from slotprobelib.plan import Plan


class FileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-cfg-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def bad(self, loader, text, *fragments):
        path = write(self.dir, "f.cfg", text)
        with self.assertRaises(ConfigError) as cm:
            loader(path)
        msg = str(cm.exception)
        self.assertNotIn("\n", msg)
        self.assertTrue(msg.startswith(path), msg)
        for f in fragments:
            self.assertIn(f, msg)


class PlanTest(FileTest):
    def test_shipped_plan(self):
        plan = Plan(PLANS)
        plan.check_errata(set(load_errata(ERRATA)))
        pds = plan.entries["pds-migration"]
        self.assertEqual(pds.machine, "pc-q35-6.0")
        self.assertEqual(pds.migrate_at, ["powered-off"])
        self.assertEqual(pds.errata, ["qemu-pds-cmask"])
        self.assertIn("nec-usb-xhci,p2=4,p3=4,id=nex-usb-xhci0,bus=pcie-root-port18,addr=0x0",
                      pds.devices)
        managed = plan.entries["pds-migration-managed"]
        self.assertNotIn("nec-usb-xhci", " ".join(managed.destination_devices()))
        self.assertEqual(pds.destination_devices(), pds.devices)
        self.assertEqual(plan.entries["selftest-fault"].expect, "crash")
        self.assertTrue(plan.entries["pingpong"].migrates_at("anything"))
        self.assertEqual({e.name for e in plan.group("default")},
                         {"selftest", "pds-migration", "script-seed"})
        self.assertIn("pds-migration-control", plan.listing())

    def test_defaults(self):
        p = Plan(write(self.dir, "p.cfg", "[selftest]\n"))
        e = p.entries["selftest"]
        self.assertEqual((e.test, e.machine, e.expect, e.timeout), ("selftest", "q35", "pass", 90))
        self.assertEqual(e.args_line(), "selftest")

    def test_malformed(self):
        self.bad(Plan, "[a]\ntimeout = soon\n", ":a:", "timeout")
        self.bad(Plan, "[a]\nexpect = maybe\n", ":a:", "expect")
        self.bad(Plan, "[a]\ncolour = red\n", ":a:", "unknown key 'colour'")
        self.bad(Plan, "[a]\nparams = fault\n", ":a:", "not key=value")
        self.bad(Plan, "[a]\ndevices = -device 'x\n", ":a:", "devices")
        self.bad(Plan, "no section\n", "section")
        self.bad(Plan, "[a]\n[a]\n", "already exists")
        self.bad(Plan, "[bad name]\n", "bad entry name")

    def test_unknown_erratum(self):
        p = Plan(write(self.dir, "p.cfg", "[a]\nerrata = nope\n"))
        with self.assertRaises(ConfigError) as cm:
            p.check_errata({"qemu-pds-cmask"})
        self.assertIn("unknown erratum 'nope'", str(cm.exception))

    def test_missing_file(self):
        with self.assertRaises(ConfigError):
            Plan(os.path.join(self.dir, "none.cfg"))


class ErrataTest(FileTest):
    def test_seed(self):
        e = load_errata(ERRATA)["qemu-pds-cmask"]
        self.assertTrue(e.applies((7, 2, 22), "pc-q35-6.0"))
        self.assertTrue(e.applies((2, 12, 1), "pc-q35-2.12"))
        self.assertTrue(e.applies((8, 0, 99), "pc-q35-6.0"))
        self.assertFalse(e.applies((8, 1, 0), "pc-q35-6.0"))
        self.assertFalse(e.applies((7, 2, 22), "pc-i440fx-7.2"))
        self.assertTrue(e.shows_in("qemu-system-x86_64: get_pci_config_device: Bad config "
                                   "data: i=0x6e read: 0 device: 40 cmask: ff"))
        self.assertFalse(e.shows_in("get_pci_config_device: Bad config data: i=0x10"))
        self.assertIn('625b370c45 "pcie: Add hotplug detect state register to cmask"', e.fix)
        self.assertIn("8.1.0", e.fix)
        self.assertIn("2215819", e.link)

    def test_ranges(self):
        text = ("[b]\nsummary = s\nsymptom = boom\nfix = f\nqemu_min = 6.0\n"
                "qemu_max = <= 7.1.5\n")
        b = load_errata(write(self.dir, "e.cfg", text))["b"]
        self.assertFalse(b.applies((5, 2, 0), "q"))
        self.assertTrue(b.applies((6, 0, 0), "q"))
        self.assertTrue(b.applies((7, 1, 5), "q"))
        self.assertFalse(b.applies((7, 1, 6), "q"))

    def test_malformed(self):
        ok = "summary = s\nsymptom = x\nfix = f\n"
        self.bad(load_errata, "[b]\n" + ok + "qemu_max = 8.1.0\n", ":b:", "'<'")
        self.bad(load_errata, "[b]\n" + ok + "qemu_min = eight\n", ":b:", "version")
        self.bad(load_errata, "[b]\nsummary = s\nfix = f\n", ":b:", "missing symptom")
        self.bad(load_errata, "[b]\nsummary = s\nfix = f\nsymptom = (\n", ":b:", "regex")
        self.bad(load_errata, "[b]\nid = c\n" + ok, ":b:", "differs")

    def test_parse_version(self):
        self.assertEqual(parse_version("7.2"), (7, 2, 0))
        self.assertEqual(parse_version("2.12.1"), (2, 12, 1))
        with self.assertRaises(ValueError):
            parse_version("7.x")


if __name__ == "__main__":
    unittest.main()
