"""A raster MBTiles file from outside, checked and rewritten into a clean file of our own.

An MBTiles file is a SQLite database anybody can craft: views that never end,
triggers, tiles that are not images, rows outside the tile grid, a claimed
extent on the other side of the world. :func:`copy_raster_mbtiles` never
serves or edits such a file: it reads the source read-only, with untrusted
schema objects disarmed (``trusted_schema=OFF``) and every statement bounded in
time by a progress handler, checks each tile (a zoom level 0–22, a column and
row inside the grid, PNG / JPEG / WebP bytes of bounded size) and writes the
tiles into a new file with a plain ``tiles`` table (TMS rows) and a
``metadata`` table it fills itself (format, zoom range and bounds computed
from the tiles, never taken from the source). The extent must lie in China
and overlap Jiangsu. Anything else is :class:`BadInput`, whatever the file.
"""
from __future__ import annotations

import math
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from inspector.maps.basemap_tiles import tile_mime
from inspector.maps.raster_tiles import JIANGSU_REACH, MAX_ZOOM, Kind, refuse

MAX_MBTILES_BYTES = 16 * 1024 ** 3  # largest file accepted, bytes
MAX_TILE_BYTES = 2 * 1024 ** 2  # largest single tile, bytes
MAX_TEXT_CHARS = 500  # a description or attribution kept from the source, characters
SECONDS_BASE = 30.0  # time any statement on the source may take, plus the size share below, seconds
BYTES_PER_SECOND = 20 * 1024 ** 2  # slowest acceptable reading speed, bytes per second
CHINA_REACH = (73.0, 18.0, 135.5, 54.0)  # west, south, east, north, degrees: a basemap lies inside it
SQLITE_MAGIC = b"SQLite format 3\x00"
PROGRESS_OPS = 10_000  # SQLite virtual machine steps between two deadline checks
BATCH_ROWS = 2_000  # tiles written per executemany
FORMAT_NAMES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
DESCRIPTIVE_KEYS = ("description", "attribution")


@dataclass(frozen=True)
class IntakeResult:
    """What the copied file holds."""

    format: str  # png, jpg or webp (the most common one when tiles mix them)
    zooms: tuple[int, int]
    bounds: tuple[float, float, float, float]  # west, south, east, north, degrees
    tiles: int


def _tile_bounds(zoom: int, columns: tuple[int, int], tms_rows: tuple[int, int]) -> tuple[float, float, float, float]:
    count = 1 << zoom

    def latitude(tms_edge: int) -> float:  # the latitude of a horizontal tile edge counted from the south
        y = math.pi * (2 * tms_edge / count - 1)
        return math.degrees(math.atan(math.sinh(y)))

    west = columns[0] / count * 360 - 180
    east = (columns[1] + 1) / count * 360 - 180
    return west, latitude(tms_rows[0]), east, latitude(tms_rows[1] + 1)


def _open_source(path: Path, kind: Kind, deadline: float) -> sqlite3.Connection:
    with path.open("rb") as head:
        if head.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise refuse(kind, path, "不是 MBTiles（SQLite）文件", "not an MBTiles (SQLite) file")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_OPS)
    connection.execute("PRAGMA trusted_schema=OFF")
    connection.execute("PRAGMA query_only=ON")
    return connection


def _source_text(source: sqlite3.Connection) -> dict[str, str]:
    """The source's format, scheme and descriptive metadata (bounded), lower-case keys."""
    try:
        rows = source.execute("SELECT name, value FROM metadata LIMIT 1000").fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return {}
        raise
    keep = {"format", "scheme", *DESCRIPTIVE_KEYS}
    return {str(name).lower(): str(value)[:MAX_TEXT_CHARS] for name, value in rows
            if isinstance(name, str) and str(name).lower() in keep and value is not None}


def _create_target(target: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(target)
    connection.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);")
    return connection


def copy_raster_mbtiles(source_path: Path, target: Path, kind: Kind, metadata: dict[str, str]) -> IntakeResult:
    """Copy the checked tiles of ``source_path`` into the new file ``target`` with ``metadata`` added."""
    if not source_path.is_file():
        raise refuse(kind, source_path, "找不到文件", "file not found")
    size = source_path.stat().st_size
    if size > MAX_MBTILES_BYTES:
        raise refuse(kind, source_path, f"{size:,} 字节，超过上限 {MAX_MBTILES_BYTES:,}",
                     f"{size:,} bytes exceeds the limit of {MAX_MBTILES_BYTES:,}")
    deadline = time.monotonic() + SECONDS_BASE + size / BYTES_PER_SECOND
    try:
        source = _open_source(source_path, kind, deadline)
    except OSError as exc:
        raise refuse(kind, source_path, "无法读取", "cannot be read", str(exc)) from exc
    except sqlite3.Error as exc:
        raise refuse(kind, source_path, "不是可读的 MBTiles", "not a readable MBTiles file", str(exc)) from exc
    written = _create_target(target)
    try:
        text = _source_text(source)
        if text.get("format", "").strip().lower() in {"pbf", "mvt"}:
            raise refuse(kind, source_path, "矢量切片不能用作底图", "vector tiles cannot be a basemap")
        result = _copy_tiles(source, written, source_path, kind, xyz=text.get("scheme", "").strip().lower() == "xyz")
        fields = {"name": metadata.get("name", source_path.stem), "format": result.format, "type": "baselayer",
                  "version": "1.1", "bounds": ",".join(f"{v:.6f}" for v in result.bounds),
                  "minzoom": str(result.zooms[0]), "maxzoom": str(result.zooms[1]),
                  **{key: text[key] for key in DESCRIPTIVE_KEYS if key in text}, **metadata}
        written.executemany("INSERT INTO metadata (name, value) VALUES (?, ?)", list(fields.items()))
        written.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        written.commit()
        return result
    except sqlite3.IntegrityError as exc:
        raise refuse(kind, source_path, "同一切片出现多次", "a tile appears more than once", str(exc)) from exc
    except sqlite3.Error as exc:
        reason = "time limit reached" if "interrupted" in str(exc) else str(exc)
        raise refuse(kind, source_path, "不是可读的栅格 MBTiles", "not a readable raster MBTiles file", reason) from exc
    finally:
        source.close()
        written.close()


def _copy_tiles(source: sqlite3.Connection, target: sqlite3.Connection, path: Path, kind: Kind, *,
                xyz: bool) -> IntakeResult:
    """Check and copy every tile; the zoom range, bounds at the deepest level, format and count."""
    extents: dict[int, list[int]] = {}  # zoom: [min column, max column, min TMS row, max TMS row]
    formats: dict[str, int] = {}
    batch: list[tuple[int, int, int, bytes]] = []
    count = 0
    rows = source.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
    for zoom, column, row, data in rows:
        if data is None:
            continue
        if not all(isinstance(v, int) for v in (zoom, column, row)) or not 0 <= zoom <= MAX_ZOOM \
                or not (0 <= column < (1 << zoom) and 0 <= row < (1 << zoom)):
            raise refuse(kind, path, f"切片地址无效（{zoom}/{column}/{row}）",
                         f"invalid tile address ({zoom}/{column}/{row})")
        if not isinstance(data, bytes) or len(data) > MAX_TILE_BYTES:
            raise refuse(kind, path, f"切片 {zoom}/{column}/{row} 不是图像或过大",
                         f"tile {zoom}/{column}/{row} is not an image or too large")
        mime = tile_mime(data)
        if mime is None:
            raise refuse(kind, path, f"切片 {zoom}/{column}/{row} 不是 PNG、JPEG 或 WebP 图像",
                         f"tile {zoom}/{column}/{row} is not a PNG, JPEG or WebP image")
        formats[mime] = formats.get(mime, 0) + 1
        tms_row = (1 << zoom) - 1 - row if xyz else row
        extent = extents.setdefault(zoom, [column, column, tms_row, tms_row])
        extent[0], extent[1] = min(extent[0], column), max(extent[1], column)
        extent[2], extent[3] = min(extent[2], tms_row), max(extent[3], tms_row)
        batch.append((zoom, column, tms_row, data))
        count += 1
        if len(batch) >= BATCH_ROWS:
            target.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", batch)
            batch.clear()
    target.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", batch)
    if not count:
        raise refuse(kind, path, "没有栅格切片", "no raster tiles")
    deepest = max(extents)
    extent = extents[deepest]
    bounds = _tile_bounds(deepest, (extent[0], extent[1]), (extent[2], extent[3]))
    china, reach = CHINA_REACH, JIANGSU_REACH
    inside_china = china[0] <= bounds[0] and bounds[2] <= china[2] and china[1] <= bounds[1] and bounds[3] <= china[3]
    if not inside_china or bounds[2] < reach[0] or bounds[0] > reach[2] or bounds[3] < reach[1] or bounds[1] > reach[3]:
        raise refuse(kind, path, "范围不在江苏", "its extent is not in Jiangsu",
                     ", ".join(f"{v:.3f}" for v in bounds))
    most_common = max(formats, key=lambda mime: formats[mime])
    return IntakeResult(FORMAT_NAMES[most_common], (min(extents), deepest), bounds, count)

