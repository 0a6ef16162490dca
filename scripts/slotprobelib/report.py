"""Results: TAP version 13 on stdout, optional JUnit XML, one summary line."""
from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TextIO

from .checkkey import CheckKey

OUTCOMES = ("PASS", "XFAIL", "SKIP", "FAIL", "ERROR")
EXPECTED = ("PASS", "XFAIL", "SKIP")


class ReportError(Exception):
    """A result file could not be written: one line (the results are out)."""


@dataclass
class Check:
    ok: bool
    description: str
    directive: str = ""          # "TODO known bug ...", "SKIP reason" or ""
    diagnostics: list[str] = field(default_factory=list)
    evidence: str = ""           # text errata symptoms are matched against
    # The QEMU that failed, when it is not the source (a destination from
    # --dst-qemu/--dst-machine): (major, minor, micro), canonical machine.
    qemu: tuple[tuple[int, int, int], str] | None = None
    # A harness check whose failure follows from earlier ones (the guest's
    # exit status): after a known bug it is expected too, nothing else is.
    follows: bool = False
    # A refused migration decoded to register fields (loadfail.py): the Linux
    # names of its checked differing fields. Errata match these, not text.
    fields: list[str] | None = None
    # A guest check that failed, by its identity (checkkey.py): errata
    # match these keys, not its text.
    keys: list[CheckKey] | None = None
    # A script's `expect` step that read another value (script.py
    # expect_fields): the register fields its mask covers. The errata its
    # entry lists match these, by field (explore's findings.cfg replays).
    expect_fields: list[str] | None = None

    @property
    def unexpected(self) -> bool:
        return not self.ok and not self.directive.startswith("TODO")


@dataclass
class EntryResult:
    name: str
    outcome: str                 # one of OUTCOMES
    reason: str = ""
    checks: list[Check] = field(default_factory=list)
    logdir: str | None = None
    seconds: float = 0.0
    seed: int | None = None      # the run's random.Random seed (race hunting)
    timings: dict = field(default_factory=dict)   # bench figures, seconds
    # (checkpoints passed, location, register, value) from the guest's obs lines
    observations: list = field(default_factory=list)


def _named(entry: str, description: str) -> str:
    """A TAP line's text: the entry's name, then the check. A guest's check
    starts with its test's name (after a status such as "FAIL: "); when
    that is the entry's name too, the name is said once."""
    m = re.match(rf"([A-Z]+: )?{re.escape(entry)}: ", description)
    if m:
        description = (m.group(1) or "") + description[m.end():]
    return f"{entry}: {description}"


def _clean(text: str) -> str:
    # '#' starts a directive in TAP; TAP 13 escapes it as '\#'.
    return " ".join(text.replace("\\", "\\\\").replace("#", "\\#").split())


class Report:
    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.count = 0
        self.entries: list[EntryResult] = []
        self.out.write("TAP version 13\n")
        self.out.flush()

    def comment(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.out.write(f"# {line}\n")
        self.out.flush()

    def add(self, result: EntryResult) -> None:
        self.entries.append(result)
        # A campaign refused at the same place again and again (explore)
        # quotes QEMU's stderr once per entry; the JUnit file keeps each.
        said: dict[tuple[str, ...], int] = {}
        for c in result.checks:
            self.count += 1
            line = f"{'ok' if c.ok else 'not ok'} {self.count} - " \
                   f"{_clean(_named(result.name, c.description))}"
            if c.directive:
                line += f" # {_clean(c.directive)}"
            self.out.write(line + "\n")
            key = tuple(c.diagnostics)
            if len(key) > 1 and key in said:
                self.out.write(f"#   (diagnostics as test {said[key]}'s)\n")
                continue
            said.setdefault(key, self.count)
            for d in c.diagnostics:
                self.out.write(f"#   {d}\n")
        tail = f" ({result.reason})" if result.reason else ""
        where = f"; logs: {result.logdir}" if result.logdir else ""
        self.comment(f"{result.name}: {result.outcome}{tail} "
                     f"in {result.seconds:.1f}s{where}")

    def finish(self, logs: str | None = None, notes: list[str] | None = None) -> str:
        """Writes the plan line, notes (e.g. --repeat rates) and the summary;
        returns the summary."""
        self.out.write(f"1..{self.count}\n")
        for note in notes or []:
            self.out.write(note + "\n")
        n = {o: sum(e.outcome == o for e in self.entries) for o in OUTCOMES}
        parts = [f"{n['PASS']} PASS", f"{n['XFAIL']} XFAIL"]
        parts += [f"{n[o]} {o}" for o in ("SKIP", "ERROR") if n[o]]
        parts.append(f"{n['FAIL']} FAIL")
        kept = [e.logdir for e in self.entries if e.logdir]
        # With several kept folders under one --log-dir, name the parent.
        where = (logs if logs and len(kept) > 1 else ", ".join(kept)) if kept else None
        line = (f"slotprobe: {len(self.entries)} "
                f"entr{'y' if len(self.entries) == 1 else 'ies'}: "
                + ", ".join(parts) + (f" (logs: {where})" if where else ""))
        self.out.write(line + "\n")
        self.out.flush()
        return line

    def all_expected(self) -> bool:
        return all(e.outcome in EXPECTED for e in self.entries)

    def write_junit(self, path: str) -> None:
        suites = ET.Element("testsuites", name="slotprobe")
        for e in self.entries:
            suite = ET.SubElement(suites, "testsuite", name=e.name,
                                  tests=str(len(e.checks)), time=f"{e.seconds:.3f}")
            fails = skips = 0
            for c in e.checks:
                case = ET.SubElement(suite, "testcase", classname=e.name,
                                     name=c.description)
                text = "\n".join(c.diagnostics)
                if c.directive.startswith("SKIP"):
                    skips += 1
                    ET.SubElement(case, "skipped", message=c.directive[5:])
                elif c.directive.startswith("TODO"):
                    skips += 1
                    ET.SubElement(case, "skipped", message="expected failure: "
                                  + c.directive[5:]).text = text
                elif not c.ok:
                    fails += 1
                    ET.SubElement(case, "failure", message=c.description).text = text
            suite.set("failures", str(fails))
            suite.set("skipped", str(skips))
            out = ET.SubElement(suite, "system-out")
            out.text = f"outcome: {e.outcome}" + (f" ({e.reason})" if e.reason else "") \
                + (f"\nlogs: {e.logdir}" if e.logdir else "")
        ET.indent(suites)
        try:
            ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
        except OSError as e:
            raise ReportError(f"--junit {path}: cannot write: {e.strerror or e} "
                              "(the results are above)") from None
