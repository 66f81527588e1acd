"""The statistics report as an A4 PDF: tables, the three charts, the overdue list; every font embedded.

Only the forms' registered TrueType fonts are used (the canvas starts in the
body font, so no base-14 font is referenced and ``pdffonts`` shows every
font embedded). Texts from the ledger sit in plain table cells, drawn as
they are, never parsed as markup; long ones are shortened to fit.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from inspector import __version__
from inspector.forms.fonts import form_fonts
from inspector.reports.charts import closures_line, open_cases_map, status_bars
from inspector.reports.report_export import (
    BY_TITLES,
    GROUP_FIELDS,
    MAX_GROUP_ROWS,
    MAX_OVERDUE_ROWS,
    OVERDUE_HEADER,
    TOTAL_HEADER,
    overdue_rows,
    rate_text,
    summary_rows,
)
from inspector.reports.statistics import ReportStatistics

MARGIN = 16 * mm
CELL_CHARS = 22  # characters of a ledger text shown in a table cell
TABLE_FONT_SIZE = 8  # points
HEADER_FILL = colors.HexColor("#e8eef4")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 1] + "…"


def _table(header: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    fonts = form_fonts()
    table = Table([header] + [[_cell(v) for v in row] for row in rows], colWidths=widths, repeatRows=1)
    table.hAlign = "LEFT"
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.body, TABLE_FONT_SIZE),
        ("FONT", (0, 0), (-1, 0), fonts.heading, TABLE_FONT_SIZE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9e9e9e")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def _group_row(values: dict[str, Any]) -> list[Any]:
    return [values[f] if f != "closed_on_time_rate" else rate_text(values[f]) for f in GROUP_FIELDS]


def report_story(stats: ReportStatistics, outlines: list[list[tuple[float, float]]]) -> list[Any]:
    """The flowables of the report."""
    fonts = form_fonts()
    title = ParagraphStyle("title", fontName=fonts.heading, fontSize=15, leading=20, alignment=1)
    heading = ParagraphStyle("heading", fontName=fonts.heading, fontSize=11, leading=16, spaceBefore=8,
                             spaceAfter=4)
    note = ParagraphStyle("note", fontName=fonts.body, fontSize=8, leading=11, textColor=colors.grey)
    by_zh = BY_TITLES[stats.by][0]
    story: list[Any] = [Paragraph("“绿盾”问题整改统计报表", title), Spacer(0, 4 * mm)]
    story += [Paragraph("总体情况", heading), _table(TOTAL_HEADER, [_group_row(stats.totals)]), Spacer(0, 2 * mm),
              _table(["项目", "数值"], summary_rows(stats), [50 * mm, 60 * mm])]
    story += [Paragraph("按状态", heading),
              _table(list(stats.by_status) or ["—"], [list(stats.by_status.values()) or ["0"]])]
    shown = stats.groups[:MAX_GROUP_ROWS]
    story += [Paragraph(f"按{by_zh}", heading),
              _table([by_zh] + TOTAL_HEADER, [[g["key"]] + _group_row(g) for g in shown])]
    if len(stats.groups) > len(shown):
        story.append(Paragraph(f"另有 {len(stats.groups) - len(shown)} 个{by_zh}见 xlsx 报表。", note))
    story += [Spacer(0, 4 * mm), status_bars(stats, f"各{by_zh}问题数（按状态）"),
              closures_line(stats, "每月销号数"), open_cases_map(stats, outlines, "未办结问题分布（按状态）")]
    overdue = overdue_rows(stats, MAX_OVERDUE_ROWS)
    total_overdue = sum(unit["overdue"] for unit in stats.overdue_by_unit)
    story.append(Paragraph("逾期问题（按责任单位，逾期最久者在前）", heading))
    units = [[u["unit"], u["overdue"], u["max_overdue_days"]] for u in stats.overdue_by_unit[:MAX_GROUP_ROWS]]
    if units:
        story += [_table(["责任单位", "逾期问题数", "最长逾期天数"], units), Spacer(0, 3 * mm),
                  _table(OVERDUE_HEADER, overdue)]
        if total_overdue > len(overdue):
            story.append(Paragraph(f"仅列出逾期最久的 {len(overdue)} 个，共 {total_overdue} 个；"
                                   "完整清单见 xlsx 报表或导出台账（--overdue）。", note))
    else:
        story.append(Paragraph("无逾期问题。", note))
    return story


def write_report_pdf(path: Path, stats: ReportStatistics, outlines: list[list[tuple[float, float]]]) -> None:
    fonts = form_fonts()
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")

    class ReportCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = kwargs.get("initialFontName") or fonts.body  # never Helvetica
            super().__init__(*args, **kwargs)

    def footer(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.body, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 9 * mm, f"绿盾 Inspector {__version__} · 生成于 {stamp}")
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title="绿盾问题整改统计报表", author="绿盾 Inspector")
    doc.build(report_story(stats, outlines), onFirstPage=footer, onLaterPages=footer, canvasmaker=ReportCanvas)
