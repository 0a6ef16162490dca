"""loadfail.py on real destination stderr: every line below was printed by
Debian 12's QEMU 7.2.22 (TCG) in a slotprobe run, provoked as its comment
says (source: the seed topology on pc-q35-6.0 unless said otherwise)."""
import unittest

from tests.harness import support  # noqa: F401  (sys.path)
from slotprobelib import loadfail
from slotprobelib.cfglayout import Layout, check_cap_line

P = "qemu-system-x86_64: "
ROOT_PORT = ("-device pcie-root-port,port=18,chassis=19,id=pcie-root-port18,"
             "bus=pcie.0,addr=0x12")
XHCI = "-device nec-usb-xhci,p2=4,p3=4,id=nex-usb-xhci0,bus=pcie-root-port18,addr=0x0"
SEED = f"{ROOT_PORT} {XHCI}".split()
# What the guest sent on that topology (host-link cap lines, measured).
LAYOUT_LINES = """00:00.0 hdr=0 kind=none
00:12.0 hdr=1 sec=01 kind=std id=0x10 at=0x54
00:12.0 hdr=1 sec=01 kind=std id=0x11 at=0x48
00:12.0 hdr=1 sec=01 kind=std id=0xd at=0x40
00:12.0 hdr=1 sec=01 kind=ext id=0x1 at=0x100
00:12.0 hdr=1 sec=01 kind=ext id=0xd at=0x148
01:00.0 hdr=0 kind=std id=0x11 at=0x90
01:00.0 hdr=0 kind=std id=0x10 at=0xa0
01:00.0 hdr=0 kind=std id=0x5 at=0x70"""
LOADING_PORT = [P + "Failed to load PCIDevice:config",
                P + "Failed to load pcie-root-port:parent_obj.parent_obj.parent_obj",
                P + "error while loading state for instance 0x0 of device "
                "'0000:00:12.0/pcie-root-port'",
                P + "load of migration failed: Invalid argument"]


def bad_config(i: str, read: str, device: str, w1c: str = "0") -> list[str]:
    return [P + f"get_pci_config_device: Bad config data: i={i} read: {read} "
            f"device: {device} cmask: ff wmask: 0 w1cmask:{w1c}"] + LOADING_PORT


def with_port(extra: str) -> list[str]:
    return f"{ROOT_PORT},{extra} {XHCI}".split()


# (case, stderr lines, destination's -device args, source's, summary, fields)
CONFIG = [
    ("seed: slot powered off, destination started with the xHCI",
     bad_config("0x6e", "0", "40", "19"), SEED, SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x1a Slot "
     "Status, PCI_EXP_SLTSTA_PDS source 0, destination 1 (checked on load)",
     ["PCI_EXP_SLTSTA_PDS"]),
    ("destination without the xHCI (pds-migration-control)",
     bad_config("0x6e", "40", "0", "19"), ROOT_PORT.split(), SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x1a Slot "
     "Status, PCI_EXP_SLTSTA_PDS source 1, destination 0 (checked on load)",
     ["PCI_EXP_SLTSTA_PDS"]),
    ("script: SLTCTL EIC written on the source (toggles EIS), then migrated",
     bad_config("0x6e", "c0", "40", "19"), SEED, SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x1a Slot "
     "Status, PCI_EXP_SLTSTA_EIS source 1, destination 0 (checked on load)",
     ["PCI_EXP_SLTSTA_EIS"]),
    ("script: EIC written, then the slot powered off, then migrated",
     bad_config("0x6e", "80", "40", "19"), SEED, SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x1a Slot "
     "Status, PCI_EXP_SLTSTA_PDS source 0, destination 1; PCI_EXP_SLTSTA_EIS source 1, "
     "destination 0 (checked on load)", ["PCI_EXP_SLTSTA_PDS", "PCI_EXP_SLTSTA_EIS"]),
    ("destination x-speed=8", bad_config("0x60", "4", "3"), with_port("x-speed=8"), SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x0c Link "
     "Capabilities, PCI_EXP_LNKCAP_SLS source 0x4, destination 0x3 (checked on load)",
     ["PCI_EXP_LNKCAP_SLS"]),
    ("destination x-width=8", bad_config("0x60", "4", "84"), with_port("x-width=8"), SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x0c Link "
     "Capabilities, PCI_EXP_LNKCAP_MLW[3:0] source 0x0, destination 0x8 "
     "(checked on load)", ["PCI_EXP_LNKCAP_MLW"]),
    ("destination power_controller_present=off", bad_config("0x68", "7b", "79"),
     with_port("power_controller_present=off"), SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x14 Slot "
     "Capabilities, PCI_EXP_SLTCAP_PCP source 1, destination 0 (checked on load)",
     ["PCI_EXP_SLTCAP_PCP"]),
    ("destination hotplug=off", bad_config("0x68", "7b", "1b"), with_port("hotplug=off"),
     SEED, "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x14 "
     "Slot Capabilities, PCI_EXP_SLTCAP_HPS source 1, destination 0; "
     "PCI_EXP_SLTCAP_HPC source 1, destination 0 (checked on load)",
     ["PCI_EXP_SLTCAP_HPS", "PCI_EXP_SLTCAP_HPC"]),
    ("destination slot=5", bad_config("0x6a", "2", "2a"), with_port("slot=5"), SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x14 Slot "
     "Capabilities, PCI_EXP_SLTCAP_PSN[4:0] source 0x0, destination 0x5 "
     "(checked on load)", ["PCI_EXP_SLTCAP_PSN"]),
    ("destination port=19", bad_config("0x63", "12", "13"),
     SEED[:1] + [SEED[1].replace("port=18", "port=19")] + SEED[2:], SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): PCI Express capability +0x0c Link "
     "Capabilities, PCI_EXP_LNKCAP_PN source 0x12, destination 0x13 (checked on load)",
     ["PCI_EXP_LNKCAP_PN"]),
    ("destination disable-acs=on: no ACS after AER", bad_config("0x102", "82", "2"),
     with_port("disable-acs=on"), SEED,
     "00:12.0 pcie-root-port (pcie-root-port18): AER extended capability +0x00 "
     "Extended Capability Header, PCI_EXT_CAP_NEXT[3:0] source 0x8, destination 0x0 "
     "(checked on load)", ["PCI_EXT_CAP_NEXT"]),
    ("destination with qemu-xhci behind the port instead of nec-usb-xhci",
     [P + "get_pci_config_device: Bad config data: i=0x0 read: 33 device: 36 "
      "cmask: ff wmask: 0 w1cmask:0", P + "Failed to load PCIDevice:config",
      P + "Failed to load xhci:parent_obj",
      P + "error while loading state for instance 0x0 of device '0000:00:12.0:00.0/xhci'",
      P + "load of migration failed: Invalid argument"],
     [*ROOT_PORT.split(), "-device", "qemu-xhci,id=nex-usb-xhci0,bus=pcie-root-port18,addr=0x0"],
     SEED, "01:00.0 qemu-xhci (nex-usb-xhci0): header +0x00 PCI_VENDOR_ID, "
     "PCI_VENDOR_ID[7:0] source 0x33, destination 0x36 (checked on load)",
     ["PCI_VENDOR_ID"]),
]

OTHER = [
    ("destination's root port at 00:13.0 (topology)", "unknown-section",
     [P + "Unknown savevm section or instance '0000:00:12.0/pcie-root-port' 0. Make sure "
      "that your current VM setup matches your saved VM setup, including any "
      "hotplugged devices", P + "load of migration failed: Invalid argument"],
     "00:12.0 pcie-root-port (pcie-root-port18): the destination has no such device "
     "(QEMU section '0000:00:12.0/pcie-root-port' instance 0)"),
    ("destination x-migrate-msix=off", "footer",
     [P + "Missing section footer for 0000:00:12.0/pcie-root-port",
      P + "load of migration failed: Invalid argument"],
     "00:12.0 pcie-root-port (pcie-root-port18): the destination read a different "
     "amount of state than the source sent (missing section footer): the two sides' "
     "device properties differ"),
    ("virtio-net-pci at 00:05.0 on the source only (missing device)", "ramblock",
     [P + 'Unknown ramblock "0000:00:05.0/virtio-net-pci.rom", cannot accept migration',
      P + "error while loading state for instance 0x0 of device 'ram'",
      P + "load of migration failed: Invalid argument"],
     'RAM block "0000:00:05.0/virtio-net-pci.rom" of 00:05.0 virtio-net-pci (net0) '
     "exists on the source only: the destination lacks that device or its ROM"),
    ("--dst-machine pc-q35-7.2", "machine",
     [P + "Machine type received is 'pc-q35-6.0' and local is 'pc-q35-7.2'",
      P + "load of migration failed: Invalid argument"],
     "machine type differs: source pc-q35-6.0, destination pc-q35-7.2"),
    ("selftest, pc-i440fx-1.7 to deprecated pc-i440fx-1.6", "ramblock",
     [P + "warning: Machine type 'pc-i440fx-1.6' is deprecated: old and unattended "
      "- use a newer version instead",
      P + 'Unknown ramblock "/rom@etc/acpi/tables", cannot accept migration',
      P + "error while loading state for instance 0x0 of device 'ram'",
      P + "load of migration failed: Invalid argument"],
     'RAM block "/rom@etc/acpi/tables" exists on the source only: the destination '
     "lacks that device or its ROM"),
]


def layout() -> Layout:
    out = Layout()
    for line in LAYOUT_LINES.splitlines():
        assert check_cap_line(line.split()) is None, line
        out.add(line.split())
    return out


class DecodeTable(unittest.TestCase):
    def test_config_mismatches(self):
        for case, lines, dst, src, summary, fields in CONFIG:
            with self.subTest(case):
                f = loadfail.parse("\n".join(lines))
                self.assertEqual(f.kind, "config")
                d = loadfail.decode(f, layout(), dst, src)
                self.assertEqual(d.summary, summary)
                self.assertEqual([x.name for x in d.fields], fields)

    def test_every_checked_bit_is_named(self):
        for case, lines, dst, src, _, _ in CONFIG:
            with self.subTest(case):
                f = loadfail.parse("\n".join(lines))
                d = loadfail.decode(f, layout(), dst, src)
                self.assertNotIn(" bit ", d.summary)
                self.assertTrue(f.config.checked)

    def test_which_side_is_which(self):
        # get_pci_config_device(): "read" is the stream (the source),
        # "device" the destination's own config space.
        f = loadfail.parse("\n".join(CONFIG[0][1]))
        self.assertEqual((f.config.offset, f.config.read, f.config.device), (0x6e, 0, 0x40))
        self.assertEqual(f.config.checked, 0x40)
        self.assertEqual(f.section, "0000:00:12.0/pcie-root-port")
        self.assertEqual(f.instance, 0)

    def test_other_failures(self):
        src = SEED + ["-device", "virtio-net-pci,id=net0,bus=pcie.0,addr=0x5"]
        for case, kind, lines, summary in OTHER:
            with self.subTest(case):
                f = loadfail.parse("\n".join(lines))
                self.assertEqual(f.kind, kind)
                self.assertEqual(loadfail.decode(f, layout(), SEED, src).summary, summary)

    def test_warnings_are_never_the_reason(self):
        lines = OTHER[-1][2]
        f = loadfail.parse("\n".join(lines))
        self.assertEqual(len(f.warnings), 1)
        self.assertNotIn("deprecated", " ".join(f.lines))
        self.assertEqual(f.kind, "ramblock")


class DecodeWithoutLayout(unittest.TestCase):
    def test_header_offsets_still_named(self):
        f = loadfail.parse("\n".join(CONFIG[-1][1]))
        d = loadfail.decode(f, Layout(), CONFIG[-1][2])
        # No layout: the QEMU path stands for the BDF; the header is standard.
        self.assertTrue(d.summary.startswith("0000:00:12.0:00.0 qemu-xhci (nex-usb-xhci0): "
                                             "header +0x00 PCI_VENDOR_ID"), d.summary)

    def test_capability_offsets_say_why_unnamed(self):
        f = loadfail.parse("\n".join(CONFIG[0][1]))
        d = loadfail.decode(f, Layout(), SEED)
        self.assertEqual(d.summary, "00:12.0 pcie-root-port (pcie-root-port18): +0x6e "
                         "(the guest sent no capability layout for it), +0x6e bit 6 "
                         "source 0, destination 1 (checked on load)")
        self.assertEqual([x.name for x in d.fields], ["+0x6e bit 6"])

    def test_newer_qemu_one_line_form(self):
        # QEMU >= 9 prepends the section to the device's error (error_prepend in
        # qemu_loadvm_section_start_full): the same fields, one line.
        line = (P + "load of migration failed: Invalid argument: error while loading "
                "state for instance 0x0 of device '0000:00:12.0/pcie-root-port': "
                "get_pci_config_device: Bad config data: i=0x6e read: 0 device: 40 "
                "cmask: ff wmask: 0 w1cmask:19")
        d = loadfail.decode(loadfail.parse(line), layout(), SEED)
        self.assertEqual(d.summary, CONFIG[0][4])

    def test_nothing_said(self):
        self.assertIsNone(loadfail.parse("\n  \n"))
        f = loadfail.parse(P + "something new\n")
        self.assertEqual((f.kind, loadfail.decode(f, Layout(), []).summary),
                         ("other", "something new"))


class Refusal(unittest.TestCase):
    def test_decoded_refusal_keeps_the_raw_lines(self):
        lines = CONFIG[0][1]
        what, fields, diag = loadfail.refusal(
            "destination QEMU exited with status 1: get_pci_config_device: ...",
            lines, layout(), SEED, SEED)
        self.assertEqual((what, fields), (CONFIG[0][4], ["PCI_EXP_SLTSTA_PDS"]))
        self.assertEqual(diag, ["destination QEMU exited with status 1; its stderr:", *lines])

    def test_undecoded_refusal_is_told_as_before(self):
        what, fields, diag = loadfail.refusal("migration did not finish before the "
                                              "deadline", [], layout(), SEED, SEED)
        self.assertEqual((what, fields, diag), ("migration did not finish before the "
                                                "deadline", None, ["destination stderr:"]))
        what, fields, _ = loadfail.refusal("x", OTHER[0][2], layout(), SEED, SEED)
        self.assertIsNone(fields)       # not a config-space refusal: no fields
        self.assertEqual(what, OTHER[0][3])

    def test_unnamed_bits_are_no_structured_key(self):
        # Without the guest's layout errata fall back to their symptom.
        what, fields, _ = loadfail.refusal("x", CONFIG[0][1], Layout(), SEED, SEED)
        self.assertIn("+0x6e bit 6 source 0, destination 1", what)
        self.assertIsNone(fields)


class CapLines(unittest.TestCase):
    def test_malformed_cap_lines(self):
        for words, why in ((["12.0", "hdr=1", "kind=none"], "BDF"),
                           (["00:12.0", "hdr=1", "kind=odd"], "kind"),
                           (["00:12.0", "hdr=1", "kind=std", "id=0x10", "at=0x20"], "at="),
                           (["00:12.0", "hdr=1", "kind=ext", "id=0x1", "at=0x40"], "at="),
                           (["00:12.0", "hdr=zz", "kind=none"], "hex"),
                           (["00:12.0", "hdr=1", "kind=none", "loose"], "key=value")):
            with self.subTest(words):
                self.assertIn(why, check_cap_line(words) or "")

    def test_path_through_bridges(self):
        lay = layout()
        self.assertEqual(lay.bdf_of_path("0000:00:12.0"), "00:12.0")
        self.assertEqual(lay.bdf_of_path("0000:00:12.0:00.0"), "01:00.0")
        self.assertIsNone(lay.bdf_of_path("0000:00:13.0:00.0"))   # no such bridge known


if __name__ == "__main__":
    unittest.main()
