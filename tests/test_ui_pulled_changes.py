"""A sync that pulls three changed cases refreshes those three: the case list updates their rows (no
reset) and the map moves and recolours their markers in place (no reload) — from the change summary the
core returned, against the real reference server on loopback."""
from __future__ import annotations

import json

import pytest

from sync.server.publish import publish_ledger
from tests.sync_fixtures import EXTRA_ROWS, client_workspace, start_server, sync, use_test_keyring
from tests.test_ledger_import import ledger_rows, write_xlsx
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import open_session

YANCHENG_ROWS = [  # more 盐城 cases for inspector_a (320900), beside LD-001, LD-010 and LD-011
    [20 + i, f"LD-02{i}", "盐城市", "射阳县", "射阳河口湿地", None, "养殖", f"鱼塘 {i}", 120.30 + i * 0.02,
     33.40 + i * 0.01, None, None, "射阳县"]
    for i in range(5)
]
CHANGED = ("LD-020", "LD-021", "LD-023")  # the office republishes these three
MOVED = "LD-021"
MOVED_TO = (120.36, 33.47)


def _ledger(rows: list[list]) -> list[list]:
    return ledger_rows() + EXTRA_ROWS + rows


def _changed_rows() -> list[list]:
    rows = [list(row) for row in YANCHENG_ROWS]
    for row in rows:
        if row[1] == MOVED:
            row[8], row[9] = MOVED_TO
        elif row[1] in CHANGED:
            row[6] = "码头"
    return rows


@pytest.fixture
def office(tmp_path, monkeypatch):
    use_test_keyring(monkeypatch)
    running = start_server(tmp_path, None)
    publish_ledger(running.data_dir, running.storage, write_xlsx(tmp_path / "v1.xlsx", _ledger(YANCHENG_ROWS)))
    yield running
    running.stop()


@pytest.fixture
def session(office, tmp_path, qapp, qt_settings):  # overrides tests.ui_fixtures.session: a synced workspace
    root = client_workspace(tmp_path / "a", office.url, "inspector_a")
    sync(root)
    with open_session(qapp, root, "inspector_a", auto_sync=False) as opened:  # only the test starts syncs
        yield opened


def _map_js(window, qtbot, code: str):
    results: list = []
    window.map_view.page().runJavaScript(f"JSON.stringify({code})", 0, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return json.loads(results[0]) if results[0] is not None else None


def test_a_pull_of_three_cases_refreshes_just_those(window, qtbot, office, tmp_path, monkeypatch):
    model = window.case_list.model
    qtbot.waitUntil(lambda: window.map_ready, timeout=60_000)
    shown = {model.record_at(row)["case_no"]: row for row in range(model.rowCount())}
    assert len(shown) == 8 and set(CHANGED) < set(shown)
    uuids = {no: model.record_at(row)["uuid"] for no, row in shown.items()}
    resets, updated, inserted, removed = [], [], [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda first, last: updated.extend(range(first.row(), last.row() + 1)))
    model.rowsInserted.connect(lambda parent, first, last: inserted.append(first))
    model.rowsRemoved.connect(lambda parent, first, last: removed.append(first))
    scripts: list[str] = []
    page = window.map_view.page()
    run_js = page.runJavaScript
    monkeypatch.setattr(page, "runJavaScript", lambda script, *rest: scripts.append(script) or run_js(script, *rest))
    reloads: list = []
    monkeypatch.setattr(window.map_view, "show_bundle", lambda *bundle: reloads.append(bundle))
    map_job = window.map_job

    publish_ledger(office.data_dir, office.storage, write_xlsx(tmp_path / "v2.xlsx", _ledger(_changed_rows())))
    window.actions_by_name["sync"].trigger()
    qtbot.waitUntil(lambda: not window.sync.running and window.sync.last is not None, timeout=60_000)

    report = window.sync.last.report
    assert window.sync.last.kind == "done" and report.pulled == 3
    assert report.changes.case_uuids == {uuids[no] for no in CHANGED} and not report.changes.all_cases
    assert sorted(updated) == sorted(shown[no] for no in CHANGED)
    assert not resets and not inserted and not removed
    assert {model.record_at(shown[no])["problem_type"] for no in CHANGED if no != MOVED} == {"码头"}
    marker_updates = [s for s in scripts if s.startswith("LvdunMap.putCase(")]
    assert sorted(json.loads(f"[{s[len('LvdunMap.putCase('):-1]}]")[0] for s in marker_updates) == \
        sorted(uuids[no] for no in CHANGED)
    assert not reloads and window.map_job is map_job and window.map_ready
    moved = _map_js(window, qtbot, f"LvdunMap.markerFor({json.dumps(uuids[MOVED])}).getLatLng()")
    assert (moved["lng"], moved["lat"]) == pytest.approx(MOVED_TO)
    assert _map_js(window, qtbot, "LvdunMap.stats().cases") == 8
