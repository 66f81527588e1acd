"""The ledger import checks, attributes and writes its rows run by run, the writing in a thread of its own:
whatever the size of the runs, it stores and reports exactly the same thing — the same cases with the same
fields, attribution and zone links, the same rejections (bad rows, repeated numbers and positions outside
Jiangsu between good rows), the same counts and run record — and the runs already checked are written while
later rows are checked, which come from the bounded child while it still parses."""
from __future__ import annotations

import csv
import json
import multiprocessing
import shutil
import threading
from pathlib import Path

import numpy as np

from inspector.geo import attribution
from inspector.importers import ledger_import, ledger_reader, ledger_rows, ledger_writer
from inspector.importers.ledger_import import LedgerImportResult, import_ledger
from inspector.store.workspace import Workspace

ROWS = 2600  # ledger rows: several runs of RUN_ROWS
RUN_ROWS = 700  # rows per run in the many-runs import
SIGNAL_TIMEOUT_S = 60.0  # seconds the last row's check waits for the first run to be written (a failsafe)
DEMO_ROWS = 5  # demo cases in the ledger, each with fewer fields than it has: updated
VOLATILE = {"uuid", "created_at", "updated_at", "search_text"}  # made anew by each import (or derived)


def _write_ledger(path: Path, ws: Workspace) -> Path:
    """Rows around the demo zones, some outside Jiangsu, some bad or repeated, and some of the demo's own
    cases."""
    rng = np.random.default_rng(20261130)
    west, south, east, north = ws.conn.execute(
        "SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)), max(MbrMaxY(geom)) FROM zones").fetchone()
    demo = ws.conn.execute("SELECT case_no, lon, lat, problem_type FROM cases ORDER BY id LIMIT ?",
                           (DEMO_ROWS,)).fetchall()
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["问题编号", "问题类型", "经度", "纬度", "发现时间", "面积（亩）"])
        for i in range(ROWS):
            lon, lat = rng.uniform(west - 0.2, east + 0.2), rng.uniform(south - 0.2, north + 0.2)
            if i % 97 == 5:
                lon, lat = 116.4 + rng.uniform(0, 0.1), 39.9  # Beijing: outside Jiangsu
            number = f"PL-{i:05d}" if i % 211 != 7 else f"PL-{i - 1:05d}"  # now and then a repeated number
            writer.writerow([number, "养殖" if i % 389 else "", repr(lon) if i % 431 != 3 else "东经",
                             repr(lat), "2026-03-01" if i % 157 else "2026-02-30", f"{i % 13 + 0.5}"])
        for n, (case_no, lon, lat, problem) in enumerate(demo):
            writer.writerow([case_no, problem if n else "改了", repr(lon), repr(lat), "", ""])
    return path


def _stored(ws: Workspace) -> tuple[list, list, list]:
    columns = [r[1] for r in ws.conn.execute("PRAGMA table_xinfo(cases)") if r[1] not in VOLATILE]
    cases = [tuple(r) for r in ws.conn.execute(f"SELECT {', '.join(columns)} FROM cases ORDER BY id")]
    links = [tuple(r) for r in ws.conn.execute(
        "SELECT c.case_no, z.zone_id, z.overlap_m2, z.overlap_share FROM case_zones z "
        "JOIN cases c ON c.id = z.case_id ORDER BY c.case_no, z.zone_id")]
    runs = [json.loads(r[0]) for r in ws.conn.execute("SELECT summary FROM import_runs WHERE kind = 'ledger'")]
    return cases, links, runs


def _import(template: Path, root: Path, ledger: Path) -> tuple[LedgerImportResult, tuple[list, list, list], set]:
    shutil.copytree(template, root)
    ws = Workspace.open(root)
    try:
        result = import_ledger(ws, ledger)
        uuids = {r[0] for r in ws.conn.execute("SELECT uuid FROM cases WHERE case_no LIKE 'PL-%'")}
        return result, _stored(ws), uuids
    finally:
        ws.close()


def test_the_import_is_the_same_in_one_run_or_many(demo_ws, tmp_path: Path, monkeypatch):
    ledger = _write_ledger(tmp_path / "台账.csv", demo_ws)
    template = Path(demo_ws.root)
    demo_ws.close()
    monkeypatch.setattr(ledger_import, "ATTRIBUTION_RUN_ROWS", ROWS * 2)
    one, one_stored, _ = _import(template, tmp_path / "one", ledger)
    monkeypatch.setattr(ledger_import, "ATTRIBUTION_RUN_ROWS", RUN_ROWS)
    many, many_stored, created = _import(template, tmp_path / "many", ledger)
    assert many.as_dict() == one.as_dict()
    assert many_stored == one_stored
    reasons = {r["reason_en"].split(" (")[0] for r in many.rejected}
    assert one.updated == DEMO_ROWS and one.created > 1000
    assert len(reasons) >= 4 and any("outside Jiangsu" in r for r in reasons)  # every kind of rejection met
    assert created <= many.changes.case_uuids


def test_runs_already_checked_are_written_while_later_rows_are_checked(demo_ws, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(ledger_import, "ATTRIBUTION_RUN_ROWS", RUN_ROWS)
    ledger = _write_ledger(tmp_path / "台账.csv", demo_ws)
    before = demo_ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    first_run_written = threading.Event()
    seen_when_last_row_checked: list[bool] = []
    write_zone_links, parse_row = attribution.write_zone_links, ledger_rows.parse_row

    def writing(conn, case_ids, found):
        write_zone_links(conn, case_ids, found)
        first_run_written.set()

    def checking(cells, mapping, *args, **kwargs):
        record = parse_row(cells, mapping, *args, **kwargs)
        if record["case_no"] == f"PL-{ROWS - 1:05d}":  # the last row: the first runs are in by now
            seen_when_last_row_checked.append(first_run_written.wait(timeout=SIGNAL_TIMEOUT_S))
        return record

    monkeypatch.setattr(attribution, "write_zone_links", writing)
    monkeypatch.setattr(ledger_writer, "write_zone_links", writing)
    monkeypatch.setattr(ledger_import, "parse_row", checking)
    result = import_ledger(demo_ws, ledger)
    assert seen_when_last_row_checked == [True]
    assert result.created > 1000
    assert demo_ws.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == before + result.created


def test_rows_are_checked_while_the_bounded_child_still_parses(demo_ws, tmp_path: Path, monkeypatch):
    """The child sends the rows part by part and waits while its parts are not read (a part is larger than
    the pipe holds): when the first row is checked, the child is still there with the rest."""
    rows = ledger_reader.PART_ROWS * 3
    ledger = tmp_path / "台账.csv"
    with ledger.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["问题编号", "问题类型", "问题描述", "经度", "纬度"])
        for i in range(rows):
            writer.writerow([f"ST-{i:06d}", "养殖", f"第 {i} 条问题的描述" * 3, f"{120.1 + i * 1e-6:.6f}", "33.4"])
    child_parsing_at_first_row: list[bool] = []
    parse_row = ledger_rows.parse_row

    def checking(cells, mapping, *args, **kwargs):
        if not child_parsing_at_first_row:
            child_parsing_at_first_row.append(
                any(child.name == f"parse {ledger.name}" for child in multiprocessing.active_children()))
        return parse_row(cells, mapping, *args, **kwargs)

    monkeypatch.setattr(ledger_import, "parse_row", checking)
    result = import_ledger(demo_ws, ledger)
    assert child_parsing_at_first_row == [True]
    assert result.created == rows and not result.rejected
    assert not [child for child in multiprocessing.active_children() if child.name.startswith("parse ")]
