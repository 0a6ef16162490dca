"""The explorer's findings on the host: read from the guest's log lines,
deduplicated by signature (the shortest script kept), triaged against the
errata, and written as OUT/findings.cfg (plan entries `slotprobe run --plan`
replays) and OUT/findings.json (what `slotprobe explore-merge` merges).

A finding, as tests/explore.c prints it (each line after "explore-entry: "):

    # Finding: <oracle> <register> <field> <rule>       the signature
    # What was done: ... (this hypervisor). ...         the summary paragraph
    [explore-N]
    script = STEP
        STEP ...

Triage matches a finding BY FIELD (the issue's rule): it is a known bug
when an erratum that applies to the QEMU version and machine type it ran on
(and whose fix is not declared present) covers its field, in `fields` or
in one of its `checks`. When several do, the one with the check the
finding's FAIL line names (its key=explore/FIELD/condition) is named. A
migration the destination refused is known when the harness's own
decoding of the refusal (loadfail.py, judged by judge.py) named the bug."""
from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import asdict, dataclass, field

from .checkkey import canonical_field
from .errata import Erratum, Version, parse_version
from .explore_entry import SlotDevice
from .plan import Entry
from .report import Check
from .script import GUEST_JUDGES

MARK = "explore-entry: "       # tests/explore.c prints each entry line so
SIGNATURE = "# Finding: "
HYPERVISOR = "this hypervisor"  # what the guest calls the QEMU it ran on
FINDINGS_CFG = "findings.cfg"
FINDINGS_JSON = "findings.json"
FORMAT = "slotprobe-explore-findings 1"
@dataclass
class Finding:
    signature: str
    lines: list[str]            # the guest's entry text, as printed
    qemu: str = ""              # the version it ran on, 7.2.22
    machine: str = ""           # canonical machine type (errata match it)
    entry_machine: str = ""     # as the entry wrote it (the replay's machine =)
    devices: list[str] = field(default_factory=list)
    dst_devices: list[str] | None = None
    refusals: list[str] = field(default_factory=list)   # errata of refused migrations
    # The slot's device (explore_entry.SlotDevice): the script's device_add
    # and device_del steps name it (the guest knows no QEMU device ids).
    device_add: dict | None = None
    device_id: str = ""
    condition: str = ""          # its FAIL line's key's (CONTRACT_COND_*), if any
    # ... and its field: a pci_regs.h name even where the signature has
    # words (e.g. "PCI_EXP_LNKCTL2[15:12]" for "PCI_EXP_LNKCTL2 bits 15:12 (...)")
    key_field: str = ""
    erratum: str | None = None   # triage: the known bug, or None (new)

    @property
    def words(self) -> tuple[str, str, str, str]:
        """(oracle, register, field, rule); a host finding's field may be
        several words, and a malformed signature gives empty ones."""
        w = self.signature.split()
        if len(w) < 4:
            return "", "", "", ""
        return w[0], w[1], " ".join(w[2:-1]), w[-1]

    @property
    def field_name(self) -> str:
        """The field errata are matched by: the FAIL key's, else the signature's."""
        return self.key_field or self.words[2]

    @property
    def script(self) -> list[str]:
        """The script's steps, one per line."""
        out: list[str] = []
        for line in self.lines:
            if line.startswith("script ="):
                out.append(line.split("=", 1)[1].strip())
            elif out and line[:1].isspace() and line.strip():
                out.append(line.strip())
        return out

    @property
    def steps(self) -> int:
        return len(self.script)

    @property
    def version(self) -> Version | None:
        try:
            return parse_version(self.qemu)
        except ValueError:
            return None


def parse_logs(logs: list[str]) -> list[Finding]:
    """The findings among a guest's log lines (other lines are skipped)."""
    out: list[Finding] = []
    for line in logs:
        at = line.find(MARK)
        if at < 0:
            continue
        text = line[at + len(MARK):]
        if text.startswith(SIGNATURE):
            out.append(Finding(text[len(SIGNATURE):].strip(), []))
        if out:
            out[-1].lines.append(text)
    return out


def on_topology(findings: list[Finding], entry: Entry, qemu: str, machine: str,
                refusals: list[str], dev: SlotDevice | None) -> list[Finding]:
    """Each finding with where it ran: QEMU version, machine, devices."""
    for f in findings:
        f.qemu, f.machine, f.entry_machine = qemu, machine, entry.machine
        f.devices, f.dst_devices = list(entry.devices), entry.dst_devices
        f.refusals = list(refusals)
        if dev is not None:
            f.device_add, f.device_id = dict(dev.device_add), dev.device_id
    return findings


_HOST_STEP = re.compile(r"^(\s*(?:script\s*=\s*)?checkpoint \S+ qmp) (device_add|device_del)\b.*$")


def with_device(f: Finding, line: str) -> str:
    """A device_add / device_del step with the slot device's QMP arguments."""
    m = _HOST_STEP.match(line)
    if not m or f.device_add is None:
        return line
    args = f.device_add if m.group(2) == "device_add" else {"id": f.device_id}
    # As in the campaign, QEMU refusing the step is the guest's to judge (the
    # model expects refusals: device_add into an occupied slot), not a failed
    # check that would end the replay before the finding's expect.
    return f"{m.group(1)} {m.group(2)} {json.dumps(args)} {GUEST_JUDGES}"


def deduplicate(findings: list[Finding]) -> list[Finding]:
    """One finding per signature, in order of first appearance: the one
    with the shortest script (the first of equals)."""
    best: dict[str, Finding] = {}
    for f in findings:
        if f.signature not in best or f.steps < best[f.signature].steps:
            best[f.signature] = f
    order = list(dict.fromkeys(f.signature for f in findings))
    return [best[s] for s in order]


def with_keys(findings: list[Finding], checks: list[Check]) -> list[Finding]:
    """Each finding with the condition its FAIL line's key names."""
    for f in findings:
        keyed = next((c for c in checks if c.keys and f.signature in c.description), None)
        if keyed is not None and keyed.keys:
            f.condition = keyed.keys[0].condition
            f.key_field = keyed.keys[0].field or ""
    return findings


def _names_check(e: Erratum, field_name: str | None, condition: str) -> bool:
    return any((k.field, k.condition) == (field_name, condition) for k in e.checks)


def by_check(f: Finding, e: Erratum) -> bool:
    """e lists the check f's FAIL line names (True when it names none)."""
    return not f.condition or _names_check(e, canonical_field(f.field_name), f.condition)


def covering_errata(f: Finding, errata: dict[str, Erratum]) -> list[Erratum]:
    """The errata that explain f, by field, best first."""
    version = f.version
    if version is None:
        return []
    live = [e for e in errata.values() if e.applies(version, f.machine) and not e.fix_present]
    rule = f.words[3]
    canonical = canonical_field(f.field_name)
    hits = [e for e in live if canonical and canonical in e.covered_fields]
    if not hits and rule == "migrate":      # a refused migration, as the harness decoded it
        hits = [e for e in live if e.id in f.refusals]
    return sorted(hits, key=lambda e: not _names_check(e, canonical, f.condition))


def triage(findings: list[Finding], errata: dict[str, Erratum]) -> list[Finding]:
    for f in findings:
        hits = covering_errata(f, errata)
        f.erratum = hits[0].id if hits else None
    return findings


def where(f: Finding) -> str:
    """The hypervisor it ran on, for the summary paragraph."""
    return f"QEMU {f.qemu or '?'}, {f.machine or f.entry_machine}"


def entry_text(f: Finding, number: int, errata: dict[str, Erratum]) -> list[str]:
    """The finding as a plan entry: the guest's comment paragraph (naming
    the QEMU it ran on), the erratum that explains it, then the entry."""
    out: list[str] = []
    for line in f.lines:
        if line.startswith("[") and line.endswith("]"):
            if f.erratum and f.erratum in errata:
                e = errata[f.erratum]
                out.append(f"# Known QEMU bug {e.id}: {e.link or e.fix}")
                if not by_check(f, e):
                    out.append(f"# (by field only: it does not list {f.field_name}:{f.condition})")
            out.append(f"[explore-{number}]")
            out.append(f"machine = {f.entry_machine}")
            if f.devices:
                out.append(f"devices = {shlex.join(f.devices)}")
            if f.dst_devices is not None:
                out.append(f"dst_devices = {shlex.join(f.dst_devices)}")
            if f.erratum:
                out.append(f"errata = {f.erratum}")
            out.append("groups = default")     # `run --plan OUT/findings.cfg` replays all
            continue
        out.append(line.replace(HYPERVISOR, where(f)) if line.startswith("#")
                   else with_device(f, line))
    return out


def replay_line(out: str, dst_qemu: str | None = None) -> str:
    """The command that replays the findings written to out."""
    return f"Replay: scripts/slotprobe run --plan {os.path.join(out, FINDINGS_CFG)}" + (
        f" --dst-qemu {dst_qemu}" if dst_qemu else "")


def plan_text(findings: list[Finding], errata: dict[str, Erratum],
              header: list[str]) -> str:
    blocks = [entry_text(f, i + 1, errata) for i, f in enumerate(findings)]
    lines = [f"# {h}" for h in header]
    for b in blocks:
        lines += ([""] if lines else []) + b
    return "\n".join(lines) + "\n" if lines else ""


def write(out: str, findings: list[Finding], errata: dict[str, Erratum],
          header: list[str]) -> str:
    """OUT/findings.cfg and OUT/findings.json; returns the plan's path."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, FINDINGS_CFG)
    with open(path, "w", encoding="ascii", errors="replace") as f:
        f.write(plan_text(findings, errata, header))
    with open(os.path.join(out, FINDINGS_JSON), "w", encoding="utf-8") as f:
        json.dump({"format": FORMAT, "findings": [asdict(x) for x in findings]}, f, indent=1)
        f.write("\n")
    return path


class FindingsError(ValueError):
    """A findings.json that cannot be merged: one line."""


def load(folder: str) -> list[Finding]:
    """The findings an earlier `explore` (one shard) wrote to folder."""
    path = os.path.join(folder, FINDINGS_JSON)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise FindingsError(f"{path}: cannot read explore findings: "
                            f"{getattr(e, 'strerror', None) or e}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FindingsError(f"{path}: not explore findings (format {FORMAT!r})")
    names = {f.name for f in Finding.__dataclass_fields__.values()}  # type: ignore
    out = []
    for i, item in enumerate(data.get("findings", [])):
        if not isinstance(item, dict) or not {"signature", "lines"} <= set(item) \
                or not set(item) <= names or not isinstance(item["lines"], list) \
                or not all(isinstance(x, str) for x in item["lines"]):
            raise FindingsError(f"{path}: finding {i + 1} is malformed")
        out.append(Finding(**item))
    return out


def summary_lines(findings: list[Finding], errata: dict[str, Erratum]) -> list[str]:
    """Each finding once: signature, known or new, its script."""
    out = []
    for i, f in enumerate(findings, 1):
        e = errata.get(f.erratum or "")
        what = (f"known QEMU bug {e.id} ({e.link or 'no link'}; fix: {e.fix})" if e
                else f"NEW (no erratum covers {f.field_name} on {where(f)})")
        out.append(f"finding {i}: {f.signature}: {what}")
        if e and not by_check(f, e):
            out.append(f"    (by field only: {e.id} does not list the check "
                       f"{f.field_name}:{f.condition} the finding failed)")
        out += [f"    {step}" for step in f.script]
    known = sum(1 for f in findings if f.erratum)
    out.append(f"{len(findings)} finding(s): {known} known, {len(findings) - known} new")
    return out

