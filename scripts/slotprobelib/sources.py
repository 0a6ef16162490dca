"""Files of the source tree the harness reads at import (lib/runtime/contract.h,
lib/pci/pci_regs.h, lib/pci/pci_regs.def): found by name anywhere under lib/, so
moving them between lib/ subfolders needs no change here."""
from __future__ import annotations

import glob
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def lib_file(name: str, root: str = ROOT) -> str:
    """The one file called @name under root/lib/; RuntimeError if none or several."""
    found = sorted(glob.glob(os.path.join(root, "lib", "**", name), recursive=True))
    if len(found) != 1:
        raise RuntimeError(f"expected one lib/**/{name} under {root}, found {len(found)}")
    return found[0]
