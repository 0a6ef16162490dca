"""Runs one plan entry: source QEMU, host link, migrations at checkpoints
(or at seeded random moments), guest results, exit status -> an EntryResult.

The pieces: machines.py starts and stops the QEMUs, session.py turns the
guest's lines into checks, migration_control.py decides where the guest
runs next, warmstart.py restores the source from a saved post-boot state.
This module reads the guest and carries out the actions the controller
returns, one after another."""
from __future__ import annotations

import sys
import time
from typing import Any

from . import contract
from .actions import Action, AtCheckpoint, Resume, RollBack
from .errata import Erratum, Version
from .guest_exit import guest_code
from .interrupt import Interrupted
from .interrupt import check as check_interrupt
from .judge import judge
from .machines import Machines, greeting_version, machines_for
from .migration_control import MigrationController
from .netns import NetnsError, NetnsPair, remove_stale, unavailable
from .options import Options
from .plan import Entry
from .qemu import Qemu, QemuError
from .qemu_info import check_machine
from .report import Check, EntryResult
from .session import GuestSession
from .warmcache import CacheError
from .warmstart import READY_SEQ, WarmStartError, obtain_state, restore
from . import startup

__all__ = ["Options", "Runner"]


class Runner:
    def __init__(self, entry: Entry, opts: Options,
                 errata: dict[str, Erratum], seed: int = 0) -> None:
        self.entry, self.opts, self.errata = entry, opts, errata
        self.seed = seed
        timings: dict[str, Any] = {"migrations": [], "switchover": [], "dst_ready": []}
        self.session = GuestSession(entry, opts.dst_args if opts.dst_args is not None
                                    else entry.destination_devices(), timings)
        self.machines: Machines | None = None
        self.netns: NetnsPair | None = None
        self.control: MigrationController | None = None
        self.version: Version | None = None
        self.exit_name: str | None = None   # guest exit name, TIMEOUT, OTHER or SETUP
        self.setup_error: str | None = None   # QEMU or firmware, not the guest (startup.py)

    @property
    def logs(self) -> list[str]:
        """The guest's log lines (a script's steps, with what they read)."""
        return self.session.state.logs

    def run(self) -> EntryResult:
        e, o = self.entry, self.opts
        t0 = time.monotonic()
        self.machines = machines = machines_for(e, o)
        timeout = o.timeout if o.timeout is not None else e.timeout
        done = False
        try:
            why = machines.unavailable() or (
                unavailable() if (o.network or e.network) == "netns" else None)
            if why:
                done = True
                machines.remove()
                return EntryResult(e.name, "SKIP", why, [Check(
                    True, why, directive="SKIP " + why)], None,
                    time.monotonic() - t0)
            if (o.network or e.network) == "netns":
                remove_stale()
                self.netns = NetnsPair().__enter__()
            self._boot_and_collect(time.monotonic() + timeout, timeout)
            done = True
        except NetnsError as err:
            self.session.check(False, f"network namespaces: {err}")
        except Interrupted as intr:
            self.session.check(False, f"interrupted by {intr}")
            intr.partial = EntryResult(e.name, "FAIL", f"interrupted by {intr}",
                                       self.session.state.checks, machines.rundir,
                                       time.monotonic() - t0)
            raise
        finally:
            machines.close()
            if self.netns:
                self.netns.__exit__()
            if not done:    # interrupted: keep the evidence
                print(f"slotprobe: logs of {e.name} kept in {machines.rundir}",
                      file=sys.stderr)
        return self._result(t0)

    def _result(self, t0: float) -> EntryResult:
        e, o, s = self.entry, self.opts, self.session.state
        assert self.machines is not None
        canonical = check_machine(o.qemu, o.machine or e.machine)
        setup = self.setup_error or (s.guest_error if self.exit_name == "ERROR" else None)
        result = judge(e.name, s.checks, e, self.errata, self.version,
                       canonical, setup_error=setup,
                       skipped=self.exit_name == "SKIP")
        result.seconds = time.monotonic() - t0
        result.seed = self.seed
        result.timings = self.session.timings
        result.timings["spares_used"] = self.machines.spares_used
        result.observations = s.observations
        # Only unexpected results keep their folder: an XFAIL's evidence (the
        # destination's error lines) is quoted in the report already, and
        # --repeat would otherwise leave a folder per run.
        if result.outcome in ("PASS", "SKIP", "XFAIL") and not o.keep_logs:
            self.machines.remove()
        else:
            result.logdir = self.machines.rundir
        return result

    def _boot_and_collect(self, deadline: float, timeout: float) -> None:
        assert self.machines is not None
        self.control = MigrationController(self.entry, self.opts, self.session,
                                           self.machines, self.netns, self.seed,
                                           deadline)
        netns = self.netns.names[0] if self.netns else None
        src = self._warm_start(netns, deadline, timeout)
        if src is None:
            src = self.machines.source(netns)
            self.session.t_start = time.monotonic()
            try:
                self.machines.boot(src, min(30.0, timeout), self.netns)
            except QemuError as err:
                # A guest may finish before QMP is through its handshake: then
                # judge what it said; otherwise QEMU did not start.
                if src.link is None or src.wait(1.0) is None or not src.link_pending():
                    self._setup_problem(startup.refused(src, str(err)), src)
                    return
        self.version = greeting_version(src)
        shown = ".".join(map(str, self.version)) if self.version else "?"
        how = ", from the saved post-boot state" if self.machines.warm else ""
        self.session.check(True, f"qemu started ({src.spec.machine}, {self.opts.accel}, "
                           f"QEMU {shown}{how})")
        self.control.launch_first(src)
        if self.machines.warm:   # the guest waits at boot-ready: go on with this run's args
            self.control.send_go(src, READY_SEQ, contract.WARM_CHECKPOINT)
        current = self._collect(src, deadline, timeout)
        silent_exit = (self.exit_name is None and not startup.guest_spoke(
            self.session.state.link) and startup.exited_silently(current))
        if silent_exit:
            self._setup_problem(silent_exit, current)
        if self.exit_name not in ("TIMEOUT", "SETUP"):
            self.exit_name = self.session.judge_exit(current,
                                                     self.control.random_missing())
        if self.exit_name == "PASS":     # asked for migrations, got none: not a PASS
            for text in self.control.checkpoints_missing():
                self.session.check(False, text)

    def _setup_problem(self, reason: str, q: Qemu) -> None:
        """QEMU or the firmware failed before the guest ran: exit 2."""
        self.setup_error, self.exit_name = reason, "SETUP"
        self.session.check(False, reason,
                           diagnostics=["QEMU stderr:", *q.stderr_text().splitlines()[:5]])

    # -- warm start (warmstart.py) -------------------------------------------------
    def _warm_start(self, netns: str | None, deadline: float,
                    timeout: float) -> Qemu | None:
        """The source restored from the cached post-boot state (built first
        when missing), or None to boot cold: --cold-boot, `boot = cold`,
        an ESP disk, or a state that cannot be made or loaded (said on
        stderr; the run itself then shows what a cold boot does)."""
        o, e, machines = self.opts, self.entry, self.machines
        assert machines is not None
        self.session.timings["boot"] = "cold"
        if (o.warm_cache is None or e.boot == "cold" or o.esp
                or not machines.starts_qemu_itself):
            return None
        try:
            key, got = obtain_state(o.warm_cache, machines.source_spec(netns), deadline)
        except (WarmStartError, CacheError, OSError) as err:
            self._warm_note(f"no saved state ({err})")
            return None
        if got.built:
            self.session.timings["warm_build"] = round(got.build_seconds, 4)
            if got.replaced:
                self._warm_note(f"saved state rebuilt ({got.replaced})", cold=False)
        src = machines.restored_source(netns)
        self.session.t_start = time.monotonic()
        try:
            src.start(timeout=min(30.0, timeout))
            restore(src, got.path, min(deadline, time.monotonic() + 30))
        except (QemuError, WarmStartError) as err:
            self._warm_note(f"saved state did not load, entry dropped ({err})")
            machines.retire(src)
            machines.warm = False
            try:
                o.warm_cache.discard(key)
            except CacheError:
                pass
            return None
        self.session.timings["boot"] = "warm"
        self.session.timings["restored"] = round(time.monotonic() - self.session.t_start, 4)
        self.session.state.link.expected_seq = READY_SEQ + 1
        return src

    def _warm_note(self, text: str, cold: bool = True) -> None:
        print(f"slotprobe: {self.entry.name}: warm start: {text}"
              + ("; booting cold" if cold else ""), file=sys.stderr)

    # -- reading the guest ---------------------------------------------------------
    def _carry_out(self, action: Action) -> tuple[Qemu, bool]:
        """Carries out action and those that follow it until the guest is to
        be read again; returns the QEMU it runs on and whether a rollback
        happened on the way."""
        assert self.control is not None
        rolled_back = False
        while not isinstance(action, Resume):
            rolled_back |= isinstance(action, RollBack)
            action = self.control.step(action)
        return action.q, rolled_back

    def _feed(self, data: bytes, cur: Qemu) -> Qemu:
        for ev in self.session.events(data):
            cp = self.session.handle(ev)
            if cp is None:
                continue
            cur, rolled_back = self._carry_out(AtCheckpoint(cur, cp))
            if rolled_back:   # the rest came from a dead QEMU
                break
        return cur

    def _collect(self, cur: Qemu, deadline: float, timeout: float) -> Qemu:
        """Reads the guest until its QEMU exits; migrates at checkpoints or,
        with migrate_random, at random moments."""
        control = self.control
        assert control is not None
        silence = startup.SilenceWatch(self.session.t_start, self.opts.silence_limit)
        while True:
            now = time.monotonic()
            left = deadline - now
            if not startup.guest_spoke(self.session.state.link):
                problem = silence.problem(cur, now, timeout_hit=left <= 0)
                if problem:
                    self._setup_problem(problem, cur)
                    return cur
            if left <= 0:
                self.session.timed_out(timeout, cur)
                self.exit_name = "TIMEOUT"
                return cur
            check_interrupt()
            control.settle()
            migrate = control.random_due(cur, now)
            if migrate is not None:
                cur, _ = self._carry_out(migrate)
                control.after_random(cur)
                continue
            wait = min(left, 0.2)
            if control.random_at is not None:
                wait = max(0.0, min(wait, control.random_at - now))
            data = cur.link_recv(wait)
            if data:
                cur = self._feed(data, cur)
                continue
            if data == b"" and cur.wait(wait) is None:
                continue
            if cur.poll() is not None:
                cur = self._exited(cur)
                if cur.poll() is None:
                    continue
                return cur

    def _exited(self, cur: Qemu) -> Qemu:
        """cur's QEMU exited: reads what the guest wrote just before; a
        destination on probation that died is rolled back. Returns the QEMU
        the guest runs on now (still running after a rollback)."""
        assert self.control is not None
        while True:
            data = cur.link_recv(0.2)
            if not data:
                break
            cur = self._feed(data, cur)
        if cur.poll() is None:      # rolled back while reading
            return cur
        if guest_code(cur.returncode) is None and self.control.on_probation(cur):
            cur, _ = self._carry_out(RollBack(cur))
        return cur
