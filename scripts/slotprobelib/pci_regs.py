"""The register vocabulary, read from the C sources at import: values from
lib/pci/pci_regs.h (#define lines), registers from lib/pci/pci_regs.def (an X-macro
list: PCI_REG(space, cap, macro, width), PCI_REG_ALIAS(alias, macro),
PCI_SPAN(...)). One table for C and Python: tests/harness/test_pci_regs.py
compiles the same files and checks both read the same values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .sources import lib_file

# "#define  NAME  VALUE  /* comment */": leading blanks after #define give the
# level (1 register, 2 field, 3 encoded value), as in Linux's pci_regs.h.
_DEFINE = re.compile(r"^#define( +|\t)(\w+)\s+(\(?~?0x[0-9a-fA-F]+U?L*L?\)?|\d+)\s*(?:/\*.*)?$")
_ENTRY = re.compile(r"^(PCI_REG|PCI_REG_ALIAS|PCI_SPAN)\(([^)]*)\)\s*$")
SPACES = ("HDR", "TYPE0", "TYPE1", "CAP", "EXT")
# Registers whose fields Linux names with another prefix than "<register>_".
FIELD_PREFIXES = {"PCI_BRIDGE_CONTROL": "PCI_BRIDGE_CTL_"}


@dataclass(frozen=True)
class Define:
    name: str
    value: int
    level: int      # 1 register (or constant), 2 field, 3 a field's value


@dataclass(frozen=True)
class Register:
    name: str       # short name: macro without PCI_EXP_ / PCI_
    macro: str
    space: str      # HDR, TYPE0, TYPE1, CAP, EXT
    cap: int        # capability ID (CAP, EXT), else 0
    offset: int
    width: int      # bytes


def _int(text: str) -> int:
    text = text.strip("()").rstrip("UuLl")
    if text.startswith("~"):
        return ~int(text[1:].rstrip("UuLl"), 0)
    return int(text, 0)


def parse_defines(path: str) -> dict[str, Define]:
    out: dict[str, Define] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = _DEFINE.match(line.rstrip("\n"))
            if m:
                blanks = m.group(1)
                level = 1 if blanks == "\t" else len(blanks)
                if m.group(2) in out:
                    raise ValueError(f"{path}: {m.group(2)} defined twice")
                out[m.group(2)] = Define(m.group(2), _int(m.group(3)), level)
    return out


def short_name(space: str, cap: int, macro: str, defines: dict[str, Define]) -> str:
    """PCI_EXP_SLTSTA -> SLTSTA, PCI_VENDOR_ID -> VENDOR_ID (lib/pci/cfgname.c's rule)."""
    exp = space == "CAP" and cap == defines["PCI_CAP_ID_EXP"].value
    return macro[8:] if exp else macro[4:]


def _value(word: str, defines: dict[str, Define]) -> int:
    return defines[word].value if word in defines else int(word, 0)


def parse_def(path: str, defines: dict[str, Define]):
    """-> (registers in file order, {alias: macro}, spans [(space, cap, label, off, width)])."""
    regs: list[Register] = []
    aliases: dict[str, str] = {}
    spans: list[tuple[str, int, str, int, int]] = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = _ENTRY.match(line.strip())
            if not m:
                continue
            args = [a.strip() for a in m.group(2).split(",")]
            where = f"{path}:{number}"
            if m.group(1) == "PCI_REG":
                space, cap, macro, width = args
                if space not in SPACES or macro not in defines:
                    raise ValueError(f"{where}: bad entry {line.strip()}")
                c = _value(cap, defines)
                regs.append(Register(short_name(space, c, macro, defines), macro, space, c,
                                     defines[macro].value, int(width, 0)))
            elif m.group(1) == "PCI_REG_ALIAS":
                aliases[args[0]] = args[1]
            else:
                space, cap, label, off, width = args
                spans.append((space, _value(cap, defines), label, _value(off, defines),
                              int(width, 0)))
    return regs, aliases, spans


DEFINES = parse_defines(lib_file("pci_regs.h"))
REGISTERS, ALIASES, SPANS = parse_def(lib_file("pci_regs.def"), DEFINES)
