"""Offline basemap for the location map: raster tiles from a local MBTiles file.

An MBTiles file is SQLite with ``tiles(zoom_level, tile_column, tile_row,
tile_data)``; rows follow the TMS scheme (row 0 at the south), unless the
``metadata`` table says ``scheme = xyz``. Tiles are Web Mercator, 256 px.

:func:`compose_basemap` picks the zoom level that matches the printed
resolution (or the nearest level the file has), stitches the tiles that cover
a Web Mercator extent, crops to it and returns one RGB image. The file is
opened read-only; nothing goes to the network. Vector tiles (``pbf``) are not
drawn.
"""
from __future__ import annotations

import io
import math
import sqlite3
import warnings
from pathlib import Path

from PIL import Image as PILImage

from inspector.forms.coordinates import EARTH_RADIUS_M

TILE_PX = 256  # pixels per tile side
WORLD_SPAN_M = 2 * math.pi * EARTH_RADIUS_M  # Web Mercator world width, metres
MAX_TILES = 80  # stitched per map; beyond this a coarser zoom is used
MISSING_TILE_FILL = (238, 238, 234)  # RGB where the file has no tile
RASTER_FORMATS = ("PNG", "JPEG", "WEBP")

Extent = tuple[float, float, float, float]  # min x, min y, max x, max y in Web Mercator metres


class MBTilesReader:
    """Read-only access to one MBTiles file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        self.connection = sqlite3.connect(uri, uri=True)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> "MBTilesReader":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def metadata(self) -> dict[str, str]:
        try:
            rows = self.connection.execute("SELECT name, value FROM metadata").fetchall()
        except sqlite3.DatabaseError:
            return {}
        return {str(name).lower(): str(value) for name, value in rows}

    def zoom_levels(self) -> list[int]:
        rows = self.connection.execute("SELECT DISTINCT zoom_level FROM tiles ORDER BY zoom_level")
        return [int(row[0]) for row in rows]

    def is_xyz(self) -> bool:
        return self.metadata().get("scheme", "tms").strip().lower() == "xyz"

    def tile(self, zoom: int, column: int, xyz_row: int, *, xyz_scheme: bool = False) -> bytes | None:
        """Tile data addressed in XYZ order (row 0 at the north)."""
        stored_row = xyz_row if xyz_scheme else (1 << zoom) - 1 - xyz_row
        row = self.connection.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
            (zoom, column, stored_row),
        ).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None


def best_zoom(available: list[int], metres_per_pixel: float, extent: Extent) -> int | None:
    """The coarsest available level at least as sharp as needed, limited to :data:`MAX_TILES`."""
    if not available:
        return None
    wanted = math.ceil(math.log2(WORLD_SPAN_M / (TILE_PX * max(metres_per_pixel, 1e-6))))
    sharp_enough = [zoom for zoom in available if zoom >= wanted]
    zoom = min(sharp_enough) if sharp_enough else max(available)
    while _tile_count(zoom, extent) > MAX_TILES:
        coarser = [level for level in available if level < zoom]
        if not coarser:
            return None
        zoom = max(coarser)
    return zoom


def _tile_span(zoom: int) -> float:
    return WORLD_SPAN_M / (1 << zoom)


def _tile_range(zoom: int, extent: Extent) -> tuple[int, int, int, int]:
    """First/last XYZ column and row covering the extent."""
    span = _tile_span(zoom)
    half = WORLD_SPAN_M / 2
    last_index = (1 << zoom) - 1
    first_column = max(0, int(math.floor((extent[0] + half) / span)))
    last_column = min(last_index, int(math.floor((extent[2] + half) / span)))
    first_row = max(0, int(math.floor((half - extent[3]) / span)))
    last_row = min(last_index, int(math.floor((half - extent[1]) / span)))
    return first_column, last_column, first_row, last_row


def _tile_count(zoom: int, extent: Extent) -> int:
    first_column, last_column, first_row, last_row = _tile_range(zoom, extent)
    return (last_column - first_column + 1) * (last_row - first_row + 1)


def _decode_tile(data: bytes) -> PILImage.Image | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data), formats=RASTER_FORMATS) as tile:
                return tile.convert("RGB")
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombWarning):
        return None


def compose_basemap(path: Path, extent: Extent, width_px: int, height_px: int) -> PILImage.Image | None:
    """Stitched, cropped basemap for the extent, or None when the file covers none of it."""
    try:
        reader = MBTilesReader(path)
    except sqlite3.Error:
        return None
    try:
        if reader.metadata().get("format", "").lower() in {"pbf", "mvt"}:
            return None
        zoom = best_zoom(reader.zoom_levels(), (extent[2] - extent[0]) / max(width_px, 1), extent)
        if zoom is None:
            return None
        xyz_scheme = reader.is_xyz()
        first_column, last_column, first_row, last_row = _tile_range(zoom, extent)
        mosaic = PILImage.new(
            "RGB",
            ((last_column - first_column + 1) * TILE_PX, (last_row - first_row + 1) * TILE_PX),
            MISSING_TILE_FILL,
        )
        found_any = False
        for column in range(first_column, last_column + 1):
            for row in range(first_row, last_row + 1):
                data = reader.tile(zoom, column, row, xyz_scheme=xyz_scheme)
                tile = _decode_tile(data) if data else None
                if tile is None:
                    continue
                if tile.size != (TILE_PX, TILE_PX):
                    tile = tile.resize((TILE_PX, TILE_PX))
                mosaic.paste(tile, ((column - first_column) * TILE_PX, (row - first_row) * TILE_PX))
                found_any = True
    except sqlite3.Error:
        return None
    finally:
        reader.close()
    if not found_any:
        return None
    span = _tile_span(zoom)
    half = WORLD_SPAN_M / 2
    pixels_per_metre = TILE_PX / span
    origin_x = first_column * span - half  # mosaic's west edge, metres
    origin_y = half - first_row * span  # mosaic's north edge, metres
    crop_box = (
        (extent[0] - origin_x) * pixels_per_metre,
        (origin_y - extent[3]) * pixels_per_metre,
        (extent[2] - origin_x) * pixels_per_metre,
        (origin_y - extent[1]) * pixels_per_metre,
    )
    return mosaic.resize((width_px, height_px), PILImage.Resampling.BILINEAR, box=crop_box)
