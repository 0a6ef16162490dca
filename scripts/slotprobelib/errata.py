"""Known hypervisor bugs (tests/errata.cfg): which QEMU versions and machine
types they affect, how they show, and which upstream commit fixes them."""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from .cfgfile import ConfigError, check_keys, read_ini
from .checkkey import CheckKey, parse_check
from .regnames import find_field

KEYS = ("id", "summary", "qemu_min", "qemu_max", "machines", "symptom", "fields",
        "checks", "fix", "link", "fix_present")
Version = tuple[int, int, int]


def parse_version(text: str) -> Version:
    m = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.(\d+))?\s*", text)
    if not m:
        raise ValueError(f"not a version: {text!r}")
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def version_text(v: Version) -> str:
    return "%d.%d.%d" % v


@dataclass
class Erratum:
    id: str
    summary: str
    symptom: re.Pattern[str] | None
    fix: str
    link: str = ""
    qemu_min: Version | None = None          # oldest affected, inclusive
    qemu_max: tuple[str, Version] | None = None   # ("<" | "<=", version)
    machines: list[str] = field(default_factory=list)
    # Linux names of the register fields whose difference this bug explains
    # (a refused migration's checked differing fields, loadfail.py).
    fields: frozenset[str] = frozenset()
    # The guest checks this bug makes fail, by identity (checkkey.py): a
    # failed check that carries keys is this bug only if all are among them.
    checks: frozenset[CheckKey] = frozenset()
    fix_present: str = ""    # the file that declares the fix present (a backport)

    def applies(self, version: Version, machine: str) -> bool:
        if self.qemu_min and version < self.qemu_min:
            return False
        if self.qemu_max:
            op, limit = self.qemu_max
            if (version >= limit) if op == "<" else (version > limit):
                return False
        return not self.machines or any(
            fnmatch.fnmatchcase(machine, pat) for pat in self.machines)

    def shows_in(self, text: str) -> bool:
        return bool(self.symptom and self.symptom.search(text))

    def explains_fields(self, fields: list[str]) -> bool:
        """Every checked differing field is one this bug explains."""
        return bool(fields) and set(fields) <= self.fields

    @property
    def covered_fields(self) -> frozenset[str]:
        """Every field this bug is about, its fields' and its checks' (as
        checkkey.canonical_field spells them): what an explorer's finding
        and a script's failed expect are matched against, by field."""
        return self.fields | {k.field for k in self.checks}

    def explains_key(self, key: CheckKey) -> bool:
        return any(c.covers(key) for c in self.checks)

    def explains_keys(self, keys: list[CheckKey]) -> bool:
        """Every key of a failed guest check is one of this bug's checks."""
        return bool(keys) and all(self.explains_key(k) for k in keys)


def _fields(where: str, text: str) -> frozenset[str]:
    """`fields = SLTSTA.PDS PCI_EXP_SLTSTA_ABP ...` -> Linux names."""
    out = set()
    for word in text.replace(",", " ").split():
        found = find_field(word)
        if found is None:
            raise ConfigError(f"{where}: fields: no field '{word}' in lib/pci/pci_regs.h "
                              "(write PCI_EXP_SLTSTA_PDS or SLTSTA.PDS)")
        out.add(found[1].name)
    return frozenset(out)


def _checks(where: str, text: str) -> frozenset[CheckKey]:
    """`checks = LNKCTL.LD:writable hotplug/SLTSTA.DLLSC:raised ...`"""
    out = set()
    for word in text.replace(",", " ").split():
        try:
            out.add(parse_check(word))
        except ValueError as e:
            raise ConfigError(f"{where}: checks: {e}") from None
    return frozenset(out)


def _flag(where: str, key: str, text: str) -> bool:
    value = text.strip().lower()
    if value not in ("yes", "no", "true", "false", "on", "off", "1", "0", ""):
        raise ConfigError(f"{where}: {key} must be yes or no, not {text.strip()!r}")
    return value in ("yes", "true", "on", "1")


def _erratum(path: str, name: str, sec: dict[str, str]) -> Erratum:
    where = f"{path}:{name}"
    check_keys(path, name, list(sec), KEYS)
    if sec.get("id", name) != name:
        raise ConfigError(f"{where}: id '{sec['id']}' differs from the section name")
    for key in ("summary", "fix"):
        if not sec.get(key, "").strip():
            raise ConfigError(f"{where}: missing {key}")
    if not any(sec.get(k, "").strip() for k in ("symptom", "fields", "checks")):
        raise ConfigError(f"{where}: missing symptom (or fields, or checks)")
    symptom = None
    try:
        if sec.get("symptom", "").strip():
            symptom = re.compile(sec["symptom"].strip())
    except re.error as e:
        raise ConfigError(f"{where}: symptom is not a regex: {e}") from None
    qmin = qmax = None
    try:
        if sec.get("qemu_min", "").strip():
            qmin = parse_version(sec["qemu_min"].lstrip(">="))
        if sec.get("qemu_max", "").strip():
            m = re.fullmatch(r"\s*(<=?)\s*(\S+)\s*", sec["qemu_max"])
            if not m:
                raise ValueError("qemu_max needs '<' or '<=' before the version,"
                                 f" e.g. '< 8.1.0', not {sec['qemu_max']!r}")
            qmax = (m.group(1), parse_version(m.group(2)))
    except ValueError as e:
        raise ConfigError(f"{where}: {e}") from None
    present = _flag(where, "fix_present", sec.get("fix_present", ""))
    return Erratum(id=name, summary=sec["summary"].strip(), symptom=symptom,
                   fix=" ".join(sec["fix"].split()), link=sec.get("link", "").strip(),
                   qemu_min=qmin, qemu_max=qmax,
                   machines=sec.get("machines", "").split(),
                   fields=_fields(where, sec.get("fields", "")),
                   checks=_checks(where, sec.get("checks", "")),
                   fix_present=path if present else "")


def load_errata(*paths: str) -> dict[str, Erratum]:
    """tests/errata.cfg, then each --errata file over it: a section of a
    known id changes only the keys it names (fix_present = yes declares a
    backport); a new id adds a bug."""
    merged: dict[str, dict[str, str]] = {}
    last: dict[str, str] = {}          # the file that touched a section last
    declared: dict[str, str] = {}      # the file that said fix_present
    for path in paths:
        cp = read_ini(path)
        for name in cp.sections():
            sec = dict(cp[name])
            check_keys(path, name, list(sec), KEYS)
            merged.setdefault(name, {}).update(sec)
            last[name] = path
            if "fix_present" in sec:
                declared[name] = path
    out = {}
    for name, sec in merged.items():
        e = out[name] = _erratum(last[name], name, sec)
        if e.fix_present:
            e.fix_present = declared[name]
    return out
