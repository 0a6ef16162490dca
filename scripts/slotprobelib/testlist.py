"""The guest tests the image holds, as the image itself declares them:
build/tests.json, which `make` writes from the GUEST_TEST descriptors in
build/slotprobe.so (scripts/list-tests). Each test: name, params (the keys
it accepts besides the common ones), checkpoints (where the harness may
migrate; a name ending in '*' stands for names the run chooses) and summary.
"""
from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import dataclass

LISTING = "tests.json"


class ListingError(Exception):
    """One line: what is wrong with the listing and how to get a good one."""


@dataclass(frozen=True)
class GuestTest:
    name: str
    params: tuple[str, ...]
    checkpoints: tuple[str, ...]
    summary: str

    def offers_checkpoint(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, c) for c in self.checkpoints)


def listing_path(image: str) -> str:
    """build/tests.json for build/slotprobe.efi: the listing sits beside the image."""
    return os.path.join(os.path.dirname(os.path.abspath(image)), LISTING)


def load(path: str) -> dict[str, GuestTest]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        tests = [GuestTest(t["name"], tuple(t["params"]), tuple(t["checkpoints"]),
                           t["summary"]) for t in data["tests"]]
    except FileNotFoundError:
        raise ListingError(f"{path} not found (build it with: make)") from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ListingError(f"{path}: not a test listing ({e}); rebuild with: make") from None
    return {t.name: t for t in tests}
