"""Scripted guest actions (guest test `script`): a human script, one step per
line, compiled here into the resolved form the guest interpreter
(lib/script/script_run.c) runs, handed over as fw_cfg file opt/slotprobe/script.

Why compile on the host: the register names come from the one register
table (lib/pci/pci_regs.def, REGS below), and every name, width, value and device is checked before QEMU
starts, with the script's line number. The guest interpreter stays small:
it only finds capabilities at run time (their offsets are the device's
business) and the bus behind a port (the firmware numbers buses).

Human form (the plan's `script` key, or a file for `slotprobe script`):

  read8|read16|read32     DEV REG
  write8|write16|write32  DEV REG VALUE
  expect[8|16|32]         DEV REG MASK VALUE   PASS when (reg & MASK) == VALUE
  save[8|16|32]           NAME DEV REG         remember a register...
  expect-same             NAME                 ...and check it reads the same
  slot-power-off PORT     pciehp's sequence (PCC off, then power indicator off)
  slot-power-on PORT      pciehp's sequence (clear PFD, PCC on, indicator, link)
  clear-events PORT       clear every pending RW1C Slot Status event
  wait-cc PORT            wait for Command Completed (1 s) and clear it, as
                          pciehp does after a raw Slot Control write
  delay MS                0..60000 ms
  checkpoint NAME [migrate] [qmp COMMAND [JSON-ARGS] [wait EVENT [SECONDS]]]
                          stop; the harness may migrate (plan migrate_at, or
                          `migrate` here) and/or run a QMP command there
                          (semantics: plan.py's header, key qmp_at)
  log TEXT                a line on the console and the host link
  # comment               (blank lines too; " # ..." ends any line but log's)

  DEV   a BDF (00:12.0), a QEMU device id from the entry's -device arguments
        (pcie.0 devices become their BDF; a device on a root or downstream
        port becomes `slot-child PORT`), or `slot-child PORT` (function 0
        behind PORT's slot; `slot-child.F PORT` for function F)
  PORT  a BDF or the QEMU id of a root/downstream port on the root bus
  REG   a name from REGS (SLTCTL, LNKSTA, VENDOR, AER_UNCOR_MASK, ...), an
        offset (0x1a; give the width: read16), or cap:ID+OFF / ext:ID+OFF
        (a capability's register by ID, e.g. cap:0x10+0x1a)
  VALUE, MASK  decimal or 0x-hex, at most as wide as the register

Guest form (one line per step; first word the human line number, so the
guest's messages name the plan line):

  LINE read W DEV LOC LABEL          LINE write W DEV LOC LABEL VALUE
  LINE expect W DEV LOC LABEL MASK VALUE
  LINE save W DEV LOC LABEL NAME     LINE same NAME
  LINE power-off|power-on|clear-events|wait-cc PORT
  LINE delay MS                      LINE checkpoint NAME    LINE log TEXT
  DEV = BDF or PORTBDF/F (function F behind PORT's slot)
  LOC = hOFF (header offset) | cID+OFF | eID+OFF  (hex, no 0x)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from . import contract, pci_regs, regnames
from .cfgfile import ConfigError
from .checkkey import canonical_field
from .devices import device_options

FWCFG_NAME = contract.FWCFG_SCRIPT
# The guest interpreter's limits (lib/runtime/contract.h).
MAX_BYTES = contract.SCRIPT_MAX_BYTES
MAX_STEPS = contract.SCRIPT_MAX_STEPS
MAX_SAVES = contract.SCRIPT_MAX_SAVES
NAME_MAX = contract.SCRIPT_NAME_MAX
TEXT_MAX = contract.SCRIPT_TEXT_MAX
DELAY_MAX_MS = contract.SCRIPT_DELAY_MAX_MS
# QMP commands a checkpoint may not run: the harness owns the machine's life
# (reset, quit) and migration (its own checkpoints do that).
REFUSED_QMP = ("system_reset", "quit", "migrate", "migrate-incoming",
               "migrate_cancel", "cont", "stop")

HEADER, CAP, EXT = "h", "c", "e"

# name -> (space, capability id, offset, width in bytes), from the one
# register table (lib/pci/pci_regs.def via pci_regs.py): short names as Linux
# include/uapi/linux/pci_regs.h without the PCI_ / PCI_EXP_ prefix, and the
# older aliases plans use (VENDOR, BAR0, EXP_FLAGS, AER_UNCOR_MASK, ...).
_SPACE = {"HDR": HEADER, "TYPE0": HEADER, "TYPE1": HEADER, "CAP": CAP, "EXT": EXT}
REGS: dict[str, tuple[str, int, int, int]] = {
    r.name: (_SPACE[r.space], r.cap, r.offset, r.width) for r in pci_regs.REGISTERS}
_BY_MACRO = {r.macro: r.name for r in pci_regs.REGISTERS}
REGS.update({alias: REGS[_BY_MACRO[macro]] for alias, macro in pci_regs.ALIASES.items()})

PORT_DRIVERS = ("pcie-root-port", "ioh3420", "xio3130-downstream")
ROOT_BUSES = ("pcie.0", "pci.0")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_QMP_CMD = re.compile(r"^[a-z][a-z0-9_-]*$")
_BDF = re.compile(r"^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$")
_RAW = re.compile(r"^(cap|ext):(0x[0-9a-fA-F]+|\d+)\+(0x[0-9a-fA-F]+|\d+)$")
WIDTHS = {"8": 1, "16": 2, "32": 4}


class ScriptError(ConfigError):
    """One line: 'file:line: entry: problem'."""


@dataclass
class QmpAction:
    """A QMP command the runner sends when the guest reaches `checkpoint`,
    before any migration there and before the go-ahead."""
    checkpoint: str
    command: str
    args: dict = field(default_factory=dict)
    where: str = ""
    wait_event: str | None = None          # e.g. DEVICE_DELETED
    wait_seconds: float = 5.0
    # `guest-judges`: a refusal is an outcome the guest judges (the go-ahead's
    # qmp=failed, contract.h), not a failed check (the explorer's add/del steps)
    guest_judges: bool = False


@dataclass
class Script:
    guest: str                                  # the fw_cfg file's text
    steps: int = 0
    checkpoints: list[str] = field(default_factory=list)
    migrate_at: list[str] = field(default_factory=list)
    qmp: list[QmpAction] = field(default_factory=list)


# -- devices ------------------------------------------------------------------
def _device_options(text: str) -> dict[str, str]:
    """A -device value's options as text (devices.py parses it)."""
    return {str(k): str(v) for k, v in device_options(text).items()}


def _addr(addr: str) -> tuple[int, int] | None:
    """QEMU's addr= ("slot[.fn]", hex): (device, function)."""
    m = re.fullmatch(r"(?:0x)?([0-9a-fA-F]{1,2})(?:\.([0-7]))?", addr.strip())
    if not m or int(m.group(1), 16) > 0x1f:
        return None
    return int(m.group(1), 16), int(m.group(2) or 0)


class Devices:
    """QEMU device ids -> guest device words, from the -device arguments."""

    def __init__(self, args: list[str]) -> None:
        self.opts: dict[str, dict[str, str]] = {}
        for i, word in enumerate(args):
            if word in ("-device", "--device") and i + 1 < len(args):
                o = _device_options(args[i + 1])
                if o.get("id"):
                    self.opts[o["id"]] = o

    def _bdf_on_root(self, dev_id: str) -> str:
        o = self.opts[dev_id]
        bus = o.get("bus", "pcie.0")
        if bus not in ROOT_BUSES:
            raise ValueError(f"device '{dev_id}' is not on the root bus (bus={bus}): "
                             "its bus number is the firmware's choice; use its BDF")
        a = _addr(o.get("addr", ""))
        if a is None:
            raise ValueError(f"device '{dev_id}' has no usable addr= (QEMU picks "
                             "its slot): give it addr= or use its BDF")
        return f"00:{a[0]:02x}.{a[1]}"

    def port(self, word: str) -> str:
        """A port: BDF or the id of a port on the root bus -> BDF."""
        if _BDF.match(word):
            return _bdf(word)
        if word not in self.opts:
            raise ValueError(f"unknown device '{word}' (not a BDF, no -device "
                             "with that id)")
        if self.opts[word].get("driver") not in PORT_DRIVERS:
            raise ValueError(f"device '{word}' ({self.opts[word].get('driver')}) "
                             f"is not a port with a slot ({', '.join(PORT_DRIVERS)})")
        return self._bdf_on_root(word)

    def device(self, word: str) -> str:
        """Any function: BDF or id -> 'BDF' or 'PORTBDF/F' (behind a slot)."""
        if _BDF.match(word):
            return _bdf(word)
        if word not in self.opts:
            raise ValueError(f"unknown device '{word}' (not a BDF, no -device "
                             "with that id)")
        o = self.opts[word]
        bus = o.get("bus", "pcie.0")
        if bus in ROOT_BUSES:
            return self._bdf_on_root(word)
        if bus in self.opts and self.opts[bus].get("driver") in PORT_DRIVERS:
            a = _addr(o.get("addr", "0"))
            if a is None or a[0] != 0:
                raise ValueError(f"device '{word}' must be device 0 behind port "
                                 f"'{bus}' (addr={o.get('addr')})")
            return f"{self.port(bus)}/{a[1]}"
        raise ValueError(f"device '{word}' is on bus '{bus}', which is not the "
                         "root bus or a root/downstream port on it: use its BDF")


def _bdf(word: str) -> str:
    m = _BDF.match(word)
    assert m
    seg = int(m.group(1) or "0", 16)
    if int(m.group(3), 16) > 0x1f:
        raise ValueError(f"bad BDF '{word}': device above 1f")
    prefix = f"{seg:04x}:" if seg else ""
    return f"{prefix}{m.group(2).lower()}:{m.group(3).lower()}.{m.group(4)}"


# -- values and registers -------------------------------------------------------
def _number(word: str, what: str) -> int:
    try:
        v = int(word, 0)
    except ValueError:
        raise ValueError(f"{what} '{word}' is not a number (decimal or 0x-hex)") from None
    if v < 0:
        raise ValueError(f"{what} '{word}' is negative")
    return v


def _fits(v: int, width: int, what: str, word: str) -> int:
    if v >> (8 * width):
        raise ValueError(f"{what} {word} is wider than {8 * width} bits")
    return v


def _register(word: str, width: int | None, step: str) -> tuple[str, str, int]:
    """-> (guest LOC, label, width)."""
    name = word.upper()
    if name in REGS:
        space, cap, off, w = REGS[name]
        if width is not None and width != w:
            raise ValueError(f"{name} is {8 * w}-bit: use {step.rstrip('0123456789')}"
                             f"{8 * w}, not {step}")
        loc = f"h{off:x}" if space == HEADER else f"{space}{cap:x}+{off:x}"
        return loc, name, w
    raw = _RAW.match(word)
    if raw or re.match(r"^(0x[0-9a-fA-F]+|\d+)$", word):
        if width is None:
            raise ValueError(f"register {word} has no name, so no width: write "
                             f"{step}8, {step}16 or {step}32")
        if raw:
            cap, off = int(raw.group(2), 0), int(raw.group(3), 0)
            ext = raw.group(1) == "ext"
            if cap > (0xffff if ext else 0xff) or off > 0xfff:
                raise ValueError(f"register {word} out of range")
        else:
            cap, off, ext = 0, int(word, 0), False
            if off > 0xfff:
                raise ValueError(f"offset {word} is beyond config space (0xfff)")
        if off % width:
            raise ValueError(f"offset {word} is not {8 * width}-bit aligned")
        if not raw:
            return f"h{off:x}", f"0x{off:02x}", width
        loc = f"{'e' if ext else 'c'}{cap:x}+{off:x}"
        return loc, f"{raw.group(1)}:0x{cap:x}+0x{off:x}", width
    raise ValueError(f"unknown register '{word}'")


def _split_width(verb: str, base: str) -> int | None:
    rest = verb[len(base):]
    return WIDTHS[rest] if rest else None


# -- the compiler ---------------------------------------------------------------
class _Compiler:
    def __init__(self, devices: Devices) -> None:
        self.dev = devices
        self.out: list[str] = []
        self.saved: set[str] = set()
        self.script = Script("")
        self.where = ""

    def _take_dev(self, words: list[str]) -> tuple[str, list[str]]:
        """DEV is one word, or `slot-child[.F] [of] PORT`."""
        if not words:
            raise ValueError("missing device")
        m = re.fullmatch(r"slot-child(?:\.([0-7]))?", words[0])
        if m:
            rest = words[1:]
            if rest and rest[0] == "of":
                rest = rest[1:]
            if not rest:
                raise ValueError("slot-child needs a port")
            return f"{self.dev.port(rest[0])}/{m.group(1) or 0}", rest[1:]
        return self.dev.device(words[0]), words[1:]

    def _args(self, words: list[str], n: int, usage: str) -> list[str]:
        if len(words) != n:
            raise ValueError(f"usage: {usage}")
        return words

    def step(self, line: int, words: list[str], rest_text: str) -> None:
        verb, args = words[0], words[1:]
        emit = lambda *w: self.out.append(" ".join([str(line), *map(str, w)]))  # noqa: E731
        m = re.fullmatch(r"(read|write|expect|save)(8|16|32)?", verb)
        if m and m.group(1) in ("read", "write") and not m.group(2):
            raise ValueError(f"{verb} needs a width: {verb}8, {verb}16 or {verb}32")
        if m:
            kind, width = m.group(1), _split_width(verb, m.group(1))
            if kind == "save":
                if not args:
                    raise ValueError(f"usage: {verb} NAME DEV REG")
                name, args = args[0], args[1:]
                self._name(name, "save name")
            dev, args = self._take_dev(args)
            if not args:
                raise ValueError("missing register")
            loc, label, w = _register(args[0], width, verb)
            args = args[1:]
            if kind == "read":
                self._args(args, 0, f"{verb} DEV REG")
                emit("read", 8 * w, dev, loc, label)
            elif kind == "write":
                (value,) = self._args(args, 1, f"{verb} DEV REG VALUE")
                v = _fits(_number(value, "value"), w, "value", value)
                emit("write", 8 * w, dev, loc, label, hex(v))
            elif kind == "expect":
                mask_w, value_w = self._args(args, 2, f"{verb} DEV REG MASK VALUE")
                mask = _fits(_number(mask_w, "mask"), w, "mask", mask_w)
                value = _fits(_number(value_w, "value"), w, "value", value_w)
                if value & ~mask:
                    raise ValueError(f"value {value_w} has bits outside mask "
                                     f"{mask_w}: it can never match")
                emit("expect", 8 * w, dev, loc, label, hex(mask), hex(value))
            else:
                self._args(args, 0, f"{verb} NAME DEV REG")
                if len(self.saved) >= MAX_SAVES and name not in self.saved:
                    raise ValueError(f"more than {MAX_SAVES} saved names")
                self.saved.add(name)
                emit("save", 8 * w, dev, loc, label, name)
        elif verb == "expect-same":
            (name,) = self._args(args, 1, "expect-same NAME")
            if name not in self.saved:
                raise ValueError(f"expect-same {name}: nothing saved under that "
                                 "name on an earlier line")
            emit("same", name)
        elif verb in ("slot-power-off", "slot-power-on", "clear-events", "wait-cc"):
            (port,) = self._args(args, 1, f"{verb} PORT")
            emit(verb.replace("slot-", ""), self.dev.port(port))
        elif verb == "delay":
            (ms,) = self._args(args, 1, "delay MS")
            v = _number(ms, "delay")
            if v > DELAY_MAX_MS:
                raise ValueError(f"delay {ms} ms is longer than {DELAY_MAX_MS} ms")
            emit("delay", v)
        elif verb == "checkpoint":
            self._checkpoint(line, args, rest_text, emit)
        elif verb == "log":
            text = rest_text.strip()
            if not text or len(text) > TEXT_MAX or not text.isascii() \
                    or not text.isprintable():
                raise ValueError(f"log wants 1..{TEXT_MAX} printable ASCII characters")
            emit("log", text)
        else:
            raise ValueError(f"unknown step '{verb}'")

    def _name(self, name: str, what: str) -> None:
        if not _NAME.match(name) or len(name) > NAME_MAX:
            raise ValueError(f"{what} '{name}': letters, digits, . _ - "
                             f"(at most {NAME_MAX})")

    def _checkpoint(self, line: int, args: list[str], rest_text: str, emit) -> None:
        if not args:
            raise ValueError("usage: checkpoint NAME [migrate] [qmp COMMAND [JSON]]")
        name = args[0]
        self._name(name, "checkpoint")
        if name in self.script.checkpoints:
            raise ValueError(f"checkpoint {name} appears twice (actions are by name)")
        self.script.checkpoints.append(name)
        args, used = args[1:], 1
        if args and args[0] == "migrate":
            self.script.migrate_at.append(name)
            args, used = args[1:], used + 1
        if args and args[0] == "qmp":
            # The JSON is the rest of the line as written (not shell-split):
            # what follows the `qmp` word, found by its position (the
            # checkpoint's name may contain "qmp" as well).
            cmd, _, js = _after_words(rest_text, used + 1).partition(" ")
            self.script.qmp.append(qmp_action(name, cmd, js, self.where))
        elif args:
            raise ValueError(f"checkpoint {name}: unexpected '{args[0]}' "
                             "(want: migrate, qmp COMMAND [JSON])")
        emit("checkpoint", name)


def _after_words(text: str, n: int) -> str:
    """text after its first n whitespace-separated words, stripped."""
    words = list(re.finditer(r"\S+", text))
    return text[words[n - 1].end():].strip() if len(words) >= n else ""


GUEST_JUDGES = "guest-judges"


def qmp_action(checkpoint: str, command: str, rest: str, where: str) -> QmpAction:
    """`command [{json args}] [wait EVENT [SECONDS]] [guest-judges]` (rest:
    after command)."""
    if not _QMP_CMD.match(command):
        raise ValueError(f"qmp: bad command name '{command}'")
    if command in REFUSED_QMP:
        raise ValueError(f"qmp: {command} is refused at a checkpoint (the harness "
                         "owns reset, quit and migration)")
    args: object = {}
    rest = rest.strip()
    if rest.startswith("{"):
        try:
            args, end = json.JSONDecoder().raw_decode(rest)
        except ValueError as e:
            raise ValueError(f"qmp {command}: arguments are not JSON: {e}") from None
        if not isinstance(args, dict):
            raise ValueError(f"qmp {command}: arguments must be a JSON object")
        rest = rest[end:].strip()
    action = QmpAction(checkpoint, command, args, where)  # type: ignore[arg-type]
    words = rest.split()
    if words and words[-1] == GUEST_JUDGES:
        action.guest_judges = True
        words.pop()
        rest = " ".join(words)
    if words:
        if words[0] != "wait" or len(words) not in (2, 3) \
                or not re.fullmatch(r"[A-Z][A-Z0-9_]*", words[1]):
            raise ValueError(f"qmp {command}: arguments are one JSON object, then "
                             f"only 'wait EVENT [SECONDS]' and '{GUEST_JUDGES}' "
                             f"(got '{rest}')")
        action.wait_event = words[1]
        if len(words) == 3:
            try:
                action.wait_seconds = float(words[2])
            except ValueError:
                action.wait_seconds = -1
            if not 0 < action.wait_seconds <= 600:
                raise ValueError(f"qmp {command}: wait wants 0 < SECONDS <= 600")
    return action


def compile_script(lines: list[tuple[int, str]], devices: list[str],
                   where: str, entry: str) -> Script:
    """lines: (line number, text) of the human script. Raises ScriptError
    'where:LINE: entry: problem' on the first bad line."""
    c = _Compiler(Devices(devices))
    for number, text in lines:
        stripped = text.strip()
        if not stripped.startswith("log "):     # " # ..." ends a step's line
            stripped = re.split(r"\s#", stripped, maxsplit=1)[0].strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            words = stripped.split()
            c.where = f"{where}:{number}"
            c.step(number, words, stripped[len(words[0]):])
        except ValueError as e:
            raise ScriptError(f"{where}:{number}: {entry}: {e}") from None
        if len(c.out) > MAX_STEPS:
            raise ScriptError(f"{where}:{number}: {entry}: more than {MAX_STEPS} steps")
        size = sum(len(s) + 1 for s in c.out)
        if size >= MAX_BYTES:
            raise ScriptError(f"{where}:{number}: {entry}: script longer than "
                              f"the guest's {MAX_BYTES}-byte buffer")
    if not c.out:
        raise ScriptError(f"{where}: {entry}: the script has no steps")
    c.script.guest = "\n".join(c.out) + "\n"
    c.script.steps = len(c.out)
    return c.script


def parse_qmp_at(lines: list[tuple[int, str]], where: str, entry: str) -> list[QmpAction]:
    """Plan key qmp_at: `CHECKPOINT: command {json args}`, one per line."""
    out = []
    for number, text in lines:
        s = text.strip()
        if not s or s.startswith("#"):
            continue
        cp, colon, rest = s.partition(":")
        cmd, _, js = rest.strip().partition(" ")
        try:
            if not colon or not _NAME.match(cp.strip()):
                raise ValueError("qmp_at wants 'CHECKPOINT: command {json args}'")
            out.append(qmp_action(cp.strip(), cmd, js, f"{where}:{number}"))
        except ValueError as e:
            raise ScriptError(f"{where}:{number}: {entry}: {e}") from None
    return out


def text_lines(text: str, first: int = 1) -> list[tuple[int, str]]:
    return [(first + i, line) for i, line in enumerate(text.splitlines())]


# -- a failed expect's identity ---------------------------------------------------
# lib/script/script_run.c's text for an expect that read another value.
_EXPECT_FAILED = re.compile(r"\bline (\d+): expect(8|16|32) \S+ \S+ & \S+ == \S+ \(read \S+\)")
_LOC = re.compile(r"([hce])([0-9a-f]+)(?:\+([0-9a-f]+))?$")


def _fields_of(reg: regnames.Register, mask: int) -> list[str]:
    """The fields `mask` (in register position) covers: named fields whole,
    the rest as register bits (checkkey.canonical_field's spelling), the
    whole register when it names no field there."""
    if mask == (1 << (8 * reg.width)) - 1 and not any(f.mask & mask for f in reg.fields):
        return [reg.name]
    out = [f.name for f in reg.fields if f.mask & mask == f.mask]
    rest = mask & ~sum(f.mask for f in reg.fields if f.mask & mask == f.mask)
    while rest:
        low = (rest & -rest).bit_length() - 1
        high = low
        while rest >> (high + 1) & 1:
            high += 1
        rest &= ~(((1 << (high + 1)) - 1) & ~((1 << low) - 1))
        out.append(canonical_field(f"{reg.name}[{high}:{low}]" if high > low
                                   else f"{reg.name}[{low}]") or f"{reg.name}[{high}:{low}]")
    return out


def _register_at(loc: str, offset: int) -> regnames.Register | None:
    m = _LOC.match(loc)
    if not m:
        return None
    if m.group(1) == HEADER:     # a port's header is type 1, an endpoint's type 0
        return regnames.register_at(regnames.HDR, 1, offset) or \
            regnames.register_at(regnames.HDR, 0, offset)
    space = regnames.STD if m.group(1) == CAP else regnames.EXT
    return regnames.register_at(space, int(m.group(2), 16), offset)


def expect_fields(script: Script, text: str) -> list[str] | None:
    """The register fields of a failed `expect` step (a guest result's text
    naming its line), by the mask it checked; None when the text is not an
    expect that read another value, or its register is not in the table."""
    m = _EXPECT_FAILED.search(text)
    if not m:
        return None
    step = next((s.split() for s in script.guest.splitlines()
                 if s.split()[:2] == [m.group(1), "expect"]), None)
    if step is None or len(step) != 8:
        return None
    _, _, width, _, loc, _, mask_text, _ = step
    lm = _LOC.match(loc)
    if not lm:
        return None
    start = int(lm.group(3) or lm.group(2), 16)
    masks: dict[regnames.Register, int] = {}
    for i in range(int(width) // 8):
        byte = int(mask_text, 16) >> (8 * i) & 0xff
        reg = _register_at(loc, start + i)
        if byte and reg is None:
            return None
        if byte and reg is not None:
            masks[reg] = masks.get(reg, 0) | byte << (8 * (start + i - reg.offset))
    return [name for reg, mask in masks.items() for name in _fields_of(reg, mask)]
