"""Benchmark: time to a usable main window on a 100,000-case workspace vs a bare QWebEngineView window.

Run: ``.venv/bin/python tests/bench/bench_gui.py [--cases 100000] [--runs 3]``. Not part of the test run.

The workspace is a copy of the demo workspace grown to ``--cases`` cases with
SQL inserts (the 80 demo cases repeated with jittered positions, their zone
links copied, statuses spread over the workflow). Each measurement runs in a
fresh process and reports the time from the first line of the script:

- peer: a QMainWindow holding a QWebEngineView that loads a tiny page
  (``loadFinished``) — the floor for any window with a web map;
- ours: ``ui.app`` creates the application, opens the workspace, builds the
  main window (lazy case table over 100,000 rows, detail, status counts) and
  shows it: *usable* is the first event-loop turn after ``show()``; *map* is
  the map's ``mapReady``.

Memory: the peak RSS of the main process (VmHWM) and the RSS of the whole
process tree (QtWebEngine's renderer and GPU processes included) at the end.
Target: ours ≤ 1.5 × peer, peak RSS ≤ 500 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from summary import floor_row, ratio_row

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

CHILD_COMMON = r'''
import time; T0 = time.perf_counter()
import json, os, sys
sys.path.insert(0, {repo!r})
def tree_rss_mb():
    """RSS of this process and all its descendants, MB (Linux /proc)."""
    parents = {{}}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                fields = open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()
                parents[int(pid)] = int(fields[1])
            except OSError:
                pass
    family, grew = {{os.getpid()}}, True
    while grew:
        new = {{p for p, pp in parents.items() if pp in family}} - family
        family |= new
        grew = bool(new)
    total = 0
    for pid in family:
        try:
            for line in open(f"/proc/{{pid}}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
'''

PEER = CHILD_COMMON + r'''
import tests.qt_env
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtWebEngineWidgets import QWebEngineView
app = QApplication(sys.argv)
window = QMainWindow()
view = QWebEngineView(window)
window.setCentralWidget(view)
window.resize(1366, 768)
def done(ok):
    print(json.dumps({{"usable": time.perf_counter() - T0, "map": time.perf_counter() - T0,
                      "peak_mb": peak_mb(), "tree_mb": tree_rss_mb()}}), flush=True)
    app.quit()
view.loadFinished.connect(done)
view.setHtml("<!DOCTYPE html><html><body><div id=map>map</div></body></html>")
window.show()
app.exec()
'''

OURS = CHILD_COMMON + r'''
from ui.app import prepare_environment
prepare_environment(screenshot=True)
from ui.app import create_application
app = create_application()
from PySide6.QtCore import QTimer
from inspector.store.workspace import Workspace
from ui.main_window import MainWindow
from ui.session import Session
session = Session(Workspace.open({workspace!r}))
window = MainWindow(session)
window.resize(1366, 768)
result = {{}}
def usable():
    assert window.case_list.model.rowCount() >= {cases}
    window.case_list.model.data(window.case_list.model.index(0, 1))
    result["usable"] = time.perf_counter() - T0
def ready():
    result["map"] = time.perf_counter() - T0
    result["peak_mb"] = peak_mb()
    result["tree_mb"] = tree_rss_mb()
    print(json.dumps(result), flush=True)
    app.quit()
window.show()
QTimer.singleShot(0, usable)
if window.map_ready:
    QTimer.singleShot(0, ready)
else:
    window.mapReady.connect(ready)
QTimer.singleShot(120_000, ready)
app.exec()
'''


def grow_workspace(root: Path, cases: int) -> None:
    """Copy the demo workspace to ``root`` and grow it to ``cases`` cases with SQL."""
    from inspector.casework.workflow import STATES
    from inspector.demo.workspace import build_demo_workspace
    from inspector.store.db import atomic

    ws = build_demo_workspace(root)
    conn = ws.conn
    extra = cases - conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    states = ", ".join(f"'{s}'" for s in STATES)
    with atomic(conn):
        conn.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {extra}),
                 src AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM cases),
                 states(k, s) AS (SELECT key, value FROM json_each(json_array({states})))
            INSERT INTO cases (case_no, ledger_zone_name, ledger_function_zone, problem_type, description, lon, lat,
                               discovered_on, deadline, responsible_unit, clue_source, ledger_city, ledger_county,
                               area_m2, status, city_adcode, county_adcode, nearest_zone_id, nearest_distance_m,
                               attributed_generation, source_file, source_sheet, source_row, ledger_hash, uuid,
                               created_at, updated_at)
            SELECT printf('BENCH-%06d', n.i), src.ledger_zone_name, src.ledger_function_zone, src.problem_type,
                   src.description, src.lon + (abs(random()) % 1000 - 500) * 1e-6,
                   src.lat + (abs(random()) % 1000 - 500) * 1e-6, src.discovered_on, src.deadline,
                   src.responsible_unit, src.clue_source, src.ledger_city, src.ledger_county, src.area_m2,
                   (SELECT s FROM states WHERE states.k = n.i % 9), src.city_adcode, src.county_adcode,
                   src.nearest_zone_id, src.nearest_distance_m, src.attributed_generation, 'bench', 'bench',
                   src.id, src.ledger_hash,
                   lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)
                         || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
                   src.created_at, src.updated_at
            FROM n JOIN src ON src.k = n.i % 80""")
        conn.execute("INSERT INTO case_zones (case_id, zone_id) SELECT c.id, cz.zone_id FROM cases c "
                     "JOIN case_zones cz ON cz.case_id = c.source_row WHERE c.source_file = 'bench'")
    ws.close()


def run(script: str) -> dict:
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"child failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # no saved window state
        root = Path(tmp) / "big"
        grow_workspace(root, args.cases)
        peer = [run(PEER.format(repo=str(REPO))) for _ in range(args.runs)]
        ours = [run(OURS.format(repo=str(REPO), workspace=str(root), cases=args.cases)) for _ in range(args.runs)]
        shutil.rmtree(root, ignore_errors=True)

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    print(f"cases: {args.cases:,}; runs: {args.runs} (median)")
    print(f"peer  QWebEngineView window, page loaded: {med(peer, 'usable'):.2f} s; "
          f"peak RSS {med(peer, 'peak_mb'):.0f} MB (process tree {med(peer, 'tree_mb'):.0f} MB)")
    print(f"ours  main window usable (100k rows listed): {med(ours, 'usable'):.2f} s")
    print(f"ours  map ready: {med(ours, 'map'):.2f} s; peak RSS {med(ours, 'peak_mb'):.0f} MB "
          f"(process tree {med(ours, 'tree_mb'):.0f} MB)")
    ratio_usable = med(ours, "usable") / med(peer, "usable")
    ratio_map = med(ours, "map") / med(peer, "usable")
    ratio_row(f"map ready, {args.cases:,} cases", med(ours, "map"), med(peer, "usable"), "bare QWebEngineView", 1.5)
    floor_row("GUI peak RSS, 100k cases", med(ours, "peak_mb"), "MB", 500, higher_is_better=False)
    print(f"ratio usable/peer: {ratio_usable:.2f}×; map ready/peer: {ratio_map:.2f}× (target ≤ 1.5×); "
          f"peak RSS target ≤ 500 MB: {'met' if med(ours, 'peak_mb') <= 500 else 'NOT met'}")


if __name__ == "__main__":
    main()
