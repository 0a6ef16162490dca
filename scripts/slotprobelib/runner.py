"""Runs one plan entry: source QEMU, host link, migrations at checkpoints
(or at seeded random moments), guest results, exit status -> an EntryResult.

A destination that took the guest over is on probation for
Options.dst_settle seconds: the source it replaced stays paused until then,
so a destination that dies early is a failed migration and the guest goes
on on the source (host-link state rolled back to the moment it stopped)."""
from __future__ import annotations

import copy
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import IO, Any

from .errata import Erratum, Version
from .guest_exit import GUEST_CODES, describe_other_exit, guest_code
from .hostlink import Garbage, HostLink, Message
from .interrupt import Interrupted
from .interrupt import check as check_interrupt
from .judge import judge
from .devices import DeviceList
from .migration import MigrationResult, migrate, resume_source
from .netns import NetnsError, NetnsPair, remove_stale, unavailable
from .plan import Entry
from .qemu import Qemu, QemuError, QemuSpec
from .qemu_info import check_machine
from .qmp import QmpError
from .qmp_actions import run_actions
from .script import FWCFG_NAME as SCRIPT_FWCFG
from .report import Check, EntryResult
from .warmcache import CacheError, WarmCache
from .warmstart import (READY_CHECKPOINT, READY_SEQ, WarmStartError, build_state,
                        cache_key, restore, restoring_spec)

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
    network: str | None = None       # overrides the entry's (unix | netns)
    dst_settle: float = 1.0          # probation of a destination, seconds
    warm_cache: WarmCache | None = None   # None: every entry boots cold (--cold-boot)
    # Start the next migration's destination while the guest still runs
    # (-incoming defer), instead of when the migration begins.
    pipeline: bool = True


@dataclass
class _Takeover:
    """Migration `number` moved the guest from `old` (now paused) to `new`."""
    old: Qemu
    new: Qemu
    number: int
    where: str
    state: dict[str, Any]            # runner state when the guest stopped on old
    at: float
    waiting_seq: int | None          # the checkpoint the guest waits at, if any


def _greeting_version(q: Qemu) -> Version | None:
    try:
        v = q.qmp.greeting["version"]["qemu"]  # type: ignore[union-attr]
        return int(v["major"]), int(v["minor"]), int(v["micro"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


class Runner:
    def __init__(self, entry: Entry, opts: Options,
                 errata: dict[str, Erratum], seed: int = 0) -> None:
        self.entry, self.opts, self.errata = entry, opts, errata
        self.seed = seed
        self.rng = random.Random(seed)
        self.chain: list[_Takeover] = []    # destinations on probation
        self.epoch = 0                      # bumped by every rollback
        self.pending = b""                  # old source's last bytes
        self.netns: NetnsPair | None = None
        # What a destination starts with: the devices as they are now (devices.py).
        self.devices = DeviceList(opts.dst_args if opts.dst_args is not None
                                  else entry.destination_devices())
        self.timings: dict[str, Any] = {"migrations": [], "switchover": [],
                                        "dst_ready": []}
        self.random_left = entry.migrate_random[0] if entry.migrate_random else 0
        self.random_at: float | None = None
        self.random_delay = 0.0
        self.go_outstanding: tuple[int, float] | None = None
        self.t_start = time.monotonic()
        self.checks: list[Check] = []
        self.link = HostLink()
        self.live: list[Qemu] = []
        self.migrations = 0
        self.attempts = 0
        self.results = 0
        self.garbage: list[Garbage] = []
        self.logs: list[str] = []
        # (checkpoints passed, location, register, value): differential mode
        self.observations: list[tuple[int, str, str, str]] = []
        self.checkpoints_passed = 0
        self.guest_error: str | None = None
        self.crash: str | None = None
        self.bye: int | None = None
        self.summary: dict[str, str] | None = None
        self.version: Version | None = None
        self.rundir = ""
        self.transcript: IO[str] | None = None
        self.exit_name: str | None = None   # guest exit name, TIMEOUT or OTHER
        self.warm = False                   # the source was restored (warmstart.py)
        self.spare: Qemu | None = None      # next destination, launched ahead

    def _state(self) -> dict[str, Any]:
        return {"link": copy.deepcopy(self.link), "checks": len(self.checks),
                "results": self.results, "logs": len(self.logs),
                "garbage": len(self.garbage), "migrations": self.migrations,
                "observations": len(self.observations),
                "checkpoints_passed": self.checkpoints_passed,
                "devices": copy.deepcopy(self.devices),
                **{k: copy.copy(getattr(self, k)) for k in
                   ("guest_error", "crash", "bye", "summary")}}

    def _restore(self, st: dict[str, Any]) -> list[Check]:
        """Back to state st; returns the checks made since (discarded)."""
        dropped = self.checks[st["checks"]:]
        del self.checks[st["checks"]:]
        del self.logs[st["logs"]:]
        del self.garbage[st["garbage"]:]
        del self.observations[st["observations"]:]
        self.checkpoints_passed = st["checkpoints_passed"]
        self.link, self.results = st["link"], st["results"]
        self.migrations = st["migrations"]
        self.devices = st["devices"]
        for k in ("guest_error", "crash", "bye", "summary"):
            setattr(self, k, st[k])
        return dropped

    # -- set-up ------------------------------------------------------------
    def _spec(self, incoming: bool, netns: str | None = None) -> QemuSpec:
        o, e = self.opts, self.entry
        machine = o.machine or e.machine
        devices = e.devices
        binary = o.qemu
        if incoming:
            machine = o.dst_machine or machine
            devices = self.devices.args()
            binary = o.dst_qemu or o.qemu
        esp = os.path.join(self.rundir, "esp.img") if o.esp else None
        return QemuSpec(binary=binary, machine=machine, ovmf=o.ovmf, accel=o.accel,
                        memory=o.memory, kernel=o.kernel, esp=esp,
                        devices=list(devices), incoming=incoming,
                        migration_count=self.migrations + incoming, netns=netns,
                        warm=self.warm)

    def _new_qemu(self, side: str, incoming: bool, netns: str | None = None,
                  spec: QemuSpec | None = None) -> Qemu:
        q = Qemu(spec or self._spec(incoming, netns), self.rundir, side,
                 os.path.join(self.rundir, "args"), self.transcript)
        self.live.append(q)
        self._add_fw_cfg(q.spec)
        return q

    def _add_fw_cfg(self, spec: QemuSpec) -> None:
        if self.entry.script is not None:   # both sides: same fw_cfg files
            spec.fw_cfg[SCRIPT_FWCFG] = os.path.join(self.rundir, "script")

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
        if e.script is not None:   # guest test `script`: its compiled steps
            with open(os.path.join(self.rundir, "script"), "w") as f:
                f.write(e.script.guest)
        if o.esp:
            shutil.copyfile(o.esp, os.path.join(self.rundir, "esp.img"))
        self.transcript = open(os.path.join(self.rundir, "qmp.log"), "a")
        timeout = o.timeout or e.timeout
        machine = o.machine or e.machine
        network = o.network or e.network
        done = False
        try:
            if network == "netns":
                why = unavailable()
                if why:
                    done = True
                    shutil.rmtree(self.rundir, ignore_errors=True)
                    return EntryResult(e.name, "SKIP", why, [Check(
                        True, why, directive="SKIP " + why)], None,
                        time.monotonic() - t0)
                remove_stale()
                self.netns = NetnsPair().__enter__()
            self._boot_and_collect(time.monotonic() + timeout, timeout)
            done = True
        except NetnsError as err:
            self.check(False, f"network namespaces: {err}")
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
            if self.netns:
                self.netns.__exit__()
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
        result.seed = self.seed
        result.timings = self.timings
        result.observations = self.observations
        # Only unexpected results keep their folder: an XFAIL's evidence (the
        # destination's error lines) is quoted in the report already, and
        # --repeat would otherwise leave a folder per run.
        if result.outcome in ("PASS", "SKIP", "XFAIL") and not o.keep_logs:
            shutil.rmtree(self.rundir, ignore_errors=True)
        else:
            result.logdir = self.rundir
        return result

    def _boot_and_collect(self, deadline: float, timeout: float) -> None:
        src = self._warm_start(deadline, timeout)
        if src is None:
            src = self._new_qemu("src", incoming=False,
                                 netns=self.netns.names[0] if self.netns else None)
            self.t_start = time.monotonic()
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
        how = ", from the saved post-boot state" if self.warm else ""
        self.check(True, f"qemu started ({src.spec.machine}, {self.opts.accel}, "
                   f"QEMU {shown}{how})")
        self._launch_spare(src)
        if self.warm:   # the guest waits at boot-ready: go on with this run's args
            self._send_go(src, READY_SEQ, READY_CHECKPOINT)
        current = self._collect(src, deadline, timeout)
        self._judge_exit(current)

    # -- warm start (warmstart.py) -------------------------------------------
    def _warm_start(self, deadline: float, timeout: float) -> Qemu | None:
        """The source restored from the cached post-boot state (built first
        when missing), or None to boot cold: --cold-boot, `boot = cold`,
        an ESP disk, or a state that cannot be made or loaded (said on
        stderr; the run itself then shows what a cold boot does)."""
        o, e = self.opts, self.entry
        self.timings["boot"] = "cold"
        if o.warm_cache is None or e.boot == "cold" or o.esp:
            return None
        spec = self._spec(incoming=False, netns=self.netns.names[0] if self.netns else None)
        self._add_fw_cfg(spec)
        try:
            key = cache_key(spec)
            got = o.warm_cache.obtain(key, lambda dest: build_state(
                spec, dest, max(5.0, deadline - time.monotonic())))
        except (WarmStartError, CacheError, OSError) as err:
            self._warm_note(f"no saved state ({err})")
            return None
        if got.built:
            self.timings["warm_build"] = round(got.build_seconds, 4)
            if got.replaced:
                self._warm_note(f"saved state rebuilt ({got.replaced})", cold=False)
        self.warm = True
        src = self._new_qemu("src", incoming=True, spec=restoring_spec(spec))
        self.t_start = time.monotonic()
        try:
            src.start(timeout=min(30.0, timeout))
            restore(src, got.path, min(deadline, time.monotonic() + 30))
        except (QemuError, WarmStartError) as err:
            self._warm_note(f"saved state did not load, entry dropped ({err})")
            self._retire(src)
            self.warm = False
            try:
                o.warm_cache.discard(key)
            except CacheError:
                pass
            return None
        self.timings["boot"] = "warm"
        self.timings["restored"] = round(time.monotonic() - self.t_start, 4)
        self.link.expected_seq = READY_SEQ + 1
        return src

    def _warm_note(self, text: str, cold: bool = True) -> None:
        print(f"slotprobe: {self.entry.name}: warm start: {text}"
              + ("; booting cold" if cold else ""), file=sys.stderr)

    def _feed(self, data: bytes, cur: Qemu, deadline: float) -> Qemu:
        now = time.monotonic()
        if self.link.expected_seq == 1:     # firmware preamble, then hello
            self.timings.setdefault("first_bytes", now - self.t_start)
            if b"SP1 " not in data:
                self.timings["preamble_end"] = now - self.t_start
        epoch = self.epoch
        for ev in self.link.feed(data):
            cur = self._handle(ev, cur, deadline)
            if self.epoch != epoch:   # rolled back: the rest came from a dead QEMU
                break
        return cur

    def _collect(self, cur: Qemu, deadline: float, timeout: float) -> Qemu:
        """Reads the guest until its QEMU exits; migrates at checkpoints or,
        with migrate_random, at random moments."""
        while True:
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                self.check(False, f"timeout after {timeout:g}s",
                           diagnostics=["last console lines:",
                                        *cur.console_tail(10),
                                        "last guest log lines:", *self.logs[-5:]])
                self.exit_name = "TIMEOUT"
                return cur
            check_interrupt()
            self._settle()
            if self.pending:
                data, self.pending = self.pending, b""
                cur = self._feed(data, cur, deadline)
                continue
            if self.random_at is not None and now >= self.random_at:
                if self._go_in_flight(now):
                    self.random_at = now + 0.01
                else:
                    cur = self._random_migration(cur, deadline)
                    continue
            wait = min(left, 0.2)
            if self.random_at is not None:
                wait = max(0.0, min(wait, self.random_at - now))
            data = cur.link_recv(wait)
            if data:
                cur = self._feed(data, cur, deadline)
                continue
            if data == b"" and cur.wait(wait) is None:
                continue
            if cur.poll() is not None:
                while True:   # what the guest wrote just before the exit
                    data = cur.link_recv(0.2)
                    if not data:
                        break
                    cur = self._feed(data, cur, deadline)
                if cur.poll() is None:      # rolled back while reading
                    continue
                if guest_code(cur.returncode) is None and self._on_probation(cur):
                    cur = self._rollback(cur)
                    if cur.poll() is None:
                        continue
                return cur

    def _handle(self, ev: Message | Garbage, cur: Qemu, deadline: float) -> Qemu:
        if isinstance(ev, Garbage):
            self.garbage.append(ev)
            return cur
        f = ev.fields
        if ev.verb == "hello":
            self.timings.setdefault("hello", time.monotonic() - self.t_start)
            self.check(f["proto"] == "1" and f["test"] == self.entry.test,
                       f"guest hello: test={f['test']} proto={f['proto']} "
                       f"build={f.get('build', '?')}")
            if self.random_left and self.random_at is None:
                self._schedule_random()
        elif ev.verb == "log":
            self.logs.append(ev.text)
        elif ev.verb == "obs":
            location, register, value = ev.text.split()
            self.observations.append((self.checkpoints_passed, location, register, value))
        elif ev.verb == "result":
            self.timings.setdefault("first_result", time.monotonic() - self.t_start)
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
        self.checkpoints_passed += 1
        # QMP commands asked for here (plan.py header): before any migration.
        actions = self.entry.qmp_actions(name)
        for a, (ok, text, diag) in zip(actions, run_actions(actions, cur, deadline)):
            self.check(ok, text, diagnostics=diag)
            if ok and a.command == "device_add":
                self.devices.device_add(a.args)
        if (self.entry.migrates_at(name) or name in self.opts.migrate_at
                or "all" in self.opts.migrate_at) and self._draw_checkpoint():
            lo, hi = self.entry.migrate_delay
            delay = self.rng.uniform(lo, hi) / 1000 if hi else 0.0
            if delay:   # the guest waits for go: a delay shifts nothing inside it
                time.sleep(max(0.0, min(delay, deadline - time.monotonic())))
            where = f"at checkpoint {name}" + (f" (+{delay * 1000:.0f} ms)"
                                               if hi else "")
            epoch = self.epoch
            cur = self._migrate(cur, where, deadline, waiting_seq=ev.seq)
            if self.epoch != epoch:   # rolled back: the guest is at an older checkpoint
                return cur
        self._send_go(cur, ev.seq, name)
        return cur

    def _draw_checkpoint(self) -> bool:
        chance = self.entry.migrate_chance
        return chance >= 1.0 or self.rng.random() < chance

    def _send_go(self, cur: Qemu, seq: int, name: str) -> None:
        side = "dst" if self.migrations else "src"
        self.go_outstanding = (seq, time.monotonic())
        try:
            cur.link_send(self.link.encode_go(seq, self.migrations, side))
        except QemuError as err:
            self.check(False, f"go for checkpoint {name}: {err}")

    # -- migrations ----------------------------------------------------------
    def _schedule_random(self) -> None:
        assert self.entry.migrate_random is not None
        _, lo, hi = self.entry.migrate_random
        self.random_delay = self.rng.uniform(lo, hi) / 1000
        self.random_at = time.monotonic() + self.random_delay

    def _random_migration(self, cur: Qemu, deadline: float) -> Qemu:
        self.random_left -= 1
        where = f"at a random moment (+{self.random_delay * 1000:.0f} ms)"
        cur = self._migrate(cur, where, deadline)
        if self.random_left and cur.poll() is None:
            self._schedule_random()
        else:
            self.random_at = None
        return cur

    def _go_in_flight(self, now: float) -> bool:
        """A go the guest may not have read yet: bytes still in the source's
        socket when it stops would not reach the destination (the 16550
        FIFO holds 16 bytes, a go line ~40). Delivered once the guest sends
        a later line; waited for at most 1 s."""
        if self.go_outstanding is None:
            return False
        seq, at = self.go_outstanding
        if self.link.expected_seq > seq + 1 or now - at > 1.0:
            self.go_outstanding = None
            return False
        return True

    def _dst_netns(self, cur: Qemu) -> str | None:
        return self.netns.other(cur.spec.netns) if self.netns else None

    def _migrate(self, cur: Qemu, where: str, deadline: float,
                 waiting_seq: int | None = None) -> Qemu:
        """One migration from cur; returns the QEMU the guest runs on next."""
        self._track_deleted(cur)
        self.attempts += 1
        n = self.attempts
        ns = self._dst_netns(cur)
        dst = self._take_spare(n, ns) or self._new_qemu(f"dst{n}", incoming=True, netns=ns)
        self._launch_spare(cur, ahead=True)
        left = max(1.0, min(self.opts.migration_timeout, deadline - time.monotonic()))
        uri = f"tcp:{self.netns.address(ns)}:{4400 + n}" if self.netns and ns else None
        m = migrate(cur, dst, n, left, uri=uri)
        self._time(m)
        if m.ok:
            # The source's last bytes (the guest ran during precopy), then
            # the state a rollback returns to.
            self.pending = self._drain(cur)
            cp = self._take_checkpoint_line(dst)
            self.chain.append(_Takeover(cur, dst, n, where, self._state(),
                                        time.monotonic(),
                                        cp.seq if cp else waiting_seq))
            self.migrations += 1
            self.check(True, f"migration {n} {where} completed ({m.seconds:.1f}s)")
            if cp is not None:
                return self._checkpoint(cp, dst, deadline)
            return dst
        self._retire(dst)
        if cur.poll() is not None and guest_code(cur.returncode) is not None:
            self.check(True, f"migration {n} {where} not done: the guest ended first")
            return cur
        if cur.poll() is not None and self._on_probation(cur):
            return self._rollback(cur)   # the source was a destination that died
        self.check(False, f"migration {n} {where} failed: {m.error}",
                   diagnostics=["destination stderr:", *m.dst_errors],
                   evidence="\n".join(m.dst_errors), qemu=self._identity(dst))
        return cur

    def _migrates(self) -> bool:
        return bool(self.entry.migrate_at or self.opts.migrate_at
                    or self.entry.migrate_random)

    def _launch_spare(self, cur: Qemu, ahead: bool = False) -> None:
        """Options.pipeline: the next destination launched while the guest
        runs on cur. ahead: during a migration from cur, the destination of
        the one after it (as if this one succeeds: back to cur's netns, one
        migration more); _take_spare drops it if that guess was wrong."""
        if not self.opts.pipeline or not self._migrates():
            return
        if self.spare is not None:
            self._retire(self.spare)
        n = self.attempts + 1
        netns = cur.spec.netns if ahead else self._dst_netns(cur)
        spec = self._spec(incoming=True, netns=netns)
        spec.migration_count += ahead
        self.spare = self._new_qemu(f"dst{n}", incoming=True, spec=spec)
        try:
            self.spare.launch()
        except QemuError:
            self._retire(self.spare)
            self.spare = None

    def _take_spare(self, n: int, netns: str | None) -> Qemu | None:
        """The destination launched ahead, if it is still what migration n
        needs (same spec: devices, netns, migration count) and alive."""
        spare, self.spare = self.spare, None
        if spare is None:
            return None
        wanted = self._spec(incoming=True, netns=netns)
        self._add_fw_cfg(wanted)
        if spare.side == f"dst{n}" and spare.spec == wanted and spare.poll() is None:
            return spare
        self._retire(spare)
        return None

    def _track_deleted(self, cur: Qemu) -> None:
        """Devices whose DEVICE_DELETED came leave the destinations' list."""
        if cur.qmp is None or cur.qmp.closed:
            return
        try:
            cur.qmp.poll_events(0.0)
        except QmpError:
            pass
        for dev in self.devices.saw_events(cur.side, cur.qmp.events):
            self.check(True, f"device {dev} deleted (DEVICE_DELETED from {cur.side}): "
                       "destinations start without it")

    def _time(self, m: MigrationResult) -> None:
        now = time.monotonic() - self.t_start
        self.timings.setdefault("first_migration_start", round(now - m.seconds, 4))
        self.timings["last_migration_end"] = round(now, 4)
        self.timings["migrations"].append(round(m.seconds, 4))
        if m.ok:
            self.timings["switchover"].append(round(m.switchover, 4))
            self.timings["dst_ready"].append(round(m.dst_ready, 4))

    def _drain(self, q: Qemu) -> bytes:
        out = b""
        while True:
            data = q.link_recv(0.0)
            if not data:
                return out
            out += data

    def _take_checkpoint_line(self, dst: Qemu) -> Message | None:
        """Parses the old source's last bytes now, so that the state a
        rollback returns to includes them; returns a checkpoint the guest
        stopped at (answered once the takeover is recorded)."""
        data, self.pending = self.pending, b""
        cp = None
        for ev in self.link.feed(data):
            if isinstance(ev, Message) and ev.verb == "checkpoint":
                cp = ev
            else:
                self._handle(ev, dst, time.monotonic())
        return cp

    def _on_probation(self, q: Qemu) -> bool:
        return any(t.new is q for t in self.chain)

    def _settle(self) -> None:
        """Retires sources whose destination has run long enough."""
        now = time.monotonic()
        while self.chain and now - self.chain[0].at >= self.opts.dst_settle \
                and self.chain[0].new.poll() is None:
            self._retire(self.chain.pop(0).old)

    def _rollback(self, dead: Qemu) -> Qemu:
        """dead took the guest over and died on probation: the guest goes
        on on the newest source still alive, as if that migration failed."""
        i = next(k for k, t in enumerate(self.chain) if t.new is dead)
        while i >= 0 and self.chain[i].old.poll() is not None:
            i -= 1
        if i < 0:
            return dead
        t = self.chain[i]
        for later in self.chain[i:]:
            self._retire(later.new)
        del self.chain[i:]
        age = time.monotonic() - t.at
        dropped = self._restore(t.state)
        self.epoch += 1
        self.check(False, f"migration {t.number} {t.where} failed: destination QEMU "
                   f"exited with status {dead.returncode} {age:.1f}s after the guest "
                   "started running there; the guest goes on on the source",
                   diagnostics=["destination stderr:", *dead.stderr_text().splitlines()[-5:],
                                f"{len(dropped) - 1} result(s) the guest sent there "
                                "discarded (it repeats them on the source)"],
                   evidence=dead.stderr_text()[-2000:], qemu=self._identity(dead))
        resume_source(t.old, time.monotonic() + 10)
        if t.waiting_seq is not None:
            self._send_go(t.old, t.waiting_seq, "(after rollback)")
        if self.entry.migrate_random and self.random_left:
            self._schedule_random()
        return t.old

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
        if self.entry.migrate_random and self.random_left:
            count = self.entry.migrate_random[0]
            self.check(False, f"{count - self.random_left} of {count} random-moment "
                       "migrations done before the guest ended (migrate_random: "
                       "let the guest run longer)")
        if self.summary and self.summary.get("tests") != str(self.results):
            self.check(False, f"guest summary tests={self.summary.get('tests')} "
                       f"but {self.results} result lines arrived")
