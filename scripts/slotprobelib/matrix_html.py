"""The page `slotprobe matrix --html FILE` writes: one self-contained HTML
file (inline style, no script, no external resource). Per machine type a
grid (table id "matrix-<machine>", rows sources, columns destinations) with
each cell coloured by its outcome and linking to its evidence below: every
run's outcome and reason, kept log folders, and the abi-diff fields QEMU
checks on load in that direction; then the builds and the fingerprints'
differences."""
from __future__ import annotations

import html
import re

from . import abi_diff
from .matrix import decoded

COLOURS = {"PASS": "#c8e6c9", "XFAIL": "#fff3c4", "SKIP": "#e0e0e0",
           "FAIL": "#ffcdd2", "ERROR": "#ef9a9a"}
STYLE = """body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}
td,th{border:1px solid #999;padding:.4em .8em;text-align:center}
td a{color:#000;text-decoration:none;display:block}
.evidence{margin:1em 0;padding:.5em 1em;border-left:4px solid #999}
pre{white-space:pre-wrap;margin:.3em 0}"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def anchor(cell) -> str:
    return "cell-" + re.sub(r"[^A-Za-z0-9]+", "-",
                            f"{cell.machine}-{cell.src.label}-{cell.dst.label}")


def _grid(machine: str, cells: list, builds: list) -> str:
    by = {(c.src.label, c.dst.label): c for c in cells if c.machine == machine}
    rows = ["<tr><th>source \u2193 / destination \u2192</th>"
            + "".join(f"<th>{_e(b.label)}</th>" for b in builds) + "</tr>"]
    for s in builds:
        tds = []
        for d in builds:
            c = by[(s.label, d.label)]
            tds.append(f'<td class="cell" data-outcome="{c.outcome}" '
                       f'style="background:{COLOURS[c.outcome]}">'
                       f'<a href="#{anchor(c)}">{c.outcome}</a></td>')
        rows.append(f"<tr><th>{_e(s.label)}</th>{''.join(tds)}</tr>")
    table_id = "matrix-" + re.sub(r"[^A-Za-z0-9]+", "-", machine)
    return (f"<h2>{_e(machine)}</h2>\n<table id=\"{table_id}\" class=\"matrix\">"
            + "\n".join(rows) + "</table>")


def _evidence(cell) -> str:
    parts = [f'<div class="evidence" id="{anchor(cell)}" '
             f'style="border-color:{COLOURS[cell.outcome]}">',
             f"<h3>{_e(cell.machine)}: {_e(cell.src.label)} \u2192 {_e(cell.dst.label)}: "
             f"{cell.outcome}</h3><ul>"]
    for r in cell.results:
        line = f"<li><b>{_e(r.outcome)}</b> {_e(r.name)}"
        if r.reason:
            line += f"<pre>{_e(r.reason)}</pre>"
        if r.logdir:
            line += f"logs: <code>{_e(r.logdir)}</code>"
        parts.append(line + "</li>")
    parts.append("</ul>")
    parts += [f"<p class=\"decoded\"><b>{_e(line)}</b></p>" for line in decoded(cell)]
    if cell.checked:
        parts.append("<p>What QEMU checks on load in this direction and differs "
                     "(abi-diff source \u2192 destination):</p><ul>")
        parts += [f"<li><code>{_e(d.text())}</code></li>" for d in cell.checked]
        parts.append("</ul>")
    return "\n".join(parts) + "</div>"


def _fingerprints(builds: list, prints: dict) -> str:
    out = ["<h2>Builds</h2><ul>"]
    out += [f"<li>{_e(b.label)}: <code>{_e(b.qemu)}</code> (QEMU {_e(b.version)})</li>"
            for b in builds]
    out.append("</ul><h2>Fingerprint differences</h2>")
    machines = sorted({m for _, m in prints})
    for m in machines:
        for a in builds:
            for b in builds:
                fa, fb = prints.get((a.label, m)), prints.get((b.label, m))
                if a.label >= b.label or not (fa and fb):
                    continue
                diffs = abi_diff.diff(fa, fb)
                out.append(f"<h3>{_e(m)}: {_e(a.label)} vs {_e(b.label)}: "
                           f"{len(diffs)} difference(s)</h3>")
                if diffs:
                    out.append("<pre>" + _e("\n".join(d.text() for d in diffs)) + "</pre>")
    return "\n".join(out)


def page(cells: list, builds: list, prints: dict) -> str:
    machines = list(dict.fromkeys(c.machine for c in cells))
    body = [_grid(m, cells, builds) for m in machines]
    body.append("<h2>Evidence</h2>")
    body += [_evidence(c) for c in cells]
    body.append(_fingerprints(builds, prints))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>slotprobe migration matrix</title><style>{STYLE}</style></head>"
            "<body><h1>slotprobe migration matrix</h1>\n" + "\n".join(body)
            + "\n</body></html>\n")
