"""SIGINT/SIGTERM as an exception, so every `with` and `finally` unwinds and
every QEMU is stopped and reaped before the harness exits."""
from __future__ import annotations

import signal
from typing import Any


class Interrupted(BaseException):
    """A BaseException so that no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.partial: Any = None    # the interrupted entry's EntryResult


def _raise(signum: int, _frame: object) -> None:
    # Later signals are ignored so the clean-up of the first one completes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted(signum)


def install() -> None:
    signal.signal(signal.SIGINT, _raise)
    signal.signal(signal.SIGTERM, _raise)
