"""A fingerprint: what guest test `fingerprint` saw, as JSON.

The guest sends (tests/fingerprint.c), per function BDF:
  obs BDF SIZE 0x100|0x1000            the configuration space's size
  obs BDF V+OFF 0xVALUE                 each non-zero dword after reset
  obs BDF CHILD 0|1                     slots: a function answers behind it
  obs BDF W+OFF WWWW.CCCC.PPPP[:why]    a probed 16-bit word: writable bits,
                                        RW1C bits seen cleared, protected bits
  obs BDF OUT+OFF 0xEND                 bytes OFF..END only read
This module turns those lines into one dict per function (build()), with
the capabilities walked from the values and the slot's state decoded;
to_json()/load() write and read the file `slotprobe abi-diff` compares.
"""
from __future__ import annotations

import json
import re

from .pci_regs import DEFINES

FORMAT = "slotprobe-fingerprint/1"
_W = re.compile(r"^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})(?::([a-z]+))?$")
REASONS = {
    "outside": "outside the header and every capability of known length",
    "decode": "Command I/O, Memory, Bus Master of a function in use",
    "bar": "a BAR while decoding is on",
    "bus": "bus numbers of a bridge in use",
    "window": "a window of a bridge with functions behind it",
    "sbr": "Secondary Bus Reset",
    "flr": "Initiate Function Level Reset",
    "link": "Link Disable / Enter Compliance on an occupied link",
    "power": "Power Controller Control (and the interlock)",
    "interlock": "Electromechanical Interlock Control",
    "pstate": "PM PowerState",
    "irq": "MSI / MSI-X Enable",
}


class FingerprintError(Exception):
    """A malformed observation or fingerprint file: one line."""


def _d(name: str) -> int:
    return DEFINES[name].value


def _hex(v: int, width: int = 0) -> str:
    return f"0x{v:0{width}x}"


def _function(funcs: dict, bdf: str) -> dict:
    return funcs.setdefault(bdf, {"size": 256, "values": {}, "words": {}, "outside": []})


def _add(funcs: dict, bdf: str, reg: str, value: str) -> None:
    f = _function(funcs, bdf)
    kind, _, off = reg.partition("+")
    try:
        if reg == "SIZE":
            f["size"] = int(value, 0)
        elif reg == "CHILD":
            f["child"] = int(value, 0) != 0
        elif kind == "V":
            f["values"][_hex(int(off, 16), 3)] = _hex(int(value, 0), 8)
        elif kind == "OUT":
            f["outside"].append([_hex(int(off, 16), 3), _hex(int(value, 0), 3)])
        elif kind == "W":
            m = _W.match(value)
            if not m:
                raise ValueError(value)
            w = {"writable": "0x" + m.group(1), "rw1c": "0x" + m.group(2)}
            if int(m.group(3), 16):
                w.update(protected="0x" + m.group(3), reason=m.group(4) or "?")
            f["words"][_hex(int(off, 16), 3)] = w
    except ValueError:
        raise FingerprintError(f"malformed fingerprint line: {bdf} {reg} {value}") from None


def dword(f: dict, off: int) -> int:
    return int(f["values"].get(_hex(off & ~3, 3), "0"), 16)


def read(f: dict, off: int, width: int) -> int:
    """The value after reset of `width` bytes at `off` (within one dword, or two)."""
    raw = dword(f, off) | dword(f, off + 4) << 32
    return (raw >> (8 * (off & 3))) & ((1 << (8 * width)) - 1)


def word_masks(f: dict, off: int, width: int) -> dict[str, int | None]:
    """writable/rw1c/protected bits of `width` bytes at `off`; None when not probed."""
    out: dict[str, int | None] = {"writable": 0, "rw1c": 0, "protected": 0}
    for i in range(0, max(width, 2), 2):
        base = (off & ~1) + i
        w = f["words"].get(_hex(base, 3))
        shift = 8 * (base - off)
        for key in out:
            if w is None:
                out[key] = None
            elif out[key] is not None:
                v = int(w.get(key, "0"), 16)
                out[key] |= (v << shift if shift >= 0 else v >> -shift)
    mask = (1 << (8 * width)) - 1
    return {k: (v & mask if v is not None else None) for k, v in out.items()}


def capabilities(f: dict) -> list[dict]:
    """Standard and extended capabilities walked from the recorded values
    (bounded like lib/pci.c's walk: no loops, pointers inside the space)."""
    caps: list[dict] = []
    if read(f, _d("PCI_STATUS"), 2) & _d("PCI_STATUS_CAP_LIST"):
        pos, seen = read(f, _d("PCI_CAPABILITY_LIST"), 1) & ~3, set()
        while 0x40 <= pos < 0x100 and pos not in seen:
            seen.add(pos)
            caps.append({"id": read(f, pos, 1), "offset": pos, "extended": False})
            pos = read(f, pos + 1, 1) & ~3
    pos, seen = 0x100, set()
    while f["size"] > 0x100 and 0x100 <= pos < f["size"] and pos not in seen:
        seen.add(pos)
        header = dword(f, pos)
        if header in (0, 0xffffffff):
            break
        caps.append({"id": header & 0xffff, "offset": pos, "extended": True})
        pos = (header >> 20) & ~3
    return caps


def slot_state(f: dict, caps: list[dict]) -> dict | None:
    """A slot's state after reset in lspci's words, from the recorded values."""
    exp = next((c["offset"] for c in caps if not c["extended"]
                and c["id"] == _d("PCI_CAP_ID_EXP")), None)
    if exp is None or not read(f, exp + _d("PCI_EXP_FLAGS"), 2) & _d("PCI_EXP_FLAGS_SLOT"):
        return None
    ctl = read(f, exp + _d("PCI_EXP_SLTCTL"), 2)
    sta = read(f, exp + _d("PCI_EXP_SLTSTA"), 2)
    lnk = read(f, exp + _d("PCI_EXP_LNKSTA"), 2)
    ind = {0: "reserved", 1: "on", 2: "blink", 3: "off"}

    def field(value: int, mask: str) -> int:
        m = _d(mask)
        return (value & m) // (m & -m)
    return {
        "presence": bool(sta & _d("PCI_EXP_SLTSTA_PDS")),
        "child": f.get("child"),
        "power": "off" if ctl & _d("PCI_EXP_SLTCTL_PCC") else "on",
        "power_indicator": ind[field(ctl, "PCI_EXP_SLTCTL_PIC")],
        "attention_indicator": ind[field(ctl, "PCI_EXP_SLTCTL_AIC")],
        "link_active": bool(lnk & _d("PCI_EXP_LNKSTA_DLLLA")),
        "link_speed": field(lnk, "PCI_EXP_LNKSTA_CLS"),
        "link_width": field(lnk, "PCI_EXP_LNKSTA_NLW"),
        "events": _hex(sta & 0x11f),
    }


def not_probed(f: dict) -> list[dict]:
    """Every protected word and every range only read, with why."""
    out = [{"offset": a, "end": b, "reason": REASONS["outside"]} for a, b in f["outside"]]
    for off, w in sorted(f["words"].items()):
        if "protected" in w:
            out.append({"offset": off, "mask": w["protected"],
                        "reason": REASONS.get(w["reason"], w["reason"])})
    return out


def build(observations: list, meta: dict) -> dict:
    """The fingerprint from a run's (checkpoints, location, register, value) list."""
    funcs: dict[str, dict] = {}
    for _, bdf, reg, value in observations:
        _add(funcs, bdf, reg, value)
    for f in funcs.values():
        caps = capabilities(f)
        f["capabilities"] = [{**c, "offset": _hex(c["offset"], 3), "id": _hex(c["id"], 2)}
                             for c in caps]
        f["slot"] = slot_state(f, caps)
        f["not_probed"] = not_probed(f)
    return {"format": FORMAT, **meta, "functions": funcs}


def to_json(fp: dict) -> str:
    return json.dumps(fp, indent=1, sort_keys=True) + "\n"


def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            fp = json.load(fh)
    except (OSError, ValueError) as e:
        raise FingerprintError(f"{path}: cannot read a fingerprint: {e}") from None
    if not isinstance(fp, dict) or fp.get("format") != FORMAT or \
            not isinstance(fp.get("functions"), dict):
        raise FingerprintError(f"{path}: not a {FORMAT} file")
    return fp
