"""One source per domain rule (issue 12 item 3) in the GUI: the case list's status colours are the map's and
the forms' (the core palette), its overdue filter and marker follow the core's overdue rule, the 待同步
counter counts what a sync reports as pending, and the GUI's views are workflow roles."""
from __future__ import annotations

import datetime as dt
import json
import re

from PySide6.QtCore import Qt

from inspector.casework.cases import list_cases
from inspector.casework.findings import add_finding
from inspector.casework.workflow import ROLES, STATES, is_overdue, status_colours, transition
from inspector.maps.map_document import build_workspace_map
from inspector.maps.map_layers import status_code
from inspector.store.record_store import pending_changes
from inspector.store.workspace import Workspace
from tests.sync_fixtures import client_workspace, db_url, server, sync  # noqa: F401 - fixtures
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import account, wait_reads
from ui.cases.case_model import COL_OVERDUE, COL_STATUS, CaseFilter, CaseTableModel

CASE = "LD-001"


def _map_config(ws: Workspace) -> dict:
    html = build_workspace_map(ws).html
    return json.loads(re.search(r'id="lvdun-config">(.*?)</script>', html).group(1))


def test_list_chip_and_map_marker_share_the_palette(session, qtbot):
    """待核查 was blue in the case list and red on the map: both now read the core palette."""
    uuids = [r[0] for r in session.ws.conn.execute("SELECT uuid FROM cases ORDER BY case_no LIMIT ?",
                                                    (len(STATES) + 1,))]
    for uuid, state in zip(uuids, (*STATES, "外来状态")):
        session.ws.conn.execute("UPDATE cases SET status = ? WHERE uuid = ?", (state, uuid))
    config = _map_config(session.ws)
    model = CaseTableModel(session)
    wait_reads(qtbot, session)
    for uuid, state in zip(uuids, (*STATES, "外来状态")):
        index = model.index(model.row_of_uuid(uuid), COL_STATUS)
        chip = (model.data(index, Qt.ItemDataRole.BackgroundRole).color().name(),
                model.data(index, Qt.ItemDataRole.ForegroundRole).color().name())
        marker = (config["statusFills"][status_code(state)], config["statusTexts"][status_code(state)])
        assert chip == marker == (status_colours(state).fill, status_colours(state).text), state


def test_overdue_filter_marker_and_cases_agree(session, qtbot):
    """The list's 仅逾期 filter (SQL) and its red marker (Python) follow one rule, also for a deadline that is
    no date: ``${7*7}`` used to pass the filter but show no marker."""
    conn = session.ws.conn
    conn.execute("UPDATE cases SET deadline = NULL")
    given = ["${7*7}", "2024-02-30", "2001-01-01", "2001-01-01", "2001-01-01", "2099-01-01"]
    statuses = ["整改中", "整改中", "整改中", "排除", "已销号", "整改中"]
    numbers = [r[0] for r in conn.execute("SELECT case_no FROM cases ORDER BY case_no LIMIT ?", (len(given),))]
    for case_no, deadline, status in zip(numbers, given, statuses):
        conn.execute("UPDATE cases SET deadline = ?, status = ? WHERE case_no = ?", (deadline, status, case_no))
    overdue_only = CaseTableModel(session, CaseFilter(overdue_only=True))
    wait_reads(qtbot, session)
    listed = {overdue_only.record_at(row)["case_no"] for row in range(overdue_only.rowCount())}
    assert listed == {numbers[2]}
    assert listed == {c["case_no"] for c in list_cases(session.ws) if c["overdue"]}
    everything = CaseTableModel(session)
    wait_reads(qtbot, session)
    marked = {everything.record_at(row)["case_no"] for row in range(everything.rowCount())
              if everything.data(everything.index(row, COL_OVERDUE))}
    assert marked == listed
    assert all(is_overdue(d, s, dt.date.today()) == (n in listed) for n, d, s in zip(numbers, given, statuses))


def test_status_bar_and_sync_report_count_the_same_pending_changes(server, tmp_path, qapp, qtbot):  # noqa: F811
    """The status bar counted five kinds without cases and without deletions, the sync report six kinds with
    both: a transition (which also changes its case) showed as 1 in one and 2 in the other."""
    from ui.session import Session
    from ui.status_summary import StatusSummary

    root = client_workspace(tmp_path / "a", server.url, "inspector_a")
    session = Session(Workspace.open(root), actor=account("inspector_a", ("inspector",), "320900"))
    bar = StatusSummary(session)
    try:
        def counted() -> tuple[int, str]:
            with qtbot.waitSignal(bar.refreshed):
                bar.refresh()
            return pending_changes(session.ws.conn), bar.pending.text()

        pulled = sync(root)
        assert pulled.pulled > 0 and counted() == (pulled.pending, f"待同步 {pulled.pending}")
        with Workspace.open(root) as ws:
            transition(ws, CASE, "现场核查", role="inspector", actor="inspector_a")
            add_finding(ws, CASE, assessment="确认问题", activity_type="养殖", description="养殖塘", inspector="a")
        assert counted() == (3, "待同步 3")  # the finding, the transition and the case it moved
        pushed = sync(root)
        assert pushed.pushed == 3 and counted() == (pushed.pending, f"待同步 {pushed.pending}")
        assert pushed.pending == 0
    finally:
        bar.deleteLater()
        session.close()


def test_the_gui_views_are_workflow_roles():
    import argparse

    from ui import session
    from ui.command import register

    assert set(session.ROLES) <= set(ROLES)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(), argparse.ArgumentParser(add_help=False))
    gui = parser._subparsers._group_actions[0].choices["gui"]
    assert next(a.choices for a in gui._actions if a.dest == "role") == session.ROLES


def test_a_workspace_without_a_sync_server_shows_no_pending_count(session, qapp, qtbot):
    """The demo's 80 imported cases are local records, not changes waiting for a server that does not exist."""
    from ui.status_summary import StatusSummary

    bar = StatusSummary(session)
    try:
        wait_reads(qtbot, session)
        assert pending_changes(session.ws.conn) > 0 and bar.pending.isHidden()
    finally:
        bar.deleteLater()
