"""One live migration from the running source to a fresh destination.

The destination is the judge: when it fails to load the state, the source
says "completed" or "failed" at random (measured 18 vs 22 in 40 runs on
QEMU 7.2), so success means "the destination runs the guest", failure means
"the destination exited, or reported failed". The source is only asked for
its status to resume the guest after a failure.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

from .interrupt import check as check_interrupt
from .qemu import Qemu, QemuError
from .qmp import QmpError

SOURCE_DONE = ("completed", "failed", "cancelled")
SOURCE_IDLE = ("", "none")      # no migration was started (the destination died first)
# "warning: ..." or "qemu-system-x86_64: warning: ..." (QEMU's warn_report)
WARNING = re.compile(r"^(?:[\w./+-]+: )?warning: ")   # a stderr line that is only a warning


@dataclass
class MigrationResult:
    ok: bool
    seconds: float               # destination start -> guest runs there
    error: str = ""
    dst_errors: list[str] = field(default_factory=list)  # destination stderr
    dst_ready: float = 0.0       # destination start -> QMP ready
    switchover: float = 0.0      # `migrate` issued -> guest runs on the destination


def _status(q: Qemu, what: str) -> str:
    assert q.qmp is not None
    info = q.qmp.command("query-migrate" if what == "migrate" else "query-status",
                         timeout=5)
    return str(info.get("status", ""))


def _stderr_lines(q: Qemu) -> list[str]:
    return [l for l in q.stderr_text().splitlines() if l.strip()][-12:]


def reason_line(stderr: list[str]) -> str:
    """Why a destination failed, from its stderr lines: the first error
    (the lines after it are QEMU unwinding), not a warning printed ahead of
    it (e.g. a deprecated machine type), without the program's name."""
    errors = [line for line in stderr if not WARNING.match(line)]
    return (errors or stderr)[0].split(": ", 1)[-1]


def migrate(src: Qemu, dst: Qemu, number: int, timeout: float,
            uri: str | None = None) -> MigrationResult:
    """dst is constructed (incoming), not started or only launched; the
    caller owns both.
    uri: where the destination listens (default a unix socket in the run's
    folder; tcp:ADDR:PORT between network namespaces)."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    uri = uri or "unix:" + os.path.join(dst.sockdir, f"migrate-{number}.sock")
    result = MigrationResult(False, 0.0)
    try:
        if dst.launched:    # started ahead (Options.pipeline)
            dst.connect(timeout=min(20.0, timeout))
        else:
            dst.start(timeout=min(20.0, timeout))
        result.dst_ready = time.monotonic() - t0
        assert src.qmp is not None and dst.qmp is not None
        try:   # QEMU 7.2 caps at 128 MiB/s by default, which only slows a test down
            src.qmp.command("migrate-set-parameters", **{"max-bandwidth": 1 << 34})
        except QmpError:
            pass
        dst.qmp.command("migrate-incoming", uri=uri)
        t_cmd = time.monotonic()
        src.qmp.command("migrate", uri=uri)
        outcome = _wait_destination(dst, deadline)
        result.switchover = time.monotonic() - t_cmd
    except (QemuError, QmpError) as e:
        outcome = str(e)
    result.seconds = time.monotonic() - t0
    if outcome == "running":
        _wait_source_done(src, time.monotonic() + 5)
        result.ok = True
        return result
    # Whoever died says why, in the same words at every stage (start-up,
    # handshake, load): the report must never blame the wrong QEMU.
    if dst.wait(0.5 if dst.proc is not None else 0) is not None:
        outcome = f"destination QEMU exited with status {dst.returncode}"
    elif src.poll() is not None:
        outcome = f"source QEMU exited with status {src.returncode}"
    dst.stop()   # it may still be half-loaded; its stderr is what we report
    if src.poll() is None:
        resume_source(src, time.monotonic() + 10)
    result.dst_errors = _stderr_lines(dst)
    if result.dst_errors:
        outcome += ": " + reason_line(result.dst_errors)
    result.error = outcome
    return result


def _resumed_before_exit(dst: Qemu, seen: int) -> bool:
    """A destination that exited had resumed first (its RESUME event still
    unread): the guest ran on it and ended at once, which is no failed
    migration (a random-moment migration just before the guest's exit)."""
    assert dst.qmp is not None
    try:
        dst.qmp.poll_events(0.0)
    except QmpError:
        pass
    return any(ev.get("event") == "RESUME" for ev in dst.qmp.events[seen:])


def _wait_destination(dst: Qemu, deadline: float) -> str:
    """'running' when the destination runs the guest, else why not. Waits
    for the RESUME event (no polling delay); asks for the status every
    0.1 s as well, for a destination that says failed."""
    assert dst.qmp is not None
    seen = len(dst.qmp.events)
    next_query = 0.0
    while True:
        check_interrupt()
        if dst.poll() is not None:
            if _resumed_before_exit(dst, seen):
                return "running"
            return f"destination QEMU exited with status {dst.returncode}"
        if any(ev.get("event") == "RESUME" for ev in dst.qmp.events[seen:]):
            return "running"
        try:
            if time.monotonic() >= next_query:
                if _status(dst, "run") == "running":
                    return "running"
                if _status(dst, "migrate") == "failed":
                    return "destination reported migration failed"
                next_query = time.monotonic() + 0.1
            dst.qmp.poll_events(0.02)
        except QmpError as e:
            if dst.wait(1.0) is not None:
                return f"destination QEMU exited with status {dst.returncode}"
            return f"destination QMP: {e}"
        if time.monotonic() > deadline:
            return "migration did not finish before the deadline"


def _wait_source_done(src: Qemu, deadline: float) -> str:
    status = ""
    while time.monotonic() < deadline:
        try:
            status = _status(src, "migrate")
        except QmpError:
            return "unknown"
        if status in SOURCE_DONE or status in SOURCE_IDLE:
            return status
        time.sleep(0.02)
    return status


def resume_source(src: Qemu, deadline: float) -> None:
    """After a failed migration the guest goes on where it was."""
    try:
        if _wait_source_done(src, deadline) not in SOURCE_DONE + SOURCE_IDLE:
            src.qmp.command("migrate_cancel")  # type: ignore[union-attr]
            _wait_source_done(src, time.monotonic() + 5)
        if _status(src, "run") != "running":
            src.qmp.command("cont")  # type: ignore[union-attr]
    except QmpError:
        pass   # the source's own exit will show in the report
