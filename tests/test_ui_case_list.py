"""The case list: filters and search in SQL, sorting, lazy rows, refresh of changed rows only."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui_fixtures import *  # noqa: F403 - fixtures
from ui.cases.case_model import COL_CASE_NO, COL_STATUS, COL_ZONE, CaseFilter, CaseTableModel
from ui.session import Changes


def _case_nos(model) -> list[str]:
    return [model.record_at(row)["case_no"] for row in range(model.rowCount())]


def test_filters_and_search_narrow_the_list(window, qtbot):
    panel = window.case_list
    total = panel.model.rowCount()
    assert total == 80
    assert panel.count_label.text() == "共 80 条问题"
    panel.city_box.setCurrentIndex(panel.city_box.findText("南京市"))
    assert panel.model.rowCount() == 5
    assert all(no.startswith("LD2026-3201") for no in _case_nos(panel.model))
    panel.city_box.setCurrentIndex(0)
    panel.kind_box.setCurrentIndex(panel.kind_box.findData("生态保护红线"))
    red_line = panel.model.rowCount()
    assert 0 < red_line < total
    panel.kind_box.setCurrentIndex(0)
    panel.search.setText("宜兴龙池山")  # typed text (QTest cannot type CJK)
    qtbot.waitUntil(lambda: panel.model.rowCount() < total, timeout=3000)
    shown = [panel.model.record_at(r) for r in range(panel.model.rowCount())]
    assert shown and all("宜兴龙池山" in (r["ledger_zone_name"] or "") for r in shown)
    assert "共 " in panel.count_label.text()


def test_search_treats_wildcards_as_text(session, qtbot):
    model = CaseTableModel(session, CaseFilter(text="%"))
    assert model.rowCount() == 0
    assert CaseTableModel(session, CaseFilter(text="_")).rowCount() == 0


def test_sort_in_sql_and_status_colours(session):
    model = CaseTableModel(session)
    ascending = _case_nos(model)
    model.sort(COL_CASE_NO, Qt.SortOrder.DescendingOrder)
    assert _case_nos(model) == list(reversed(ascending))
    model.sort(COL_ZONE, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 80
    assert model.data(model.index(0, COL_STATUS)) == "待核查"
    assert model.data(model.index(0, COL_STATUS), Qt.ItemDataRole.BackgroundRole) is not None


def test_overdue_marker_is_red(session):
    model = CaseTableModel(session, CaseFilter(overdue_only=True))
    assert model.rowCount() == 11
    index = model.index(0, 7)
    assert "逾期" in model.data(index)
    assert model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"


def test_a_change_refreshes_only_that_row(session, qtbot):
    model = CaseTableModel(session, CaseFilter(statuses=("待核查",)))
    resets, changed, removed = [], [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b: changed.append(a.row()))
    model.rowsRemoved.connect(lambda parent, a, b: removed.append(a))
    uuid = model.uuid_at(3)
    session.ws.conn.execute("UPDATE cases SET problem_type = '码头' WHERE uuid = ?", (uuid,))
    session.notify(Changes.for_case(uuid))
    assert changed == [3] and not resets
    assert model.record_at(3)["problem_type"] == "码头"
    session.ws.conn.execute("UPDATE cases SET status = '现场核查' WHERE uuid = ?", (uuid,))
    session.notify(Changes.for_case(uuid))
    assert removed == [3] and not resets and model.rowCount() == 79
    session.notify(Changes(cases_added=True))
    assert resets == [1]


def test_selecting_a_row_shows_the_case(window, qtbot):
    table = window.case_list.table
    with qtbot.waitSignal(window.case_list.caseSelected) as signal:
        table.selectRow(2)
    assert window.detail.case_uuid == signal.args[0]
    assert window.detail.title.text() == window.case_list.model.record_at(2)["case_no"]
