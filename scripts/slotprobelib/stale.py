"""Folders the harness makes for a run (run folders, socket folders, KVM-probe
folders) carry an owner file naming the process that made them; it goes when
the run is over (a kept log folder stays, without it). A harness killed by
SIGKILL cannot clean up: the next run removes every such folder whose owner
is gone, as netns.py does for namespaces."""
from __future__ import annotations

import os
import shutil
import tempfile

OWNER = ".slotprobe-owner"
PREFIX = "slotprobe-"


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot): with the pid it
    names one process, even after the pid is reused."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _owner_line() -> str:
    return f"{os.getpid()} {_start_time(os.getpid())}\n"


def make_folder(prefix: str, parent: str | None = None) -> str:
    """A private (0700) folder named PREFIX + prefix + random, owned by us."""
    folder = tempfile.mkdtemp(prefix=PREFIX + prefix, dir=parent)
    os.chmod(folder, 0o700)
    with open(os.path.join(folder, OWNER), "w") as f:
        f.write(_owner_line())
    return folder


def release(folder: str) -> None:
    """The run is over: the folder is no longer anybody's to clean up."""
    try:
        os.unlink(os.path.join(folder, OWNER))
    except OSError:
        pass


def _owner_gone(folder: str) -> bool:
    try:
        with open(os.path.join(folder, OWNER)) as f:
            pid, start = f.read().split()
    except (OSError, ValueError):
        return False          # no owner file: kept logs, or not ours
    return not pid.isdigit() or _start_time(int(pid)) != start


def remove_stale(parents: list[str | None]) -> list[str]:
    """Removes our folders in each parent (None: the temp folder) whose
    owner process is gone; returns them."""
    gone = []
    for parent in dict.fromkeys(p or tempfile.gettempdir() for p in parents):
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            folder = os.path.join(parent, name)
            if name.startswith(PREFIX) and not os.path.islink(folder) \
                    and os.path.isdir(folder) and _owner_gone(folder):
                shutil.rmtree(folder, ignore_errors=True)
                gone.append(folder)
    return gone
