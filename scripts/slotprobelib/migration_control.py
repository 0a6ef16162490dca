"""When and where the guest moves: migrations at checkpoints (or at seeded
random moments), destinations on probation, rollbacks.

A destination that took the guest over is on probation for
Options.dst_settle seconds: the source it replaced stays paused until then,
so a destination that dies early is a failed migration and the guest goes
on on the source (the session rolled back to the moment it stopped).

Each step returns an action, what happens next; the caller carries actions
out one after another (runner.py), so a migration that finds the guest at
a new checkpoint, or a rollback in the middle of one, is one more action,
not a call back into the step that started it."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass

from .actions import Action, AtCheckpoint, Migrate, Resume, RollBack, SendGo
from .guest_exit import guest_code
from .hostlink import Message
from .loadfail import refusal
from .machines import Machines, identity
from .migration import MigrationResult, resume_source
from .netns import NetnsPair
from .options import Options
from .plan import Entry
from .qemu import Qemu, QemuError
from .qmp import QmpError
from .qmp_actions import run_actions
from .session import GuestSession, GuestState


@dataclass
class _Takeover:
    """Migration `number` moved the guest from `old` (now paused) to `new`."""
    old: Qemu
    new: Qemu
    number: int
    where: str
    state: GuestState                # the session when the guest stopped on old
    at: float
    waiting_seq: int | None          # the checkpoint the guest waits at, if any


class MigrationController:
    def __init__(self, entry: Entry, opts: Options, session: GuestSession,
                 machines: Machines, netns: NetnsPair | None, seed: int,
                 deadline: float) -> None:
        self.entry, self.opts, self.session = entry, opts, session
        self.machines, self.netns, self.deadline = machines, netns, deadline
        self.rng = random.Random(seed)
        self.chain: list[_Takeover] = []    # destinations on probation
        self.attempts = 0
        self.random_left = entry.migrate_random[0] if entry.migrate_random else 0
        self.random_at: float | None = None
        self.random_delay = 0.0
        self.go_outstanding: tuple[int, float] | None = None
        self.offered: dict[str, None] = {}  # checkpoint names the guest reached
        # (checkpoint seq, all accepted) of the last checkpoint that ran QMP
        # commands: its go-ahead says qmp=ok|failed (contract.h).
        self.qmp_outcome: tuple[int, bool] | None = None
        session.on_hello = self._on_hello

    def step(self, action: Action) -> Action:
        """Carries out one action other than Resume; returns the next."""
        if isinstance(action, AtCheckpoint):
            return self.at_checkpoint(action.q, action.cp)
        if isinstance(action, Migrate):
            return self.migrate(action)
        if isinstance(action, SendGo):
            self.send_go(action.q, action.seq, action.name)
            return Resume(action.q)
        assert isinstance(action, RollBack)
        return self.rollback(action.dead)

    # -- checkpoints -----------------------------------------------------------
    def at_checkpoint(self, cur: Qemu, cp: Message) -> Action:
        name = cp.fields["name"]
        self.offered.setdefault(name)
        self.session.state.checkpoints_passed += 1
        # QMP commands asked for here (plan.py header): before any migration.
        actions = self.entry.qmp_actions(name)
        outcomes = run_actions(actions, cur, self.deadline)
        for a, (ok, text, diag) in zip(actions, outcomes):
            if not ok and a.guest_judges:   # the go-ahead's qmp=failed: the guest's to judge
                text, diag = f"{text} (refused: the guest judges it)", []
            self.session.check(ok or a.guest_judges, text, diagnostics=diag)
            if ok and a.command == "device_add":
                self.session.state.devices.device_add(a.args)
        if actions:
            self.qmp_outcome = (cp.seq, all(ok for ok, _, _ in outcomes))
        if not ((self.entry.migrates_at(name) or name in self.opts.migrate_at
                 or "all" in self.opts.migrate_at) and self._draw_checkpoint()):
            return SendGo(cur, cp.seq, name)
        lo, hi = self.entry.migrate_delay
        delay = self.rng.uniform(lo, hi) / 1000 if hi else 0.0
        if delay:   # the guest waits for go: a delay shifts nothing inside it
            time.sleep(max(0.0, min(delay, self.deadline - time.monotonic())))
        where = f"at checkpoint {name}" + (f" (+{delay * 1000:.0f} ms)" if hi else "")
        return Migrate(cur, where, cp.seq, name)

    def _draw_checkpoint(self) -> bool:
        chance = self.entry.migrate_chance
        return chance >= 1.0 or self.rng.random() < chance

    def send_go(self, cur: Qemu, seq: int, name: str) -> None:
        migrations = self.session.state.migrations
        side = "dst" if migrations else "src"
        self.go_outstanding = (seq, time.monotonic())
        qmp = self.qmp_outcome[1] if self.qmp_outcome and self.qmp_outcome[0] == seq \
            else None
        try:
            cur.link_send(self.session.state.link.encode_go(
                seq, migrations, side, qmp, self._deleted_so_far(cur)))
        except QemuError as err:
            self.session.check(False, f"go for checkpoint {name}: {err}")

    # -- random moments ----------------------------------------------------------
    def _on_hello(self) -> None:
        if self.random_left and self.random_at is None:
            self.schedule_random()

    def schedule_random(self) -> None:
        assert self.entry.migrate_random is not None
        _, lo, hi = self.entry.migrate_random
        self.random_delay = self.rng.uniform(lo, hi) / 1000
        self.random_at = time.monotonic() + self.random_delay

    def random_due(self, cur: Qemu, now: float) -> Migrate | None:
        """The random-moment migration from cur due now, if any. Not while
        a go may be unread: bytes still in the source's socket when it stops
        would not reach the destination (the 16550 FIFO holds 16 bytes, a go
        line ~40). Delivered once the guest sends a later line; waited for
        at most 1 s."""
        if self.random_at is None or now < self.random_at:
            return None
        if self.go_outstanding is not None:
            seq, at = self.go_outstanding
            if self.session.state.link.expected_seq <= seq + 1 and now - at <= 1.0:
                self.random_at = now + 0.01
                return None
            self.go_outstanding = None
        self.random_left -= 1
        return Migrate(cur, f"at a random moment "
                       f"(+{self.random_delay * 1000:.0f} ms)")

    def after_random(self, cur: Qemu) -> None:
        """Once a random-moment migration's actions are all done."""
        if self.random_left and cur.poll() is None:
            self.schedule_random()
        else:
            self.random_at = None

    def checkpoints_missing(self) -> list[str]:
        """migrate_at names the guest never offered (a misspelling, or a
        checkpoint the test does not have): nothing migrated there, and
        the entry must not pass as if it had."""
        offered = ", ".join(self.offered) or "none"
        out = []
        for name in dict.fromkeys([*self.entry.migrate_at, *self.opts.migrate_at]):
            if name == "all" and not self.offered:
                out.append("migrate_at all: the guest offered no checkpoint, so "
                           "nothing migrated")
            elif name != "all" and name not in self.offered:
                out.append(f"migrate_at {name}: the guest offered no checkpoint of "
                           f"that name (it offered: {offered}), so nothing migrated there")
        return out

    def random_missing(self) -> str | None:
        if not (self.entry.migrate_random and self.random_left):
            return None
        count = self.entry.migrate_random[0]
        return (f"{count - self.random_left} of {count} random-moment migrations "
                "done before the guest ended (migrate_random: let the guest run longer)")

    # -- one migration -------------------------------------------------------------
    def migrate(self, action: Migrate) -> Action:
        cur, where = action.q, action.where
        self._track_deleted(cur)
        self.attempts += 1
        n = self.attempts
        ns = self.netns.other(cur.spec.netns) if self.netns else None
        state = self.session.state
        dst = self.machines.destination(f"dst{n}", state.devices.args(),
                                        state.migrations, ns)
        self._launch_next(cur)
        left = max(1.0, min(self.opts.migration_timeout, self.deadline - time.monotonic()))
        uri = f"tcp:{self.netns.address(ns)}:{4400 + n}" if self.netns and ns else None
        m = self.machines.migrate(cur, dst, n, left, uri=uri)
        self._time(m)
        if m.ok:
            return self._took_over(action, dst, n, m)
        self.machines.retire(dst)
        go = self._answer(action, cur)
        if cur.poll() is not None and guest_code(cur.returncode) is not None:
            self.session.check(True, f"migration {n} {where} not done: "
                               "the guest ended first")
            return go
        if cur.poll() is not None and self.on_probation(cur):
            return RollBack(cur)   # the source was a destination that died
        # Said plainly (device, register, fields), then QEMU's own lines.
        what, fields, diagnostics = refusal(m.error, m.dst_errors, state.layout,
                                            dst.spec.devices, cur.spec.devices)
        self.session.check(False, f"migration {n} {where} failed: {what}",
                           diagnostics=diagnostics, evidence="\n".join(m.dst_errors),
                           qemu=identity(dst), fields=fields)
        return go

    def launch_first(self, src: Qemu) -> None:
        """Options.pipeline: the first destination, while the guest starts."""
        if self._pipelined():
            self.machines.launch_spare("dst1", self.session.state.devices.args(), 0,
                                       self.netns.other(src.spec.netns)
                                       if self.netns else None)

    def _pipelined(self) -> bool:
        e = self.entry
        if not (self.opts.pipeline and self.machines.starts_qemu_itself):
            return False
        return bool(e.migrate_at or self.opts.migrate_at or e.migrate_random)

    def _launch_next(self, cur: Qemu) -> None:
        """Options.pipeline: while this migration runs, the destination of
        the next one, as if this one succeeds (back to cur's namespace, one
        migration more); Machines.destination() drops it if that was wrong
        (a failed migration, devices added or deleted meanwhile)."""
        if not self._pipelined():
            return
        state = self.session.state
        self.machines.launch_spare(f"dst{self.attempts + 1}", state.devices.args(),
                                   state.migrations + 1, cur.spec.netns)

    @staticmethod
    def _answer(action: Migrate, q: Qemu) -> Action:
        """What follows a migration that left the guest on q."""
        if action.waiting_seq is None:
            return Resume(q)
        return SendGo(q, action.waiting_seq, action.checkpoint)

    def _took_over(self, action: Migrate, dst: Qemu, n: int,
                   m: MigrationResult) -> Action:
        cur, where = action.q, action.where
        # The source's last bytes (the guest ran during precopy), then the
        # state a rollback returns to.
        cp = self._take_checkpoint_line(self._drain(cur))
        self.chain.append(_Takeover(cur, dst, n, where, self.session.snapshot(),
                                    time.monotonic(),
                                    cp.seq if cp else action.waiting_seq))
        self.session.state.migrations += 1
        self.session.check(True, f"migration {n} {where} completed ({m.seconds:.1f}s)")
        return AtCheckpoint(dst, cp) if cp is not None else self._answer(action, dst)

    def _track_deleted(self, cur: Qemu) -> None:
        """Devices whose DEVICE_DELETED came leave the destinations' list."""
        if cur.qmp is None or cur.qmp.closed:
            return
        try:
            cur.qmp.poll_events(0.0)
        except QmpError:
            pass
        self.session.state.devices.count_deleted(cur.side, cur.qmp.events)
        for dev in self.session.state.devices.saw_events(cur.side, cur.qmp.events):
            self.session.check(True, f"device {dev} deleted (DEVICE_DELETED from "
                               f"{cur.side}): destinations start without it")

    def _deleted_so_far(self, cur: Qemu) -> int:
        """DEVICE_DELETED events so far, for the go-ahead. QEMU sends the
        event when the unplug is done (the guest's config write): before
        the guest's next line, and before any QMP reply that follows."""
        if cur.qmp is not None and not cur.qmp.closed:
            try:
                cur.qmp.poll_events(0.0)
            except QmpError:
                pass
            return self.session.state.devices.count_deleted(cur.side, cur.qmp.events)
        return self.session.state.devices.deleted

    def _time(self, m: MigrationResult) -> None:
        timings = self.session.timings
        now = time.monotonic() - self.session.t_start
        timings.setdefault("first_migration_start", round(now - m.seconds, 4))
        timings["last_migration_end"] = round(now, 4)
        timings["migrations"].append(round(m.seconds, 4))
        if m.ok:
            timings["switchover"].append(round(m.switchover, 4))
            timings["dst_ready"].append(round(m.dst_ready, 4))

    @staticmethod
    def _drain(q: Qemu) -> bytes:
        out = b""
        while True:
            data = q.link_recv(0.0)
            if not data:
                return out
            out += data

    def _take_checkpoint_line(self, data: bytes) -> Message | None:
        """Parses the old source's last bytes now, so that the state a
        rollback returns to includes them; returns a checkpoint the guest
        stopped at (answered once the takeover is recorded)."""
        cp = None
        for ev in self.session.events(data):
            if isinstance(ev, Message) and ev.verb == "checkpoint":
                cp = ev
            else:
                self.session.handle(ev)
        return cp

    # -- probation and rollback --------------------------------------------------------
    def on_probation(self, q: Qemu) -> bool:
        return any(t.new is q for t in self.chain)

    def settle(self) -> None:
        """Retires sources whose destination has run long enough."""
        now = time.monotonic()
        while self.chain and now - self.chain[0].at >= self.opts.dst_settle \
                and self.chain[0].new.poll() is None:
            self.machines.retire(self.chain.pop(0).old)

    def rollback(self, dead: Qemu) -> Action:
        """The guest goes on on the newest source still alive, as if the
        migration to dead failed."""
        i = next(k for k, t in enumerate(self.chain) if t.new is dead)
        while i >= 0 and self.chain[i].old.poll() is not None:
            i -= 1
        if i < 0:
            return Resume(dead)
        t = self.chain[i]
        for later in self.chain[i:]:
            self.machines.retire(later.new)
        del self.chain[i:]
        age = time.monotonic() - t.at
        dropped = self.session.restore(t.state)
        self.session.check(
            False, f"migration {t.number} {t.where} failed: destination QEMU exited "
            f"with status {dead.returncode} {age:.1f}s after the guest started "
            "running there; the guest goes on on the source",
            diagnostics=["destination stderr:", *dead.stderr_text().splitlines()[-5:],
                         f"{len(dropped) - 1} result(s) the guest sent there "
                         "discarded (it repeats them on the source)"],
            evidence=dead.stderr_text()[-2000:], qemu=identity(dead))
        resume_source(t.old, time.monotonic() + 10)
        if self.entry.migrate_random and self.random_left:
            self.schedule_random()
        if t.waiting_seq is not None:
            return SendGo(t.old, t.waiting_seq, "(after rollback)")
        return Resume(t.old)
