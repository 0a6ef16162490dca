"""`slotprobe explore [ENTRY]` and `slotprobe explore-merge DIR... --out DIR`.

explore runs the explorer (lib/explore/, guest test `explore`) on any plan
entry's topology (explore_entry.py), in --jobs workers at once, each a
shard of the same campaign (a sequence index i runs in shard i % N + 1);
--shard K/N makes the whole run one shard of a larger campaign (a CI
matrix), whose outputs explore-merge joins. The guest generates, judges,
deduplicates and minimizes; here each finding is triaged against the
errata (explore_findings.py) and written to OUT/findings.cfg, a plan that
`slotprobe run --plan OUT/findings.cfg` replays: XFAIL for a known bug,
FAIL for a new one.

Exit status: 0 when every finding is a known bug (and the runs themselves
went as expected), 1 with a new finding or a run that failed otherwise
(timeout, crash), 2 on a set-up error.

Why merging is a command of its own and not `explore --merge`: it reads
files only, so it runs where the shards' outputs are collected, without
QEMU, firmware or a guest image, and none of explore's options apply."""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from . import explore_findings as xf
from . import preflight
from .cmd_common import conclude, image_tests, prepare
from .errata import Erratum, version_text
from .explore_entry import (BUDGET_MAX_S, MIGRATE_CHECKPOINT, TEST, TIMEOUT_MARGIN_S, WATCHDOG_MARGIN_S,
                            Campaign, entry_migrates, explore_entry, extra_params,
                            fit_params, slot_device)
from .judge import known_bug_directive, outcome
from .parallel import run_all
from .plan import Entry, Plan, check_params
from .qemu_info import SetupError, check_machine
from .report import EXPECTED, EntryResult, Report
from .runner import Runner

DEFAULT_SEQUENCES = 20


def add_parsers(sub: argparse._SubParsersAction, run: argparse.ArgumentParser) -> None:
    x = sub.add_parser("explore", help="explore a hot-plug slot with guest test 'explore'")
    x.add_argument("entry", nargs="?", default="explore", metavar="ENTRY",
                   help="a plan entry whose topology to explore (default: explore)")
    x.add_argument("--seed", dest="explore_seed", type=preflight.non_negative, default=1,
                   metavar="S")
    x.add_argument("--sequences", type=preflight.positive, metavar="N",
                   help=f"sequences in the campaign (default {DEFAULT_SEQUENCES})")
    x.add_argument("--budget", type=budget_seconds, metavar="SECONDS",
                   help="explore this long instead of a number of sequences")
    x.add_argument("--replays", type=preflight.positive, metavar="N",
                   help="replays a minimization candidate must pass (guest default)")
    x.add_argument("--jobs", "-j", type=preflight.positive, default=1, metavar="N",
                   help="N workers (QEMUs) at once, each a shard of the campaign")
    x.add_argument("--shard", metavar="K/N", type=preflight.shard_spec,
                   help="this run is shard K of N of the campaign (merge: explore-merge)")
    x.add_argument("--no-migrate", action="store_true",
                   help="no migrations (default: on when ENTRY migrates or --dst-qemu)")
    x.add_argument("--out", default="explore-out", metavar="DIR", type=preflight.nonempty)
    for action in run._actions:    # run's options but those that choose or repeat entries
        if action.option_strings and action.dest not in (
                "help", "seed", "group", "repeat", "shard", "differential", "jobs",
                "stop_on_fail", "device", "boot_differential"):
            x._add_action(action)
    m = sub.add_parser("explore-merge", help="merge the findings of explore shards")
    m.add_argument("dirs", nargs="+", metavar="DIR", help="--out folders of explore runs")
    m.add_argument("--out", required=True, metavar="DIR", type=preflight.nonempty)


def budget_seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= BUDGET_MAX_S:
        raise argparse.ArgumentTypeError(
            f"wants whole seconds in [1, {BUDGET_MAX_S}], not {text!r}")
    return value


def campaign(args: argparse.Namespace, base: Entry) -> Campaign:
    """The command line's campaign, checked: one line on a bad combination."""
    if args.budget is not None and args.sequences is not None:
        raise SetupError("--budget and --sequences: one or the other")
    budget = args.budget or 0
    if budget and args.timeout is not None and \
            args.timeout < budget + WATCHDOG_MARGIN_S + TIMEOUT_MARGIN_S:
        raise SetupError(f"--timeout {args.timeout:g} is shorter than --budget {budget} "
                         f"plus {WATCHDOG_MARGIN_S + TIMEOUT_MARGIN_S} s to report and "
                         "boot: drop --timeout (the budget sets it)")
    shard, shards = args.shard or (1, 1)
    return Campaign(seed=args.explore_seed,
                    sequences=0 if budget else (args.sequences or DEFAULT_SEQUENCES),
                    budget=budget, replays=args.replays, shard=shard, shards=shards,
                    migrate=not args.no_migrate and (entry_migrates(base) or bool(args.dst_qemu)),
                    timeout=args.timeout,
                    extra=extra_params(check_params(args.param, "--param")))


def workers(base: Entry, c: Campaign, jobs: int) -> list[Entry]:
    """One entry per worker: worker j of J in shard K/N runs shard
    K + N*(j-1) of N*J (i % N == K-1 split by i % NJ: the same campaign)."""
    stem = base.name if base.test == TEST else f"explore-{base.name}"
    shards = c.shards * jobs
    out = []
    for j in range(1, jobs + 1):
        k = c.shard + c.shards * (j - 1)
        name = stem if shards == 1 else f"{stem}-{k}of{shards}"
        out.append(explore_entry(base, dataclasses.replace(c, shard=k, shards=shards), name))
    return out


def _is_summary(c_text: str) -> bool:
    """The guest's closing check over all findings ("explore: N finding(s), ...")."""
    return " finding(s)" in c_text and "explore: " in c_text


# migration_control.checkpoints_missing()'s words for a migrate_at the guest
# never offered: the explorer's generator may draw no migration at all.
NO_MIGRATION = f"migrate_at {MIGRATE_CHECKPOINT}: the guest offered no checkpoint"


def rejudge(result: EntryResult, findings: list[xf.Finding],
            errata: dict[str, Erratum]) -> EntryResult:
    """The worker's checks with its known findings expected: each finding's
    FAIL names its bug; the closing check and the exit status follow when
    every finding is known. A new finding, or anything else, stays a FAIL.
    A campaign that drew no migration step is no failure."""
    if result.outcome == "ERROR":
        return result
    for c in result.checks:
        if c.unexpected and c.description.startswith(NO_MIGRATION):
            c.ok, c.description = True, (f"no sequence drew a migration ({MIGRATE_CHECKPOINT} "
                                         "never reached)")
    if not findings:
        result.outcome, result.reason = outcome(result.checks, None, result.outcome == "SKIP")
        return result
    known = [errata[f.erratum] for f in findings if f.erratum in errata]
    all_known = len(known) == len(findings)
    for c in result.checks:
        if not c.unexpected:
            continue
        hit = next((f for f in findings if f.signature in c.description), None)
        if hit is not None and hit.erratum in errata:
            c.directive = known_bug_directive(errata[hit.erratum])
        elif hit is None and all_known and (_is_summary(c.description) or c.follows):
            c.directive = f"TODO after known bug {known[0].id}"
    result.outcome, result.reason = outcome(result.checks, None, result.outcome == "SKIP")
    return result


def refusals(result: EntryResult) -> list[str]:
    """The errata judge.py named for this run's refused migrations (decoded
    to fields, loadfail.py); none when any refusal is not a known bug: the
    guest gives every refused migration one signature, so it is known only
    when all are."""
    prefix = "TODO known bug "
    refused = [c for c in result.checks if c.fields is not None and not c.ok]
    if any(not c.directive.startswith(prefix) for c in refused):
        return []
    return sorted({c.directive[len(prefix):].split(";")[0] for c in refused})


def header(args: argparse.Namespace, base: Entry, c: Campaign, findings: list[xf.Finding],
           jobs: int) -> list[str]:
    size = f"budget {c.budget} s" if c.budget else f"{c.sequences} sequence(s)"
    part = f", shard {c.shard}/{c.shards}" if c.shards > 1 else ""
    where = {xf.where(f) for f in findings} or {"?"}
    lines = [f"slotprobe explore {base.name}: seed {c.seed}, {size}{part}, {jobs} worker(s), "
             f"migrations {'on' if c.migrate else 'off'}; {', '.join(sorted(where))}",
             xf.replay_line(args.out, args.dst_qemu)]
    return lines


def cmd_explore(args: argparse.Namespace, plan: Plan, errata: dict[str, Erratum],
                reports: list[Report]) -> int:
    if args.entry not in plan.entries:
        raise SetupError(f"unknown plan entry '{args.entry}' (see: slotprobe list)")
    base = plan.entries[args.entry]
    c = campaign(args, base)
    listing = image_tests(args.image)
    declared = listing[TEST].params if TEST in listing else None
    entries = [fit_params(e, declared) for e in workers(base, c, args.jobs)]
    opts = prepare(args, entries)
    machine = check_machine(opts.qemu, opts.machine or base.machine)
    topology = dataclasses.replace(base, machine=opts.machine or base.machine)
    found: dict[str, list[xf.Finding]] = {}

    def run_one(e: Entry) -> EntryResult:
        runner = Runner(e, opts, errata)
        result = runner.run()
        version = version_text(runner.version) if runner.version else ""
        mine = xf.on_topology(xf.parse_logs(runner.logs), topology, version, machine,
                              refusals(result), slot_device(base))
        xf.with_keys(mine, result.checks)
        found[e.name] = xf.triage(mine, errata)
        result = rejudge(result, found[e.name], errata)
        if result.outcome in EXPECTED and result.logdir and not opts.keep_logs:
            assert runner.machines is not None     # as the runner does for these
            runner.machines.remove()
            result.logdir = None
        return result

    report = Report()
    reports.append(report)
    run_all(entries, run_one, report,
            lambda e: f"{e.name}: {e.args_line()} on {opts.machine or e.machine}",
            jobs=args.jobs)
    merged = xf.triage(xf.deduplicate([f for e in entries for f in found.get(e.name, [])]),
                       errata)
    path = xf.write(os.path.abspath(args.out), merged, errata,
                    header(args, base, c, merged, args.jobs))
    for line in xf.summary_lines(merged, errata):
        report.comment(line)
    report.comment(f"{len(merged)} finding(s) written to {path}")
    return conclude(report, args)


def cmd_explore_merge(args: argparse.Namespace, errata: dict[str, Erratum]) -> int:
    out = os.path.abspath(args.out)
    for d in args.dirs:
        if os.path.abspath(d) == out:
            raise SetupError(f"--out {args.out} is also an input: merge into a new folder")
    preflight.check_folder("--out", args.out)
    try:
        findings = [f for d in args.dirs for f in xf.load(d)]
    except xf.FindingsError as e:
        raise SetupError(str(e)) from None
    merged = xf.triage(xf.deduplicate(findings), errata)
    path = xf.write(out, merged, errata,
                    [f"slotprobe explore-merge of {len(args.dirs)} output(s): "
                     f"{len(findings)} finding(s), {len(merged)} after deduplication",
                     xf.replay_line(args.out)])
    for line in xf.summary_lines(merged, errata):
        print(line)
    print(f"{len(merged)} finding(s) written to {path}")
    sys.stdout.flush()
    return 1 if any(f.erratum is None for f in merged) else 0
