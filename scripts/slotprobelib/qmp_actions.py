"""QMP commands at guest checkpoints (plan key qmp_at, or a script's
`checkpoint NAME qmp ...`; semantics in plan.py's header comment). Each
command is one check; an optional event wait has its own deadline, so a
command QEMU never finishes cannot hold the guest past the entry's time."""
from __future__ import annotations

import json
import time

from .qemu import Qemu
from .qmp import QmpError
from .script import QmpAction

REPLY_TIMEOUT = 10.0


def _wanted(action: QmpAction):
    """device_del waits for the DEVICE_DELETED of its own id (QEMU also
    sends one for the device's QOM path children); a DEVICE_DELETED after
    another command (the wait for an unplug asked for at an earlier
    checkpoint) for one of a device with an id, not of such a child (a
    virtio device's backend comes first, measured on 7.2); others for any
    event."""
    if action.command == "device_del" and action.wait_event == "DEVICE_DELETED":
        dev = action.args.get("id")
        return lambda ev: ev.get("data", {}).get("device") == dev
    if action.wait_event == "DEVICE_DELETED":
        return lambda ev: bool(ev.get("data", {}).get("device"))
    return None


def run_actions(actions: list[QmpAction], q: Qemu,
                deadline: float) -> list[tuple[bool, str, list[str]]]:
    """Runs actions on q in order: [(ok, description, diagnostics)]."""
    out: list[tuple[bool, str, list[str]]] = []
    for a in actions:
        shown = f"qmp {a.command} {json.dumps(a.args)} at checkpoint {a.checkpoint}"
        where = [f"from {a.where}"] if a.where else []
        if q.qmp is None or q.qmp.closed:
            out.append((False, f"{shown}: no QMP connection", where))
            continue
        left = max(0.5, deadline - time.monotonic())
        start = len(q.qmp.events)
        try:
            reply = q.qmp.command(a.command, timeout=min(REPLY_TIMEOUT, left), **a.args)
        except QmpError as e:
            out.append((False, f"{shown} failed: {e}", where))
            continue
        text = f"{shown}: ok" + (f" ({json.dumps(reply)[:80]})" if reply else "")
        if a.wait_event:
            try:
                q.qmp.wait_event(a.wait_event, min(a.wait_seconds, left),
                                 predicate=_wanted(a), start=start)
                text += f", {a.wait_event} seen"
            except QmpError as e:
                out.append((False, f"{shown}: {e}", where))
                continue
        out.append((True, text, []))
    return out
