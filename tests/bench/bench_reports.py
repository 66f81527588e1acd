"""Benchmark: ledger export to xlsx vs the bare xlsx library, and the report PDF vs a plain reportlab table.

Run: ``.venv/bin/python tests/bench/bench_reports.py [--cases 100000] [--runs 3]``. Not part of the test run.

The workspace is the demo workspace grown to ``--cases`` cases (``bench_gui.grow_workspace``: the 80 demo
cases repeated with jittered positions and statuses spread over the workflow), each with its demo row's
stored source row, so the export writes the demo ledger's 15 original columns plus the 14 progress columns.
Every measurement runs in a fresh process, so its peak RSS (VmHWM) is its own:

- xlsx peer: openpyxl's write-only writer appending the very rows our export writes (already gathered and
  typed, untimed) — the floor for writing them with the library;
- xlsx ours: ``export_ledger`` end to end (query, progress columns, cell typing, formula guard, write),
  for all cases and for one status (about a ninth of them): equal peak RSS means memory stays flat;
- PDF peer: a reportlab document holding one plain table of the same groups (by county);
- PDF ours: ``export_report`` end to end (statistics of all cases, tables, three charts, overdue list).

Targets: xlsx ours ≤ 1.5 × peer; report PDF < 5 s.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from summary import floor_row, ratio_row

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_gui import grow_workspace  # noqa: E402

TARGET_XLSX_RATIO = 1.5
TARGET_PDF_S = 5.0

PRELUDE = '''
import json, sys, time
sys.path.insert(0, {repo!r})

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

from inspector.store.workspace import Workspace
ws = Workspace.open({workspace!r})
'''

XLSX_PEER = PRELUDE + '''
from openpyxl import Workbook
from inspector.reports.cell_values import typed_original, xlsx_row
from inspector.reports.ledger_rows import ledger_rows
data = ledger_rows(ws)
rows = [[typed_original(t) for t in r.original] + list(r.progress) for r in data.rows]
start = time.perf_counter()
book = Workbook(write_only=True)
sheet = book.create_sheet("问题台账")
sheet.append(data.columns)
for row in rows:
    sheet.append(xlsx_row(sheet, row))
book.save({out!r})
print(json.dumps({{"seconds": time.perf_counter() - start, "rows": len(rows), "peak_mb": peak_mb()}}))
'''

XLSX_OURS = PRELUDE + '''
from inspector.casework.case_list_query import CaseFilter
from inspector.reports.ledger_export import export_ledger
statuses = tuple({statuses!r})
start = time.perf_counter()
result = export_ledger(ws, {out!r}, CaseFilter(statuses=statuses))
print(json.dumps({{"seconds": time.perf_counter() - start, "rows": result.rows, "peak_mb": peak_mb()}}))
'''

PDF_PEER = PRELUDE + '''
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle
from inspector.forms.fonts import form_fonts
from inspector.reports.statistics import report_statistics
fonts = form_fonts()
stats = report_statistics(ws, by="county")
start = time.perf_counter()
rows = [["分组", "问题", "未办结", "已办结", "逾期", "按期销号率"]]
rows += [[g["key"], g["cases"], g["open"], g["closed"], g["overdue"], g["closed_on_time_rate"]] for g in stats.groups]
table = Table(rows, repeatRows=1)
table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.body, 8), ("GRID", (0, 0), (-1, -1), 0.4, "grey")]))
SimpleDocTemplate({out!r}, pagesize=A4, initialFontName=fonts.body).build([table])
print(json.dumps({{"seconds": time.perf_counter() - start, "groups": len(stats.groups), "peak_mb": peak_mb()}}))
'''

PDF_OURS = PRELUDE + '''
from inspector.reports.report_export import export_report
start = time.perf_counter()
result = export_report(ws, {out!r}, by="county")
print(json.dumps({{"seconds": time.perf_counter() - start, "groups": len(result["groups"]), "peak_mb": peak_mb()}}))
'''


def run(script: str) -> dict:
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=900)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"child failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])


def grow_with_source_rows(root: Path, cases: int) -> None:
    """The grown workspace, each copied case with its demo row's stored source row."""
    from inspector.store.workspace import Workspace

    grow_workspace(root, cases)
    with Workspace.open(root) as ws:
        ws.conn.execute("UPDATE cases SET source_record = (SELECT s.source_record FROM cases s "
                        "WHERE s.id = cases.source_row) WHERE source_file = 'bench'")
        ws.conn.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "big"
        grow_with_source_rows(root, args.cases)
        values = {"repo": str(REPO), "workspace": str(root)}

        def measure(script: str, name: str, **extra: object) -> list[dict]:
            return [run(script.format(**values, out=str(Path(tmp) / name), **extra)) for _ in range(args.runs)]

        xlsx_peer = measure(XLSX_PEER, "peer.xlsx")
        xlsx_ours = measure(XLSX_OURS, "ours.xlsx", statuses=[])
        xlsx_part = measure(XLSX_OURS, "part.xlsx", statuses=["整改中"])
        pdf_peer = measure(PDF_PEER, "peer.pdf")
        pdf_ours = measure(PDF_OURS, "ours.pdf")

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(float(r[key]) for r in rows)

    print(f"cases: {args.cases:,}; runs: {args.runs} (median)")
    print(f"xlsx peer  openpyxl write-only, same {int(med(xlsx_peer, 'rows')):,} rows: "
          f"{med(xlsx_peer, 'seconds'):.2f} s; peak RSS {med(xlsx_peer, 'peak_mb'):.0f} MB (holds the rows)")
    print(f"xlsx ours  export_ledger, {int(med(xlsx_ours, 'rows')):,} rows: {med(xlsx_ours, 'seconds'):.2f} s; "
          f"peak RSS {med(xlsx_ours, 'peak_mb'):.0f} MB")
    print(f"xlsx ours  export_ledger, one status ({int(med(xlsx_part, 'rows')):,} rows): "
          f"{med(xlsx_part, 'seconds'):.2f} s; peak RSS {med(xlsx_part, 'peak_mb'):.0f} MB")
    ratio = med(xlsx_ours, "seconds") / med(xlsx_peer, "seconds")
    print(f"xlsx ratio ours/peer: {ratio:.2f}× (target ≤ {TARGET_XLSX_RATIO}×: "
          f"{'met' if ratio <= TARGET_XLSX_RATIO else 'NOT met'})")
    ratio_row("ledger xlsx export", med(xlsx_ours, "seconds"), med(xlsx_peer, "seconds"),
              "openpyxl write-only", TARGET_XLSX_RATIO)
    print(f"pdf  peer  plain reportlab table of the {int(med(pdf_peer, 'groups'))} county groups: "
          f"{med(pdf_peer, 'seconds'):.2f} s")
    print(f"pdf  ours  export_report (statistics, tables, 3 charts, overdue list): {med(pdf_ours, 'seconds'):.2f} s; "
          f"peak RSS {med(pdf_ours, 'peak_mb'):.0f} MB (target < {TARGET_PDF_S:.0f} s: "
          f"{'met' if med(pdf_ours, 'seconds') < TARGET_PDF_S else 'NOT met'})")
    floor_row("report PDF", med(pdf_ours, "seconds"), "s", TARGET_PDF_S, higher_is_better=False)


if __name__ == "__main__":
    main()
