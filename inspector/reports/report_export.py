"""``inspector report``: the statistics (量化问责) as a PDF with charts or as an xlsx with the same tables.

The PDF (A4, the forms' embedded CJK fonts) holds the totals, the counts by
status, the groups, the three charts of :mod:`inspector.reports.charts` and
the overdue cases by responsible unit, the longest first (at most
:data:`MAX_OVERDUE_ROWS` rows; the xlsx lists them all). Ledger text (unit
and area names) goes into plain table cells, never into paragraph markup.
The xlsx has one sheet per table, written by openpyxl's streaming writer with
every text a string cell. Both are written to a temporary file beside the
target and renamed when complete.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from inspector.casework.case_list_query import CaseFilter
from inspector.errors import BadInput
from inspector.reports.statistics import ReportStatistics, report_statistics
from inspector.store.workspace import Workspace

REPORT_FORMATS = (".pdf", ".xlsx")
MAX_OVERDUE_ROWS = 300  # overdue cases listed in the PDF (the xlsx lists them all)
MAX_GROUP_ROWS = 200  # groups listed in the PDF's table (the JSON and the xlsx have them all)
BY_TITLES = {"city": ("设区市", "city"), "county": ("县（市、区）", "county"), "unit": ("责任单位", "unit"),
             "zone": ("所在区域", "zone")}
TOTAL_HEADER = ["问题总数", "未办结", "已办结", "逾期", "按期销号率"]
GROUP_FIELDS = ("cases", "open", "closed", "overdue", "closed_on_time_rate")
OVERDUE_HEADER = ["责任单位", "问题编号", "逾期天数", "状态", "整改时限", "市", "县"]


def export_report(ws: Workspace, path: str | Path, case_filter: CaseFilter = CaseFilter(), *, by: str = "city",
                  period_from: dt.date | None = None, period_to: dt.date | None = None,
                  today: dt.date | None = None) -> dict[str, Any]:
    """Write the report to ``path`` (.pdf or .xlsx); returns ``{"file", "totals", "groups", ...}``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise BadInput(f"不支持的报表格式：{suffix or '（无扩展名）'}（支持 .pdf、.xlsx）",
                       f"unsupported report format {suffix or '(no suffix)'} (use .pdf or .xlsx)")
    if not path.parent.is_dir():
        raise BadInput(f"目录不存在：{path.parent}", f"no such folder: {path.parent}")
    stats = report_statistics(ws, case_filter, by=by, period_from=period_from, period_to=period_to, today=today)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        if suffix == ".pdf":
            from inspector.reports.charts import city_outlines
            from inspector.reports.report_pdf import write_report_pdf

            write_report_pdf(partial, stats, city_outlines(ws))
        else:
            write_report_xlsx(partial, stats)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return {"file": str(path), **stats.as_dict()}


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def summary_rows(stats: ReportStatistics) -> list[list[Any]]:
    """The figures beside the totals: the period, returns; label and value."""
    period = f"{stats.period_from or '…'} 至 {stats.period_to or '…'}" if stats.period_from or stats.period_to \
        else "全部"
    return [["统计期间", period], ["期间新增线索", stats.new_in_period], ["期间销号", stats.closed_in_period],
            ["被退回的问题", stats.returned_cases], ["退回次数", stats.returns],
            ["统计日期", stats.today.isoformat()]]


def overdue_rows(stats: ReportStatistics, limit: int | None = None) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for unit in stats.overdue_by_unit:
        for case in unit["cases"]:
            rows.append([unit["unit"], case["case_no"], case["overdue_days"], case["status"], case["deadline"],
                         case["city"], case["county"]])
    rows.sort(key=lambda r: (-r[2], r[1]))
    return rows if limit is None else rows[:limit]


def write_report_xlsx(path: Path, stats: ReportStatistics) -> None:
    from openpyxl import Workbook

    from inspector.reports.cell_values import xlsx_row

    workbook = Workbook(write_only=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]]) -> None:
        target = workbook.create_sheet(title)
        target.freeze_panes = "A2"
        target.append(header)
        for row in rows:
            target.append(xlsx_row(target, row))

    totals = stats.totals
    sheet("汇总", TOTAL_HEADER, [[totals[f] for f in GROUP_FIELDS]])
    sheet("期间与退回", ["项目", "数值"], summary_rows(stats))
    sheet("按状态", ["状态", "问题数"], [[k, v] for k, v in stats.by_status.items()])
    sheet(f"按{BY_TITLES[stats.by][0]}", [BY_TITLES[stats.by][0]] + TOTAL_HEADER,
          [[g["key"]] + [g[f] for f in GROUP_FIELDS] for g in stats.groups])
    sheet("月度销号", ["月份", "销号数"], [[k, v] for k, v in stats.closures_by_month.items()])
    sheet("逾期清单", OVERDUE_HEADER, overdue_rows(stats))
    workbook.save(path)
