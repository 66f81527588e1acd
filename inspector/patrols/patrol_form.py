"""The patrol record form (巡查记录表) as PDF: the patrol's facts, its route on the basemap, the findings
recorded during it, and signature boxes.

Built from the forms' own parts: the page template, fonts (embedded TrueType), styles and field grid
(:mod:`inspector.forms`), the basemap stitched from the workspace's first MBTiles file by the same cached
:func:`inspector.forms.location_map.basemap_jpeg` the case forms use, the Web Mercator frame projection
(:class:`inspector.forms.map_projection.MapProjection`) and the signature grid. The route map draws each
segment as a polyline with the start and end marked, a scale bar and the basemap's name in the caption.
All text from records goes through the forms' escaping :func:`inspector.forms.styles.para`.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Paragraph

from inspector import __version__
from inspector.forms.basemap import Extent
from inspector.forms.blocks import FieldGrid, signature_grid
from inspector.forms.coordinates import ground_metres_per_mercator_metre, lonlat_to_mercator, nice_scale_length
from inspector.forms.fonts import form_fonts
from inspector.forms.location_map import BASEMAP_DPI, basemap_jpeg
from inspector.forms.map_projection import MapProjection
from inspector.forms.page_template import PageDecoration, build_pdf
from inspector.forms.render import write_pdf_atomically
from inspector.forms.styles import CONTENT_WIDTH, FormStyles, FormTable, gap, make_styles, para, section_heading
from inspector.patrols.patrols import parse_utc, patrol_dict, resolve_patrol, track_segments
from inspector.store.workspace import Workspace, utc_now

FORM_NAME = "巡查记录表"
MAP_HEIGHT = 110 * mm  # points
MIN_SPAN_M = 400.0  # metres: the narrowest ground span the route map shows
PAD_FRACTION = 0.08  # of the route's extent, on each side
ROUTE_COLOUR = colors.HexColor("#D7263D")
JIANGSU_OFFSET_H = 8  # hours: forms print Beijing time


def _extent(segments: list[tuple[list[float], list[float], list[str]]], aspect: float) -> Extent:
    xs, ys = [], []
    for lons, lats, _ in segments:
        for lon, lat in zip(lons, lats):
            x, y = lonlat_to_mercator(lon, lat)
            xs.append(x)
            ys.append(y)
    centre_lat = sum(lat for _, lats, _ in segments for lat in lats) / max(len(ys), 1)
    min_span = MIN_SPAN_M / ground_metres_per_mercator_metre(centre_lat)
    width = max((max(xs) - min(xs)) * (1 + 2 * PAD_FRACTION), min_span)
    height = max((max(ys) - min(ys)) * (1 + 2 * PAD_FRACTION), min_span)
    width, height = max(width, height * aspect), max(height, width / aspect)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


class RouteMap(Flowable):
    """The patrol's route on the basemap (or a plain background without one)."""

    def __init__(self, segments: list[tuple[list[float], list[float], list[str]]], basemap: Path | None,
                 styles: FormStyles, width: float = CONTENT_WIDTH, height: float = MAP_HEIGHT) -> None:
        super().__init__()
        self.segments = [segment for segment in segments if segment[0]]
        self.basemap = basemap
        self.styles = styles
        self.width, self.height = width, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height + 12

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.translate(0, 12)
        canvas.setFillColor(colors.HexColor("#F3F4EE"))
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        caption = "底图：无"
        if self.segments:
            projection = MapProjection(_extent(self.segments, self.width / self.height), self.width, self.height)
            if self.basemap is not None:
                stat = self.basemap.stat()
                pixels = (int(self.width / 72 * BASEMAP_DPI), int(self.height / 72 * BASEMAP_DPI))
                image = basemap_jpeg(str(self.basemap), stat.st_mtime_ns, stat.st_size, projection.extent, *pixels)
                if image is not None:
                    canvas.drawImage(ImageReader(io.BytesIO(image)), 0, 0, self.width, self.height)
                    caption = f"底图：{self.basemap.stem}"
            canvas.setStrokeColor(ROUTE_COLOUR)
            canvas.setLineWidth(1.6)
            canvas.setLineJoin(1)
            for lons, lats, _ in self.segments:
                path = canvas.beginPath()
                for index, (lon, lat) in enumerate(zip(lons, lats)):
                    x, y = projection.to_frame(lon, lat)
                    path.moveTo(x, y) if index == 0 else path.lineTo(x, y)
                canvas.drawPath(path, stroke=1, fill=0)
            for (lons, lats, _), colour in ((self.segments[0], colors.green), (self.segments[-1], colors.black)):
                index = 0 if colour == colors.green else -1
                x, y = projection.to_frame(lons[index], lats[index])
                canvas.setFillColor(colour)
                canvas.circle(x, y, 3, stroke=0, fill=1)
            self._scale_bar(projection)
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.6)
        canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canvas.setFillColor(colors.black)
        canvas.setFont(self.styles.body.fontName, 7.5)
        canvas.drawString(0, -9, f"坐标系：CGCS2000（EPSG:4490）　{caption}　● 绿：起点　● 黑：终点")
        canvas.restoreState()

    def _scale_bar(self, projection: MapProjection) -> None:
        canvas = self.canv
        metres_per_point = projection.ground_metres_per_point()
        length_m = nice_scale_length(metres_per_point * self.width * 0.25)
        length = length_m / metres_per_point
        canvas.setStrokeColor(colors.black)
        canvas.setFillColor(colors.white)
        canvas.rect(self.width - length - 14, 6, length + 8, 16, stroke=0, fill=1)
        canvas.setLineWidth(1.2)
        canvas.line(self.width - length - 10, 10, self.width - 10, 10)
        canvas.setFillColor(colors.black)
        canvas.setFont(self.styles.body.fontName, 7)
        label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
        canvas.drawCentredString(self.width - length / 2 - 10, 13, label)


def _beijing(text: str | None) -> str:
    if not text:
        return ""
    return (parse_utc(text) + dt.timedelta(hours=JIANGSU_OFFSET_H)).strftime("%Y-%m-%d %H:%M")


def _findings(ws: Workspace, uuid: str) -> list[dict[str, Any]]:
    return [dict(row) for row in ws.conn.execute(
        "SELECT f.observed_at_utc, c.case_no, f.assessment, f.activity_type, f.description, "
        "(SELECT count(*) FROM evidence e WHERE e.finding_id = f.id AND e.deleted = 0) AS photos "
        "FROM findings f JOIN cases c ON c.id = f.case_id WHERE f.patrol_uuid = ? AND f.deleted = 0 "
        "ORDER BY f.observed_at_utc", (uuid,))]


def build_patrol_story(ws: Workspace, patrol: dict[str, Any], segments: list, styles: FormStyles) -> list[Flowable]:
    grid = FieldGrid(styles)
    grid.pair("巡查目的", patrol["purpose"], "巡查区域", patrol["area"] or "")
    grid.pair("巡查人员", "、".join(patrol["team_members"]) or "", "记录人", patrol["recorded_by_name"] or
              patrol["recorded_by"])
    grid.pair("开始时间", _beijing(patrol["started_at"]), "结束时间", _beijing(patrol["ended_at"]))
    hours, rest = divmod(int(patrol["duration_s"]), 3600)
    grid.pair("巡查里程", f"{patrol['distance_m'] / 1000:.2f} 公里", "巡查用时（不含暂停）",
              f"{hours} 小时 {rest // 60} 分")
    grid.pair("轨迹点数", str(patrol["point_count"]), "状态", {"running": "进行中", "paused": "已暂停",
                                                                "ended": "已结束"}[patrol["status"]])
    basemaps = ws.basemaps()
    story: list[Flowable] = [Paragraph(FORM_NAME, styles.title), gap(2), grid.build(), gap(),
                             section_heading("巡查路线", styles),
                             RouteMap(segments, basemaps[0] if basemaps else None, styles), gap(),
                             section_heading("巡查发现", styles)]
    findings = _findings(ws, patrol["uuid"])
    rows: list[list[object]] = [[para(text, styles.label) for text in ("时间", "问题编号", "结论", "情况", "照片")]]
    for finding in findings:
        rows.append([para(_beijing(finding["observed_at_utc"]), styles.small), para(finding["case_no"], styles.small),
                     para(finding["assessment"], styles.small),
                     para(f"{finding['activity_type']}：{finding['description']}", styles.small),
                     para(str(finding["photos"]), styles.small)])
    if not findings:
        rows.append([para("本次巡查未记录核查发现", styles.small), "", "", "", ""])
    widths = [30 * mm, 32 * mm, 20 * mm, CONTENT_WIDTH - 97 * mm, 15 * mm]
    story += [FormTable(rows, colWidths=widths, repeatRows=1,
                        style=[("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]
                        + ([("SPAN", (0, 1), (-1, 1))] if not findings else [])),
              gap(), section_heading("签字", styles), signature_grid(["巡查人员", "负责人"], styles)]
    return story


def write_patrol_form(ws: Workspace, ref: str, output: Path) -> dict[str, Any]:
    """Render the patrol's 巡查记录表 to ``output`` (written atomically); returns the file and the patrol."""
    row = resolve_patrol(ws.conn, ref)
    patrol = patrol_dict(row)
    fonts = form_fonts()
    styles = make_styles(fonts)
    decoration = PageDecoration(form_name=FORM_NAME, case_no=patrol["uuid"][:8], number_label="巡查编号",
                                generated_at=_beijing(utc_now()), software_version=__version__,
                                body_font=fonts.body, heading_font=fonts.heading)
    data = build_pdf(build_patrol_story(ws, patrol, track_segments(ws.conn, row["id"]), styles), decoration,
                     title=f"{FORM_NAME}（{patrol['purpose'][:40]}）", subject=patrol["uuid"])
    write_pdf_atomically(output, data)
    return {"file": str(output), "uuid": patrol["uuid"], "findings": len(_findings(ws, patrol["uuid"]))}
