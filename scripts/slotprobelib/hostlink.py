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
RESULT_STATUSES = ("PASS", "FAIL", "SKIP", "XFAIL", "XPASS")
VERBS = ("hello", "log", "checkpoint", "result", "obs", "cap", "crash", "summary",
         "error", "bye")
_KV = re.compile(r"^([a-z][a-z0-9_-]*)=(\S*)$")


@dataclass
class Message:
    seq: int
    verb: str
    text: str                      # everything after the verb
    fields: dict[str, str] = field(default_factory=dict)   # key=value args
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
    """Returns (fields, problem); problem is None when the arguments fit."""
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
    if verb == "checkpoint" and len(words) != 1:
        return {}, "checkpoint: needs exactly one name"
    if verb == "result" and (not words or words[0] not in RESULT_STATUSES):
        return {}, "result: status must be one of " + "|".join(RESULT_STATUSES)
    if verb == "result":        # keys first: key=<test>/<field>/<condition>
        return {}, _key_problem(" ".join(words[1:]))
    if verb == "obs" and len(words) != 3:
        return {}, "obs: needs <location> <register> <value>"
    if verb == "cap":       # a function's capability layout (cfglayout.py)
        return {}, check_cap_line(words)
    return {}, None


class HostLink:
    """Stateful parser of one run's guest lines (the sequence number lives in
    guest memory, so one HostLink follows the guest across migrations)."""

    def __init__(self) -> None:
        self._buf = b""
        self._overlong = False
        self.expected_seq = 1
        self.hseq = 0
        self.preamble = b""     # firmware output before the guest's first line

    def feed(self, data: bytes) -> list[Event]:
        """Bytes from the guest's COM2 in, complete events out."""
        events: list[Event] = []
        self._buf += data
        while True:
            nl = self._buf.find(b"\n")
            if nl < 0:
                if len(self._buf) > LINE_MAX + 1:
                    if not self._overlong:
                        events.append(Garbage(f"line longer than {LINE_MAX} bytes",
                                              _printable(self._buf)))
                    self._overlong = True
                    self._buf = b""
                return events
            line, self._buf = self._buf[:nl], self._buf[nl + 1:]
            if self._overlong:          # tail of a line already reported
                self._overlong = False
                continue
            events.extend(self.parse_line(line))

    def parse_line(self, line: bytes) -> list[Event]:
        if line.endswith(b"\r"):
            line = line[:-1]
        if self.expected_seq == 1:
            # OVMF's terminal driver writes its clear-screen escapes to every
            # serial port, COM2 included, before our image starts: that is
            # not the guest talking, so keep it aside instead of as garbage.
            start = line.find(f"SP{PROTO} ".encode())
            if start < 0:
                self.preamble += line + b"\n"
                return []
            self.preamble += line[:start]
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
        events.append(Message(seq, verb, rest, fields, text))
        return events

    def encode_go(self, checkpoint_seq: int, migrations: int, side: str) -> bytes:
        if side not in ("src", "dst"):
            raise ValueError(f"side must be src or dst, not {side!r}")
        self.hseq += 1
        return (f"SP{PROTO} {self.hseq} go {checkpoint_seq} "
                f"migrations={migrations} side={side}\n").encode("ascii")
