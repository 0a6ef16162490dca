"""Why a destination refused the migration stream, from its stderr: which
device, which register, which field, with the source's and the
destination's value.

What QEMU 7.2 prints (format strings from its source; lines measured):

- hw/pci/pci.c get_pci_config_device(): compares the configuration space
  from the stream (`config`, printed as "read": the SOURCE's value) with the
  destination's own (`s->config`, printed as "device": the DESTINATION's)
  and refuses the first byte where
  `(read ^ device) & cmask & ~wmask & ~w1cmask` is not 0 — bits QEMU
  checks on load, that software cannot write, and that are not write-1-to-
  clear. Only that first byte is reported:
    get_pci_config_device: Bad config data: i=0x6e read: 0 device: 40 cmask: ff wmask: 0 w1cmask:19
- migration/savevm.c qemu_loadvm_section_start_full(): the device whose
  state failed, by its section name (PCI devices: their path and vmstate name):
    error while loading state for instance 0x0 of device '0000:00:12.0/pcie-root-port'
  and a section the destination has no device for:
    Unknown savevm section or instance '0000:00:12.0/pcie-root-port' 0. Make sure ...
  check_section_footer(): a device that read more or less than was sent:
    Missing section footer for 0000:00:12.0/pcie-root-port
  configuration_post_load(): Machine type received is 'pc-q35-6.0' and local is 'pc-q35-7.2'
- migration/ram.c: RAM (a device's ROM too) the destination does not have:
    Unknown ramblock "0000:00:05.0/virtio-net-pci.rom", cannot accept migration

Newer QEMUs chain these into one line ("error while loading state ... :
get_pci_config_device: Bad config data ..."); every pattern is searched
anywhere in a line, so both forms parse. Warnings (a deprecated machine
type) are kept apart and are never the reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cfglayout import QEMU_PATH, FunctionLayout, Layout
from .migration import WARNING
from .regnames import (HDR, Field, Register, bit_range, capability_title,
                       register_at)
from .script import PORT_DRIVERS, Devices, _addr

_PREFIX = re.compile(r"^(?:\S*/)?qemu[\w.-]*: ")
_BAD_CONFIG = re.compile(r"Bad config data: i=0x([0-9a-f]+) read: ([0-9a-f]+) "
                         r"device: ([0-9a-f]+) cmask: ([0-9a-f]+) wmask: ([0-9a-f]+) "
                         r"w1cmask: ?([0-9a-f]+)")
_LOADING = re.compile(r"error while loading state for instance 0x([0-9a-f]+) "
                      r"of device '([^']*)'")
_UNKNOWN = re.compile(r"Unknown savevm section or instance '([^']*)' (\d+)")
_FOOTER = re.compile(r"Missing section footer for (\S+)")
_RAMBLOCK = re.compile(r'Unknown ramblock "([^"]*)"')
_MACHINE = re.compile(r"Machine type received is '([^']*)' and local is '([^']*)'")
_SECTION = re.compile(rf"^({QEMU_PATH})/(.+)$")     # a PCI device's section name


@dataclass
class ConfigMismatch:
    offset: int
    read: int          # from the stream: the source's byte
    device: int        # the destination's own byte
    cmask: int
    wmask: int
    w1cmask: int

    @property
    def checked(self) -> int:
        """The bits that made QEMU refuse the byte."""
        return (self.read ^ self.device) & self.cmask & ~self.wmask & ~self.w1cmask & 0xff


@dataclass
class LoadFailure:
    kind: str          # config | ramblock | unknown-section | footer | machine | other
    lines: list[str]   # what QEMU said, prefix dropped, warnings left out
    warnings: list[str] = field(default_factory=list)
    section: str = ""  # QEMU's name for the device: '0000:00:12.0/pcie-root-port'
    instance: int | None = None
    config: ConfigMismatch | None = None
    ramblock: str = ""
    machines: tuple[str, str] = ("", "")   # (source's, destination's)


@dataclass
class FieldDiff:
    name: str              # PCI_EXP_SLTSTA_PDS, or "PCI_EXP_SLTSTA bit 9"
    source: int
    destination: int
    bits: str = ""         # "[3:0]" when only part of the field lies in the byte

    def text(self) -> str:
        wide = self.bits or self.source > 1 or self.destination > 1
        fmt = "0x{:x}" if wide else "{}"
        return (f"{self.name}{self.bits} source {fmt.format(self.source)}, "
                f"destination {fmt.format(self.destination)}")


@dataclass
class Decoded:
    summary: str                      # the one line a user reads first
    fields: list[FieldDiff] = field(default_factory=list)
    failure: LoadFailure | None = None


def parse(stderr: str) -> LoadFailure | None:
    """The load failure in a destination's stderr; None when it says nothing."""
    lines, warnings = [], []
    for raw in stderr.splitlines():
        line = _PREFIX.sub("", raw.strip())
        if line:
            (warnings if WARNING.match(raw.strip()) else lines).append(line)
    if not lines:
        return None
    f = LoadFailure("other", lines, warnings)
    text = "\n".join(lines)
    if m := _LOADING.search(text):
        f.instance, f.section = int(m.group(1), 16), m.group(2)
    if m := _BAD_CONFIG.search(text):
        f.kind = "config"
        f.config = ConfigMismatch(*(int(g, 16) for g in m.groups()))
    elif m := _RAMBLOCK.search(text):
        f.kind, f.ramblock = "ramblock", m.group(1)
    elif m := _UNKNOWN.search(text):
        f.kind, f.section, f.instance = "unknown-section", m.group(1), int(m.group(2))
    elif m := _FOOTER.search(text):
        f.kind, f.section = "footer", m.group(1)
    elif m := _MACHINE.search(text):
        f.kind, f.machines = "machine", (m.group(1), m.group(2))
    return f


# -- naming the device ----------------------------------------------------------
def _qemu_device(path: str, device_args: list[str]) -> dict[str, str] | None:
    """The -device options of the device at QEMU path '0000:00:12.0[:00.0...]'."""
    hops = path.split(":")[2:]          # ['12.0', '00.0', ...]
    devs = Devices(device_args).opts
    bus_ids = ("pcie.0", "pci.0")
    found = None
    for hop in hops:
        slot, fn = (int(x, 16) for x in hop.split("."))
        found = next((o for o in devs.values() if o.get("bus", "pcie.0") in bus_ids
                      and _addr(o.get("addr", "")) == (slot, fn)), None)
        if found is None:
            return None
        bus_ids = (found["id"],)
    return found


def device_name(section: str, layout: Layout, device_args: list[str]) -> tuple[str, str, str]:
    """(BDF or QEMU path, driver, 'id') for a section name."""
    m = _SECTION.match(section)
    if not m:
        return section, "", ""
    path, vmsd = m.groups()
    bdf = layout.bdf_of_path(path) or path
    opts = _qemu_device(path, device_args) or {}
    return bdf, opts.get("driver", vmsd), opts.get("id", "")


def _device_text(section: str, layout: Layout, device_args: list[str]) -> str:
    bdf, driver, dev_id = device_name(section, layout, device_args)
    return f"{bdf} {driver}" + (f" ({dev_id})" if dev_id else "")


# -- naming the register and its fields -------------------------------------------
def field_diffs(reg: Register | None, byte_in_reg: int, m: ConfigMismatch) -> list[FieldDiff]:
    """The checked differing bits of m's byte, grouped into reg's fields; a
    register without fields is one field; bits of no register, one by one."""
    shift = 8 * byte_in_reg
    fields = reg.fields if reg else ()
    if reg and not fields:
        fields = (Field(reg.name, (1 << 8 * reg.width) - 1),)
    out: list[FieldDiff] = []
    done = 0
    for bit in range(8):
        if not m.checked & (1 << bit) or done & (1 << bit):
            continue
        f = next((f for f in fields if (f.mask >> shift) & (1 << bit)), None)
        in_byte = (f.mask >> shift) & 0xff if f else 1 << bit
        done |= in_byte
        low = bit_range(in_byte)[1]
        src, dst = (m.read & in_byte) >> low, (m.device & in_byte) >> low
        if f is None:
            name = f"{reg.name} bit {bit + shift}" if reg else f"+0x{m.offset:x} bit {bit}"
            out.append(FieldDiff(name, src, dst))
            continue
        bits = ""
        if in_byte << shift != f.mask:    # the field goes on in a byte QEMU did not report
            hi, lo = bit_range(in_byte << shift)
            flo = bit_range(f.mask)[1]
            bits = f"[{hi - flo}:{lo - flo}]" if hi != lo else f"[{lo - flo}]"
        out.append(FieldDiff(f.name, src, dst, bits))
    return out


def locate(offset: int, func: FunctionLayout | None,
           driver: str) -> tuple[str, Register | None, int]:
    """(where, register, byte within it) for a configuration-space offset."""
    if offset < 0x40:
        header = func.header if func else (1 if driver in PORT_DRIVERS else None)
        reg = register_at(HDR, header, offset)
        where = "header"
    else:
        cap = func.capability_at(offset) if func else None
        if cap is None:
            why = ("outside every capability the guest found" if func else
                   "the guest sent no capability layout for it")
            return f"+0x{offset:x} ({why})", None, 0
        space, cap_id, at = cap
        offset -= at
        reg = register_at(space, cap_id, offset)
        where = capability_title(space, cap_id)
    if reg is None:
        return f"{where} +0x{offset:02x}", None, 0
    return (f"{where} +0x{reg.offset:02x} {reg.title or reg.name}", reg,
            offset - reg.offset)


def decode(f: LoadFailure, layout: Layout, dst_devices: list[str],
           src_devices: list[str] | None = None) -> Decoded:
    """The failure in one line (device, register, fields, both values)."""
    src_devices = src_devices if src_devices is not None else dst_devices
    if f.kind == "config" and f.config:
        dev = _device_text(f.section, layout, dst_devices) if f.section else "a device"
        bdf, driver, _ = device_name(f.section, layout, dst_devices)
        where, reg, byte = locate(f.config.offset, layout.functions.get(bdf), driver)
        diffs = field_diffs(reg, byte, f.config)
        return Decoded(f"{dev}: {where}, {'; '.join(d.text() for d in diffs)} "
                       "(checked on load)", diffs, f)
    if f.kind == "ramblock":
        base = f.ramblock.rsplit(".", 1)[0]      # a device's ROM: PATH/driver.rom
        owner = (f" of {_device_text(base, layout, src_devices)}"
                 if _SECTION.match(base) else "")
        return Decoded(f"RAM block \"{f.ramblock}\"{owner} exists on the source only: "
                       "the destination lacks that device or its ROM", [], f)
    if f.kind == "unknown-section":
        dev = _device_text(f.section, layout, src_devices)
        return Decoded(f"{dev}: the destination has no such device (QEMU section "
                       f"'{f.section}' instance {f.instance})", [], f)
    if f.kind == "footer":
        dev = _device_text(f.section, layout, dst_devices)
        return Decoded(f"{dev}: the destination read a different amount of state "
                       "than the source sent (missing section footer): the two "
                       "sides' device properties differ", [], f)
    if f.kind == "machine":
        return Decoded(f"machine type differs: source {f.machines[0]}, destination "
                       f"{f.machines[1]}", [], f)
    return Decoded(f.lines[0], [], f)


def refusal(error: str, dst_errors: list[str], layout: Layout, dst_devices: list[str],
            src_devices: list[str]) -> tuple[str, list[str] | None, list[str]]:
    """A failed migration for the report: (what failed, the checked
    differing fields of a refused configuration space or None, diagnostics
    with the raw lines). `error` is migration.py's own account. Fields are
    None too when a bit could not be named (no layout from the guest):
    errata then match by their symptom, as before fields existed."""
    f = parse("\n".join(dst_errors))
    if f is None or f.kind == "other":
        return error, None, ["destination stderr:", *dst_errors]
    d = decode(f, layout, dst_devices, src_devices)
    fields = [x.name for x in d.fields] if f.kind == "config" else None
    if fields and any(" bit " in name for name in fields):
        fields = None
    how = error.split(": ", 1)[0]      # "destination QEMU exited with status 1"
    return d.summary, fields, [f"{how}; its stderr:", *dst_errors]
