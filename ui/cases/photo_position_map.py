"""A small map of where a photo was taken: the case point (or its patch), the photo and its viewing direction.

Drawn with QPainter in a local east/north frame around the two positions (metres, CGCS2000 radii:
:func:`inspector.evidence.gps.local_east_north`), so it needs no basemap and no network: the patch outline,
the case marker (red), the photo marker (blue, with an arrow along its bearing when known), the distance
between them and a scale bar. A photo without a position shows a line saying so.
"""
from __future__ import annotations

import math
from typing import Any, Optional

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from inspector.evidence.gps import distance_m, local_east_north
from inspector.evidence.plausibility import CaseSetting

MAP_SIZE_PX = (260, 200)  # width, height of the widget
MIN_SPAN_M = 120.0  # metres: the smallest extent shown, so two close points are not drawn on top of each other
MARGIN_PX = 22  # space kept around the marks
ARROW_PX = 26  # length of the bearing arrow
CASE_COLOUR = QColor("#c62828")
PHOTO_COLOUR = QColor("#1565c0")
PATCH_COLOUR = QColor("#ef6c00")


def _nice_length(metres: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) not longer than ``metres``."""
    power = 10 ** math.floor(math.log10(max(metres, 1.0)))
    return max(step * power for step in (1, 2, 5) if step * power <= max(metres, 1.0))


class PhotoPositionMap(QWidget):
    """Where one photo was taken relative to its case (see the module docstring)."""

    def __init__(self, setting: Optional[CaseSetting], lon: Optional[float], lat: Optional[float],
                 bearing_deg: Optional[float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setting, self.lon, self.lat, self.bearing_deg = setting, lon, lat, bearing_deg
        self.setFixedSize(*MAP_SIZE_PX)
        self.distance_m = (distance_m(lon, lat, setting.lon, setting.lat)
                           if setting is not None and None not in (lon, lat, setting.lon, setting.lat) else None)

    def _origin(self) -> tuple[float, float] | None:
        if self.lon is not None and self.lat is not None:
            return self.lon, self.lat
        if self.setting is not None and self.setting.lon is not None and self.setting.lat is not None:
            return self.setting.lon, self.setting.lat
        return None

    def _rings(self) -> list[list[tuple[float, float]]]:
        patch: Any = self.setting.patch if self.setting is not None else None
        if patch is None:
            return []
        polygons = list(getattr(patch, "geoms", [patch]))
        return [list(p.exterior.coords) for p in polygons if hasattr(p, "exterior")]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#f3f4ee"))
        painter.setPen(QPen(QColor("#9e9e9e"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        origin = self._origin()
        if origin is None:
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.tr("无位置"))
            return
        points: list[tuple[float, float]] = [(0.0, 0.0)]
        case_xy = None
        if self.setting is not None and self.setting.lon is not None and self.setting.lat is not None:
            case_xy = local_east_north(*origin, self.setting.lon, self.setting.lat)
            points.append(case_xy)
        rings = [[local_east_north(*origin, x, y) for x, y in ring] for ring in self._rings()]
        for ring in rings:
            points += ring
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        span = max(max(xs) - min(xs), max(ys) - min(ys), MIN_SPAN_M)
        centre = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
        scale = min(self.width(), self.height()) - 2 * MARGIN_PX
        pixels_per_m = scale / span

        def at(east: float, north: float) -> QPointF:
            return QPointF(self.width() / 2 + (east - centre[0]) * pixels_per_m,
                           self.height() / 2 - (north - centre[1]) * pixels_per_m)

        painter.setPen(QPen(PATCH_COLOUR, 2))
        for ring in rings:
            painter.drawPolygon(QPolygonF([at(*p) for p in ring]))
        if case_xy is not None:
            painter.setPen(QPen(CASE_COLOUR, 3))
            painter.setBrush(CASE_COLOUR)
            painter.drawEllipse(at(*case_xy), 5, 5)
        if self.lon is not None and self.lat is not None:
            here = at(0.0, 0.0)
            painter.setPen(QPen(PHOTO_COLOUR, 2))
            painter.setBrush(PHOTO_COLOUR)
            painter.drawEllipse(here, 5, 5)
            if self.bearing_deg is not None:
                angle = math.radians(self.bearing_deg)
                painter.drawLine(here, here + QPointF(math.sin(angle) * ARROW_PX, -math.cos(angle) * ARROW_PX))
        bar_m = _nice_length(span / 3)
        painter.setPen(QPen(QColor("#212121"), 2))
        left = QPointF(8, self.height() - 10)
        painter.drawLine(left, left + QPointF(bar_m * pixels_per_m, 0))
        label = f"{bar_m:.0f} m"
        if self.distance_m is not None:
            label += "   " + self.tr("距问题点 {d} m").format(d=f"{self.distance_m:.0f}")
        painter.drawText(QPointF(8, self.height() - 14), label)
