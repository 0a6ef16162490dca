"""Known hypervisor bugs (tests/errata.cfg): which QEMU versions and machine
types they affect, how they show, and which upstream commit fixes them."""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from .cfgfile import ConfigError, check_keys, read_ini

KEYS = ("id", "summary", "qemu_min", "qemu_max", "machines", "symptom", "fix",
        "link")
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
    symptom: re.Pattern[str]
    fix: str
    link: str = ""
    qemu_min: Version | None = None          # oldest affected, inclusive
    qemu_max: tuple[str, Version] | None = None   # ("<" | "<=", version)
    machines: list[str] = field(default_factory=list)

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
        return bool(self.symptom.search(text))


def _erratum(path: str, name: str, sec: dict[str, str]) -> Erratum:
    where = f"{path}:{name}"
    check_keys(path, name, list(sec), KEYS)
    if sec.get("id", name) != name:
        raise ConfigError(f"{where}: id '{sec['id']}' differs from the section name")
    for key in ("summary", "symptom", "fix"):
        if not sec.get(key, "").strip():
            raise ConfigError(f"{where}: missing {key}")
    try:
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
    return Erratum(id=name, summary=sec["summary"].strip(), symptom=symptom,
                   fix=" ".join(sec["fix"].split()), link=sec.get("link", "").strip(),
                   qemu_min=qmin, qemu_max=qmax,
                   machines=sec.get("machines", "").split())


def load_errata(path: str) -> dict[str, Erratum]:
    cp = read_ini(path)
    return {name: _erratum(path, name, dict(cp[name])) for name in cp.sections()}
