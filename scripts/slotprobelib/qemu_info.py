"""What a QEMU binary offers: its machine types (cached per binary) and
whether KVM really works (probed by booting, not by looking at /dev/kvm:
here /dev/kvm exists but guests die with "KVM internal error")."""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import time

from .qemu import Qemu, QemuError, QemuSpec, die_with_parent
from .qmp import QmpError
from .stale import make_folder


class SetupError(Exception):
    """A usage or set-up problem: the harness exits 2 with this one line."""


def find_binary(path: str) -> str:
    found = shutil.which(path) if os.sep not in path else path
    if not found or not os.access(found, os.X_OK) or os.path.isdir(found):
        raise SetupError(f"QEMU binary not found or not executable: {path}")
    return found


@functools.lru_cache(maxsize=None)
def machine_types(binary: str) -> dict[str, str]:
    """name -> canonical name (aliases such as q35 resolve to pc-q35-7.2)."""
    try:
        # A QEMU that hangs here must not outlive a SIGKILLed harness.
        out = subprocess.run([binary, "-machine", "help"], capture_output=True,
                             text=True, timeout=20, stdin=subprocess.DEVNULL,
                             preexec_fn=die_with_parent)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SetupError(f"{binary} -machine help failed: {e}") from None
    if out.returncode != 0:
        raise SetupError(f"{binary} -machine help failed: "
                         f"{out.stderr.strip()[:120]}")
    types: dict[str, str] = {}
    for line in out.stdout.splitlines()[1:]:
        parts = line.split(None, 1)
        if not parts:
            continue
        alias = re.search(r"\(alias of ([^)]+)\)", line)
        types[parts[0]] = alias.group(1) if alias else parts[0]
    return types


def check_machine(binary: str, machine: str) -> str:
    """Returns the canonical machine type; SetupError if unknown."""
    types = machine_types(binary)
    if machine not in types:
        raise SetupError(f"unknown machine type '{machine}' for {binary} "
                         f"(see: {binary} -machine help)")
    return types[machine]


@functools.lru_cache(maxsize=None)
def kvm_works(binary: str, ovmf: str, boot_seconds: float = 1.5) -> bool:
    """Boots OVMF under KVM for a moment: KVM works if QMP says KVM is
    enabled and the VM is still running (a broken KVM stops the guest with
    an internal error within milliseconds)."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    rundir = make_folder("kvm-")
    args = os.path.join(rundir, "args")
    with open(args, "w") as f:
        f.write("enumerate hostlink=off\n")
    spec = QemuSpec(binary=binary, machine="q35", ovmf=ovmf, accel="kvm")
    try:
        with Qemu(spec, rundir, "kvm-probe", args) as q:
            q.start(timeout=10)
            assert q.qmp is not None
            kvm = q.qmp.command("query-kvm")
            if not kvm.get("enabled"):
                return False
            time.sleep(boot_seconds)
            status = q.qmp.command("query-status")
            return bool(kvm.get("enabled")) and status.get("status") == "running"
    except (QemuError, QmpError, OSError):
        return False
    finally:
        shutil.rmtree(rundir, ignore_errors=True)


def kvm_identity(binary: str) -> dict | None:
    """What the KVM verdict depends on: the QEMU binary, /dev/kvm (a module
    reload makes a new node), the kernel and this boot. None without /dev/kvm."""
    try:
        real = os.path.realpath(binary)
        b, k = os.stat(real), os.stat("/dev/kvm")
    except OSError:
        return None
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()
    except OSError:
        boot = "?"
    return {"qemu": [real, b.st_size, b.st_mtime_ns, b.st_ino],
            "kvm": [k.st_rdev, k.st_ino, k.st_ctime_ns], "kernel": os.uname().release,
            "boot_id": boot}


def cached_kvm_works(binary: str, ovmf: str, cache: str) -> bool:
    """kvm_works(), its verdict kept in cache/kvm-verdict.json for the same
    kvm_identity() (the probe boots a VM: ~1.5 s per invocation otherwise)."""
    ident = kvm_identity(binary)
    if ident is None:
        return False
    path = os.path.join(cache, "kvm-verdict.json")
    try:
        with open(path) as f:
            saved = json.load(f)
        if isinstance(saved, dict) and saved.get("identity") == ident \
                and isinstance(saved.get("kvm_works"), bool):
            return saved["kvm_works"]
    except (OSError, ValueError):
        pass
    verdict = kvm_works(binary, ovmf)
    try:
        os.makedirs(cache, exist_ok=True)
        tmp = f"{path}.tmp-{os.getpid()}"
        with open(tmp, "w") as f:
            json.dump({"identity": ident, "kvm_works": verdict}, f)
        os.replace(tmp, path)
    except OSError:
        pass            # no cache: probed again next time
    return verdict


def choose_accel(requested: str, binary: str, ovmf: str, say=print,
                 cache: str | None = None) -> str:
    """cache: where the KVM verdict is kept (None: probe every time)."""
    if requested in ("kvm", "tcg"):
        return requested
    if cached_kvm_works(binary, ovmf, cache) if cache else kvm_works(binary, ovmf):
        return "kvm"
    say("slotprobe: KVM is not usable here, using TCG")
    return "tcg"
