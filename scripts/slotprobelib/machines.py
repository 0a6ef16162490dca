"""QEMU lifetime for one entry: the run's private folder (the guest's
arguments, its script, a copy of the ESP image), the QMP transcript, and
every QEMU started for it, each stopped and reaped by close().

With Options.pipeline the next destination is launched ahead (a spare);
destination() hands it out when it is what is asked for, else stops it.

The unix sockets live in the run folder when their paths fit AF_UNIX's 107
bytes, else in a short private folder of their own under the temp folder
(a long --log-dir or entry name no longer fails the entry). Both folders
carry an owner file (stale.py) until the run is over."""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import IO

from .errata import Version
from .migration import MigrationResult, migrate
from .netns import NetnsPair
from .options import Options
from .plan import Entry
from .qemu import Qemu, QemuError, QemuSpec
from .qemu_info import SetupError, check_machine
from .script import FWCFG_NAME as SCRIPT_FWCFG
from .stale import make_folder, release
from .warmstart import restoring_spec

# The longest socket name in a folder ("dst100000-link.sock",
# "migrate-100000.sock") and the AF_UNIX path limit Qemu._listen applies.
SOCKET_NAME_MAX = 24
SOCKET_PATH_MAX = 100


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
    # QEMUs this backend starts itself may be restored from a saved state
    # (warm start) and launched ahead of their migration (pipelining).
    starts_qemu_itself = True

    def __init__(self, entry: Entry, opts: Options, rundir: str,
                 sockdir: str | None = None) -> None:
        self.entry, self.opts, self.rundir = entry, opts, rundir
        self.sockdir = sockdir or rundir
        self.live: list[Qemu] = []
        self.transcript: IO[str] | None = None
        self.warm = False                   # the source was restored (warmstart.py)
        self.spare: Qemu | None = None      # a destination launched ahead
        self.spares_used = 0

    @classmethod
    def create(cls, entry: Entry, opts: Options) -> "Machines":
        """Makes the run's folder (mode 0700) and fills it."""
        where = opts.log_dir or tempfile.gettempdir()
        try:
            if opts.log_dir:
                os.makedirs(opts.log_dir, exist_ok=True)
            m = cls(entry, opts, make_folder(f"{entry.name}-", opts.log_dir))
        except OSError as e:       # checked before the run (preflight.py); gone since
            raise SetupError(f"cannot make the run folder in {where}: "
                             f"{e.strerror or e}") from None
        try:
            m.sockdir = _socket_folder(m.rundir) or m.rundir
            m._fill()
        except (OSError, SetupError) as e:    # e.g. the disk is full
            m.close()
            m.remove()
            raise SetupError(f"cannot prepare the run folder in {where}: "
                             f"{getattr(e, 'strerror', None) or e}") from None
        return m

    def _fill(self) -> None:
        entry, rundir = self.entry, self.rundir
        self._write("args", entry.args_line() + "\n")
        if entry.script is not None:   # guest test `script`: its compiled steps
            self._write("script", entry.script.guest)
        if self.opts.esp:
            shutil.copyfile(self.opts.esp, os.path.join(rundir, "esp.img"))
        self.transcript = open(os.path.join(rundir, "qmp.log"), "a")

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
        spec = QemuSpec(binary=binary, machine=machine, ovmf=o.ovmf, accel=o.accel,
                        memory=o.memory, kernel=o.kernel, esp=esp,
                        devices=list(devices), incoming=incoming,
                        migration_count=migrations, netns=netns, warm=self.warm)
        if self.entry.script is not None:   # both sides: same fw_cfg files
            spec.fw_cfg[SCRIPT_FWCFG] = os.path.join(self.rundir, "script")
        return spec

    def source_spec(self, netns: str | None) -> QemuSpec:
        """The first QEMU's: the entry's devices, booted cold."""
        return self._spec(False, self.entry.devices, 0, netns)

    def source(self, netns: str | None) -> Qemu:
        """The first QEMU, with the entry's devices (not started)."""
        return self._new("src", self.source_spec(netns))

    def restored_source(self, netns: str | None) -> Qemu:
        """The first QEMU of a warm start (not started): it waits for the
        saved state (warmstart.py); its destinations get the warm fw_cfg too."""
        self.warm = True
        return self._new("src", restoring_spec(self.source_spec(netns)))

    def destination(self, side: str, devices: list[str], migrations: int,
                    netns: str | None) -> Qemu:
        """An incoming QEMU (not started, or launched ahead); migrations:
        successful ones before it, plus itself (the guest reads it from fw_cfg)."""
        spec = self._spec(True, devices, migrations + 1, netns)
        spare, self.spare = self.spare, None
        if spare is not None:
            if spare.side == side and spare.spec == spec and spare.poll() is None:
                self.spares_used += 1
                return spare
            self.retire(spare)
        return self._new(side, spec)

    def launch_spare(self, side: str, devices: list[str], migrations: int,
                     netns: str | None) -> None:
        """Launches destination(side, ...) now, while the guest runs."""
        if self.spare is not None:
            self.retire(self.spare)
        self.spare = self._new(side, self._spec(True, devices, migrations + 1, netns))
        try:
            self.spare.launch()
        except QemuError:
            self.retire(self.spare)
            self.spare = None

    def args_path(self) -> str:
        return os.path.join(self.rundir, "args")

    def _make(self, side: str, spec: QemuSpec) -> Qemu:
        return Qemu(spec, self.rundir, side, self.args_path(), self.transcript,
                    sockdir=self.sockdir)

    def _new(self, side: str, spec: QemuSpec) -> Qemu:
        q = self._make(side, spec)
        self.live.append(q)
        return q

    # -- what a backend does its own way (libvirt_machines.py) -----------------
    def unavailable(self) -> str | None:
        """Why this backend cannot run the entry here (a SKIP), or None."""
        return None

    def boot(self, q: Qemu, timeout: float, netns: NetnsPair | None = None) -> None:
        """Starts the source (netns: the entry's namespaces, if any)."""
        q.start(timeout=timeout)

    def migrate(self, src: Qemu, dst: Qemu, number: int, timeout: float,
                uri: str | None = None) -> MigrationResult:
        return migrate(src, dst, number, timeout, uri=uri)

    def retire(self, q: Qemu) -> None:
        q.stop()
        if q in self.live:
            self.live.remove(q)

    def close(self) -> None:
        """Stops every QEMU still running; closes the transcript; the run is
        over: its folder is nobody's to clean up now (kept logs stay)."""
        for q in list(self.live):
            self.retire(q)
        if self.transcript:
            self.transcript.close()
            self.transcript = None
        if self.sockdir != self.rundir:
            shutil.rmtree(self.sockdir, ignore_errors=True)
        release(self.rundir)

    def remove(self) -> None:
        shutil.rmtree(self.rundir, ignore_errors=True)


def machines_for(entry: Entry, opts: Options) -> Machines:
    """The entry's machines, made by the backend asked for (default QEMU)."""
    if (opts.backend or entry.backend) == "libvirt":
        from .libvirt_machines import LibvirtMachines   # only when asked for
        return LibvirtMachines.create(entry, opts)
    return Machines.create(entry, opts)


def _socket_folder(rundir: str) -> str | None:
    """None when the sockets fit in rundir, else a short private folder."""
    if len(os.fsencode(rundir)) + 1 + SOCKET_NAME_MAX <= SOCKET_PATH_MAX:
        return None
    for parent in (tempfile.gettempdir(), "/tmp"):
        if len(os.fsencode(parent)) + 40 + SOCKET_NAME_MAX <= SOCKET_PATH_MAX:
            return make_folder("sock-", parent)
    raise SetupError(f"no folder for the run's sockets: {rundir} and the temp "
                     "folder are too long for AF_UNIX paths")
