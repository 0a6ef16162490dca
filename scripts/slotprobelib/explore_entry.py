"""The entry `slotprobe explore ENTRY` runs: guest test `explore` on the
topology of any plan entry (its machine, devices, destination devices,
network, slot= and child=), with the host's part of the explorer's steps:

  explore-restore, explore-add   device_add of the slot's device (the one
                                 whose bus= is the slot's port), with the
                                 arguments of its -device text
  explore-del                    device_del of that device's id (no wait:
                                 with native hot-plug QEMU finishes it only
                                 after the guest powers the slot off)
  explore-migrate                a migration (migrate_at), when migrations
                                 are on

and the explorer's parameters (seed, sequences or budget, replays, shard,
migrate). A budget bounds the run: the guest starts no sequence after it
and stops minimizing at it; the watchdog and the harness's timeout follow
it by fixed margins, so the run always ends."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from .plan import Entry
from .qemu_info import SetupError
from .script import PORT_DRIVERS, Devices, QmpAction, _addr, _bdf

TEST = "explore"
MIGRATE_CHECKPOINT = "explore-migrate"
# After the budget: the guest's reports, its last replays, its exit (the
# watchdog's margin); then a boot through OVMF under a loaded TCG host (the
# harness's margin over the watchdog).
WATCHDOG_MARGIN_S = 60
TIMEOUT_MARGIN_S = 60
# --sequences: no bound known in advance; as tests/plans.cfg [explore].
SEQUENCES_TIMEOUT_S = 1800
BUDGET_MAX_S = 86400
HOTPLUG_OFF = ("off", "false", "no", "0")
_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class SlotDevice:
    """The device in the hot-plug slot the explorer drives."""
    port_id: str
    port_bdf: str | None     # None: a port behind a switch (the firmware numbers its bus)
    device_id: str
    device_add: dict[str, Any]     # QMP device_add arguments


@dataclass(frozen=True)
class Campaign:
    """What the command line asks of the explorer."""
    seed: int = 1
    sequences: int = 20          # 0 with a budget: unbounded
    budget: int = 0              # seconds; 0: none
    replays: int | None = None   # None: the guest's default
    shard: int = 1
    shards: int = 1
    migrate: bool = False
    timeout: float | None = None   # --timeout, if given
    extra: tuple[str, ...] = ()    # --param KEY=VALUE: other parameters (hotplug=0)


# The parameters the campaign sets itself (their options say so).
CAMPAIGN_PARAMS = {"seed": "--seed", "sequences": "--sequences", "budget": "--budget",
                   "shard": "--shard", "shards": "--shard or --jobs", "replays": "--replays",
                   "migrate": "--no-migrate", "watchdog": "--budget or --timeout"}


def extra_params(words: list[str]) -> tuple[str, ...]:
    """--param KEY=VALUE for explore: any the campaign does not set itself."""
    for p in words:
        key = p.partition("=")[0]
        if key in CAMPAIGN_PARAMS:
            raise SetupError(f"--param {p}: explore sets {key}= itself (use "
                             f"{CAMPAIGN_PARAMS[key]})")
    return tuple(words)


def param(entry: Entry, key: str) -> str | None:
    for p in entry.params:
        k, _, v = p.partition("=")
        if k == key:
            return v
    return None


def _qmp_value(text: str) -> Any:
    """-device option text as a device_add value: decimal numbers as
    numbers (as a plan's qmp_at writes them), the rest as QEMU parses it."""
    return int(text) if _NUMBER.fullmatch(text) else text


def slot_devices(entry: Entry) -> list[SlotDevice]:
    """Every device (with an id, function 0) on a hot-plug capable root or
    downstream port of the entry's -device arguments."""
    devs = Devices(entry.devices)
    out = []
    for dev_id, o in devs.opts.items():
        port = devs.opts.get(o.get("bus", ""))
        if port is None or port.get("driver") not in PORT_DRIVERS:
            continue
        if port.get("hotplug", "on").lower() in HOTPLUG_OFF:
            continue
        if _addr(o.get("addr", "0")) != (0, 0):
            continue
        try:
            bdf: str | None = devs.port(o["bus"])
        except ValueError:
            bdf = None
        out.append(SlotDevice(o["bus"], bdf, dev_id,
                              {k: _qmp_value(v) for k, v in o.items()}))
    return out


def slot_device(entry: Entry) -> SlotDevice:
    """The slot device to explore: the one on the port of the entry's slot=
    when it names one, else the only one (or the first on the root bus)."""
    found = slot_devices(entry)
    if not found:
        raise SetupError(
            f"plan entry '{entry.name}' has no hot-plug slot device to use: no -device "
            f"with an id= at addr 0 on a hot-plug port ({', '.join(PORT_DRIVERS)})")
    slot = param(entry, "slot")
    if slot:
        try:
            want = _bdf(slot)
        except (AssertionError, ValueError):
            raise SetupError(f"plan entry '{entry.name}': slot={slot} is not a BDF") from None
        hits = [d for d in found if d.port_bdf == want]
        unknown = [d for d in found if d.port_bdf is None]
        if hits:
            return hits[0]
        if len(unknown) == 1:      # behind a switch: the guest finds slot= itself
            return unknown[0]
        raise SetupError(f"plan entry '{entry.name}': no device with an id= in the "
                         f"hot-plug slot of port {slot}")
    on_root = [d for d in found if d.port_bdf is not None]
    if len(found) > 1 and not on_root:
        raise SetupError(f"plan entry '{entry.name}': several slots behind switches; "
                         "say which with --param slot=BDF in the entry")
    return (on_root or found)[0]


def host_steps(dev: SlotDevice, where: str) -> list[QmpAction]:
    """qmp_at of the explorer's checkpoints for this slot device."""
    add = dict(dev.device_add)
    # The explorer's own steps: QEMU refusing one is what the guest judges
    # (x-mig's guest_judges, as tests/plans.cfg [explore] writes them).
    return [QmpAction("explore-restore", "device_add", add, where),
            QmpAction("explore-add", "device_add", dict(add), where, guest_judges=True),
            QmpAction("explore-del", "device_del", {"id": dev.device_id}, where,
                      guest_judges=True)]


def entry_migrates(entry: Entry) -> bool:
    return bool(entry.migrate_at or entry.migrate_random)


def timeouts(base: Entry, c: Campaign) -> tuple[float, int]:
    """(the harness's timeout, the guest's watchdog in seconds)."""
    if c.budget:
        watchdog = c.budget + WATCHDOG_MARGIN_S
        return float(watchdog + TIMEOUT_MARGIN_S), watchdog
    if c.timeout is not None:
        timeout = c.timeout
    elif base.test == TEST:
        timeout = base.timeout
    else:
        timeout = float(SEQUENCES_TIMEOUT_S)
    return timeout, max(1, int(timeout) - TIMEOUT_MARGIN_S)


# Parameters every guest test accepts (lib/runtime/args.c COMMON_KEYS).
COMMON_PARAMS = ("hostlink", "go-timeout", "watchdog")
# The explorer's parameters an older image may lack, at the value that
# means the same as leaving them out.
NEUTRAL = {"budget": "0", "shard": "1", "shards": "1"}


def fit_params(entry: Entry, declared: tuple[str, ...] | None) -> Entry:
    """entry's parameters as the image's test explore declares them
    (build/tests.json; None: not known): a guest refuses a parameter it
    does not know, so a neutral one is left out, and one the campaign
    needs is a set-up error before QEMU starts."""
    if declared is None:
        return entry
    keep = []
    for p in entry.params:
        key, _, value = p.partition("=")
        if key in declared or key in COMMON_PARAMS:
            keep.append(p)
        elif NEUTRAL.get(key) != value:
            raise SetupError(f"the image's test {TEST} has no parameter '{key}' "
                             f"({p}; it has: {' '.join(declared)}): rebuild it (make)")
    return dataclasses.replace(entry, params=keep)


def explore_entry(base: Entry, c: Campaign, name: str | None = None) -> Entry:
    """Guest test explore on base's topology, for campaign c."""
    dev = slot_device(base)
    timeout, watchdog = timeouts(base, c)
    # An explore entry's own parameters stay (e.g. hotplug=); another
    # test's mean nothing to explore but its slot and child.
    params: dict[str, object] = dict(p.partition("=")[::2] for p in base.params) \
        if base.test == TEST else {}
    params["slot"] = param(base, "slot") or dev.port_bdf
    if param(base, "child"):
        params["child"] = param(base, "child")
    params.update(dict(p.partition("=")[::2] for p in c.extra))
    params.update(seed=c.seed, sequences=0 if c.budget else c.sequences, budget=c.budget,
                  shard=c.shard, shards=c.shards, migrate=int(c.migrate),
                  watchdog=watchdog)
    if c.replays is not None:
        params["replays"] = c.replays
    return dataclasses.replace(
        base, name=name or base.name, test=TEST,
        params=[f"{k}={v}" for k, v in params.items() if v is not None],
        migrate_at=[MIGRATE_CHECKPOINT] if c.migrate else [],
        qmp_at=host_steps(dev, f"{base.where} (explore)"),
        timeout=timeout, expect="pass", errata=[], script=None,
        migrate_delay=(0, 0), migrate_chance=1.0,
        # Migrations at random moments, without the guest's consent: an
        # explore entry's own migrate_random stays (another test's moments
        # were chosen for that test's run).
        migrate_random=base.migrate_random if base.test == TEST else None,
        differential_expect=[])
