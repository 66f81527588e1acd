"""inspector report: totals and groups as summary counts them, the on-time rate, the PDF's fonts, the xlsx."""
from __future__ import annotations

import datetime as dt
import json
import subprocess

import openpyxl
import pytest

from inspector.casework.cases import summary
from inspector.casework.publicity import add_publicity
from inspector.casework.workflow import transition
from inspector.reports.charts import status_bars, to_svg
from inspector.reports.ledger_rows import workspace_zone
from inspector.reports.report_export import export_report
from inspector.reports.statistics import report_statistics
from tests.case_fixtures import CORE_CASE, run_cli
from tests.test_ledger_export import HOSTILE, worked_ws  # noqa: F401 (the fixture)


@pytest.fixture
def closed_ws(worked_ws):  # noqa: F811
    """LD-001 closed today, after its 整改时限 (2026-06-30): one closure, late."""
    transition(worked_ws, CORE_CASE, "申请销号", role="inspector", actor="张三")
    transition(worked_ws, CORE_CASE, "县级验收", role="reviewer", actor="县局", jurisdiction="320904")
    transition(worked_ws, CORE_CASE, "市级验收", role="reviewer", actor="市局", jurisdiction="320900")
    add_publicity(worked_ws, CORE_CASE, starts_on="2026-01-01", ends_on="2026-01-07", where="区政府网站", actor="市局")
    transition(worked_ws, CORE_CASE, "已销号", role="reviewer", actor="市局", jurisdiction="320900")
    return worked_ws


def test_report_json_totals_equal_summary_and_the_pdf_embeds_its_fonts(closed_ws, tmp_path):
    out = tmp_path / "报表.pdf"
    result = run_cli("--workspace", str(closed_ws.root), "report", "-o", str(out), "--by", "county", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["file"] == str(out)
    counted = summary(closed_ws)
    closed = sum(n for status, n in counted["cases_by_status"].items() if status in ("已销号", "排除"))
    assert payload["totals"] == {"cases": counted["cases"], "open": counted["cases"] - closed, "closed": closed,
                                 "overdue": counted["cases_overdue"], "closed_on_time_rate": 0.0}
    assert set(payload["groups"][0]) == {"key", "cases", "open", "closed", "overdue", "closed_on_time_rate"}
    assert sum(g["cases"] for g in payload["groups"]) == counted["cases"]
    assert payload["returned"] == {"cases": 1, "returns": 1}
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes yes " in row for row in rows), fonts


def test_on_time_rate_period_and_groups(closed_ws):
    today = dt.datetime.now(workspace_zone(closed_ws)).date()  # the workspace's day, as the statistics count it
    stats = report_statistics(closed_ws, by="unit", period_from=today, period_to=today)
    assert stats.totals["closed_on_time_rate"] == 0.0 and stats.closed_in_period == 1
    assert stats.closures_by_month == {today.isoformat()[:7]: 1}
    units = {u["unit"]: u for u in stats.overdue_by_unit}
    assert units["射阳县人民政府"]["overdue"] == 4
    days = [c["overdue_days"] for c in units["射阳县人民政府"]["cases"]]
    assert days == sorted(days, reverse=True)
    before = report_statistics(closed_ws, period_to=today - dt.timedelta(days=1))
    assert before.closed_in_period == 0 and before.totals["closed_on_time_rate"] is None
    on_time = report_statistics(closed_ws, today=dt.date(2026, 6, 1))
    assert on_time.totals["cases"] == 7
    by_zone = report_statistics(closed_ws, by="zone")
    assert by_zone.groups[0]["key"] in ("射阳河口湿地保护区", "不在区域内")


def test_report_xlsx_carries_the_tables_as_text_cells(closed_ws, tmp_path):
    closed_ws.conn.execute("UPDATE cases SET responsible_unit = ? WHERE case_no = 'LD-011'", (HOSTILE["LD-002"],))
    result = export_report(closed_ws, tmp_path / "r.xlsx", by="unit")
    book = openpyxl.load_workbook(result["file"])
    assert {"汇总", "按状态", "按责任单位", "月度销号", "逾期清单"} <= set(book.sheetnames)
    units = [row[0] for row in book["按责任单位"].iter_rows(min_row=2)]
    hostile = [cell for cell in units if cell.value == HOSTILE["LD-002"]]
    assert hostile and hostile[0].data_type == "s"
    assert book["逾期清单"].max_row - 1 == result["totals"]["overdue"]


def test_one_chart_definition_renders_to_svg(closed_ws):
    svg = to_svg(status_bars(report_statistics(closed_ws), "各市问题数"))
    assert svg.startswith(b"<?xml") and "已销号".encode() in svg


def test_report_bad_input(closed_ws, tmp_path):
    root = str(closed_ws.root)
    assert run_cli("--workspace", root, "report", "-o", str(tmp_path / "r.docx")).returncode == 2
    assert run_cli("--workspace", root, "report", "-o", str(tmp_path / "r.pdf"), "--from", "2026-13-01"
                   ).returncode == 2
    assert run_cli("--workspace", root, "report", "-o", str(tmp_path / "r.pdf"), "--from", "2026-05-01",
                   "--to", "2026-04-01").returncode == 2
