"""`--backend libvirt`: the entry's machines as libvirt domains.

Same interface as machines.py/qemu.py (runner.py, session.py and
migration_control.py do not know which backend runs): LibvirtQemu is a Qemu
whose process libvirt starts (`virsh create` of a transient domain) and
whose QMP goes through libvirt (LibvirtQmp); LibvirtMachines migrates with
`virsh migrate --live --p2p` to the other of two daemons, the harness's own
(libvirt_daemon.py) or --libvirt-uri/--dst-libvirt-uri.

What the harness asks of QEMU goes through libvirt's own paths, so libvirt's
bookkeeping runs: device_add/device_del are `virsh attach-device` /
`detach-device-alias`, the destination is started from the source's live
definition (`virsh dumpxml --migratable`), in which libvirt drops a device
once QEMU reported it DEVICE_DELETED; other commands are
`virsh qemu-monitor-command`, events come from `virsh qemu-monitor-event`.
The guest's exit status: libvirt does not wait for QEMU, so QEMU runs under
libvirt_emulator.py (the domain's <emulator>), which writes QEMU's status
to the run's folder; a daemon on another host needs this checkout at the
same path."""
from __future__ import annotations

import ctypes
import json
import os
import re
import select
import shlex
import signal
import socket
import subprocess
import time
from typing import IO, Any, Callable

from .interrupt import check as check_interrupt
from . import contract
from .libvirt_daemon import (EMULATOR, LibvirtError, OwnDaemon, caps_known, unavailable,
                             virsh)
from .libvirt_domain import (USER_ALIAS, DomainError, DomainPaths, destination_xml,
                             domain_xml, hotplug_xml)
from .machines import Machines
from .migration import MigrationResult, reason_line
from .netns import NetnsPair
from .options import Options
from .plan import Entry
from .qemu import Qemu, QemuError, QemuSpec
from .qmp import QmpError

PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)
# "event DEVICE_DELETED at 1701432123.123456 for domain 'x': {...}"
_EVENT = re.compile(r"^event (\S+) .*?for domain '[^']*': (.*)$")
# QEMU's -msg timestamp=on prefix, as libvirt quotes QEMU's error lines
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z ")
ENDED_POLL = 1.0        # seconds between domain state queries once the link closed
EXIT_FILE_WAIT = 3.0    # for libvirt_emulator.py's status once the domain ended


def _die_with_parent() -> None:
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _unalias(data: Any) -> Any:
    """QEMU knows our devices as ua-ID (libvirt_domain.py); the plan as ID."""
    if isinstance(data, dict) and str(data.get("device", "")).startswith(USER_ALIAS):
        data = dict(data, device=data["device"][len(USER_ALIAS):])
    return data


class LibvirtQmp:
    """Qmp's interface (qmp.py) over libvirt's monitor passthrough."""

    def __init__(self, q: "LibvirtQemu", transcript: IO[str] | None) -> None:
        self.q, self.name, self._transcript = q, q.side, transcript
        self.events: list[dict[str, Any]] = []
        self.greeting: dict[str, Any] = {}
        self.closed = False
        self._buf = b""
        self._watch: subprocess.Popen[bytes] | None = None

    def _log(self, direction: str, text: str) -> None:
        if self._transcript:
            self._transcript.write(f"{time.monotonic():.3f} {self.name} {direction} {text}\n")
            self._transcript.flush()

    def open(self) -> None:
        """Starts the event stream; reads the version for the greeting."""
        self._watch = subprocess.Popen(
            ["virsh", "-q", "-c", self.q.uri, "qemu-monitor-event", "--domain",
             self.q.name, "--loop"], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent)
        self.greeting = {"version": self.command("query-version")}

    def command(self, name: str, timeout: float = 10.0, **args: Any) -> Any:
        if self.closed:
            raise QmpError(f"{self.name}: {name}: domain gone")
        if name == "device_add":
            try:
                element = hotplug_xml(args, self.q.spec.devices)
            except DomainError as e:
                raise QmpError(f"{self.name}: {e}") from None
            return self._libvirt(timeout, "attach-device", self.q.name,
                                 self.q.xml_file(element), "--live")
        if name == "device_del":
            return self._libvirt(timeout, "detach-device-alias", self.q.name,
                                 USER_ALIAS + str(args.get("id")), "--live")
        cmd: dict[str, Any] = {"execute": name}
        if args:
            cmd["arguments"] = args
        reply = self._libvirt(timeout, "qemu-monitor-command", self.q.name, json.dumps(cmd))
        try:
            msg = json.loads(reply)
        except ValueError:
            raise QmpError(f"{self.name}: {name}: not JSON: {reply[:80]}") from None
        if "error" in msg:
            raise QmpError(f"{self.name}: {name}: {msg['error'].get('desc', msg['error'])}")
        return msg.get("return")

    def _libvirt(self, timeout: float, *args: str) -> str:
        self._log("->", "virsh " + " ".join(args))
        try:
            out = virsh(self.q.uri, *args, timeout=timeout).strip()
        except LibvirtError as e:
            self._log("<-", str(e))
            raise QmpError(f"{self.name}: {e}") from None
        self._log("<-", out)
        return out

    def poll_events(self, timeout: float = 0.0) -> None:
        """Events libvirt passed on so far (waiting up to timeout for one)."""
        if self._watch is None or self._watch.stdout is None:
            return
        fd = self._watch.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
        while ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            self._buf += chunk
            ready, _, _ = select.select([fd], [], [], 0)
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            self._event(line.decode("utf-8", "replace").strip())

    def _event(self, line: str) -> None:
        m = _EVENT.match(line)
        if not m:
            return
        self._log("<-", line)
        try:
            data = json.loads(m.group(2))
        except ValueError:
            data = {}
        self.events.append({"event": m.group(1), "data": _unalias(data)})

    def wait_event(self, name: str, timeout: float,
                   predicate: Callable[[dict[str, Any]], bool] | None = None,
                   start: int = 0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events[start:]:
                if ev.get("event") == name and (predicate is None or predicate(ev)):
                    return ev
            left = deadline - time.monotonic()
            if left <= 0:
                raise QmpError(f"{self.name}: no {name} event within {timeout:g}s")
            self.poll_events(min(left, 0.2))

    def close(self) -> None:
        self.closed = True
        if self._watch is not None:
            if self._watch.poll() is None:
                self._watch.kill()
            self._watch.wait()
            if self._watch.stdout:
                self._watch.stdout.close()
            self._watch = None


class LibvirtQemu(Qemu):
    """One QEMU of the domain: the source, or a migration's destination."""

    def __init__(self, spec: QemuSpec, rundir: str, side: str, args_file: str,
                 transcript: IO[str] | None, name: str) -> None:
        super().__init__(spec, rundir, side, args_file, transcript)
        self.name = name
        self.exit_path = os.path.join(rundir, f"{side}-exit-status")
        self.uri = ""
        self.log_path: str | None = None    # the daemon's QEMU log, own daemons
        self._log_offset = 0
        self.domid: str | None = None
        self._ended_check = 0.0

    def paths(self) -> DomainPaths:
        return DomainPaths(self.console_path, self.link_path, self.exit_path,
                           self.spec.migration_count)

    def xml_file(self, text: str, what: str = "attach") -> str:
        """text in the run's folder (what libvirt was told, kept as evidence)."""
        n = 1 + sum(f.startswith(f"{self.side}-{what}") for f in os.listdir(self.rundir))
        path = os.path.join(self.rundir, f"{self.side}-{what}-{n}.xml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def place(self, uri: str, log_path: str | None) -> None:
        """The daemon this QEMU runs under."""
        self.uri, self.log_path = uri, log_path
        try:
            self._log_offset = os.path.getsize(log_path) if log_path else 0
        except OSError:
            self._log_offset = 0

    def domain_xml(self) -> str:
        s = self.spec
        if not s.kernel:
            raise QemuError("libvirt backend: boots --image only, not --esp")
        fw_cfg = {contract.FWCFG_ARGS: self.args_file, **s.fw_cfg}
        return domain_xml(self.name, s.machine, s.memory, s.ovmf, s.kernel,
                          fw_cfg, s.devices, self.paths(), EMULATOR, s.binary)

    def start(self, timeout: float = 20.0) -> None:
        """Creates the transient domain and connects to it."""
        link_l = self._listen(self.link_path)
        path = os.path.join(self.rundir, f"{self.side}-domain.xml")
        with open(path, "w") as f:
            f.write(self.domain_xml())
        try:
            virsh(self.uri, "create", path, timeout=timeout)
        except LibvirtError as e:
            raise QemuError(f"{self.side}: {e}") from None
        self.adopt(link_l, time.monotonic() + timeout)

    def listen(self) -> Any:
        """A destination's host link listener, before the migration."""
        return self._listen(self.link_path)

    def adopt(self, link_l: Any, deadline: float) -> None:
        """The domain runs here now: its id, its host link, its monitor."""
        try:
            self.domid = virsh(self.uri, "domid", self.name).strip()
        except LibvirtError as e:
            raise QemuError(f"{self.side}: {e}") from None
        self.link = self._accept(link_l, "host link", deadline)
        self._link_raw = open(self.link_raw_path, "ab")
        self.qmp = LibvirtQmp(self, self.transcript)  # type: ignore[assignment]
        try:
            self.qmp.open()  # type: ignore[attr-defined]
        except QmpError as e:
            raise QemuError(str(e)) from None

    # -- how it ended ----------------------------------------------------------
    def _read_exit(self) -> int | None:
        try:
            with open(self.exit_path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def _read_exit_soon(self, deadline: float) -> int | None:
        """The emulator wrapper writes the status just after QEMU ended."""
        while True:
            code = self._read_exit()
            if code is not None or time.monotonic() >= deadline:
                return code
            time.sleep(0.05)

    def _running_here(self) -> bool:
        if self.domid is None:
            return False
        try:
            return virsh(self.uri, "domid", self.name, timeout=10).strip() == self.domid
        except LibvirtError:
            return False

    def poll(self) -> int | None:
        if self.returncode is not None or self.domid is None:
            return self.returncode
        code = self._read_exit()
        if code is not None:
            self.returncode = code
            return code
        # Without an exit file: once QEMU closed the host link, ask libvirt
        # (not on every poll: a virsh call costs ~50 ms).
        now = time.monotonic()
        if self.link is not None and not self._link_closed() or now < self._ended_check:
            return None
        self._ended_check = now + ENDED_POLL
        if not self._running_here():
            code = self._read_exit_soon(time.monotonic() + EXIT_FILE_WAIT)
            # no status: the wrapper itself was killed (SIGKILL, the only
            # signal it cannot pass on), so QEMU was too
            self.returncode = code if code is not None else -signal.SIGKILL
        return self.returncode

    def _link_closed(self) -> bool:
        assert self.link is not None
        ready, _, _ = select.select([self.link], [], [], 0)
        if not ready:
            return False
        try:
            return self.link.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def wait(self, timeout: float) -> int | None:
        deadline = time.monotonic() + max(0.0, timeout)
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.returncode

    def stderr_text(self) -> str:
        """QEMU's stderr: its lines in the daemon's log, without libvirt's
        command line block."""
        if not self.log_path:
            return ""
        try:
            with open(self.log_path, errors="replace") as f:
                f.seek(self._log_offset)
                text = f.read()
        except OSError:
            return ""
        out, in_cmdline = [], False
        for line in text.splitlines():
            if line.startswith("LC_ALL="):
                in_cmdline = True
            if not in_cmdline:
                out.append(line)
            if in_cmdline and not line.endswith("\\"):
                in_cmdline = False
        return "\n".join(out) + "\n"

    def stop(self, grace: float = 2.0) -> None:
        """Destroys the domain if it still runs on this QEMU; closes all."""
        if self.domid is not None and self.returncode is None and self._running_here():
            try:
                virsh(self.uri, "destroy", self.name, timeout=20)
            except LibvirtError:
                pass
            self.wait(grace)
            if self.returncode is None:
                self.returncode = -signal.SIGKILL
        super().stop(grace)


class LibvirtMachines(Machines):
    """The entry's domain on two libvirt daemons: the source's and the
    migrations' other one (each migration goes to the daemon the guest is
    not on)."""
    starts_qemu_itself = False   # libvirt starts every QEMU: cold, on demand

    def __init__(self, entry: Entry, opts: Options, rundir: str) -> None:
        super().__init__(entry, opts, rundir)
        self.daemons: list[OwnDaemon] = []
        self.uris = [opts.libvirt_uri, opts.dst_libvirt_uri or opts.libvirt_uri]
        self.name = f"slotprobe-{entry.name}-{os.getpid()}-{os.path.basename(rundir)[-8:]}"

    @property
    def own(self) -> bool:
        return not self.opts.libvirt_uri

    def unavailable(self) -> str | None:
        if not self.own and (self.opts.network or self.entry.network) == "netns":
            return "libvirt backend: --network netns needs the harness's own daemons"
        return unavailable(self.own)

    def start_daemons(self, timeout: float, netns: NetnsPair | None) -> None:
        """Two daemons (in the two namespaces with --network netns)."""
        if not self.own or self.daemons:
            return
        names = netns.names if netns else (None, None)
        self.daemons = [OwnDaemon(names[0]), OwnDaemon(names[1])]
        deadline = time.monotonic() + timeout
        first, second = self.daemons
        first.launch()
        if not caps_known():    # the second starts with the first's probes
            first.wait_ready(deadline)
            first.keep_caps()
        second.launch()
        first.wait_ready(deadline)
        second.wait_ready(deadline)

    def _where(self, index: int) -> tuple[str, str | None]:
        if self.own:
            d = self.daemons[index]
            return d.uri, d.log_path(self.name)
        return str(self.uris[index]), None

    def _make(self, side: str, spec: QemuSpec) -> Qemu:
        return LibvirtQemu(spec, self.rundir, side, self.args_path(), self.transcript,
                           self.name)

    def boot(self, q: Qemu, timeout: float, netns: NetnsPair | None = None) -> None:
        """Starts the daemons (first) and the source domain."""
        try:
            self.start_daemons(max(timeout, 120.0), netns)
        except LibvirtError as e:
            raise QemuError(str(e)) from None
        assert isinstance(q, LibvirtQemu)
        q.place(*self._where(0))
        q.start(timeout)

    def migrate(self, src: Qemu, dst: Qemu, number: int, timeout: float,
                uri: str | None = None) -> MigrationResult:
        assert isinstance(src, LibvirtQemu) and isinstance(dst, LibvirtQemu)
        t0 = time.monotonic()
        here = 0 if src.uri == self._where(0)[0] else 1
        dst.place(*self._where(1 - here))
        result = MigrationResult(False, 0.0)
        try:
            live = virsh(src.uri, "dumpxml", "--migratable", src.name)
            xml = dst.xml_file(destination_xml(live, dst.paths()), "domain")
            link_l = dst.listen()
            error = self._virsh_migrate(src, dst, xml, number, t0 + timeout, uri)
            if error is None:
                dst.adopt(link_l, time.monotonic() + 20)
        except (LibvirtError, DomainError, QemuError) as e:
            error = str(e)
        result.seconds = result.switchover = time.monotonic() - t0
        if error is None:
            result.ok = True
            return result
        dst.qmp = LibvirtQmp(dst, None)  # type: ignore[assignment]
        dst.qmp.greeting = src.qmp.greeting if src.qmp else {}
        dst.qmp.closed = True
        result.dst_errors = [l for l in dst.stderr_text().splitlines()
                             if "qemu-system" in l][-12:]
        result.error = error + (": " + reason_line(result.dst_errors)
                                if result.dst_errors else "")
        return result

    def _virsh_migrate(self, src: LibvirtQemu, dst: LibvirtQemu, xml: str,
                       number: int, deadline: float, uri: str | None) -> str | None:
        """virsh migrate, within deadline: None, or why it failed."""
        sock = os.path.join(self.rundir, f"migrate-{number}.sock")
        cmd = ["virsh", "-q", "-c", src.uri, "migrate", "--live", "--p2p",
               "--xml", xml, src.name, dst.uri]
        if uri:        # between network namespaces: "tcp:ADDR:PORT"
            cmd += ["--migrateuri", "tcp://" + uri.removeprefix("tcp:")]
        elif self.own:   # else libvirt's default: TCP to the destination host
            cmd += ["--migrateuri", f"unix://{sock}"]
        with open(os.path.join(self.rundir, f"migrate-{number}.log"), "w+") as out:
            out.write(shlex.join(cmd) + "\n")
            out.flush()
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                 preexec_fn=_die_with_parent)
            try:
                while p.poll() is None:
                    check_interrupt()
                    if time.monotonic() > deadline:
                        virsh(src.uri, "domjobabort", src.name, timeout=10)
                        p.wait(20)
                        return "virsh migrate: did not finish before the deadline"
                    time.sleep(0.05)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            out.seek(0)
            lines = [_STAMP.sub("", l.removeprefix("error: "))
                     for l in out.read().splitlines()[1:] if l.strip()]
        if p.returncode == 0:
            return None
        return "virsh migrate: " + (lines[-1] if lines else f"exit {p.returncode}")

    def close(self) -> None:
        super().close()
        for d in self.daemons:
            d.stop()
        self.daemons = []

