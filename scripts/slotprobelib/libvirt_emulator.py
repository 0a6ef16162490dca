#!/usr/bin/python3
"""The <emulator> of the domains slotprobe's own libvirt daemons start: runs
QEMU as its child and writes QEMU's exit status to $SLOTPROBE_EXIT_FILE.

libvirt does not wait for QEMU, so it cannot tell how QEMU ended; the
guest's verdict is that status (isa-debug-exit, lib/contract.h). Without
the variable (libvirt probing the emulator's capabilities) it only runs
QEMU. QEMU dies with this process (PR_SET_PDEATHSIG), so killing the pid
libvirt recorded kills QEMU too; and with the harness
($SLOTPROBE_HARNESS_PID), however the harness ends, so no domain outlives
it on any daemon. Standalone: libvirtd executes this file."""
import ctypes
import os
import select
import signal
import sys

PR_SET_PDEATHSIG = 1
QEMU = os.environ.get("SLOTPROBE_QEMU", "/usr/bin/qemu-system-x86_64")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _forward(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:   # QEMU ended meanwhile (measured: libvirt's
        pass                     # SIGTERM when QEMU closed its monitor)


def _wait_qemu_or_harness(pid: int) -> None:
    """Returns when QEMU ended; kills it first if the harness ends."""
    harness = os.environ.get("SLOTPROBE_HARNESS_PID")
    if not harness:
        return
    try:
        watch = os.pidfd_open(int(harness))
    except (OSError, ValueError):
        os.kill(pid, signal.SIGKILL)     # the harness is gone already
        return
    qemu = os.pidfd_open(pid)
    ready, _, _ = select.select([watch, qemu], [], [])
    if watch in ready:
        os.kill(pid, signal.SIGKILL)


def main() -> int:
    libc = ctypes.CDLL(None)
    pid = os.fork()
    if pid == 0:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.execv(QEMU, [QEMU] + sys.argv[1:])
    for signum in STOP_SIGNALS:        # virsh destroy: QEMU is the one to stop
        signal.signal(signum, lambda n, _f: _forward(pid, n))
    _wait_qemu_or_harness(pid)
    _, status = os.waitpid(pid, 0)     # retried on EINTR (PEP 475)
    for signum in STOP_SIGNALS:        # libvirt stops us once QEMU is gone:
        signal.signal(signum, signal.SIG_IGN)   # the status is written first
    code = os.waitstatus_to_exitcode(status)
    path = os.environ.get("SLOTPROBE_EXIT_FILE")
    if path:
        with open(path + ".tmp", "w") as f:
            f.write(f"{code}\n")
        os.rename(path + ".tmp", path)   # readers see all of it or nothing
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
