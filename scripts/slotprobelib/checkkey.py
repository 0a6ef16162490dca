"""A guest check's identity (lib/runtime/report.h, report_keyed()): the test,
the register field it checks, as lib/pci/pci_regs.h names it, and what it
requires of the field, one of the CONTRACT_COND_* words (lib/runtime/
contract.h). A check that does not pass sends its keys before its text:

    result FAIL key=slot-regs/PCI_EXP_LNKCTL_LD/writable slot-regs: ...

Errata name the same pairs (tests/errata.cfg `checks = LNKCTL.LD:writable`,
optionally `slot-regs/LNKCTL.LD:writable` for one test). Both sides are
read into one spelling (`canonical_field`), so a field may be written as
Linux names it, as REG.FIELD, or as register and bits for bits Linux leaves
unnamed (`PCI_EXP_LNKCTL2[15:12]`); a register stands for itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import contract
from .regnames import Register, find_field, find_register

CONDITIONS = contract.CHECK_CONDITIONS
_TEST = re.compile(r"[a-z0-9][a-z0-9-]*$")
_BITS = re.compile(r"(\w+)\[(\d+)(?::(\d+))?\]$")


@dataclass(frozen=True)
class CheckKey:
    test: str           # "" in an erratum's check that holds for every test
    field: str          # canonical_field()'s spelling
    condition: str

    def __str__(self) -> str:
        return f"{self.test}/{self.field}/{self.condition}"

    @property
    def pair(self) -> str:
        """FIELD:condition, as errata write it."""
        return f"{self.field}:{self.condition}"

    def covers(self, key: CheckKey) -> bool:
        """This (an erratum's check) is the failed check `key`."""
        return (self.field, self.condition) == (key.field, key.condition) and \
            self.test in ("", key.test)


def _bits(m: re.Match[str]) -> str | None:
    reg = find_register(m.group(1))
    high = int(m.group(2))
    low = int(m.group(3)) if m.group(3) is not None else high
    if reg is None or not reg.width * 8 > high >= low:
        return None
    mask = ((1 << (high + 1)) - 1) & ~((1 << low) - 1)
    named = [f.name for f in reg.fields if f.mask == mask]
    if named:                   # the bits are a field pci_regs.h names
        return named[0]
    return f"{reg.name}[{high}]" if high == low else f"{reg.name}[{high}:{low}]"


def canonical_field(name: str) -> str | None:
    """PCI_EXP_SLTSTA_PDS for PCI_EXP_SLTSTA_PDS or SLTSTA.PDS; PCI_EXP_SLTSTA
    for a register; PCI_EXP_LNKCTL2[15:12] for LNKCTL2[15:12] (the field's
    name when pci_regs.h has one for those bits). None: not in the table."""
    m = _BITS.match(name)
    if m:
        return _bits(m)
    found = find_field(name)
    if found:
        return found[1].name
    reg = find_register(name)
    return reg.name if reg else None


def register_of(field: str) -> Register | None:
    """The register a canonical field lies in (a register: itself)."""
    m = _BITS.match(field)
    if m:
        return find_register(m.group(1))
    found = find_field(field)
    return found[0] if found else find_register(field)


def _key(test: str, field: str, condition: str, what: str) -> CheckKey:
    if test and not _TEST.match(test):
        raise ValueError(f"{what}: '{test}' is not a test name")
    if condition not in CONDITIONS:
        raise ValueError(f"{what}: unknown condition '{condition}' (lib/runtime/"
                         f"contract.h CONTRACT_COND_*: {' '.join(sorted(CONDITIONS))})")
    canonical = canonical_field(field)
    if canonical is None:
        raise ValueError(f"{what}: no field or register '{field}' in lib/pci/pci_regs.h")
    return CheckKey(test, canonical, condition)


def parse_key(word: str) -> CheckKey:
    """`key=<test>/<field>/<condition>` from a guest's result line."""
    parts = word[len("key="):].split("/")
    if not word.startswith("key=") or len(parts) != 3 or not parts[0]:
        raise ValueError(f"key '{word[:60]}' is not key=<test>/<field>/<condition>")
    return _key(*parts, what=f"key '{word[:60]}'")


def split_keys(text: str) -> tuple[list[CheckKey], str]:
    """A result's leading key= words, and the text after them. ValueError
    for a key that is malformed or names what the register table and the
    contract do not know."""
    keys = []
    while text.startswith("key="):
        word, _, text = text.partition(" ")
        keys.append(parse_key(word))
    return keys, text


def parse_check(word: str) -> CheckKey:
    """An erratum's `[test/]FIELD:condition`."""
    head, sep, condition = word.rpartition(":")
    test, _, field = head.rpartition("/")
    if not sep or not field:
        raise ValueError(f"'{word}' is not FIELD:condition (or test/FIELD:condition)")
    return _key(test, field, condition, what=f"'{word}'")
