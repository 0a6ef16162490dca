"""Domain XML for the libvirt backend: a plan entry's machine as libvirt
would be told about it by a user.

The topology's -device arguments become libvirt devices where libvirt has
a model for them (pcie-root-port controllers, USB controllers, virtio
NICs), each with the user alias "ua-ID" so that QEMU knows it by the id the
plan gave ("ua-" + id: libvirt reserves the rest of the namespace); every
other argument goes to <qemu:commandline>, with bus= naming such an alias.
The guest's fw_cfg arguments are <sysinfo type='fwcfg'>; isa-debug-exit and
the migration count (which differs on every QEMU, and libvirt's sysinfo is
checked for ABI stability) are QEMU arguments."""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from .devices import device_options
from .qemu import DEBUG_EXIT, MIGRATION_FWCFG

QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"
ET.register_namespace("qemu", QEMU_NS)
USER_ALIAS = "ua-"
USB_MODELS = {"nec-usb-xhci": "nec-xhci", "qemu-xhci": "qemu-xhci"}
NIC_MODELS = {"virtio-net-pci": "virtio", "e1000e": "e1000e"}


class DomainError(Exception):
    """A device libvirt cannot be told about: one line."""


@dataclass
class DomainPaths:
    """What differs between the QEMUs of one domain (source, destinations)."""
    console: str           # COM1, a file
    link: str              # COM2, the host link: a unix socket QEMU connects to
    exit_file: str         # where libvirt_emulator.py writes QEMU's exit status
    migration_count: int


@dataclass
class Topology:
    """-device arguments as libvirt elements; bus ids -> controller index."""
    elements: list[ET.Element] = field(default_factory=list)
    qemu_args: list[str] = field(default_factory=list)
    buses: dict[str, int] = field(default_factory=lambda: {"pcie.0": 0})


def _num(v: Any) -> int:
    return int(str(v), 0)


def _address(t: Topology, opts: dict[str, Any]) -> ET.Element:
    bus = str(opts.get("bus", "pcie.0"))
    if bus not in t.buses:
        raise DomainError(f"libvirt backend: bus {bus} is not a controller the plan made")
    slot, _, fn = str(opts.get("addr", "0")).partition(".")
    return ET.Element("address", type="pci", domain="0", bus=str(t.buses[bus]),
                      slot=hex(_num(slot)), function=hex(_num(fn or "0")))


def _alias(el: ET.Element, opts: dict[str, Any]) -> ET.Element:
    if opts.get("id"):
        ET.SubElement(el, "alias", name=USER_ALIAS + str(opts["id"]))
    return el


def _root_port(t: Topology, o: dict[str, Any]) -> ET.Element:
    index = len(t.buses)
    el = ET.Element("controller", type="pci", index=str(index), model="pcie-root-port")
    ET.SubElement(el, "model", name="pcie-root-port")
    target = ET.SubElement(el, "target")
    for key in ("chassis", "port"):
        if key in o:
            target.set(key, str(_num(o[key])))
    el.append(_address(t, o))
    if o.get("id"):
        t.buses[str(o["id"])] = index
    return _alias(el, o)


def _usb(t: Topology, o: dict[str, Any], index: int) -> ET.Element:
    el = ET.Element("controller", type="usb", index=str(index),
                    model=USB_MODELS[o["driver"]])
    ports = {o.get("p2"), o.get("p3")} - {None}
    if len(ports) > 1:
        raise DomainError("libvirt backend: p2 and p3 differ; libvirt sets both from ports=")
    if ports:
        el.set("ports", str(ports.pop()))
    _alias(el, o)
    el.append(_address(t, o))
    return el


def nic(t: Topology, o: dict[str, Any]) -> ET.Element:
    """A NIC with QEMU's user-mode network behind it (the guest never uses it)."""
    el = ET.Element("interface", type="user")
    ET.SubElement(el, "model", type=NIC_MODELS[o["driver"]])
    _alias(el, o)
    el.append(_address(t, o))
    return el


def device_element(t: Topology, o: dict[str, Any]) -> ET.Element | None:
    """The libvirt element for -device o, None when libvirt has no model."""
    driver = o.get("driver")
    if driver == "pcie-root-port":
        return _root_port(t, o)
    if driver in USB_MODELS:
        usb = sum(el.get("type") == "usb" for el in t.elements)
        return _usb(t, o, usb)
    if driver in NIC_MODELS:
        return nic(t, o)
    return None


def _passthrough(t: Topology, arg: str) -> str:
    """A QEMU argument for <qemu:commandline>: bus=ID -> the alias."""
    parts = arg.split(",")
    for i, part in enumerate(parts):
        key, _, val = part.partition("=")
        if key == "bus" and val in t.buses and val != "pcie.0":
            parts[i] = f"bus={USER_ALIAS}{val}"
    return ",".join(parts)


def topology(args: list[str]) -> Topology:
    t = Topology()
    i = 0
    while i < len(args):
        if args[i] == "-device" and i + 1 < len(args):
            el = device_element(t, device_options(args[i + 1]))
            if el is not None:
                t.elements.append(el)
            else:
                t.qemu_args += ["-device", _passthrough(t, args[i + 1])]
            i += 2
            continue
        t.qemu_args.append(_passthrough(t, args[i]))
        i += 1
    return t


def _serial(port: int, kind: str, **source: str) -> ET.Element:
    el = ET.Element("serial", type=kind)
    ET.SubElement(el, "source", **source)
    ET.SubElement(el, "target", port=str(port))
    return el


def domain_xml(name: str, machine: str, memory_mib: str, ovmf: str, kernel: str,
               fw_cfg: dict[str, str], devices: list[str], paths: DomainPaths,
               emulator: str | None, qemu_binary: str) -> str:
    """The domain, ready for `virsh create`. fw_cfg: name -> host file."""
    t = topology(devices)
    dom = ET.Element("domain", type="qemu")
    ET.SubElement(dom, "name").text = name
    ET.SubElement(dom, "memory", unit="MiB").text = str(int(memory_mib))
    ET.SubElement(dom, "vcpu").text = "1"
    sysinfo = ET.SubElement(dom, "sysinfo", type="fwcfg")
    for fw_name, path in fw_cfg.items():
        ET.SubElement(sysinfo, "entry", name=fw_name, file=path)
    os_el = ET.SubElement(dom, "os")
    ET.SubElement(os_el, "type", arch="x86_64", machine=machine).text = "hvm"
    ET.SubElement(os_el, "loader", readonly="yes", type="rom").text = ovmf
    ET.SubElement(os_el, "kernel").text = kernel
    ET.SubElement(ET.SubElement(dom, "features"), "acpi")   # else no RSDP
    for event in ("on_poweroff", "on_reboot", "on_crash"):
        ET.SubElement(dom, event).text = "destroy"
    devs = ET.SubElement(dom, "devices")
    if emulator:
        ET.SubElement(devs, "emulator").text = emulator
    if not any(el.get("type") == "usb" for el in t.elements):
        ET.SubElement(devs, "controller", type="usb", model="none")
    devs.extend(t.elements)
    devs.append(_serial(0, "file", path=paths.console))
    devs.append(_serial(1, "unix", mode="connect", path=paths.link))
    ET.SubElement(devs, "memballoon", model="none")
    cmdline = ET.SubElement(dom, f"{{{QEMU_NS}}}commandline")
    for arg in ["-device", DEBUG_EXIT, "-fw_cfg", _count_arg(paths.migration_count),
                *t.qemu_args]:
        ET.SubElement(cmdline, f"{{{QEMU_NS}}}arg", value=arg)
    _set_env(cmdline, "SLOTPROBE_EXIT_FILE", paths.exit_file)
    _set_env(cmdline, "SLOTPROBE_QEMU", qemu_binary)
    _set_env(cmdline, "SLOTPROBE_HARNESS_PID", str(os.getpid()))
    return ET.tostring(dom, encoding="unicode")


def _count_arg(count: int) -> str:
    return f"name={MIGRATION_FWCFG},string={count:08d}"


def _set_env(cmdline: ET.Element, name: str, value: str) -> None:
    for env in cmdline.iter(f"{{{QEMU_NS}}}env"):
        if env.get("name") == name:
            env.set("value", value)
            return
    ET.SubElement(cmdline, f"{{{QEMU_NS}}}env", name=name, value=value)


def destination_xml(live_xml: str, paths: DomainPaths) -> str:
    """The source's live, migratable definition (libvirt's bookkeeping: a
    device the guest unplugged is gone once QEMU said DEVICE_DELETED) with
    the destination's own consoles, exit file and migration count."""
    dom = ET.fromstring(live_xml)
    for serial in dom.iter("serial"):
        port = serial.find("target").get("port")  # type: ignore[union-attr]
        source = serial.find("source")
        if source is not None:
            source.set("path", paths.console if port == "0" else paths.link)
    cmdline = dom.find(f"{{{QEMU_NS}}}commandline")
    if cmdline is None:
        raise DomainError("libvirt backend: the live domain has no <qemu:commandline>")
    prefix = f"name={MIGRATION_FWCFG},"
    for arg in cmdline.iter(f"{{{QEMU_NS}}}arg"):
        if arg.get("value", "").startswith(prefix):
            arg.set("value", _count_arg(paths.migration_count))
    _set_env(cmdline, "SLOTPROBE_EXIT_FILE", paths.exit_file)
    return ET.tostring(dom, encoding="unicode")


def hotplug_xml(qmp_args: dict[str, Any], devices: list[str]) -> str:
    """device_add's arguments as the element for `virsh attach-device`;
    devices: the domain's -device arguments (for the bus ids)."""
    t = topology(devices)
    el = device_element(t, qmp_args)
    if el is None:
        raise DomainError(f"libvirt backend: no libvirt model for device_add of "
                          f"{qmp_args.get('driver')}")
    return ET.tostring(el, encoding="unicode")
