"""The guest's side of one entry: the host-link lines it sent, turned into
checks, logs and observations (GuestState), and the judgement of its exit.

A GuestState is everything a rollback returns to: snapshot() copies it
whole, restore() puts a copy back. A field added to it is rolled back
without more code."""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from .cfglayout import Layout
from .checkkey import split_keys
from .devices import DeviceList
from .guest_exit import GUEST_CODES, describe_other_exit, guest_code
from .hostlink import Event, Garbage, HostLink, Message
from .plan import Entry
from .qemu import Qemu
from .report import Check
from .script import expect_fields

EXPECTED_EXIT = {"pass": ("PASS", "SKIP"), "crash": ("CRASH",), "skip": ("SKIP",),
                 "watchdog": ("WATCHDOG",)}


@dataclass
class GuestState:
    """What the guest said so far, and what follows from it."""
    link: HostLink
    # What a destination starts with: the devices as they are now (devices.py).
    devices: DeviceList
    checks: list[Check] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    garbage: list[Garbage] = field(default_factory=list)
    # (checkpoints passed, location, register, value): differential mode
    observations: list[tuple[int, str, str, str]] = field(default_factory=list)
    checkpoints_passed: int = 0
    results: int = 0
    migrations: int = 0                 # successful ones: the guest runs there
    guest_error: str | None = None
    crash: str | None = None
    bye: int | None = None
    summary: dict[str, str] | None = None
    # Each function's capabilities (cap lines): names a refused offset.
    layout: Layout = field(default_factory=Layout)


class GuestSession:
    def __init__(self, entry: Entry, devices: list[str],
                 timings: dict[str, Any]) -> None:
        self.entry = entry
        self.state = GuestState(HostLink(), DeviceList(devices))
        self.timings = timings
        self.t_start = time.monotonic()
        self.on_hello = lambda: None    # the first hello starts random migrations

    def check(self, ok: bool, text: str, **kw: object) -> Check:
        c = Check(ok, text, **kw)  # type: ignore[arg-type]
        self.state.checks.append(c)
        return c

    def snapshot(self) -> GuestState:
        return copy.deepcopy(self.state)

    def restore(self, snapshot: GuestState) -> list[Check]:
        """Back to snapshot (which stays as it is); returns the checks made
        since (discarded)."""
        dropped = self.state.checks[len(snapshot.checks):]
        self.state = copy.deepcopy(snapshot)
        return dropped

    def events(self, data: bytes) -> list[Event]:
        """Bytes from the guest's COM2 in, complete events out."""
        if self.state.link.expected_seq == 1:     # firmware preamble, then hello
            now = time.monotonic()
            self.timings.setdefault("first_bytes", now - self.t_start)
            if b"SP1 " not in data:
                self.timings["preamble_end"] = now - self.t_start
        return self.state.link.feed(data)

    def handle(self, ev: Event) -> Message | None:
        """Takes one event in; returns it when it is a checkpoint (the
        guest waits there for go: the caller decides what happens)."""
        s = self.state
        if isinstance(ev, Garbage):
            s.garbage.append(ev)
            return None
        f = ev.fields
        if ev.verb == "hello":
            self.timings.setdefault("hello", time.monotonic() - self.t_start)
            self.check(f["proto"] == "1" and f["test"] == self.entry.test,
                       f"guest hello: test={f['test']} proto={f['proto']} "
                       f"build={f.get('build', '?')}")
            self.on_hello()
        elif ev.verb == "log":
            s.logs.append(ev.text)
        elif ev.verb == "cap":
            s.layout.add(ev.text.split())
        elif ev.verb == "obs":
            s.observations.append((s.checkpoints_passed, f["location"], f["register"],
                                   f["value"]))
        elif ev.verb == "result":
            self.timings.setdefault("first_result", time.monotonic() - self.t_start)
            self._result(f["status"], f["text"])
        elif ev.verb == "crash":
            s.crash = ("crashed: vector {} ({}) at rip={} error={} cr2={}"
                       .format(f.get("vector"), f.get("name", "?"), f.get("rip", "?"),
                               f.get("error", "?"), f.get("cr2", "?")))
            expected = self.entry.expect == "crash"
            self.check(expected, s.crash + (" (expected)" if expected else ""))
        elif ev.verb == "error":
            s.guest_error = ev.text
        elif ev.verb == "summary":
            s.summary = f
        elif ev.verb == "bye":
            s.bye = int(f["status"])
        elif ev.verb == "checkpoint":
            return ev
        return None

    def _result(self, status: str, text: str) -> None:
        keys, text = split_keys(text)       # the host link let only good ones through
        self.state.results += 1
        directive = {"SKIP": "SKIP " + text, "XFAIL": "TODO guest-known failure"}
        fields = expect_fields(self.entry.script, text) \
            if status == "FAIL" and self.entry.script is not None else None
        self.check(status in ("PASS", "SKIP"),
                   text if status in ("PASS", "SKIP") else f"{status}: {text}",
                   directive=directive.get(status, ""), keys=keys or None,
                   expect_fields=fields)

    def timed_out(self, timeout: float, q: Qemu) -> None:
        self.check(False, f"timeout after {timeout:g}s",
                   diagnostics=["last console lines:", *q.console_tail(10),
                                "last guest log lines:", *self.state.logs[-5:]])

    def judge_exit(self, q: Qemu, random_missing: str | None) -> str:
        """Checks how the guest ended on q against the entry and what it
        said; returns the exit's name (guest_exit.py's, or OTHER)."""
        s = self.state
        status = q.poll()
        code = guest_code(status)
        if s.garbage:
            self.check(False, f"host link: {len(s.garbage)} garbage line(s)",
                       diagnostics=[f"{g.reason}: {g.raw}" for g in s.garbage[:5]])
        if code is None:
            self.check(False, describe_other_exit(status),
                       diagnostics=["QEMU stderr:", *q.stderr_text().splitlines()[-5:],
                                    "last console lines:", *q.console_tail(5)])
            return "OTHER"
        name = GUEST_CODES[code]
        self._judge_status(name)
        if self.entry.expect == "crash" and not s.crash:
            self.check(False, "expected a crash report, none came")
        if s.bye != code:
            self.check(False, "guest sent no bye line" if s.bye is None else
                       f"bye status={s.bye} but QEMU exit says {code}")
        if random_missing:
            self.check(False, random_missing)
        if s.summary and s.summary.get("tests") != str(s.results):
            self.check(False, f"guest summary tests={s.summary.get('tests')} "
                       f"but {s.results} result lines arrived")
        return name

    def _judge_status(self, name: str) -> None:
        s = self.state
        if name == "ERROR":
            s.guest_error = s.guest_error or "guest reported a set-up error"
            self.check(False, f"guest set-up error: {s.guest_error}")
        elif name == "WATCHDOG":
            expected = self.entry.expect == "watchdog"
            self.check(expected, "guest watchdog expired"
                       + (" (expected)" if expected else f": {s.guest_error or ''}"))
        else:
            want = EXPECTED_EXIT[self.entry.expect]
            self.check(name in want, f"guest exit status {name}"
                       + ("" if name in want else f" (expected {want[0]})"),
                       directive="SKIP guest skipped everything" if name == "SKIP" else "",
                       follows=True)
