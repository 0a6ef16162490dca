"""One QMP connection over a unix socket.

Hand-written on purpose: Debian 12 packages no QMP library for Python
(python3-qemu.qmp is not in bookworm) and the harness is standard library only.
Every read has a deadline; events are kept in arrival order.
"""
from __future__ import annotations

import json
import select
import socket
import time
from typing import Any, Callable, TextIO


class QmpError(Exception):
    """QMP failed: an error reply, a closed connection or a deadline."""


class Qmp:
    def __init__(self, sock: socket.socket, transcript: TextIO | None = None,
                 name: str = "qmp") -> None:
        self._sock = sock
        self._buf = b""
        self._transcript = transcript
        self.name = name
        self.events: list[dict[str, Any]] = []
        self.greeting: dict[str, Any] = {}
        self.closed = False

    # -- low level ---------------------------------------------------------
    def _log(self, direction: str, text: str) -> None:
        if self._transcript:
            self._transcript.write(f"{time.monotonic():.3f} {self.name} "
                                   f"{direction} {text}\n")
            self._transcript.flush()

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QmpError(f"{self.name}: no reply before the deadline")
            ready, _, _ = select.select([self._sock], [], [], left)
            if not ready:
                continue
            try:
                data = self._sock.recv(65536)
            except OSError as e:
                data = b""
                self._log("!!", str(e))
            if not data:
                self.closed = True
                raise QmpError(f"{self.name}: connection closed")
            self._buf += data
        line, self._buf = self._buf.split(b"\n", 1)
        text = line.decode("utf-8", "replace").strip()
        self._log("<-", text)
        try:
            msg = json.loads(text)
        except ValueError:
            raise QmpError(f"{self.name}: not JSON: {text[:80]}") from None
        if not isinstance(msg, dict):
            raise QmpError(f"{self.name}: not a JSON object: {text[:80]}")
        return msg

    def _send(self, obj: dict[str, Any]) -> None:
        text = json.dumps(obj)
        self._log("->", text)
        try:
            self._sock.sendall(text.encode() + b"\n")
        except OSError as e:
            self.closed = True
            raise QmpError(f"{self.name}: send failed: {e}") from None

    # -- API ---------------------------------------------------------------
    def handshake(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        msg = self._read_message(deadline)
        if "QMP" not in msg:
            raise QmpError(f"{self.name}: no QMP greeting")
        self.greeting = msg["QMP"]
        self.command("qmp_capabilities", timeout=timeout)

    def command(self, name: str, timeout: float = 10.0, **args: Any) -> Any:
        """Runs one command; returns its "return" value, raises QmpError."""
        cmd: dict[str, Any] = {"execute": name}
        if args:
            cmd["arguments"] = args
        self._send(cmd)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read_message(deadline)
            if "event" in msg:
                self.events.append(msg)
            elif "return" in msg:
                return msg["return"]
            elif "error" in msg:
                err = msg["error"]
                raise QmpError(f"{self.name}: {name}: {err.get('desc', err)}")

    def poll_events(self, timeout: float = 0.0) -> None:
        """Reads events that are already on the wire (up to timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            if b"\n" not in self._buf:
                ready, _, _ = select.select([self._sock], [], [],
                                            max(0.0, deadline - time.monotonic()))
                if not ready:
                    return
            msg = self._read_message(time.monotonic() + 1.0)
            if "event" in msg:
                self.events.append(msg)

    def wait_event(self, name: str, timeout: float,
                   predicate: Callable[[dict[str, Any]], bool] | None = None,
                   start: int = 0) -> dict[str, Any]:
        """First event `name` (from index `start`) that satisfies predicate."""
        deadline = time.monotonic() + timeout
        seen = start
        while True:
            for ev in self.events[seen:]:
                if ev.get("event") == name and (predicate is None or predicate(ev)):
                    return ev
            seen = len(self.events)
            if time.monotonic() >= deadline:
                raise QmpError(f"{self.name}: no {name} event within {timeout:g}s")
            try:
                msg = self._read_message(deadline)
            except QmpError:
                if self.closed:
                    raise
                continue        # the deadline: reported as a missing event
            if "event" in msg:
                self.events.append(msg)

    def close(self) -> None:
        self.closed = True
        try:
            self._sock.close()
        except OSError:
            pass
