"""Each function's configuration-space layout as the guest found it (host-link
`cap` lines at start, lib/pci/pci_layout.c): header type, the secondary bus of a
bridge, and where every capability starts. It lets the harness say which
capability and register an offset QEMU names belongs to without guessing.

  cap BDF hdr=N [sec=BB] kind=std|ext id=0xID at=0xOFFSET   one per capability
  cap BDF hdr=N [sec=BB] kind=none                          a function without any

QEMU names a PCI device in the migration stream by its path: the root bus
function, then (slot.function) per bridge below it ("0000:00:12.0:00.0" is
device 0 behind the bridge at 00:12.0); `bdf_of_path` turns that into the
bus number the firmware gave it, through the bridges' secondary buses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .regnames import EXT, STD

BDF = re.compile(r"^(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")
KINDS = ("std", "ext", "none")
# QEMU's path of a PCI device: domain:bus:slot.fn, then :slot.fn per bridge.
QEMU_PATH = r"[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7](?::[0-9a-f]{2}\.[0-7])*"
_PATH = re.compile(r"^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2}\.[0-7])"
                   r"((?::[0-9a-f]{2}\.[0-7])*)$")


@dataclass
class FunctionLayout:
    bdf: str
    header: int                          # PCI_HEADER_TYPE without the MFD bit
    sec_bus: int | None = None           # bridges
    caps: list[tuple[str, int, int]] = field(default_factory=list)  # (space, id, at)

    def capability_at(self, offset: int) -> tuple[str, int, int] | None:
        """The capability byte `offset` lies in: the one starting closest
        below it in the same list (standard below 0x100, extended above)."""
        space = EXT if offset >= 0x100 else STD
        below = [c for c in self.caps if c[0] == space and c[2] <= offset]
        return max(below, key=lambda c: c[2]) if below else None


def check_cap_line(words: list[str]) -> str | None:
    """Why a `cap` line's arguments are malformed; None when they fit."""
    if not words or not BDF.match(words[0]):
        return "cap: first argument must be a BDF (00:12.0)"
    kv = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    if len(kv) != len(words) - 1:
        return "cap: arguments after the BDF must be key=value"
    try:
        if int(kv.get("hdr", "x"), 16) > 0x7f:
            return "cap: hdr out of range"
        if "sec" in kv and int(kv["sec"], 16) > 0xff:
            return "cap: sec out of range"
        if kv.get("kind") not in KINDS:
            return "cap: kind must be std, ext or none"
        if kv["kind"] != "none":
            at, cap_id = int(kv.get("at", "x"), 16), int(kv.get("id", "x"), 16)
            lo, hi = (0x40, 0xfc) if kv["kind"] == "std" else (0x100, 0xffc)
            if not lo <= at <= hi or cap_id > 0xffff:
                return f"cap: at= must lie in 0x{lo:x}..0x{hi:x}"
    except ValueError:
        return "cap: hdr, sec, id and at must be hex numbers"
    return None


class Layout:
    def __init__(self) -> None:
        self.functions: dict[str, FunctionLayout] = {}

    def add(self, words: list[str]) -> None:
        """One `cap` line, already checked by check_cap_line."""
        bdf = words[0]
        kv = dict(w.split("=", 1) for w in words[1:])
        f = self.functions.setdefault(bdf, FunctionLayout(bdf, int(kv["hdr"], 16)))
        if "sec" in kv:
            f.sec_bus = int(kv["sec"], 16)
        if kv["kind"] != "none":
            cap = (kv["kind"], int(kv["id"], 16), int(kv["at"], 16))
            if cap not in f.caps:       # a guest repeating itself after a rollback
                f.caps.append(cap)

    def bdf_of_path(self, path: str) -> str | None:
        """'0000:00:12.0:00.0' -> '01:00.0' through the bridges' secondary
        buses; the root-bus function needs no layout. None when unknown."""
        m = _PATH.match(path)
        if not m or m.group(1) != "0000":
            return None
        bdf = f"{m.group(2)}:{m.group(3)}"
        for hop in filter(None, m.group(4).split(":")):
            f = self.functions.get(bdf)
            if f is None or f.sec_bus is None:
                return None
            bdf = f"{f.sec_bus:02x}:{hop}"
        return bdf
