"""libvirt for the harness: virsh, and the private daemons the harness owns
(`--backend libvirt` without --libvirt-uri).

Each daemon is a root libvirtd with its own configuration, state, log and
socket folders and its own host UUID (libvirt refuses to migrate a domain
to the host it runs on), started by libvirt_guard.py, which deletes it all
when the harness stops it or dies. No systemd, no virtlogd: QEMU writes its
stderr to the daemon's log folder itself (stdio_handler = "file")."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from .interrupt import check as check_interrupt

HERE = os.path.dirname(os.path.abspath(__file__))
GUARD = os.path.join(HERE, "libvirt_guard.py")
EMULATOR = os.path.join(HERE, "libvirt_emulator.py")
INSTALL = "apt-get install libvirt-daemon-system libvirt-clients, or scripts/ensure-deps --libvirt"
# QEMU as root, files as they are: the run's folder is the harness's own.
QEMU_CONF = """user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
stdio_handler = "file"
"""
CAPS_DIR = os.path.join("cache", "qemu", "capabilities")
# libvirt's probe of each QEMU binary (~9 s on TCG, measured) as a daemon
# left it in its cache: file name -> contents. Later daemons of this harness
# start with them (libvirt checks they still match the binaries); kept in
# memory only, so nothing outlives the harness.
_caps: dict[str, bytes] = {}
_caps_lock = threading.Lock()


def caps_known() -> bool:
    with _caps_lock:
        return bool(_caps)


class LibvirtError(Exception):
    """virsh or a daemon failed: the message is one line."""


def unavailable(own_daemons: bool) -> str | None:
    """Why the libvirt backend cannot run here, or None."""
    if not shutil.which("virsh"):
        return f"libvirt backend: virsh not installed ({INSTALL})"
    if not own_daemons:
        return None
    if not shutil.which("libvirtd"):
        return f"libvirt backend: libvirtd not installed ({INSTALL})"
    if os.geteuid() != 0:
        return "libvirt backend: the harness's own libvirtd needs root (or give --libvirt-uri)"
    if not shutil.which("unshare"):
        return "libvirt backend: needs unshare(1) (Debian: util-linux)"
    return None


def virsh(uri: str, *args: str, timeout: float = 30.0) -> str:
    """virsh -c uri args...: its stdout; LibvirtError with virsh's error line."""
    try:
        p = subprocess.run(["virsh", "-q", "-c", uri, *args], capture_output=True,
                           text=True, timeout=max(1.0, timeout), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise LibvirtError(f"virsh {args[0]}: no answer within {timeout:.0f}s") from None
    if p.returncode != 0:
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        raise LibvirtError(f"virsh {args[0]}: " +
                           (lines[-1].removeprefix("error: ") if lines else f"exit {p.returncode}"))
    return p.stdout


class OwnDaemon:
    """A private libvirtd (optionally inside network namespace netns)."""

    def __init__(self, netns: str | None = None) -> None:
        # /tmp, not the run's folder: unix socket paths are short, and the
        # run's folder may be kept as evidence while this one never is.
        self.folder = tempfile.mkdtemp(prefix="slotprobe-libvirt-")
        self.netns = netns
        self.guard: subprocess.Popen[bytes] | None = None
        self.uri = f"qemu+unix:///system?socket={self.folder}/run/libvirt-sock"

    def log_path(self, domain: str) -> str:
        """QEMU's stderr (and libvirt's lines about it) for domain."""
        return os.path.join(self.folder, "log", "qemu", f"{domain}.log")

    def _configure(self) -> None:
        etc = os.path.join(self.folder, "etc")
        os.makedirs(etc)
        caps = os.path.join(self.folder, CAPS_DIR)
        os.makedirs(caps)
        with _caps_lock:
            for name, data in _caps.items():
                with open(os.path.join(caps, name), "wb") as f:
                    f.write(data)
        with open(os.path.join(etc, "libvirtd.conf"), "w") as f:
            f.write(f'host_uuid = "{uuid.uuid4()}"\n'
                    'auth_unix_rw = "none"\nauth_unix_ro = "none"\n'
                    'log_outputs = "2:file:/var/log/libvirt/libvirtd.log"\n')
        with open(os.path.join(etc, "qemu.conf"), "w") as f:
            f.write(QEMU_CONF)

    def launch(self) -> None:
        """Starts the daemon (wait_ready: until it answers)."""
        self._configure()
        cmd = ["unshare", "--mount", sys.executable, GUARD, str(os.getpid()), self.folder]
        if self.netns:
            cmd = ["ip", "netns", "exec", self.netns] + cmd
        with open(os.path.join(self.folder, "guard.log"), "wb") as log:
            self.guard = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=log, start_new_session=True)

    def wait_ready(self, deadline: float) -> None:
        """Returns once the daemon answers: its first answer waits for
        libvirt's probe of QEMU's capabilities (~9 s measured)."""
        assert self.guard is not None
        while True:
            check_interrupt()
            try:
                virsh(self.uri, "version", timeout=max(1.0, deadline - time.monotonic()))
                return
            except LibvirtError as e:
                if self.guard.poll() is not None:
                    raise LibvirtError(f"libvirtd did not start: {e}") from None
                if time.monotonic() > deadline:
                    raise LibvirtError(f"libvirtd did not answer in time: {e}")
            time.sleep(0.3)

    def keep_caps(self) -> None:
        """Remembers the daemon's probes for the daemons started later."""
        caps = os.path.join(self.folder, CAPS_DIR)
        try:
            names = os.listdir(caps)
        except OSError:
            return
        for name in names:
            with _caps_lock:
                if name in _caps:
                    continue
            try:
                with open(os.path.join(caps, name), "rb") as f:
                    data = f.read()
            except OSError:
                continue
            with _caps_lock:
                _caps[name] = data

    def stop(self) -> None:
        """Its domains, the daemon and the folder go (the guard does it)."""
        self.keep_caps()
        if self.guard is not None and self.guard.poll() is None:
            self.guard.send_signal(signal.SIGTERM)
            try:
                self.guard.wait(30)
            except subprocess.TimeoutExpired:
                self.guard.kill()      # the daemon dies with it (PDEATHSIG)
                self.guard.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
