"""slotprobe matrix without booting: the entries it picks, the grid, the
decoding of a refused migration to the abi-diff field, the HTML page, and
that page in a real headless browser (Debian's chromium; skipped with one
line when it is not installed). The real run with two wrapper builds is
scripts/check-matrix (make check)."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

from tests.harness.support import HERE, PLANS

from slotprobelib import abi_diff, fingerprint
from slotprobelib.cli import main
from slotprobelib.matrix import Build, Cell, decoded, default_entries, grid_text, refused_at
from slotprobelib.matrix_html import page
from slotprobelib.plan import Plan
from slotprobelib.report import Check, EntryResult

FIX = os.path.join(HERE, "fixtures")
REFUSED = ("qemu-system-x86_64: get_pci_config_device: Bad config data: i=0x60 read: 2 "
           "device: 4 cmask: ff wmask: 0 w1cmask:0",
           "qemu-system-x86_64: error while loading state for instance 0x0 of device "
           "'0000:00:12.0/pcie-root-port'")


def fixture(name: str) -> dict:
    return fingerprint.load(os.path.join(FIX, f"fingerprint-{name}.json"))


SUMMARY = "00:12.0 pcie-root-port refused LNKCAP (as loadfail words it)"


def result(name: str, outcome: str, refused: bool = False) -> EntryResult:
    what = f"migration 1 at checkpoint powered-off failed: {SUMMARY}" if refused else \
        "migration 1 at checkpoint powered-off"
    checks = [Check(outcome == "PASS", what, diagnostics=list(REFUSED) if refused else [])]
    return EntryResult(name, outcome, reason=REFUSED[0][20:] if refused else "",
                       checks=checks)


def cells() -> tuple[list[Cell], list[Build]]:
    """A (16 GT/s ports) and B (5 GT/s): the cross directions refused at LNKCAP."""
    a, b = Build("A", "/q/a", "7.2.22"), Build("B", "/q/b", "7.2.22")
    prints = {"A": fixture("pc-q35-7.2"), "B": fixture("pc-q35-7.2-x-speed-5-x-width-4")}
    out = []
    for s in (a, b):
        for d in (a, b):
            c = Cell(s, d, "pc-q35-7.2")
            cross = s is not d
            c.results.append(result(f"ctl@{s.label}-{d.label}", "FAIL" if cross else "PASS",
                                    refused=cross))
            c.checked = [x for x in abi_diff.diff(prints[s.label], prints[d.label])
                         if x.checked.get("A->B")]
            out.append(c)
    return out, [a, b]


class MatrixTest(unittest.TestCase):
    def test_default_entries_migrate_and_include_the_control(self) -> None:
        entries = default_entries(Plan(PLANS))
        names = [e.name for e in entries]
        self.assertIn("pds-migration-control", names)
        self.assertIn("pds-migration", names)
        self.assertTrue(all(e.migrate_at or e.migrate_random for e in entries))
        self.assertNotIn("selftest", names)

    def test_refused_migration_decoded_to_the_field(self) -> None:
        self.assertEqual(refused_at(result("x", "FAIL", refused=True)), ("00:12.0", 0x60))
        self.assertIsNone(refused_at(result("x", "PASS")))
        cs, _ = cells()
        lines = [line for c in cs for line in decoded(c)]
        self.assertEqual(len(lines), 2)            # A->B and B->A, not A->A, B->B
        self.assertTrue(lines[0].startswith(f"A->B pc-q35-7.2: ctl@A-B: {SUMMARY} "
                                            "[fingerprints: LNKCAP (EXP +0x0c)"), lines[0])
        self.assertIn("PCI_EXP_LNKCAP_SLS: 0x4 -> 0x2", lines[0])
        self.assertIn("PCI_EXP_LNKCAP_MLW: 0x20 -> 0x4", lines[0])
        self.assertTrue(lines[1].startswith(f"B->A pc-q35-7.2: ctl@B-A: {SUMMARY} "
                                            "[fingerprints: LNKCAP"), lines[1])
        self.assertIn("PCI_EXP_LNKCAP_SLS: 0x2 -> 0x4", lines[1])
        self.assertNotIn("LNKCAP2", lines[0])      # another register, not the byte refused

    def test_text_grid_rows_are_sources(self) -> None:
        cs, bs = cells()
        grid = grid_text(cs, bs).splitlines()
        row_a = next(line for line in grid if line.startswith("  A "))
        row_b = next(line for line in grid if line.startswith("  B "))
        self.assertEqual(row_a.split(), ["A", "PASS", "FAIL", "(1", "failed)"])
        self.assertEqual(row_b.split(), ["B", "FAIL", "(1", "failed)", "PASS"])
        self.assertIn("A = /q/a (QEMU 7.2.22)", grid)

    def test_page_is_self_contained_and_cells_link_to_evidence(self) -> None:
        cs, bs = cells()
        text = page(cs, bs, {("A", "pc-q35-7.2"): fixture("pc-q35-7.2")})
        self.assertNotRegex(text, r"<script|src=|https?://|<link")
        self.assertIn('<table id="matrix-pc-q35-7-2" class="matrix">', text)
        links = re.findall(r'href="#([^"]+)"', text)
        self.assertEqual(len(links), 4)
        for target in links:
            self.assertIn(f'id="{target}"', text)
        self.assertEqual(re.findall(r'data-outcome="(\w+)"', text),
                         ["PASS", "FAIL", "FAIL", "PASS"])
        self.assertIn(f"{SUMMARY} [fingerprints: LNKCAP", text)

    def test_bad_input_is_one_line_exit_2(self) -> None:
        for argv in (["matrix", "no-such-entry", "--qemu", "qemu-system-x86_64"],
                     ["matrix", "pds-migration-control"],
                     ["matrix", "--qemu", "/nonexistent/qemu", "pds-migration-control"]):
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                self.assertEqual(main(argv), 2, argv)
            self.assertEqual(len(err.getvalue().strip().splitlines()), 1, err.getvalue())


CHROMIUM = shutil.which("chromium")


def dump_dom(path: str) -> str:
    """The page as a real browser built it (chromium --headless --dump-dom)."""
    with tempfile.TemporaryDirectory(prefix="slotprobe-chromium-") as profile:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--dump-dom",
             "file://" + os.path.abspath(path)],
            capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"chromium exit {proc.returncode}: {proc.stderr[-500:]}")
    return proc.stdout


@unittest.skipUnless(CHROMIUM, "chromium not installed (apt-get install chromium)")
class BrowserTest(unittest.TestCase):
    def test_browser_finds_the_grid_and_its_coloured_cells(self) -> None:
        cs, bs = cells()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "matrix.html")
            with open(path, "w", encoding="utf-8") as f:
                f.write(page(cs, bs, {}))
            dom = dump_dom(path)
        table = re.search(r'<table id="matrix-pc-q35-7-2".*?</table>', dom, re.S)
        self.assertIsNotNone(table, dom[:500])
        cells_found = re.findall(r'<td class="cell" data-outcome="(\w+)" '
                                 r'style="background:\s*([^;"]+)', table.group(0))
        self.assertEqual([o for o, _ in cells_found], ["PASS", "FAIL", "FAIL", "PASS"])
        self.assertEqual(len({c for _, c in cells_found}), 2)   # two colours
        self.assertIn('id="cell-pc-q35-7-2-A-B"', dom)


if __name__ == "__main__":
    unittest.main()
