"""The host-guest contract, read at import from lib/runtime/contract.h (the one
place it is written): fw_cfg file names, exit codes, host link and script
limits, check conditions. Every `#define CONTRACT_X value` becomes X here
(the COND_ words together, as CHECK_CONDITIONS); tests/harness/
test_contract.py checks that the harness's constants are these values and
that the header defines nothing this module does not expose.
"""
from __future__ import annotations

import re

from .sources import lib_file

_DEFINE = re.compile(r'^#define\s+CONTRACT_(\w+)\s+(\d+|"[^"\\]*")\s*(?:/\*.*\*/)?\s*$')


def parse(path: str) -> dict[str, int | str]:
    values: dict[str, int | str] = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.startswith("#define CONTRACT_") and \
                    not line.startswith("#define\tCONTRACT_"):
                continue
            m = _DEFINE.match(line.strip())
            if not m:
                raise ValueError(f"{path}:{number}: not a one-literal CONTRACT_ define")
            text = m.group(2)
            values[m.group(1)] = text[1:-1] if text.startswith('"') else int(text)
    return values


HEADER = lib_file("contract.h")
VALUES = parse(HEADER)


def _get(name: str):
    return VALUES[name]


FWCFG_ARGS: str = _get("FWCFG_ARGS")
FWCFG_MIGRATION: str = _get("FWCFG_MIGRATION")
FWCFG_SCRIPT: str = _get("FWCFG_SCRIPT")
FWCFG_WARM: str = _get("FWCFG_WARM")
WARM_CHECKPOINT: str = _get("WARM_CHECKPOINT")

EXIT_PASS: int = _get("EXIT_PASS")
EXIT_FAIL: int = _get("EXIT_FAIL")
EXIT_CRASH: int = _get("EXIT_CRASH")
EXIT_WATCHDOG: int = _get("EXIT_WATCHDOG")
EXIT_ERROR: int = _get("EXIT_ERROR")
EXIT_SKIP: int = _get("EXIT_SKIP")

HOSTLINK_PROTO: int = _get("HOSTLINK_PROTO")
HOSTLINK_LINE_MAX: int = _get("HOSTLINK_LINE_MAX")
GO_QMP_OK: str = _get("GO_QMP_OK")
GO_QMP_FAILED: str = _get("GO_QMP_FAILED")
GO_DELETED: str = _get("GO_DELETED")

SCRIPT_MAX_BYTES: int = _get("SCRIPT_MAX_BYTES")
SCRIPT_MAX_STEPS: int = _get("SCRIPT_MAX_STEPS")
SCRIPT_MAX_SAVES: int = _get("SCRIPT_MAX_SAVES")
SCRIPT_NAME_MAX: int = _get("SCRIPT_NAME_MAX")
SCRIPT_TEXT_MAX: int = _get("SCRIPT_TEXT_MAX")
SCRIPT_DELAY_MAX_MS: int = _get("SCRIPT_DELAY_MAX_MS")

# The condition words of guest check keys (CONTRACT_COND_*, checkkey.py).
CHECK_CONDITIONS: frozenset[str] = frozenset(
    value for name, value in VALUES.items() if name.startswith("COND_"))
