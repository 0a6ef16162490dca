"""Checks of the command line before anything starts: option values (argparse
types: one `usage:` line), the files the run reads (QEMU, OVMF, the guest
image) and the places it writes (--log-dir, --junit). A bad path found here
costs a second and one line; found at the end it cost a traceback after a
full run."""
from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import math
import os
import re
import shutil
import stat
import tempfile

from .plan import TIMEOUT_MAX
from .qemu_info import SetupError, find_binary

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# UEFI PI spec vol. 3 §3.2.1: every firmware volume header carries "_FVH"
# at offset 40; OVMF.fd is a stack of firmware volumes.
FV_SIGNATURE = b"_FVH"


# -- option values (argparse types) ---------------------------------------------
def seconds(text: str) -> float:
    """A timeout: finite, more than 0, at most an hour (nan and inf would
    switch the deadline off; 0 used to mean "the plan's value")."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= TIMEOUT_MAX):
        raise argparse.ArgumentTypeError(
            f"wants seconds in (0, {TIMEOUT_MAX:g}], not {text!r}")
    return value


def nonempty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"wants a positive count, not {text!r}")
    return value


def non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"wants a whole number >= 0, not {text!r}")
    return value


def shard_spec(text: str) -> tuple[int, int]:
    """K/N: the K-th of N slices, 1 <= K <= N."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"wants K/N, e.g. 2/4, not {text!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"{text}: need 1 <= K <= N")
    return k, n


def checkpoint_name(text: str) -> str:
    if not _NAME.match(text):
        raise argparse.ArgumentTypeError(
            f"wants a checkpoint name (letters, digits, . _ -) or 'all', not {text!r}")
    return text


def memory_size(text: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]{0,6}[MG]?", text):
        raise argparse.ArgumentTypeError(f"wants megabytes, e.g. 256 or 1G, not {text!r}")
    return text


# -- files read ------------------------------------------------------------------
def _check_efi_image():
    """scripts/check-efi-image as a module (it has no .py suffix)."""
    path = os.path.join(SCRIPTS, "check-efi-image")
    loader = importlib.machinery.SourceFileLoader("check_efi_image", path)
    spec = importlib.util.spec_from_loader("check_efi_image", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def readable_file(path: str, what: str, hint: str = "") -> os.stat_result:
    """A regular file this user can read (a FIFO would block QEMU's open)."""
    try:
        st = os.stat(path)
    except OSError as e:
        if isinstance(e, FileNotFoundError):
            raise SetupError(f"{what} not found: {path}{hint}") from None
        raise SetupError(f"{what} {path}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SetupError(f"{what} {path}: not a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        os.close(fd)
    except OSError as e:
        raise SetupError(f"{what} {path}: cannot read: {e.strerror or e}") from None
    return st


def check_ovmf(path: str) -> None:
    st = readable_file(path, "OVMF firmware", " (Debian: apt-get install ovmf)")
    if st.st_size == 0:
        raise SetupError(f"OVMF firmware {path}: empty file")
    with open(path, "rb") as f:
        head = f.read(64)
    if head[40:44] != FV_SIGNATURE:
        raise SetupError(f"OVMF firmware {path}: not UEFI firmware (no firmware "
                         "volume header at its start)")


def check_image(path: str, what: str) -> None:
    """--image (a PE32+ EFI application) or --esp (a FAT disk image with
    EFI/BOOT/BOOTX64.EFI), checked by scripts/check-efi-image: OVMF given a
    bad image boots nothing, silently, until the timeout."""
    readable_file(path, what, " (build it with: make)")
    checker = _check_efi_image()
    try:
        if what == "ESP image":
            checker.check_esp(path)
        else:
            checker.check(path)
    except checker.ImageError as e:
        raise SetupError(f"{what} {path}: {e} (scripts/check-efi-image)") from None


def check_inputs(args: argparse.Namespace) -> None:
    find_binary(args.qemu)
    if args.dst_qemu:
        find_binary(args.dst_qemu)
    check_ovmf(args.ovmf)
    if args.esp:
        check_image(args.esp, "ESP image")
    else:
        check_image(args.image, "guest image")


# -- places written -----------------------------------------------------------------
def _nearest_existing(path: str) -> str:
    probe = os.path.abspath(path)
    while not os.path.lexists(probe):
        probe = os.path.dirname(probe)
    return probe


def _can_create_in(folder: str) -> str | None:
    """Why nothing can be created in folder, or None. Tried, not guessed
    from mode bits: root ignores those, a read-only mount does not."""
    try:
        probe = tempfile.mkdtemp(prefix=".slotprobe-probe-", dir=folder)
    except OSError as e:
        return e.strerror or str(e)
    shutil.rmtree(probe, ignore_errors=True)
    return None


def check_folder(option: str, path: str) -> None:
    """A folder the run creates or fills (--log-dir, --cache, --out)."""
    if os.path.lexists(path) and not os.path.isdir(path):
        raise SetupError(f"{option} {path}: not a folder")
    base = _nearest_existing(path)
    if not os.path.isdir(base):
        raise SetupError(f"{option} {path}: {base} is not a folder")
    why = _can_create_in(base)
    if why:
        raise SetupError(f"{option} {path}: cannot create a folder in {base}: {why}")


def check_output_file(option: str, path: str) -> None:
    """A file the run writes at its end (--junit, -o, --html)."""
    if os.path.isdir(path):
        raise SetupError(f"{option} {path}: is a folder, not a file")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise SetupError(f"{option} {path}: folder {parent} does not exist")
    if os.path.lexists(path):
        if not os.path.isfile(path):
            raise SetupError(f"{option} {path}: not a regular file")
        if not os.access(path, os.W_OK):
            raise SetupError(f"{option} {path}: not writable")
        return
    why = _can_create_in(parent)
    if why:
        raise SetupError(f"{option} {path}: cannot write in {parent}: {why}")


# Output places by command: (argparse dest, option as the user wrote it).
OUTPUT_FOLDERS = (("log_dir", "--log-dir"), ("cache", "--cache"), ("out", "--out"))
OUTPUT_FILES = (("junit", "--junit"), ("output", "--output"), ("html", "--html"))


def check_outputs(args: argparse.Namespace) -> None:
    for dest, option in OUTPUT_FOLDERS:
        if getattr(args, dest, None) is not None:
            check_folder(option, getattr(args, dest))
    for dest, option in OUTPUT_FILES:
        if getattr(args, dest, None) is not None:
            check_output_file(option, getattr(args, dest))


def check(args: argparse.Namespace) -> None:
    """Everything a run or script needs from the command line, in the
    order a user fixes them: binaries, firmware, image, output places."""
    check_inputs(args)
    check_outputs(args)
