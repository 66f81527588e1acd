"""Image chips of a case: the two epochs around it (前时相 / 后时相) clipped around its extent, outline drawn.

Which epochs: only dated epochs that cover the case are placed in time. With
the patch's imaging dates, 前时相 is the latest epoch on or before
``imaged_before`` and 后时相 the earliest on or after ``imaged_after``;
without them, the latest epoch before the discovery date and the latest on
or after it. When one side is missing, the two most recent covering epochs
stand in (older = 前时相). The chip is a square around the patch
(``cases.geometry_geojson``) with a margin, or a fixed box around a point
case, read from the epoch's MBTiles (:func:`inspector.forms.basemap.compose_basemap`);
the patch outline is drawn in yellow, the verified extent (when set) in cyan,
a point case gets a ring at its position.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import shapely
from PIL import Image as PILImage
from PIL import ImageDraw
from shapely.geometry.base import BaseGeometry

from inspector.casework.cases import resolve_case
from inspector.forms.basemap import Extent, compose_basemap
from inspector.forms.coordinates import ground_metres_per_mercator_metre, lonlat_to_mercator
from inspector.imagery.imagery_store import list_epochs
from inspector.store.workspace import Workspace

CHIP_PX = 512  # chip side, pixels
PATCH_MARGIN = 0.3  # share of the patch's larger side added on each side
MIN_HALF_SIDE_M = 60.0  # ground metres: the smallest chip is 120 m across
POINT_HALF_SIDE_M = 150.0  # ground metres around a point case
OUTLINE_RGB = (255, 221, 0)  # the delivered patch
VERIFIED_RGB = (0, 229, 255)  # the extent verified on site
OUTLINE_WIDTH_PX = 3
POINT_RING_RADIUS_PX = 12
Role = Literal["before", "after"]  # 前时相 / 后时相
MAX_OUTLINE_VERTICES = 20_000  # drawn per chip; a heavier geometry is simplified first


@dataclass(frozen=True)
class Chip:
    """One epoch clipped around a case."""

    role: Role
    epoch: str
    date: str | None
    image: PILImage.Image  # RGB, CHIP_PX square, outline drawn


@dataclass(frozen=True)
class CaseChips:
    before: Chip | None
    after: Chip | None
    outline: str  # "polygon" or "point"
    verified_area_m2: float | None


def _geometry(text: str | None) -> BaseGeometry | None:
    """A stored Polygon/MultiPolygon, or None (point case, or a value that does not parse as one)."""
    if not text:
        return None
    try:
        geometry = shapely.from_geojson(text)
    except (shapely.errors.GEOSException, ValueError, TypeError):
        return None
    if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    if shapely.get_num_coordinates(geometry) > MAX_OUTLINE_VERTICES:
        geometry = geometry.simplify(1e-5)
    return geometry


def chip_extent(lon: float, lat: float, patch: BaseGeometry | None) -> Extent:
    """The Web Mercator square a chip shows."""
    stretch = 1 / ground_metres_per_mercator_metre(lat)
    if patch is None:
        x, y = lonlat_to_mercator(lon, lat)
        half = POINT_HALF_SIDE_M * stretch
    else:
        west, south, east, north = patch.bounds
        (x0, y0), (x1, y1) = lonlat_to_mercator(west, south), lonlat_to_mercator(east, north)
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
        half = max(max(x1 - x0, y1 - y0) * (0.5 + PATCH_MARGIN), MIN_HALF_SIDE_M * stretch)
    return x - half, y - half, x + half, y + half


def _covers(entry: dict[str, Any], lon: float, lat: float) -> bool:
    bounds = entry.get("bounds")
    return bool(bounds and bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3])


def choose_epochs(epochs: list[dict[str, Any]], *, imaged_before: str | None, imaged_after: str | None,
                  discovered_on: str | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(前时相, 后时相) among ``epochs`` (those covering the case, in :func:`list_epochs` order)."""
    dated = [e for e in epochs if e["date"]]
    before = after = None
    if imaged_before or imaged_after:
        if imaged_before:
            before = next((e for e in reversed(dated) if e["date"] <= imaged_before), None)
        if imaged_after:
            after = next((e for e in dated if e["date"] >= imaged_after and e is not before), None)
    elif discovered_on:
        before = next((e for e in reversed(dated) if e["date"] < discovered_on), None)
        after = next((e for e in reversed(dated) if e["date"] >= discovered_on), None)
    if before is not None and after is not None:
        return before, after
    recent = epochs[-2:]  # dated by date, undated last: the two most recent stand in
    if len(recent) == 2:
        return recent[0], recent[1]
    return (None, recent[0]) if recent else (None, None)


def _to_pixels(extent: Extent, lon: float, lat: float) -> tuple[float, float]:
    x, y = lonlat_to_mercator(lon, lat)
    return ((x - extent[0]) / (extent[2] - extent[0]) * CHIP_PX, (extent[3] - y) / (extent[3] - extent[1]) * CHIP_PX)


def draw_outline(image: PILImage.Image, extent: Extent, geometry: BaseGeometry, colour: tuple[int, int, int]) -> None:
    draw = ImageDraw.Draw(image)
    for polygon in getattr(geometry, "geoms", [geometry]):
        for ring in (polygon.exterior, *polygon.interiors):
            points = [_to_pixels(extent, lon, lat) for lon, lat in ring.coords]
            draw.line(points, fill=colour, width=OUTLINE_WIDTH_PX, joint="curve")


def draw_point(image: PILImage.Image, extent: Extent, lon: float, lat: float) -> None:
    x, y = _to_pixels(extent, lon, lat)
    radius = POINT_RING_RADIUS_PX
    ImageDraw.Draw(image).ellipse((x - radius, y - radius, x + radius, y + radius), outline=OUTLINE_RGB,
                                  width=OUTLINE_WIDTH_PX)


def case_chips(ws: Workspace, ref: str) -> CaseChips:
    """The case's 前时相 / 后时相 chips (either None when no epoch covers it)."""
    row = resolve_case(ws, ref)
    case = ws.conn.execute(
        "SELECT lon, lat, geometry_geojson, verified_geometry_geojson, verified_area_m2, imaged_before, "
        "imaged_after, discovered_on FROM cases WHERE id = ?", (row["id"],)).fetchone()
    patch, verified = _geometry(case["geometry_geojson"]), _geometry(case["verified_geometry_geojson"])
    lon, lat = case["lon"], case["lat"]
    if lon is None or lat is None:
        return CaseChips(None, None, "polygon" if patch is not None else "point", case["verified_area_m2"])
    extent = chip_extent(lon, lat, patch)
    covering = [e for e in list_epochs(ws) if _covers(e, lon, lat)]
    chosen = choose_epochs(covering, imaged_before=case["imaged_before"], imaged_after=case["imaged_after"],
                           discovered_on=case["discovered_on"])
    chips: list[Chip | None] = []
    roles: tuple[Role, Role] = ("before", "after")
    for role, entry in zip(roles, chosen):
        image = compose_basemap(Path(entry["file"]), extent, CHIP_PX, CHIP_PX) if entry else None
        if entry is None or image is None:
            chips.append(None)
            continue
        if patch is not None:
            draw_outline(image, extent, patch, OUTLINE_RGB)
        else:
            draw_point(image, extent, lon, lat)
        if verified is not None:
            draw_outline(image, extent, verified, VERIFIED_RGB)
        chips.append(Chip(role, entry["epoch"], entry["date"], image))
    return CaseChips(chips[0], chips[1], "polygon" if patch is not None else "point", case["verified_area_m2"])


def write_case_chips(ws: Workspace, ref: str, folder: Path) -> dict[str, Any]:
    """Write the chips as ``<uuid>-before.png`` / ``<uuid>-after.png`` into ``folder``; what was written."""
    row = resolve_case(ws, ref)
    chips = case_chips(ws, row["uuid"])
    folder.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"case_no": row["case_no"], "uuid": row["uuid"], "outline": chips.outline,
                              "verified_area_m2": chips.verified_area_m2}
    for chip, role in ((chips.before, "before"), (chips.after, "after")):
        if chip is None:
            result[role] = None
            continue
        path = folder / f"{row['uuid']}-{role}.png"
        chip.image.save(path, format="PNG")
        result[role] = {"epoch": chip.epoch, "date": chip.date, "file": str(path)}
    return result

