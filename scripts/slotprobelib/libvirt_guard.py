#!/usr/bin/python3
"""Runs one private libvirtd for the harness and removes every trace of it:
usage: libvirt_guard.py HARNESS_PID FOLDER (inside `unshare -m`).

The daemon sees FOLDER's etc/, run/, lib/, log/ and cache/ as
/etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt and
/var/cache/libvirt (bind mounts in this private mount namespace), so it
shares nothing with a system libvirt or another harness. The guard runs in
its own session, apart from the harness: when the harness ends, however it
ends (SIGKILL included), or sends SIGTERM, the guard kills the daemon's
QEMUs (their pid files), stops the daemon and deletes FOLDER.
Standalone (no slotprobelib imports): it outlives the harness."""
import ctypes
import glob
import os
import select
import shutil
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1
MOUNTS = {"etc": "/etc/libvirt", "run": "/run/libvirt", "lib": "/var/lib/libvirt",
          "log": "/var/log/libvirt", "cache": "/var/cache/libvirt"}
_libc = ctypes.CDLL(None)


def _bind(folder: str) -> None:
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    for sub, target in MOUNTS.items():
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
        os.makedirs(target, exist_ok=True)
        subprocess.run(["mount", "--bind", os.path.join(folder, sub), target], check=True)


def _die_with_guard() -> None:
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _kill_domains(folder: str) -> None:
    """SIGKILL to every QEMU (emulator wrapper) the daemon recorded."""
    for path in glob.glob(os.path.join(folder, "run", "qemu", "*.pid")):
        try:
            with open(path) as f:
                os.kill(int(f.read().strip()), signal.SIGKILL)
        except (OSError, ValueError):
            pass


def _stop(daemon: subprocess.Popen, folder: str) -> None:
    _kill_domains(folder)
    if daemon.poll() is None:
        daemon.terminate()
        try:
            daemon.wait(5)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
    _kill_domains(folder)     # one the daemon started while stopping
    shutil.rmtree(folder, ignore_errors=True)


class _Stop(Exception):
    """SIGTERM from the harness: its run is over."""


def _on_sigterm(*_: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)     # the clean-up completes
    raise _Stop


def main() -> int:
    harness, folder = int(sys.argv[1]), sys.argv[2]
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the harness decides
    daemon = None
    try:
        watch = os.pidfd_open(harness)     # ProcessLookupError: gone already
        _bind(folder)
        with open(os.path.join(folder, "daemon.log"), "ab") as log:
            daemon = subprocess.Popen(
                ["libvirtd", "--pid-file", os.path.join(folder, "libvirtd.pid")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                preexec_fn=_die_with_guard)
        ends = os.pidfd_open(daemon.pid)
        select.select([watch, ends], [], [])
    except (_Stop, OSError, subprocess.CalledProcessError):
        pass
    finally:
        if daemon is not None:
            _stop(daemon, folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
