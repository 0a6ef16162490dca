"""Turns one entry's checks into its outcome, applying the errata: a failure
that matches a known bug of this QEMU is expected (TODO/XFAIL, naming the
fix); a listed known bug that should have shown but did not is a failure.

Once a known bug showed, only the checks that follow from it (those the
runner marks `follows`: the guest's exit status) are expected too; anything
else, and above all a FAIL the guest itself reported, stays a FAIL unless it
matches an erratum of its own."""
from __future__ import annotations

from .errata import Erratum, Version, version_text
from .plan import Entry
from .report import Check, EntryResult


def known_bug_directive(e: Erratum) -> str:
    return f"TODO known bug {e.id}; fix: {e.fix}"


def apply_errata(checks: list[Check], entry: Entry, errata: dict[str, Erratum],
                 version: Version, machine: str) -> list[Check]:
    applicable = [e for e in errata.values() if e.applies(version, machine)]
    shown: Erratum | None = None
    shown_ids: set[str] = set()
    for c in checks:
        if not c.unexpected:
            continue
        text = "\n".join([c.description, c.evidence, *c.diagnostics])
        here = applicable if c.qemu is None else [
            e for e in errata.values() if e.applies(*c.qemu)]
        match = next((e for e in here if e.shows_in(text)), None)
        if match:
            shown = shown or match
            shown_ids.add(match.id)
            c.directive = known_bug_directive(match)
        elif shown and c.follows:
            c.directive = f"TODO after known bug {shown.id}"
    for eid in entry.errata:
        e = errata.get(eid)
        if e and e in applicable and eid not in shown_ids:
            checks.append(Check(False, f"known bug {eid} did not show on QEMU "
                                f"{version_text(version)} ({machine}): "
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
