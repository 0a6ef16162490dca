"""Register and field names for configuration-space offsets, from the one
register table (pci_regs.py: lib/pci/pci_regs.def says where each register
lives and how wide it is, lib/pci/pci_regs.h its fields, as Linux names them):
which register a byte belongs to, and its fields' masks.

The interface is `register_at(space, cap_id, offset)`, `capability_title()`,
`find_field()` and `find_register()`; `_load()` is the one place that reads the table.

A register's fields are the level-2 defines ("#define  NAME", two blanks)
below it; *_SHIFT counts are not fields, nor is a define whose bits lie
inside an earlier field (an encoded value kept at level 2).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .pci_regs import DEFINES, REGISTERS

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
        """SLTSTA.PDS for PCI_EXP_SLTSTA_PDS (LNKCAP.AOC for our
        SLOTPROBE_EXP_LNKCAP_AOC); the name itself when it is named otherwise."""
        name = re.sub(r"^SLOTPROBE_", "PCI_", f.name)
        if not name.startswith(self.name + "_"):
            return f.name
        return f"{self.short}.{name[len(self.name) + 1:]}"


# pci_regs.def's spaces -> (space here, capability id or header type).
_SPACES = {"HDR": lambda cap: (HDR, None), "TYPE0": lambda cap: (HDR, 0),
           "TYPE1": lambda cap: (HDR, 1), "CAP": lambda cap: (STD, cap),
           "EXT": lambda cap: (EXT, cap)}
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


def _fields_by_register() -> dict[str, tuple[Field, ...]]:
    """Each level-1 define's level-2 defines below it, in file order (our
    own SLOTPROBE_* names sit under their register like Linux's)."""
    out: dict[str, list[Field]] = {}
    current: list[Field] = []
    for d in DEFINES.values():
        if d.level == 1:
            current = out.setdefault(d.name, [])
        elif d.level == 2 and d.value > 0 and not d.name.endswith("_SHIFT") \
                and not any(d.value & ~f.mask == 0 for f in current):
            current.append(Field(d.name, d.value))
    return {name: tuple(fields) for name, fields in out.items()}


@functools.lru_cache(maxsize=None)
def _load() -> dict[tuple[str, int | None], list[Register]]:
    """{(space, cap id or header type): [Register]} from the register table."""
    fields = _fields_by_register()
    table: dict[tuple[str, int | None], list[Register]] = {}
    for r in REGISTERS:
        table.setdefault(_SPACES[r.space](r.cap), []).append(Register(
            r.macro, r.offset, r.width, fields.get(r.macro, ()), _TITLES.get(r.macro, "")))
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


def find_register(name: str) -> Register | None:
    """A register by its macro (PCI_EXP_SLTSTA) or short name (SLTSTA)."""
    for regs in _load().values():
        for r in regs:
            if name in (r.name, r.short):
                return r
    return None


def find_field(name: str) -> tuple[Register, Field] | None:
    """A field by its Linux name (PCI_EXP_SLTSTA_PDS) or register.field
    (SLTSTA.PDS); None when the register table has no such field."""
    for regs in [*_load().values(), [_EXT_HEADER]]:
        for r in regs:
            for f in r.fields:
                if name in (f.name, r.field_key(f)):
                    return r, f
    return None
