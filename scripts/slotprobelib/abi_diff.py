"""`slotprobe abi-diff A.json B.json`: every difference between two
fingerprints (fingerprint.py), by function, register and field.

Registers and fields are named from the one register table (pci_regs.py:
lib/pci_regs.def and lib/pci_regs.h); bits no named field covers are
"bits H:L", bytes no named register covers "+0xNN" within their
capability. Capabilities are matched by ID, so a capability that moved is
compared at its new place. Kinds: function added/removed, capability
added/removed/moved, value (the guest reads something else after reset),
writability (writable or RW1C bits differ).

"QEMU checks on load": QEMU's get_pci_config_device() refuses incoming
config bytes that differ where the destination's cmask is set and neither
its wmask nor its w1cmask is (hw/pci/pci.c). cmask covers the ID registers
(vendor, device, revision, class, header type, capability pointer, Status
Capabilities List) and every byte of each capability. We know the
capabilities' extent where their length is known (lib/conformance/cfgprobe.c), the
destination's writable bits as probed, RW1C bits as seen on either side;
elsewhere the answer is unknown (None). QEMU takes bits out of the cmask
where the guest-visible value may legitimately change (QEMU_UNCHECKED):
Link Status (hw/pci/pcie.c pcie_cap_v1_fill(); measured on 7.2.22: the
seed's refused migration names i=0x6e, Slot Status, though the Link
Status bytes before it differ too), and Presence Detect State from 8.1.0
(625b370c45, the seed fix).
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from .fingerprint import capabilities, read, word_masks
from .pci_regs import DEFINES, FIELD_PREFIXES, REGISTERS

_ID_BITS = {   # (offset, width) -> the bits QEMU's pci_init_cmask() sets
    (0x00, 2): 0xffff, (0x02, 2): 0xffff, (0x06, 2): DEFINES["PCI_STATUS_CAP_LIST"].value,
    (0x08, 1): 0xff, (0x09, 1): 0xff, (0x0a, 2): 0xffff, (0x0e, 1): 0xff, (0x34, 1): 0xff,
}
# (capability ID, register, bits, first QEMU version that leaves them out of cmask)
QEMU_UNCHECKED = [
    (DEFINES["PCI_CAP_ID_EXP"].value, DEFINES["PCI_EXP_LNKSTA"].value, 0xffff, (0, 0, 0)),
    (DEFINES["PCI_CAP_ID_EXP"].value, DEFINES["PCI_EXP_SLTSTA"].value,
     DEFINES["PCI_EXP_SLTSTA_PDS"].value, (8, 1, 0)),
]
_CAP_NAMES = {(False, d.value): n[len("PCI_CAP_ID_"):] for n, d in DEFINES.items()
              if n.startswith("PCI_CAP_ID_")}
_CAP_NAMES.update({(True, d.value): n[len("PCI_EXT_CAP_ID_"):] for n, d in DEFINES.items()
                   if n.startswith("PCI_EXT_CAP_ID_")})


@dataclass
class Area:
    key: str            # "header", "cap EXP", "ext ERR": the same on both sides
    start: int
    end: int            # exclusive
    known: bool         # QEMU's cmask covers it (a capability of known extent)
    cap_id: int = 0
    extended: bool = False


@dataclass
class Unit:
    key: tuple[str, str]    # (area key, register name or "+0xNN")
    label: str              # "SLTCAP (EXP +0x14)"
    offset: int
    width: int
    macro: str = ""
    area: Area | None = None
    mask: int = 0xffffffff  # an unnamed dword: only its bytes no register names


@dataclass
class Difference:
    function: str
    kind: str
    register: str = ""
    field: str = ""
    a: str = ""
    b: str = ""
    offset_a: str = ""
    offset_b: str = ""
    width: int = 0          # bytes of the register at offset_a / offset_b
    checked: dict = dataclasses.field(default_factory=dict)    # "A->B"/"B->A": True/False/None

    def covers(self, bdf: str, offset: int, side: str = "b") -> bool:
        """Is config byte `offset` of function `bdf` in this register (on side a or b)?"""
        at = getattr(self, f"offset_{side}")
        return bdf == self.function and bool(at) and \
            int(at, 16) <= offset < int(at, 16) + self.width

    def text(self) -> str:
        where = f" {self.register}" if self.register else ""
        what = f" {self.field}:" if self.field else ":"
        line = f"{self.function}{where}{what} {self.kind} {self.a} -> {self.b}"
        if self.checked:
            words = {True: "checked", False: "not checked", None: "unknown"}
            line += "; QEMU on load: " + ", ".join(f"{d} {words[v]}"
                                                   for d, v in self.checked.items())
        return line


def cap_name(extended: bool, cap_id: int) -> str:
    return _CAP_NAMES.get((extended, cap_id), f"{'ext ' if extended else ''}0x{cap_id:02x}")


def _outside(f: dict, off: int) -> bool:
    return any(int(a, 16) <= off <= int(b, 16) for a, b in f["outside"])


def areas(f: dict) -> list[Area]:
    """The header, then each capability up to the next one (or the first byte
    only read), keyed so that the same capability matches on both sides."""
    out = [Area("header", 0, 0x40, True)]
    caps = capabilities(f)
    for c in caps:
        same_list = sorted(x["offset"] for x in caps if x["extended"] == c["extended"])
        later = [o for o in same_list if o > c["offset"]]
        end = later[0] if later else (f["size"] if c["extended"] else 0x100)
        known = end
        for off in range(c["offset"], end, 2):
            if _outside(f, off):
                known = off
                break
        name = cap_name(c["extended"], c["id"])
        key = f"{'ext' if c['extended'] else 'cap'} {name}"
        out.append(Area(key, c["offset"], known, True, c["id"], c["extended"]))
        if known < end:     # the rest: read only, QEMU's cmask extent unknown
            out.append(Area(f"{key} beyond", known, end, False, c["id"], c["extended"]))
    return out


def _register_space(r, f: dict, a: Area) -> bool:
    htype = read(f, 0x0e, 1) & 0x7f
    if a.key == "header":
        return r.space == "HDR" or (r.space == "TYPE0" and htype == 0) or \
            (r.space == "TYPE1" and htype == 1)
    return r.space == ("EXT" if a.extended else "CAP") and r.cap == a.cap_id


def units(f: dict) -> dict[tuple[str, str], Unit]:
    """Every named register of the function, and every other dword of its
    areas that is not all named, by a key that survives a capability move."""
    out: dict[tuple[str, str], Unit] = {}
    covered: set[int] = set()
    for a in areas(f):
        for r in REGISTERS:
            off = a.start + r.offset
            if _register_space(r, f, a) and off + r.width <= a.end:
                label = r.name if a.key == "header" else f"{r.name} ({a.key[4:]} +0x{r.offset:02x})"
                out[(a.key, r.name)] = Unit((a.key, r.name), label, off, r.width, r.macro, a)
                covered.update(range(off, off + r.width))
        for off in range(a.start, a.end, 4):
            mask = sum(0xff << 8 * i for i in range(4) if off + i not in covered)
            if mask:
                rel = f"+0x{off - a.start:02x}"
                label = f"{a.key} {rel}" if a.key != "header" else rel
                out[(a.key, rel)] = Unit((a.key, rel), label, off, 4, "", a, mask)
    return out


@functools.lru_cache(maxsize=None)
def fields_of(macro: str, width: int) -> list[tuple[str, int]]:
    """(name, mask) of a register's named fields, widest first, none overlapping."""
    limit = (1 << (8 * width)) - 1
    prefix = FIELD_PREFIXES.get(macro, macro + "_")
    cands = [(n, d.value) for n, d in DEFINES.items()
             if macro and n.startswith(prefix) and d.level == 2 and
             not n.endswith("_SHIFT") and 0 < d.value <= limit]
    chosen: list[tuple[str, int]] = []
    taken = 0
    for n, m in sorted(cands, key=lambda c: -bin(c[1]).count("1")):
        if not m & taken:
            chosen.append((n, m))
            taken |= m
    return chosen


def split_bits(bits: int, macro: str, width: int) -> list[tuple[str, int]]:
    """The fields `bits` falls in; runs of unnamed bits as "bits H:L"."""
    if not bits:
        return []
    out = [(n, m) for n, m in fields_of(macro, width) if bits & m]
    rest = bits & ~sum(m for _, m in out)
    bit = 0
    while rest >> bit:
        if rest >> bit & 1:
            hi = bit
            while rest >> (hi + 1) & 1:
                hi += 1
            m = ((1 << (hi - bit + 1)) - 1) << bit
            out.append((f"bit {bit}" if hi == bit else f"bits {hi}:{bit}", m))
            bit = hi + 1
        else:
            bit += 1
    return out


def _field_value(v: int, m: int) -> str:
    return hex((v & m) // (m & -m))


def _attr(masks: dict, m: int) -> str:
    if masks["writable"] is None:
        return "not probed"
    parts = []
    for key, word in (("writable", "RW"), ("rw1c", "RW1C"), ("protected", "not probed")):
        if masks[key] and masks[key] & m:
            parts.append(word if masks[key] & m == m else f"{word} 0x{masks[key] & m:x}")
    return "+".join(parts) or "RO"


def version(fp: dict) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in str(fp.get("qemu_version", "")).split(".")[:3])
    except ValueError:
        return ()


def _unchecked(u: Unit, dst_version: tuple[int, ...]) -> int:
    """The bits of `u` the destination's QEMU leaves out of its cmask."""
    out = 0
    a = u.area
    for cap, reg, bits, since in QEMU_UNCHECKED:
        if a and not a.extended and a.cap_id == cap and dst_version >= since:
            shift = 8 * (a.start + reg - u.offset)
            if -32 < shift < 32:
                out |= bits << shift if shift >= 0 else bits >> -shift
    return out


def checked_on_load(u: Unit, bits: int, dst: dict, other: dict,
                    dst_version: tuple[int, ...] = ()) -> bool | None:
    """Does QEMU refuse a difference in `bits` of `u` when `dst` loads?"""
    if u.area is None or not u.area.known:
        return None
    bits &= ~_unchecked(u, dst_version)
    if not bits:
        return False
    if u.area.key == "header":
        cmask = 0
        for (off, w), m in _ID_BITS.items():
            if off < u.offset + u.width and u.offset < off + w:
                shift = 8 * (off - u.offset)
                cmask |= m << shift if shift >= 0 else m >> -shift
        bits &= cmask
        if not bits:
            return False
    if dst["protected"] is None:
        return None
    if dst["protected"] & bits:
        return None
    free = (dst["writable"] or 0) | (dst["rw1c"] or 0) | (other["rw1c"] or 0)
    return bool(bits & ~free)


def diff_function(bdf: str, fa: dict, fb: dict,
                  versions: tuple = ((), ())) -> list[Difference]:
    out: list[Difference] = []
    ua, ub = units(fa), units(fb)
    ca = {(c["extended"], c["id"]): c["offset"] for c in capabilities(fa)}
    cb = {(c["extended"], c["id"]): c["offset"] for c in capabilities(fb)}
    for key in sorted(set(ca) | set(cb), key=lambda k: (k[0], k[1])):
        name = cap_name(*key)
        if key not in cb:
            out.append(Difference(bdf, "capability removed", name, a=hex(ca[key]), b="-"))
        elif key not in ca:
            out.append(Difference(bdf, "capability added", name, a="-", b=hex(cb[key])))
        elif ca[key] != cb[key]:
            out.append(Difference(bdf, "capability moved", name, a=hex(ca[key]), b=hex(cb[key])))
    for key, u in ua.items():
        v = ub.get(key)
        if v is None or v.width != u.width:
            continue
        out += _diff_unit(bdf, u, v, fa, fb, versions)
    return out


def _diff_unit(bdf: str, u: Unit, v: Unit, fa: dict, fb: dict,
               versions: tuple) -> list[Difference]:
    out = []
    va, vb = read(fa, u.offset, u.width), read(fb, v.offset, v.width)
    ma, mb = word_masks(fa, u.offset, u.width), word_masks(fb, v.offset, v.width)
    offs = {"offset_a": f"0x{u.offset:03x}", "offset_b": f"0x{v.offset:03x}",
            "width": u.width}
    for name, m in split_bits((va ^ vb) & u.mask, u.macro, u.width):
        out.append(Difference(bdf, "value", u.label, name, _field_value(va, m),
                              _field_value(vb, m), **offs,
                              checked={"A->B": checked_on_load(v, m, mb, ma, versions[1]),
                                       "B->A": checked_on_load(u, m, ma, mb, versions[0])}))
    changed = 0
    for key in ("writable", "rw1c"):
        if ma[key] is not None and mb[key] is not None:
            changed |= ma[key] ^ mb[key]
    for name, m in split_bits(changed & u.mask, u.macro, u.width):
        out.append(Difference(bdf, "writability", u.label, name, _attr(ma, m), _attr(mb, m),
                              **offs))
    return out


def diff(a: dict, b: dict) -> list[Difference]:
    """Every difference from fingerprint `a` to fingerprint `b`."""
    out: list[Difference] = []
    fa, fb = a["functions"], b["functions"]

    def ident(f: dict) -> str:
        return f"[{read(f, 0, 2):04x}:{read(f, 2, 2):04x}]"
    for bdf in sorted(set(fa) | set(fb)):
        if bdf not in fb:
            out.append(Difference(bdf, "function removed", a=ident(fa[bdf]), b="-"))
        elif bdf not in fa:
            out.append(Difference(bdf, "function added", a="-", b=ident(fb[bdf])))
        else:
            out += diff_function(bdf, fa[bdf], fb[bdf], (version(a), version(b)))
    return out
