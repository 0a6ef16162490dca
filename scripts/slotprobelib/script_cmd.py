"""`slotprobe script FILE [run options]`: one-off experiments. Compiles FILE
(steps: script.py) against the --device arguments, runs it in guest test
`script` on --machine (default q35), prints every step with what it read,
then the TAP checks. Errors in FILE: one line with its line number, exit 2,
before QEMU starts."""
from __future__ import annotations

import argparse
import os
import re

from .cfgfile import read_text
from .cmd_common import conclude, device_words, run_alone
from .plan import Entry, add_script, check_params
from .report import Report
from .script import compile_script, text_lines


def script_entry(args: argparse.Namespace) -> Entry:
    devices = device_words(args)
    text = read_text(args.file)
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", os.path.basename(args.file)) or "script"
    e = Entry(name=name.lstrip("._-") or "script", test="script",
              params=check_params(args.param, "--param"), devices=devices,
              where=args.file)
    if args.machine:
        e.machine = args.machine
    return add_script(e, compile_script(text_lines(text), devices, args.file, e.name))


def cmd_script(args: argparse.Namespace, errata: dict, reports: list[Report]) -> int:
    e = script_entry(args)
    runner, result, report = run_alone(e, args, errata, reports,
                                       f"{e.script.steps if e.script else 0} step(s)")
    for line in runner.logs:       # the guest's line per step, reads included
        report.comment(line)
    report.add(result)
    return conclude(report, args)
