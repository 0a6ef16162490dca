"""One QEMU process: its command line, its sockets and logs in the run's
private folder, and a context manager that always kills and reaps it.

The harness listens on the unix sockets and QEMU connects as a client
(QEMU 7.2 does this synchronously at start-up), so there is no
connect/poll race and no retry loop.
"""
from __future__ import annotations

import ctypes
import os
import select
import shlex
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from typing import IO

from . import contract, interrupt
from .qmp import Qmp, QmpError

PR_SET_PDEATHSIG = 1
DEBUG_EXIT = "isa-debug-exit,iobase=0xf4,iosize=4"
# 8 decimal digits: successful migrations before this QEMU ran the guest.
# fw_cfg file contents are not migrated, so each QEMU tells its own number.
MIGRATION_FWCFG = contract.FWCFG_MIGRATION
# Present only in QEMUs of a warm start (warmstart.py): the image stops at
# checkpoint contract.WARM_CHECKPOINT before it reads its selection.
WARM_FWCFG = contract.FWCFG_WARM


class QemuError(Exception):
    """QEMU did not start or stopped talking."""


def opt_value(path: str) -> str:
    """A path as the value in a QEMU option string (`key=value,...`): QEMU
    reads ",," as one literal comma and "," as the end of the value."""
    return path.replace(",", ",,")


@dataclass
class QemuSpec:
    binary: str
    machine: str
    ovmf: str
    accel: str = "tcg"
    memory: str = "256"
    kernel: str | None = None       # EFI image booted with -kernel
    esp: str | None = None          # or a raw ESP disk image
    devices: list[str] = field(default_factory=list)
    incoming: bool = False
    # More fw_cfg files for the guest: name -> host file (e.g. the script).
    fw_cfg: dict[str, str] = field(default_factory=dict)
    # Successful migrations before this QEMU runs the guest (0 for the first
    # source, 1 for the first destination...): fw_cfg opt/slotprobe/migration.
    migration_count: int = 0
    netns: str | None = None        # run inside this network namespace
    warm: bool = False              # a warm start's QEMU (fw_cfg WARM_FWCFG)


_LIBC = ctypes.CDLL(None, use_errno=True)   # resolved before any fork


def die_with_parent() -> None:
    # Runs in the child between fork and exec: if the harness dies (even by
    # SIGKILL), the kernel kills QEMU too. Nothing here loads a library, so
    # it is safe with --jobs' threads.
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Qemu:
    def __init__(self, spec: QemuSpec, rundir: str, side: str, args_file: str,
                 transcript: IO[str] | None = None, sockdir: str | None = None) -> None:
        """sockdir: where the unix sockets go (default rundir); AF_UNIX paths
        are limited to 107 bytes, a log folder's name is not."""
        self.spec, self.rundir, self.side = spec, rundir, side
        self.sockdir = sockdir or rundir
        self.args_file = args_file
        self.transcript = transcript
        p = lambda name: os.path.join(rundir, f"{side}-{name}")  # noqa: E731
        sock = lambda name: os.path.join(self.sockdir, f"{side}-{name}")  # noqa: E731
        self.qmp_path, self.link_path = sock("qmp.sock"), sock("link.sock")
        self.console_path, self.stderr_path = p("console.log"), p("stderr.log")
        self.link_raw_path = p("hostlink.raw")
        self.proc: subprocess.Popen[bytes] | None = None
        self.qmp: Qmp | None = None
        self.link: socket.socket | None = None
        self._listeners: list[socket.socket] = []
        self._link_raw: IO[bytes] | None = None
        self.returncode: int | None = None

    def command_line(self) -> list[str]:
        """Paths inside option strings go through opt_value (a run folder
        may have a comma in its name); -bios and -kernel take a bare path."""
        s, v = self.spec, opt_value
        cmd = [s.binary, "-accel", s.accel, "-machine", s.machine,
               "-m", s.memory, "-nodefaults", "-display", "none", "-no-reboot",
               "-bios", s.ovmf,
               "-chardev", f"socket,id=qmp,path={v(self.qmp_path)}",
               "-mon", "chardev=qmp,mode=control",
               "-chardev", f"file,id=con,path={v(self.console_path)}",
               "-serial", "chardev:con",
               "-chardev", f"socket,id=hostlink,path={v(self.link_path)}",
               "-serial", "chardev:hostlink",
               "-device", DEBUG_EXIT,
               "-fw_cfg", f"name={contract.FWCFG_ARGS},file={v(self.args_file)}",
               "-fw_cfg", f"name={MIGRATION_FWCFG},string={s.migration_count:08d}"]
        if s.warm:
            cmd += ["-fw_cfg", f"name={WARM_FWCFG},string=1"]
        for name, path in s.fw_cfg.items():
            cmd += ["-fw_cfg", f"name={name},file={v(path)}"]
        if s.kernel:
            cmd += ["-kernel", s.kernel]
        if s.esp:
            cmd += ["-drive", f"if=none,id=esp,format=raw,file={v(s.esp)}",
                    "-device", "ide-hd,drive=esp,bus=ide.0"]
        cmd += s.devices
        if s.incoming:
            cmd += ["-incoming", "defer"]
        if s.netns:   # ip(8) enters the namespace and execs QEMU: same pid
            cmd = ["ip", "netns", "exec", s.netns] + cmd
        return cmd

    def _listen(self, path: str) -> socket.socket:
        if len(path.encode()) > 100:
            raise QemuError(f"socket path too long for AF_UNIX: {path}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(path)
            sock.listen(1)
        except OSError as e:
            # e.g. the run folder was removed under us: a reported failure,
            # not a traceback.
            sock.close()
            raise QemuError(f"cannot listen on {path}: {e.strerror or e}") from None
        self._listeners.append(sock)
        return sock

    def _accept(self, listener: socket.socket, what: str,
                deadline: float) -> socket.socket:
        while True:
            interrupt.check()
            ready, _, _ = select.select([listener], [], [], 0.1)
            if ready:
                conn, _ = listener.accept()
                return conn
            if self.poll() is not None:
                raise QemuError(f"{self.side} QEMU exited with status "
                                f"{self.returncode} before connecting its "
                                f"{what}: {self.stderr_tail(1) or 'no message'}")
            if time.monotonic() > deadline:
                raise QemuError(f"{self.side} QEMU did not connect its {what}")

    def start(self, timeout: float = 20.0) -> None:
        self.launch()
        self.connect(timeout)

    def launch(self) -> None:
        """Starts the process; connect() waits for its sockets. Apart, so
        that a destination can start while the guest still runs (pipelining)."""
        self._listen(self.qmp_path)
        self._listen(self.link_path)
        cmd = self.command_line()
        with open(os.path.join(self.rundir, f"{self.side}-cmdline"), "w") as f:
            f.write(shlex.join(cmd) + "\n")
        with open(self.stderr_path, "wb") as err:
            try:
                self.proc = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                    start_new_session=True, preexec_fn=die_with_parent)
            except OSError as e:
                raise QemuError(f"cannot start {cmd[0]}: {e}") from None

    @property
    def launched(self) -> bool:
        return self.proc is not None

    def connect(self, timeout: float = 20.0) -> None:
        qmp_l, link_l = self._listeners
        deadline = time.monotonic() + timeout
        self.qmp = Qmp(self._accept(qmp_l, "QMP socket", deadline),
                       self.transcript, self.side)
        self.link = self._accept(link_l, "host link", deadline)
        self._link_raw = open(self.link_raw_path, "ab")
        try:
            self.qmp.handshake(max(1.0, deadline - time.monotonic()))
        except QmpError as e:
            raise QemuError(str(e)) from None

    # -- host link ---------------------------------------------------------
    def link_recv(self, timeout: float) -> bytes | None:
        """Bytes from the guest's COM2; None if nothing came, b"" at EOF."""
        if self.link is None:
            return b""
        ready, _, _ = select.select([self.link], [], [], max(0.0, timeout))
        if not ready:
            return None
        try:
            data = self.link.recv(4096)
        except OSError:
            data = b""
        if self._link_raw:
            self._link_raw.write(data)
            self._link_raw.flush()
        return data

    def link_pending(self) -> bool:
        """Whether the guest's bytes wait unread on the host link."""
        if self.link is None:
            return False
        ready, _, _ = select.select([self.link], [], [], 0)
        try:
            return bool(ready and self.link.recv(1, socket.MSG_PEEK))
        except OSError:
            return False

    def link_send(self, data: bytes) -> None:
        if self._link_raw:
            self._link_raw.write(b">> " + data)
            self._link_raw.flush()
        if self.link is None:
            raise QemuError(f"{self.side}: host link closed")
        try:
            self.link.sendall(data)
        except OSError as e:
            raise QemuError(f"{self.side}: host link: {e}") from None

    # -- process -----------------------------------------------------------
    def poll(self) -> int | None:
        if self.proc is None:
            return self.returncode
        if self.returncode is None:
            self.returncode = self.proc.poll()
        return self.returncode

    def wait(self, timeout: float) -> int | None:
        if self.proc is None:
            return self.returncode
        try:
            self.returncode = self.proc.wait(timeout=max(0.0, timeout))
        except subprocess.TimeoutExpired:
            pass
        return self.returncode

    def cpu_seconds(self) -> float | None:
        """CPU time QEMU has used so far (user + system, all threads), None
        when it is not known (not started, gone, no /proc)."""
        if self.proc is None or self.poll() is not None:
            return None
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def stderr_text(self) -> str:
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stderr_tail(self, n: int) -> str:
        lines = [l for l in self.stderr_text().splitlines() if l.strip()]
        return " / ".join(lines[-n:])

    def console_tail(self, n: int) -> list[str]:
        try:
            with open(self.console_path, "rb") as f:
                text = f.read()[-8192:].decode("ascii", "replace")
        except OSError:
            return []
        text = text.replace("\x1b", "")
        return [l.rstrip("\r") for l in text.splitlines() if l.strip()][-n:]

    def stop(self, grace: float = 2.0) -> None:
        """quit over QMP, wait briefly, then SIGKILL the group; always reaps."""
        if self.proc is not None and self.poll() is None:
            if self.qmp is not None and not self.qmp.closed:
                try:
                    self.qmp.command("quit", timeout=grace)
                except QmpError:
                    pass
            # Launched but never connected (a spare destination): nothing to wait for.
            if self.wait(grace if self.qmp is not None else 0.0) is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.returncode = self.proc.wait()
        if self.qmp is not None:
            self.qmp.close()
        for s in [self.link, *self._listeners]:
            if s is not None:
                s.close()
        self.link, self._listeners = None, []
        if self._link_raw:
            self._link_raw.close()
            self._link_raw = None
        for path in (self.qmp_path, self.link_path):
            try:
                os.unlink(path)
            except OSError:
                pass

    def __enter__(self) -> "Qemu":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
