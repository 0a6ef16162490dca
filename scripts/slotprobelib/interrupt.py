"""SIGINT/SIGTERM as an exception, so every `with` and `finally` unwinds and
every QEMU is stopped and reaped before the harness exits."""
from __future__ import annotations

import signal
import threading
from typing import Any

# --jobs: signals reach the main thread only; it sets this and every
# runner thread raises Interrupted at its next check() (at most ~0.2 s).
_cancel = threading.Event()
_cancel_signum = [signal.SIGINT]


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


def cancel_all(signum: int) -> None:
    _cancel_signum[0] = signum
    _cancel.set()


def check() -> None:
    """Raises Interrupted in a runner thread once the main thread was."""
    if _cancel.is_set():
        raise Interrupted(_cancel_signum[0])


def reset() -> None:
    _cancel.clear()
