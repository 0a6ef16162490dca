"""Runs plan entries one after the other, or `--jobs N` at once in threads
(each Runner has its own QEMUs, sockets and private folder), and reports
them in plan order: a result is buffered until every earlier one is printed,
so TAP numbering is the same as a sequential run's.

Signals reach the main thread only: on SIGINT/SIGTERM it tells every runner
thread to stop (interrupt.cancel_all), waits for them to stop and reap their
QEMUs, reports what they saw, and re-raises."""
from __future__ import annotations

import concurrent.futures as cf
import time
from typing import Callable, Sequence, TypeVar

from . import interrupt
from .interrupt import Interrupted
from .report import EntryResult, Report

R = TypeVar("R")
STOP_GRACE = 20.0      # seconds for runner threads to unwind after a signal


def _stops(result: EntryResult) -> bool:
    return result.outcome not in ("PASS", "SKIP")


def run_all(runs: Sequence[R], run_one: Callable[[R], EntryResult], report: Report,
            title: Callable[[R], str], jobs: int = 1,
            stop_on_fail: bool = False) -> None:
    interrupt.reset()
    if jobs <= 1:
        for run in runs:
            report.comment(title(run))
            result = run_one(run)
            report.add(result)
            if stop_on_fail and _stops(result):
                report.comment(f"--stop-on-fail: stopped after {result.name} "
                               f"({result.outcome})")
                return
        return
    _run_parallel(runs, run_one, report, title, jobs, stop_on_fail)


def _run_parallel(runs: Sequence[R], run_one: Callable[[R], EntryResult],
                  report: Report, title: Callable[[R], str], jobs: int,
                  stop_on_fail: bool) -> None:
    pool = cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="slotprobe")
    futures: list[cf.Future[EntryResult]] = []
    printed = 0
    stopped = False
    try:
        while printed < len(runs) and not (stopped and printed == len(futures)):
            while not stopped and len(futures) < len(runs) \
                    and len(futures) - printed < jobs:
                futures.append(pool.submit(run_one, runs[len(futures)]))
            cf.wait([f for f in futures[printed:] if not f.done()], timeout=0.2,
                    return_when=cf.FIRST_COMPLETED)
            while printed < len(futures) and futures[printed].done():
                result = futures[printed].result()
                report.comment(title(runs[printed]))
                report.add(result)
                printed += 1
                if stop_on_fail and _stops(result) and not stopped:
                    stopped = True
                    report.comment(f"--stop-on-fail: stopped after {result.name} "
                                   f"({result.outcome}); runs already started finish")
    except Interrupted as intr:
        interrupt.cancel_all(intr.signum)
        _report_rest(futures, printed, runs, report, title)
        intr.partial = None     # every partial result is in the report already
        raise
    except BaseException:
        interrupt.cancel_all(2)
        cf.wait(futures, timeout=STOP_GRACE)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _report_rest(futures: list[cf.Future[EntryResult]], printed: int,
                 runs: Sequence[R], report: Report,
                 title: Callable[[R], str]) -> None:
    """After a signal: every started run stops; report them in order."""
    deadline = time.monotonic() + STOP_GRACE
    for i in range(printed, len(futures)):
        f = futures[i]
        try:
            result = f.result(timeout=max(0.0, deadline - time.monotonic()))
        except Interrupted as e:
            result = e.partial
        except (cf.TimeoutError, cf.CancelledError, Exception):
            result = None
        if isinstance(result, EntryResult):
            report.comment(title(runs[i]))
            report.add(result)

