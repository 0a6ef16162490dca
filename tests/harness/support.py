"""Shared fixtures of the harness tests: paths, scenario files, fake QEMU."""
from __future__ import annotations

import json
import os
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
