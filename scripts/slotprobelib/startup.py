"""What went wrong when the guest never said anything: QEMU refused to start
(an unknown -device driver, a firmware or image it cannot load), stopped
the machine at once (KVM here: "KVM internal error"), or ran a firmware
that prints nothing. Each is a set-up problem named by QEMU's own words,
not a guest result: QEMU's status 1 would otherwise read as the guest's
PASS (isa-debug-exit maps guest code v to status 2v+1), and a silent guest
would wait out the whole timeout."""
from __future__ import annotations

from .hostlink import HostLink
from .qemu import Qemu
from .qmp import QmpError

# Silence is measured in QEMU's CPU time, not wall time: OVMF's first output
# (the clear-screen on the serial ports) came after 3.9-4.1 s of QEMU CPU
# time but 18 s of wall time on this 2-core machine at load 10 (TCG), and
# 20 s of wall time was too little for `make check --jobs 2` under load. A
# guest that used this much CPU and printed nothing runs nothing, and saying
# so beats a 90 s timeout. A firmware that halts uses no CPU: the timeout
# ends that one, reported the same way.
SILENCE_LIMIT = 15.0
STATUS_POLL = 0.5            # seconds between query-status while silent
# Run states in which a silent guest will never print (QMP RunState).
DEAD_STATES = ("internal-error", "guest-panicked", "shutdown", "io-error")


def qemu_says(q: Qemu) -> str:
    """QEMU's own message: its first stderr line that is not a warning."""
    lines = [l.strip() for l in q.stderr_text().splitlines() if l.strip()]
    errors = [l for l in lines if "warning:" not in l]
    return (errors or lines or ["no message on stderr"])[0][:200]


def refused(q: Qemu, err: str) -> str:
    """QEMU did not get as far as running the guest."""
    status = q.poll()
    how = f"exited with status {status}" if status is not None else err
    return f"QEMU did not start ({how}): {qemu_says(q)}"


def exited_silently(q: Qemu) -> str | None:
    """q ended before the guest sent a single line: QEMU's status 1 is its
    own error exit (a guest exits through isa-debug-exit with a bye line
    first); other statuses are judged as guest exits."""
    if q.returncode != 1:
        return None
    return f"QEMU exited with status 1 before the guest said anything: {qemu_says(q)}"


class SilenceWatch:
    """Watches a guest that has printed nothing yet (not a byte on the host
    link): reports a set-up problem once QEMU stopped the machine, once QEMU
    spent `limit` seconds of CPU time on it, or at the timeout."""

    def __init__(self, started: float, limit: float = SILENCE_LIMIT) -> None:
        self.started, self.limit = started, limit
        self.next_poll = started

    def problem(self, q: Qemu, now: float, timeout_hit: bool = False) -> str | None:
        state = self._run_state(q, now)
        if state in DEAD_STATES:
            return (f"QEMU stopped the machine ({state}) before the guest printed "
                    f"anything: {qemu_says(q)}")
        wall = now - self.started
        cpu = q.cpu_seconds()
        if timeout_hit or (cpu is not None and cpu >= self.limit):
            used = f", {cpu:.0f} s of QEMU CPU time" if cpu is not None else ""
            return (f"the guest printed nothing in {wall:.0f} s{used} (no firmware "
                    f"output either): QEMU says: {qemu_says(q)}")
        return None

    def _run_state(self, q: Qemu, now: float) -> str | None:
        if now < self.next_poll or q.qmp is None or q.qmp.closed:
            return None
        self.next_poll = now + STATUS_POLL
        try:
            return str(q.qmp.command("query-status", timeout=2.0).get("status"))
        except (QmpError, AttributeError):
            return None


def guest_spoke(link: HostLink) -> bool:
    """Whether a single byte came over the host link (firmware output
    included; a warm-started guest counts from its restore)."""
    return link.bytes_seen > 0
