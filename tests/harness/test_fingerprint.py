"""slotprobe fingerprint and abi-diff: the observations turned into a
fingerprint, and the differences abi-diff names between recorded
fingerprints (tests/harness/fixtures: measured on QEMU 7.2.22 with the seed
topology plus an empty root port, `scripts/slotprobe fingerprint`)."""
from __future__ import annotations

import copy
import io
import json
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

from tests.harness.support import HERE

from slotprobelib import abi_diff, fingerprint
from slotprobelib.cli import main

FIX = os.path.join(HERE, "fixtures")


def fixture(name: str) -> dict:
    return fingerprint.load(os.path.join(FIX, f"fingerprint-{name}.json"))


def named(diffs: list) -> set[tuple[str, str, str, str]]:
    return {(d.function, (d.register.split() or [""])[0], d.field, d.kind) for d in diffs}


def obs(*lines: str) -> list:
    return [(0, *line.split()) for line in lines]


class BuildTest(unittest.TestCase):
    """Observation lines -> one dict per function."""

    PORT = obs("00:12.0 SIZE 0x1000",
               "00:12.0 V+000 0xc1b36", "00:12.0 V+004 0x100007", "00:12.0 V+034 0x40",
               "00:12.0 V+040 0x420010",          # PCIe capability v2, Root Port
               "00:12.0 CHILD 1",
               "00:12.0 W+004 0500.0000.0007:decode", "00:12.0 W+006 0000.f900.0000",
               "00:12.0 OUT+07c 0xfff")

    def test_values_words_outside_and_reasons(self) -> None:
        fp = fingerprint.build(self.PORT, {"machine": "m"})
        f = fp["functions"]["00:12.0"]
        self.assertEqual(fp["format"], fingerprint.FORMAT)
        self.assertEqual(f["size"], 0x1000)
        self.assertEqual(f["values"]["0x004"], "0x00100007")
        self.assertEqual(f["words"]["0x004"],
                         {"writable": "0x0500", "rw1c": "0x0000", "protected": "0x0007",
                          "reason": "decode"})
        self.assertEqual(f["words"]["0x006"], {"writable": "0x0000", "rw1c": "0xf900"})
        self.assertEqual([c["id"] for c in f["capabilities"]], ["0x10"])
        why = {n.get("mask", "range"): n["reason"] for n in f["not_probed"]}
        self.assertEqual(why["0x0007"], fingerprint.REASONS["decode"])
        self.assertEqual(why["range"], fingerprint.REASONS["outside"])

    def test_slot_state_decoded_from_values(self) -> None:
        lines = obs("00:12.0 V+000 0xc1b36", "00:12.0 V+004 0x100000", "00:12.0 V+034 0x40",
                    "00:12.0 V+040 0x1420010",   # Root Port, Slot Implemented
                    "00:12.0 V+050 0x20110000",  # LNKSTA 0x2011: DLLLA, x1, 2.5 GT/s
                    "00:12.0 V+058 0x480170",    # SLTCTL 0x0170, SLTSTA 0x0048
                    "00:12.0 CHILD 0")
        slot = fingerprint.build(lines, {})["functions"]["00:12.0"]["slot"]
        # SLTCTL 0x0170: AttnInd 01b (on), PwrInd 01b (on), PCC 0; SLTSTA: PDS, PDC
        self.assertEqual(slot["power"], "on")
        self.assertEqual(slot["power_indicator"], "on")
        self.assertEqual(slot["attention_indicator"], "on")
        self.assertTrue(slot["presence"])
        self.assertFalse(slot["child"])
        self.assertTrue(slot["link_active"])
        self.assertEqual((slot["link_speed"], slot["link_width"]), (1, 1))
        self.assertEqual(slot["events"], "0x8")

    def test_malformed_lines_are_one_error(self) -> None:
        for line in ("00:12.0 W+004 05.00", "00:12.0 V+zz 0x1", "00:12.0 SIZE big"):
            with self.assertRaises(fingerprint.FingerprintError):
                fingerprint.build(obs(line), {})

    def test_recorded_fingerprints_account_for_every_word(self) -> None:
        """Each word of each function was probed or listed as only read."""
        for name in ("pc-q35-6.0", "pc-q35-7.2"):
            for bdf, f in fixture(name)["functions"].items():
                covered = {int(o, 16) for o in f["words"]}
                for a, b in f["outside"]:
                    covered |= set(range(int(a, 16), int(b, 16) + 1, 2))
                self.assertEqual(covered, set(range(0, f["size"], 2)), f"{name} {bdf}")


class AbiDiffTest(unittest.TestCase):
    def test_machine_types_differ_in_the_slot_q35_7_2_leaves_to_acpi(self) -> None:
        """pc-q35-6.0 vs pc-q35-7.2 on QEMU 7.2.22: the occupied root port's
        Presence Detect State and DLL Link Active read 0 on 7.2 (erratum
        qemu-acpihp-coldplug-pds). QEMU 7.2 checks PDS on load (the seed
        bug), not Link Status; from 8.1.0 on, PDS is not checked either."""
        a, b = fixture("pc-q35-6.0"), fixture("pc-q35-7.2")
        diffs = abi_diff.diff(a, b)
        self.assertEqual(named(diffs), {
            ("00:12.0", "SLTSTA", "PCI_EXP_SLTSTA_PDS", "value"),
            ("00:12.0", "LNKSTA", "PCI_EXP_LNKSTA_DLLLA", "value")})
        checked = {d.field: d.checked for d in diffs}
        self.assertEqual(checked["PCI_EXP_SLTSTA_PDS"], {"A->B": True, "B->A": True})
        self.assertEqual(checked["PCI_EXP_LNKSTA_DLLLA"], {"A->B": False, "B->A": False})
        for d in diffs:
            self.assertEqual((d.a, d.b), ("0x1", "0x0"))
        b["qemu_version"] = "8.1.0"     # the destination of A->B has the seed fix
        pds = next(d for d in abi_diff.diff(a, b) if d.field == "PCI_EXP_SLTSTA_PDS")
        self.assertEqual(pds.checked, {"A->B": False, "B->A": True})

    def test_compat_properties_speed_and_width(self) -> None:
        """-global pcie-root-port.x-speed=5 -global ...x-width=4."""
        diffs = abi_diff.diff(fixture("pc-q35-7.2"), fixture("pc-q35-7.2-x-speed-5-x-width-4"))
        got = named(diffs)
        for port in ("00:12.0", "00:13.0"):
            for reg, fld in (("LNKCAP", "PCI_EXP_LNKCAP_SLS"), ("LNKCAP", "PCI_EXP_LNKCAP_MLW"),
                             ("LNKCAP2", "PCI_EXP_LNKCAP2_SLS"),
                             ("LNKCTL2", "PCI_EXP_LNKCTL2_TLS")):
                self.assertIn((port, reg, fld, "value"), got)
        # the empty port's link status follows its capabilities; the occupied
        # one's is the xHCI's x1 at 2.5 GT/s on both
        self.assertIn(("00:13.0", "LNKSTA", "PCI_EXP_LNKSTA_NLW", "value"), got)
        self.assertNotIn(("00:12.0", "LNKSTA", "PCI_EXP_LNKSTA_NLW", "value"), got)
        mlw = next(d for d in diffs if d.function == "00:13.0" and
                   d.field == "PCI_EXP_LNKCAP_MLW")
        self.assertEqual((mlw.a, mlw.b), ("0x20", "0x4"))
        self.assertEqual(mlw.checked, {"A->B": True, "B->A": True})
        for d in diffs:      # Link Status is out of QEMU's cmask; the rest is checked
            self.assertEqual(d.checked["A->B"], d.register.split()[0] != "LNKSTA", d.text())
        self.assertEqual(len(diffs), 10)

    def test_same_fingerprint_no_difference(self) -> None:
        self.assertEqual(abi_diff.diff(fixture("pc-q35-7.2"), fixture("pc-q35-7.2")), [])

    def test_writability_names_field_and_load_check_follows_wmask(self) -> None:
        a = fixture("pc-q35-7.2")
        b = copy.deepcopy(a)
        port = b["functions"]["00:13.0"]
        sltctl = 0x54 + 0x18           # the port's PCIe capability is at 0x54
        port["words"][f"0x{sltctl:03x}"]["writable"] = "0x0000"
        diffs = abi_diff.diff(a, b)
        self.assertIn(("00:13.0", "SLTCTL", "PCI_EXP_SLTCTL_HPIE", "writability"), named(diffs))
        hpie = next(d for d in diffs if d.field == "PCI_EXP_SLTCTL_HPIE")
        self.assertEqual((hpie.a, hpie.b), ("RW", "RO"))
        # a value difference in a bit writable on the destination passes the load
        sltctl_val = abi_diff.read(port, sltctl, 2)
        dword = int(port["values"].get(f"0x{sltctl:03x}", "0"), 16)
        port["values"][f"0x{sltctl:03x}"] = f"0x{dword ^ 0x20:08x}"   # HPIE
        d = next(d for d in abi_diff.diff(a, b) if d.field == "PCI_EXP_SLTCTL_HPIE"
                 and d.kind == "value")
        self.assertEqual(d.checked, {"A->B": True, "B->A": False})
        self.assertNotEqual(sltctl_val, abi_diff.read(port, sltctl, 2))

    def test_capability_removed_and_moved(self) -> None:
        a = fixture("pc-q35-7.2")
        b = copy.deepcopy(a)
        port = b["functions"]["00:13.0"]
        # the chain: 0x34 -> 0x54 EXP -> 0x48 MSI-X -> 0x40 SSVID; drop MSI-X
        exp = int(port["values"]["0x054"], 16)
        port["values"]["0x054"] = f"0x{(exp & ~0xff00) | 0x4000:08x}"
        diffs = abi_diff.diff(a, b)
        self.assertIn(("00:13.0", "MSIX", "", "capability removed"), named(diffs))
        self.assertNotIn("SSVID", {d.register for d in diffs})
        # ... or end the list at MSI-X: SSVID removed, the others in place
        b = copy.deepcopy(a)
        msix = int(b["functions"]["00:13.0"]["values"]["0x048"], 16)
        b["functions"]["00:13.0"]["values"]["0x048"] = f"0x{msix & ~0xff00:08x}"
        self.assertEqual({(d.register, d.kind) for d in abi_diff.diff(a, b)
                          if d.kind.startswith("capability")},
                         {("SSVID", "capability removed")})
        c = copy.deepcopy(a)
        moved = c["functions"]["00:13.0"]
        orig = a["functions"]["00:13.0"]
        for off in range(0x54, 0x90, 2):          # EXP moved up by 4 bytes
            if off % 4 == 0:
                moved["values"][f"0x{off + 4:03x}"] = orig["values"].get(f"0x{off:03x}", "0x0")
            moved["words"][f"0x{off + 4:03x}"] = orig["words"][f"0x{off:03x}"]
        moved["values"]["0x034"] = "0x00000058"
        moved["values"]["0x054"] = "0x00000000"
        moved["outside"][0][0] = "0x094"
        got = [d for d in abi_diff.diff(a, c) if d.function == "00:13.0"]
        self.assertEqual([(d.register, d.kind, d.a, d.b) for d in got],
                         [("EXP", "capability moved", "0x54", "0x58"),
                          ("CAPABILITY_LIST", "value", "0x1", "0x2")])
        self.assertEqual(got[1].field, "bits 3:2")

    def test_function_added_and_removed(self) -> None:
        a = fixture("pc-q35-7.2")
        b = copy.deepcopy(a)
        del b["functions"]["01:00.0"]
        self.assertEqual(named(abi_diff.diff(a, b)),
                         {("01:00.0", "", "", "function removed")})
        self.assertEqual(named(abi_diff.diff(b, a)),
                         {("01:00.0", "", "", "function added")})

    def test_unnamed_bits_are_bit_ranges(self) -> None:
        self.assertEqual(abi_diff.split_bits(0x30, "", 2), [("bits 5:4", 0x30)])
        # indicator values (PCI_EXP_SLTCTL_PWR_IND_ON...) lie inside their field
        names = [n for n, _ in abi_diff.split_bits(0x1c0, "PCI_EXP_SLTCTL", 2)]
        self.assertEqual(sorted(names), ["PCI_EXP_SLTCTL_AIC", "PCI_EXP_SLTCTL_PIC"])
        self.assertEqual(abi_diff.split_bits(0x40, "PCI_BRIDGE_CONTROL", 2),
                         [("PCI_BRIDGE_CTL_BUS_RESET", 0x40)])
        self.assertEqual(abi_diff.split_bits(0x8001, "PCI_EXP_SLTSTA", 2),
                         [("PCI_EXP_SLTSTA_ABP", 1), ("bit 15", 0x8000)])


class CommandTest(unittest.TestCase):
    def run_main(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = main(list(argv))
        return rc, out.getvalue(), err.getvalue()

    def test_exit_status_like_diff(self) -> None:
        a = os.path.join(FIX, "fingerprint-pc-q35-6.0.json")
        b = os.path.join(FIX, "fingerprint-pc-q35-7.2.json")
        rc, out, _ = self.run_main("abi-diff", a, b)
        self.assertEqual(rc, 1)
        self.assertIn("00:12.0 SLTSTA (EXP +0x1a) PCI_EXP_SLTSTA_PDS: value 0x1 -> 0x0; "
                      "QEMU on load: A->B checked, B->A checked", out)
        self.assertIn("PCI_EXP_LNKSTA_DLLLA: value 0x1 -> 0x0; QEMU on load: A->B not "
                      "checked, B->A not checked", out)
        self.assertTrue(out.rstrip().endswith("2 difference(s)"))
        self.assertEqual(self.run_main("abi-diff", a, a)[0], 0)
        rc, out, _ = self.run_main("abi-diff", "--json", a, b)
        self.assertEqual({d["field"] for d in json.loads(out)},
                         {"PCI_EXP_SLTSTA_PDS", "PCI_EXP_LNKSTA_DLLLA"})

    def test_bad_input_is_one_line_exit_2(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.json")
            with open(bad, "w") as f:
                f.write('{"format": "something else"}')
            for args in (("abi-diff", bad, bad), ("abi-diff", os.path.join(d, "none"), bad)):
                rc, out, err = self.run_main(*args)
                self.assertEqual(rc, 2)
                self.assertEqual(len(err.strip().splitlines()), 1, err)


if __name__ == "__main__":
    unittest.main()
