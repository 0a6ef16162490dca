"""The SP1 host link: parse guest lines into typed messages, encode "go".

The parser never raises on guest input: anything malformed becomes a
Garbage event, so a confused guest shows up in the report instead of
killing the harness.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union

from . import contract
from .cfglayout import check_cap_line
from .checkkey import split_keys

PROTO = contract.HOSTLINK_PROTO
LINE_MAX = contract.HOSTLINK_LINE_MAX
# Firmware output before the guest's first line: the last PREAMBLE_MAX bytes
# are kept (OVMF's clear-screen is a few dozen; a looping firmware is not).
PREAMBLE_MAX = 64 * 1024
RESULT_STATUSES = ("PASS", "FAIL", "SKIP", "XFAIL", "XPASS")
VERBS = ("hello", "log", "checkpoint", "result", "obs", "cap", "crash", "summary",
         "error", "bye")
_KV = re.compile(r"^([a-z][a-z0-9_-]*)=(\S*)$")


@dataclass
class Message:
    """One guest line, parsed once. `fields` holds the typed arguments:
    key=value verbs their keys; result: status, text; checkpoint: name;
    obs: location, register, value; log, error and cap: text. `text` is
    everything after the verb, with the words of result, checkpoint and obs
    joined by single spaces (as the fields read them)."""
    seq: int
    verb: str
    text: str
    fields: dict[str, str] = field(default_factory=dict)
    raw: str = ""


@dataclass
class Garbage:
    reason: str
    raw: str                       # printable rendering of the offending line


Event = Union[Message, Garbage]


def _printable(data: bytes, limit: int = 80) -> str:
    text = data[:limit].decode("ascii", "backslashreplace")
    text = "".join(c if 0x20 <= ord(c) < 0x7f else "\\x%02x" % ord(c)
                   for c in text)
    return text + ("..." if len(data) > limit else "")


def _key_values(words: list[str]) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for w in words:
        m = _KV.match(w)
        if not m:
            return None
        out[m.group(1)] = m.group(2)
    return out


def _key_problem(text: str) -> str | None:
    try:
        split_keys(text)
    except ValueError as e:
        return f"result: {e}"
    return None


def _check_args(verb: str, text: str) -> tuple[dict[str, str], str | None]:
    """Returns (fields, problem); problem is None when the arguments fit.
    Words are separated by runs of spaces, everywhere: `result  PASS x`
    is the same result as `result PASS x`."""
    words = text.split()
    if verb in ("hello", "crash", "summary", "bye"):
        kv = _key_values(words)
        if kv is None:
            return {}, f"{verb}: arguments are not key=value"
        need = {"hello": ("proto", "test"), "bye": ("status",),
                "crash": ("vector",), "summary": ("tests", "failed")}[verb]
        missing = [k for k in need if k not in kv]
        if missing:
            return kv, f"{verb}: missing {', '.join(missing)}"
        if verb == "bye" and not kv["status"].isdigit():
            return kv, "bye: status is not a number"
        return kv, None
    if verb == "checkpoint":
        if len(words) != 1:
            return {}, "checkpoint: needs exactly one name"
        return {"name": words[0]}, None
    if verb == "result":
        if not words or words[0] not in RESULT_STATUSES:
            return {}, "result: status must be one of " + "|".join(RESULT_STATUSES)
        rest = text.strip()[len(words[0]):].strip()
        # keys first: key=<test>/<field>/<condition> (checkkey.py)
        return {"status": words[0], "text": rest}, _key_problem(rest)
    if verb == "obs":
        if len(words) != 3:
            return {}, "obs: needs <location> <register> <value>"
        return dict(zip(("location", "register", "value"), words)), None
    if verb == "cap":       # a function's capability layout (cfglayout.py)
        return {"text": text}, check_cap_line(words)
    return {"text": text}, None


def _canonical_text(verb: str, fields: dict[str, str], text: str) -> str:
    if verb == "result":
        return " ".join(w for w in (fields["status"], fields["text"]) if w)
    if verb in ("checkpoint", "obs"):
        return " ".join(fields.values())
    return text


class HostLink:
    """Stateful parser of one run's guest lines (the sequence number lives in
    guest memory, so one HostLink follows the guest across migrations)."""

    def __init__(self) -> None:
        self._buf = b""
        self._overlong = False
        self.expected_seq = 1
        self.hseq = 0
        self._preamble = bytearray()
        self.preamble_bytes = 0     # how many bytes came before the first line
        self.bytes_seen = 0         # every byte fed, preamble included

    @property
    def preamble(self) -> bytes:
        """The last PREAMBLE_MAX bytes of firmware output before the guest's
        first line."""
        return bytes(self._preamble[-PREAMBLE_MAX:])

    def _keep_preamble(self, data: bytes) -> None:
        # Appending to a bytearray and trimming at twice the bound keeps
        # this linear in the bytes seen (bytes concatenation was quadratic).
        self.preamble_bytes += len(data)
        self._preamble += data
        if len(self._preamble) > 2 * PREAMBLE_MAX:
            del self._preamble[:-PREAMBLE_MAX]

    def feed(self, data: bytes) -> list[Event]:
        """Bytes from the guest's COM2 in, complete events out. Linear in
        len(data): lines are found by index, the buffer is cut once."""
        events: list[Event] = []
        self.bytes_seen += len(data)
        buf = self._buf + data      # self._buf is at most LINE_MAX + 1 bytes
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            line, start = buf[start:nl], nl + 1
            if self._overlong:          # tail of a line already reported
                self._overlong = False
                continue
            events.extend(self.parse_line(line))
        rest = buf[start:]
        if len(rest) > LINE_MAX + 1:
            if not self._overlong:
                events.append(Garbage(f"line longer than {LINE_MAX} bytes",
                                      _printable(rest)))
            self._overlong = True
            rest = b""
        self._buf = rest
        return events

    def parse_line(self, line: bytes) -> list[Event]:
        if line.endswith(b"\r"):
            line = line[:-1]
        if self.expected_seq == 1:
            # OVMF's terminal driver writes its clear-screen escapes to every
            # serial port, COM2 included, before our image starts: that is
            # not the guest talking, so keep it aside instead of as garbage.
            start = line.find(f"SP{PROTO} ".encode())
            if start < 0:
                self._keep_preamble(line + b"\n")
                return []
            self._keep_preamble(line[:start])
            line = line[start:]
        raw = _printable(line)
        if len(line) > LINE_MAX:
            return [Garbage(f"line longer than {LINE_MAX} bytes", raw)]
        if any(b < 0x20 or b > 0x7e for b in line):
            return [Garbage("non-printable bytes", raw)]
        text = line.decode("ascii")
        if not text.strip():
            return [Garbage("empty line", raw)]
        parts = text.split(" ", 3)
        if parts[0] != f"SP{PROTO}" or len(parts) < 3:
            return [Garbage(f"not an SP{PROTO} line", raw)]
        if not parts[1].isdigit() or len(parts[1]) > 9:
            return [Garbage("bad sequence number", raw)]
        seq, verb = int(parts[1]), parts[2]
        rest = parts[3] if len(parts) > 3 else ""
        if verb not in VERBS:
            return [Garbage(f"unknown verb '{verb[:20]}'", raw)]
        fields, problem = _check_args(verb, rest)
        if problem:
            return [Garbage(problem, raw)]
        events: list[Event] = []
        if seq < self.expected_seq:
            return [Garbage(f"duplicate or old sequence number {seq} "
                            f"(expected {self.expected_seq})", raw)]
        if seq > self.expected_seq:
            # Lost lines: say so, but keep the message (a checkpoint must
            # still be answered or the guest waits for nothing).
            events.append(Garbage(f"sequence gap: expected {self.expected_seq},"
                                  f" got {seq}", raw))
        self.expected_seq = seq + 1
        events.append(Message(seq, verb, _canonical_text(verb, fields, rest),
                              fields, text))
        return events

    def encode_go(self, checkpoint_seq: int, migrations: int, side: str,
                  qmp: bool | None = None, deleted: int | None = None) -> bytes:
        """qmp: the outcome of the QMP commands run at this checkpoint (all
        accepted / one refused; None when none ran); deleted: DEVICE_DELETED
        events with a device id so far (contract.h, the go-ahead)."""
        if side not in ("src", "dst"):
            raise ValueError(f"side must be src or dst, not {side!r}")
        self.hseq += 1
        tail = "" if qmp is None else \
            " " + (contract.GO_QMP_OK if qmp else contract.GO_QMP_FAILED)
        if deleted is not None:
            tail += f" {contract.GO_DELETED}{deleted}"
        return (f"SP{PROTO} {self.hseq} go {checkpoint_seq} "
                f"migrations={migrations} side={side}{tail}\n").encode("ascii")
