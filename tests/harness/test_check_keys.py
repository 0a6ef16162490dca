"""Guest check failures matched by identity (issue 12): a failed check's
keys on the host link (key=<test>/<field>/<condition>, lib/runtime/report.h),
errata `checks`, and the judgement: a keyed failure is a known bug only when
every key is among the bug's checks, whatever its text says."""
import re
import shutil
import tempfile
import unittest

from tests.harness.support import ERRATA, FAKE_QEMU, FakeScenario, write
from slotprobelib.cfgfile import ConfigError
from slotprobelib.checkkey import CheckKey, canonical_field, parse_check, split_keys
from slotprobelib.errata import load_errata
from slotprobelib.hostlink import Garbage, HostLink, Message
from slotprobelib.judge import judge
from slotprobelib.plan import Entry
from slotprobelib.report import Check
from slotprobelib.runner import Options, Runner
from slotprobelib.session import GuestSession

V72, Q60 = (7, 2, 22), "pc-q35-6.0"
LD = "slot-regs: slot 00:12.0: PCI_EXP_LNKCTL_LD: RO, reads 0x0, PCIe r5.0 7.5.3.7 says RW"
# On a 2.5 GT/s port (x-speed=2_5) Target Link Speed may be hardwired to 0
# only (PCIe r5.0 §7.5.3.19): read-only 1 breaks "RW or hardwired 0", a bug
# qemu-port-lnkctl2-ro (ports faster than 2.5 GT/s, where it must be RW) does
# not describe.
TLS_SLOW = ("slot-regs: slot 00:12.0: PCI_EXP_LNKCTL2_TLS: RO, reads 0x1, PCIe r5.0 "
            "7.5.3.19 says RW or hardwired 0 with Speed>2.5GT/s-")
# What tests/errata.cfg matched that erratum by before keys.
OLD_LNKCTL2_SYMPTOM = (r"PCI_EXP_LNKCTL2(_TLS|_ENTER_COMP|_TX_MARGIN| bit 1[01] \([A-Za-z ]+\)|"
                       r" bits 15:12 \([A-Za-z/ -]+\)): RO, reads 0x[0-9a-f]+, PCIe r5.0 "
                       r"7\.5\.3\.19 says RW")


def keyed(text: str, *keys: str) -> Check:
    """A guest's failed check as the session makes it from its result line."""
    return Check(False, "FAIL: " + text,
                 keys=[CheckKey("slot-regs", *k.rsplit(":", 1)) for k in keys])


class Keys(unittest.TestCase):
    def test_a_result_line_carries_keys_before_its_text(self):
        line = (b"SP1 1 result FAIL key=slot-regs/PCI_EXP_LNKCTL_LD/writable "
                + LD.encode() + b"\n")
        (ev,) = HostLink().feed(line)
        self.assertIsInstance(ev, Message)
        s = GuestSession(Entry(name="e", test="slot-regs"), [], {})
        s.handle(ev)
        (c,) = s.state.checks
        self.assertEqual(c.description, "FAIL: " + LD)       # the text as it was
        self.assertEqual(c.keys, [CheckKey("slot-regs", "PCI_EXP_LNKCTL_LD", "writable")])
        (ev,) = HostLink().feed(b"SP1 1 result PASS slot-regs: fine\n")
        s.handle(ev)
        self.assertIsNone(s.state.checks[-1].keys)

    def test_bad_keys_are_garbage(self):
        for key, why in (("key=slot-regs/PCI_EXP_LNKCTL_NOPE/writable", "no field"),
                         ("key=slot-regs/PCI_EXP_LNKCTL_LD/bendable", "unknown condition"),
                         ("key=slot-regs/PCI_EXP_LNKCTL_LD", "is not key=")):
            with self.subTest(key):
                (ev,) = HostLink().feed(f"SP1 1 result FAIL {key} text\n".encode())
                self.assertIsInstance(ev, Garbage)
                self.assertIn(why, ev.reason)

    def test_fields_are_read_into_one_spelling(self):
        self.assertEqual(canonical_field("LNKCTL.LD"), "PCI_EXP_LNKCTL_LD")
        self.assertEqual(canonical_field("SLTSTA"), "PCI_EXP_SLTSTA")
        self.assertEqual(canonical_field("LNKCTL2[15:12]"), "PCI_EXP_LNKCTL2[15:12]")
        self.assertEqual(canonical_field("PCI_EXP_LNKCTL2[11]"), "PCI_EXP_LNKCTL2[11]")
        self.assertEqual(canonical_field("LNKCTL2[3:0]"), "PCI_EXP_LNKCTL2_TLS")
        self.assertIsNone(canonical_field("LNKCTL2[16]"))       # a 16-bit register
        self.assertEqual(parse_check("hotplug/SLTSTA.DLLSC:raised"),
                         CheckKey("hotplug", "PCI_EXP_SLTSTA_DLLSC", "raised"))
        keys, text = split_keys("key=t/SLTSTA/cleared key=t/LNKCAP.MLW/valid-encoding x y")
        self.assertEqual(([str(k) for k in keys], text),
                         (["t/PCI_EXP_SLTSTA/cleared", "t/PCI_EXP_LNKCAP_MLW/valid-encoding"],
                          "x y"))


class ByKey(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.errata = load_errata(ERRATA)

    def judge(self, checks, errata=None, listed=()):
        entry = Entry(name="regs", test="slot-regs", machine=Q60, errata=list(listed))
        return judge("regs", checks, entry, errata or self.errata, V72, Q60)

    def test_the_bugs_key_is_the_known_bug(self):
        r = self.judge([keyed(LD, "PCI_EXP_LNKCTL_LD:writable")],
                       listed=["qemu-port-lnkctl-ro"])
        self.assertEqual(r.outcome, "XFAIL")
        self.assertIn("known bug qemu-port-lnkctl-ro", r.reason)

    def test_a_declared_backport_that_still_fails_says_so(self):
        mine = write(self.dir, "mine.cfg", "[qemu-port-lnkctl-ro]\nfix_present = yes\n")
        r = self.judge([keyed(LD, "PCI_EXP_LNKCTL_LD:writable")], load_errata(ERRATA, mine))
        self.assertEqual(r.outcome, "FAIL")
        self.assertEqual(r.checks[0].diagnostics, [
            f"known bug qemu-port-lnkctl-ro would explain this, but {mine} declares its "
            "fix present"])

    def test_another_condition_whose_text_the_old_symptom_matched_is_a_fail(self):
        self.assertRegex(TLS_SLOW, OLD_LNKCTL2_SYMPTOM)       # the text alone was XFAIL
        r = self.judge([keyed(TLS_SLOW, "PCI_EXP_LNKCTL2_TLS:writable-or-0")])
        self.assertEqual(r.outcome, "FAIL")
        diags = r.checks[0].diagnostics
        self.assertIn("no known bug explains check PCI_EXP_LNKCTL2_TLS writable-or-0 "
                      "(slot-regs)", diags)
        note = next(d for d in diags if d.startswith("not known bug qemu-port-lnkctl2-ro"))
        self.assertIn("PCI_EXP_LNKCTL2_TLS:writable, ", note)
        self.assertTrue(note.endswith("not PCI_EXP_LNKCTL2_TLS:writable-or-0"), note)

    def test_another_field_of_the_register_is_a_fail_naming_it(self):
        # A user's erratum with a symptom over the register's name and one
        # check: the text matches, the key (another Slot Status bit) does not.
        mine = write(self.dir, "mine.cfg", "[pdc-lost]\nsummary = s\nfix = none\n"
                     "symptom = SltSta\nchecks = SLTSTA.PDS:set\n")
        text = "hotplug: slot 00:10.0: Presence Detect Changed set (SltSta 0040)"
        r = self.judge([keyed(text, "PCI_EXP_SLTSTA_PDC:raised")], load_errata(ERRATA, mine))
        self.assertEqual(r.outcome, "FAIL")
        self.assertIn("not known bug pdc-lost: it explains PCI_EXP_SLTSTA_PDS:set, not "
                      "PCI_EXP_SLTSTA_PDC:raised", r.checks[0].diagnostics)
        r = self.judge([keyed(text, "PCI_EXP_SLTSTA_PDS:set")], load_errata(ERRATA, mine))
        self.assertEqual(r.outcome, "XFAIL")

    def test_every_key_must_be_the_bugs(self):
        text = ("slot-regs: slot 02:00.0: PCI_EXP_LNKCAP_SLS and PCI_EXP_LNKCAP_MLW are "
                "valid encodings (LnkCap 00000400: Speed unknown, Width x0)")
        both = ("PCI_EXP_LNKCAP_SLS:valid-encoding", "PCI_EXP_LNKCAP_MLW:valid-encoding")
        self.assertEqual(self.judge([keyed(text, *both)]).outcome, "XFAIL")
        r = self.judge([keyed(text, both[0], "PCI_EXP_LNKCAP_ASPMS:valid-encoding")])
        self.assertEqual(r.outcome, "FAIL")

    def test_a_test_qualified_check_holds_for_that_test_only(self):
        e = self.errata["qemu-unplugged-device-returns"]
        key = CheckKey("pds-migration", "PCI_EXP_LNKSTA", "unchanged")
        self.assertTrue(e.explains_keys([key]))
        self.assertFalse(e.explains_keys([CheckKey("hotplug", key.field, key.condition)]))

    def test_an_erratum_without_checks_matches_keyed_failures_by_text(self):
        mine = write(self.dir, "old.cfg", "[old-style]\nsummary = s\nfix = none\n"
                     r"symptom = PCI_EXP_LNKCTL2_TLS: RO, reads 0x1" "\n")
        r = self.judge([keyed(TLS_SLOW, "PCI_EXP_LNKCTL2_TLS:writable-or-0")],
                       load_errata(ERRATA, mine))
        self.assertEqual(r.outcome, "XFAIL")
        self.assertIn("known bug old-style", r.reason)

    def test_checks_in_errata_files_are_checked(self):
        for text, why in (("checks = LNKCTL.NOPE:writable", "no field or register 'LNKCTL.NOPE'"),
                          ("checks = LNKCTL.LD:bendable", "unknown condition 'bendable'"),
                          ("checks = LNKCTL.LD", "is not FIELD:condition"),
                          ("checks = Hot_Plug/LNKCTL.LD:writable", "not a test name")):
            with self.subTest(text):
                with self.assertRaisesRegex(ConfigError, "e.cfg:b: checks: .*" + re.escape(why)):
                    load_errata(write(self.dir, "e.cfg", f"[b]\nsummary = s\nfix = f\n{text}\n"))

    def test_no_erratum_here_relies_on_text_alone(self):
        """Guest checks carry keys: every erratum of tests/errata.cfg names
        the checks (or refused fields) it explains."""
        for e in self.errata.values():
            with self.subTest(e.id):
                self.assertTrue(e.checks or e.fields)
                self.assertTrue(e.fields or e.symptom is None)


class EndToEnd(unittest.TestCase):
    """slot-regs against the fake QEMU sending keyed results, judged by tests/errata.cfg."""

    def run_guest(self, result_line):
        logs = tempfile.mkdtemp(prefix="slotprobe-logs-")
        self.addCleanup(shutil.rmtree, logs, True)
        guest = [["hello", "slot-regs"], ["line", result_line],
                 ["line", "summary tests=1 failed=1 skipped=0 xfail=0"], ["exit", 1]]
        entry = Entry(name="regs", test="slot-regs", machine=Q60, expect="pass",
                      errata=["qemu-port-lnkctl2-ro"], timeout=20)
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU, log_dir=logs)
        with FakeScenario(guest, version=list(V72)):
            return Runner(entry, opts, load_errata(ERRATA)).run()

    def test_the_known_key_is_xfail_and_another_condition_fail(self):
        fast = TLS_SLOW.replace("reads 0x1", "reads 0x4").replace(
            "RW or hardwired 0 with Speed>2.5GT/s-", "RW with Speed>2.5GT/s+")
        r = self.run_guest("result FAIL key=slot-regs/PCI_EXP_LNKCTL2_TLS/writable " + fast)
        self.assertEqual(r.outcome, "XFAIL", [c.description for c in r.checks])
        self.assertIn("known bug qemu-port-lnkctl2-ro", r.reason)
        r = self.run_guest("result FAIL key=slot-regs/PCI_EXP_LNKCTL2_TLS/writable-or-0 "
                           + TLS_SLOW)
        self.assertEqual(r.outcome, "FAIL")
        self.assertEqual(r.reason, "FAIL: " + TLS_SLOW)
        c = next(c for c in r.checks if c.keys)
        self.assertIn("no known bug explains check PCI_EXP_LNKCTL2_TLS writable-or-0 "
                      "(slot-regs)", c.diagnostics)


if __name__ == "__main__":
    unittest.main()
