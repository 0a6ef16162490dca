"""Harness-wide settings from the command line, shared by every entry."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .startup import SILENCE_LIMIT
from .warmcache import WarmCache


@dataclass
class Options:
    """Harness-wide settings (command line) that apply to every entry."""
    qemu: str
    ovmf: str
    kernel: str | None = None
    esp: str | None = None
    dst_qemu: str | None = None
    machine: str | None = None
    dst_machine: str | None = None
    dst_args: list[str] | None = None
    accel: str = "tcg"
    memory: str = "256"
    migrate_at: list[str] = field(default_factory=list)
    timeout: float | None = None
    keep_logs: bool = False
    log_dir: str | None = None
    migration_timeout: float = 60.0
    network: str | None = None       # overrides the entry's (unix | netns)
    dst_settle: float = 1.0          # probation of a destination, seconds
    silence_limit: float = SILENCE_LIMIT   # QEMU CPU seconds with a silent guest: set-up problem
    warm_cache: WarmCache | None = None   # None: every entry boots cold (--cold-boot)
    # Launch the next migration's destination (-incoming defer) during the
    # migration before it, so a migration does not wait for QEMU to start.
    pipeline: bool = True
    backend: str | None = None       # overrides the entry's (qemu | libvirt)
    libvirt_uri: str | None = None   # existing daemons instead of the harness's own
    dst_libvirt_uri: str | None = None

    def __post_init__(self) -> None:
        # None: each entry's own timeout. 0 used to mean that too, and nan
        # or inf switched the deadline off.
        t = self.timeout
        if t is not None and not (math.isfinite(t) and t > 0):
            raise ValueError(f"Options.timeout must be a positive number of seconds, not {t}")
