"""`slotprobe explore [ENTRY]`: the explorer (lib/explore/, guest test
`explore`) on a plan entry's topology. The guest generates, runs, judges,
deduplicates and minimizes; this command hands it the seed and the number
of sequences, and writes what it found to OUT/findings.cfg: each finding's
minimized plan entry (a comment paragraph, `script =`), with the entry's
machine and devices, ready for `slotprobe run --plan OUT/findings.cfg`.
Exit status as `run`: 1 when there are findings (they are the guest's FAIL
lines), 2 on a set-up error."""
from __future__ import annotations

import argparse
import dataclasses
import os
import shlex

from .cmd_common import conclude, run_alone
from .plan import Entry, Plan
from .qemu_info import SetupError
from .report import Report

MARK = "explore-entry: "          # tests/explore.c prints each line so
FINDINGS = "findings.cfg"


def findings_plan(logs: list[str], entry: Entry) -> list[str]:
    """The guest's explore-entry lines as plan text; after each entry's
    [NAME] line, the machine and devices it ran on."""
    out: list[str] = []
    for line in logs:
        at = line.find(MARK)
        if at < 0:
            continue
        text = line[at + len(MARK):]
        if text.startswith("# Finding:") and out:     # one finding after another
            out.append("")
        out.append(text)
        if text.startswith("[") and text.endswith("]"):
            out.append(f"machine = {entry.machine}")
            if entry.devices:
                out.append(f"devices = {shlex.join(entry.devices)}")
    return out


def explore_entry(args: argparse.Namespace, plan: Plan) -> Entry:
    if args.entry not in plan.entries:
        raise SetupError(f"unknown plan entry '{args.entry}' (see: slotprobe list)")
    e = plan.entries[args.entry]
    if e.test != "explore":
        raise SetupError(f"plan entry '{args.entry}' runs test '{e.test}', not explore")
    if args.sequences < 1 or args.replays < 1:
        raise SetupError("--sequences and --replays want positive counts")
    mine = {"seed": str(args.explore_seed), "sequences": str(args.sequences),
            "replays": str(args.replays)}
    params = [p for p in e.params if p.split("=")[0] not in mine]
    return dataclasses.replace(e, params=params + [f"{k}={v}" for k, v in mine.items()])


def cmd_explore(args: argparse.Namespace, plan: Plan, errata: dict,
                reports: list[Report]) -> int:
    e = explore_entry(args, plan)
    out = os.path.abspath(args.out)
    runner, result, report = run_alone(
        e, args, errata, reports, f"seed {args.explore_seed}, {args.sequences} sequence(s)")
    text = findings_plan(runner.logs, e)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, FINDINGS)
    with open(path, "w", encoding="ascii", errors="replace") as f:
        f.write("\n".join(text) + "\n" if text else "")
    found = sum(1 for line in text if line.startswith("["))
    report.comment(f"{e.name}: {found} finding(s) written to {path}")
    report.add(result)
    return conclude(report, args)
