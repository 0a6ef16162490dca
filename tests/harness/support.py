"""Shared fixtures of the harness tests: paths, scenario files, fake QEMU."""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

FAKE_QEMU = os.path.join(HERE, "fake_qemu.py")

# Warm-start states and the KVM verdict of the tests' runs (fake QEMU
# included) go to a folder of their own, not the user's cache.
_CACHE = tempfile.TemporaryDirectory(prefix="slotprobe-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE.name
SLOTPROBE = os.path.join(ROOT, "scripts", "slotprobe")
PLANS = os.path.join(ROOT, "tests", "plans.cfg")
ERRATA = os.path.join(ROOT, "tests", "errata.cfg")
FIXTURES = os.path.join(ROOT, "build", "harness-fixtures")


def _efi_application() -> bytes:
    """The smallest PE32+ image scripts/check-efi-image accepts: .text with
    the entry point, .dynamic naming .rela, one R_X86_64_RELATIVE whose
    word holds its addend. OVMF could not run it; fake QEMU never tries.
    8 KiB: QEMU's -kernel loader wants more than a 2.5 KiB setup header."""
    img = bytearray(0x2000)
    img[0:2] = b"MZ"
    struct.pack_into("<I", img, 0x3C, 0x40)
    struct.pack_into("<4sHHIIIHH", img, 0x40, b"PE\0\0", 0x8664, 3, 0, 0, 0, 0xF0, 0x22)
    opt = 0x58
    struct.pack_into("<H", img, opt, 0x20B)
    struct.pack_into("<I", img, opt + 16, 0x1000)      # entry point
    struct.pack_into("<I", img, opt + 60, 0x200)       # SizeOfHeaders
    struct.pack_into("<H", img, opt + 68, 10)          # EFI application
    sections = ((b".text", 0x1000, 0x200), (b".dynamic", 0x2000, 0x400),
                (b".rela", 0x3000, 0x600))
    for i, (name, va, raw) in enumerate(sections):
        struct.pack_into("<8sIIII", img, opt + 0xF0 + 40 * i, name, 0x200, va, 0x200, raw)
    struct.pack_into("<qQqQqQ", img, 0x400, 7, 0x3000, 8, 24, 0, 0)  # DT_RELA, DT_RELASZ
    struct.pack_into("<QQq", img, 0x600, 0x2100, 8, 0x1234)          # RELATIVE
    struct.pack_into("<q", img, 0x500, 0x1234)
    return bytes(img)


def _fixture(name: str, data: bytes) -> str:
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, name)
    try:
        with open(path, "rb") as f:
            same = f.read() == data
    except OSError:
        same = False
    if not same:
        tmp = f"{path}.{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    return path


# The harness checks --ovmf and --image before it starts QEMU (preflight.py):
# the fake QEMU gets files that pass those checks. OVMF: a firmware volume
# header's "_FVH" at offset 40 (UEFI PI spec vol. 3 §3.2.1).
FAKE_OVMF = _fixture("OVMF.fd", bytes(40) + b"_FVH" + bytes(65536 - 44))
FAKE_IMAGE = _fixture("slotprobe.efi", _efi_application())


def write(folder: str, name: str, text: str) -> str:
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(text)
    return path


class FakeScenario:
    """Context manager: a scenario file named in $FAKE_QEMU_SCENARIO."""

    def __init__(self, guest: list, **extra: object) -> None:
        self.data = {"guest": guest, **extra}

    def __enter__(self) -> str:
        self.dir = tempfile.mkdtemp(prefix="slotprobe-test-")
        path = write(self.dir, "scenario.json", json.dumps(self.data))
        self.old = os.environ.get("FAKE_QEMU_SCENARIO")
        os.environ["FAKE_QEMU_SCENARIO"] = path
        return self.dir

    def __exit__(self, *exc: object) -> None:
        import shutil
        if self.old is None:
            os.environ.pop("FAKE_QEMU_SCENARIO", None)
        else:
            os.environ["FAKE_QEMU_SCENARIO"] = self.old
        shutil.rmtree(self.dir, ignore_errors=True)


def esp_image(name: str, efi: bytes | None) -> str:
    """A FAT disk image (mtools, as `make esp`), holding `efi` as
    EFI/BOOT/BOOTX64.EFI when given."""
    path = os.path.join(FIXTURES, name)
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.truncate(1 << 20)
    subprocess.run(["mformat", "-i", tmp, "-v", "FAKE", "::"], check=True,
                   capture_output=True, timeout=30)
    if efi is not None:
        src = f"{tmp}.efi"
        with open(src, "wb") as f:
            f.write(efi)
        subprocess.run(["mmd", "-i", tmp, "::/EFI", "::/EFI/BOOT"], check=True,
                       capture_output=True, timeout=30)
        subprocess.run(["mcopy", "-i", tmp, src, "::/EFI/BOOT/BOOTX64.EFI"],
                       check=True, capture_output=True, timeout=30)
        os.unlink(src)
    os.replace(tmp, path)
    return path


HAVE_MTOOLS = bool(shutil.which("mformat") and shutil.which("mcopy"))


def fake_esp() -> str:
    """An ESP that passes the harness's checks: the fake EFI application."""
    return esp_image("esp.img", _efi_application())
