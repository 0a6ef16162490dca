"""Command line: `slotprobe run [NAME ...]`, `slotprobe list`.

Exit status: 0 all as expected (PASS/XFAIL/SKIP), 1 unexpected results,
2 usage or set-up error (one line on stderr, never a traceback),
128+signal when interrupted (every QEMU is killed and reaped first).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
from typing import NoReturn, Sequence

from . import testlist
from .cfgfile import ConfigError
from .cmd_common import conclude, device_words, prepare
from .differential import boot_variants, judge_boot_pair, judge_pair, variants
from .errata import load_errata
from .fingerprint_cmd import add_parsers as add_fingerprint_parsers
from .fingerprint_cmd import cmd_abi_diff, cmd_fingerprint
from .matrix import add_parser as add_matrix_parser
from .matrix import cmd_matrix
from .explore_cmd import add_parsers as add_explore_parsers
from .explore_cmd import cmd_explore, cmd_explore_merge
from .interrupt import Interrupted, install
from .parallel import run_all
from .plan import BACKENDS, NETWORKS, Entry, Plan, check_params
from .preflight import (checkpoint_name, memory_size, nonempty, positive, seconds,
                        shard_spec)
from .qemu_info import SetupError
from .report import Report, ReportError
from .runner import Runner
from .script_cmd import cmd_script

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ERRATA = os.path.join(ROOT, "tests", "errata.cfg")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise SetupError(f"usage: {message} (see: slotprobe {self.prog.split()[-1]} --help)"
                         if " " in self.prog else f"usage: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="slotprobe", description="slotprobe host harness")
    p.add_argument("--plan", default=os.path.join(ROOT, "tests", "plans.cfg"))
    p.add_argument("--errata", action="append", default=[], metavar="FILE",
                   help="known bugs layered over tests/errata.cfg (repeatable)")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    sub.add_parser("list", help="print the plan")
    r = sub.add_parser("run", help="run plan entries or guest tests")
    r.add_argument("names", nargs="*", metavar="NAME",
                   help="plan entry or guest test (default: group 'default')")
    r.add_argument("--group", type=nonempty)
    # As the global option (so `run --plan OUT/findings.cfg` replays explore's findings).
    r.add_argument("--plan", default=argparse.SUPPRESS, help="the plan file (as slotprobe --plan)")
    r.add_argument("--qemu", default="qemu-system-x86_64", type=nonempty)
    r.add_argument("--dst-qemu", type=nonempty)
    r.add_argument("--machine", type=nonempty)
    r.add_argument("--dst-machine", type=nonempty)
    r.add_argument("--dst-args", help="destination device arguments (one string)")
    r.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto")
    r.add_argument("--ovmf", default="/usr/share/ovmf/OVMF.fd", type=nonempty)
    r.add_argument("--image", default=os.path.join(ROOT, "build", "slotprobe.efi"),
                   type=nonempty)
    r.add_argument("--esp", type=nonempty,
                   help="boot this raw ESP disk image instead of --image")
    r.add_argument("-m", "--memory", default="256", type=memory_size)
    r.add_argument("--timeout", type=seconds)
    r.add_argument("--migrate-at", action="append", default=[], metavar="CHECKPOINT",
                   type=checkpoint_name)
    r.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    r.add_argument("--device", action="append", default=[], metavar="ARGS")
    r.add_argument("--junit", metavar="FILE", type=nonempty)
    r.add_argument("--keep-logs", action="store_true")
    r.add_argument("--log-dir", type=nonempty)
    r.add_argument("--repeat", type=positive, default=1, metavar="N",
                   help="run each entry N times (race hunting)")
    r.add_argument("--shard", metavar="K/N", help="run the K-th of N slices (CI)")
    r.add_argument("--seed", type=int, metavar="S",
                   help="seed of run 1 (run i uses S+i-1); default: drawn and printed")
    r.add_argument("--differential", action="store_true",
                   help="run each entry without and with a migration at every "
                        "checkpoint; report every observation that differs")
    r.add_argument("--stop-on-fail", action="store_true",
                   help="stop at the first run that is not PASS or SKIP")
    r.add_argument("--jobs", "-j", type=positive, default=1, metavar="N",
                   help="run N entries at once (each its own QEMUs and folder)")
    r.add_argument("--network", choices=NETWORKS,
                   help="unix sockets, or TCP between two network namespaces")
    r.add_argument("--errata", action="append", default=[], metavar="FILE",
                   dest="run_errata", help="known bugs layered over tests/errata.cfg: "
                   "add bugs, or declare a fix present (fix_present = yes)")
    r.add_argument("--cold-boot", action="store_true",
                   help="boot every entry through OVMF instead of from the saved "
                        "post-boot state (warm start)")
    r.add_argument("--cache", metavar="DIR", type=nonempty,
                   help="warm-start states and the KVM verdict "
                        "(default $XDG_CACHE_HOME/slotprobe or ~/.cache/slotprobe)")
    r.add_argument("--boot-differential", action="store_true",
                   help="run each entry booted cold and warm (from the saved "
                        "state); report every observation that differs")
    r.add_argument("--backend", choices=BACKENDS,
                   help="who starts the VMs: QEMU directly, or libvirt")
    r.add_argument("--libvirt-uri", metavar="URI", type=nonempty,
                   help="libvirt backend: this daemon, not the harness's own")
    r.add_argument("--dst-libvirt-uri", metavar="URI", type=nonempty,
                   help="libvirt backend: migrate to this daemon (default --libvirt-uri)")
    # `script FILE`: every option of `run` (shared action objects, so new
    # run options apply here too), plus the script file.
    s = sub.add_parser("script", help="run a script file in guest test 'script'")
    s.add_argument("file", metavar="FILE", help="steps: scripts/slotprobelib/script.py")
    for action in r._actions:
        if action.option_strings and action.dest != "help":
            s._add_action(action)
    add_fingerprint_parsers(sub, r)
    add_matrix_parser(sub, r)
    add_explore_parsers(sub, r)
    return p


def shard(entries: list[Entry], spec: str | None) -> list[Entry]:
    if not spec:
        return entries
    try:
        k, n = shard_spec(spec)
    except argparse.ArgumentTypeError as e:
        raise SetupError(f"--shard {e}") from None
    return [e for i, e in enumerate(entries) if i % n == k - 1]


def _known_tests(plan: Plan, image: str) -> tuple[set[str], str]:
    """The plan's tests and the image's own (tests.json beside it), and why
    the image's are missing ("" when they are not)."""
    names = {e.test for e in plan.entries.values()}
    try:
        return names | set(testlist.load(testlist.listing_path(image))), ""
    except testlist.ListingError as e:
        return names, f"; the image's tests unknown: {e}"


def guest_test_listing(image: str) -> str:
    """The image's guest tests with their parameters and checkpoints."""
    try:
        tests = testlist.load(testlist.listing_path(image))
    except testlist.ListingError as e:
        return f"\nguest tests: {e}"
    rows = [("GUEST TEST", "PARAMS", "CHECKPOINTS")] + [
        (t.name, " ".join(t.params) or "-", " ".join(t.checkpoints) or "-")
        for t in tests.values()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n" + "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
                             for r in rows)


def select_entries(args: argparse.Namespace, plan: Plan) -> list[Entry]:
    """The entries named on the command line (or the group's), with --param
    and --device applied to copies: the loaded plan stays as it was read."""
    devices = device_words(args)
    params = check_params(args.param, "--param")
    if not args.names:
        group = args.group or "default"
        entries = plan.group(group)
        if not entries:
            raise SetupError(f"no plan entries in group '{group}' ({plan.path})")
        return entries
    out = []
    known, why_not = _known_tests(plan, args.image)
    for name in args.names:
        if name in plan.entries:
            planned = plan.entries[name]
            keys = {p.split("=")[0] for p in params}
            e = dataclasses.replace(
                planned, devices=planned.devices + devices,
                params=[p for p in planned.params if p.split("=")[0] not in keys] + params)
        elif name in known:
            e = Entry(name=name, test=name, params=params, devices=devices)
        else:
            raise SetupError(f"unknown plan entry or test '{name}' "
                             f"(see: slotprobe list{why_not})")
        if args.group and args.group not in e.groups:
            continue
        out.append(e)
    return out


def repeat_notes(report: Report, repeat: int) -> list[str]:
    """With --repeat: per entry, how often it failed and with which seeds."""
    if repeat < 2:
        return []
    notes = []
    names = list(dict.fromkeys(r.name for r in report.entries))
    for name in names:
        runs = [r for r in report.entries if r.name == name]
        failed = [r for r in runs if r.outcome not in ("PASS", "SKIP")]
        kinds = {o: sum(r.outcome == o for r in failed) for o in ("XFAIL", "FAIL", "ERROR")}
        what = ", ".join(f"{n} {o}" for o, n in kinds.items() if n) or \
            ", ".join(f"{sum(r.outcome == o for r in runs)} {o}" for o in ("PASS", "SKIP")
                      if any(r.outcome == o for r in runs))
        line = f"slotprobe: {name}: {len(failed)}/{len(runs)} reproduced ({what})"
        if failed:
            line += "; seeds: " + " ".join(str(r.seed) for r in failed)
        notes.append(line)
    return notes


def cmd_run(args: argparse.Namespace, plan: Plan, errata: dict,
            report_made: list[Report]) -> int:
    entries = shard(select_entries(args, plan), args.shard)
    opts = prepare(args, entries)
    pairs = []
    if args.differential and args.boot_differential:
        raise SetupError("--differential and --boot-differential: one at a time")
    if args.differential or args.boot_differential:
        flag = "--differential" if args.differential else "--boot-differential"
        if args.migrate_at or args.repeat > 1:
            raise SetupError(f"{flag} chooses the migrations and runs each "
                             "entry twice itself: drop --migrate-at and --repeat")
        if args.boot_differential and (args.cold_boot or args.esp):
            raise SetupError("--boot-differential compares warm and cold boots: "
                             "drop --cold-boot and --esp")
        make = variants if args.differential else boot_variants
        pairs = [(e, *make(e)) for e in entries]
        entries = [v for _, first, second in pairs for v in (first, second)]
    report = Report()
    report_made.append(report)
    base = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    runs = [(e, i, base + i) for e in entries for i in range(args.repeat)]
    show_seed = args.seed is not None or args.repeat > 1 or any(
        e.migrate_random or e.migrate_delay[1] or e.migrate_chance < 1 for e in entries)

    def title(run: tuple[Entry, int, int]) -> str:
        e, i, seed = run
        return (f"{e.name}: {e.args_line()} on {opts.machine or e.machine}"
                + (f" (run {i + 1} of {args.repeat})" if args.repeat > 1 else "")
                + (f" seed {seed}" if show_seed else ""))

    run_all(runs, lambda run: Runner(run[0], opts, errata, seed=run[2]).run(),
            report, title, jobs=args.jobs, stop_on_fail=args.stop_on_fail)
    add_differentials(report, pairs, boot=args.boot_differential)
    return conclude(report, args, logs=args.log_dir,
                    notes=repeat_notes(report, args.repeat))


def add_differentials(report: Report, pairs: list[tuple[Entry, Entry, Entry]],
                      boot: bool = False) -> None:
    """--differential, --boot-differential: one more result per entry,
    comparing its two runs."""
    done = {r.name: r for r in report.entries}
    for entry, first, second in pairs:
        if first.name in done and second.name in done:
            if boot:
                report.comment(f"{entry.name}: observations booted cold vs. "
                               "restored from the saved post-boot state")
                report.add(judge_boot_pair(entry, done[first.name], done[second.name]))
                continue
            report.comment(f"{entry.name}: observations without migration vs. with "
                           "a migration at every checkpoint")
            report.add(judge_pair(entry, done[first.name], done[second.name]))


def one_line(text: str) -> str:
    """An error message as one printable line: a NUL or escape sequence from
    a file or argument is shown escaped, never sent to the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(text.splitlines()))


def main(argv: Sequence[str] | None = None) -> int:
    install()
    reports: list[Report] = []
    try:
        args = build_parser().parse_args(argv)
        plan = Plan(args.plan)
        errata = load_errata(ERRATA, *args.errata, *getattr(args, "run_errata", []))
        plan.check_errata(set(errata))
        if args.cmd == "list":
            print(plan.listing())
            print(guest_test_listing(os.path.join(ROOT, "build", "slotprobe.efi")))
            return 0
        if args.cmd == "script":
            return cmd_script(args, errata, reports)
        if args.cmd == "fingerprint":
            return cmd_fingerprint(args, errata, reports)
        if args.cmd == "abi-diff":
            return cmd_abi_diff(args)
        if args.cmd == "matrix":
            return cmd_matrix(args, plan, errata, reports)
        if args.cmd == "explore":
            return cmd_explore(args, plan, errata, reports)
        if args.cmd == "explore-merge":
            return cmd_explore_merge(args, errata)
        return cmd_run(args, plan, errata, reports)
    except (SetupError, ConfigError, ReportError) as e:
        print(f"slotprobe: {one_line(str(e))}", file=sys.stderr)
        return 2
    except Interrupted as e:
        if reports:       # what was seen so far, including the cut-short entry
            if e.partial is not None:
                reports[0].add(e.partial)
            reports[0].finish()
        print(f"slotprobe: interrupted by {e}; every QEMU stopped", file=sys.stderr)
        return 128 + e.signum
    except BrokenPipeError:
        return 1
