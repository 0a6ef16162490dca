"""Two network namespaces joined by a veth pair, so that source and
destination QEMU migrate over TCP as between two hosts (`--network netns`).

Only the harness's own namespaces carry traffic: the /30 below exists inside
them and nowhere else. Names carry the harness's pid, so namespaces left by
a harness that was SIGKILLed are found and removed by the next run.
QMP and the host link stay unix sockets in the run's folder (a path-bound
unix socket works across network namespaces).
"""
from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import threading

PREFIX = "slotprobe-"
SUBNET_ADDRS = ("10.231.0.1", "10.231.0.2")     # side a, side b (a /30)
_counter = itertools.count(1)
_lock = threading.Lock()


class NetnsError(Exception):
    """ip(8) refused: the message is one line."""


def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None."""
    if os.geteuid() != 0:
        return "--network netns needs root (ip netns add)"
    if not shutil.which("ip"):
        return "--network netns needs ip(8) (Debian: apt-get install iproute2)"
    return None


def _ip(*args: str, check: bool = True) -> str:
    p = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20,
                       stdin=subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {p.stderr.strip() or p.returncode}")
    return p.stdout


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale() -> list[str]:
    """Deletes namespaces of harnesses that no longer run; returns them."""
    gone = []
    for line in _ip("netns", "list", check=False).splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.fullmatch(rf"{PREFIX}(\d+)-\d+[ab]", name)
        if m and not _alive(int(m.group(1))):
            _ip("netns", "del", name, check=False)
            gone.append(name)
    return gone


class NetnsPair:
    """Context manager: namespaces a and b, veth a<->b, 10.231.0.1/30 in a,
    10.231.0.2/30 in b; everything is deleted on exit (and on SIGINT, which
    unwinds through __exit__)."""

    def __init__(self) -> None:
        with _lock:
            n = next(_counter)
        base = f"{PREFIX}{os.getpid()}-{n}"
        self.names = (base + "a", base + "b")
        self.made: list[str] = []

    def address(self, ns: str) -> str:
        return SUBNET_ADDRS[self.names.index(ns)]

    def other(self, ns: str | None) -> str:
        return self.names[1] if ns == self.names[0] else self.names[0]

    def __enter__(self) -> "NetnsPair":
        try:
            for ns in self.names:
                # Noted before it exists: a signal can cut `ip netns add`
                # short after the kernel made the namespace; deleting one
                # that was never made is harmless.
                self.made.append(ns)
                _ip("netns", "add", ns)
            a, b = self.names
            # veth names are per namespace: create both ends inside a, move one
            _ip("-n", a, "link", "add", "sp0", "type", "veth", "peer", "name", "sp1")
            _ip("-n", a, "link", "set", "sp1", "netns", b)
            for ns, dev, addr in ((a, "sp0", SUBNET_ADDRS[0]), (b, "sp1", SUBNET_ADDRS[1])):
                _ip("-n", ns, "addr", "add", f"{addr}/30", "dev", dev)
                _ip("-n", ns, "link", "set", dev, "up")
                _ip("-n", ns, "link", "set", "lo", "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for ns in reversed(self.made):   # deleting a namespace deletes its veth end
            _ip("netns", "del", ns, check=False)
        self.made = []
