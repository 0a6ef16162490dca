"""Register and field names for configuration-space offsets, read from
lib/pci_regs.h (Linux's names, one home for them): which register a byte of a
capability belongs to, how wide it is, and its fields' masks.

The interface is `register_at(space, cap_id, offset)`, `capability_title()`
and `find_field()`; everything below `_load()` is how this module reads the C
header today. When the shared register table (lib/pci_regs.def, issue 10)
lands, only `_load()` changes.

Layout of lib/pci_regs.h, as in Linux: a register at "#define NAME", its
fields below it at "#define  NAME" (two spaces). Encoded values of a field
(PCI_EXP_SLTCTL_PWR_OFF) lie inside an earlier field's mask and are not
fields; neither are *_SHIFT counts.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PCI_REGS_H = os.path.join(ROOT, "lib", "pci_regs.h")

HDR, STD, EXT = "hdr", "std", "ext"     # header, capability, extended capability


def bit_range(mask: int) -> tuple[int, int]:
    """(high, low) bit numbers of a mask."""
    return mask.bit_length() - 1, (mask & -mask).bit_length() - 1


@dataclass(frozen=True)
class Field:
    name: str          # PCI_EXP_SLTSTA_PDS
    mask: int          # within the register


@dataclass(frozen=True)
class Register:
    name: str                  # PCI_EXP_SLTSTA
    offset: int                # from the header / the capability's start
    width: int                 # bytes
    fields: tuple[Field, ...]
    title: str = ""            # "Slot Status"; "" when none is known

    @property
    def short(self) -> str:
        """SLTSTA: the name without PCI_ / PCI_EXP_ (errata spell fields so)."""
        return re.sub(r"^PCI_(EXP_)?", "", self.name)

    def field_key(self, f: Field) -> str:
        """SLTSTA.PDS for PCI_EXP_SLTSTA_PDS."""
        return f"{self.short}.{f.name[len(self.name) + 1:]}"


# Which capability the registers of a name prefix belong to: (space, id).
_PREFIX_SPACE = (("PCI_EXP_", (STD, 0x10)), ("PCI_MSIX_", (STD, 0x11)),
                 ("PCI_MSI_", (STD, 0x05)), ("PCI_PM_", (STD, 0x01)),
                 ("PCI_ERR_", (EXT, 0x01)))
# Header registers (PCI 3.0 §6.1, PCI-to-PCI Bridge 1.2 §3.2): type 0 and
# 1 share 0x00-0x0f, 0x34 and 0x3c-0x3d; (header type or None, width).
_HEADER = {"PCI_VENDOR_ID": (None, 2), "PCI_DEVICE_ID": (None, 2),
           "PCI_COMMAND": (None, 2), "PCI_STATUS": (None, 2),
           "PCI_CLASS_REVISION": (None, 1), "PCI_REVISION_ID": (None, 1),
           "PCI_CLASS_PROG": (None, 1), "PCI_CLASS_DEVICE": (None, 2),
           "PCI_CACHE_LINE_SIZE": (None, 1), "PCI_LATENCY_TIMER": (None, 1),
           "PCI_HEADER_TYPE": (None, 1), "PCI_BIST": (None, 1),
           "PCI_CAPABILITY_LIST": (None, 1), "PCI_INTERRUPT_LINE": (None, 1),
           "PCI_INTERRUPT_PIN": (None, 1), "PCI_BASE_ADDRESS_0": (None, 4),
           "PCI_BASE_ADDRESS_1": (None, 4), "PCI_PRIMARY_BUS": (1, 1),
           "PCI_SECONDARY_BUS": (1, 1), "PCI_SUBORDINATE_BUS": (1, 1),
           "PCI_SEC_LATENCY_TIMER": (1, 1), "PCI_IO_BASE": (1, 1),
           "PCI_IO_LIMIT": (1, 1), "PCI_SEC_STATUS": (1, 2),
           "PCI_MEMORY_BASE": (1, 2), "PCI_MEMORY_LIMIT": (1, 2),
           "PCI_BRIDGE_CONTROL": (1, 2)}
# Registers every capability starts with (PCI 3.0 §6.7, PCIe r5.0 §7.6.3).
_CAP_HEADER = Register("PCI_CAP_LIST_ID", 0, 1, ())
_CAP_NEXT = Register("PCI_CAP_LIST_NEXT", 1, 1, ())
_EXT_HEADER = Register("extended capability header", 0, 4, (
    Field("PCI_EXT_CAP_ID", 0x0000ffff), Field("PCI_EXT_CAP_VER", 0x000f0000),
    Field("PCI_EXT_CAP_NEXT", 0xfff00000)), "Extended Capability Header")
# Spec names of the registers whose name alone says little (PCIe r5.0 §7.5.3).
_TITLES = {"PCI_EXP_FLAGS": "PCI Express Capabilities", "PCI_EXP_DEVCAP": "Device Capabilities",
           "PCI_EXP_DEVCTL": "Device Control", "PCI_EXP_DEVSTA": "Device Status",
           "PCI_EXP_LNKCAP": "Link Capabilities", "PCI_EXP_LNKCTL": "Link Control",
           "PCI_EXP_LNKSTA": "Link Status", "PCI_EXP_SLTCAP": "Slot Capabilities",
           "PCI_EXP_SLTCTL": "Slot Control", "PCI_EXP_SLTSTA": "Slot Status",
           "PCI_EXP_RTCTL": "Root Control", "PCI_EXP_RTCAP": "Root Capabilities",
           "PCI_EXP_RTSTA": "Root Status", "PCI_EXP_DEVCAP2": "Device Capabilities 2",
           "PCI_EXP_DEVCTL2": "Device Control 2", "PCI_EXP_DEVSTA2": "Device Status 2",
           "PCI_EXP_LNKCAP2": "Link Capabilities 2", "PCI_EXP_LNKCTL2": "Link Control 2",
           "PCI_EXP_LNKSTA2": "Link Status 2", "PCI_EXP_SLTCAP2": "Slot Capabilities 2",
           "PCI_EXP_SLTCTL2": "Slot Control 2", "PCI_EXP_SLTSTA2": "Slot Status 2",
           "PCI_COMMAND": "Command", "PCI_STATUS": "Status",
           "PCI_BRIDGE_CONTROL": "Bridge Control", "PCI_SEC_STATUS": "Secondary Status"}
# Capability names (PCI Code and ID Assignment 1.11 §2, §3).
_CAP_TITLES = {(STD, 0x01): "Power Management capability", (STD, 0x05): "MSI capability",
               (STD, 0x09): "vendor-specific capability",
               (STD, 0x0d): "Subsystem ID capability",
               (STD, 0x10): "PCI Express capability", (STD, 0x11): "MSI-X capability",
               (EXT, 0x01): "AER extended capability", (EXT, 0x02): "VC extended capability",
               (EXT, 0x03): "DSN extended capability", (EXT, 0x0d): "ACS extended capability",
               (EXT, 0x0e): "ARI extended capability",
               (EXT, 0x10): "SR-IOV extended capability"}

_DEFINE = re.compile(r"^#define(\t| {1,2}(?! ))([A-Z][A-Z0-9_]*)\s+(0x[0-9a-fA-F]+|\d+)\b")
# Where a capability's registers end, for its last register's width.
_CAP_END = {(STD, 0x10): 0x3c}


def _space_of(name: str) -> tuple[str, int | None] | None:
    if name in _HEADER:
        return HDR, _HEADER[name][0]
    for prefix, where in _PREFIX_SPACE:
        if name.startswith(prefix) and not name.startswith("PCI_MSIX_ENTRY"):
            return where
    return None


def _defines(path: str) -> list[tuple[bool, str, int]]:
    """(is_field, name, value) in file order."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = _DEFINE.match(line)
            if m:
                out.append((len(m.group(1)) == 2, m.group(2), int(m.group(3), 0)))
    return out


def _width(name: str, offset: int, later: list[int], fields: list[Field]) -> int:
    if name in _HEADER:
        return _HEADER[name][1]
    gap = min([o - offset for o in later if o > offset] + [4])
    need = max((f.mask.bit_length() + 7) // 8 for f in fields) if fields else 1
    return max(1, min(gap, 4), need)


@functools.lru_cache(maxsize=None)
def _load(path: str = PCI_REGS_H) -> dict[tuple[str, int | None], list[Register]]:
    """{(space, cap id or header type): [Register]} from the C header."""
    found: list[tuple[tuple[str, int | None], str, int, list[Field]]] = []
    for is_field, name, value in _defines(path):
        if not is_field:
            where = _space_of(name)
            if where is not None:
                found.append((where, name, value, []))
            continue
        if not found or not name.startswith(found[-1][1] + "_"):
            continue
        fields = found[-1][3]
        if value == 0 or name.endswith("_SHIFT") or \
                any(value & ~f.mask == 0 for f in fields):
            continue       # a count, or an encoded value of an earlier field
        fields.append(Field(name, value))
    table: dict[tuple[str, int | None], list[Register]] = {}
    for where, name, offset, fields in found:
        later = [o for w, _, o, _ in found if w[0] == where[0] and
                 (w == where or where[0] == HDR)] + [_CAP_END.get(where, 0)]
        table.setdefault(where, []).append(Register(
            name, offset, _width(name, offset, later, fields), tuple(fields),
            _TITLES.get(name, "")))
    return table


def register_at(space: str, cap_id: int | None, offset: int) -> Register | None:
    """The register holding byte `offset` (from the header, space HDR with
    cap_id the header type or None; from the capability's start for STD/EXT)."""
    table = _load()
    if space == HDR:
        candidates = table.get((HDR, None), []) + (
            table.get((HDR, cap_id), []) if cap_id is not None else [])
    elif space == STD and offset in (0, 1):
        return _CAP_HEADER if offset == 0 else _CAP_NEXT
    elif space == EXT and offset < 4:
        return _EXT_HEADER
    else:
        candidates = table.get((space, cap_id), [])
    hits = [r for r in candidates if r.offset <= offset < r.offset + r.width]
    # Overlapping names (PCI_CLASS_REVISION / PCI_REVISION_ID): the narrowest.
    return min(hits, key=lambda r: (r.width, -r.offset)) if hits else None


def capability_title(space: str, cap_id: int) -> str:
    return _CAP_TITLES.get((space, cap_id),
                           f"{'extended ' if space == EXT else ''}capability 0x{cap_id:02x}")


def find_field(name: str) -> tuple[Register, Field] | None:
    """A field by its Linux name (PCI_EXP_SLTSTA_PDS) or register.field
    (SLTSTA.PDS); None when lib/pci_regs.h has no such field."""
    for regs in [*_load().values(), [_EXT_HEADER]]:
        for r in regs:
            for f in r.fields:
                if name in (f.name, r.field_key(f)):
                    return r, f
    return None
