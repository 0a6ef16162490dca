"""Warm start: boot a configuration once, save the VM where the image waits
at checkpoint boot-ready (set up, test selection not read yet), and start
every later run of that configuration from the saved state.

Under TCG OVMF needs 3-5 s to hand over to the image; restoring the state
takes QEMU's start plus loading ~40 MB. The restored QEMU gets its own
opt/slotprobe/args (fw_cfg contents are not migrated), so after the
go-ahead the guest reads the selection of the run it now belongs to.

QEMU 7.2 has no `file:` migration URI: the state is saved with
`exec:cat > FILE` and loaded with `exec:cat FILE`. The saving QEMU is
stopped first, so the state is the guest waiting at the checkpoint, and the
restored QEMU stays paused after loading it until `cont`.

The cache key (warmcache.py stores the states) is the saving QEMU's whole
command line with the run's own paths taken out, plus the identity of the
QEMU binary (path, size, mtime, inode) and the SHA-256 of the OVMF file and
of the image: whatever can change what the guest did before the checkpoint.
"""
from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import time

from . import contract
from .hostlink import Garbage, HostLink
from .interrupt import check as check_interrupt
from .qemu import Qemu, QemuError, QemuSpec
from .qmp import QmpError
from .stale import make_folder
from .warmcache import Obtained, WarmCache, file_sha256

READY_CHECKPOINT = contract.WARM_CHECKPOINT
READY_SEQ = 1                       # the image's first host-link line
KEY_VERSION = 1                     # bump when the image's checkpoint changes meaning


class WarmStartError(Exception):
    """No saved state could be made or loaded; the text says why."""


def _binary_id(path: str) -> dict:
    real = os.path.realpath(path)
    st = os.stat(real)
    return {"path": real, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "inode": st.st_ino}


def saving_spec(spec: QemuSpec) -> QemuSpec:
    """The QEMU whose state is saved: spec booted cold, with the warm fw_cfg."""
    return dataclasses.replace(spec, incoming=False, warm=True, migration_count=0)


def restoring_spec(spec: QemuSpec) -> QemuSpec:
    """The QEMU a warm run starts with: the same machine, waiting for the state."""
    return dataclasses.replace(spec, incoming=True, warm=True, migration_count=0)


def cache_key(spec: QemuSpec) -> dict:
    placeholder = dataclasses.replace(saving_spec(spec), netns=None,
                                      fw_cfg={n: "<file>" for n in spec.fw_cfg})
    key = {"version": KEY_VERSION,
           "cmdline": Qemu(placeholder, "<run>", "src", "<args>").command_line(),
           "qemu": _binary_id(spec.binary), "ovmf": file_sha256(spec.ovmf)}
    for what, path in (("kernel", spec.kernel), ("esp", spec.esp)):
        if path:
            key[what] = file_sha256(path)
    return key


def obtain_state(cache: WarmCache, spec: QemuSpec,
                 deadline: float) -> tuple[dict, Obtained]:
    """(key, the cached state for spec), built by a cold boot when missing."""
    key = cache_key(spec)
    return key, cache.obtain(key, lambda dest: build_state(
        spec, dest, max(5.0, deadline - time.monotonic())))


def build_state(spec: QemuSpec, dest: str, timeout: float) -> None:
    """Boots spec cold, waits for the image at boot-ready, saves the stopped
    VM to dest. Raises WarmStartError with the reason and the last console
    lines."""
    rundir = make_folder("warm-")       # a SIGKILLed harness's is removed later
    args = os.path.join(rundir, "args")
    with open(args, "w") as f:      # not read before the checkpoint
        f.write("enumerate\n")
    deadline = time.monotonic() + timeout
    q = Qemu(saving_spec(spec), rundir, "warm", args)
    try:
        q.start(timeout=min(30.0, timeout))
        _wait_ready(q, deadline)
        assert q.qmp is not None
        q.qmp.command("stop")
        q.qmp.command("migrate-set-parameters", **{"max-bandwidth": 1 << 34})
        q.qmp.command("migrate", uri="exec:cat > " + shlex.quote(dest))
        status = _wait_migrate(q, deadline)
        if status != "completed":
            raise WarmStartError(f"saving the state: migration {status}")
    except (QemuError, QmpError, WarmStartError) as e:
        tail = q.console_tail(3) + q.stderr_text().splitlines()[-2:]
        raise WarmStartError(f"cold boot for the warm-start cache: {e}"
                             + (" (last lines: " + " / ".join(tail) + ")" if tail else "")
                             ) from None
    finally:
        q.stop()
        shutil.rmtree(rundir, ignore_errors=True)


def _wait_ready(q: Qemu, deadline: float) -> None:
    link = HostLink()
    while True:
        check_interrupt()
        if time.monotonic() > deadline:
            raise WarmStartError(f"no checkpoint {READY_CHECKPOINT} before the deadline")
        data = q.link_recv(0.2)
        if data == b"" and q.wait(0.2) is not None:
            raise WarmStartError(f"QEMU exited with status {q.returncode} before "
                                 f"checkpoint {READY_CHECKPOINT}")
        for ev in link.feed(data or b""):
            if isinstance(ev, Garbage):
                raise WarmStartError(f"host link: {ev.reason}: {ev.raw}")
            if ev.verb == "checkpoint" and ev.text == READY_CHECKPOINT \
                    and ev.seq == READY_SEQ:
                return
            raise WarmStartError(f"the image said '{ev.raw}' instead of checkpoint "
                                 f"{READY_CHECKPOINT} (an image without warm start?)")


def _wait_migrate(q: Qemu, deadline: float) -> str:
    assert q.qmp is not None
    while time.monotonic() < deadline:
        check_interrupt()
        status = str(q.qmp.command("query-migrate").get("status", ""))
        if status in ("completed", "failed", "cancelled"):
            return status
        if q.poll() is not None:
            return f"ended by QEMU's exit (status {q.returncode})"
        time.sleep(0.01)
    return "did not finish before the deadline"


def restore(q: Qemu, state: str, deadline: float) -> None:
    """q was started with restoring_spec(): loads state and lets the guest
    run (it waits at boot-ready for the go-ahead). Raises WarmStartError."""
    assert q.qmp is not None
    try:
        # MIGRATION events (the incoming side sends them only when asked):
        # no polling delay between the load's end and `cont`.
        q.qmp.command("migrate-set-capabilities",
                      capabilities=[{"capability": "events", "state": True}])
        seen = len(q.qmp.events)
        q.qmp.command("migrate-incoming", uri="exec:cat " + shlex.quote(state))
        status = _wait_loaded(q, seen, deadline)
        if status != "completed":
            raise WarmStartError(f"loading the saved state: {status}")
        q.qmp.command("cont")
    except QmpError as e:
        raise WarmStartError(f"loading the saved state: {e}") from None


def _wait_loaded(q: Qemu, seen: int, deadline: float) -> str:
    assert q.qmp is not None
    while True:
        check_interrupt()
        for ev in q.qmp.events[seen:]:
            if ev.get("event") == "MIGRATION" and ev.get("data", {}).get("status") \
                    in ("completed", "failed"):
                return ev["data"]["status"]
        if q.poll() is not None:
            err = q.stderr_tail(1)
            return f"QEMU exited with status {q.returncode}" + (f": {err}" if err else "")
        if time.monotonic() > deadline:
            return "not loaded before the deadline"
        try:
            q.qmp.poll_events(0.05)
        except QmpError as e:
            if q.wait(1.0) is not None:
                continue        # the exit says why
            return f"QMP: {e}"
