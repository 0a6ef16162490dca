"""What happens next in a run, as the migration controller returns it
(migration_control.py) and the runner carries it out (runner.py)."""
from __future__ import annotations

from dataclasses import dataclass

from .hostlink import Message
from .qemu import Qemu


@dataclass
class Resume:
    """Read the guest on q."""
    q: Qemu


@dataclass
class AtCheckpoint:
    """The guest on q waits at checkpoint cp: QMP commands, maybe a
    migration, then go."""
    q: Qemu
    cp: Message


@dataclass
class Migrate:
    """Move the guest from q; waiting_seq: the checkpoint it waits at
    (named checkpoint), None at a random moment."""
    q: Qemu
    where: str
    waiting_seq: int | None = None
    checkpoint: str = ""


@dataclass
class SendGo:
    """Let the guest on q go on from checkpoint seq."""
    q: Qemu
    seq: int
    name: str


@dataclass
class RollBack:
    """dead took the guest over and died on probation."""
    dead: Qemu


Action = Resume | AtCheckpoint | Migrate | SendGo | RollBack
