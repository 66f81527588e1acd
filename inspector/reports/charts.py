"""The report's charts, defined once with reportlab's own graphics: drawn into the PDF, and as SVG for Qt.

- :func:`status_bars`: cases by area (city, county, unit or zone) and status,
  stacked, in the workflow's colours (:data:`STATUS_PALETTE`);
- :func:`closures_line`: 销号 per month;
- :func:`open_cases_map`: the cities' outlines and the open cases on the
  statistics' grid, each dot in the colour of the status most of its cases
  are in, its area growing with their number.

Each returns a :class:`Drawing` (a PDF flowable); :func:`to_svg` renders one
for the GUI (``QSvgRenderer``). Texts use the forms' embedded CJK font
(:func:`inspector.forms.fonts.form_fonts`), so the PDF embeds every glyph.
"""
from __future__ import annotations

import math
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Circle, Drawing, Polygon, String
from reportlab.lib import colors

from inspector.casework.statuses import STATES, status_colours
from inspector.forms.fonts import form_fonts
from inspector.reports.statistics import ReportStatistics
from inspector.store.workspace import Workspace

CHART_WIDTH, CHART_HEIGHT = 480.0, 260.0  # points (1/72 inch): fits an A4 page's text width
MAP_HEIGHT = 330.0  # points
MAX_BARS = 12  # areas shown as bars; the rest are summed under 其他
OUTLINE_TOLERANCE_DEG = 0.01  # simplification of the city outlines drawn under the map, degrees
MIN_DOT, DOT_SCALE, MAX_DOT = 1.5, 0.9, 9.0  # map dot radius in points: MIN + SCALE * sqrt(cases), at most MAX
FONT_SIZE = 7.5  # points


def _font() -> str:
    return form_fonts().body


def _drawing(width: float, height: float) -> Drawing:
    """An empty drawing whose text state starts in the embedded font (not reportlab's Helvetica)."""
    return Drawing(width, height, initialFontName=_font())


def _title(drawing: Drawing, text: str) -> None:
    drawing.add(String(0, drawing.height - 12, text, fontName=form_fonts().heading, fontSize=10))


def _empty(drawing: Drawing, text: str) -> Drawing:
    drawing.add(String(drawing.width / 2, drawing.height / 2, text, fontName=_font(), fontSize=9,
                       textAnchor="middle", fillColor=colors.grey))
    return drawing


def status_bars(stats: ReportStatistics, title: str) -> Drawing:
    """Cases per area, stacked by status."""
    drawing = _drawing(CHART_WIDTH, CHART_HEIGHT)
    _title(drawing, title)
    groups = list(stats.status_by_group.items())
    if not groups:
        return _empty(drawing, "暂无问题 / no cases")
    shown, rest = groups[:MAX_BARS], groups[MAX_BARS:]
    if rest:
        merged: dict[str, int] = {}
        for _, counts in rest:
            for status, n in counts.items():
                merged[status] = merged.get(status, 0) + n
        shown.append((f"其他 {len(rest)} 个", merged))
    statuses = [s for s in STATES if any(s in counts for _, counts in shown)]
    statuses += sorted({s for _, counts in shown for s in counts} - set(statuses))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 60, int(CHART_WIDTH) - 150, int(CHART_HEIGHT) - 90
    chart.data = [[counts.get(status, 0) for _, counts in shown] for status in statuses]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [_short(key, 8) for key, _ in shown]
    chart.categoryAxis.labels.angle = 35
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontName = _font()
    chart.categoryAxis.labels.fontSize = FONT_SIZE
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = _font()
    chart.valueAxis.labels.fontSize = FONT_SIZE
    chart.barWidth = 8
    for index, status in enumerate(statuses):
        chart.bars[index].fillColor = colors.HexColor(status_colours(status).fill)
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend(statuses, CHART_WIDTH - 100, CHART_HEIGHT - 30))
    return drawing


def _legend(statuses: list[str], x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = int(x), int(y)
    legend.fontName, legend.fontSize = _font(), FONT_SIZE
    legend.alignment = "right"
    legend.columnMaximum = 12
    legend.dx = legend.dy = 7
    legend.colorNamePairs = [(colors.HexColor(status_colours(s).fill), s) for s in statuses]
    return legend


def closures_line(stats: ReportStatistics, title: str) -> Drawing:
    """销号 per month, every month from the first to the last with a closure."""
    drawing = _drawing(CHART_WIDTH, CHART_HEIGHT * 0.75)
    _title(drawing, title)
    months = _month_range(list(stats.closures_by_month))
    if not months:
        return _empty(drawing, "暂无销号 / no closures yet")
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 36, 36, int(CHART_WIDTH) - 60, int(drawing.height) - 64
    chart.data = [[stats.closures_by_month.get(m, 0) for m in months]]
    chart.categoryAxis.categoryNames = months
    step = max(1, math.ceil(len(months) / 12))
    chart.categoryAxis.labels.fontName = _font()
    chart.categoryAxis.labels.fontSize = FONT_SIZE
    chart.categoryAxis.labelAxisMode = "low"
    if step > 1:
        chart.categoryAxis.categoryNames = [m if i % step == 0 else "" for i, m in enumerate(months)]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = _font()
    chart.valueAxis.labels.fontSize = FONT_SIZE
    chart.lines[0].strokeColor = colors.HexColor(status_colours("已销号").fill)
    chart.lines[0].strokeWidth = 1.5
    drawing.add(chart)
    return drawing


def _month_range(months: list[str]) -> list[str]:
    if not months:
        return []
    year, month = int(months[0][:4]), int(months[0][5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= months[-1]:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def city_outlines(ws: Workspace) -> list[list[tuple[float, float]]]:
    """The cities' outer rings (lon, lat), simplified for drawing."""
    from shapely import wkb

    rings = []
    for (blob,) in ws.conn.execute("SELECT AsBinary(geom) FROM admin_areas WHERE level = 'city' AND geom IS NOT NULL"):
        shape = wkb.loads(bytes(blob)).simplify(OUTLINE_TOLERANCE_DEG)
        for polygon in getattr(shape, "geoms", [shape]):
            rings.append(list(polygon.exterior.coords))
    return rings


def open_cases_map(stats: ReportStatistics, outlines: list[list[tuple[float, float]]], title: str) -> Drawing:
    """The open cases over the cities' outlines (see the module docstring)."""
    drawing = _drawing(CHART_WIDTH, MAP_HEIGHT)
    _title(drawing, title)
    points = [p for ring in outlines for p in ring] + [(x, y) for x, y, _ in stats.open_grid]
    if not points:
        return _empty(drawing, "暂无未销号问题 / no open cases")
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squeeze = math.cos(math.radians((south + north) / 2))  # metres per degree of longitude vs latitude
    width, height = CHART_WIDTH - 110, MAP_HEIGHT - 30
    scale = min(width / max((east - west) * squeeze, 1e-6), height / max(north - south, 1e-6))

    def place(lon: float, lat: float) -> tuple[float, float]:
        return 5 + (lon - west) * squeeze * scale, 5 + (lat - south) * scale

    for ring in outlines:
        drawing.add(Polygon([c for point in ring for c in place(*point)], fillColor=colors.HexColor("#f4f1ea"),
                            strokeColor=colors.HexColor("#9e9e9e"), strokeWidth=0.4))
    present: set[str] = set()
    for lon, lat, counts in sorted(stats.open_grid, key=lambda cell: -sum(cell[2].values())):
        status = max(counts.items(), key=lambda item: (item[1], -_rank(item[0])))[0]
        present.add(status)
        x, y = place(lon, lat)
        radius = min(MIN_DOT + DOT_SCALE * math.sqrt(sum(counts.values())), MAX_DOT)
        fill = colors.HexColor(status_colours(status).fill)
        drawing.add(Circle(x, y, radius, fillColor=fill, strokeColor=colors.white, strokeWidth=0.3))
    drawing.add(_legend([s for s in STATES if s in present] + sorted(present - set(STATES)),
                        CHART_WIDTH - 10, MAP_HEIGHT - 30))
    return drawing


def _rank(status: str) -> int:
    return STATES.index(status) if status in STATES else len(STATES)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def to_svg(drawing: Drawing) -> bytes:
    """The drawing as SVG (UTF-8), for Qt's SVG renderer."""
    from reportlab.graphics import renderSVG

    text: Any = renderSVG.drawToString(drawing)
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)
