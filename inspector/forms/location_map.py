"""The location map (位置示意图) printed on every form, drawn offline.

The map is a platypus flowable drawn in Web Mercator so it lines up with
XYZ/TMS basemap tiles. Its extent covers the case point, the photos and drone
footprints near it (and the whole zone it lies in when that zone is small),
padded and stretched to the frame's aspect ratio. Everything is clipped to the
frame. The scale bar uses the ground distance at the map's central latitude
(Web Mercator stretches by 1/cos φ).
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from inspector.forms import map_symbols as symbols
from inspector.forms.basemap import Extent, compose_basemap
from inspector.forms.coordinates import (
    format_dms,
    ground_metres_per_mercator_metre,
    lonlat_to_mercator,
    mercator_to_lonlat,
    nice_scale_length,
)
from inspector.forms.model import FormCase

NEARBY_RADIUS_M = 3000.0  # photos/footprints farther than this from the case don't widen the map
MIN_GROUND_SPAN_M = 500.0  # the map shows at least this much ground across its short side
SMALL_ZONE_DIAGONAL_M = 1200.0  # a zone this small around the case is shown whole
PAD_FRACTION = 0.22  # margin around what must be visible, per side
BASEMAP_DPI = 170  # pixels per inch of the stitched basemap image
BACKGROUND = colors.HexColor("#F3F4EE")
CAPTION_HEIGHT = 12.0  # points below the frame for the caption line
CORNER_LABEL_HEIGHT = 9.0  # points above the frame for the corner coordinates
OVERVIEW_SIZE = (44 * mm, 33 * mm)  # inset 区位图 in the top-left corner, points
OVERVIEW_RADIUS_M = 15000.0  # zones within this distance of the case may shape the inset


def _approx_distance_m(lon_a: float, lat_a: float, lon_b: float, lat_b: float) -> float:
    """Equirectangular distance: ample accuracy over a few kilometres."""
    mean_lat = math.radians((lat_a + lat_b) / 2)
    dx = math.radians(lon_b - lon_a) * math.cos(mean_lat)
    dy = math.radians(lat_b - lat_a)
    return 6371008.8 * math.hypot(dx, dy)


def map_extent(case: FormCase, aspect: float) -> Extent:
    """Web Mercator extent (width/height = ``aspect``) of what the map must show."""
    xs: list[float] = []
    ys: list[float] = []

    def include(lon: float, lat: float) -> None:
        x, y = lonlat_to_mercator(lon, lat)
        xs.append(x)
        ys.append(y)

    include(case.lon, case.lat)
    for photo in case.photos:
        if photo.has_position and _approx_distance_m(case.lon, case.lat, photo.lon, photo.lat) <= NEARBY_RADIUS_M:  # type: ignore[arg-type]
            include(photo.lon, photo.lat)  # type: ignore[arg-type]
    case_point = Point(case.lon, case.lat)
    bounded: list[BaseGeometry] = [footprint.polygon for footprint in case.footprints]
    bounded += [zone.geometry for zone in case.zones if zone.geometry.intersects(case_point.buffer(1e-6))]
    for geometry in bounded:
        if geometry.is_empty:
            continue
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        diagonal = _approx_distance_m(min_lon, min_lat, max_lon, max_lat)
        centre_distance = _approx_distance_m(case.lon, case.lat, (min_lon + max_lon) / 2, (min_lat + max_lat) / 2)
        if diagonal <= SMALL_ZONE_DIAGONAL_M and centre_distance <= NEARBY_RADIUS_M:
            include(min_lon, min_lat)
            include(max_lon, max_lat)
    if case.area_m2:
        half_side_m = math.sqrt(case.area_m2) * 1.5
        stretch = 1.0 / ground_metres_per_mercator_metre(case.lat)
        x, y = lonlat_to_mercator(case.lon, case.lat)
        xs += [x - half_side_m * stretch, x + half_side_m * stretch]
        ys += [y - half_side_m * stretch, y + half_side_m * stretch]
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    width, height = max_x - min_x, max_y - min_y
    min_span = MIN_GROUND_SPAN_M / ground_metres_per_mercator_metre(case.lat)
    width = max(width * (1 + 2 * PAD_FRACTION), min_span)
    height = max(height * (1 + 2 * PAD_FRACTION), min_span)
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    centre_x, centre_y = (min_x + max_x) / 2, (min_y + max_y) / 2
    return centre_x - width / 2, centre_y - height / 2, centre_x + width / 2, centre_y + height / 2


@dataclass(frozen=True)
class MapProjection:
    """Web Mercator extent → frame points (origin at the frame's lower-left corner)."""

    extent: Extent
    width: float
    height: float

    @property
    def points_per_metre(self) -> float:
        return self.width / (self.extent[2] - self.extent[0])

    def to_frame(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = lonlat_to_mercator(lon, lat)
        return ((x - self.extent[0]) * self.points_per_metre, (y - self.extent[1]) * self.points_per_metre)

    def lonlat_bounds(self) -> tuple[float, float, float, float]:
        min_lon, min_lat = mercator_to_lonlat(self.extent[0], self.extent[1])
        max_lon, max_lat = mercator_to_lonlat(self.extent[2], self.extent[3])
        return min_lon, min_lat, max_lon, max_lat

    def central_latitude(self) -> float:
        return mercator_to_lonlat(0.0, (self.extent[1] + self.extent[3]) / 2)[1]

    def ground_metres_per_point(self) -> float:
        return ground_metres_per_mercator_metre(self.central_latitude()) / self.points_per_metre

    def rings(self, geometry: BaseGeometry) -> list[list[tuple[float, float]]]:
        """Frame-coordinate rings of a (Multi)Polygon, clipped to the view and simplified."""
        min_lon, min_lat, max_lon, max_lat = self.lonlat_bounds()
        pad_lon, pad_lat = (max_lon - min_lon) * 0.05, (max_lat - min_lat) * 0.05
        view = box(min_lon - pad_lon, min_lat - pad_lat, max_lon + pad_lon, max_lat + pad_lat)
        if not geometry.intersects(view):
            return []
        tolerance = (max_lon - min_lon) / self.width * 0.4  # ~0.4 pt
        visible = geometry.intersection(view).simplify(tolerance, preserve_topology=True)
        rings: list[list[tuple[float, float]]] = []
        for polygon in getattr(visible, "geoms", [visible]):
            if polygon.geom_type != "Polygon" or polygon.is_empty:
                continue
            for ring in [polygon.exterior, *polygon.interiors]:
                rings.append([self.to_frame(lon, lat) for lon, lat in ring.coords])
        return rings


class LocationMap(Flowable):
    """The framed map with basemap, zones, footprints, photos, scale bar, north arrow and legend."""

    def __init__(self, case: FormCase, numbers: dict[str, int], font: str, width: float, height: float) -> None:
        super().__init__()
        self.case = case
        self.numbers = numbers
        self.font = font
        self.frame_width = width
        self.frame_height = height
        self.projection = MapProjection(map_extent(case, width / height), width, height)
        self.basemap_used = False

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return self.frame_width, self.frame_height + CAPTION_HEIGHT + CORNER_LABEL_HEIGHT

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.translate(0, CAPTION_HEIGHT)
        canvas.saveState()
        frame = canvas.beginPath()
        frame.rect(0, 0, self.frame_width, self.frame_height)
        canvas.clipPath(frame, stroke=0, fill=0)
        self._draw_background()
        self._draw_zones(self.projection, labels=True)
        self._draw_footprints()
        self._draw_photos()
        symbols.draw_case_marker(canvas, *self.projection.to_frame(self.case.lon, self.case.lat), self.font)
        canvas.restoreState()
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.8)
        canvas.rect(0, 0, self.frame_width, self.frame_height, stroke=1, fill=0)
        self._draw_overview()
        symbols.draw_north_arrow(canvas, self.frame_width - 8 * mm, self.frame_height - 10 * mm, self.font)
        self._draw_scale_bar()
        symbols.draw_legend(canvas, self.frame_width - 2.5 * mm, 2.5 * mm, self._legend_entries(), self.font)
        self._draw_corner_coordinates()
        canvas.restoreState()
        self._draw_caption()

    def _draw_background(self) -> None:
        canvas = self.canv
        canvas.setFillColor(BACKGROUND)
        canvas.rect(0, 0, self.frame_width, self.frame_height, stroke=0, fill=1)
        if self.case.basemap_mbtiles is None or not self.case.basemap_mbtiles.is_file():
            return
        width_px = int(self.frame_width / 72 * BASEMAP_DPI)
        height_px = int(self.frame_height / 72 * BASEMAP_DPI)
        try:
            image = compose_basemap(self.case.basemap_mbtiles, self.projection.extent, width_px, height_px)
        except (OSError, ValueError):
            image = None
        if image is None:
            return
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        canvas.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, self.frame_width, self.frame_height)
        self.basemap_used = True

    def _draw_zones(self, projection: MapProjection, *, labels: bool) -> None:
        ordered = sorted(self.case.zones, key=lambda zone: symbols.DRAW_ORDER.get(zone.function_zone, 0))
        labelled: list[tuple[float, float, str]] = []
        for zone in ordered:
            symbols.draw_zone(self.canv, projection.rings(zone.geometry), zone.kind, zone.function_zone)
            label_point = self._label_point(zone.geometry) if labels else None
            if label_point is not None:
                suffix = f"（{zone.function_zone}）" if zone.function_zone else ""
                labelled.append((*label_point, f"{zone.name}{suffix}"))
        for x, y, text in labelled:
            half_width = self.canv.stringWidth(text, self.font, 7) / 2
            x = min(max(x, half_width + 2 * mm), projection.width - half_width - 2 * mm)
            symbols.halo_text(self.canv, x, y, text, self.font, 7, colors.HexColor("#222222"), centred=True)

    def _overview_projection(self) -> MapProjection | None:
        """The inset's projection, or None when the main map already shows the surroundings."""
        radius_deg = OVERVIEW_RADIUS_M / 111_000.0
        near = Point(self.case.lon, self.case.lat).buffer(radius_deg)
        xs = [self.projection.extent[0], self.projection.extent[2]]
        ys = [self.projection.extent[1], self.projection.extent[3]]
        for zone in self.case.zones:
            if zone.geometry.is_empty or not zone.geometry.intersects(near):
                continue
            min_lon, min_lat, max_lon, max_lat = zone.geometry.intersection(near).bounds
            for lon, lat in ((min_lon, min_lat), (max_lon, max_lat)):
                x, y = lonlat_to_mercator(lon, lat)
                xs.append(x)
                ys.append(y)
        width, height = (max(xs) - min(xs)) * 1.15, (max(ys) - min(ys)) * 1.15
        main_width = self.projection.extent[2] - self.projection.extent[0]
        if max(width, height * self.frame_width / self.frame_height) < 2.0 * main_width:
            return None
        aspect = OVERVIEW_SIZE[0] / OVERVIEW_SIZE[1]
        width, height = max(width, height * aspect), max(height, width / aspect)
        centre_x, centre_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        extent = (centre_x - width / 2, centre_y - height / 2, centre_x + width / 2, centre_y + height / 2)
        return MapProjection(extent, *OVERVIEW_SIZE)

    def _draw_overview(self) -> None:
        """区位图: the zones around the case, with the main map's extent outlined."""
        projection = self._overview_projection()
        if projection is None:
            return
        canvas = self.canv
        left, bottom = 2.5 * mm, self.frame_height - 2.5 * mm - OVERVIEW_SIZE[1]
        canvas.saveState()
        canvas.translate(left, bottom)
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, *OVERVIEW_SIZE, stroke=0, fill=1)
        canvas.saveState()
        clip = canvas.beginPath()
        clip.rect(0, 0, *OVERVIEW_SIZE)
        canvas.clipPath(clip, stroke=0, fill=0)
        self._draw_zones(projection, labels=False)
        scale = projection.points_per_metre
        main = self.projection.extent
        canvas.setStrokeColor(symbols.CASE_COLOR)
        canvas.setLineWidth(1.0)
        x0, y0 = (main[0] - projection.extent[0]) * scale, (main[1] - projection.extent[1]) * scale
        canvas.rect(x0, y0, (main[2] - main[0]) * scale, (main[3] - main[1]) * scale, stroke=1, fill=0)
        canvas.setFillColor(symbols.CASE_COLOR)
        canvas.circle(*projection.to_frame(self.case.lon, self.case.lat), 1.6, stroke=0, fill=1)
        canvas.restoreState()
        canvas.setStrokeColor(colors.HexColor("#333333"))
        canvas.setLineWidth(0.6)
        canvas.rect(0, 0, *OVERVIEW_SIZE, stroke=1, fill=0)
        symbols.halo_text(canvas, 1.5 * mm, OVERVIEW_SIZE[1] - 3.2 * mm, "区位图", self.font, 6.5)
        canvas.restoreState()

    def _label_point(self, geometry: BaseGeometry) -> tuple[float, float] | None:
        min_lon, min_lat, max_lon, max_lat = self.projection.lonlat_bounds()
        inset_lon, inset_lat = (max_lon - min_lon) * 0.12, (max_lat - min_lat) * 0.12
        view = box(min_lon + inset_lon, min_lat + inset_lat, max_lon - inset_lon, max_lat - inset_lat)
        visible = geometry.intersection(view)
        if visible.is_empty or visible.area < view.area * 0.01:
            return None
        point = visible.representative_point()
        return self.projection.to_frame(point.x, point.y)

    def _draw_footprints(self) -> None:
        canvas = self.canv
        for footprint in self.case.footprints:
            rings = self.projection.rings(footprint.polygon)
            if not rings:
                continue
            canvas.saveState()
            canvas.setStrokeColor(symbols.FOOTPRINT_COLOR)
            canvas.setFillColor(symbols.FOOTPRINT_COLOR, alpha=0.07)
            canvas.setLineWidth(0.9)
            canvas.setDash(3, 2)
            canvas.drawPath(symbols.polygon_path(canvas, rings), stroke=1, fill=1)
            canvas.restoreState()

    def _draw_photos(self) -> None:
        for photo in self.case.photos:
            if not photo.has_position:
                continue
            x, y = self.projection.to_frame(photo.lon, photo.lat)  # type: ignore[arg-type]
            symbols.draw_photo_marker(
                self.canv, x, y, self.numbers[photo.sha256], photo.bearing_deg, photo.kind == "drone", self.font
            )

    def _draw_scale_bar(self) -> None:
        metres_per_point = self.projection.ground_metres_per_point()
        length_m = nice_scale_length(self.frame_width * 0.22 * metres_per_point)
        symbols.draw_scale_bar(self.canv, 5 * mm, 4.5 * mm, length_m / metres_per_point, length_m, self.font)

    def _legend_entries(self) -> list[symbols.LegendEntry]:
        entries = [symbols.LegendEntry("问题点位", "case")]
        if any(photo.has_position and photo.kind != "drone" for photo in self.case.photos):
            entries.append(symbols.LegendEntry("照片位置及拍摄方向", "photo"))
        if any(photo.has_position and photo.kind == "drone" for photo in self.case.photos):
            entries.append(symbols.LegendEntry("无人机照片位置", "drone"))
        if self.case.footprints:
            entries.append(symbols.LegendEntry("航拍覆盖范围", "footprint"))
        for kind in dict.fromkeys(zone.kind for zone in self.case.zones):
            entries.append(symbols.LegendEntry(kind, "zone", symbols.zone_color(kind)))
        core_kinds = [zone.kind for zone in self.case.zones if symbols.is_core(zone.function_zone)]
        if core_kinds:
            entries.append(symbols.LegendEntry("核心区/核心保护区", "core", symbols.zone_color(core_kinds[0])))
        return entries

    def _draw_corner_coordinates(self) -> None:
        canvas = self.canv
        min_lon, min_lat, max_lon, max_lat = self.projection.lonlat_bounds()
        canvas.setFont(self.font, 6)
        canvas.setFillColor(colors.HexColor("#333333"))
        top = self.frame_height + 1.2 * mm
        canvas.drawString(0, top, f"{format_dms(min_lon, is_longitude=True, second_decimals=0)}  {format_dms(max_lat, is_longitude=False, second_decimals=0)}")
        text = f"{format_dms(max_lon, is_longitude=True, second_decimals=0)}  {format_dms(max_lat, is_longitude=False, second_decimals=0)}"
        canvas.drawRightString(self.frame_width, top, text)

    def _draw_caption(self) -> None:
        canvas = self.canv
        metres_per_paper_metre = self.projection.ground_metres_per_point() * 72 / 0.0254
        basemap = self.case.basemap_label or (self.case.basemap_mbtiles.name if self.case.basemap_mbtiles else "")
        basemap_text = f"底图：{basemap}（本地离线）" if self.basemap_used else "底图：无（示意底色）"
        caption = f"坐标系：CGCS2000（EPSG:4490），Web 墨卡托显示　约 1:{metres_per_paper_metre:,.0f}　{basemap_text}"
        canvas.setFont(self.font, 7.5)
        canvas.setFillColor(colors.black)
        canvas.drawString(0, 3, caption)
