"""Known bugs by field (`fields =`), and a user's errata file layered over
tests/errata.cfg (`--errata`, `fix_present`)."""
import shutil
import tempfile
import unittest

from tests.harness.support import ERRATA, write
from slotprobelib.cfgfile import ConfigError
from slotprobelib.errata import load_errata
from slotprobelib.judge import judge
from slotprobelib.plan import Entry
from slotprobelib.report import Check

V72, Q60 = (7, 2, 22), "pc-q35-6.0"
BACKPORT = "[qemu-pds-cmask]\nfix_present = yes\n"


def refused(*fields: str) -> Check:
    """A refused migration as the runner reports it, decoded to fields."""
    return Check(False, "migration 1 at checkpoint powered-off failed: 00:12.0 ...",
                 evidence="get_pci_config_device: Bad config data: i=0x6e read: c0 "
                 "device: 40 cmask: ff wmask: 0 w1cmask:19", fields=list(fields))


class ByField(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.errata = load_errata(ERRATA)
        self.entry = Entry(name="pds", test="pds-migration", machine=Q60,
                           errata=["qemu-pds-cmask"])

    def judge(self, checks, errata=None, version=V72):
        return judge("pds", checks, self.entry, errata or self.errata, version, Q60)

    def test_the_listed_field_is_the_known_bug(self):
        r = self.judge([refused("PCI_EXP_SLTSTA_PDS")])
        self.assertEqual(r.outcome, "XFAIL")
        self.assertIn("625b370c45", r.reason)

    def test_another_field_at_the_same_offset_is_not(self):
        # The regex symptom (i=0x6e) matches this text; the field does not.
        r = self.judge([refused("PCI_EXP_SLTSTA_EIS")])
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("did not show", " ".join(c.description for c in r.checks))

    def test_a_field_beyond_the_bug_names_what_is_unexplained(self):
        r = self.judge([refused("PCI_EXP_SLTSTA_EIS", "PCI_EXP_SLTSTA_PDS")])
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("not known bug qemu-pds-cmask alone: it explains "
                      "PCI_EXP_SLTSTA_PDS, not PCI_EXP_SLTSTA_EIS", r.checks[0].diagnostics)

    def test_fields_in_errata_files_are_checked(self):
        path = write(self.dir, "e.cfg", "[b]\nsummary = s\nfix = f\nfields = SLTSTA.NOPE\n")
        with self.assertRaisesRegex(ConfigError, r"e\.cfg:b: fields: no field 'SLTSTA\.NOPE'"):
            load_errata(path)
        e = load_errata(write(self.dir, "f.cfg", "[b]\nsummary = s\nfix = f\n"
                              "fields = SLTSTA.PDS, PCI_EXP_LNKCAP_SLS LNKCAP.AOC\n"))["b"]
        self.assertEqual(e.fields, {"PCI_EXP_SLTSTA_PDS", "PCI_EXP_LNKCAP_SLS",
                                    "SLOTPROBE_EXP_LNKCAP_AOC"})
        self.assertIsNone(e.symptom)

    def test_a_user_file_adds_a_bug(self):
        mine = write(self.dir, "mine.cfg", "[my-eis]\nsummary = s\nfix = none\n"
                     "fields = SLTSTA.EIS\nmachines = pc-q35-*\n")
        errata = load_errata(ERRATA, mine)
        self.assertIn("qemu-pds-cmask", errata)
        r = self.judge([refused("PCI_EXP_SLTSTA_EIS"), Check(True, "x")], errata)
        self.assertEqual(r.checks[0].directive, "TODO known bug my-eis; fix: none")

    def test_a_declared_backport_passes_where_the_bug_does_not_show(self):
        mine = write(self.dir, "mine.cfg", BACKPORT)
        errata = load_errata(ERRATA, mine)
        self.assertEqual(errata["qemu-pds-cmask"].fix_present, mine)
        self.assertIn("625b370c45", errata["qemu-pds-cmask"].fix)   # the rest stays
        r = self.judge([Check(True, "migration 1 at checkpoint powered-off completed")],
                       errata)
        self.assertEqual(r.outcome, "PASS")
        self.assertEqual(r.checks[-1].description, "known bug qemu-pds-cmask did not "
                         f"show on QEMU 7.2.22 (pc-q35-6.0): its fix is declared present ({mine})")
        self.assertTrue(r.checks[-1].ok)

    def test_a_declared_backport_that_still_fails_is_a_fail(self):
        mine = write(self.dir, "mine.cfg", BACKPORT)
        r = self.judge([refused("PCI_EXP_SLTSTA_PDS")], load_errata(ERRATA, mine))
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn(f"known bug qemu-pds-cmask would explain this, but {mine} declares "
                      "its fix present", r.checks[0].diagnostics)
        self.assertNotIn("did not show", " ".join(c.description for c in r.checks))

    def test_bad_user_files(self):
        for text, why in (("[qemu-pds-cmask]\nfix_present = maybe\n", "yes or no"),
                          ("[qemu-pds-cmask]\nfixed = yes\n", "unknown key 'fixed'"),
                          ("[new]\nfix_present = yes\n", "missing summary")):
            with self.subTest(text):
                with self.assertRaisesRegex(ConfigError, "mine.cfg:.*" + why):
                    load_errata(ERRATA, write(self.dir, "mine.cfg", text))


if __name__ == "__main__":
    unittest.main()
