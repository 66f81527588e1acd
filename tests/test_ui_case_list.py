"""The case list: filters and search in SQL, sorting, lazy rows, refresh of changed rows only.

The query itself (filters, search, sort, paging) is tested without Qt in ``test_case_queries``."""
from __future__ import annotations

from PySide6.QtCore import Qt

from inspector.casework.case_list_query import CaseFilter
from inspector.store.changes import Changes
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_job
from ui.cases.case_model import COL_CASE_NO, COL_STATUS, COL_ZONE, CaseTableModel


def _case_row_changed(uuid: str) -> Changes:
    return Changes(frozenset({"cases"}), frozenset({uuid}))


def _case_nos(model) -> list[str]:
    return [model.record_at(row)["case_no"] for row in range(model.rowCount())]


def _loaded(qtbot, model: CaseTableModel) -> CaseTableModel:
    """``model`` once the reading thread's answer to its latest question is in."""
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    return model


def test_filters_and_search_narrow_the_list(window, qtbot):
    panel = window.case_list
    total = panel.model.rowCount()
    assert total == 80
    assert panel.count_label.text() == "共 80 条问题"
    with qtbot.waitSignal(panel.model.loaded):
        panel.city_box.setCurrentIndex(panel.city_box.findText("南京市"))
    assert panel.model.rowCount() == 5
    assert all(no.startswith("LD2026-3201") for no in _case_nos(panel.model))
    panel.city_box.setCurrentIndex(0)
    with qtbot.waitSignal(panel.model.loaded):
        panel.kind_box.setCurrentIndex(panel.kind_box.findData("生态保护红线"))
    red_line = panel.model.rowCount()
    assert 0 < red_line < total
    with qtbot.waitSignal(panel.model.loaded):
        panel.kind_box.setCurrentIndex(0)
    panel.search.setText("宜兴龙池山")  # typed text (QTest cannot type CJK)
    qtbot.waitUntil(lambda: panel.model.rowCount() < total, timeout=3000)
    shown = [panel.model.record_at(r) for r in range(panel.model.rowCount())]
    assert shown and all("宜兴龙池山" in (r["ledger_zone_name"] or "") for r in shown)
    assert "共 " in panel.count_label.text()


def test_search_treats_wildcards_as_text(session, qtbot):
    model = _loaded(qtbot, CaseTableModel(session, CaseFilter(text="%")))
    assert model.rowCount() == 0
    assert _loaded(qtbot, CaseTableModel(session, CaseFilter(text="_"))).rowCount() == 0
    assert _loaded(qtbot, CaseTableModel(session, CaseFilter(text=""))).rowCount() == 80


def test_sort_in_sql_and_status_colours(session, qtbot):
    model = _loaded(qtbot, CaseTableModel(session))
    ascending = _case_nos(model)
    with qtbot.waitSignal(model.loaded):
        model.sort(COL_CASE_NO, Qt.SortOrder.DescendingOrder)
    assert _case_nos(model) == list(reversed(ascending))
    with qtbot.waitSignal(model.loaded):
        model.sort(COL_ZONE, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 80
    assert model.data(model.index(0, COL_STATUS)) == "待核查"
    assert model.data(model.index(0, COL_STATUS), Qt.ItemDataRole.BackgroundRole) is not None


def test_overdue_marker_is_red(session, qtbot):
    model = _loaded(qtbot, CaseTableModel(session, CaseFilter(overdue_only=True)))
    assert model.rowCount() == 11
    index = model.index(0, 7)
    assert "逾期" in model.data(index)
    assert model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"


def test_a_change_refreshes_only_that_row(session, qtbot):
    model = _loaded(qtbot, CaseTableModel(session, CaseFilter(statuses=("待核查",))))
    resets, changed, removed, inserted, counts = [], [], [], [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b: changed.append(a.row()))
    model.rowsRemoved.connect(lambda parent, a, b: removed.append(a))
    model.rowsInserted.connect(lambda parent, a, b: inserted.append(a))
    model.countChanged.connect(counts.append)
    uuid = model.uuid_at(3)
    session.ws.conn.execute("UPDATE cases SET problem_type = '码头' WHERE uuid = ?", (uuid,))
    session.notify(_case_row_changed(uuid))
    assert changed == [3] and not resets and not counts
    assert model.record_at(3)["problem_type"] == "码头"
    session.notify(Changes(frozenset({"findings"}), frozenset({uuid})))  # its row did not change
    assert changed == [3]
    session.ws.conn.execute("UPDATE cases SET status = '现场核查' WHERE uuid = ?", (uuid,))
    with qtbot.waitSignal(model.loaded):  # it left the filter: the list is asked for again
        session.notify(_case_row_changed(uuid))
    assert removed == [3] and not resets and model.rowCount() == 79 and counts == [79]
    session.ws.conn.execute("UPDATE cases SET status = '待核查' WHERE uuid = ?", (uuid,))
    with qtbot.waitSignal(model.loaded):
        session.notify(_case_row_changed(uuid))  # back in the filter: inserted at its place
    assert inserted == [3] and not resets and model.uuid_at(3) == uuid and counts == [79, 80]
    with qtbot.waitSignal(model.loaded):
        session.notify(Changes(frozenset({"cases", "zones"}), all_cases=True))
    assert resets == [1]


def test_a_case_that_moves_under_the_sort_order_moves(session, qtbot):
    model = _loaded(qtbot, CaseTableModel(session))
    model.sort(COL_CASE_NO, Qt.SortOrder.AscendingOrder)
    resets, removed, inserted = [], [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsRemoved.connect(lambda parent, a, b: removed.append(a))
    model.rowsInserted.connect(lambda parent, a, b: inserted.append(a))
    first = model.uuid_at(0)
    session.ws.conn.execute("UPDATE cases SET case_no = 'ZZ-LAST' WHERE uuid = ?", (first,))
    with qtbot.waitSignal(model.loaded):
        session.notify(_case_row_changed(first))
    assert (removed, inserted, resets) == ([0], [79], [])
    assert model.uuid_at(79) == first and model.record_at(79)["case_no"] == "ZZ-LAST"


def test_selecting_a_row_shows_the_case(window, qtbot):
    table = window.case_list.table
    with qtbot.waitSignal(window.detail.loaded, timeout=10_000), \
            qtbot.waitSignal(window.case_list.caseSelected) as signal:
        table.selectRow(2)
    assert window.detail.case_uuid == signal.args[0]
    assert window.detail.title.text() == window.case_list.model.record_at(2)["case_no"]


def test_a_ledger_import_refreshes_what_it_created_and_nothing_else(window, qtbot, tmp_path):
    from inspector.resources import resource_path
    from ui import operations

    model, session = window.case_list.model, window.session
    announced, resets, inserted = [], [], []
    session.changed.connect(announced.append)
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda parent, first, last: inserted.append(first))
    again = operations.import_ledger_file(session=session, path=str(resource_path("demo", "ledger.xlsx")))
    result, error = wait_job(qtbot, again)
    assert error is None and result.created == 0 and result.updated == 0
    qtbot.waitUntil(lambda: bool(announced))
    assert announced[-1].empty and not resets and model.rowCount() == 80  # created nothing: nothing added

    path = tmp_path / "one.csv"
    path.write_text("问题编号,保护地名称,问题类型,问题描述,经度,纬度\nAA-0001,【示例】老山,违法建筑,新建房屋,118.56,32.08\n",
                    encoding="utf-8")
    one = operations.import_ledger_file(session=session, path=str(path))
    result, error = wait_job(qtbot, one)
    assert error is None and result.created == 1
    qtbot.waitUntil(lambda: model.rowCount() == 81)
    assert announced[-1].case_uuids == {model.uuid_at(0)} and model.record_at(0)["case_no"] == "AA-0001"
    assert inserted == [0] and not resets
