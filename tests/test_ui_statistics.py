"""The 统计 view (figures and charts of the listed cases, the two exports)."""
from __future__ import annotations

import openpyxl

from inspector.casework.cases import summary
from inspector.casework.workflow import transition
from tests.test_ui_background_reads import reading_thread_held
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_job


def test_statistics_follow_the_case_list_and_export_in_the_background(window, session, qtbot, tmp_path):
    window.open_statistics()
    view = window.statistics_view
    qtbot.waitUntil(lambda: not view.loading, timeout=30_000)
    counted = summary(session.ws)
    assert view.figures["cases"].text() == f"{counted['cases']:,}"
    assert view.figures["overdue"].text() == str(counted["cases_overdue"])
    assert view.groups.rowCount() == len(counted["cases_by_city"])
    assert all(chart.pixmap() is not None and not chart.pixmap().isNull() for chart in view.charts)
    assert b"<svg" in view.charts[2].svg

    panel = window.case_list
    with qtbot.waitSignal(view.loaded, timeout=30_000):
        panel.city_box.setCurrentIndex(panel.city_box.findText("南京市"))
    assert view.figures["cases"].text() == "5" and view.groups.rowCount() == 1
    assert view.groups.item(0, 0).text() == "南京市"

    job = view.export_ledger(str(tmp_path / "南京.xlsx"))
    result, error = wait_job(qtbot, job)
    assert error is None and result["rows"] == 5
    assert openpyxl.load_workbook(tmp_path / "南京.xlsx").active.max_row == 6
    assert view.ledger_button.isEnabled() and not view.progress.isVisible()
    job = view.export_report(str(tmp_path / "南京.pdf"))
    result, error = wait_job(qtbot, job)
    assert error is None and result["totals"]["cases"] == 5 and (tmp_path / "南京.pdf").stat().st_size > 0

    case_no = session.ws.conn.execute("SELECT case_no FROM cases WHERE city_adcode = '320100' "
                                      "ORDER BY case_no").fetchone()[0]
    transition(session.ws, case_no, "现场核查", role="inspector", actor="张三")
    with qtbot.waitSignal(view.loaded, timeout=30_000):
        panel.status_box.setCurrentIndex(panel.status_box.findData("现场核查"))
    assert view.figures["cases"].text() == "1"


def test_a_filter_change_counts_on_the_reading_thread(window, qtbot):
    window.open_statistics()
    view = window.statistics_view
    qtbot.waitUntil(lambda: not view.loading, timeout=30_000)
    assert view.figures["cases"].text() == "80" and not view.busy_label.isVisibleTo(view)
    panel = window.case_list
    shown: list[str] = []
    view.loaded.connect(lambda: shown.append(view.figures["cases"].text()))
    with qtbot.waitSignal(view.loaded, timeout=30_000):
        with reading_thread_held(window.session):
            panel.city_box.setCurrentIndex(panel.city_box.findText("南京市"))
            view.set_filter(panel.current_filter())  # asked twice: only the latest answer is shown
            assert view.loading and view.busy_label.isVisibleTo(view)  # the call returned before the count
            assert view.figures["cases"].text() == "80"  # the previous figures stay until the answer
    assert shown == ["5"] and not view.loading and not view.busy_label.isVisibleTo(view)

