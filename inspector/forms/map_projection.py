"""Where the location map looks: its extent, its projection and the inset's extent.

The map is drawn in spherical Web Mercator so it lines up with XYZ/TMS basemap
tiles. Its extent covers the case point, the photos and drone footprints near
it (and the whole zone it lies in when that zone is small), padded and
stretched to the frame's aspect ratio. Ground distances (for the scale bar)
undo Mercator's 1/cos φ stretch at the map's central latitude. Zone
geometries are repaired when invalid, clipped to the view and simplified to
about half a point before drawing; the exact geometry stays with the caller.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from shapely import make_valid
from shapely.geometry import Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from inspector.forms.basemap import Extent
from inspector.forms.coordinates import ground_metres_per_mercator_metre, lonlat_to_mercator, mercator_to_lonlat
from inspector.forms.model import FormCase

NEARBY_RADIUS_M = 3000.0  # photos/footprints farther than this from the case don't widen the map
MIN_GROUND_SPAN_M = 500.0  # the map shows at least this much ground across its short side
SMALL_ZONE_DIAGONAL_M = 1200.0  # a zone this small around the case is shown whole
PAD_FRACTION = 0.22  # margin around what must be visible, per side
OVERVIEW_RADIUS_M = 15000.0  # zones within this distance of the case may shape the inset


def approx_distance_m(lon_a: float, lat_a: float, lon_b: float, lat_b: float) -> float:
    """Equirectangular distance: ample accuracy over a few kilometres."""
    mean_lat = math.radians((lat_a + lat_b) / 2)
    dx = math.radians(lon_b - lon_a) * math.cos(mean_lat)
    dy = math.radians(lat_b - lat_a)
    return 6371008.8 * math.hypot(dx, dy)


def valid_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """The geometry repaired if needed (a self-intersecting ring from a ledger must not stop the form)."""
    return geometry if geometry.is_valid else make_valid(geometry)


def polygon_parts(geometry: BaseGeometry) -> list[Polygon]:
    """Every non-empty Polygon inside a (Multi)Polygon or GeometryCollection."""
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    parts: list[Polygon] = []
    for part in getattr(geometry, "geoms", []):
        parts += polygon_parts(part)
    return parts


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
        if photo.has_position and approx_distance_m(case.lon, case.lat, photo.lon, photo.lat) <= NEARBY_RADIUS_M:  # type: ignore[arg-type]  # has_position: both set
            include(photo.lon, photo.lat)  # type: ignore[arg-type]  # has_position: both set
    case_point = Point(case.lon, case.lat)
    bounded: list[BaseGeometry] = [footprint.polygon for footprint in case.footprints]
    zone_geometries = [valid_geometry(zone.geometry) for zone in case.zones]
    bounded += [geometry for geometry in zone_geometries if geometry.intersects(case_point.buffer(1e-6))]
    for geometry in bounded:
        if geometry.is_empty:
            continue
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        diagonal = approx_distance_m(min_lon, min_lat, max_lon, max_lat)
        centre_distance = approx_distance_m(case.lon, case.lat, (min_lon + max_lon) / 2, (min_lat + max_lat) / 2)
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
        geometry = valid_geometry(geometry)
        if not geometry.intersects(view):
            return []
        tolerance = (max_lon - min_lon) / self.width * 0.4  # ~0.4 pt
        visible = geometry.intersection(view).simplify(tolerance, preserve_topology=True)
        rings: list[list[tuple[float, float]]] = []
        for polygon in polygon_parts(visible):
            for ring in [polygon.exterior, *polygon.interiors]:
                rings.append([self.to_frame(xyz[0], xyz[1]) for xyz in ring.coords])  # ignores Z (3D geometries)
        return rings


def overview_projection(case: FormCase, main: MapProjection, size: tuple[float, float]) -> MapProjection | None:
    """The inset's projection, or None when the main map already shows the surroundings."""
    radius_deg = OVERVIEW_RADIUS_M / 111_000.0
    near = Point(case.lon, case.lat).buffer(radius_deg)
    xs = [main.extent[0], main.extent[2]]
    ys = [main.extent[1], main.extent[3]]
    for zone in case.zones:
        geometry = valid_geometry(zone.geometry)
        if geometry.is_empty or not geometry.intersects(near):
            continue
        min_lon, min_lat, max_lon, max_lat = geometry.intersection(near).bounds
        for lon, lat in ((min_lon, min_lat), (max_lon, max_lat)):
            x, y = lonlat_to_mercator(lon, lat)
            xs.append(x)
            ys.append(y)
    width, height = (max(xs) - min(xs)) * 1.15, (max(ys) - min(ys)) * 1.15
    main_width = main.extent[2] - main.extent[0]
    if max(width, height * main.width / main.height) < 2.0 * main_width:
        return None
    aspect = size[0] / size[1]
    width, height = max(width, height * aspect), max(height, width / aspect)
    centre_x, centre_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    extent = (centre_x - width / 2, centre_y - height / 2, centre_x + width / 2, centre_y + height / 2)
    return MapProjection(extent, *size)
