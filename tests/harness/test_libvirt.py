"""The libvirt backend (issue 16): domain XML from plan entries, the SKIP
when libvirt is missing, and nothing left when the harness is SIGKILLed in
the middle of a migration (a real libvirt run; skipped without libvirt)."""
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import types
import unittest
import xml.etree.ElementTree as ET

from tests.harness.support import FAKE_IMAGE, FAKE_OVMF, FAKE_QEMU, ROOT, SLOTPROBE
from slotprobelib.libvirt_domain import (QEMU_NS, DomainError, DomainPaths,
                                         destination_xml, domain_xml, hotplug_xml)
from slotprobelib.libvirt_machines import LibvirtQmp
from slotprobelib.qmp import QmpError

SEED = ["-device", "pcie-root-port,port=18,chassis=19,id=pcie-root-port18,bus=pcie.0,addr=0x12",
        "-device", "nec-usb-xhci,p2=4,p3=4,id=nex-usb-xhci0,bus=pcie-root-port18,addr=0x0"]
SWITCH = ["-device", "pcie-root-port,id=rp1,bus=pcie.0,addr=0x11,chassis=1",
          "-device", "x3130-upstream,id=up1,bus=rp1",
          "-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off"]
PATHS = DomainPaths("/r/src-console.log", "/r/src-link.sock", "/r/src-exit", 0)
IMAGE = os.path.join(ROOT, "build", "slotprobe.efi")
OVMF = "/usr/share/ovmf/OVMF.fd"


def build(devices, paths=PATHS):
    return ET.fromstring(domain_xml("d", "pc-q35-6.0", "256", OVMF, "/img.efi",
                                    {"opt/slotprobe/args": "/r/args"}, devices,
                                    paths, "/emu", "/usr/bin/qemu-system-x86_64"))


def qemu_args(dom):
    return [a.get("value") for a in dom.iter(f"{{{QEMU_NS}}}arg")]


class DomainXmlTest(unittest.TestCase):
    def test_seed_topology_as_libvirt_controllers(self):
        dom = build(SEED)
        port = dom.find("devices/controller[@model='pcie-root-port']")
        self.assertEqual(port.get("index"), "1")
        self.assertEqual(port.find("target").attrib, {"chassis": "19", "port": "18"})
        self.assertEqual(port.find("address").get("slot"), "0x12")
        self.assertEqual(port.find("alias").get("name"), "ua-pcie-root-port18")
        xhci = dom.find("devices/controller[@type='usb']")
        self.assertEqual((xhci.get("model"), xhci.get("ports")), ("nec-xhci", "4"))
        self.assertEqual(xhci.find("address").get("bus"), "1")   # behind the port
        self.assertNotIn("nec-usb-xhci", " ".join(qemu_args(dom)))

    def test_boot_exit_and_test_selection(self):
        dom = build([])
        self.assertEqual(dom.find("os/kernel").text, "/img.efi")
        self.assertEqual(dom.find("os/loader").text, OVMF)
        self.assertIsNotNone(dom.find("features/acpi"))
        self.assertEqual(dom.find("sysinfo[@type='fwcfg']/entry").attrib,
                         {"name": "opt/slotprobe/args", "file": "/r/args"})
        args = qemu_args(dom)
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=4", args)
        self.assertIn("name=opt/slotprobe/migration,string=00000000", args)
        self.assertEqual(dom.find("devices/controller[@type='usb']").get("model"), "none")
        link = dom.find("devices/serial[@type='unix']/source")
        self.assertEqual((link.get("mode"), link.get("path")), ("connect", "/r/src-link.sock"))

    def test_other_devices_go_to_qemu_commandline_on_the_alias(self):
        args = qemu_args(build(SWITCH))
        self.assertIn("x3130-upstream,id=up1,bus=ua-rp1", args)
        self.assertIn("ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off", args)

    def test_destination_gets_its_own_link_exit_file_and_count(self):
        live = ET.tostring(build(SEED), encoding="unicode")
        dst = ET.fromstring(destination_xml(
            live, DomainPaths("/r/dst1-console.log", "/r/dst1-link.sock", "/r/dst1-exit", 1)))
        self.assertEqual(dst.find("devices/serial[@type='unix']/source").get("path"),
                         "/r/dst1-link.sock")
        self.assertEqual(dst.find("devices/serial[@type='file']/source").get("path"),
                         "/r/dst1-console.log")
        self.assertIn("name=opt/slotprobe/migration,string=00000001", qemu_args(dst))
        env = {e.get("name"): e.get("value") for e in dst.iter(f"{{{QEMU_NS}}}env")}
        self.assertEqual(env["SLOTPROBE_EXIT_FILE"], "/r/dst1-exit")
        # the devices are libvirt's (its live definition), untouched
        self.assertEqual(len(dst.findall("devices/controller")), 2)

    def test_hotplug_nic_on_the_plan_port(self):
        el = ET.fromstring(hotplug_xml({"driver": "virtio-net-pci", "id": "hp0",
                                        "bus": "pcie-root-port18"}, SEED))
        self.assertEqual(el.find("model").get("type"), "virtio")
        self.assertEqual(el.find("alias").get("name"), "ua-hp0")
        self.assertEqual(el.find("address").get("bus"), "1")

    def test_what_libvirt_cannot_be_told(self):
        with self.assertRaisesRegex(DomainError, "no libvirt model"):
            hotplug_xml({"driver": "e1000", "id": "x"}, SEED)
        with self.assertRaisesRegex(DomainError, "not a controller"):
            hotplug_xml({"driver": "virtio-net-pci", "bus": "nowhere"}, SEED)
        with self.assertRaisesRegex(DomainError, "p2 and p3"):
            build(["-device", "nec-usb-xhci,p2=4,p3=8"])


class LibvirtQmpTest(unittest.TestCase):
    def test_device_add_without_a_libvirt_model_is_a_qmp_error(self):
        q = types.SimpleNamespace(side="src", name="d", uri="qemu:///nowhere",
                                  spec=types.SimpleNamespace(devices=SEED))
        with self.assertRaisesRegex(QmpError, "no libvirt model for device_add of e1000"):
            LibvirtQmp(q, None).command("device_add", driver="e1000", id="x")

    def test_events_by_the_plan_ids(self):
        qmp = LibvirtQmp(types.SimpleNamespace(side="src"), None)
        qmp._event("event DEVICE_DELETED at 1.5 for domain 'd': "
                   '{"device":"ua-hp0","path":"/machine/peripheral/ua-hp0"}')
        qmp._event("event RESUME at 2.0 for domain 'd': <null>")
        self.assertEqual(qmp.events, [
            {"event": "DEVICE_DELETED",
             "data": {"device": "hp0", "path": "/machine/peripheral/ua-hp0"}},
            {"event": "RESUME", "data": {}}])
        self.assertEqual(qmp.wait_event("RESUME", 0.1)["event"], "RESUME")


class MissingLibvirtTest(unittest.TestCase):
    def test_one_line_skip_without_virsh(self):
        empty = tempfile.mkdtemp(prefix="slotprobe-nopath-")
        self.addCleanup(shutil.rmtree, empty, True)
        p = subprocess.run(
            [sys.executable, SLOTPROBE, "run", "selftest", "--backend", "libvirt",
             "--qemu", FAKE_QEMU, "--image", FAKE_IMAGE, "--ovmf", FAKE_OVMF,
             "--accel", "tcg"], env=dict(os.environ, PATH=empty),
            capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"ok 1 - selftest: .*# SKIP libvirt backend: "
                                   r"virsh not installed \(apt-get install")
        self.assertNotIn("Traceback", p.stderr)


def processes_with(text: str) -> list[int]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        out.append(int(name))
            except OSError:
                pass
    return out


@unittest.skipUnless(shutil.which("libvirtd") and shutil.which("virsh") and os.geteuid() == 0
                     and os.path.exists(IMAGE), "needs libvirt, root and build/slotprobe.efi")
class SigkillMidMigrationTest(unittest.TestCase):
    def test_nothing_left(self):
        logs = tempfile.mkdtemp(prefix="slotprobe-lv-kill-")
        self.addCleanup(shutil.rmtree, logs, True)
        harness = subprocess.Popen(
            [sys.executable, SLOTPROBE, "run", "pds-migration-control-libvirt",
             "--log-dir", logs], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pid = harness.pid
        deadline = time.monotonic() + 240
        while not glob.glob(os.path.join(logs, "*", "migrate-1.log")):
            self.assertIsNone(harness.poll(), "the run ended before migrating")
            self.assertLess(time.monotonic(), deadline, "no migration within 240 s")
            time.sleep(0.1)
        time.sleep(0.5)                          # virsh migrate under way
        guards = processes_with(f"libvirt_guard.py\0{pid}\0")
        folders = [open(f"/proc/{g}/cmdline").read().split("\0")[-2] for g in guards]
        domain = f"slotprobe-pds-migration-control-libvirt-{pid}-"
        self.assertEqual(len(guards), 2, "two daemons")
        self.assertTrue(all(os.path.basename(f).startswith("slotprobe-libvirt-")
                            and os.path.isdir(f) for f in folders), folders)
        self.assertTrue(processes_with(domain), "a QEMU of the domain runs")
        harness.kill()
        harness.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
                processes_with(domain) or any(map(os.path.exists, folders))
                or processes_with(f"libvirt_guard.py\0{pid}\0")):
            time.sleep(0.2)
        self.assertEqual(processes_with(domain), [], "QEMU left")
        self.assertEqual(processes_with(f"libvirt_guard.py\0{pid}\0"), [], "guard left")
        for folder in folders:
            self.assertFalse(os.path.exists(folder), f"{folder} left")
            self.assertEqual(processes_with(folder), [], f"libvirtd of {folder} left")


if __name__ == "__main__":
    unittest.main()
