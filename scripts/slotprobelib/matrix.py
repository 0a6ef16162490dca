"""`slotprobe matrix --qemu A --qemu B [--machine M ...] [ENTRY ...]`: every
ordered pair of builds (A->A, A->B, B->A, B->B) on every machine type runs
the migrating entries with the first build as source and the second as
destination; each build is fingerprinted once per machine (guest test
`fingerprint`, on the first entry's topology) and every pair's abi-diff
names the fields QEMU checks on load in that direction. Default entries:
the plan's migrating entries of group `default` and `pds-migration-control`
(a control that does nothing to the slot).

Output: TAP for every run, a text grid per machine type, and with
--html FILE one self-contained page (matrix_html.py). Exit status as for
`run`: 0 every run as expected, 1 unexpected results, 2 set-up errors.
A refused migration is named as `run` names it (loadfail.py: device,
register, fields with both values), and by the fingerprints' abi-diff
field at the byte the destination refused."""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import re
import string
from dataclasses import dataclass, field

from . import abi_diff, fingerprint, loadfail
from .cmd_common import conclude, device_words, prepare
from .plan import Entry, Plan, check_params
from .preflight import nonempty
from .qemu_info import SetupError, check_machine, find_binary
from .report import EXPECTED, EntryResult, Report
from .runner import Runner

CONTROL = "pds-migration-control"


@dataclass
class Build:
    label: str          # "A", "B", ...
    qemu: str
    version: str = "?"


@dataclass
class Cell:
    src: Build
    dst: Build
    machine: str
    results: list[EntryResult] = field(default_factory=list)
    # abi-diff src -> dst: the differences QEMU checks on load in this direction
    checked: list[abi_diff.Difference] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """The worst outcome: FAIL/ERROR over XFAIL over SKIP over PASS."""
        order = ("ERROR", "FAIL", "XFAIL", "SKIP", "PASS")
        got = {r.outcome for r in self.results}
        return next((o for o in order if o in got), "SKIP")


def _refusal_check(result: EntryResult):
    """The check of a refused migration (migration_control.py words it, with
    loadfail.py's decoding), or None."""
    return next((c for c in result.checks if not c.ok and c.description.startswith("migration ")
                 and " failed: " in c.description), None)


def refused_at(result: EntryResult) -> tuple[str, int] | None:
    """(function, config offset) a destination refused: loadfail.py's parse
    of its stderr; a device on a root bus only (its QEMU path is its BDF)."""
    check = _refusal_check(result)
    f = loadfail.parse("\n".join(check.diagnostics)) if check else None
    if not f or not f.config:
        return None
    m = re.fullmatch(r"[0-9a-f]{4}:([0-9a-f]{2}:[0-9a-f]{2}\.[0-7])/.*", f.section)
    return (m.group(1), f.config.offset) if m else None


def decoded(cell: Cell) -> list[str]:
    """Each refused migration of the cell as loadfail.py words it, and the
    fingerprints' abi-diff field at the refused byte."""
    out = []
    for r in cell.results:
        check = _refusal_check(r)
        if not check:
            continue
        where = refused_at(r)
        names = [f"{d.register} {d.field}: {d.a} -> {d.b}"
                 for d in cell.checked if where and d.covers(*where)]
        line = f"{cell.src.label}->{cell.dst.label} {cell.machine}: {r.name}: " \
               f"{check.description.split(' failed: ', 1)[1]}"
        if names:
            line += f" [fingerprints: {'; '.join(names)}]"
        out.append(line)
    return out


def default_entries(plan: Plan) -> list[Entry]:
    out = [e for e in plan.group("default") if e.migrate_at or e.migrate_random]
    if CONTROL in plan.entries and all(e.name != CONTROL for e in out):
        out.append(plan.entries[CONTROL])
    return out


def select(args: argparse.Namespace, plan: Plan) -> list[Entry]:
    if not args.names:
        return default_entries(plan)
    unknown = [n for n in args.names if n not in plan.entries]
    if unknown:
        raise SetupError(f"matrix: unknown plan entry '{unknown[0]}' (see: slotprobe list)")
    return [plan.entries[n] for n in args.names]


def builds(paths: list[str]) -> list[Build]:
    if len(paths) < 1:
        raise SetupError("matrix: give at least one --qemu")
    if len(paths) > len(string.ascii_uppercase):
        raise SetupError("matrix: too many --qemu")
    return [Build(string.ascii_uppercase[i], p) for i, p in enumerate(paths)]


def run_cell(cell: Cell, entries: list[Entry], base, errata: dict, report: Report) -> None:
    for e in entries:
        e = dataclasses.replace(e, name=f"{e.name}@{cell.src.label}-{cell.dst.label}"
                                        f"@{cell.machine}")
        opts = dataclasses.replace(base, qemu=cell.src.qemu, machine=cell.machine,
                                   dst_qemu=cell.dst.qemu if cell.dst is not cell.src else None)
        report.comment(f"{e.name}: {e.args_line()}")
        result = Runner(e, opts, errata).run()
        report.add(result)
        cell.results.append(result)


def take_fingerprint(build: Build, machine: str, devices: list[str], base,
                     errata: dict, report: Report) -> dict | None:
    e = Entry(name=f"fingerprint@{build.label}@{machine}", test="fingerprint",
              devices=devices, machine=machine)
    opts = dataclasses.replace(base, qemu=build.qemu, machine=machine, dst_qemu=None)
    runner = Runner(e, opts, errata)
    result = runner.run()
    report.add(result)
    if result.outcome != "PASS":
        return None
    if runner.version:
        build.version = ".".join(map(str, runner.version))
    meta = {"qemu": build.qemu, "qemu_version": build.version, "machine": machine,
            "devices": devices}
    return fingerprint.build(result.observations, meta)


def run_matrix(args: argparse.Namespace, plan: Plan, errata: dict,
               reports: list[Report]) -> tuple[Report, list[Cell], dict]:
    entries = select(args, plan)
    bs = builds(args.qemu)
    machines = args.machine or sorted({e.machine for e in entries})
    extra = device_words(args)
    entries = [dataclasses.replace(e, devices=e.devices + extra,
                                   params=e.params + check_params(args.param, "--param"))
               for e in entries]
    for b in bs:                    # every build: found, and knows every machine type
        b.qemu = find_binary(b.qemu)
        for m in machines:
            check_machine(b.qemu, m)
    args.qemu = bs[0].qemu          # the options' own checks, the accelerator
    base = prepare(args, [dataclasses.replace(e, machine=m) for e in entries for m in machines])
    report = Report()
    reports.append(report)
    prints: dict = {}
    for m, b in itertools.product(machines, bs):
        prints[(b.label, m)] = take_fingerprint(b, m, entries[0].devices, base, errata, report)
    cells = []
    for m, src, dst in ((m, s, d) for m in machines for s in bs for d in bs):
        cell = Cell(src, dst, m)
        fa, fb = prints.get((src.label, m)), prints.get((dst.label, m))
        if fa and fb:
            cell.checked = [d for d in abi_diff.diff(fa, fb) if d.checked.get("A->B")]
        run_cell(cell, entries, base, errata, report)
        cells.append(cell)
    return report, cells, prints


def grid_text(cells: list[Cell], bs: list[Build]) -> str:
    """One grid per machine type: rows are sources, columns destinations."""
    lines = [f"{b.label} = {b.qemu} (QEMU {b.version})" for b in bs]
    for m in dict.fromkeys(c.machine for c in cells):
        row = {(c.src.label, c.dst.label): c for c in cells if c.machine == m}
        lines.append(f"\n{m}: source (row) -> destination (column)")
        lines.append("      " + "".join(f"{b.label:<22}" for b in bs))
        for s in bs:
            words = []
            for d in bs:
                c = row[(s.label, d.label)]
                bad = sum(r.outcome not in EXPECTED for r in c.results)
                note = f" ({bad} failed)" if bad else ""
                words.append(f"{c.outcome + note:<22}")
            lines.append(f"  {s.label}   " + "".join(words).rstrip())
    lines += [line for c in cells for line in decoded(c)]
    return "\n".join(lines)


def cmd_matrix(args: argparse.Namespace, plan: Plan, errata: dict,
               reports: list[Report]) -> int:
    from .matrix_html import page
    report, cells, prints = run_matrix(args, plan, errata, reports)
    bs = list({c.src.label: c.src for c in cells}.values())
    report.comment(grid_text(cells, bs))    # TAP comments: the output stays TAP
    if args.html:
        try:
            with open(args.html, "w", encoding="utf-8") as f:
                f.write(page(cells, bs, prints))
        except OSError as e:
            raise SetupError(f"{args.html}: cannot write: {e}") from None
        report.comment(f"matrix page written to {args.html}")
    return conclude(report, args)


def add_parser(sub, run_parser: argparse.ArgumentParser) -> None:
    """`matrix` takes `run`'s options but --qemu and --machine (repeatable here)."""
    p = sub.add_parser("matrix", help="every ordered pair of QEMU builds and machine "
                       "types: migrations, fingerprints, abi-diff; text grid and HTML")
    p.add_argument("names", nargs="*", metavar="ENTRY")
    p.add_argument("--qemu", action="append", default=[], metavar="BINARY")
    p.add_argument("--machine", action="append", default=[], metavar="TYPE")
    p.add_argument("--html", metavar="FILE", type=nonempty,
                   help="write the self-contained HTML page")
    skip = {"help", "qemu", "machine", "names", "dst_qemu", "dst_machine", "dst_args",
            "differential", "repeat", "seed", "shard", "stop_on_fail", "jobs", "group"}
    for action in run_parser._actions:
        if action.option_strings and action.dest not in skip:
            p._add_action(action)
    p.set_defaults(dst_qemu=None, dst_machine=None, dst_args=None)
