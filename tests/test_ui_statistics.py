"""The 统计 view (figures and charts of the listed cases, the two exports)."""
from __future__ import annotations

import openpyxl

from inspector.casework.cases import summary
from inspector.casework.workflow import transition
from tests.ui_fixtures import *  # noqa: F403 - fixtures
from tests.ui_fixtures import wait_job


def test_statistics_follow_the_case_list_and_export_in_the_background(window, session, qtbot, tmp_path):
    window.open_statistics()
    view = window.statistics_view
    wait_job(qtbot, view.job)
    counted = summary(session.ws)
    assert view.figures["cases"].text() == f"{counted['cases']:,}"
    assert view.figures["overdue"].text() == str(counted["cases_overdue"])
    assert view.groups.rowCount() == len(counted["cases_by_city"])
    assert all(chart.pixmap() is not None and not chart.pixmap().isNull() for chart in view.charts)
    assert b"<svg" in view.charts[2].svg

    panel = window.case_list
    panel.city_box.setCurrentIndex(panel.city_box.findText("南京市"))
    wait_job(qtbot, view.job)
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
    panel.status_box.setCurrentIndex(panel.status_box.findData("现场核查"))
    wait_job(qtbot, view.job)
    assert view.figures["cases"].text() == "1"
