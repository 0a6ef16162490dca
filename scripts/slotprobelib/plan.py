"""The test plan (tests/plans.cfg), one section per entry, in the manner of
kvm-unit-tests' unittests.cfg."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from .cfgfile import ConfigError, check_keys, read_ini

KEYS = ("test", "params", "machine", "devices", "dst_devices", "migrate_at",
        "timeout", "expect", "errata", "groups")
EXPECTS = ("pass", "crash", "skip", "watchdog")
DEFAULT_MACHINE = "q35"
DEFAULT_TIMEOUT = 90.0
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PARAM = re.compile(r"^[a-z][a-z0-9_-]*=[!-~]*$")


@dataclass
class Entry:
    name: str
    test: str
    params: list[str] = field(default_factory=list)
    machine: str = DEFAULT_MACHINE
    devices: list[str] = field(default_factory=list)
    dst_devices: list[str] | None = None      # None: same as devices
    migrate_at: list[str] = field(default_factory=list)   # names or ["all"]
    timeout: float = DEFAULT_TIMEOUT
    expect: str = "pass"
    errata: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    where: str = "command line"

    def args_line(self) -> str:
        return " ".join([self.test, *self.params])

    def migrates_at(self, checkpoint: str) -> bool:
        return "all" in self.migrate_at or checkpoint in self.migrate_at

    def destination_devices(self) -> list[str]:
        return self.devices if self.dst_devices is None else self.dst_devices


def check_params(params: list[str], where: str) -> list[str]:
    for p in params:
        if not _PARAM.match(p):
            raise ConfigError(f"{where}: parameter '{p}' is not key=value")
    return params


def _split(where: str, key: str, value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError as e:
        raise ConfigError(f"{where}: {key}: {e}") from None


def _entry(path: str, name: str, sec: dict[str, str]) -> Entry:
    where = f"{path}:{name}"
    check_keys(path, name, list(sec), KEYS)
    if not _NAME.match(name):
        raise ConfigError(f"{where}: bad entry name (letters, digits, . _ -)")
    test = sec.get("test", name).strip()
    if not _NAME.match(test):
        raise ConfigError(f"{where}: bad test name '{test}'")
    try:
        timeout = float(sec.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise ConfigError(f"{where}: timeout is not a number: "
                          f"{sec['timeout']!r}") from None
    if not 0 < timeout <= 3600:
        raise ConfigError(f"{where}: timeout must be in (0, 3600] seconds")
    expect = sec.get("expect", "pass").strip()
    if expect not in EXPECTS:
        raise ConfigError(f"{where}: expect must be one of {'|'.join(EXPECTS)}")
    machine = sec.get("machine", DEFAULT_MACHINE).strip()
    if not machine or " " in machine:
        raise ConfigError(f"{where}: machine must be one machine type")
    devices = _split(where, "devices", sec.get("devices", ""))
    dst = sec.get("dst_devices")
    return Entry(
        name=name, test=test,
        params=check_params(sec.get("params", "").split(), where),
        machine=machine, devices=devices,
        dst_devices=None if dst is None else _split(where, "dst_devices", dst),
        migrate_at=sec.get("migrate_at", "").split(), timeout=timeout,
        expect=expect, errata=sec.get("errata", "").split(),
        groups=sec.get("groups", "").split(), where=where)


class Plan:
    def __init__(self, path: str) -> None:
        self.path = path
        cp = read_ini(path)
        self.entries: dict[str, Entry] = {
            name: _entry(path, name, dict(cp[name])) for name in cp.sections()}

    def check_errata(self, known: set[str]) -> None:
        for e in self.entries.values():
            for eid in e.errata:
                if eid not in known:
                    raise ConfigError(f"{e.where}: unknown erratum '{eid}'")

    def group(self, group: str) -> list[Entry]:
        return [e for e in self.entries.values() if group in e.groups]

    def listing(self) -> str:
        rows = [("NAME", "TEST", "MACHINE", "MIGRATE_AT", "EXPECT", "GROUPS")]
        for e in self.entries.values():
            rows.append((e.name, e.args_line(), e.machine,
                         " ".join(e.migrate_at) or "-",
                         e.expect + (" (" + " ".join(e.errata) + ")"
                                     if e.errata else ""),
                         " ".join(e.groups) or "-"))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
                         for r in rows)
