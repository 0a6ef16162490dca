"""QEMU exit status -> what the guest said (protocol: status = (v << 1) | 1)."""
from __future__ import annotations

from . import contract

# code -> name, from lib/runtime/contract.h's CONTRACT_EXIT_* (lib/runtime/exit.h uses the same).
GUEST_CODES = {value: name[len("EXIT_"):] for name, value in contract.VALUES.items()
               if name.startswith("EXIT_")}


def guest_code(qemu_status: int | None) -> int | None:
    """The v the guest wrote to isa-debug-exit, or None if QEMU ended otherwise."""
    if qemu_status is None or qemu_status <= 0 or not qemu_status & 1:
        return None
    v = qemu_status >> 1
    return v if v in GUEST_CODES else None


def describe_other_exit(status: int | None) -> str:
    if status is None:
        return "QEMU still running"
    if status < 0:
        return f"QEMU killed by signal {-status}"
    if status == 0:
        return "QEMU exited with status 0: the guest powered off or reset"
    if status == 1:
        return "QEMU exited with status 1: QEMU itself failed (or guest v=0 without bye)"
    return f"QEMU exited with status {status}: not a slotprobe exit code"
