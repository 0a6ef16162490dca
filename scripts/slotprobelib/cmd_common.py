"""What `slotprobe run` and `slotprobe script` share: the options from the
command line, the set-up checks made before any QEMU boots, and the closing
report with the exit status (0 all as expected, 1 unexpected results, 2 a
set-up error)."""
from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import TYPE_CHECKING

from . import preflight, testlist
from .options import Options
from .plan import Entry, check_migrate_at
from .qemu_info import SetupError, check_machine, choose_accel, find_binary
from .report import EntryResult, Report
from .stale import remove_stale
from .warmcache import WarmCache, default_dir

if TYPE_CHECKING:
    from .runner import Runner


def split_words(text: str, what: str) -> list[str]:
    """A shell-quoted option value as words; SetupError naming `what`."""
    try:
        return shlex.split(text)
    except ValueError as e:
        raise SetupError(f"{what}: {e}") from None


def device_words(args: argparse.Namespace) -> list[str]:
    """Every --device value, split into QEMU arguments."""
    return [w for d in args.device for w in split_words(d, "--device")]


def make_options(args: argparse.Namespace) -> Options:
    preflight.check(args)    # binaries, firmware, image, --log-dir, --junit
    remove_stale([None, args.log_dir])   # folders of harnesses killed by SIGKILL
    qemu = find_binary(args.qemu)
    dst_qemu = find_binary(args.dst_qemu) if args.dst_qemu else None
    dst_args = args.dst_args
    if args.dst_libvirt_uri and not args.libvirt_uri:
        raise SetupError("--dst-libvirt-uri wants --libvirt-uri (the source's daemon)")
    return Options(
        qemu=qemu, ovmf=args.ovmf, kernel=None if args.esp else args.image,
        esp=args.esp, dst_qemu=dst_qemu, machine=args.machine,
        dst_machine=args.dst_machine,
        dst_args=split_words(dst_args, "--dst-args") if dst_args is not None else None,
        accel=args.accel, memory=args.memory, migrate_at=args.migrate_at,
        timeout=args.timeout, keep_logs=args.keep_logs, log_dir=args.log_dir,
        network=args.network, backend=args.backend, libvirt_uri=args.libvirt_uri,
        dst_libvirt_uri=args.dst_libvirt_uri,
        warm_cache=None if args.cold_boot else WarmCache(cache_dir(args)))


def cache_dir(args: argparse.Namespace) -> str:
    """--cache, else the user's cache folder: warm-start states, KVM verdict."""
    return os.path.abspath(args.cache) if args.cache else default_dir()


def prepare(args: argparse.Namespace, entries: list[Entry]) -> Options:
    """The options for these entries, checked before booting: binaries,
    firmware, image, machine types (source and destination), accelerator."""
    opts = make_options(args)
    listing = image_tests(args.image)
    for e in entries:     # unknown machine types: a set-up error, before booting
        declared = e.script.checkpoints if e.script is not None else (
            list(listing[e.test].checkpoints) if e.test in listing else None)
        check_migrate_at(e, e.migrate_at, e.where, declared)
        check_migrate_at(e, opts.migrate_at, "--migrate-at", declared)
        check_machine(opts.qemu, opts.machine or e.machine)
        if opts.dst_qemu or opts.dst_machine:
            check_machine(opts.dst_qemu or opts.qemu,
                          opts.dst_machine or opts.machine or e.machine)
    opts.accel = choose_accel(args.accel, opts.qemu, opts.ovmf,
                              say=lambda m: print(m, file=sys.stderr),
                              cache=cache_dir(args))
    return opts


def run_alone(entry: Entry, args: argparse.Namespace, errata: dict,
              reports: list[Report], title: str) -> tuple[Runner, EntryResult, Report]:
    """One entry with a report of its own (`script`, `explore`): the runner
    (for the guest's log lines), its result (not added yet) and the report."""
    from .runner import Runner      # runner needs nothing from here: no cycle
    opts = prepare(args, [entry])
    report = Report()
    reports.append(report)
    report.comment(f"{entry.name}: {title} on {opts.machine or entry.machine}")
    runner = Runner(entry, opts, errata)
    return runner, runner.run(), report


def image_tests(image: str) -> dict[str, testlist.GuestTest]:
    """The guest tests the image declares (build/tests.json beside it);
    none when there is no listing (an image from elsewhere)."""
    try:
        return testlist.load(testlist.listing_path(image))
    except testlist.ListingError:
        return {}


def conclude(report: Report, args: argparse.Namespace, logs: str | None = None,
             notes: list[str] | None = None) -> int:
    """Closes the report (summary, --junit); returns the exit status."""
    report.finish(logs=logs, notes=notes)
    if args.junit:
        report.write_junit(args.junit)
    errors = [e for e in report.entries if e.outcome == "ERROR"]
    if errors:
        print(f"slotprobe: {errors[0].name}: set-up error: {errors[0].reason}",
              file=sys.stderr)
        return 2
    return 0 if report.all_expected() else 1
