"""`slotprobe fingerprint [run options] [-o FILE.json]` boots guest test
`fingerprint` once (no migration) and writes what it saw as JSON
(fingerprint.py); `slotprobe abi-diff A.json B.json [--json]` prints every
difference (abi_diff.py). abi-diff exits 0 when there is none, 1 when there
are differences, 2 on unreadable input, like diff(1)."""
from __future__ import annotations

import argparse
import contextlib
import json
import sys

from . import abi_diff, fingerprint
from .cmd_common import conclude, device_words, prepare
from .plan import Entry, check_params
from .preflight import nonempty
from .qemu_info import SetupError
from .report import Report
from .runner import Runner


def fingerprint_entry(args: argparse.Namespace) -> Entry:
    e = Entry(name="fingerprint", test="fingerprint",
              params=check_params(args.param, "--param"), devices=device_words(args))
    if args.machine:
        e.machine = args.machine
    return e


def run_fingerprint(args: argparse.Namespace, errata: dict,
                    reports: list[Report]) -> tuple[int, dict | None]:
    """Boots once; returns the exit status as for `run` and the fingerprint
    (None when the guest did not finish)."""
    e = fingerprint_entry(args)
    opts = prepare(args, [e])
    report = Report()
    reports.append(report)
    runner = Runner(e, opts, errata)
    result = runner.run()
    report.add(result)
    status = conclude(report, args)
    if result.outcome != "PASS":
        return status or 1, None
    meta = {"qemu": opts.qemu, "qemu_version": ".".join(map(str, runner.version)) if runner.version else "?",
            "machine": opts.machine or e.machine, "devices": e.devices}
    try:
        return status, fingerprint.build(result.observations, meta)
    except fingerprint.FingerprintError as err:
        raise SetupError(str(err)) from None


def cmd_fingerprint(args: argparse.Namespace, errata: dict, reports: list[Report]) -> int:
    out = sys.stdout if not args.output else sys.stderr
    with contextlib.redirect_stdout(sys.stderr if not args.output else sys.stdout):
        status, fp = run_fingerprint(args, errata, reports)
    if fp is None:
        return status
    text = fingerprint.to_json(fp)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            raise SetupError(f"{args.output}: cannot write: {e}") from None
        print(f"slotprobe: fingerprint of {len(fp['functions'])} function(s) "
              f"written to {args.output}", file=out)
    else:
        out.write(text)
    return status


def cmd_abi_diff(args: argparse.Namespace) -> int:
    try:
        a, b = fingerprint.load(args.a), fingerprint.load(args.b)
    except fingerprint.FingerprintError as e:
        raise SetupError(str(e)) from None
    diffs = abi_diff.diff(a, b)
    if args.json:
        print(json.dumps([d.__dict__ for d in diffs], indent=1))
    else:
        print(f"A: {args.a} ({a.get('machine', '?')}, QEMU {a.get('qemu_version', '?')})")
        print(f"B: {args.b} ({b.get('machine', '?')}, QEMU {b.get('qemu_version', '?')})")
        for d in diffs:
            print(d.text())
        print(f"{len(diffs)} difference(s)")
    return 1 if diffs else 0


def add_parsers(sub, run_parser: argparse.ArgumentParser) -> None:
    """`fingerprint` takes every option of `run` (shared action objects)."""
    f = sub.add_parser("fingerprint", help="record every function's config space "
                       "and what each word does when written, as JSON")
    f.add_argument("-o", "--output", metavar="FILE.json", type=nonempty)
    for action in run_parser._actions:
        if action.option_strings and action.dest not in ("help",):
            f._add_action(action)
    d = sub.add_parser("abi-diff", help="every difference between two fingerprints")
    d.add_argument("a", metavar="A.json")
    d.add_argument("b", metavar="B.json")
    d.add_argument("--json", action="store_true", help="the differences as JSON")
