"""Cartographic symbols of the location map, drawn straight on a reportlab canvas.

Zone styling (colour by kind, darker fill and hatching for core zones), photo
markers with bearing arrows, the case marker, haloed labels, the north arrow,
the scale bar and the legend. Everything uses the embedded form fonts.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import FILL_EVEN_ODD, Canvas  # type: ignore[attr-defined, unused-ignore]  # not in stubs

CASE_COLOR = colors.HexColor("#D50000")
PHOTO_COLOR = colors.HexColor("#E65100")
DRONE_COLOR = colors.HexColor("#1565C0")
FOOTPRINT_COLOR = colors.HexColor("#1565C0")
KIND_COLORS: dict[str, Color] = {
    "生态保护红线": colors.HexColor("#C62828"),
    "生态空间管控区域": colors.HexColor("#EF6C00"),
    "自然保护地": colors.HexColor("#2E7D32"),
}
DEFAULT_ZONE_COLOR = colors.HexColor("#6A1B9A")
CORE_ZONES = frozenset({"核心保护区", "核心区"})
# Fill opacity by function zone: the core zone is darkest.
FUNCTION_ZONE_ALPHA: dict[str | None, float] = {
    "核心保护区": 0.42,
    "核心区": 0.42,
    "缓冲区": 0.26,
    "一般控制区": 0.14,
    "实验区": 0.14,
    None: 0.18,
}
DRAW_ORDER: dict[str | None, int] = {None: 0, "一般控制区": 1, "实验区": 1, "缓冲区": 2, "核心保护区": 3, "核心区": 3}
HATCH_SPACING = 4.5  # points between hatch lines in core zones
BEARING_ARROW_LENGTH = 9 * mm


def zone_color(kind: str) -> Color:
    return KIND_COLORS.get(kind, DEFAULT_ZONE_COLOR)


def zone_alpha(function_zone: str | None) -> float:
    return FUNCTION_ZONE_ALPHA.get(function_zone, FUNCTION_ZONE_ALPHA[None])


def is_core(function_zone: str | None) -> bool:
    return function_zone in CORE_ZONES


def polygon_path(canvas: Canvas, rings: list[list[tuple[float, float]]]):
    """One path with every ring (exteriors and holes); fill it even-odd."""
    path = canvas.beginPath()
    for ring in rings:
        if len(ring) < 3:
            continue
        path.moveTo(*ring[0])
        for point in ring[1:]:
            path.lineTo(*point)
        path.close()
    return path


def draw_zone(canvas: Canvas, rings: list[list[tuple[float, float]]], kind: str, function_zone: str | None) -> None:
    """Fill, hatch (core zones) and outline one zone already in frame coordinates."""
    if not rings:
        return
    color = zone_color(kind)
    canvas.saveState()
    canvas.setFillColor(color, alpha=zone_alpha(function_zone))
    canvas.setStrokeColor(color)
    canvas.setLineWidth(1.3 if is_core(function_zone) else 0.9)
    if function_zone == "缓冲区":
        canvas.setDash(4, 2)
    canvas.drawPath(polygon_path(canvas, rings), stroke=1, fill=1, fillMode=FILL_EVEN_ODD)
    canvas.restoreState()
    if is_core(function_zone):
        xs = [x for ring in rings for x, _y in ring]
        ys = [y for ring in rings for _x, y in ring]
        draw_hatch(canvas, rings, (min(xs), min(ys), max(xs), max(ys)), color)


def draw_hatch(canvas: Canvas, rings: list[list[tuple[float, float]]], bounds: tuple[float, float, float, float],
               color: Color) -> None:
    """45° hatching clipped to the rings."""
    canvas.saveState()
    canvas.clipPath(polygon_path(canvas, rings), stroke=0, fill=0, fillMode=FILL_EVEN_ODD)
    canvas.setStrokeColor(color, alpha=0.7)
    canvas.setLineWidth(0.5)
    min_x, min_y, max_x, max_y = bounds
    height = max_y - min_y
    offset = min_x - height
    while offset < max_x:
        canvas.line(offset, min_y, offset + height, max_y)
        offset += HATCH_SPACING
    canvas.restoreState()


def halo_text(canvas: Canvas, x: float, y: float, text: str, font: str, size: float, color: Color = colors.black, *,
              centred: bool = False) -> None:
    """Text with a white outline so it reads over imagery."""
    if centred:
        x -= canvas.stringWidth(text, font, size) / 2
    canvas.saveState()
    canvas.setStrokeColor(colors.white)
    canvas.setFillColor(color)
    canvas.setLineWidth(2.2)
    canvas.setLineJoin(1)
    label = canvas.beginText(x, y)
    label.setFont(font, size)
    label.setTextRenderMode(1)  # white outline first ...
    label.textOut(text)
    label.setTextOrigin(x, y)
    label.setTextRenderMode(0)  # ... then the filled text on top (one text object tracks the mode)
    label.textOut(text)
    canvas.drawText(label)
    canvas.restoreState()


def draw_photo_marker(
    canvas: Canvas, x: float, y: float, number: int, bearing_deg: float | None, drone: bool, font: str,
    arrow_length: float = BEARING_ARROW_LENGTH,
) -> None:
    """A numbered marker; an arrow shows the bearing the camera looked along."""
    color = DRONE_COLOR if drone else PHOTO_COLOR
    canvas.saveState()
    if bearing_deg is not None:
        canvas.saveState()
        canvas.translate(x, y)
        canvas.rotate(-bearing_deg)  # bearings turn clockwise, canvas angles counter-clockwise
        canvas.setStrokeColor(color)
        canvas.setFillColor(color)
        canvas.setLineWidth(1.2)
        canvas.line(0, 0, 0, arrow_length - 3)
        head = canvas.beginPath()
        head.moveTo(0, arrow_length)
        head.lineTo(-2.6, arrow_length - 5)
        head.lineTo(2.6, arrow_length - 5)
        head.close()
        canvas.drawPath(head, stroke=0, fill=1)
        canvas.restoreState()
    canvas.setFillColor(colors.white)
    canvas.setStrokeColor(color)
    canvas.setLineWidth(1.1)
    if drone:
        canvas.rect(x - 4.6, y - 4.6, 9.2, 9.2, stroke=1, fill=1)
    else:
        canvas.circle(x, y, 4.8, stroke=1, fill=1)
    label = str(number)
    size = 6.0 if number < 10 else 5.0
    canvas.setFillColor(color)
    canvas.setFont(font, size)
    canvas.drawCentredString(x, y - size * 0.35, label)
    canvas.restoreState()


def draw_case_marker(canvas: Canvas, x: float, y: float, font: str) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colors.white)
    canvas.setFillColor(CASE_COLOR)
    canvas.setLineWidth(1.5)
    canvas.circle(x, y, 5.2, stroke=1, fill=1)
    canvas.setStrokeColor(CASE_COLOR)
    canvas.setLineWidth(0.8)
    canvas.circle(x, y, 8.5, stroke=1, fill=0)
    canvas.restoreState()
    halo_text(canvas, x + 10, y + 5, "问题点", font, 8, CASE_COLOR)


def draw_north_arrow(canvas: Canvas, x: float, y: float, font: str) -> None:
    """North arrow centred on (x, y), about 16 mm tall including the label."""
    canvas.saveState()
    canvas.setFillColor(colors.white, alpha=0.85)
    canvas.setStrokeColor(colors.HexColor("#555555"))
    canvas.setLineWidth(0.4)
    canvas.roundRect(x - 4.5 * mm, y - 7 * mm, 9 * mm, 15.5 * mm, 1.2 * mm, stroke=1, fill=1)
    left = canvas.beginPath()
    left.moveTo(x, y + 4 * mm)
    left.lineTo(x - 2.6 * mm, y - 5 * mm)
    left.lineTo(x, y - 3 * mm)
    left.close()
    right = canvas.beginPath()
    right.moveTo(x, y + 4 * mm)
    right.lineTo(x + 2.6 * mm, y - 5 * mm)
    right.lineTo(x, y - 3 * mm)
    right.close()
    canvas.setStrokeColor(colors.black)
    canvas.setFillColor(colors.black)
    canvas.drawPath(left, stroke=1, fill=1)
    canvas.setFillColor(colors.white)
    canvas.drawPath(right, stroke=1, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(font, 8)
    canvas.drawCentredString(x, y + 5 * mm, "北")
    canvas.restoreState()


def draw_scale_bar(canvas: Canvas, x: float, y: float, length_pt: float, length_m: float, font: str) -> None:
    """Alternating black/white bar in two halves, labelled 0, half and full length."""
    canvas.saveState()
    canvas.setFillColor(colors.white, alpha=0.85)
    canvas.setStrokeColor(colors.HexColor("#555555"))
    canvas.setLineWidth(0.4)
    canvas.roundRect(x - 2 * mm, y - 2 * mm, length_pt + 12 * mm, 9.5 * mm, 1.2 * mm, stroke=1, fill=1)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.6)
    half = length_pt / 2
    canvas.setFillColor(colors.black)
    canvas.rect(x, y, half, 1.6 * mm, stroke=1, fill=1)
    canvas.setFillColor(colors.white)
    canvas.rect(x + half, y, half, 1.6 * mm, stroke=1, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(font, 7)
    unit, divisor = ("km", 1000.0) if length_m >= 1000 else ("m", 1.0)
    canvas.drawCentredString(x, y + 2.6 * mm, "0")
    canvas.drawCentredString(x + half, y + 2.6 * mm, f"{length_m / 2 / divisor:g}")
    canvas.drawCentredString(x + length_pt, y + 2.6 * mm, f"{length_m / divisor:g}")
    canvas.drawString(x + length_pt + 2.2 * mm, y + 0.2 * mm, unit)
    canvas.restoreState()


@dataclass(frozen=True)
class LegendEntry:
    label: str
    symbol: str  # "case", "photo", "drone", "footprint", "zone", "core"
    color: Color = colors.black
    alpha: float = 0.3


LEGEND_ROW_HEIGHT = 4.2 * mm
LEGEND_SWATCH = 5 * mm


def legend_size(canvas: Canvas, entries: list[LegendEntry], font: str) -> tuple[float, float]:
    """Width and height (points) of the legend box for these entries."""
    if not entries:
        return 0.0, 0.0
    text_width = max(canvas.stringWidth(entry.label, font, 7.0) for entry in entries)
    return LEGEND_SWATCH + text_width + 6 * mm, LEGEND_ROW_HEIGHT * len(entries) + 7 * mm


def draw_legend(canvas: Canvas, right: float, bottom: float, entries: list[LegendEntry], font: str) -> None:
    """Legend box anchored at its bottom-right corner."""
    if not entries:
        return
    size = 7.0
    row_height = LEGEND_ROW_HEIGHT
    swatch = LEGEND_SWATCH
    width, height = legend_size(canvas, entries, font)
    left = right - width
    canvas.saveState()
    canvas.setFillColor(colors.white, alpha=0.88)
    canvas.setStrokeColor(colors.HexColor("#555555"))
    canvas.setLineWidth(0.4)
    canvas.rect(left, bottom, width, height, stroke=1, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(font, 7.5)
    canvas.drawString(left + 2 * mm, bottom + height - 4 * mm, "图　例")
    for index, entry in enumerate(entries):
        y = bottom + height - 7 * mm - (index + 1) * row_height + 1.6 * mm
        sx = left + 2 * mm
        _draw_swatch(canvas, sx, y, swatch, entry, font)
        canvas.setFillColor(colors.black)
        canvas.setFont(font, size)
        canvas.drawString(sx + swatch + 1.5 * mm, y, entry.label)
    canvas.restoreState()


def _draw_swatch(canvas: Canvas, x: float, y: float, width: float, entry: LegendEntry, font: str) -> None:
    middle_y = y + 1.0 * mm
    if entry.symbol == "case":
        canvas.setFillColor(CASE_COLOR)
        canvas.setStrokeColor(CASE_COLOR)
        canvas.circle(x + width / 2, middle_y, 1.6 * mm, stroke=0, fill=1)
    elif entry.symbol in {"photo", "drone"}:
        draw_photo_marker(canvas, x + 1.7 * mm, middle_y, 1, 90.0, entry.symbol == "drone", font, arrow_length=4.6 * mm)
    elif entry.symbol == "footprint":
        canvas.setStrokeColor(FOOTPRINT_COLOR)
        canvas.setDash(2, 1.5)
        canvas.rect(x, y - 0.6 * mm, width, 3.2 * mm, stroke=1, fill=0)
        canvas.setDash()
    else:
        rings = [[(x, y - 0.6 * mm), (x + width, y - 0.6 * mm), (x + width, y + 2.6 * mm), (x, y + 2.6 * mm)]]
        function_zone = "核心区" if entry.symbol == "core" else None
        alpha_zone = function_zone if entry.symbol == "core" else "一般控制区"
        canvas.saveState()
        canvas.setFillColor(entry.color, alpha=zone_alpha(alpha_zone))
        canvas.setStrokeColor(entry.color)
        canvas.setLineWidth(0.8)
        canvas.drawPath(polygon_path(canvas, rings), stroke=1, fill=1)
        canvas.restoreState()
        if function_zone:
            draw_hatch(canvas, rings, (x, y - 0.6 * mm, x + width, y + 2.6 * mm), entry.color)
