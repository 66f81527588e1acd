"""The location map (位置示意图) printed on every form, drawn offline.

A platypus flowable: the basemap from a local MBTiles file (or a plain
background), zone polygons (core zones darker and hatched) with labels kept
clear of the other marks, drone footprints, numbered photo markers with
bearing arrows, the case marker, all clipped to the frame; then an inset
区位图, the north arrow, a scale bar true at the map's latitude, the legend,
corner coordinates and a caption naming the coordinate system and basemap.
Extent and projection come from :mod:`inspector.forms.map_projection`.
"""
from __future__ import annotations

import functools
import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from inspector.forms import map_symbols as symbols
from inspector.forms.basemap import Extent, compose_basemap
from inspector.forms.coordinates import format_dms, nice_scale_length
from inspector.forms.map_projection import MapProjection, map_extent, overview_projection, valid_geometry
from inspector.forms.model import FormCase
from inspector.forms.photo_images import JpegReader
from inspector.forms.styles import shorten, shorten_to_width

BASEMAP_DPI = 170  # pixels per inch of the stitched basemap image
BACKGROUND = colors.HexColor("#F3F4EE")
CAPTION_HEIGHT = 12.0  # points below the frame for the caption line
CORNER_LABEL_HEIGHT = 9.0  # points above the frame for the corner coordinates
OVERVIEW_SIZE = (44 * mm, 33 * mm)  # inset 区位图 in the top-left corner, points
LABEL_MARGIN = 3.0  # points kept between a zone label and other marks
ZONE_LABEL_SIZE = 7.0  # points
MAP_TEXT_CHARS = 24  # a zone name or kind on the map and in its legend; longer ones end in "…"
CAPTION_SIZE = 7.5  # points

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in frame points


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@functools.lru_cache(maxsize=16)
def basemap_jpeg(path: str, _mtime_ns: int, _size: int, extent: Extent, width_px: int, height_px: int) -> bytes | None:
    """The stitched basemap as JPEG (cached: the three forms of a case share one map)."""
    try:
        image = compose_basemap(Path(path), extent, width_px, height_px)
    except (OSError, ValueError):
        return None
    if image is None:
        return None
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


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
        self.overview = overview_projection(self.case, self.projection, OVERVIEW_SIZE)
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
        path = self.case.basemap_mbtiles
        stat = path.stat()
        jpeg = basemap_jpeg(str(path), stat.st_mtime_ns, stat.st_size, self.projection.extent, width_px, height_px)
        if jpeg is None:
            return
        canvas.drawImage(JpegReader(jpeg), 0, 0, self.frame_width, self.frame_height)
        self.basemap_used = True

    def _draw_zones(self, projection: MapProjection, *, labels: bool) -> None:
        ordered = sorted(self.case.zones, key=lambda zone: symbols.DRAW_ORDER.get(zone.function_zone, 0))
        labelled: list[tuple[float, float, str]] = []
        taken = self._reserved_areas() if labels else []
        for zone in ordered:
            symbols.draw_zone(self.canv, projection.rings(zone.geometry), zone.kind, zone.function_zone)
            if not labels:
                continue
            suffix = f"（{zone.function_zone}）" if zone.function_zone else ""
            text = shorten(f"{zone.name}{suffix}", MAP_TEXT_CHARS)
            label_point = self._label_point(zone.geometry, text, taken)
            if label_point is not None:
                labelled.append((*label_point, text))
        for x, y, text in labelled:
            symbols.halo_text(self.canv, x, y, text, self.font, ZONE_LABEL_SIZE, colors.HexColor("#222222"),
                              centred=True)

    def _reserved_areas(self) -> list[Rect]:
        """Frame areas zone labels stay out of: case and photo markers, inset, north arrow, scale bar, legend."""
        case_x, case_y = self.projection.to_frame(self.case.lon, self.case.lat)
        areas: list[Rect] = [
            (case_x - 10, case_y - 10, case_x + 40, case_y + 16),  # marker and its 问题点 label
            (self.frame_width - 13 * mm, self.frame_height - 18 * mm, self.frame_width, self.frame_height),
            (0, 0, 62 * mm, 14 * mm),
        ]
        for photo in self.case.photos:
            if photo.has_position:
                x, y = self.projection.to_frame(photo.lon, photo.lat)  # type: ignore[arg-type]  # has_position: both set
                areas.append((x - 8, y - 8, x + 8, y + 8))
        legend_width, legend_height = symbols.legend_size(self.canv, self._legend_entries(), self.font)
        areas.append((self.frame_width - legend_width - 3 * mm, 0, self.frame_width, legend_height + 3 * mm))
        if self.overview is not None:
            areas.append((0, self.frame_height - OVERVIEW_SIZE[1] - 3 * mm, OVERVIEW_SIZE[0] + 3 * mm,
                          self.frame_height))
        return areas

    def _draw_overview(self) -> None:
        """区位图: the zones around the case, with the main map's extent outlined."""
        projection = self.overview
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

    def _label_point(self, geometry: BaseGeometry, text: str, taken: list[Rect]) -> tuple[float, float] | None:
        """A point inside the zone's visible part where the label overlaps nothing in ``taken`` (then taken)."""
        min_lon, min_lat, max_lon, max_lat = self.projection.lonlat_bounds()
        inset_lon, inset_lat = (max_lon - min_lon) * 0.08, (max_lat - min_lat) * 0.08
        view = box(min_lon + inset_lon, min_lat + inset_lat, max_lon - inset_lon, max_lat - inset_lat)
        visible = valid_geometry(geometry).intersection(view)
        if visible.is_empty or visible.area < view.area * 0.01:
            return None
        half_width = self.canv.stringWidth(text, self.font, ZONE_LABEL_SIZE) / 2
        candidates = [visible.representative_point()]
        for fx in (0.5, 0.3, 0.7, 0.2, 0.8):
            for fy in (0.8, 0.6, 0.4, 0.2, 0.9):
                candidates.append(Point(min_lon + (max_lon - min_lon) * fx, min_lat + (max_lat - min_lat) * fy))
        for candidate in candidates:
            if not visible.contains(candidate):
                continue
            x, y = self.projection.to_frame(candidate.x, candidate.y)
            x = min(max(x, half_width + 2 * mm), self.frame_width - half_width - 2 * mm)
            label = (x - half_width - LABEL_MARGIN, y - 2 - LABEL_MARGIN,
                     x + half_width + LABEL_MARGIN, y + 7 + LABEL_MARGIN)
            if not any(_overlaps(label, area) for area in taken):
                taken.append(label)
                return x, y
        return None

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
            x, y = self.projection.to_frame(photo.lon, photo.lat)  # type: ignore[arg-type]  # has_position: both set
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
            entries.append(symbols.LegendEntry(shorten(kind, MAP_TEXT_CHARS), "zone", symbols.zone_color(kind)))
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
        north = format_dms(max_lat, is_longitude=False, second_decimals=0)
        canvas.drawString(0, top, f"{format_dms(min_lon, is_longitude=True, second_decimals=0)}  {north}")
        text = f"{format_dms(max_lon, is_longitude=True, second_decimals=0)}  {north}"
        canvas.drawRightString(self.frame_width, top, text)

    def _draw_caption(self) -> None:
        canvas = self.canv
        metres_per_paper_metre = self.projection.ground_metres_per_point() * 72 / 0.0254
        basemap = self.case.basemap_label or (self.case.basemap_mbtiles.name if self.case.basemap_mbtiles else "")
        basemap_text = f"底图：{basemap}（本地离线）" if self.basemap_used else "底图：无（示意底色）"
        caption = f"坐标系：CGCS2000（EPSG:4490），Web 墨卡托显示　约 1:{metres_per_paper_metre:,.0f}　{basemap_text}"
        canvas.setFont(self.font, CAPTION_SIZE)
        canvas.setFillColor(colors.black)
        canvas.drawString(0, 3, shorten_to_width(caption, self.font, CAPTION_SIZE, self.frame_width))
