"""The test plan (tests/plans.cfg), one section per entry, in the manner of
kvm-unit-tests' unittests.cfg.

Scripted guest actions (guest test `script`, scripts/slotprobelib/script.py):
  script   the steps, one per line (implies test = script); compiled and
           checked when the plan is read, errors name the plan's line
  qmp_at   QMP commands at checkpoints, one per line:
               CHECKPOINT: command {json args} [wait EVENT [SECONDS]] [guest-judges]
           e.g. `plugged: device_add {"driver": "virtio-net-pci", "id": "n1",
           "bus": "pcie-root-port18"}` or `unplug: device_del {"id": "n1"}
           wait DEVICE_DELETED 5`. A script can say the same inline:
           `checkpoint NAME [migrate] qmp command {json args} [wait ...]`.
When the guest reaches CHECKPOINT the runner sends each command, in plan
order, to the QEMU the guest runs on (10 s per reply), then waits for EVENT
if asked (device_del: the DEVICE_DELETED of that id; others: any EVENT after
the command; default deadline 5 s), then migrates if the checkpoint is a
migrate_at one, then sends the go-ahead. Every command is one check (its
error text on failure). system_reset, quit, stop/cont and the migrate
commands are refused when the plan is read: the harness owns those. The
go-ahead tells the guest whether the checkpoint's commands were all accepted
(qmp=ok|failed, lib/runtime/contract.h); with `guest-judges` a refused command
is the guest's to judge (the explorer's device add/del steps), not a failed
check. Note
that with native PCIe hotplug QEMU finishes device_del only after the guest
powers the slot off, so wait for DEVICE_DELETED at a later checkpoint, not
the one where the guest still has to act. Destinations start with the
devices as they are at the migration (devices.py: a device_add appended, a
device dropped once its DEVICE_DELETED came), as a management layer would.
"""
from __future__ import annotations

import fnmatch
import re
import shlex
from dataclasses import dataclass, field

from .cfgfile import ConfigError, check_keys, read_ini, value_lines
from .script import QmpAction, Script, compile_script, parse_qmp_at

KEYS = ("test", "params", "machine", "devices", "dst_devices", "migrate_at",
        "timeout", "expect", "errata", "groups",
        "migrate_delay", "migrate_chance", "migrate_random", "network")
NETWORKS = ("unix", "netns")
EXPECTS = ("pass", "crash", "skip", "watchdog")
DEFAULT_MACHINE = "q35"
DEFAULT_TIMEOUT = 90.0
TIMEOUT_MAX = 3600.0
# A guest waits for its go-ahead while migrate_delay runs: races are hunted
# with tens to hundreds of milliseconds; ten seconds is far beyond any.
MIGRATE_DELAY_MAX_MS = 10000
RANDOM_MAX_MS = int(TIMEOUT_MAX * 1000)      # migrate_random moments, within a run
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PARAM = re.compile(r"^[a-z][a-z0-9_-]*=[!-~]*$")
KEYS += ("script", "qmp_at")       # scripted guest actions (header comment)
# --differential (differential.py): observations allowed to differ after a
# migration, one per line: LOCATION REGISTER reason (fnmatch patterns).
KEYS += ("differential_expect",)
# boot = cold: never from a saved state (warmstart.py), e.g. a test of the
# state right after reset.
KEYS += ("boot",)
BOOTS = ("warm", "cold")
# Who starts the VMs: QEMU directly, or libvirt (libvirt_machines.py).
KEYS += ("backend",)
BACKENDS = ("qemu", "libvirt")


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
    script: Script | None = None               # guest test `script` only
    qmp_at: list[QmpAction] = field(default_factory=list)
    # Race hunting (drawn per run from a seeded random.Random):
    migrate_delay: tuple[int, int] = (0, 0)    # ms after a checkpoint, MIN-MAX
    migrate_chance: float = 1.0                # per eligible checkpoint
    # (COUNT, MIN_MS, MAX_MS): COUNT migrations at random moments, no checkpoints
    migrate_random: tuple[int, int, int] | None = None
    network: str = "unix"                      # unix | netns (TCP between namespaces)
    # --differential: (location, register, reason) allowed to differ
    differential_expect: list[tuple[str, str, str]] = field(default_factory=list)
    boot: str = "warm"                         # warm | cold (BOOTS)
    backend: str = "qemu"                      # qemu | libvirt

    def qmp_actions(self, checkpoint: str) -> list[QmpAction]:
        return [a for a in self.qmp_at if a.checkpoint == checkpoint]

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


def parse_delay(text: str, where: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{1,9})\s*(?:-\s*(\d{1,9}))?\s*(?:ms)?\s*", text)
    if not m or not int(m.group(1)) <= int(m.group(2) or m.group(1)) <= MIGRATE_DELAY_MAX_MS:
        raise ConfigError(f"{where}: migrate_delay wants MIN-MAX milliseconds, "
                          f"0 <= MIN <= MAX <= {MIGRATE_DELAY_MAX_MS}, e.g. 0-200, not {text!r}")
    return int(m.group(1)), int(m.group(2) or m.group(1))


def parse_random(text: str, where: str) -> tuple[int, int, int]:
    words = text.split()
    if len(words) != 3 or not all(w.isdigit() and len(w) <= 9 for w in words) \
            or not 0 < int(words[0]) <= 100000 \
            or not int(words[1]) <= int(words[2]) <= RANDOM_MAX_MS:
        raise ConfigError(f"{where}: migrate_random wants COUNT MIN_MS MAX_MS, "
                          f"COUNT in 1..100000, MIN_MS <= MAX_MS <= {RANDOM_MAX_MS}, "
                          f"e.g. 100 50 300, not {text!r}")
    return int(words[0]), int(words[1]), int(words[2])


def _race_keys(where: str, sec: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    if "migrate_delay" in sec:
        out["migrate_delay"] = parse_delay(sec["migrate_delay"], where)
    if "migrate_chance" in sec:
        try:
            chance = float(sec["migrate_chance"])
        except ValueError:
            chance = -1.0
        if not 0.0 <= chance <= 1.0:     # nan fails this too
            raise ConfigError(f"{where}: migrate_chance wants a number in [0, 1]")
        out["migrate_chance"] = chance
    if sec.get("migrate_random", "").strip():
        out["migrate_random"] = parse_random(sec["migrate_random"], where)
    network = sec.get("network", "unix").strip()
    if network not in NETWORKS:
        raise ConfigError(f"{where}: network must be one of {'|'.join(NETWORKS)}")
    out["network"] = network
    backend = sec.get("backend", "qemu").strip()
    if backend not in BACKENDS:
        raise ConfigError(f"{where}: backend must be one of {'|'.join(BACKENDS)}")
    out["backend"] = backend
    return out


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
    if not 0 < timeout <= TIMEOUT_MAX:     # also refuses nan; inf is > 3600
        raise ConfigError(f"{where}: timeout must be in (0, {TIMEOUT_MAX:g}] seconds")
    expect = sec.get("expect", "pass").strip()
    if expect not in EXPECTS:
        raise ConfigError(f"{where}: expect must be one of {'|'.join(EXPECTS)}")
    machine = sec.get("machine", DEFAULT_MACHINE).strip()
    if not machine or " " in machine:
        raise ConfigError(f"{where}: machine must be one machine type")
    devices = _split(where, "devices", sec.get("devices", ""))
    dst = sec.get("dst_devices")
    boot = sec.get("boot", "warm").strip()
    if boot not in BOOTS:
        raise ConfigError(f"{where}: boot must be one of {'|'.join(BOOTS)}")
    return Entry(
        name=name, test=test,
        params=check_params(sec.get("params", "").split(), where),
        machine=machine, devices=devices,
        dst_devices=None if dst is None else _split(where, "dst_devices", dst),
        migrate_at=sec.get("migrate_at", "").split(), timeout=timeout,
        expect=expect, errata=sec.get("errata", "").split(),
        groups=sec.get("groups", "").split(), where=where, boot=boot,
        differential_expect=_differential_expect(where, sec.get("differential_expect", "")),
        **_race_keys(where, sec))  # type: ignore[arg-type]


def _differential_expect(where: str, text: str) -> list[tuple[str, str, str]]:
    out = []
    for line in text.splitlines():
        words = line.split(None, 2)
        if not words:
            continue
        if len(words) < 2:
            raise ConfigError(f"{where}: differential_expect wants 'LOCATION REGISTER "
                              f"reason' per line, not {line.strip()!r}")
        out.append((words[0], words[1], words[2] if len(words) > 2 else ""))
    return out


def check_migrate_at(entry: Entry, names: list[str], where: str,
                     declared: list[str] | None) -> None:
    """A migrate_at name the test never offers would migrate nowhere, and
    the entry would pass as if it had: refused where it is written.
    declared: the checkpoints the test declares (fnmatch patterns, as
    build/tests.json has them), a script's own, or None if unknown (then a
    misspelling shows after the run: migration_control.checkpoints_missing)."""
    if declared is None:
        return
    for name in names:
        if name != "all" and not any(fnmatch.fnmatchcase(name, c) for c in declared):
            raise ConfigError(f"{where}: migrate_at {name}: {entry.name} has no "
                              f"checkpoint of that name (it has: "
                              f"{', '.join(declared) or 'none'})")


def add_script(entry: Entry, script: Script) -> Entry:
    """Makes entry run `script`: test, its checkpoints' migrations and QMP."""
    if entry.test not in ("script", entry.name):
        raise ConfigError(f"{entry.where}: a script runs in guest test 'script', "
                          f"not '{entry.test}'")
    entry.test, entry.script = "script", script
    check_migrate_at(entry, entry.migrate_at, entry.where, script.checkpoints)
    entry.migrate_at += [c for c in script.migrate_at if c not in entry.migrate_at]
    entry.qmp_at += script.qmp
    return entry


def _with_script(path: str, entry: Entry, sec: dict[str, str]) -> Entry:
    """The script and qmp_at keys, with the plan file's line numbers."""
    def lines(key: str) -> list[tuple[int, str]]:
        found = value_lines(path, entry.name, key)
        return found or [(0, line) for line in sec[key].splitlines()]
    if "qmp_at" in sec:
        entry.qmp_at = parse_qmp_at(lines("qmp_at"), path, entry.name)
    if "script" in sec:
        if "test" in sec and sec["test"].strip() != "script":
            raise ConfigError(f"{entry.where}: a script runs in guest test "
                              f"'script', not '{sec['test'].strip()}'")
        entry.test = "script"
        add_script(entry, compile_script(lines("script"), entry.devices, path,
                                         entry.name))
    return entry


class Plan:
    def __init__(self, path: str) -> None:
        self.path = path
        cp = read_ini(path)
        self.entries: dict[str, Entry] = {
            name: _with_script(path, _entry(path, name, dict(cp[name])), dict(cp[name]))
            for name in cp.sections()}

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
