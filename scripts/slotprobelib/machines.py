"""QEMU lifetime for one entry: the run's private folder (the guest's
arguments, its script, a copy of the ESP image), the QMP transcript, and
every QEMU started for it, each stopped and reaped by close()."""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import IO

from .errata import Version
from .options import Options
from .plan import Entry
from .qemu import Qemu, QemuSpec
from .qemu_info import check_machine
from .script import FWCFG_NAME as SCRIPT_FWCFG


def greeting_version(q: Qemu) -> Version | None:
    """The QEMU version from q's QMP greeting, None before the handshake."""
    try:
        v = q.qmp.greeting["version"]["qemu"]  # type: ignore[union-attr]
        return int(v["major"]), int(v["minor"]), int(v["micro"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def identity(q: Qemu) -> tuple[Version, str] | None:
    """The version and machine errata are matched against for q."""
    version = greeting_version(q)
    if version is None:
        return None
    return version, check_machine(q.spec.binary, q.spec.machine)


class Machines:
    """The QEMUs of one entry, source and destinations, in one folder."""

    def __init__(self, entry: Entry, opts: Options, rundir: str) -> None:
        self.entry, self.opts, self.rundir = entry, opts, rundir
        self.live: list[Qemu] = []
        self.transcript: IO[str] | None = None

    @classmethod
    def create(cls, entry: Entry, opts: Options) -> "Machines":
        """Makes the run's folder (mode 0700) and fills it."""
        if opts.log_dir:
            os.makedirs(opts.log_dir, exist_ok=True)
        rundir = tempfile.mkdtemp(prefix=f"slotprobe-{entry.name}-", dir=opts.log_dir)
        os.chmod(rundir, 0o700)
        m = cls(entry, opts, rundir)
        m._write("args", entry.args_line() + "\n")
        if entry.script is not None:   # guest test `script`: its compiled steps
            m._write("script", entry.script.guest)
        if opts.esp:
            shutil.copyfile(opts.esp, os.path.join(rundir, "esp.img"))
        m.transcript = open(os.path.join(rundir, "qmp.log"), "a")
        return m

    def _write(self, name: str, text: str) -> None:
        with open(os.path.join(self.rundir, name), "w") as f:
            f.write(text)

    def _spec(self, incoming: bool, devices: list[str], migrations: int,
              netns: str | None) -> QemuSpec:
        o, e = self.opts, self.entry
        machine = o.machine or e.machine
        binary = o.qemu
        if incoming:
            machine = o.dst_machine or machine
            binary = o.dst_qemu or o.qemu
        esp = os.path.join(self.rundir, "esp.img") if o.esp else None
        return QemuSpec(binary=binary, machine=machine, ovmf=o.ovmf, accel=o.accel,
                        memory=o.memory, kernel=o.kernel, esp=esp,
                        devices=list(devices), incoming=incoming,
                        migration_count=migrations, netns=netns)

    def source(self, netns: str | None) -> Qemu:
        """The first QEMU, with the entry's devices (not started)."""
        return self._new("src", self._spec(False, self.entry.devices, 0, netns))

    def destination(self, side: str, devices: list[str], migrations: int,
                    netns: str | None) -> Qemu:
        """An incoming QEMU (not started); migrations: successful ones
        before it, plus itself (the guest reads it from fw_cfg)."""
        return self._new(side, self._spec(True, devices, migrations + 1, netns))

    def _new(self, side: str, spec: QemuSpec) -> Qemu:
        q = Qemu(spec, self.rundir, side, os.path.join(self.rundir, "args"),
                 self.transcript)
        self.live.append(q)
        if self.entry.script is not None:   # both sides: same fw_cfg files
            q.spec.fw_cfg[SCRIPT_FWCFG] = os.path.join(self.rundir, "script")
        return q

    def retire(self, q: Qemu) -> None:
        q.stop()
        if q in self.live:
            self.live.remove(q)

    def close(self) -> None:
        """Stops every QEMU still running; closes the transcript."""
        for q in list(self.live):
            self.retire(q)
        if self.transcript:
            self.transcript.close()
            self.transcript = None

    def remove(self) -> None:
        shutil.rmtree(self.rundir, ignore_errors=True)
