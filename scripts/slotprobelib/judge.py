"""Turns one entry's checks into its outcome, applying the errata: a failure
that matches a known bug of this QEMU is expected (TODO/XFAIL, naming the
fix); a listed known bug that should have shown but did not is a failure.

Once a known bug showed, only the checks that follow from it (those the
runner marks `follows`: the guest's exit status) are expected too; anything
else, and above all a FAIL the guest itself reported, stays a FAIL unless it
matches an erratum of its own."""
from __future__ import annotations

from .checkkey import register_of
from .errata import Erratum, Version, version_text
from .plan import Entry
from .report import Check, EntryResult


def known_bug_directive(e: Erratum) -> str:
    return f"TODO known bug {e.id}; fix: {e.fix}"


def _explains(e: Erratum, c: Check) -> bool:
    """A refused migration decoded to fields (c.fields) is explained by
    field: every checked differing field must be one of the bug's. A guest
    check that failed with keys (c.keys) by key, by a bug that lists checks:
    every key must be one of them, whatever its text says. Other failures
    (and keyed ones before a bug without checks, a user's older file) by the
    bug's symptom over their text. A script's expect that read another
    value (c.expect_fields) by field: every field its mask covers must be
    one the bug is about (apply_errata offers only the bugs the entry
    lists: a findings.cfg entry of `slotprobe explore` names its bug)."""
    if c.expect_fields is not None:
        return bool(c.expect_fields) and set(c.expect_fields) <= e.covered_fields
    if c.fields is not None:
        return e.explains_fields(c.fields)
    if c.keys and e.checks:
        return e.explains_keys(c.keys)
    return e.shows_in("\n".join([c.description, c.evidence, *c.diagnostics]))


def _key_notes(c: Check, candidates: list[Erratum]) -> list[str]:
    """A keyed failure no bug explains: its keys, and what the bugs with
    checks at the same registers explain instead."""
    keys = c.keys or []
    regs = {register_of(k.field) for k in keys} - {None}
    notes = ["no known bug explains check " + ", ".join(
        f"{k.field} {k.condition} ({k.test})" for k in keys)]
    for e in candidates:
        near = sorted(p.pair for p in e.checks if register_of(p.field) in regs)
        missing = [k.pair for k in keys if not e.explains_key(k)]
        if near and missing:
            notes.append(f"not known bug {e.id}: it explains {', '.join(near)}, "
                         f"not {', '.join(missing)}")
    return notes


def _why_not(c: Check, candidates: list[Erratum]) -> list[str]:
    """What a reader needs when a failure looks like a known bug but is not."""
    notes = []
    for e in candidates:
        if e.fix_present and _explains(e, c):
            notes.append(f"known bug {e.id} would explain this, but {e.fix_present} "
                         "declares its fix present")
        elif c.fields and e.fields & set(c.fields):
            extra = [f for f in c.fields if f not in e.fields]
            notes.append(f"not known bug {e.id} alone: it explains "
                         f"{', '.join(sorted(e.fields & set(c.fields)))}, not "
                         f"{', '.join(extra)}")
    if c.keys and not notes:
        notes += _key_notes(c, [e for e in candidates if e.checks and not e.fix_present])
    return notes


def apply_errata(checks: list[Check], entry: Entry, errata: dict[str, Erratum],
                 version: Version, machine: str) -> list[Check]:
    def affected(v: Version, m: str) -> list[Erratum]:
        return [e for e in errata.values() if e.applies(v, m)]

    applicable = affected(version, machine)
    shown: Erratum | None = None
    shown_ids: set[str] = set()
    for c in checks:
        if not c.unexpected:
            continue
        here = applicable if c.qemu is None else affected(*c.qemu)
        if c.expect_fields is not None:
            here = [e for e in here if e.id in entry.errata]
        match = next((e for e in here if not e.fix_present and _explains(e, c)), None)
        if match:
            shown = shown or match
            shown_ids.add(match.id)
            c.directive = known_bug_directive(match)
            continue
        c.diagnostics[:0] = _why_not(c, here)
        shown_ids.update(e.id for e in here if e.fix_present and _explains(e, c))
        if shown and c.follows:
            c.directive = f"TODO after known bug {shown.id}"
    for eid in entry.errata:
        e = errata.get(eid)
        if not e or e not in applicable or eid in shown_ids:
            continue
        where = f"QEMU {version_text(version)} ({machine})"
        if e.fix_present:
            checks.append(Check(True, f"known bug {eid} did not show on {where}: "
                                f"its fix is declared present ({e.fix_present})"))
        else:
            checks.append(Check(False, f"known bug {eid} did not show on {where}: "
                                "backport, or the test lost its power"))
    return checks


def outcome(checks: list[Check], setup_error: str | None,
            skipped: bool) -> tuple[str, str]:
    if setup_error:
        return "ERROR", setup_error
    bad = [c for c in checks if c.unexpected]
    if bad:
        return "FAIL", bad[0].description
    todo = [c for c in checks if c.directive.startswith("TODO known bug")]
    if todo:
        return "XFAIL", todo[0].directive[5:]
    if skipped:
        return "SKIP", ""
    return "PASS", ""


def judge(name: str, checks: list[Check], entry: Entry,
          errata: dict[str, Erratum], version: Version | None, machine: str,
          setup_error: str | None = None, skipped: bool = False) -> EntryResult:
    if version is not None and not setup_error:
        checks = apply_errata(checks, entry, errata, version, machine)
    out, reason = outcome(checks, setup_error, skipped)
    return EntryResult(name, out, reason, checks)
