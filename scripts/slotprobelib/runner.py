"""Runs one plan entry: source QEMU, host link, migrations at checkpoints,
guest results, exit status -> an EntryResult."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import IO

from .errata import Erratum, Version
from .guest_exit import GUEST_CODES, describe_other_exit, guest_code
from .hostlink import Garbage, HostLink, Message
from .interrupt import Interrupted
from .judge import judge
from .migration import migrate
from .plan import Entry
from .qemu import Qemu, QemuError, QemuSpec
from .qemu_info import check_machine
from .report import Check, EntryResult

EXPECTED_EXIT = {"pass": ("PASS", "SKIP"), "crash": ("CRASH",), "skip": ("SKIP",),
                 "watchdog": ("WATCHDOG",)}


@dataclass
class Options:
    """Harness-wide settings (command line) that apply to every entry."""
    qemu: str
    ovmf: str
    kernel: str | None = None
    esp: str | None = None
    dst_qemu: str | None = None
    machine: str | None = None
    dst_machine: str | None = None
    dst_args: list[str] | None = None
    accel: str = "tcg"
    memory: str = "256"
    migrate_at: list[str] = field(default_factory=list)
    timeout: float | None = None
    keep_logs: bool = False
    log_dir: str | None = None
    migration_timeout: float = 60.0


def _greeting_version(q: Qemu) -> Version | None:
    try:
        v = q.qmp.greeting["version"]["qemu"]  # type: ignore[union-attr]
        return int(v["major"]), int(v["minor"]), int(v["micro"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


class Runner:
    def __init__(self, entry: Entry, opts: Options,
                 errata: dict[str, Erratum]) -> None:
        self.entry, self.opts, self.errata = entry, opts, errata
        self.checks: list[Check] = []
        self.link = HostLink()
        self.live: list[Qemu] = []
        self.migrations = 0
        self.attempts = 0
        self.results = 0
        self.garbage: list[Garbage] = []
        self.logs: list[str] = []
        self.guest_error: str | None = None
        self.crash: str | None = None
        self.bye: int | None = None
        self.summary: dict[str, str] | None = None
        self.version: Version | None = None
        self.rundir = ""
        self.transcript: IO[str] | None = None
        self.exit_name: str | None = None   # guest exit name, TIMEOUT or OTHER

    # -- set-up ------------------------------------------------------------
    def _spec(self, incoming: bool) -> QemuSpec:
        o, e = self.opts, self.entry
        machine = o.machine or e.machine
        devices = e.devices
        binary = o.qemu
        if incoming:
            machine = o.dst_machine or machine
            devices = o.dst_args if o.dst_args is not None else e.destination_devices()
            binary = o.dst_qemu or o.qemu
        esp = os.path.join(self.rundir, "esp.img") if o.esp else None
        return QemuSpec(binary=binary, machine=machine, ovmf=o.ovmf, accel=o.accel,
                        memory=o.memory, kernel=o.kernel, esp=esp,
                        devices=list(devices), incoming=incoming)

    def _new_qemu(self, side: str, incoming: bool) -> Qemu:
        q = Qemu(self._spec(incoming), self.rundir, side,
                 os.path.join(self.rundir, "args"), self.transcript)
        self.live.append(q)
        return q

    def _retire(self, q: Qemu) -> None:
        q.stop()
        if q in self.live:
            self.live.remove(q)

    def _identity(self, q: Qemu) -> tuple[Version, str] | None:
        """The version and machine errata are matched against for q."""
        version = _greeting_version(q)
        if version is None:
            return None
        return version, check_machine(q.spec.binary, q.spec.machine)

    def check(self, ok: bool, text: str, **kw: object) -> Check:
        c = Check(ok, text, **kw)  # type: ignore[arg-type]
        self.checks.append(c)
        return c

    # -- the run -----------------------------------------------------------
    def run(self) -> EntryResult:
        e, o = self.entry, self.opts
        t0 = time.monotonic()
        if o.log_dir:
            os.makedirs(o.log_dir, exist_ok=True)
        self.rundir = tempfile.mkdtemp(prefix=f"slotprobe-{e.name}-", dir=o.log_dir)
        os.chmod(self.rundir, 0o700)
        with open(os.path.join(self.rundir, "args"), "w") as f:
            f.write(e.args_line() + "\n")
        if o.esp:
            shutil.copyfile(o.esp, os.path.join(self.rundir, "esp.img"))
        self.transcript = open(os.path.join(self.rundir, "qmp.log"), "a")
        timeout = o.timeout or e.timeout
        machine = o.machine or e.machine
        done = False
        try:
            self._boot_and_collect(time.monotonic() + timeout, timeout)
            done = True
        except Interrupted as intr:
            self.check(False, f"interrupted by {intr}")
            intr.partial = EntryResult(e.name, "FAIL", f"interrupted by {intr}",
                                       self.checks, self.rundir,
                                       time.monotonic() - t0)
            raise
        finally:
            for q in list(self.live):
                self._retire(q)
            if self.transcript:
                self.transcript.close()
            if not done:    # interrupted: keep the evidence
                print(f"slotprobe: logs of {e.name} kept in {self.rundir}",
                      file=sys.stderr)
        canonical = check_machine(o.qemu, machine)
        setup = self.guest_error if self.exit_name == "ERROR" else None
        result = judge(e.name, self.checks, e, self.errata, self.version,
                       canonical, setup_error=setup,
                       skipped=self.exit_name == "SKIP")
        result.seconds = time.monotonic() - t0
        if result.outcome in ("PASS", "SKIP") and not o.keep_logs:
            shutil.rmtree(self.rundir, ignore_errors=True)
        else:
            result.logdir = self.rundir
        return result

    def _boot_and_collect(self, deadline: float, timeout: float) -> None:
        src = self._new_qemu("src", incoming=False)
        try:
            src.start(timeout=min(30.0, timeout))
        except QemuError as err:
            # A guest may finish before QMP is through its handshake: then
            # judge what it said; otherwise QEMU did not start.
            if src.link is None or src.wait(1.0) is None:
                self.check(False, f"qemu started: {err}",
                           diagnostics=src.stderr_text().splitlines()[-5:])
                return
        self.version = _greeting_version(src)
        shown = ".".join(map(str, self.version)) if self.version else "?"
        self.check(True, f"qemu started ({src.spec.machine}, {self.opts.accel}, "
                   f"QEMU {shown})")
        current = self._collect(src, deadline, timeout)
        self._judge_exit(current)

    def _collect(self, cur: Qemu, deadline: float, timeout: float) -> Qemu:
        """Reads the guest until its QEMU exits; migrates at checkpoints."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.check(False, f"timeout after {timeout:g}s",
                           diagnostics=["last console lines:",
                                        *cur.console_tail(10),
                                        "last guest log lines:", *self.logs[-5:]])
                self.exit_name = "TIMEOUT"
                return cur
            data = cur.link_recv(min(left, 0.2))
            if data:
                for ev in self.link.feed(data):
                    cur = self._handle(ev, cur, deadline)
                continue
            if data == b"" and cur.wait(min(left, 0.2)) is None:
                continue
            if cur.poll() is not None:
                while True:   # what the guest wrote just before the exit
                    data = cur.link_recv(0.2)
                    if not data:
                        return cur
                    for ev in self.link.feed(data):
                        cur = self._handle(ev, cur, deadline)

    def _handle(self, ev: Message | Garbage, cur: Qemu, deadline: float) -> Qemu:
        if isinstance(ev, Garbage):
            self.garbage.append(ev)
            return cur
        f = ev.fields
        if ev.verb == "hello":
            self.check(f["proto"] == "1" and f["test"] == self.entry.test,
                       f"guest hello: test={f['test']} proto={f['proto']} "
                       f"build={f.get('build', '?')}")
        elif ev.verb == "log":
            self.logs.append(ev.text)
        elif ev.verb == "result":
            status, _, text = ev.text.partition(" ")
            self.results += 1
            directive = {"SKIP": "SKIP " + text, "XFAIL": "TODO guest-known failure"}
            self.check(status in ("PASS", "SKIP"),
                       text if status in ("PASS", "SKIP") else f"{status}: {text}",
                       directive=directive.get(status, ""))
        elif ev.verb == "crash":
            self.crash = ("crashed: vector {} ({}) at rip={} error={} cr2={}"
                          .format(f.get("vector"), f.get("name", "?"), f.get("rip", "?"),
                                  f.get("error", "?"), f.get("cr2", "?")))
            expected = self.entry.expect == "crash"
            self.check(expected, self.crash + (" (expected)" if expected else ""))
        elif ev.verb == "error":
            self.guest_error = ev.text
        elif ev.verb == "summary":
            self.summary = f
        elif ev.verb == "bye":
            self.bye = int(f["status"])
        elif ev.verb == "checkpoint":
            cur = self._checkpoint(ev, cur, deadline)
        return cur

    def _checkpoint(self, ev: Message, cur: Qemu, deadline: float) -> Qemu:
        name = ev.text.strip()
        side = "dst" if self.migrations else "src"
        if self.entry.migrates_at(name) or name in self.opts.migrate_at \
                or "all" in self.opts.migrate_at:
            self.attempts += 1
            n = self.attempts
            dst = self._new_qemu(f"dst{n}", incoming=True)
            left = max(1.0, min(self.opts.migration_timeout,
                                deadline - time.monotonic()))
            m = migrate(cur, dst, n, left)
            if m.ok:
                self.migrations += 1
                self.check(True, f"migration {n} at checkpoint {name} completed "
                           f"({m.seconds:.1f}s)")
                self._retire(cur)
                cur, side = dst, "dst"
            else:
                self.check(False, f"migration {n} at checkpoint {name} failed: "
                           f"{m.error}", diagnostics=["destination stderr:",
                                                      *m.dst_errors],
                           evidence="\n".join(m.dst_errors), qemu=self._identity(dst))
                self._retire(dst)
        try:
            cur.link_send(self.link.encode_go(ev.seq, self.migrations, side))
        except QemuError as err:
            self.check(False, f"go for checkpoint {name}: {err}")
        return cur

    def _judge_exit(self, cur: Qemu) -> None:
        if self.exit_name == "TIMEOUT":
            return
        status = cur.poll()
        code = guest_code(status)
        if self.garbage:
            self.check(False, f"host link: {len(self.garbage)} garbage line(s)",
                       diagnostics=[f"{g.reason}: {g.raw}" for g in self.garbage[:5]])
        if code is None:
            self.exit_name = "OTHER"
            self.check(False, describe_other_exit(status),
                       diagnostics=["QEMU stderr:", *cur.stderr_text().splitlines()[-5:],
                                    "last console lines:", *cur.console_tail(5)])
            return
        name = self.exit_name = GUEST_CODES[code]
        if name == "ERROR":
            self.guest_error = self.guest_error or "guest reported a set-up error"
            self.check(False, f"guest set-up error: {self.guest_error}")
        elif name == "WATCHDOG":
            expected = self.entry.expect == "watchdog"
            self.check(expected, "guest watchdog expired"
                       + (" (expected)" if expected else f": {self.guest_error or ''}"))
        else:
            want = EXPECTED_EXIT[self.entry.expect]
            self.check(name in want, f"guest exit status {name}"
                       + ("" if name in want else f" (expected {want[0]})"),
                       directive="SKIP guest skipped everything" if name == "SKIP" else "",
                       follows=True)
        if self.entry.expect == "crash" and not self.crash:
            self.check(False, "expected a crash report, none came")
        if self.bye != code:
            self.check(False, "guest sent no bye line" if self.bye is None else
                       f"bye status={self.bye} but QEMU exit says {code}")
        if self.summary and self.summary.get("tests") != str(self.results):
            self.check(False, f"guest summary tests={self.summary.get('tests')} "
                       f"but {self.results} result lines arrived")
