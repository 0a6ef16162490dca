"""Differential mode (--differential): migration must be transparent.

A plan entry runs twice: once without any migration, once with a migration
at every checkpoint. The guest's structured observations (`obs LOCATION
REGISTER VALUE`, from report_obs() in the guest tests and every read of a
`script`) are compared: an observation is keyed by how many checkpoints the
guest had passed, where, which register and its occurrence in that stretch,
so the two runs line up even though only one of them migrated. Every
observation that differs, or is present in one run only, is a finding —
unless the plan documents it with `differential_expect` (one line per
expected difference: `LOCATION REGISTER reason`, fnmatch patterns allowed).

--boot-differential does the same for warm start (warmstart.py): the entry
booted cold through OVMF vs. restored from the saved post-boot state (one
vmstate load the cold guest has not been through). Any difference is a
finding: a warm start must be indistinguishable to the guest.
"""
from __future__ import annotations

import dataclasses
import fnmatch
from collections import Counter
from dataclasses import dataclass

from .plan import Entry
from .report import Check, EntryResult

Observation = tuple[int, str, str, str]      # checkpoints passed, location, register, value
Key = tuple[int, str, str, int]              # ... with the occurrence instead of the value

ABSENT = "(absent)"


@dataclass
class Difference:
    key: Key
    without: str        # value without migration (booted cold), or ABSENT
    migrated: str       # value with migrations (restored), or ABSENT

    def describe(self, labels: tuple[str, str] = ("without migration", "with")) -> str:
        after, location, register, nth = self.key
        where = f"after checkpoint {after}" if after else "before any checkpoint"
        again = f" (reading {nth + 1})" if nth else ""
        return (f"{where}: {location} {register}{again} {self.without} {labels[0]}, "
                f"{self.migrated} {labels[1]}")


def keyed(observations: list[Observation]) -> dict[Key, str]:
    seen: Counter[tuple[int, str, str]] = Counter()
    out: dict[Key, str] = {}
    for after, location, register, value in observations:
        nth = seen[(after, location, register)]
        seen[(after, location, register)] += 1
        out[(after, location, register, nth)] = value
    return out


def _same(a: str, b: str) -> bool:
    try:
        return int(a, 0) == int(b, 0)
    except ValueError:
        return a == b


def compare(without: list[Observation], migrated: list[Observation]) -> list[Difference]:
    a, b = keyed(without), keyed(migrated)
    diffs = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key, ABSENT), b.get(key, ABSENT)
        if not _same(va, vb):
            diffs.append(Difference(key, va, vb))
    return diffs


def documented(diff: Difference, expect: list[tuple[str, str, str]]) -> str | None:
    """The plan's reason for an expected difference, or None."""
    _, location, register, _ = diff.key
    for loc_pat, reg_pat, reason in expect:
        if fnmatch.fnmatchcase(location, loc_pat) and fnmatch.fnmatchcase(register, reg_pat):
            return reason or "documented in the plan"
    return None


def variants(entry: Entry) -> tuple[Entry, Entry]:
    """The entry without any migration, and with one at every checkpoint."""
    # Without migrations the entry's migration errata cannot show: not listed.
    still = dataclasses.replace(entry, name=f"{entry.name}@no-migration",
                                migrate_at=[], migrate_random=None, errata=[])
    moved = dataclasses.replace(entry, name=f"{entry.name}@migrate-all",
                                migrate_at=["all"], migrate_random=None,
                                migrate_chance=1.0)
    return still, moved


def _migrations(result: EntryResult) -> int:
    return sum(1 for c in result.checks
               if c.ok and c.description.startswith("migration ") and " completed" in c.description)


def judge_pair(entry: Entry, still: EntryResult, moved: EntryResult) -> EntryResult:
    """One result for the comparison: a check per difference, and a summary."""
    name = f"{entry.name}@differential"
    checks: list[Check] = []
    if not still.observations and not moved.observations:
        checks.append(Check(True, "differential: the guest made no observations",
                            directive="SKIP nothing to compare"))
        return EntryResult(name, "SKIP", "no observations", checks)
    if _migrations(moved) == 0:
        if moved.outcome == "XFAIL":    # a known bug stopped every migration
            checks.append(Check(True, "differential: no migration completed "
                                f"({moved.reason})", directive="SKIP nothing migrated"))
            return EntryResult(name, "SKIP", "no migration completed", checks)
        checks.append(Check(False, "differential: the run with migrations did not "
                            "migrate (no checkpoint reached, or every migration failed)"))
    diffs = compare(still.observations, moved.observations)
    findings = 0
    for d in diffs:
        reason = documented(d, entry.differential_expect)
        findings += reason is None
        checks.append(Check(reason is not None, "differential: " + d.describe()
                            + (f" (expected: {reason})" if reason else "")))
    compared = len(set(keyed(still.observations)) | set(keyed(moved.observations)))
    checks.append(Check(findings == 0, f"differential: {compared} observations compared "
                        f"across {_migrations(moved)} migration(s), {len(diffs)} differ, "
                        f"{len(diffs) - findings} of them documented"))
    bad = [c for c in checks if not c.ok]
    return EntryResult(name, "FAIL" if bad else "PASS",
                       bad[0].description if bad else "", checks,
                       seconds=still.seconds + moved.seconds)


def boot_variants(entry: Entry) -> tuple[Entry, Entry]:
    """The entry booted cold, and started from the saved post-boot state."""
    cold = dataclasses.replace(entry, name=f"{entry.name}@cold-boot", boot="cold")
    warm = dataclasses.replace(entry, name=f"{entry.name}@warm-start", boot="warm")
    return cold, warm


def _warm_started(result: EntryResult) -> bool:
    return (result.timings or {}).get("boot") == "warm"


def judge_boot_pair(entry: Entry, cold: EntryResult, warm: EntryResult) -> EntryResult:
    """--boot-differential: every observation must be the same cold and warm."""
    name = f"{entry.name}@boot-differential"
    checks: list[Check] = []
    if not _warm_started(warm):
        checks.append(Check(False, "boot differential: the warm run did not start "
                            "from a saved state (see its stderr line)"))
    if not cold.observations and not warm.observations:
        checks.append(Check(False, "boot differential: the guest made no observations "
                            "(nothing compared)"))
    diffs = compare(cold.observations, warm.observations)
    for d in diffs:
        checks.append(Check(False, "boot differential: "
                            + d.describe(("booted cold", "restored"))))
    compared = len(set(keyed(cold.observations)) | set(keyed(warm.observations)))
    checks.append(Check(not diffs, f"boot differential: {compared} observations "
                        f"compared, {len(diffs)} differ"))
    if warm.outcome != cold.outcome:
        checks.append(Check(False, f"boot differential: outcome {cold.outcome} booted "
                            f"cold, {warm.outcome} restored"))
    bad = [c for c in checks if not c.ok]
    return EntryResult(name, "FAIL" if bad else "PASS",
                       bad[0].description if bad else "", checks,
                       seconds=cold.seconds + warm.seconds)
